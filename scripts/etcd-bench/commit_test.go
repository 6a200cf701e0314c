// Commit throughput of etcd's raft library on the work RaftVerify's CommitBenchmarks does
// (docs/benchmarks.md): n nodes driven from one thread, each persisting every Ready into its own
// raft.MemoryStorage (hard state set, entries appended, which copies them), messages handed over in
// memory, no ticks after the first election, compaction every 100,000 applied entries keeping
// 5,000. Payloads are distinct (the entry's sequence number in 8 bytes, from a ring of buffers like
// ours), every applied entry is checked against what was proposed, and after timing every node's
// storage is checked index by index. ns/op is per committed entry.
//
// Run by scripts/compare-etcd.sh in GOPATH mode against Debian's golang-etcd-server-dev source.
package etcdbench

import (
	"encoding/binary"
	"fmt"
	"io/ioutil"
	"log"
	"testing"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

const (
	compactEvery = 100000
	keep         = 5000
	ring         = 1 << 18
)

type cluster struct {
	nodes       []*raft.RawNode
	stores      []*raft.MemoryStorage
	applied     []uint64 // last applied index
	nextCompact []uint64
	appliedSeq  []uint64 // last applied proposal sequence
	queue       []pb.Message
	delivering  []pb.Message
	payloads    [][]byte
	base        uint64 // log index of proposal sequence 0
	proposed    uint64 // proposals so far (sequence numbers 1..proposed)
	messages    uint64
	batch       []pb.Entry
}

var quiet = &raft.DefaultLogger{Logger: log.New(ioutil.Discard, "", 0)}

func newCluster(n int) *cluster {
	c := &cluster{payloads: make([][]byte, ring), base: 1 << 62} // nothing is checked until the base is known
	peers := make([]uint64, n)
	for i := range peers {
		peers[i] = uint64(i + 1)
	}
	for i := 0; i < n; i++ {
		s := raft.NewMemoryStorage()
		// the same bootstrap as etcd's own tests: a snapshot at index 1 holding the voters
		if err := s.ApplySnapshot(pb.Snapshot{Metadata: pb.SnapshotMetadata{Index: 1, Term: 1, ConfState: pb.ConfState{Voters: peers}}}); err != nil {
			panic(err)
		}
		rn, err := raft.NewRawNode(&raft.Config{
			ID: uint64(i + 1), ElectionTick: 10, HeartbeatTick: 1, Storage: s,
			MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256, Logger: quiet,
		})
		if err != nil {
			panic(err)
		}
		c.nodes = append(c.nodes, rn)
		c.stores = append(c.stores, s)
		c.applied = append(c.applied, 1)
		c.appliedSeq = append(c.appliedSeq, 0)
		c.nextCompact = append(c.nextCompact, compactEvery)
	}
	if err := c.nodes[0].Campaign(); err != nil {
		panic(err)
	}
	c.settle()
	if c.nodes[0].BasicStatus().RaftState != raft.StateLeader {
		panic("node 1 is not the leader")
	}
	last, _ := c.stores[0].LastIndex()
	c.base = last // the leader's empty entry; proposal k lands at base+k
	return c
}

func (c *cluster) check(node int, where string, index uint64, e *pb.Entry) {
	seq := index - c.base
	if index <= c.base || e.Type != pb.EntryNormal || len(e.Data) != 8 || binary.LittleEndian.Uint64(e.Data) != seq {
		panic(fmt.Sprintf("node %d %s index %d: %v, proposed sequence %d", node+1, where, index, e, seq))
	}
}

func (c *cluster) round() {
	for i, rn := range c.nodes {
		for rn.HasReady() {
			rd := rn.Ready()
			s := c.stores[i]
			if !raft.IsEmptyHardState(rd.HardState) {
				s.SetHardState(rd.HardState)
			}
			if !raft.IsEmptySnap(rd.Snapshot) {
				s.ApplySnapshot(rd.Snapshot)
			}
			s.Append(rd.Entries)
			c.queue = append(c.queue, rd.Messages...)
			for k := range rd.CommittedEntries {
				e := &rd.CommittedEntries[k]
				if e.Index != c.applied[i]+1 {
					panic(fmt.Sprintf("node %d applies %d after %d", i+1, e.Index, c.applied[i]))
				}
				c.applied[i] = e.Index
				if e.Index <= c.base {
					continue // the leader's empty entry
				}
				c.check(i, "applied", e.Index, e)
				c.appliedSeq[i] = e.Index - c.base
			}
			rn.Advance(rd)
			if c.applied[i] >= c.nextCompact[i] {
				at := c.applied[i] - keep
				if _, err := s.CreateSnapshot(at, nil, []byte{1}); err != nil {
					panic(err)
				}
				if err := s.Compact(at); err != nil {
					panic(err)
				}
				c.nextCompact[i] += compactEvery
			}
		}
	}
	c.queue, c.delivering = c.delivering[:0], c.queue
	for _, m := range c.delivering {
		c.nodes[m.To-1].Step(m)
	}
	c.messages += uint64(len(c.delivering))
}

func (c *cluster) settle() {
	for guard := 0; guard < 1000; guard++ {
		c.round()
		idle := len(c.queue) == 0
		for _, rn := range c.nodes {
			idle = idle && !rn.HasReady()
		}
		if idle {
			return
		}
	}
	panic("the cluster did not settle")
}

func (c *cluster) payload(seq uint64) []byte {
	slot := seq & (ring - 1)
	p := c.payloads[slot]
	if p == nil {
		p = make([]byte, 8)
		c.payloads[slot] = p
	} else {
		prev := c.base + seq - ring // the index this slot last carried must be compacted everywhere
		for i, s := range c.stores {
			if first, _ := s.FirstIndex(); first <= prev {
				panic(fmt.Sprintf("payload slot of %d still held by node %d", prev, i+1))
			}
		}
	}
	binary.LittleEndian.PutUint64(p, seq)
	return p
}

func (c *cluster) committed() uint64 { return c.nodes[0].BasicStatus().Commit }

func (c *cluster) commitOne() {
	c.proposed++
	if err := c.nodes[0].Propose(c.payload(c.proposed)); err != nil {
		panic(err)
	}
	target := c.base + c.proposed
	for c.committed() < target {
		c.round()
	}
}

// commitBatch hands the leader n entries in one proposal message (a multi-entry MsgProp).
func (c *cluster) commitBatch(n int) {
	c.batch = c.batch[:0]
	for k := 0; k < n; k++ {
		c.proposed++
		c.batch = append(c.batch, pb.Entry{Data: c.payload(c.proposed)})
	}
	if err := c.nodes[0].Step(pb.Message{Type: pb.MsgProp, From: 1, Entries: c.batch}); err != nil {
		panic(err)
	}
	target := c.base + c.proposed
	for c.committed() < target {
		c.round()
	}
}

func (c *cluster) verify(expected uint64) {
	c.settle()
	if c.proposed != expected || c.committed() != c.base+expected {
		panic(fmt.Sprintf("proposed %d, leader committed %d, expected %d", c.proposed, c.committed()-c.base, expected))
	}
	for i, s := range c.stores {
		if c.appliedSeq[i] != expected {
			panic(fmt.Sprintf("node %d applied %d, expected %d", i+1, c.appliedSeq[i], expected))
		}
		first, _ := s.FirstIndex()
		last, _ := s.LastIndex()
		if last != c.base+expected {
			panic(fmt.Sprintf("node %d stores up to %d, expected %d", i+1, last, c.base+expected))
		}
		if first <= c.base {
			first = c.base + 1
		}
		if first <= last {
			ents, err := s.Entries(first, last+1, 1<<62)
			if err != nil {
				panic(err)
			}
			for k := range ents {
				c.check(i, "store", first+uint64(k), &ents[k])
			}
		}
	}
}

func bench(b *testing.B, nodes, batch int) {
	c := newCluster(nodes)
	b.ReportAllocs()
	b.ResetTimer()
	if batch == 1 {
		for i := 0; i < b.N; i++ {
			c.commitOne()
		}
	} else {
		for left := b.N; left > 0; left -= batch {
			n := batch
			if left < n {
				n = left
			}
			c.commitBatch(n)
		}
	}
	b.StopTimer()
	msgs := c.messages
	c.verify(uint64(b.N))
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/entry")
}

func BenchmarkCommit3NodesBatch1(b *testing.B)  { bench(b, 3, 1) }
func BenchmarkCommit3NodesBatch64(b *testing.B) { bench(b, 3, 64) }
func BenchmarkCommit5NodesBatch1(b *testing.B)  { bench(b, 5, 1) }
func BenchmarkCommit5NodesBatch64(b *testing.B) { bench(b, 5, 64) }
