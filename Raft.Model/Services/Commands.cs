using System.Text;
using Raft.Core.Encoding;

namespace Raft.Model.Services;

/// <summary>
/// Command values as the lab tester uses them (Go ints and strings), encoded as opaque bytes
/// for the core: a tag byte, then a zigzag varint (ints) or UTF-8 (strings).
/// </summary>
public static class Commands
{
    private const byte IntTag = 1;
    private const byte StringTag = 2;

    public static byte[] Int(long value)
    {
        ulong z = (ulong)((value << 1) ^ (value >> 63)); // zigzag
        var bytes = new byte[1 + ByteWriter.VarintSize(z)];
        var w = new ByteWriter(bytes);
        w.WriteByte(IntTag);
        w.WriteVarint(z);
        return bytes;
    }

    public static byte[] String(string value)
    {
        var bytes = new byte[1 + Encoding.UTF8.GetByteCount(value)];
        bytes[0] = StringTag;
        Encoding.UTF8.GetBytes(value, bytes.AsSpan(1));
        return bytes;
    }

    public static bool IsInt(byte[]? command) => command is { Length: >= 2 } && command[0] == IntTag;

    public static bool TryGetInt(byte[]? command, out long value)
    {
        value = 0;
        if (!IsInt(command)) return false;
        ulong z = 0;
        int shift = 0;
        for (int i = 1; i < command!.Length && shift < 64; i++, shift += 7)
        {
            z |= (ulong)(command[i] & 0x7F) << shift;
            if ((command[i] & 0x80) == 0) { value = (long)(z >> 1) ^ -(long)(z & 1); return true; }
        }
        return false;
    }

    public static bool Same(byte[]? a, byte[]? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    /// <summary>A readable form for error messages.</summary>
    public static string Show(byte[]? command)
    {
        if (command is null) return "<nil>";
        if (TryGetInt(command, out long v)) return v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (command.Length > 0 && command[0] == StringTag)
        {
            string s = Encoding.UTF8.GetString(command, 1, command.Length - 1);
            return s.Length > 20 ? $"\"{s[..20]}…\"({s.Length})" : $"\"{s}\"";
        }
        return Convert.ToHexString(command);
    }

    /// <summary>A process-independent 64-bit FNV-1a hash of the bytes (never object hash codes).</summary>
    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in bytes) { h ^= b; h *= 1099511628211UL; }
        return h;
    }
}
