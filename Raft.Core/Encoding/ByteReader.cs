namespace Raft.Core.Encoding;

/// <summary>Bounds-checked reader of the compact encoding; every failure is a <see cref="CodecException"/>.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly string _what;
    private int _pos;

    public ByteReader(ReadOnlySpan<byte> bytes, string what)
    {
        _bytes = bytes;
        _what = what;
        _pos = 0;
    }

    public int Remaining => _bytes.Length - _pos;

    public byte ReadByte(string field)
    {
        if (_pos >= _bytes.Length) throw Truncated(field);
        return _bytes[_pos++];
    }

    /// <summary>Unsigned LEB128, at most 10 bytes.</summary>
    public ulong ReadVarint(string field)
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _bytes.Length) throw Truncated(field);
            byte b = _bytes[_pos++];
            if (shift == 63 && b > 1) throw Malformed(field, "varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw Malformed(field, "varint longer than 10 bytes");
    }

    public long ReadNonNegative(string field)
    {
        ulong v = ReadVarint(field);
        if (v > long.MaxValue) throw Malformed(field, $"value {v} out of range");
        return (long)v;
    }

    public int ReadInt(string field, int min, int max)
    {
        ulong v = ReadVarint(field);
        long value = (long)Math.Min(v, (ulong)long.MaxValue) + min;
        if (v > (ulong)(max - (long)min)) throw Malformed(field, $"value {value} outside {min}..{max}");
        return (int)value;
    }

    /// <summary>A length prefix, checked against the bytes that remain (so garbage cannot make us allocate gigabytes).</summary>
    public int ReadLength(string field, int minBytesEach = 1)
    {
        ulong v = ReadVarint(field);
        if (v > (ulong)Remaining / (ulong)Math.Max(1, minBytesEach)) throw Truncated(field + $" (declares {v}, only {Remaining} bytes remain)");
        return (int)v;
    }

    public byte[] ReadBytes(int length, string field)
    {
        if (length > Remaining) throw Truncated(field);
        byte[] result = _bytes.Slice(_pos, length).ToArray();
        _pos += length;
        return result;
    }

    public void ExpectEnd()
    {
        if (_pos != _bytes.Length) throw new CodecException($"malformed {_what}: {_bytes.Length - _pos} trailing bytes at offset {_pos}");
    }

    private CodecException Truncated(string field) =>
        new($"truncated {_what}: {field} missing at offset {_pos} of {_bytes.Length} bytes");

    private CodecException Malformed(string field, string why) =>
        new($"malformed {_what}: {field} at offset {_pos}: {why}");
}
