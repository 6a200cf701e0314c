using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Core.Rules;

/// <summary>What a node does with a message from a term lower than its own.</summary>
public enum LowerTermAction : byte
{
    /// <summary>Answer a request with our term (so its sender steps down) and drop a reply (Figure 2 "Rules for Servers").</summary>
    Respond,
    /// <summary>Handle the message as if it carried our term.</summary>
    HandleAsCurrent,
    /// <summary>Become a follower of the sender in our term, then handle the message as if it carried our term.</summary>
    FollowSenderAndHandle,
}

/// <summary>
/// The protocol decisions a <see cref="RaftNode{TRules}"/> takes, in neutral terms: how a vote
/// request is judged, what a majority is, when a leader may commit, what a follower keeps and
/// commits on AppendEntries, which snapshots are installed, how lower-term messages are treated,
/// and what hard state and entries a Ready asks to persist. <see cref="StandardRules"/> is the
/// paper's answer to each; other answers exist only to test the tester (Raft.Model's variants).
/// <para>Every decision defaults to <see cref="StandardRules"/>, so a variant states only what it
/// breaks. Implementations are structs, so each <c>RaftNode&lt;TRules&gt;</c> is compiled
/// separately and the JIT folds these calls into the code: the correct core pays nothing.</para>
/// </summary>
public interface IRaftRules
{
    /// <summary>Whether a RequestVote from <paramref name="candidate"/> is granted, given our vote in this term and whether the candidate's log is at least as up-to-date as ours.</summary>
    static virtual bool GrantsVote(int votedFor, int candidate, bool candidateLogUpToDate) => StandardRules.GrantsVote(votedFor, candidate, candidateLogUpToDate);

    /// <summary>How many of <paramref name="voters"/> make a quorum, for elections and for commitment.</summary>
    static virtual int QuorumSize(int voters) => StandardRules.QuorumSize(voters);

    /// <summary>Whether a leader in <paramref name="currentTerm"/> may commit an entry of <paramref name="entryTerm"/> once a quorum stores it.</summary>
    static virtual bool MayCommitByCounting(long entryTerm, long currentTerm) => StandardRules.MayCommitByCounting(entryTerm, currentTerm);

    /// <summary>What a leader takes a follower's successful AppendEntries reply for <paramref name="replyIndex"/> to match, given that follower's nextIndex.</summary>
    static virtual long MatchFromAppendReply(long replyIndex, long nextIndex) => StandardRules.MatchFromAppendReply(replyIndex, nextIndex);

    /// <summary>Whether a follower removes entries after prevLogIndex only where they conflict with the leader's (false: it replaces the whole suffix).</summary>
    static virtual bool TruncatesOnlyOnConflict => StandardRules.TruncatesOnlyOnConflict;

    /// <summary>The commit index a follower moves to after accepting an AppendEntries.</summary>
    static virtual long FollowerCommitIndex(long leaderCommit, long lastNewIndex, long lastIndex) => StandardRules.FollowerCommitIndex(leaderCommit, lastNewIndex, lastIndex);

    /// <summary>Whether an InstallSnapshot through <paramref name="snapshotIndex"/> is installed by a node committed through <paramref name="commitIndex"/>.</summary>
    static virtual bool InstallsSnapshot(long snapshotIndex, long commitIndex) => StandardRules.InstallsSnapshot(snapshotIndex, commitIndex);

    /// <summary>What a node does with a message of <paramref name="type"/> from a lower term, in <paramref name="role"/>.</summary>
    static virtual LowerTermAction OnLowerTerm(MessageType type, Role role) => StandardRules.OnLowerTerm(type, role);

    /// <summary>The term a Ready asks to persist, given the current term and the term the node started with.</summary>
    static virtual long PersistedTerm(long term, long termAtStart) => StandardRules.PersistedTerm(term, termAtStart);

    /// <summary>The vote the node records as hard state (to persist, and to compare against what was persisted), given the vote it acts on.</summary>
    static virtual int RecordedVote(int votedFor, int self) => StandardRules.RecordedVote(votedFor, self);

    /// <summary>Whether changed log entries are left out of a Ready, given the role and whether hard state or a snapshot is pending in it.</summary>
    static virtual bool DefersEntryWrite(Role role, bool hardStateOrSnapshotPending) => StandardRules.DefersEntryWrite(role, hardStateOrSnapshotPending);

    /// <summary>
    /// Whether stepping down to a higher term restarts the election timer. The paper's rule (and
    /// the 6.824 students' guide): the timer restarts only on granting a vote, on hearing from the
    /// current leader, or on starting an election; a higher term alone does not restart it, or
    /// candidates whose logs cannot win keep silencing the one that can (a livelock). Defaults to
    /// false; only a broken variant overrides it.
    /// </summary>
    static virtual bool RestartsTimerOnHigherTerm => StandardRules.RestartsTimerOnHigherTerm;

    /// <summary>Whether a leader confirms a read with a round of heartbeats a majority acknowledges before serving it (thesis §6.4 step 3).</summary>
    static virtual bool ReadConfirmsLeadership => StandardRules.ReadConfirmsLeadership;

    /// <summary>Whether a leader serves reads only once an entry of its current term is committed (thesis §6.4 step 1).</summary>
    static virtual bool ReadWaitsForCurrentTermCommit => StandardRules.ReadWaitsForCurrentTermCommit;

    /// <summary>How many of its own ticks a leader's lease lasts from the start of an acknowledged round, given the election timeout and the drift bound (§6.4.1).</summary>
    static virtual int LeaseTicks(int electionTicks, int driftTicks) => StandardRules.LeaseTicks(electionTicks, driftTicks);
}
