using System.Text;
using Raft.Core.Encoding;
using Raft.Model.Histories;

namespace Raft.Model.Services;

/// <summary>
/// The key-value service on one node (6.824 Lab 3A's KVServer): it applies the node's committed
/// key-value commands (<see cref="KvCommands"/>) in log order, Gets included (Lab 3A reads through
/// the log), and keeps per client the highest sequence number applied and its result, so a
/// request a client retries takes effect once (duplicate detection). Every other command (the
/// lab's ints and strings) passes by untouched. Its state is a function of the commands applied:
/// a restart or an installed snapshot rebuilds it from the commands the lab's snapshot holds.
/// </summary>
public sealed class KvService
{
    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (long Seq, string Result)> _done = new();
    private readonly Dictionary<long, long> _reads = new(); // read id -> the index it may be served at (ReadIndex)

    /// <param name="duplicateDetection">False only for the catalog variant duplicate-detection-missing: a retried Put or Append is applied again.</param>
    public KvService(bool duplicateDetection = true) => DuplicateDetection = duplicateDetection;

    public bool DuplicateDetection { get; }

    /// <summary>Key-value commands applied (duplicates detected included).</summary>
    public long Applied { get; private set; }

    /// <summary>The key's value, "" when never written.</summary>
    public string Value(string key) => _data.TryGetValue(key, out string? v) ? v : "";

    /// <summary>
    /// Whether client <paramref name="client"/>'s request <paramref name="seq"/> has been applied
    /// here, and its result (a Get's value; "" for a Put or an Append): what a server answers once
    /// the request's entry has come out of its apply channel.
    /// </summary>
    public bool TryGetResult(int client, long seq, out string result)
    {
        result = "";
        if (!_done.TryGetValue(client, out var d) || d.Seq != seq) return false;
        result = d.Result;
        return true;
    }

    /// <summary>The node confirmed read <paramref name="readId"/> at <paramref name="index"/> (a ReadState from its Ready).</summary>
    public void NoteReadState(long readId, long index) => _reads[readId] = index;

    /// <summary>
    /// Whether read <paramref name="readId"/> has been confirmed and the service has applied through
    /// its index (<paramref name="applied"/>), and then the key's value: what a server answers a Get
    /// served by ReadIndex (thesis §6.4 step 4).
    /// </summary>
    public bool TryRead(long readId, long applied, string key, out string value)
    {
        value = "";
        if (!_reads.TryGetValue(readId, out long index) || applied < index) return false;
        value = Value(key);
        return true;
    }

    /// <summary>Forgets everything (a restart: the state comes back from the snapshot and the log).</summary>
    public void Reset()
    {
        _data.Clear();
        _done.Clear();
        _reads.Clear();
        Applied = 0;
    }

    /// <summary>Applies one committed command (ignored unless it is a key-value command).</summary>
    public void Apply(byte[] command)
    {
        if (!KvCommands.TryDecode(command, out KvOp op)) return;
        Applied++;
        if (_done.TryGetValue(op.Client, out var last) && op.Seq <= last.Seq)
        {
            // a retried request whose first copy already took effect: answered from the table, not applied again
            if (DuplicateDetection || op.Kind == OpKind.Get) return;
        }
        string result = "";
        switch (op.Kind)
        {
            case OpKind.Get: result = Value(op.Key); break;
            case OpKind.Put: _data[op.Key] = op.Value; break;
            default: _data[op.Key] = Value(op.Key) + op.Value; break;
        }
        if (!_done.TryGetValue(op.Client, out last) || op.Seq >= last.Seq) _done[op.Client] = (op.Seq, result);
    }

    /// <summary>
    /// The service's state as a Lab 3B snapshot: the key-value data, then the duplicate table
    /// (client, last sequence number, its result). Keys are in ordinal order and clients by id, so the
    /// same state always gives the same bytes. Every count, number and length is a varint; strings are UTF-8.
    /// </summary>
    public byte[] Encode()
    {
        var keys = new string[_data.Count];
        _data.Keys.CopyTo(keys, 0);
        Array.Sort(keys, StringComparer.Ordinal);
        var clients = new int[_done.Count];
        _done.Keys.CopyTo(clients, 0);
        Array.Sort(clients);
        var strings = new List<byte[]>(2 * keys.Length + clients.Length);
        int size = ByteWriter.VarintSize((ulong)keys.Length) + ByteWriter.VarintSize((ulong)clients.Length);
        int Add(string text)
        {
            byte[] b = Encoding.UTF8.GetBytes(text);
            strings.Add(b);
            return ByteWriter.VarintSize((ulong)b.Length) + b.Length;
        }
        foreach (string k in keys) size += Add(k) + Add(_data[k]);
        foreach (int c in clients)
        {
            var (seq, result) = _done[c];
            size += ByteWriter.VarintSize((ulong)c) + ByteWriter.VarintSize((ulong)seq) + Add(result);
        }
        var bytes = new byte[size];
        var w = new ByteWriter(bytes);
        int next = 0;
        static void Put(ref ByteWriter w, byte[] b)
        {
            w.WriteVarint((ulong)b.Length);
            w.WriteBytes(b);
        }
        w.WriteVarint((ulong)keys.Length);
        for (int k = 0; k < keys.Length; k++)
        {
            Put(ref w, strings[next++]);
            Put(ref w, strings[next++]);
        }
        w.WriteVarint((ulong)clients.Length);
        foreach (int c in clients)
        {
            w.WriteVarint((ulong)c);
            w.WriteVarint((ulong)_done[c].Seq);
            Put(ref w, strings[next++]);
        }
        return bytes;
    }

    /// <summary>Replaces the state with a snapshot <see cref="Encode"/> wrote; throws <see cref="CodecException"/> on malformed bytes (the state is then unchanged).</summary>
    public void Restore(byte[] snapshot)
    {
        var r = new ByteReader(snapshot, "kv snapshot");
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        var done = new Dictionary<int, (long Seq, string Result)>();
        static string Text(ref ByteReader r, string field) => Encoding.UTF8.GetString(r.ReadBytes(r.ReadLength(field), field));
        int keys = r.ReadLength("key count", minBytesEach: 2);
        for (int k = 0; k < keys; k++)
        {
            string key = Text(ref r, "key");
            data[key] = Text(ref r, "value");
        }
        int clients = r.ReadLength("client count", minBytesEach: 3);
        for (int k = 0; k < clients; k++)
        {
            int client = r.ReadInt("client", 0, int.MaxValue);
            long seq = r.ReadNonNegative("seq");
            done[client] = (seq, Text(ref r, "result"));
        }
        r.ExpectEnd();
        Reset();
        foreach (var (k, v) in data) _data[k] = v;
        foreach (var (c, d) in done) _done[c] = d;
    }

    /// <summary>Rebuilds the state from the commands at 1..<paramref name="through"/> (a snapshot the lab's applier installed).</summary>
    public void Rebuild(Applier applier, long through)
    {
        Reset();
        for (long i = 1; i <= through; i++)
            if (applier.CommandAt(i) is { } c) Apply(c);
    }
}
