package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// Host node numbers are 0-based; etcd ids are 1-based (0 means "none" in etcd): id = node + 1.
func etcdID(node uint32) uint64 { return uint64(node) + 1 }

// hostNode maps an etcd id to the host's number, -1 for etcd's None.
func hostNode(id uint64) int32 { return int32(id) - 1 }

// Where a node is in 3.4's Ready cycle: ready() -> persist() -> advance().
const (
	phaseIdle      = 0 // no Ready handed out
	phaseTaken     = 1 // a Ready was handed out; its writes are not yet in storage
	phasePersisted = 2 // its writes are in storage and its messages were released; awaiting advance
)

// hostStorage is the MemoryStorage holding exactly what the host said is durable. Membership is fixed
// (all nodes of the cluster are voters, no conf changes), so InitialState always reports it.
type hostStorage struct {
	*raft.MemoryStorage
	cs pb.ConfState
}

func (s *hostStorage) InitialState() (pb.HardState, pb.ConfState, error) {
	hs, _, err := s.MemoryStorage.InitialState()
	return hs, s.cs, err
}

type node struct {
	num     uint32
	rn      *raft.RawNode
	storage *hostStorage
	src     rand.Source
	phase   int
	rd      raft.Ready
	msgRaw  [][]byte // rd.Messages marshalled when the Ready was taken
	broken  string   // set when etcd panicked inside this node
	// What view last reported of the log: the term of each index 1..mirLast (see encodeView).
	mirTerms []uint64
	mirLast  uint64
}

type cluster struct {
	size  uint32 // fixed by the first start; 0 before
	nodes map[uint32]*node
}

func newCluster() *cluster { return &cluster{nodes: map[uint32]*node{}} }

func (c *cluster) confState() pb.ConfState {
	cs := pb.ConfState{}
	for i := uint32(0); i < c.size; i++ {
		cs.Voters = append(cs.Voters, etcdID(i))
	}
	return cs
}

// running returns the live node, or an error naming why the command cannot reach it.
func (c *cluster) running(num uint32) (*node, error) {
	n := c.nodes[num]
	if n == nil {
		if c.size == 0 || num >= c.size {
			return nil, fmt.Errorf("unknown node %d (cluster size %d)", num, c.size)
		}
		return nil, fmt.Errorf("node %d is not running (never started, or crashed)", num)
	}
	if n.broken != "" {
		return nil, fmt.Errorf("node %d is unusable since etcd panicked in it (%s); crash and restart it", num, n.broken)
	}
	return n, nil
}

// call runs f against a node's RawNode with that node's random source selected, turning a panic
// inside etcd into an error and marking the node unusable.
func (n *node) call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			n.broken = fmt.Sprint(r)
			err = fmt.Errorf("etcd panicked: %v", r)
		}
	}()
	raft.UseRandSource(n.src)
	return f()
}

func (c *cluster) exec(op uint8, num uint32, d *decoder, enc *encoder) error {
	switch op {
	case opHello:
		enc.u32(protocolVersion)
		enc.str(etcdVersion)
		return nil
	case opStart:
		return c.start(num, d)
	}
	// All other commands: decode the payload fully before touching the node.
	var data []byte
	var index uint64
	var peer uint32
	var flag uint8
	switch op {
	case opStep, opPropose:
		data = d.bytes()
	case opSnapshot:
		index = d.u64()
		data = d.bytes()
	case opReportSnapshot:
		peer = d.u32()
		flag = d.u8()
	case opReportUnreachable:
		peer = d.u32()
	case opReadIndex:
		index = d.u64() // the host's request id
	case opCrash, opTick, opReady, opPersist, opAdvance, opHandle, opStatus, opView, opTake:
	default:
		return fmt.Errorf("unknown command")
	}
	if d.err != nil {
		return d.err
	}
	if op == opCrash {
		if _, err := c.running(num); err != nil && c.nodes[num] == nil {
			return err
		}
		delete(c.nodes, num)
		return nil
	}
	n, err := c.running(num)
	if err != nil {
		return err
	}
	if (op == opReportSnapshot || op == opReportUnreachable) && peer >= c.size {
		return fmt.Errorf("unknown peer %d", peer)
	}
	switch op {
	case opStep:
		return n.step(data, enc)
	case opTick:
		return n.call(func() error { n.rn.Tick(); return nil })
	case opPropose:
		return n.propose(data, enc)
	case opSnapshot:
		return n.snapshot(index, data, c.confState(), enc)
	case opReady:
		return n.ready(enc, false, false)
	case opPersist:
		return n.persist(enc)
	case opAdvance:
		return n.advance()
	case opHandle:
		return n.ready(enc, true, true)
	case opTake:
		return n.ready(enc, true, false)
	case opReadIndex:
		return n.readIndex(index, enc)
	case opStatus:
		return n.call(func() error { encodeStatus(enc, n); return nil })
	case opView:
		return n.call(func() error { return encodeView(enc, n) })
	case opReportSnapshot:
		status := raft.SnapshotFailure
		if flag != 0 {
			status = raft.SnapshotFinish
		}
		return n.call(func() error { n.rn.ReportSnapshot(etcdID(peer), status); return nil })
	default: // opReportUnreachable
		return n.call(func() error { n.rn.ReportUnreachable(etcdID(peer)); return nil })
	}
}

// start creates a RawNode over a storage filled with the host's durable state (empty for a fresh node).
func (c *cluster) start(num uint32, d *decoder) error {
	size := d.u32()
	electionTick, heartbeatTick := d.u32(), d.u32()
	flags := d.u8()
	maxSize, maxInflight := d.u64(), d.u32()
	seed := d.u64()
	hs := pb.HardState{Term: d.u64()}
	vote := d.i32()
	hs.Commit = d.u64()
	snap := pb.Snapshot{}
	snap.Metadata.Index, snap.Metadata.Term = d.u64(), d.u64()
	snap.Data = d.bytes()
	ents := make([]pb.Entry, d.count(21))
	for i := range ents {
		ents[i] = decodeEntry(d)
	}
	if d.err != nil {
		return d.err
	}
	switch {
	case size == 0 || size > 1<<16:
		return fmt.Errorf("cluster size %d out of range", size)
	case c.size != 0 && size != c.size:
		return fmt.Errorf("cluster size %d differs from the %d this shim was started with", size, c.size)
	case num >= size:
		return fmt.Errorf("unknown node %d (cluster size %d)", num, size)
	case c.nodes[num] != nil:
		return fmt.Errorf("node %d is already running; crash it before restarting it", num)
	case vote < -1 || vote >= int32(size):
		return fmt.Errorf("vote %d is not a node of the cluster", vote)
	}
	c.size = size
	hs.Vote = uint64(vote + 1)
	n := &node{num: num, src: rand.NewSource(int64(seed))}
	n.storage = &hostStorage{MemoryStorage: raft.NewMemoryStorage(), cs: c.confState()}
	err := n.call(func() error {
		if snap.Metadata.Index > 0 {
			snap.Metadata.ConfState = c.confState()
			if err := n.storage.ApplySnapshot(snap); err != nil {
				return err
			}
		}
		if err := checkContiguous(ents, snap.Metadata.Index); err != nil {
			return err
		}
		if err := n.storage.Append(ents); err != nil {
			return err
		}
		if err := n.storage.SetHardState(hs); err != nil {
			return err
		}
		rn, err := raft.NewRawNode(&raft.Config{
			ID: etcdID(num), ElectionTick: int(electionTick), HeartbeatTick: int(heartbeatTick),
			Storage: n.storage, MaxSizePerMsg: maxSize, MaxInflightMsgs: int(maxInflight),
			PreVote: flags&1 != 0, CheckQuorum: flags&2 != 0, ReadOnlyOption: readOnlyOption(flags),
			DisableProposalForwarding: true, // a follower's Propose fails like the lab's Start()
			Logger:                    quietLogger{},
		})
		n.rn = rn
		return err
	})
	if err != nil {
		return err // the node is not registered: the host may fix its input and start again
	}
	c.nodes[num] = n
	return nil
}

// readOnlyOption is etcd's option for start flag 4 (etcd refuses LeaseBased without CheckQuorum: the
// host sets flag 2 with it).
func readOnlyOption(flags uint8) raft.ReadOnlyOption {
	if flags&4 != 0 {
		return raft.ReadOnlyLeaseBased
	}
	return raft.ReadOnlySafe
}

func checkContiguous(ents []pb.Entry, snapIndex uint64) error {
	for i := range ents {
		if i == 0 && ents[0].Index > snapIndex+1 {
			return fmt.Errorf("first entry %d leaves a gap after snapshot index %d", ents[0].Index, snapIndex)
		}
		if i > 0 && ents[i].Index != ents[i-1].Index+1 {
			return fmt.Errorf("entries are not contiguous: %d after %d", ents[i].Index, ents[i-1].Index)
		}
	}
	return nil
}

func (n *node) step(data []byte, enc *encoder) error {
	var m pb.Message
	if err := m.Unmarshal(data); err != nil {
		return fmt.Errorf("message bytes do not parse as raftpb.Message: %v", err)
	}
	if m.To != etcdID(n.num) {
		return fmt.Errorf("message addressed to node %d delivered to node %d", hostNode(m.To), n.num)
	}
	var stepErr error
	if err := n.call(func() error { stepErr = n.rn.Step(m); return nil }); err != nil {
		return err
	}
	// etcd's own refusals are results, not host errors.
	switch {
	case stepErr == nil:
		enc.u8(0)
	case errors.Is(stepErr, raft.ErrProposalDropped):
		enc.u8(1)
	case errors.Is(stepErr, raft.ErrStepPeerNotFound):
		enc.u8(2)
	case errors.Is(stepErr, raft.ErrStepLocalMsg):
		enc.u8(3)
	default:
		return stepErr
	}
	return nil
}

func (n *node) propose(data []byte, enc *encoder) error {
	return n.call(func() error {
		err := n.rn.Propose(data)
		st := n.rn.BasicStatus()
		switch {
		case err == nil:
			enc.u8(1)
			enc.u64(n.rn.ShimLastIndex())
		case errors.Is(err, raft.ErrProposalDropped):
			enc.u8(0)
			enc.u64(0)
		default:
			return err
		}
		enc.u64(st.Term)
		enc.bool(st.RaftState == raft.StateLeader)
		return nil
	})
}

// readIndex asks a leader for a read (RawNode.ReadIndex with the host's request id as the 8-byte
// context): u8 1 accepted (a later Ready's read states carry the id), 2 not leader (nothing asked:
// a follower would forward it to its leader; the host tries another node instead).
func (n *node) readIndex(id uint64, enc *encoder) error {
	return n.call(func() error {
		if n.rn.BasicStatus().RaftState != raft.StateLeader {
			enc.u8(2)
			return nil
		}
		var ctx [8]byte
		binary.LittleEndian.PutUint64(ctx[:], id)
		n.rn.ReadIndex(ctx[:])
		enc.u8(1)
		return nil
	})
}

// snapshot records that the host's service compacted its log up to index (it has applied it).
func (n *node) snapshot(index uint64, data []byte, cs pb.ConfState, enc *encoder) error {
	snap, _ := n.storage.Snapshot()
	last, _ := n.storage.LastIndex()
	applied := n.rn.BasicStatus().Applied
	switch {
	case index <= snap.Metadata.Index:
		return fmt.Errorf("snapshot index %d is not past the current snapshot %d", index, snap.Metadata.Index)
	case index > applied:
		return fmt.Errorf("snapshot index %d is past the applied index %d (advance first)", index, applied)
	case index > last:
		return fmt.Errorf("snapshot index %d is past the persisted log (last %d)", index, last)
	}
	return n.call(func() error {
		s, err := n.storage.CreateSnapshot(index, &cs, data)
		if err != nil {
			return err
		}
		if err := n.storage.Compact(index); err != nil {
			return err
		}
		enc.u64(s.Metadata.Term)
		return nil
	})
}

// ready hands out the next Ready (without its messages, which persist releases). With all set it
// also persists, and the result carries the messages (take); with advance set too, it advances
// (handle).
func (n *node) ready(enc *encoder, all, advance bool) error {
	if n.phase != phaseIdle {
		return fmt.Errorf("a Ready was taken and not advanced (3.4 allows one at a time)")
	}
	return n.call(func() error {
		if !n.rn.HasReady() {
			enc.u8(0)
			return nil
		}
		n.rd = n.rn.Ready()
		n.msgRaw = n.msgRaw[:0]
		for i := range n.rd.Messages {
			raw, err := n.rd.Messages[i].Marshal()
			if err != nil {
				return err
			}
			n.msgRaw = append(n.msgRaw, raw)
		}
		n.phase = phaseTaken
		enc.u8(1)
		encodeReady(enc, n)
		if !all {
			return nil
		}
		if err := n.write(); err != nil {
			return err
		}
		encodeMessages(enc, n)
		if advance {
			n.rn.Advance(n.rd)
			n.phase, n.rd = phaseIdle, raft.Ready{}
		}
		return nil
	})
}

// write puts the taken Ready's snapshot, hard state and entries into storage.
func (n *node) write() error {
	if !raft.IsEmptySnap(n.rd.Snapshot) {
		if err := n.storage.ApplySnapshot(n.rd.Snapshot); err != nil {
			return err
		}
	}
	if !raft.IsEmptyHardState(n.rd.HardState) {
		if err := n.storage.SetHardState(n.rd.HardState); err != nil {
			return err
		}
	}
	if err := n.storage.Append(n.rd.Entries); err != nil {
		return err
	}
	n.phase = phasePersisted
	return nil
}

func (n *node) persist(enc *encoder) error {
	if n.phase != phaseTaken {
		return fmt.Errorf("persist with no Ready taken and unpersisted (phase %d)", n.phase)
	}
	return n.call(func() error {
		if err := n.write(); err != nil {
			return err
		}
		encodeMessages(enc, n)
		return nil
	})
}

func (n *node) advance() error {
	if n.phase != phasePersisted {
		if n.phase == phaseTaken {
			return fmt.Errorf("advance before persist: the taken Ready's writes are not in storage")
		}
		return fmt.Errorf("advance with no Ready taken")
	}
	return n.call(func() error {
		n.rn.Advance(n.rd)
		n.phase, n.rd = phaseIdle, raft.Ready{}
		return nil
	})
}

// quietLogger drops etcd's chatter; panics stay panics (the shim turns them into error results).
type quietLogger struct{}

func (quietLogger) Debug(...interface{})              {}
func (quietLogger) Debugf(string, ...interface{})     {}
func (quietLogger) Info(...interface{})               {}
func (quietLogger) Infof(string, ...interface{})      {}
func (quietLogger) Warning(...interface{})            {}
func (quietLogger) Warningf(string, ...interface{})   {}
func (quietLogger) Error(...interface{})              {}
func (quietLogger) Errorf(string, ...interface{})     {}
func (quietLogger) Fatal(v ...interface{})            { panic(fmt.Sprint(v...)) }
func (quietLogger) Fatalf(f string, v ...interface{}) { panic(fmt.Sprintf(f, v...)) }
func (quietLogger) Panic(v ...interface{})            { panic(fmt.Sprint(v...)) }
func (quietLogger) Panicf(f string, v ...interface{}) { panic(fmt.Sprintf(f, v...)) }
