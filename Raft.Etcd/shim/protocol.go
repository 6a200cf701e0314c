package main

// Wire format (all integers little-endian). docs/etcd-shim.md describes it for the host.
//
//   frame    = u32 bodyLength, body
//   request  = u32 commandCount, command*      command = u8 op, u32 node, op-specific payload
//   response = u32 resultCount, result*        result  = u8 status (0 ok, 1 error), payload
//
// An error result carries a UTF-8 string and is always the last result of its frame: the shim
// stops at the first failing command, so resultCount <= commandCount.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Version 3 adds read-index (16), the start flag 4 (ReadOnlyLeaseBased) and the Ready's read states.
const protocolVersion = 3

// Operation codes.
const (
	opHello             = 0
	opStart             = 1
	opCrash             = 2
	opStep              = 3
	opTick              = 4
	opPropose           = 5
	opSnapshot          = 6
	opReady             = 7
	opPersist           = 8
	opAdvance           = 9
	opHandle            = 10
	opStatus            = 11
	opReportSnapshot    = 12
	opReportUnreachable = 13
	opView              = 14
	opTake              = 15
	opReadIndex         = 16
)

var errTruncated = errors.New("truncated command")

// decoder reads a request body. The first failure sticks; later reads return zero values.
type decoder struct {
	buf []byte
	pos int
	err error
}

func (d *decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.buf)-d.pos < n {
		d.err = errTruncated
		return false
	}
	return true
}

func (d *decoder) u8() uint8 {
	if !d.need(1) {
		return 0
	}
	v := d.buf[d.pos]
	d.pos++
	return v
}

func (d *decoder) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.buf[d.pos:])
	d.pos += 4
	return v
}

func (d *decoder) i32() int32 { return int32(d.u32()) }

func (d *decoder) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf[d.pos:])
	d.pos += 8
	return v
}

// bytes returns a copy: etcd keeps entry data and message bytes after the frame buffer is reused.
func (d *decoder) bytes() []byte {
	n := d.u32()
	if n > math.MaxInt32 || !d.need(int(n)) {
		d.fail("truncated command: a byte string of %d bytes runs past the end of the frame", n)
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, n)
	copy(out, d.buf[d.pos:])
	d.pos += int(n)
	return out
}

// count reads a repeat count and rejects one that cannot fit in the rest of the frame.
func (d *decoder) count(minItemSize int) int {
	n := d.u32()
	if d.err == nil && uint64(n)*uint64(minItemSize) > uint64(len(d.buf)-d.pos) {
		d.fail("truncated command: count %d runs past the end of the frame", n)
		return 0
	}
	return int(n)
}

func (d *decoder) fail(format string, args ...interface{}) {
	if d.err == nil || d.err == errTruncated {
		d.err = fmt.Errorf(format, args...)
	}
}

// encoder appends a response body to a reused buffer.
type encoder struct{ buf []byte }

func (e *encoder) u8(v uint8)   { e.buf = append(e.buf, v) }
func (e *encoder) u32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *encoder) i32(v int32)  { e.u32(uint32(v)) }
func (e *encoder) u64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }
func (e *encoder) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *encoder) bytes(b []byte) {
	e.u32(uint32(len(b)))
	e.buf = append(e.buf, b...)
}
func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.buf = append(e.buf, s...)
}
