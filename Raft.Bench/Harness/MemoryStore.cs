using Raft.Core.Messages;

namespace Raft.Bench.Harness;

/// <summary>
/// A node's stable storage in memory, doing what etcd's MemoryStorage does with a Ready: the hard
/// state is copied in, entries are copied into its own array (truncating the stored suffix first
/// when a Ready rewrites it, as MemoryStorage.Append does), and compaction drops the prefix. The
/// array is reused after compaction (entries are shifted down in place) and only grows, so in
/// steady state persisting allocates nothing. It never shares an array with the node.
/// </summary>
public sealed class MemoryStore
{
    private Entry[] _entries = new Entry[1024];
    private int _count;

    public long Term { get; private set; }
    public int Vote { get; private set; } = -1;
    public long Commit { get; private set; }
    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public long LastIndex => SnapshotIndex + _count;
    public long Appends { get; private set; }

    public void SetHardState(long term, int vote, long commit)
    {
        Term = term;
        Vote = vote;
        Commit = commit;
    }

    public ref readonly Entry At(long index)
    {
        if (index <= SnapshotIndex || index > LastIndex) throw new ArgumentOutOfRangeException(nameof(index), $"store holds {SnapshotIndex + 1}..{LastIndex}, not {index}");
        return ref _entries[index - SnapshotIndex - 1];
    }

    /// <summary>Writes <paramref name="entries"/> from <paramref name="first"/>, dropping whatever the store held from there on.</summary>
    public void Append(long first, ReadOnlySpan<Entry> entries)
    {
        if (entries.Length == 0 && first > LastIndex) return;
        if (first <= SnapshotIndex) // the part covered by the snapshot is already durable
        {
            int skip = (int)(SnapshotIndex + 1 - first);
            if (skip >= entries.Length) return;
            entries = entries[skip..];
            first = SnapshotIndex + 1;
        }
        if (first > LastIndex + 1) throw new InvalidOperationException($"gap: store ends at {LastIndex}, append starts at {first}");
        int at = (int)(first - SnapshotIndex - 1);
        int needed = at + entries.Length;
        if (needed > _entries.Length)
        {
            int size = _entries.Length * 2;
            while (size < needed) size *= 2;
            Array.Resize(ref _entries, size);
        }
        entries.CopyTo(_entries.AsSpan(at));
        if (needed < _count) Array.Clear(_entries, needed, _count - needed);
        _count = needed;
        Appends++;
    }

    /// <summary>A snapshot through <paramref name="index"/> is durable: drop the entries it covers (or everything, if the store does not reach it).</summary>
    public void ApplySnapshot(long index, long term)
    {
        if (index <= SnapshotIndex) return;
        if (index <= LastIndex && At(index).Term == term)
        {
            int drop = (int)(index - SnapshotIndex);
            Array.Copy(_entries, drop, _entries, 0, _count - drop);
            Array.Clear(_entries, _count - drop, drop);
            _count -= drop;
        }
        else
        {
            Array.Clear(_entries, 0, _count);
            _count = 0;
        }
        SnapshotIndex = index;
        SnapshotTerm = term;
    }
}
