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
    ];

    public static bool IsKnown(string name) => name == "none" || All.Any(b => b.Name == name);

    /// <summary>The factory for <paramref name="name"/>, or null for the correct core ("none").</summary>
    public static Cluster.NodeFactory? FactoryFor(string name) =>
        name == "none" ? null : (All.FirstOrDefault(b => b.Name == name) ?? throw new ArgumentException($"unknown bug '{name}'")).Factory;
}
