using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// Everything Figure 2 calls "persistent state on all servers" plus the snapshot of §7:
/// currentTerm, votedFor, the log after the snapshot, and the snapshot itself. A restarted node
/// is built from exactly this (the lab's <c>Make</c> reading its persister).
/// </summary>
public sealed class PersistedState
{
    public long Term { get; init; }
    /// <summary>The candidate voted for in <see cref="Term"/>, or <see cref="RaftNode.None"/>.</summary>
    public int VotedFor { get; init; } = RaftNode.None;
    public long SnapshotIndex { get; init; }
    public long SnapshotTerm { get; init; }
    /// <summary>Service snapshot bytes (may be null when <see cref="SnapshotIndex"/> is 0).</summary>
    public byte[]? SnapshotData { get; init; }
    /// <summary>Entries SnapshotIndex+1 .. in order.</summary>
    public Entry[] Entries { get; init; } = Array.Empty<Entry>();

    public static PersistedState Empty { get; } = new();
}
