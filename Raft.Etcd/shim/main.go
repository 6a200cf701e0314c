// etcd-shim runs etcd raft 3.4 RawNodes for the RaftVerify host: one process holds any number of
// independent clusters (groups: a command's node number is group<<16 | node), all nodes
// on one goroutine, driven by batched commands on stdin with one batched response on stdout.
// It must be built by scripts/etcd-shim.sh, which links it against a copy of etcd's raft package
// whose election jitter is drawn from host-given seeds (raftpatch/hostrand.go).
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// etcdVersion is set by the build script (-ldflags -X main.etcdVersion=...).
var etcdVersion = "unknown"

const maxFrame = 256 << 20

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "etcd-shim: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "etcd-shim: internal error: %v\n", r)
			os.Exit(3)
		}
	}()
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	g := newGroups()
	var header [4]byte
	var body []byte
	enc := &encoder{buf: make([]byte, 0, 1<<16)}
	for {
		if _, err := io.ReadFull(in, header[:]); err != nil {
			if err == io.EOF {
				return // the host closed our stdin: a normal end
			}
			fatal("truncated frame header (%v)", err)
		}
		n := binary.LittleEndian.Uint32(header[:])
		if n > maxFrame {
			fatal("frame of %d bytes exceeds the limit of %d (garbage on stdin?)", n, maxFrame)
		}
		if cap(body) < int(n) {
			body = make([]byte, n)
		}
		body = body[:n]
		if got, err := io.ReadFull(in, body); err != nil {
			fatal("truncated frame: %d of %d bytes (%v)", got, n, err)
		}
		enc.buf = enc.buf[:0]
		enc.u32(0) // frame length, patched below
		g.run(body, enc)
		binary.LittleEndian.PutUint32(enc.buf, uint32(len(enc.buf)-4))
		if _, err := out.Write(enc.buf); err != nil {
			fatal("writing a response: %v", err)
		}
		if err := out.Flush(); err != nil {
			fatal("writing a response: %v", err)
		}
	}
}

var opNames = map[uint8]string{
	opHello: "hello", opStart: "start", opCrash: "crash", opStep: "step", opTick: "tick",
	opPropose: "propose", opSnapshot: "snapshot", opReady: "ready", opPersist: "persist",
	opAdvance: "advance", opHandle: "handle", opStatus: "status",
	opReportSnapshot: "report-snapshot", opReportUnreachable: "report-unreachable", opView: "view", opTake: "take", opReadIndex: "read-index",
}

// run executes one request body and appends the response body (count + results) to enc.
func (g *groups) run(body []byte, enc *encoder) {
	d := &decoder{buf: body}
	countAt := len(enc.buf)
	enc.u32(0)
	results := uint32(0)
	fail := func(msg string) {
		enc.u8(1)
		enc.str(msg)
		results++
	}
	count := d.count(5)
	if d.err != nil {
		fail(fmt.Sprintf("bad frame: %v", d.err))
	}
	ok := d.err == nil
	for i := 0; ok && i < count; i++ {
		op := d.u8()
		node := d.u32()
		if d.err != nil {
			fail(fmt.Sprintf("command %d: %v", i, d.err))
			ok = false
			break
		}
		mark := len(enc.buf)
		enc.u8(0)
		if err := g.exec(op, node, d, enc); err != nil {
			enc.buf = enc.buf[:mark]
			name, known := opNames[op]
			if !known {
				name = fmt.Sprintf("op %d", op)
			}
			fail(fmt.Sprintf("command %d (%s, node %d): %v", i, name, node, err))
			ok = false
			break
		}
		results++
	}
	if ok && d.pos != len(body) {
		fail(fmt.Sprintf("bad frame: %d bytes after the last of %d commands", len(body)-d.pos, count))
	}
	binary.LittleEndian.PutUint32(enc.buf[countAt:], results)
}

// groups holds the independent clusters of one process. A group's cluster size is fixed by its
// first start and released when its last node crashes, so a host can reuse the group (a pool).
type groups struct{ byID map[uint32]*cluster }

func newGroups() *groups { return &groups{byID: map[uint32]*cluster{}} }

func (g *groups) exec(op uint8, node uint32, d *decoder, enc *encoder) error {
	if op == opHello {
		return newCluster().exec(op, 0, d, enc)
	}
	id := node >> 16
	c := g.byID[id]
	if c == nil {
		c = newCluster()
		g.byID[id] = c
	}
	err := c.exec(op, node&0xffff, d, enc)
	if len(c.nodes) == 0 {
		delete(g.byID, id) // every node crashed: the group is free, its size forgotten
	}
	return err
}
