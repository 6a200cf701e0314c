namespace Raft.Core.Tracking;

/// <summary>How the leader is currently replicating to one follower (as in etcd's tracker).</summary>
public enum ProgressState : byte
{
    /// <summary>Next is a guess: send one AppendEntries and wait for its reply before the next (§5.3 back-off).</summary>
    Probe,
    /// <summary>Next is known good: stream entries optimistically, advancing Next as they are sent.</summary>
    Replicate,
    /// <summary>The follower needs entries we compacted: an InstallSnapshot is outstanding (§7).</summary>
    Snapshot,
}

/// <summary>
/// The leader's view of one follower: Figure 2's nextIndex and matchIndex plus the flow state.
/// Invariant: <c>Match &lt; Next</c>; Match only grows within a term (stale replies cannot lower it).
/// </summary>
internal sealed class Progress
{
    public long Match { get; private set; }
    public long Next { get; private set; }
    public ProgressState State { get; private set; }

    /// <summary>In Probe: an append has been sent and no reply has arrived yet.</summary>
    public bool ProbeSent { get; private set; }

    /// <summary>In Snapshot: the snapshot index that was sent.</summary>
    public long PendingSnapshot { get; private set; }

    /// <summary>In Snapshot: leader ticks since the snapshot was sent (for <see cref="Node.RaftOptions.SnapshotRetryTicks"/>).</summary>
    public int SnapshotTicks { get; private set; }

    /// <summary>One leader tick passed; counts only while a snapshot is outstanding.</summary>
    public void Tick()
    {
        if (State == ProgressState.Snapshot && SnapshotTicks < int.MaxValue) SnapshotTicks++;
    }

    /// <summary>Re-initialises after election (Figure 2: nextIndex = last log index + 1, matchIndex = 0).</summary>
    public void Reset(long lastIndex, long match)
    {
        Match = match;
        Next = lastIndex + 1;
        State = ProgressState.Probe;
        ProbeSent = false;
        PendingSnapshot = 0;
    }

    /// <summary>Whether a non-heartbeat append must wait.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Snapshot => true,
        _ => false,
    };

    public void BecomeProbe()
    {
        Next = State == ProgressState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        State = ProgressState.Probe;
        ProbeSent = false;
        PendingSnapshot = 0;
    }

    /// <summary>The follower did not install the snapshot in flight (etcd's ReportSnapshot failure): probe from what it matches.</summary>
    public void SnapshotFailed()
    {
        PendingSnapshot = 0;
        BecomeProbe();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        ProbeSent = false;
        PendingSnapshot = 0;
    }

    public void BecomeSnapshot(long snapshotIndex)
    {
        State = ProgressState.Snapshot;
        PendingSnapshot = snapshotIndex;
        ProbeSent = false;
        SnapshotTicks = 0;
    }

    /// <summary>Records that an append ending at <paramref name="lastSent"/> went out.</summary>
    public void SentAppend(long lastSent)
    {
        if (State == ProgressState.Replicate) { if (lastSent + 1 > Next) Next = lastSent + 1; }
        else if (State == ProgressState.Probe) ProbeSent = true;
    }

    /// <summary>A success reply says the follower matches through <paramref name="index"/>. Returns whether Match grew.</summary>
    public bool MaybeUpdate(long index)
    {
        bool updated = index > Match;
        if (updated) Match = index;
        if (Next < index + 1) Next = index + 1;
        ProbeSent = false;
        return updated;
    }

    /// <summary>
    /// A rejection of the append whose prevLogIndex was <paramref name="rejected"/>; the follower
    /// suggests <paramref name="suggestedNext"/>. Returns false for a stale rejection (one that
    /// refers to an append we have since superseded), which must be ignored.
    /// </summary>
    public bool MaybeDecreaseTo(long rejected, long suggestedNext)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match) return false;
            Next = Math.Max(Match + 1, Math.Min(Next, Math.Min(rejected, suggestedNext))); // back, never forward
            return true;
        }
        if (Next - 1 != rejected) return false;
        Next = Math.Max(Match + 1, Math.Min(rejected, suggestedNext));
        ProbeSent = false;
        return true;
    }

    public override string ToString() => $"{State} match={Match} next={Next}";
}
