namespace Raft.Model.Storage;

/// <summary>
/// A read-only view of a node's durable log (what <see cref="Disk"/> holds): the named situations
/// (Exploration/Situations.cs) read logs through it, so tests can hand-build logs.
/// </summary>
public interface IDurableLog
{
    long SnapshotIndex { get; }
    long LastIndex { get; }
    long LastTerm { get; }
    /// <summary>The term at <paramref name="index"/> (the snapshot's at its index, 0 at index 0), or -1 when compacted or beyond the end.</summary>
    long TermAt(long index);
}
