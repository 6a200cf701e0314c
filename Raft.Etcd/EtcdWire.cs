using System.Buffers.Binary;
using System.Text;

namespace Raft.Etcd;

/// <summary>Appends commands to a reused request buffer: u32 frame length, u32 count, commands (little-endian).</summary>
internal sealed class RequestWriter
{
    private byte[] _buf = new byte[1 << 16];
    private int _len = 8;

    public int Count { get; private set; }

    public void Reset() { _len = 8; Count = 0; }

    /// <summary>The whole frame, with its length and count filled in.</summary>
    public ReadOnlySpan<byte> Frame()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buf, (uint)(_len - 4));
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(4), (uint)Count);
        return _buf.AsSpan(0, _len);
    }

    public void Command(EtcdOp op, int node)
    {
        if (node < -1) throw new ArgumentOutOfRangeException(nameof(node));
        Count++;
        U8((byte)op);
        U32((uint)Math.Max(node, 0));
    }

    private Span<byte> Take(int n)
    {
        if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var s = _buf.AsSpan(_len, n);
        _len += n;
        return s;
    }

    public void U8(byte v) => Take(1)[0] = v;
    public void Bool(bool v) => U8(v ? (byte)1 : (byte)0);
    public void U32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), v);
    public void I32(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);
    public void U64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), v);

    public void Bytes(ReadOnlySpan<byte> b)
    {
        U32((uint)b.Length);
        b.CopyTo(Take(b.Length));
    }

    public void Entry(EtcdEntry e)
    {
        U64(e.Index);
        U64(e.Term);
        U8((byte)e.Type);
        Bytes(e.Data);
    }
}

/// <summary>Reads a response body with bounds checks; anything out of place is a Protocol failure.</summary>
internal ref struct ResponseReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _b = body;
    private int _pos;

    public readonly bool AtEnd => _pos == _b.Length;
    public readonly int Position => _pos;

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _b.Length - _pos < n)
            throw new EtcdShimException(EtcdShimFailure.Protocol,
                $"malformed shim response: needed {n} bytes at offset {_pos} of {_b.Length}");
        var s = _b.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public byte U8() => Take(1)[0];
    public bool Bool() => U8() switch
    {
        0 => false,
        1 => true,
        var v => throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: boolean byte {v} at offset {_pos - 1}"),
    };
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public int Count(int minItemSize)
    {
        var n = U32();
        if ((ulong)n * (ulong)minItemSize > (ulong)(_b.Length - _pos))
            throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: count {n} runs past the end");
        return (int)n;
    }
    public byte[] Bytes() { var n = Count(1); return n == 0 ? [] : Take(n).ToArray(); }
    public string String() => Encoding.UTF8.GetString(Take(Count(1)));

    public T Enum<T>(int max) where T : struct, System.Enum
    {
        var v = U8();
        if (v > max) throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: {typeof(T).Name} value {v}");
        return (T)(object)v;
    }

    public EtcdHardState HardState() => new(U64(), I32(), U64());

    public EtcdEntry[] Entries()
    {
        var n = Count(21);
        if (n == 0) return [];
        var a = new EtcdEntry[n];
        for (var i = 0; i < n; i++) a[i] = new EtcdEntry(U64(), U64(), Enum<EtcdEntryType>(2), Bytes());
        return a;
    }

    public EtcdMessage[] Messages()
    {
        var n = Count(64);
        if (n == 0) return [];
        var a = new EtcdMessage[n];
        for (var i = 0; i < n; i++)
            a[i] = new EtcdMessage(Enum<EtcdMessageType>(18), Bool(), I32(), I32(), U64(), U64(), U64(), U64(),
                (int)U32(), Bool(), U64(), U64(), (int)U32(), Bytes());
        return a;
    }

    public EtcdReadState[] ReadStates()
    {
        var n = Count(16);
        if (n == 0) return [];
        var a = new EtcdReadState[n];
        for (var i = 0; i < n; i++) a[i] = new EtcdReadState(U64(), U64());
        return a;
    }

    public EtcdReady Ready(bool withMessages)
    {
        bool softChanged = Bool();
        var role = Enum<EtcdRole>(3);
        int leader = I32();
        bool hardChanged = Bool();
        var hs = HardState();
        bool mustSync = Bool();
        var entries = Entries();
        EtcdSnapshot? snap = Bool() ? new EtcdSnapshot(U64(), U64(), Bytes()) : null;
        var committed = Entries();
        var reads = ReadStates();
        var messages = withMessages ? Messages() : [];
        return new EtcdReady(softChanged, role, leader, hardChanged, hs, mustSync, entries, snap, committed, reads, messages);
    }

    public EtcdStatus Status()
    {
        var hs = new EtcdHardState(U64(), I32(), U64());
        ulong applied = U64();
        var role = Enum<EtcdRole>(3);
        int leader = I32();
        ulong lastIndex = U64(), lastTerm = U64(), snapIndex = U64(), snapTerm = U64();
        var phase = Enum<EtcdReadyPhase>(2);
        var progress = new EtcdProgress[Count(22)];
        for (var i = 0; i < progress.Length; i++)
            progress[i] = new EtcdProgress(I32(), U64(), U64(), Enum<EtcdProgressState>(2), Bool());
        var votes = new EtcdVote[Count(5)];
        for (var i = 0; i < votes.Length; i++) votes[i] = new EtcdVote(I32(), Bool());
        return new EtcdStatus(hs, applied, role, leader, lastIndex, lastTerm, snapIndex, snapTerm, phase, progress, votes);
    }

    public EtcdView View()
    {
        var hs = new EtcdHardState(U64(), I32(), U64());
        ulong applied = U64();
        var role = Enum<EtcdRole>(3);
        int leader = I32();
        ulong snapIndex = U64(), snapTerm = U64(), lastIndex = U64();
        var progress = new EtcdProgress[Count(22)];
        for (var i = 0; i < progress.Length; i++)
            progress[i] = new EtcdProgress(I32(), U64(), U64(), Enum<EtcdProgressState>(2), Bool());
        var votes = new EtcdVote[Count(5)];
        for (var i = 0; i < votes.Length; i++) votes[i] = new EtcdVote(I32(), Bool());
        ulong from = U64();
        return new EtcdView(hs, applied, role, leader, snapIndex, snapTerm, lastIndex, progress, votes, from, Entries());
    }
}
