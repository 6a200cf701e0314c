using Raft.Core.Encoding;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Core;

/// <summary>Specifications of the compact wire and persistence encoding: lossless round trips and
/// rejection of every malformed input with a <see cref="CodecException"/> (never another exception,
/// never a huge allocation driven by a declared length).</summary>
public sealed class CodecTests
{
    private static readonly MessageType[] AllTypes = Enum.GetValues<MessageType>().Where(t => t != MessageType.None).ToArray();

    private static Entry[] SampleEntries() =>
    [
        new Entry(1, [1, 2, 3]),
        new Entry(2, []),
        new Entry(long.MaxValue, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
    ];

    /// <summary>Every message type in several shapes: entries and data present, absent (null) and empty, small and extreme field values.</summary>
    public static IEnumerable<Message> SampleMessages()
    {
        foreach (MessageType type in AllTypes)
        {
            yield return new Message { Type = type, From = 0, To = 1 };
            yield return new Message
            {
                Type = type, From = 2, To = 4, Term = 7, Index = 12, LogTerm = 6, Commit = 11, Reject = true, Hint = 9,
                Entries = SampleEntries(), Data = [9, 8, 7],
            };
            yield return new Message { Type = type, From = 1, To = 0, Term = 3, Entries = [], Data = [] };
            yield return new Message
            {
                Type = type, From = int.MaxValue, To = int.MaxValue - 1, Term = long.MaxValue, Index = long.MaxValue,
                LogTerm = long.MaxValue - 1, Commit = 1L << 62, Reject = false, Hint = long.MaxValue,
                Entries = null, Data = new byte[70_000],
            };
        }
    }

    public static TheoryData<int> SampleIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < SampleMessages().Count(); i++) data.Add(i);
        return data;
    }

    private static Message Sample(int i) => SampleMessages().ElementAt(i);

    private static void AssertEntriesEqual(Entry[]? expected, Entry[]? actual)
    {
        if (expected is null) { Assert.Null(actual); return; }
        Assert.NotNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Term, actual[i].Term);
            Assert.Equal(expected[i].Command, actual[i].Command);
        }
    }

    private static void AssertMessagesEqual(Message expected, Message actual)
    {
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.From, actual.From);
        Assert.Equal(expected.To, actual.To);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.LogTerm, actual.LogTerm);
        Assert.Equal(expected.Commit, actual.Commit);
        Assert.Equal(expected.Reject, actual.Reject);
        Assert.Equal(expected.Hint, actual.Hint);
        AssertEntriesEqual(expected.Entries, actual.Entries);
        if (expected.Data is null) Assert.Null(actual.Data);
        else Assert.Equal(expected.Data, actual.Data);
    }

    /// <summary>Unsigned LEB128, for hand-built inputs.</summary>
    private static void Varint(List<byte> b, ulong v)
    {
        while (v >= 0x80) { b.Add((byte)(v | 0x80)); v >>= 7; }
        b.Add((byte)v);
    }

    /// <summary>The fixed header of a message up to and including the hint.</summary>
    private static List<byte> Header(MessageType type = MessageType.AppendEntries)
    {
        var b = new List<byte> { (byte)type };
        for (int i = 0; i < 6; i++) Varint(b, 1); // from, to, term, index, logTerm, commit
        b.Add(0);                                 // reject
        Varint(b, 0);                             // hint
        return b;
    }

    private static void AssertRejectedWithoutAllocating(byte[] bytes, Func<byte[], object> decode)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<CodecException>(() => decode(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"decoding a lying length allocated {allocated} bytes");
    }

    // ---- messages ----

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Message_RoundTripsLosslessly(int sample)
    {
        Message m = Sample(sample);
        byte[] bytes = RaftCodec.Encode(m);
        Assert.Equal(RaftCodec.EncodedSize(m), bytes.Length);
        AssertMessagesEqual(m, RaftCodec.Decode(bytes));

        var span = new byte[bytes.Length + 5];
        Assert.Equal(bytes.Length, RaftCodec.Encode(m, span));
        Assert.Equal(bytes, span[..bytes.Length]);
    }

    [Fact]
    public void Message_NullAndEmptyEntriesAndDataStayDistinct()
    {
        Message withNulls = RaftCodec.Decode(RaftCodec.Encode(new Message { Type = MessageType.AppendEntries, From = 0, To = 1 }));
        Assert.Null(withNulls.Entries);
        Assert.Null(withNulls.Data);
        Message withEmpty = RaftCodec.Decode(RaftCodec.Encode(new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Entries = [], Data = [] }));
        Assert.NotNull(withEmpty.Entries);
        Assert.Empty(withEmpty.Entries);
        Assert.NotNull(withEmpty.Data);
        Assert.Empty(withEmpty.Data);
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Message_EveryStrictPrefixIsRejectedAsTruncated(int sample)
    {
        byte[] bytes = RaftCodec.Encode(Sample(sample));
        // the large samples are checked at every length near each field boundary and in steps inside the data
        for (int len = 0; len < bytes.Length; len++)
        {
            if (bytes.Length > 2000 && len > 1000 && len < bytes.Length - 1000 && len % 97 != 0) continue;
            byte[] prefix = bytes[..len];
            Assert.Throws<CodecException>(() => RaftCodec.Decode(prefix));
        }
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Message_TrailingBytesAreRejected(int sample)
    {
        byte[] bytes = RaftCodec.Encode(Sample(sample));
        Assert.Throws<CodecException>(() => RaftCodec.Decode([.. bytes, 0]));
        Assert.Throws<CodecException>(() => RaftCodec.Decode([.. bytes, 1, 2, 3]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(255)]
    public void Message_UnknownTypeIsRejected(byte type)
    {
        byte[] bytes = RaftCodec.Encode(new Message { Type = MessageType.RequestVote, From = 0, To = 1, Term = 1 });
        bytes[0] = type;
        Assert.Throws<CodecException>(() => RaftCodec.Decode(bytes));
    }

    [Fact]
    public void Message_RejectFlagOtherThanZeroOrOneIsRejected()
    {
        List<byte> b = Header();
        b[7] = 2; // the reject byte
        Varint(b, 0);
        Varint(b, 0);
        Assert.True(RaftCodec.Decode([.. b[..7], 1, .. b[8..]]).Reject); // the same bytes with flag 1 are valid
        Assert.Throws<CodecException>(() => RaftCodec.Decode(b.ToArray()));
    }

    /// <summary>A complete AppendEntries whose from, to and term are given as raw bytes.</summary>
    private static byte[] WithRawFields(byte[] from, byte[] term)
    {
        var b = new List<byte> { (byte)MessageType.AppendEntries };
        b.AddRange(from);
        Varint(b, 1);      // to
        b.AddRange(term);
        for (int i = 0; i < 3; i++) Varint(b, 0); // index, logTerm, commit
        b.Add(0);          // reject
        Varint(b, 0);      // hint
        Varint(b, 0);      // entries: none
        Varint(b, 0);      // data: none
        return b.ToArray();
    }

    private static byte[] V(ulong v)
    {
        var b = new List<byte>();
        Varint(b, v);
        return b.ToArray();
    }

    [Fact]
    public void Message_VarintOverflowingSixtyFourBitsIsRejected()
    {
        Assert.Equal(long.MaxValue, RaftCodec.Decode(WithRawFields(V(0), V(long.MaxValue))).Term);
        byte[] over64 = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]; // bit 64 set
        Assert.Throws<CodecException>(() => RaftCodec.Decode(WithRawFields(V(0), over64)));
        byte[] elevenBytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        Assert.Throws<CodecException>(() => RaftCodec.Decode(WithRawFields(V(0), elevenBytes)));
        // fits 64 bits but not a non-negative long
        Assert.Throws<CodecException>(() => RaftCodec.Decode(WithRawFields(V(0), V(ulong.MaxValue))));
    }

    [Fact]
    public void Message_PeerIdBeyondIntRangeIsRejected()
    {
        Assert.Equal(int.MaxValue, RaftCodec.Decode(WithRawFields(V(int.MaxValue), V(1))).From);
        Assert.Throws<CodecException>(() => RaftCodec.Decode(WithRawFields(V((ulong)int.MaxValue + 1), V(1))));
    }

    [Fact]
    public void Message_HugeDeclaredEntryCountIsRejectedWithoutAllocating()
    {
        List<byte> b = Header();
        Varint(b, (1UL << 40) + 1);
        b.AddRange(new byte[16]);
        AssertRejectedWithoutAllocating(b.ToArray(), x => RaftCodec.Decode(x));

        List<byte> c = Header();
        Varint(c, int.MaxValue);
        c.AddRange(new byte[16]);
        AssertRejectedWithoutAllocating(c.ToArray(), x => RaftCodec.Decode(x));
    }

    [Fact]
    public void Message_HugeDeclaredCommandOrDataLengthIsRejectedWithoutAllocating()
    {
        List<byte> command = Header();
        Varint(command, 2);          // one entry
        Varint(command, 1);          // its term
        Varint(command, int.MaxValue - 1); // its command length
        command.AddRange(new byte[8]);
        AssertRejectedWithoutAllocating(command.ToArray(), x => RaftCodec.Decode(x));

        List<byte> data = Header(MessageType.InstallSnapshot);
        Varint(data, 0);             // no entries
        Varint(data, 1UL << 50);     // data length + 1
        data.AddRange(new byte[8]);
        AssertRejectedWithoutAllocating(data.ToArray(), x => RaftCodec.Decode(x));
    }

    [Fact]
    public void Message_WithNegativeFieldCannotBeEncoded()
    {
        Assert.Throws<ArgumentException>(() => RaftCodec.Encode(new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Term = -1 }));
        Assert.Throws<ArgumentException>(() => RaftCodec.Encode(new Message { Type = MessageType.AppendEntries, From = -1, To = 1 }));
    }

    // ---- persisted raft state ----

    public static TheoryData<long, int, long, long> RaftStates() => new()
    {
        { 0, RaftNode.None, 0, 0 },
        { 5, 2, 0, 0 },
        { 9, 0, 40, 8 },
        { long.MaxValue, int.MaxValue - 1, long.MaxValue - 1, long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(RaftStates))]
    public void RaftState_RoundTripsTermVoteSnapshotAndLog(long term, int votedFor, long snapshotIndex, long snapshotTerm)
    {
        foreach (Entry[] entries in new[] { Array.Empty<Entry>(), SampleEntries() })
        {
            byte[] bytes = RaftCodec.EncodeRaftState(term, votedFor, snapshotIndex, snapshotTerm, entries);
            Assert.Equal(RaftCodec.RaftStateSize(term, votedFor, snapshotIndex, snapshotTerm, entries), bytes.Length);
            byte[] snapshot = [4, 5, 6];
            PersistedState s = RaftCodec.DecodeRaftState(bytes, snapshot);
            Assert.Equal(term, s.Term);
            Assert.Equal(votedFor, s.VotedFor);
            Assert.Equal(snapshotIndex, s.SnapshotIndex);
            Assert.Equal(snapshotTerm, s.SnapshotTerm);
            Assert.Same(snapshot, s.SnapshotData);
            AssertEntriesEqual(entries, s.Entries);
        }
    }

    [Fact]
    public void RaftState_EveryStrictPrefixIsRejectedAsTruncated()
    {
        byte[] bytes = RaftCodec.EncodeRaftState(300, 4, 1000, 12, SampleEntries());
        for (int len = 0; len < bytes.Length; len++)
        {
            byte[] prefix = bytes[..len];
            Assert.Throws<CodecException>(() => RaftCodec.DecodeRaftState(prefix));
        }
    }

    [Fact]
    public void RaftState_TrailingBytesAreRejected()
    {
        byte[] bytes = RaftCodec.EncodeRaftState(3, 1, 0, 0, SampleEntries());
        Assert.Throws<CodecException>(() => RaftCodec.DecodeRaftState([.. bytes, 0]));
    }

    [Fact]
    public void RaftState_BadMagicOrUnsupportedVersionIsRejected()
    {
        byte[] bytes = RaftCodec.EncodeRaftState(3, 1, 0, 0, SampleEntries());
        Assert.Equal(3, RaftCodec.DecodeRaftState(bytes).Term);

        byte[] badMagic = (byte[])bytes.Clone();
        badMagic[0] ^= 0xFF;
        Assert.Throws<CodecException>(() => RaftCodec.DecodeRaftState(badMagic));

        foreach (byte version in new byte[] { 0, 2, 255 })
        {
            byte[] badVersion = (byte[])bytes.Clone();
            badVersion[1] = version;
            Assert.Throws<CodecException>(() => RaftCodec.DecodeRaftState(badVersion));
        }
    }

    [Fact]
    public void RaftState_HugeDeclaredEntryCountOrCommandLengthIsRejectedWithoutAllocating()
    {
        byte[] valid = RaftCodec.EncodeRaftState(3, 1, 0, 0, []);
        var count = new List<byte>(valid[..^1]); // drop the zero entry count
        Varint(count, 1UL << 40);
        count.AddRange(new byte[32]);
        AssertRejectedWithoutAllocating(count.ToArray(), x => RaftCodec.DecodeRaftState(x));

        var length = new List<byte>(valid[..^1]);
        Varint(length, 1);             // one entry
        Varint(length, 3);             // its term
        Varint(length, int.MaxValue);  // its command length
        length.AddRange(new byte[32]);
        AssertRejectedWithoutAllocating(length.ToArray(), x => RaftCodec.DecodeRaftState(x));
    }

    [Fact]
    public void RaftState_VoteOutOfRangeIsRejected()
    {
        var b = new List<byte> { 0x52, 1 };
        Varint(b, 1);
        Varint(b, (ulong)int.MaxValue + 1); // votedFor + 1 encoded: votedFor would be int.MaxValue
        Varint(b, 0);
        Varint(b, 0);
        Varint(b, 0);
        Assert.Throws<CodecException>(() => RaftCodec.DecodeRaftState(b.ToArray()));
    }
}
