namespace Raft.Core.Encoding;

/// <summary>Writer of the compact encoding into a caller-sized span.</summary>
internal ref struct ByteWriter
{
    private readonly Span<byte> _bytes;
    private int _pos;

    public ByteWriter(Span<byte> bytes)
    {
        _bytes = bytes;
        _pos = 0;
    }

    public int Position => _pos;

    public void WriteByte(byte b) => _bytes[_pos++] = b;

    public void WriteVarint(ulong v)
    {
        while (v >= 0x80)
        {
            _bytes[_pos++] = (byte)(v | 0x80);
            v >>= 7;
        }
        _bytes[_pos++] = (byte)v;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_bytes[_pos..]);
        _pos += bytes.Length;
    }

    public static int VarintSize(ulong v)
    {
        int n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }
}
