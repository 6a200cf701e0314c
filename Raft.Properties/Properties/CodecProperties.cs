using FsCheck;
using FsCheck.Fluent;
using Raft.Core.Encoding;
using Raft.Core.Messages;
using Raft.Core.Node;
using Xunit.Abstractions;

namespace Raft.Properties.Properties;

/// <summary>A message as generated, printed with its fields (FsCheck shows it when a property fails).</summary>
public sealed record MessageCase(Message Message)
{
    public override string ToString() => CodecGen.Describe(Message);
}

/// <summary>Persisted raft state as generated (the arguments of EncodeRaftState plus the separate snapshot bytes).</summary>
public sealed record StateCase(long Term, int VotedFor, long SnapshotIndex, long SnapshotTerm, Entry[] Entries, byte[]? SnapshotData)
{
    public override string ToString() =>
        $"state term={Term} vote={VotedFor} snapshot={SnapshotIndex}/t{SnapshotTerm} data={CodecGen.Describe(SnapshotData)} entries={CodecGen.Describe(Entries)}";
}

/// <summary>An encoding plus the bytes to flip in it: position (mod length) and mask (never zero).</summary>
public sealed record CorruptionCase(byte[] Encoding, bool IsState, (int Position, byte Mask)[] Flips)
{
    public override string ToString() =>
        $"{(IsState ? "state" : "message")} encoding of {Encoding.Length} bytes [{Convert.ToHexString(Encoding)}], flips {string.Join(" ", Flips.Select(f => $"{f.Position}^{f.Mask:X2}"))}";
}

/// <summary>Generators and shrinkers for the codec's inputs: every message type, boundary-heavy integers, null/empty/random bytes.</summary>
internal static class CodecGen
{
    /// <summary>Varint size boundaries (2^(7k) and one less) and the extremes.</summary>
    private static readonly long[] Boundaries =
    [
        0, 1, 127, 128, 255, 256, 16_383, 16_384, (1L << 21) - 1, 1L << 21, (1L << 28) - 1, 1L << 28,
        int.MaxValue, 1L << 31, (1L << 35) - 1, 1L << 35, (1L << 42) - 1, 1L << 49, (1L << 56) - 1, 1L << 56,
        long.MaxValue - 1, long.MaxValue,
    ];

    private static readonly Gen<ulong> Bits64 =
        Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue), (hi, lo) => ((ulong)(uint)hi << 32) | (uint)lo);

    /// <summary>A non-negative long: mostly small, often a varint boundary, sometimes any magnitude.</summary>
    public static readonly Gen<long> NonNegative = Gen.Frequency(
        (5, Gen.Choose(0, 300).Select(i => (long)i)),
        (3, Gen.Elements(Boundaries)),
        (2, Gen.Zip(Bits64, Gen.Choose(1, 63), (bits, width) => (long)(bits >> (64 - width)))));

    /// <summary>A non-negative int (a node id as the codec sees it: any value 0..int.MaxValue).</summary>
    public static readonly Gen<int> NodeId = Gen.Frequency(
        (6, Gen.Choose(0, 9)),
        (2, Gen.Elements(0, 127, 128, 16_383, 16_384, int.MaxValue - 1, int.MaxValue)),
        (2, Gen.Choose(0, int.MaxValue)));

    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(b => (byte)b);

    /// <summary>Random bytes: usually short, sometimes longer than one varint byte of length.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (1, Gen.Constant(Array.Empty<byte>())),
        (6, Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(Byte, n))),
        (1, Gen.Choose(120, 300).SelectMany(n => Gen.ArrayOf(Byte, n))));

    public static readonly Gen<byte[]?> NullableBytes = Gen.Frequency(
        (1, Gen.Constant<byte[]?>(null)),
        (3, Bytes.Select(b => (byte[]?)b)));

    public static readonly Gen<Entry> EntryGen = Gen.Zip(NonNegative, Bytes, (t, c) => new Entry(t, c));

    public static readonly Gen<Entry[]> EntryArray = Gen.Frequency(
        (1, Gen.Constant(Array.Empty<Entry>())),
        (4, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(EntryGen, n))),
        (1, Gen.Choose(7, 40).SelectMany(n => Gen.ArrayOf(EntryGen, n))));

    public static readonly Gen<Entry[]?> NullableEntries = Gen.Frequency(
        (1, Gen.Constant<Entry[]?>(null)),
        (4, EntryArray.Select(e => (Entry[]?)e)));

    public static readonly MessageType[] Types =
        [MessageType.RequestVote, MessageType.RequestVoteResponse, MessageType.AppendEntries, MessageType.AppendEntriesResponse, MessageType.InstallSnapshot, MessageType.InstallSnapshotResponse];

    public static readonly Gen<Message> MessageGen =
        from type in Gen.Elements(Types)
        from ends in Gen.Two(NodeId)
        from numbers in Gen.ArrayOf(NonNegative, 5)
        from reject in Gen.Elements(false, true)
        from entries in NullableEntries
        from data in NullableBytes
        select new Message
        {
            Type = type, From = ends.Item1, To = ends.Item2, Term = numbers[0], Index = numbers[1], LogTerm = numbers[2],
            Commit = numbers[3], Hint = numbers[4], Reject = reject, Entries = entries, Data = data,
        };

    /// <summary>Simpler messages: each field zeroed, entries and data dropped or shortened.</summary>
    public static IEnumerable<MessageCase> Shrink(MessageCase c)
    {
        Message m = c.Message;
        if (m.Entries is { Length: > 0 } es)
        {
            yield return new MessageCase(m with { Entries = [] });
            if (es.Length > 1) yield return new MessageCase(m with { Entries = es[..(es.Length / 2)] });
        }
        if (m.Entries is not null) yield return new MessageCase(m with { Entries = null });
        if (m.Data is { Length: > 0 } d)
        {
            yield return new MessageCase(m with { Data = [] });
            if (d.Length > 1) yield return new MessageCase(m with { Data = d[..(d.Length / 2)] });
        }
        if (m.Data is not null) yield return new MessageCase(m with { Data = null });
        if (m.From != 0) yield return new MessageCase(m with { From = 0 });
        if (m.To != 0) yield return new MessageCase(m with { To = 0 });
        if (m.Term != 0) yield return new MessageCase(m with { Term = 0 });
        if (m.Index != 0) yield return new MessageCase(m with { Index = 0 });
        if (m.LogTerm != 0) yield return new MessageCase(m with { LogTerm = 0 });
        if (m.Commit != 0) yield return new MessageCase(m with { Commit = 0 });
        if (m.Hint != 0) yield return new MessageCase(m with { Hint = 0 });
        if (m.Reject) yield return new MessageCase(m with { Reject = false });
        if (m.Type != MessageType.RequestVote) yield return new MessageCase(m with { Type = MessageType.RequestVote });
    }

    /// <summary>A vote as EncodeRaftState accepts and DecodeRaftState can return: None (-1) .. int.MaxValue-1.</summary>
    public static readonly Gen<int> Vote = Gen.Frequency(
        (3, Gen.Choose(RaftNode.None, 8)),
        (1, Gen.Elements(RaftNode.None, 0, 126, 127, 128, int.MaxValue - 2, int.MaxValue - 1)),
        (1, Gen.Choose(RaftNode.None, int.MaxValue - 1)));

    public static readonly Gen<StateCase> StateGen =
        from numbers in Gen.ArrayOf(NonNegative, 3)
        from vote in Vote
        from entries in EntryArray
        from data in NullableBytes
        select new StateCase(numbers[0], vote, numbers[1], numbers[2], entries, data);

    public static IEnumerable<StateCase> Shrink(StateCase s)
    {
        if (s.Entries.Length > 0)
        {
            yield return s with { Entries = [] };
            if (s.Entries.Length > 1) yield return s with { Entries = s.Entries[..(s.Entries.Length / 2)] };
            yield return s with { Entries = s.Entries.Select(e => new Entry(0, e.Command.Length > 0 ? [] : e.Command)).ToArray() };
        }
        if (s.SnapshotData is not null) yield return s with { SnapshotData = null };
        if (s.Term != 0) yield return s with { Term = 0 };
        if (s.VotedFor != RaftNode.None) yield return s with { VotedFor = RaftNode.None };
        if (s.SnapshotIndex != 0) yield return s with { SnapshotIndex = 0 };
        if (s.SnapshotTerm != 0) yield return s with { SnapshotTerm = 0 };
    }

    public static byte[] Encode(StateCase s) => RaftCodec.EncodeRaftState(s.Term, s.VotedFor, s.SnapshotIndex, s.SnapshotTerm, s.Entries);

    private static readonly Gen<(int, byte)> Flip = Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(1, 255), (p, m) => (p, (byte)m));

    /// <summary>A valid encoding of a message or of raft state, with 1..4 single-byte corruptions to try one at a time.</summary>
    public static readonly Gen<CorruptionCase> CorruptionGen =
        from isState in Gen.Elements(false, true)
        from encoding in isState ? StateGen.Select(Encode) : MessageGen.Select(m => RaftCodec.Encode(m))
        from flips in Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Flip, n))
        select new CorruptionCase(encoding, isState, flips);

    public static IEnumerable<CorruptionCase> Shrink(CorruptionCase c)
    {
        if (c.Flips.Length > 1)
            foreach ((int, byte) f in c.Flips) yield return c with { Flips = [f] };
    }

    public static string Describe(in Message m) =>
        $"{m.Type} from={m.From} to={m.To} term={m.Term} index={m.Index} logTerm={m.LogTerm} commit={m.Commit} reject={m.Reject} hint={m.Hint} entries={Describe(m.Entries)} data={Describe(m.Data)}";

    public static string Describe(byte[]? b) => b is null ? "null" : b.Length <= 16 ? $"[{Convert.ToHexString(b)}]" : $"[{b.Length} bytes]";

    public static string Describe(Entry[]? es) => es is null ? "null" : es.Length <= 8 ? $"[{string.Join(" ", es.Select(e => $"t{e.Term}:{Describe(e.Command)}"))}]" : $"[{es.Length} entries]";
}

/// <summary>
/// Properties of <see cref="RaftCodec"/>: messages of every type and persisted raft state
/// round-trip field for field, the computed sizes are the encoded lengths, and damaged input
/// (any strict truncation, any single flipped byte) is either decoded or rejected with a
/// <see cref="CodecException"/>, never any other exception.
/// </summary>
public sealed class CodecProperties : IClassFixture<FsCheckKnobs<CodecProperties>>
{
    public CodecProperties(ITestOutputHelper output) => output.WriteLine(PropertyConfig.RerunHint(typeof(CodecProperties)));

    /// <summary>The generators and shrinkers of the codec properties, as FsCheck.Xunit's Arbitrary class.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<MessageCase> Messages() => Arb.From(CodecGen.MessageGen.Select(m => new MessageCase(m)), CodecGen.Shrink);

        public static Arbitrary<StateCase> States() => Arb.From(CodecGen.StateGen, CodecGen.Shrink);

        public static Arbitrary<CorruptionCase> Corruptions() => Arb.From(CodecGen.CorruptionGen, CodecGen.Shrink);

        public static Arbitrary<EncodableCase> Encodables()
        {
            Gen<Entry> anyTermEntry = Gen.Zip(Gen.Frequency((4, CodecGen.NonNegative), (1, Gen.Elements(-1L, long.MinValue))), CodecGen.Bytes, (t, c) => new Entry(t, c));
            Gen<EncodableCase> gen =
                from isState in Gen.Elements(false, true)
                from m in CodecGen.MessageGen
                from type in Gen.Frequency((6, Gen.Constant((int)m.Type)), (1, Gen.Elements(0, 7, 255)))
                from entries in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(anyTermEntry, n))
                from s in CodecGen.StateGen
                from vote in Gen.Frequency((4, Gen.Constant(s.VotedFor)), (1, Gen.Constant(int.MaxValue)))
                select new EncodableCase(isState, m with { Type = (MessageType)type, Entries = entries }, s with { VotedFor = vote, Entries = entries });
            return Arb.From(gen);
        }
    }

    /// <summary>A message or a raft state, possibly with values the encoders should refuse.</summary>
    public sealed record EncodableCase(bool IsState, Message Message, StateCase State);

    private static void AssertSameEntries(Entry[]? expected, Entry[]? actual, string what)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{what}: expected null, got {CodecGen.Describe(actual)}");
            return;
        }
        Assert.True(actual is not null, $"{what}: expected {CodecGen.Describe(expected)}, got null");
        Assert.True(expected.Length == actual!.Length, $"{what}: expected {expected.Length} entries, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Term == actual[i].Term, $"{what}[{i}]: term {expected[i].Term} decoded as {actual[i].Term}");
            Assert.True(expected[i].Command.AsSpan().SequenceEqual(actual[i].Command), $"{what}[{i}]: command {CodecGen.Describe(expected[i].Command)} decoded as {CodecGen.Describe(actual[i].Command)}");
        }
    }

    private static void AssertSameBytes(byte[]? expected, byte[]? actual, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: {CodecGen.Describe(expected)} decoded as {CodecGen.Describe(actual)} (null must stay null, empty must stay empty)");
        if (expected is not null) Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: {CodecGen.Describe(expected)} decoded as {CodecGen.Describe(actual)}");
    }

    internal static void AssertSameMessage(in Message expected, in Message actual)
    {
        string both = $"sent {CodecGen.Describe(expected)}, decoded {CodecGen.Describe(actual)}";
        Assert.True(expected.Type == actual.Type, $"type differs: {both}");
        Assert.True(expected.From == actual.From, $"from differs: {both}");
        Assert.True(expected.To == actual.To, $"to differs: {both}");
        Assert.True(expected.Term == actual.Term, $"term differs: {both}");
        Assert.True(expected.Index == actual.Index, $"index differs: {both}");
        Assert.True(expected.LogTerm == actual.LogTerm, $"logTerm differs: {both}");
        Assert.True(expected.Commit == actual.Commit, $"commit differs: {both}");
        Assert.True(expected.Reject == actual.Reject, $"reject differs: {both}");
        Assert.True(expected.Hint == actual.Hint, $"hint differs: {both}");
        AssertSameEntries(expected.Entries, actual.Entries, "entries");
        AssertSameBytes(expected.Data, actual.Data, "data");
    }

    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void EveryMessage_RoundTripsFieldForField_AndItsSizeIsItsEncodedLength(MessageCase c)
    {
        Message m = c.Message;
        byte[] bytes = RaftCodec.Encode(m);
        Assert.Equal(RaftCodec.EncodedSize(m), bytes.Length);
        // the span overload writes the same bytes and reports their count
        var span = new byte[bytes.Length + 3];
        Assert.Equal(bytes.Length, RaftCodec.Encode(m, span));
        Assert.True(span.AsSpan(0, bytes.Length).SequenceEqual(bytes), "Encode(m, span) wrote other bytes than Encode(m)");
        AssertSameMessage(m, RaftCodec.Decode(bytes));
    }

    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void PersistedRaftState_RoundTrips_AndItsSizeIsItsEncodedLength(StateCase s)
    {
        byte[] bytes = CodecGen.Encode(s);
        Assert.Equal(RaftCodec.RaftStateSize(s.Term, s.VotedFor, s.SnapshotIndex, s.SnapshotTerm, s.Entries), bytes.Length);
        PersistedState back = RaftCodec.DecodeRaftState(bytes, s.SnapshotData);
        Assert.Equal(s.Term, back.Term);
        Assert.Equal(s.VotedFor, back.VotedFor);
        Assert.Equal(s.SnapshotIndex, back.SnapshotIndex);
        Assert.Equal(s.SnapshotTerm, back.SnapshotTerm);
        Assert.Same(s.SnapshotData, back.SnapshotData); // stored beside the raft state, handed back as is
        AssertSameEntries(s.Entries, back.Entries, "entries");
    }

    /// <summary>
    /// Finding: the encoders accept inputs the decoders reject, so a value can be written that can
    /// never be read back. Encode checks only the top-level numeric fields: it accepts any
    /// <see cref="MessageType"/> byte (None = 0 and values past InstallSnapshotResponse are
    /// rejected by Decode as "unknown type") and negative entry terms (written as 10-byte varints
    /// that Decode rejects as "out of range"; likewise EncodeRaftState). EncodeRaftState accepts
    /// votedFor = int.MaxValue, where <c>votedFor + 1</c> overflows and DecodeRaftState rejects
    /// the result. Shrunk counterexamples: <c>new Message { Type = MessageType.None }</c>;
    /// <c>EncodeRaftState(0, int.MaxValue, 0, 0, [])</c>; an AppendEntries with one entry of term -1.
    /// (An entry with a null command — default(Entry) — makes Encode throw NullReferenceException
    /// rather than ArgumentException.) None of these values arise in a running cluster.
    /// </summary>
    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void WhateverTheEncodersAccept_TheDecodersReadBack(EncodableCase c)
    {
        byte[] bytes;
        try
        {
            bytes = c.IsState ? CodecGen.Encode(c.State) : RaftCodec.Encode(c.Message);
        }
        catch (ArgumentException)
        {
            return; // refused up front: fine
        }
        Exception? e = Record.Exception(() => { if (c.IsState) RaftCodec.DecodeRaftState(bytes); else RaftCodec.Decode(bytes); });
        Assert.True(e is null, $"{(c.IsState ? c.State.ToString() : CodecGen.Describe(c.Message))} was encoded, but decoding it threw {e?.GetType().Name}: {e?.Message}");
    }

    private static void DecodeOrCodecException(byte[] bytes, bool isState, string what)
    {
        try
        {
            if (isState) RaftCodec.DecodeRaftState(bytes);
            else RaftCodec.Decode(bytes);
        }
        catch (CodecException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what} [{Convert.ToHexString(bytes)}] threw {e.GetType().FullName} instead of decoding or throwing CodecException: {e.Message}");
        }
    }

    [RaftProperty(200, Arbitrary = [typeof(Arbitraries)])]
    public void EveryStrictTruncation_OfAValidEncoding_IsRejectedWithCodecException(CorruptionCase c)
    {
        for (int length = 0; length < c.Encoding.Length; length++)
        {
            byte[] prefix = c.Encoding[..length];
            Exception? thrown = Record.Exception(() =>
            {
                if (c.IsState) RaftCodec.DecodeRaftState(prefix);
                else RaftCodec.Decode(prefix);
            });
            Assert.True(thrown is CodecException,
                $"the {length}-byte prefix of a {c.Encoding.Length}-byte {(c.IsState ? "state" : "message")} encoding " +
                (thrown is null ? "decoded without error" : $"threw {thrown.GetType().FullName}: {thrown.Message}"));
        }
    }

    [RaftProperty(200, Arbitrary = [typeof(Arbitraries)])]
    public void AnySingleFlippedByte_OfAValidEncoding_DecodesOrThrowsCodecException(CorruptionCase c)
    {
        if (c.Encoding.Length == 0) return;
        // the generated flips, and every position flipped with the first mask: each byte is damaged once
        IEnumerable<(int Position, byte Mask)> flips = c.Flips.Select(f => (f.Position % c.Encoding.Length, f.Mask))
            .Concat(Enumerable.Range(0, c.Encoding.Length).Select(p => (p, c.Flips[0].Mask)));
        foreach ((int position, byte mask) in flips)
        {
            byte[] damaged = (byte[])c.Encoding.Clone();
            damaged[position] ^= mask;
            DecodeOrCodecException(damaged, c.IsState, $"byte {position} flipped with {mask:X2}:");
        }
    }
}
