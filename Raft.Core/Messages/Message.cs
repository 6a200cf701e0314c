namespace Raft.Core.Messages;

/// <summary>
/// A message between two peers. One flat value type for every RPC (as etcd's raftpb.Message),
/// so the world can queue, copy, count and encode messages without knowing their kinds.
/// Field meaning per <see cref="Type"/>:
/// <list type="bullet">
/// <item><b>RequestVote</b>: Index = candidate's lastLogIndex, LogTerm = lastLogTerm (§5.4.1).</item>
/// <item><b>RequestVoteResponse</b>: Reject = vote not granted.</item>
/// <item><b>AppendEntries</b>: Index = prevLogIndex, LogTerm = prevLogTerm, Entries start at
/// Index+1, Commit = leaderCommit.</item>
/// <item><b>AppendEntriesResponse</b>: on success Index = the highest index known to match the
/// leader; on Reject, Index = the rejected prevLogIndex, Hint = conflict index and LogTerm =
/// conflict term (0 when the follower's log is too short) for the fast backup.</item>
/// <item><b>InstallSnapshot</b>: Index = lastIncludedIndex, LogTerm = lastIncludedTerm,
/// Data = the whole snapshot (no chunking, as the lab specifies).</item>
/// <item><b>InstallSnapshotResponse</b>: Index = the index the follower now matches.</item>
/// </list>
/// <see cref="Context"/> is a leader's read round (Raft thesis §6.4): an AppendEntries carries it
/// only while reads wait for confirmation or leases are on, and its reply echoes it, so the leader
/// learns which round a follower has acknowledged. 0 otherwise.
/// </summary>
public readonly struct Message
{
    public MessageType Type { get; init; }
    public int From { get; init; }
    public int To { get; init; }
    public long Term { get; init; }
    public long Index { get; init; }
    public long LogTerm { get; init; }
    public long Commit { get; init; }
    public bool Reject { get; init; }
    public long Hint { get; init; }
    public Entry[]? Entries { get; init; }
    public byte[]? Data { get; init; }

    /// <summary>The leader's read round an AppendEntries belongs to, echoed by its reply (0: none).</summary>
    public long Context { get; init; }

    public int EntryCount => Entries?.Length ?? 0;

    public override string ToString() => Type switch
    {
        MessageType.RequestVote => $"RequestVote {From}->{To} t{Term} last={Index}/t{LogTerm}",
        MessageType.RequestVoteResponse => $"Vote {From}->{To} t{Term} {(Reject ? "rejected" : "granted")}",
        MessageType.AppendEntries => $"AppendEntries {From}->{To} t{Term} prev={Index}/t{LogTerm} n={EntryCount} commit={Commit}",
        MessageType.AppendEntriesResponse => Reject
            ? $"AppendReply {From}->{To} t{Term} reject prev={Index} hint={Hint}/t{LogTerm}"
            : $"AppendReply {From}->{To} t{Term} match={Index}",
        MessageType.InstallSnapshot => $"InstallSnapshot {From}->{To} t{Term} last={Index}/t{LogTerm} {Data?.Length ?? 0}B",
        MessageType.InstallSnapshotResponse => $"SnapshotReply {From}->{To} t{Term} match={Index}",
        _ => $"{Type} {From}->{To} t{Term}",
    } + (Context != 0 ? $" round={Context}" : "");
}
