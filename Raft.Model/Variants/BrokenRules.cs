using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Rules;

namespace Raft.Model.Variants;

// Deliberately broken rule sets, for testing the tester (see docs/bugs.md and BugCatalog).
// Each states only the decision it breaks (marked "broken"); every other decision is
// IRaftRules' default, which is StandardRules'. Each is a struct, so RaftNode<ThatRules> is
// compiled separately and the correct core (RaftNode = RaftNode<StandardRules>) carries none of this.

/// <summary><c>vote-without-log-check</c>: RequestVote is granted without the §5.4.1 up-to-date check on the candidate's log.</summary>
public readonly struct VoteWithoutLogCheck : IRaftRules
{
    public static bool GrantsVote(int votedFor, int candidate, bool candidateLogUpToDate) => votedFor == RaftNode.None || votedFor == candidate; // broken
}

/// <summary><c>commit-previous-term</c>: A leader commits entries of earlier terms by counting replicas (the Figure 8 bug).</summary>
public readonly struct CommitPreviousTerm : IRaftRules
{
    public static bool MayCommitByCounting(long entryTerm, long currentTerm) => true; // broken
}

/// <summary><c>vote-not-durable</c>: A granted vote is answered but never recorded as hard state (only a vote for itself is), so a restart forgets it.</summary>
public readonly struct VoteNotDurable : IRaftRules
{
    public static int RecordedVote(int votedFor, int self) => votedFor != self ? RaftNode.None : votedFor; // broken
}

/// <summary><c>truncate-without-conflict</c>: A follower replaces everything after prevLogIndex on every AppendEntries with entries, conflict or not.</summary>
public readonly struct TruncateWithoutConflict : IRaftRules
{
    public static bool TruncatesOnlyOnConflict => false; // broken
}

/// <summary><c>term-not-durable</c>: currentTerm is never written to stable storage after start-up: every Ready carries the term the node started with.</summary>
public readonly struct TermNotDurable : IRaftRules
{
    public static long PersistedTerm(long term, long termAtStart) => termAtStart; // broken
}

/// <summary><c>voted-for-ignored</c>: votedFor is ignored: any candidate with an up-to-date log gets the vote, even a second one in a term.</summary>
public readonly struct VotedForIgnored : IRaftRules
{
    public static bool GrantsVote(int votedFor, int candidate, bool candidateLogUpToDate) => candidateLogUpToDate; // broken
}

/// <summary><c>stale-reply-applied</c>: A leader applies AppendEntries replies, even from earlier terms, as if they answered its latest request (matchIndex = nextIndex − 1).</summary>
public readonly struct StaleReplyApplied : IRaftRules
{
    public static long MatchFromAppendReply(long replyIndex, long nextIndex) => Math.Max(replyIndex, nextIndex - 1); // broken
    public static LowerTermAction OnLowerTerm(MessageType type, Role role) => type == MessageType.AppendEntriesResponse && role == Role.Leader ? LowerTermAction.HandleAsCurrent : LowerTermAction.Respond; // broken
}

/// <summary><c>older-snapshot-installed</c>: InstallSnapshot is installed even when it is not past the commit index, moving service state back.</summary>
public readonly struct OlderSnapshotInstalled : IRaftRules
{
    public static bool InstallsSnapshot(long snapshotIndex, long commitIndex) => true; // broken
}

/// <summary><c>append-ack-before-durable</c>: A follower acknowledges appended entries without making them durable: they are written only along with its next hard-state or snapshot change.</summary>
public readonly struct AppendAckBeforeDurable : IRaftRules
{
    public static bool DefersEntryWrite(Role role, bool hardStateOrSnapshotPending) => role == Role.Follower && !hardStateOrSnapshotPending; // broken
}

/// <summary><c>lower-term-append-accepted</c>: AppendEntries from a lower term is accepted (the receiver follows its sender) instead of rejected.</summary>
public readonly struct LowerTermAppendAccepted : IRaftRules
{
    public static LowerTermAction OnLowerTerm(MessageType type, Role role) => type == MessageType.AppendEntries ? LowerTermAction.FollowSenderAndHandle : LowerTermAction.Respond; // broken
}

/// <summary><c>quorum-off-by-one</c>: A majority is taken to be ⌊n/2⌋ rather than ⌊n/2⌋+1, for votes and for commitment.</summary>
public readonly struct QuorumOffByOne : IRaftRules
{
    public static int QuorumSize(int voters) => Math.Max(1, voters / 2); // broken
}

/// <summary><c>stale-votes-counted</c>: A candidate counts vote replies from earlier terms.</summary>
public readonly struct StaleVotesCounted : IRaftRules
{
    public static LowerTermAction OnLowerTerm(MessageType type, Role role) => type == MessageType.RequestVoteResponse && role == Role.Candidate ? LowerTermAction.HandleAsCurrent : LowerTermAction.Respond; // broken
}

/// <summary><c>commit-beyond-last-new-entry</c>: A follower advances its commit index to leaderCommit bounded by its last index, not by the last new entry (Figure 2, AppendEntries receiver step 5).</summary>
public readonly struct CommitBeyondLastNewEntry : IRaftRules
{
    public static long FollowerCommitIndex(long leaderCommit, long lastNewIndex, long lastIndex) => Math.Min(leaderCommit, lastIndex); // broken
}

/// <summary>
/// <c>timer-reset-on-step-down</c>: stepping down to a higher term restarts the election timer (the
/// core's rule until the explorer found the livelock it causes: candidates whose logs cannot win
/// keep resetting the timer of the node that can, and no leader is elected after the heal).
/// </summary>
public readonly struct TimerResetOnStepDown : IRaftRules
{
    public static bool RestartsTimerOnHigherTerm => true; // broken
}

/// <summary><c>read-without-leadership-check</c>: a leader serves a read at its commit index without a round of heartbeats, so a deposed leader that does not know it serves stale values (thesis §6.4 step 3 skipped).</summary>
public readonly struct ReadWithoutLeadershipCheck : IRaftRules
{
    public static bool ReadConfirmsLeadership => false; // broken
}

/// <summary><c>read-before-term-commit</c>: a new leader serves reads before an entry of its term is committed, at a commit index that may lag what its predecessor committed (thesis §6.4 step 1 skipped).</summary>
public readonly struct ReadBeforeTermCommit : IRaftRules
{
    public static bool ReadWaitsForCurrentTermCommit => false; // broken
}

/// <summary><c>lease-ignores-drift</c>: a leader's lease lasts the whole election timeout by its own clock, as if no follower's clock could run faster (thesis §6.4.1's drift bound ignored).</summary>
public readonly struct LeaseIgnoresDrift : IRaftRules
{
    public static int LeaseTicks(int electionTicks, int driftTicks) => electionTicks - 1; // broken
}
