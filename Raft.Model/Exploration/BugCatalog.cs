using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Simulation;

namespace Raft.Model.Exploration;

/// <summary>A deliberately broken variant of the core, for testing the tester.</summary>
public sealed record BugVariant(string Name, string Description, Invariant Breaks, Cluster.NodeFactory Factory);

/// <summary>The catalog of broken variants that <c>--bug NAME</c> selects.</summary>
public static class BugCatalog
{
    private static Cluster.NodeFactory With(InjectedFault f) =>
        (id, n, seed, options, state) => new RaftNode(id, n, seed, options, state, f);

    public static IReadOnlyList<BugVariant> All { get; } =
    [
        new("vote-without-log-check", "grants RequestVote without the §5.4.1 up-to-date check on the candidate's log",
            Invariant.LeaderCompleteness, With(InjectedFault.VoteWithoutLogCheck)),
        new("commit-previous-term", "a leader commits entries of earlier terms by counting replicas (Figure 8)",
            Invariant.LeaderCompleteness, With(InjectedFault.CommitPreviousTermByCounting)),
        new("vote-not-durable", "replies to RequestVote before the vote is durable, so a restarted node can vote twice in a term",
            Invariant.ElectionSafety, With(InjectedFault.VoteReplyBeforeDurable)),
        new("truncate-without-conflict", "a follower deletes every entry after prevLogIndex on AppendEntries, even without a conflict",
            Invariant.LeaderCompleteness, With(InjectedFault.TruncateWithoutConflict)),
        new("term-not-durable", "currentTerm is not made durable when it changes, so a restart goes back to an older term",
            Invariant.TermMonotonic, With(InjectedFault.TermNotDurable)),
        new("voted-for-ignored", "votedFor is ignored, so a node can vote for two candidates in one term",
            Invariant.ElectionSafety, With(InjectedFault.VotedForIgnored)),
        new("stale-reply-applied", "a leader applies an AppendEntries reply to its progress as if it answered the latest request (matchIndex = nextIndex-1)",
            Invariant.LeaderCompleteness, With(InjectedFault.StaleReplyApplied)),
        new("older-snapshot-installed", "InstallSnapshot older than the commit index is installed, moving service state backwards",
            Invariant.ServiceApply, With(InjectedFault.OlderSnapshotInstalled)),
        new("append-ack-before-durable", "AppendEntries is acknowledged before the entries are durable",
            Invariant.LeaderCompleteness, With(InjectedFault.AppendAckBeforeDurable)),
        new("lower-term-append-accepted", "AppendEntries with a lower term is accepted instead of rejected",
            Invariant.Liveness, With(InjectedFault.LowerTermAppendAccepted)),
        new("quorum-off-by-one", "a majority is taken to be n/2 rather than n/2+1, for votes and for commitment",
            Invariant.ElectionSafety, With(InjectedFault.QuorumOffByOne)),
        new("stale-votes-counted", "a candidate counts vote replies granted in an earlier term",
            Invariant.ElectionSafety, With(InjectedFault.StaleVotesCounted)),
    ];

    public static bool IsKnown(string name) => name == "none" || All.Any(b => b.Name == name);

    /// <summary>The factory for <paramref name="name"/>, or null for the correct core ("none").</summary>
    public static Cluster.NodeFactory? FactoryFor(string name) =>
        name == "none" ? null : (All.FirstOrDefault(b => b.Name == name) ?? throw new ArgumentException($"unknown bug '{name}'")).Factory;
}
