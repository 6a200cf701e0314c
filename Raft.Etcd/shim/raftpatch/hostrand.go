// This file is not part of etcd. scripts/etcd-shim.sh copies it into a private copy of etcd's raft
// package (3.4) and points raft.go's globalRand at hostSeededSource instead of a clock-seeded
// source, so that every election-timeout draw comes from a seed the RaftVerify host chose.
// It also exposes a few read-only facts the shim reports in its status and propose results.

package raft

import (
	"math/rand"

	pb "go.etcd.io/etcd/raft/raftpb"
)

// hostSource forwards each draw to the source of the node the shim is currently driving. The shim
// is single-threaded and selects a node's source (UseRandSource) before every call into it.
type hostSource struct{ cur rand.Source }

func (s *hostSource) Int63() int64 {
	if s.cur == nil {
		panic("raft (RaftVerify patch): random draw with no host seed selected")
	}
	return s.cur.Int63()
}

func (s *hostSource) Seed(int64) {
	panic("raft (RaftVerify patch): the host-seeded source cannot be re-seeded from inside raft")
}

var hostSeededSource = &hostSource{}

// UseRandSource makes src the source of the next draws of raft's globalRand.
func UseRandSource(src rand.Source) { hostSeededSource.cur = src }

// ShimLastIndex is the index of the last entry in the node's log (stable or not).
func (rn *RawNode) ShimLastIndex() uint64 { return rn.raft.raftLog.lastIndex() }

// ShimLastTerm is the term of that entry.
func (rn *RawNode) ShimLastTerm() uint64 { return rn.raft.raftLog.lastTerm() }

// ShimVotes copies the votes a (pre-)candidate has received so far (id -> granted).
func (rn *RawNode) ShimVotes() map[uint64]bool {
	out := make(map[uint64]bool, len(rn.raft.prs.Votes))
	for id, v := range rn.raft.prs.Votes {
		out[id] = v
	}
	return out
}

// ShimFirstIndex is the first index the node's log still holds (its snapshot index + 1).
func (rn *RawNode) ShimFirstIndex() uint64 { return rn.raft.raftLog.firstIndex() }

// ShimTerm is the term of the entry at i (stable, unstable, or the snapshot's index).
func (rn *RawNode) ShimTerm(i uint64) (uint64, error) { return rn.raft.raftLog.term(i) }

// ShimEntries copies the log's entries lo..hi (inclusive; stable or not).
func (rn *RawNode) ShimEntries(lo, hi uint64) ([]pb.Entry, error) {
	if lo > hi {
		return nil, nil
	}
	return rn.raft.raftLog.slice(lo, hi+1, noLimit)
}
