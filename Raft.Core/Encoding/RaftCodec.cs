using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Core.Encoding;

/// <summary>
/// The compact binary encoding of messages and of persisted raft state (format in
/// docs/design.md). Integers are unsigned LEB128 varints; a vote or a null byte array is
/// stored off by one so "none" is a single zero byte. The world uses the sizes to count RPC
/// bytes and persisted-state size as labrpc and the lab's persister do. Decoding rejects
/// truncated input, out-of-range fields and trailing bytes with a <see cref="CodecException"/>.
/// </summary>
public static class RaftCodec
{
    private const byte StateMagic = 0x52; // 'R'
    private const byte StateVersion = 1;

    // ---- messages ----

    public static int EncodedSize(in Message m)
    {
        int size = 1
            + ByteWriter.VarintSize((ulong)m.From) + ByteWriter.VarintSize((ulong)m.To)
            + ByteWriter.VarintSize((ulong)m.Term) + ByteWriter.VarintSize((ulong)m.Index)
            + ByteWriter.VarintSize((ulong)m.LogTerm) + ByteWriter.VarintSize((ulong)m.Commit)
            + 1 + ByteWriter.VarintSize((ulong)m.Hint);
        if (m.Context != 0) size += ByteWriter.VarintSize((ulong)m.Context);
        size += EntriesSize(m.Entries);
        size += NullableBytesSize(m.Data);
        return size;
    }

    public static byte[] Encode(in Message m)
    {
        Validate(m);
        var bytes = new byte[EncodedSize(m)];
        Encode(m, bytes);
        return bytes;
    }

    /// <summary>Encodes into <paramref name="destination"/>, which must hold <see cref="EncodedSize(in Message)"/> bytes; returns the bytes written.</summary>
    public static int Encode(in Message m, Span<byte> destination)
    {
        Validate(m);
        var w = new ByteWriter(destination);
        w.WriteByte((byte)m.Type);
        w.WriteVarint((ulong)m.From);
        w.WriteVarint((ulong)m.To);
        w.WriteVarint((ulong)m.Term);
        w.WriteVarint((ulong)m.Index);
        w.WriteVarint((ulong)m.LogTerm);
        w.WriteVarint((ulong)m.Commit);
        w.WriteByte((byte)((m.Reject ? 1 : 0) | (m.Context != 0 ? 2 : 0)));
        w.WriteVarint((ulong)m.Hint);
        if (m.Context != 0) w.WriteVarint((ulong)m.Context);
        WriteEntries(ref w, m.Entries);
        WriteNullableBytes(ref w, m.Data);
        return w.Position;
    }

    public static Message Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes, "message");
        byte type = r.ReadByte("type");
        if (type == 0 || type >= MessageTypeExtensions.Count) throw new CodecException($"malformed message: unknown type {type}");
        int from = r.ReadInt("from", 0, int.MaxValue), to = r.ReadInt("to", 0, int.MaxValue);
        long term = r.ReadNonNegative("term"), index = r.ReadNonNegative("index");
        long logTerm = r.ReadNonNegative("logTerm"), commit = r.ReadNonNegative("commit");
        byte flags = r.ReadByte("flags");
        if (flags > 3) throw new CodecException($"malformed message: flags byte is {flags}, expected 0..3 (reject, round)");
        long hint = r.ReadNonNegative("hint");
        long context = (flags & 2) != 0 ? r.ReadNonNegative("round") : 0;
        if ((flags & 2) != 0 && context == 0) throw new CodecException("malformed message: round flag set with round 0");
        var m = new Message
        {
            Type = (MessageType)type, From = from, To = to, Term = term, Index = index, LogTerm = logTerm,
            Commit = commit, Reject = (flags & 1) != 0, Hint = hint, Context = context,
            Entries = ReadEntries(ref r),
            Data = ReadNullableBytes(ref r, "data"),
        };
        r.ExpectEnd();
        return m;
    }

    // ---- persisted raft state (the lab's raftstate; the snapshot bytes are stored beside it) ----

    /// <summary>Size of the persisted raft state (term, vote, snapshot index/term, log): the lab's RaftStateSize.</summary>
    public static int RaftStateSize(long term, int votedFor, long snapshotIndex, long snapshotTerm, ReadOnlySpan<Entry> entries)
    {
        int size = 2 + ByteWriter.VarintSize((ulong)term) + ByteWriter.VarintSize((ulong)(votedFor + 1))
            + ByteWriter.VarintSize((ulong)snapshotIndex) + ByteWriter.VarintSize((ulong)snapshotTerm)
            + ByteWriter.VarintSize((ulong)entries.Length);
        foreach (ref readonly Entry e in entries) size += EntrySize(e);
        return size;
    }

    public static byte[] EncodeRaftState(long term, int votedFor, long snapshotIndex, long snapshotTerm, ReadOnlySpan<Entry> entries)
    {
        if (term < 0 || votedFor < RaftNode.None || votedFor == int.MaxValue || snapshotIndex < 0 || snapshotTerm < 0)
            throw new ArgumentException("cannot encode raft state with a negative or out-of-range field");
        ValidateEntries(entries);
        var bytes = new byte[RaftStateSize(term, votedFor, snapshotIndex, snapshotTerm, entries)];
        var w = new ByteWriter(bytes);
        w.WriteByte(StateMagic);
        w.WriteByte(StateVersion);
        w.WriteVarint((ulong)term);
        w.WriteVarint((ulong)(votedFor + 1));
        w.WriteVarint((ulong)snapshotIndex);
        w.WriteVarint((ulong)snapshotTerm);
        w.WriteVarint((ulong)entries.Length);
        foreach (ref readonly Entry e in entries) WriteEntry(ref w, e);
        return bytes;
    }

    /// <summary>Decodes raft state; <paramref name="snapshotData"/> is the separately stored snapshot.</summary>
    public static PersistedState DecodeRaftState(ReadOnlySpan<byte> bytes, byte[]? snapshotData = null)
    {
        var r = new ByteReader(bytes, "raft state");
        if (r.ReadByte("magic") != StateMagic) throw new CodecException("malformed raft state: bad magic byte (not a RaftVerify raft state)");
        byte version = r.ReadByte("version");
        if (version != StateVersion) throw new CodecException($"malformed raft state: unsupported version {version} (expected {StateVersion})");
        long term = r.ReadNonNegative("term");
        int vote = r.ReadInt("votedFor", RaftNode.None, int.MaxValue - 1);
        long snapshotIndex = r.ReadNonNegative("snapshotIndex");
        long snapshotTerm = r.ReadNonNegative("snapshotTerm");
        int count = r.ReadLength("entry count", minBytesEach: 2);
        var entries = new Entry[count];
        for (int i = 0; i < count; i++) entries[i] = ReadEntry(ref r);
        r.ExpectEnd();
        return new PersistedState
        {
            Term = term, VotedFor = vote, SnapshotIndex = snapshotIndex, SnapshotTerm = snapshotTerm,
            SnapshotData = snapshotData, Entries = entries,
        };
    }

    // ---- pieces ----

    /// <summary>Refuses what Decode would reject, so whatever is written can be read back.</summary>
    private static void Validate(in Message m)
    {
        if (m.From < 0 || m.To < 0 || m.Term < 0 || m.Index < 0 || m.LogTerm < 0 || m.Commit < 0 || m.Hint < 0 || m.Context < 0)
            throw new ArgumentException($"cannot encode a message with a negative field: {m}");
        if (m.Type == MessageType.None || (int)m.Type >= MessageTypeExtensions.Count)
            throw new ArgumentException($"cannot encode a message of unknown type {(int)m.Type}");
        if (m.Entries is { } es) ValidateEntries(es);
    }

    /// <summary>What Decode requires of entries: a non-negative term and a command.</summary>
    private static void ValidateEntries(ReadOnlySpan<Entry> entries)
    {
        foreach (ref readonly Entry e in entries)
        {
            if (e.Term < 0) throw new ArgumentException($"cannot encode an entry with negative term {e.Term}");
            if (e.Command is null) throw new ArgumentException("cannot encode an entry without a command");
        }
    }

    private static int EntrySize(in Entry e) =>
        ByteWriter.VarintSize((ulong)e.Term) + ByteWriter.VarintSize((ulong)e.Command.Length) + e.Command.Length;

    private static int EntriesSize(Entry[]? entries)
    {
        if (entries is null) return 1;
        int size = ByteWriter.VarintSize((ulong)entries.Length + 1);
        for (int i = 0; i < entries.Length; i++) size += EntrySize(entries[i]);
        return size;
    }

    private static int NullableBytesSize(byte[]? data) =>
        data is null ? 1 : ByteWriter.VarintSize((ulong)data.Length + 1) + data.Length;

    private static void WriteEntry(ref ByteWriter w, in Entry e)
    {
        w.WriteVarint((ulong)e.Term);
        w.WriteVarint((ulong)e.Command.Length);
        w.WriteBytes(e.Command);
    }

    private static void WriteEntries(ref ByteWriter w, Entry[]? entries)
    {
        if (entries is null) { w.WriteVarint(0); return; }
        w.WriteVarint((ulong)entries.Length + 1);
        for (int i = 0; i < entries.Length; i++) WriteEntry(ref w, entries[i]);
    }

    private static void WriteNullableBytes(ref ByteWriter w, byte[]? data)
    {
        if (data is null) { w.WriteVarint(0); return; }
        w.WriteVarint((ulong)data.Length + 1);
        w.WriteBytes(data);
    }

    private static Entry ReadEntry(ref ByteReader r)
    {
        long term = r.ReadNonNegative("entry term");
        int length = r.ReadLength("entry command length");
        return new Entry(term, r.ReadBytes(length, "entry command"));
    }

    private static Entry[]? ReadEntries(ref ByteReader r)
    {
        ulong tagged = r.ReadVarint("entry count");
        if (tagged == 0) return null;
        if (tagged - 1 > (ulong)r.Remaining / 2) throw new CodecException($"truncated message: entry count {tagged - 1} exceeds the {r.Remaining} bytes remaining");
        var entries = new Entry[(int)(tagged - 1)];
        for (int i = 0; i < entries.Length; i++) entries[i] = ReadEntry(ref r);
        return entries;
    }

    private static byte[]? ReadNullableBytes(ref ByteReader r, string field)
    {
        ulong tagged = r.ReadVarint(field + " length");
        if (tagged == 0) return null;
        if (tagged - 1 > (ulong)r.Remaining) throw new CodecException($"truncated message: {field} declares {tagged - 1} bytes, only {r.Remaining} remain");
        return r.ReadBytes((int)(tagged - 1), field);
    }
}
