using Raft.Core.Messages;
using Raft.Model.Services;
using Raft.Model.Storage;

namespace Raft.Model.Lab;

/// <summary>
/// The size Go's labgob (encoding/gob) would give the raft state a typical Go Raft persists, so
/// that the tester's MAXLOGSIZE check (persisted raft state &lt; 2000 bytes) admits the same
/// number of log entries here as in Go. Our own encoding is smaller (about 12.5 bytes for an
/// entry holding a random int, against gob's 20), so counting our bytes would let a log grow to
/// about 155 entries where Go stops at about 95. See docs/lab.md for the derivation.
/// <para>The Go Raft modelled: persist() makes a fresh labgob encoder (so the two type definitions
/// are sent by every save) and encodes currentTerm, votedFor, the log as <c>[]LogEntry{Term int;
/// Command interface{}}</c> with a dummy entry 0 that holds lastIncludedTerm, then
/// lastIncludedIndex and lastIncludedTerm. Commands are Go ints (or strings) as the tester sends them.</para>
/// </summary>
public static class Labgob
{
    /// <summary>gob's type ids: int is 2, string 6; user types start at 65.</summary>
    private const long IntTypeId = 2, StringTypeId = 6, SliceTypeId = 65;

    /// <summary>
    /// The wire definitions of <c>[]raft.LogEntry</c> (31 bytes: name "[]raft.LogEntry", its id,
    /// the element id) and of the struct <c>LogEntry</c> (44 bytes: name, id, and the fields
    /// "Term" of type int and "Command" of type interface), each a message with its length.
    /// </summary>
    public const int TypeDefinitions = 31 + 44;

    /// <summary>Bytes of a gob unsigned integer: one byte below 128, else a length byte and the big-endian bytes.</summary>
    public static int UintSize(ulong u)
    {
        if (u < 128) return 1;
        int bytes = 0;
        while (u != 0) { bytes++; u >>= 8; }
        return 1 + bytes;
    }

    /// <summary>Bytes of a gob signed integer (sign folded into bit 0).</summary>
    public static int IntSize(long i) => UintSize(i >= 0 ? (ulong)i << 1 : ((ulong)~i << 1) | 1);

    /// <summary>A top-level Encode(int): message length, type id, the singleton field marker, the value.</summary>
    public static int TopLevelIntSize(long value) => Message(IntSize(IntTypeId) + 1 + IntSize(value));

    /// <summary>One LogEntry struct: each non-zero field as (field delta, value), then the end marker.</summary>
    public static int EntrySize(long term, byte[]? command)
    {
        int size = 1; // end of struct
        if (term != 0) size += 1 + IntSize(term);
        if (command is not null) size += 1 + InterfaceSize(command);
        return size;
    }

    /// <summary>
    /// A non-nil interface{} field: the concrete type's name, its type id, then the value as a
    /// counted singleton (marker byte plus value).
    /// </summary>
    public static int InterfaceSize(byte[] command)
    {
        string name;
        long typeId;
        int value;
        if (Commands.TryGetInt(command, out long v))
        {
            name = "int";
            typeId = IntTypeId;
            value = IntSize(v);
        }
        else
        {
            // a string command (TestRPCBytes2B), or anything else counted as its bytes
            int length = Math.Max(0, command.Length - 1); // minus the tag byte
            name = "string";
            typeId = StringTypeId;
            value = UintSize((ulong)length) + length;
        }
        int singleton = 1 + value;
        return UintSize((ulong)name.Length) + name.Length + IntSize(typeId) + UintSize((ulong)singleton) + singleton;
    }

    /// <summary>The gob size of the raft state a Go Raft with this disk's contents would save.</summary>
    public static int RaftStateSize(Disk disk)
    {
        IReadOnlyList<Entry> entries = disk.Entries;
        int log = EntrySize(disk.SnapshotTerm, null); // dummy entry 0
        for (int i = 0; i < entries.Count; i++) log += EntrySize(entries[i].Term, entries[i].Command);
        int logMessage = Message(IntSize(SliceTypeId) + 1 + UintSize((ulong)entries.Count + 1) + log);
        return TypeDefinitions
            + TopLevelIntSize(disk.Term)
            + TopLevelIntSize(disk.VotedFor)
            + logMessage
            + TopLevelIntSize(disk.SnapshotIndex)
            + TopLevelIntSize(disk.SnapshotTerm);
    }

    private static int Message(int body) => UintSize((ulong)body) + body;
}
