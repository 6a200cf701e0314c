package main

import (
	"encoding/binary"
	"sort"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// entry = u64 index, u64 term, u8 type (raftpb.EntryType), bytes data
func decodeEntry(d *decoder) pb.Entry {
	e := pb.Entry{Index: d.u64(), Term: d.u64()}
	e.Type = pb.EntryType(d.u8())
	e.Data = d.bytes()
	return e
}

func encodeEntries(enc *encoder, ents []pb.Entry) {
	enc.u32(uint32(len(ents)))
	for i := range ents {
		enc.u64(ents[i].Index)
		enc.u64(ents[i].Term)
		enc.u8(uint8(ents[i].Type))
		enc.bytes(ents[i].Data)
	}
}

// ready = u8 softChanged, u8 role, i32 lead, u8 hardChanged, u64 term, i32 vote, u64 commit,
// u8 mustSync, entries (to persist), u8 hasSnapshot [u64 index, u64 term, bytes data],
// entries (committed, to apply), u32 count {u64 requestId, u64 index} (read states). Soft and hard state are the node's current values; the
// flags say whether they changed (a changed hard state must be written).
func encodeReady(enc *encoder, n *node) {
	rd := &n.rd
	st := n.rn.BasicStatus()
	enc.bool(rd.SoftState != nil)
	enc.u8(uint8(st.RaftState))
	enc.i32(hostNode(st.Lead))
	hard := !raft.IsEmptyHardState(rd.HardState)
	hs := st.HardState
	if hard {
		hs = rd.HardState
	}
	enc.bool(hard)
	enc.u64(hs.Term)
	enc.i32(hostNode(hs.Vote))
	enc.u64(hs.Commit)
	enc.bool(rd.MustSync)
	encodeEntries(enc, rd.Entries)
	if raft.IsEmptySnap(rd.Snapshot) {
		enc.u8(0)
	} else {
		enc.u8(1)
		enc.u64(rd.Snapshot.Metadata.Index)
		enc.u64(rd.Snapshot.Metadata.Term)
		enc.bytes(rd.Snapshot.Data)
	}
	encodeEntries(enc, rd.CommittedEntries)
	encodeReadStates(enc, rd.ReadStates)
}

// readStates = u32 count, {u64 requestId, u64 index}*: the contexts are the 8-byte ids read-index
// gave etcd (a context of another length is reported as id 0, which the host never uses).
func encodeReadStates(enc *encoder, rss []raft.ReadState) {
	enc.u32(uint32(len(rss)))
	for i := range rss {
		var id uint64
		if len(rss[i].RequestCtx) == 8 {
			id = binary.LittleEndian.Uint64(rss[i].RequestCtx)
		}
		enc.u64(id)
		enc.u64(rss[i].Index)
	}
}

// messages = u32 count, then per message: u8 type, u8 isResponse, i32 from, i32 to, u64 term,
// u64 logTerm, u64 index, u64 commit, u32 entryCount, u8 reject, u64 rejectHint,
// u64 snapshotIndex, u32 snapshotSize, bytes marshalled raftpb.Message.
func encodeMessages(enc *encoder, n *node) {
	msgs := n.rd.Messages
	enc.u32(uint32(len(msgs)))
	for i := range msgs {
		m := &msgs[i]
		enc.u8(uint8(m.Type))
		enc.bool(raft.IsResponseMsg(m.Type))
		enc.i32(hostNode(m.From))
		enc.i32(hostNode(m.To))
		enc.u64(m.Term)
		enc.u64(m.LogTerm)
		enc.u64(m.Index)
		enc.u64(m.Commit)
		enc.u32(uint32(len(m.Entries)))
		enc.bool(m.Reject)
		enc.u64(m.RejectHint)
		enc.u64(m.Snapshot.Metadata.Index)
		enc.u32(uint32(len(m.Snapshot.Data)))
		enc.bytes(n.msgRaw[i])
	}
}

// status = u64 term, i32 vote, u64 commit, u64 applied, u8 role, i32 lead, u64 lastIndex,
// u64 lastTerm, u64 snapshotIndex, u64 snapshotTerm (durable), u8 readyPhase,
// u32 count {i32 peer, u64 match, u64 next, u8 state, u8 recentActive} (leader only),
// u32 count {i32 peer, u8 granted} (votes received, (pre-)candidate only).
func encodeStatus(enc *encoder, n *node) {
	st := n.rn.Status()
	snap, _ := n.storage.Snapshot()
	enc.u64(st.Term)
	enc.i32(hostNode(st.Vote))
	enc.u64(st.Commit)
	enc.u64(st.Applied)
	enc.u8(uint8(st.RaftState))
	enc.i32(hostNode(st.Lead))
	enc.u64(n.rn.ShimLastIndex())
	enc.u64(n.rn.ShimLastTerm())
	enc.u64(snap.Metadata.Index)
	enc.u64(snap.Metadata.Term)
	enc.u8(uint8(n.phase))
	encodeProgressAndVotes(enc, n, st)
}

// view = u64 term, i32 vote, u64 commit, u64 applied, u8 role, i32 lead, u64 snapshotIndex,
// u64 snapshotTerm, u64 lastIndex, u32 count {i32 peer, u64 match, u64 next, u8 state,
// u8 recentActive} (leader only), u32 count {i32 peer, u8 granted} ((pre-)candidate only),
// u64 from, entries. The snapshot index is the log's (first index - 1, whether or not the
// snapshot is in storage yet). from and entries are the log's change since the last view of this
// node: the host drops what it holds at indexes >= from and appends entries (from .. lastIndex);
// indexes below from are unchanged (a compacted index is never reported again).
func encodeView(enc *encoder, n *node) error {
	st := n.rn.Status()
	first, last := n.rn.ShimFirstIndex(), n.rn.ShimLastIndex()
	snapTerm, err := n.rn.ShimTerm(first - 1)
	if err != nil {
		return err
	}
	enc.u64(st.Term)
	enc.i32(hostNode(st.Vote))
	enc.u64(st.Commit)
	enc.u64(st.Applied)
	enc.u8(uint8(st.RaftState))
	enc.i32(hostNode(st.Lead))
	enc.u64(first - 1)
	enc.u64(snapTerm)
	enc.u64(last)
	encodeProgressAndVotes(enc, n, st)
	// Walk back from the last index both logs have until the terms agree (Log Matching: entries
	// with equal index and term are equal, and so are all before them); what follows changed.
	k := n.mirLast
	if last < k {
		k = last
	}
	for ; k >= first && k > 0; k-- {
		if t, err := n.rn.ShimTerm(k); err == nil && t == n.mirTerms[k] {
			break
		}
	}
	from := k + 1
	if from < first {
		from = first
	}
	ents, err := n.rn.ShimEntries(from, last)
	if err != nil {
		return err
	}
	for uint64(len(n.mirTerms)) <= last {
		n.mirTerms = append(n.mirTerms, 0)
	}
	for i := range ents {
		n.mirTerms[ents[i].Index] = ents[i].Term
	}
	n.mirLast = last
	enc.u64(from)
	encodeEntries(enc, ents)
	return nil
}

func encodeProgressAndVotes(enc *encoder, n *node, st raft.Status) {
	ids := make([]uint64, 0, len(st.Progress))
	for id := range st.Progress {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	enc.u32(uint32(len(ids)))
	for _, id := range ids {
		pr := st.Progress[id]
		enc.i32(hostNode(id))
		enc.u64(pr.Match)
		enc.u64(pr.Next)
		enc.u8(uint8(pr.State))
		enc.bool(pr.RecentActive)
	}
	ids = ids[:0]
	var votes map[uint64]bool
	if st.RaftState == raft.StateCandidate || st.RaftState == raft.StatePreCandidate {
		votes = n.rn.ShimVotes()
		for id := range votes {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	enc.u32(uint32(len(ids)))
	for _, id := range ids {
		enc.i32(hostNode(id))
		enc.bool(votes[id])
	}
}
