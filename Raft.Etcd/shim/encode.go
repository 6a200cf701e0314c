package main

import (
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
// entries (committed, to apply). Soft and hard state are the node's current values; the
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
