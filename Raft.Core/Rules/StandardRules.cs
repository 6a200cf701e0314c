using System.Runtime.CompilerServices;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Core.Rules;

/// <summary>
/// The protocol as the paper states it (Ongaro and Ousterhout, "In Search of an Understandable
/// Consensus Algorithm (Extended Version)", 2014): the rules of <see cref="RaftNode"/>.
/// Every member is a constant or a one-line expression, so the JIT folds it into the node.
/// </summary>
public readonly struct StandardRules : IRaftRules
{
    /// <summary>Figure 2, RequestVote receiver step 2: grant if votedFor is null or candidateId, and the candidate's log is at least as up-to-date as ours (§5.2, §5.4.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GrantsVote(int votedFor, int candidate, bool candidateLogUpToDate) =>
        (votedFor == RaftNode.None || votedFor == candidate) && candidateLogUpToDate;

    /// <summary>§5.2: a majority, ⌊n/2⌋+1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int QuorumSize(int voters) => voters / 2 + 1;

    /// <summary>§5.4.2 and Figure 8: only entries of the leader's current term are committed by counting replicas; earlier ones commit indirectly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MayCommitByCounting(long entryTerm, long currentTerm) => entryTerm == currentTerm;

    /// <summary>Figure 2, Rules for Leaders: on success matchIndex becomes the index the reply acknowledges, and nothing else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long MatchFromAppendReply(long replyIndex, long nextIndex) => replyIndex;

    /// <summary>Figure 2, AppendEntries receiver step 3: delete an existing entry (and all that follow) only if it conflicts with a new one.</summary>
    public static bool TruncatesOnlyOnConflict => true;

    /// <summary>Figure 2, AppendEntries receiver step 5: commitIndex = min(leaderCommit, index of last new entry).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FollowerCommitIndex(long leaderCommit, long lastNewIndex, long lastIndex) => Math.Min(leaderCommit, lastNewIndex);

    /// <summary>Figure 13 and §7: a snapshot that does not go past the commit index is ignored, so service state never moves backwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InstallsSnapshot(long snapshotIndex, long commitIndex) => snapshotIndex > commitIndex;

    /// <summary>Figure 2, RequestVote and AppendEntries receiver step 1 ("reply false if term &lt; currentTerm") and §5.1: stale replies are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LowerTermAction OnLowerTerm(MessageType type, Role role) => LowerTermAction.Respond;

    /// <summary>Figure 2, persistent state: currentTerm is updated on stable storage before responding to RPCs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long PersistedTerm(long term, long termAtStart) => term;

    /// <summary>Figure 2, persistent state: votedFor is updated on stable storage before responding to RPCs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RecordedVote(int votedFor, int self) => votedFor;

    /// <summary>Figure 2, persistent state: log[] is updated on stable storage before responding to RPCs, so entries always go into the Ready.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DefersEntryWrite(Role role, bool hardStateOrSnapshotPending) => false;

    /// <summary>§5.2 and the students' guide: a higher term alone does not restart the election timer (granting a vote, hearing the leader or campaigning does).</summary>
    public static bool RestartsTimerOnHigherTerm => false;

    /// <summary>Thesis §6.4 step 3: the leader sends a round of heartbeats and serves the read only once a majority acknowledges it, so it knows it was still leader when the read arrived.</summary>
    public static bool ReadConfirmsLeadership => true;

    /// <summary>Thesis §6.4 step 1: until an entry of its term is committed a new leader may not know the latest commit index, so reads wait for one.</summary>
    public static bool ReadWaitsForCurrentTermCommit => true;

    /// <summary>Thesis §6.4.1: a follower votes no sooner than an election timeout after hearing the leader, by its own clock; the leader's lease ends the drift bound and one tick of granularity earlier, by the leader's clock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LeaseTicks(int electionTicks, int driftTicks) => electionTicks - driftTicks - 1;
}
