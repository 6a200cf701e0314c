using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Invariants;

/// <summary>
/// A hand-driven node as the invariant checker sees it: a log (snapshot boundary plus entries) and
/// the Figure 2 state, behind <see cref="IRaftNodeView"/>. It stands in for a node in the checker's
/// specifications, so they depend on nothing inside the core. The log operations mirror the core's
/// (leader append, AppendEntries receiver steps 2–5, commit, compaction), and <see cref="DirtyFrom"/>
/// tracks what a Ready would persist next.
/// </summary>
public sealed class ViewLog : IRaftNodeView
{
    private readonly List<Entry> _entries;

    public ViewLog(long snapshotIndex = 0, long snapshotTerm = 0, Entry[]? entries = null)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        _entries = new List<Entry>(entries ?? []);
        Committed = snapshotIndex;
    }

    public int Id { get; set; }
    public long Term { get; set; }
    public int VotedFor { get; set; } = RaftNode.None;
    public Role Role { get; set; }

    /// <summary>The commit index shown to the checker: <see cref="Committed"/> unless overridden.</summary>
    public long? ShownCommit { get; set; }
    public long CommitIndex => ShownCommit ?? Committed;
    public long Applied { get; set; }
    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public long LastIndex => SnapshotIndex + _entries.Count;
    public long Committed { get; private set; }

    /// <summary>The first index not yet handed to a disk, or <see cref="long.MaxValue"/> when all is durable.</summary>
    public long DirtyFrom { get; private set; } = long.MaxValue;

    public bool TryGetEntry(long index, out Entry entry)
    {
        if (index <= SnapshotIndex || index > LastIndex) { entry = default; return false; }
        entry = _entries[(int)(index - SnapshotIndex - 1)];
        return true;
    }

    private long TermAt(long index) =>
        index == SnapshotIndex ? SnapshotTerm : TryGetEntry(index, out Entry e) ? e.Term : -1;

    public long Append(Entry entry)
    {
        _entries.Add(entry);
        DirtyFrom = Math.Min(DirtyFrom, LastIndex);
        return LastIndex;
    }

    /// <summary>AppendEntries receiver steps 2–5: truncate only on a real conflict, never at or below the commit index.</summary>
    public bool MaybeAppend(long prevIndex, long prevTerm, Entry[] entries, long leaderCommit, out long lastNewIndex)
    {
        lastNewIndex = 0;
        if (TermAt(prevIndex) != prevTerm) return false;
        lastNewIndex = prevIndex + entries.Length;
        for (int j = 0; j < entries.Length; j++)
        {
            long index = prevIndex + 1 + j;
            if (index <= Committed) continue;
            if (index <= LastIndex && _entries[(int)(index - SnapshotIndex - 1)].Term == entries[j].Term) continue;
            if (index <= LastIndex) _entries.RemoveRange((int)(index - SnapshotIndex - 1), (int)(LastIndex - index + 1));
            _entries.AddRange(entries[j..]);
            DirtyFrom = Math.Min(DirtyFrom, index);
            break;
        }
        if (leaderCommit > Committed) CommitTo(Math.Min(leaderCommit, lastNewIndex));
        return true;
    }

    public void CommitTo(long index)
    {
        if (index <= Committed) return;
        if (index > LastIndex) throw new InvalidOperationException($"commit index {index} beyond last index {LastIndex}");
        Committed = index;
    }

    /// <summary>The service snapshotted through <paramref name="index"/>: drop the entries it covers.</summary>
    public void CompactTo(long index)
    {
        if (index <= SnapshotIndex) return;
        long term = TermAt(index);
        _entries.RemoveRange(0, (int)(index - SnapshotIndex));
        SnapshotIndex = index;
        SnapshotTerm = term;
        if (Committed < index) Committed = index;
        if (DirtyFrom <= index) DirtyFrom = index + 1;
    }

    /// <summary>Entries <paramref name="from"/>..<paramref name="to"/>, copied.</summary>
    public ArraySegment<Entry> Segment(long from, long to) =>
        to < from ? ArraySegment<Entry>.Empty : _entries.GetRange((int)(from - SnapshotIndex - 1), (int)(to - from + 1)).ToArray();

    public void MarkStable() => DirtyFrom = long.MaxValue;
}
