using System.Text;
using Raft.Core.Encoding;
using Raft.Model.Histories;

namespace Raft.Model.Services;

/// <summary>One key-value request as it travels through the log (6.824 Lab 3's Op): what to do, the key, the value, and the client id and sequence number for duplicate detection.</summary>
public readonly record struct KvOp(OpKind Kind, string Key, string Value, int Client, long Seq);

/// <summary>
/// The key-value service's commands, in the style of <see cref="Commands"/>: a tag byte (3, after
/// the lab's ints and strings), then the operation (0 Get, 1 Put, 2 Append), the client id and the
/// sequence number as varints, and the key and the value as varint length and UTF-8 bytes. The same
/// operation always encodes to the same bytes.
/// </summary>
public static class KvCommands
{
    public const byte Tag = 3;

    public static byte[] Encode(in KvOp op)
    {
        byte[] key = Encoding.UTF8.GetBytes(op.Key), value = Encoding.UTF8.GetBytes(op.Value);
        int size = 2 + ByteWriter.VarintSize((ulong)op.Client) + ByteWriter.VarintSize((ulong)op.Seq)
            + ByteWriter.VarintSize((ulong)key.Length) + key.Length + ByteWriter.VarintSize((ulong)value.Length) + value.Length;
        var bytes = new byte[size];
        var w = new ByteWriter(bytes);
        w.WriteByte(Tag);
        w.WriteByte((byte)op.Kind);
        w.WriteVarint((ulong)op.Client);
        w.WriteVarint((ulong)op.Seq);
        w.WriteVarint((ulong)key.Length);
        w.WriteBytes(key);
        w.WriteVarint((ulong)value.Length);
        w.WriteBytes(value);
        return bytes;
    }

    /// <summary>Whether <paramref name="command"/> is a key-value command (by its tag; the lab's commands are not).</summary>
    public static bool IsKv(byte[]? command) => command is { Length: >= 2 } && command[0] == Tag;

    /// <summary>Decodes a key-value command; false for any other command or malformed bytes.</summary>
    public static bool TryDecode(byte[]? command, out KvOp op)
    {
        op = default;
        if (!IsKv(command)) return false;
        try
        {
            var r = new ByteReader(command!, "kv command");
            r.ReadByte("tag");
            ulong kind = r.ReadVarint("op");
            if (kind > (ulong)OpKind.Append) return false;
            long client = r.ReadNonNegative("client"), seq = r.ReadNonNegative("seq");
            string key = Encoding.UTF8.GetString(r.ReadBytes(r.ReadLength("key length"), "key"));
            string value = Encoding.UTF8.GetString(r.ReadBytes(r.ReadLength("value length"), "value"));
            r.ExpectEnd();
            op = new KvOp((OpKind)kind, key, value, (int)client, seq);
            return true;
        }
        catch (CodecException)
        {
            return false;
        }
    }
}
