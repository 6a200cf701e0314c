namespace Raft.Core.Node;

/// <summary>
/// Deliberate departures from the protocol, used only to test the tester: the exploration
/// engine must find each of them. Internal to the core (visible to Raft.Model alone), so no
/// broken behaviour is reachable through the public API; the correct core has none set and
/// pays one predictable branch on a few cold paths.
/// </summary>
[Flags]
internal enum InjectedFault : uint
{
    None = 0,
    /// <summary>RequestVote granted without the §5.4.1 up-to-date check.</summary>
    VoteWithoutLogCheck = 1 << 0,
    /// <summary>A leader commits entries of earlier terms by counting replicas (the Figure 8 bug).</summary>
    CommitPreviousTermByCounting = 1 << 1,
    /// <summary>A granted vote is answered but never made durable, so a restart forgets it.</summary>
    VoteReplyBeforeDurable = 1 << 2,
    /// <summary>A follower truncates everything after prevLogIndex on every AppendEntries, conflict or not.</summary>
    TruncateWithoutConflict = 1 << 3,
    /// <summary>currentTerm is never written to stable storage after start-up.</summary>
    TermNotDurable = 1 << 4,
    /// <summary>votedFor is ignored: any candidate with an up-to-date log gets the vote, even a second one in a term.</summary>
    VotedForIgnored = 1 << 5,
    /// <summary>A leader applies AppendEntries replies to its progress without regard to which request or term they answer (matchIndex = nextIndex − 1).</summary>
    StaleReplyApplied = 1 << 6,
    /// <summary>InstallSnapshot is installed even when it is older than the commit index, moving service state back.</summary>
    OlderSnapshotInstalled = 1 << 7,
    /// <summary>A follower acknowledges appended entries without making them durable first.</summary>
    AppendAckBeforeDurable = 1 << 8,
    /// <summary>AppendEntries from a lower term is accepted instead of rejected.</summary>
    LowerTermAppendAccepted = 1 << 9,
    /// <summary>A follower advances its commit index to leaderCommit without bounding it by the last new entry.</summary>
    CommitBeyondLastNewEntry = 1 << 10,
    /// <summary>A majority is taken to be ⌊n/2⌋ rather than ⌊n/2⌋+1, for votes and for commitment.</summary>
    QuorumOffByOne = 1 << 12,
    /// <summary>A candidate counts vote replies from earlier terms.</summary>
    StaleVotesCounted = 1 << 11,
}
