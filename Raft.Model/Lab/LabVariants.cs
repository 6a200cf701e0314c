using Raft.Core.Node;
using Raft.Model.Simulation;

namespace Raft.Model.Lab;

/// <summary>
/// Deliberately broken servers for testing the tester itself, built from the correct core by a
/// node factory (nothing in Raft.Core changes). Select one with
/// <c>LabSuite.Run(test, seed, log, factory)</c> or <c>raftverify lab --variant NAME</c>.
/// </summary>
public static class LabVariants
{
    /// <summary>
    /// A Raft that, on restart, reads its raft state (term, vote, lastIncludedIndex/Term, log)
    /// but not its snapshot: Make() forgets persister.ReadSnapshot(). Its next write is then
    /// Save(state, nil), which erases the durable snapshot, and the restart after that finds a
    /// raft state whose lastIncludedIndex has no snapshot. TestSnapshotInit2D exists to catch it.
    /// </summary>
    public static Cluster.NodeFactory ForgetsSnapshotOnRestart { get; } = (id, size, seed, options, state) =>
        new RaftNode(id, size, seed, options, new PersistedState
        {
            Term = state.Term,
            VotedFor = state.VotedFor,
            SnapshotIndex = state.SnapshotIndex,
            SnapshotTerm = state.SnapshotTerm,
            SnapshotData = null,
            Entries = state.Entries,
        });

    /// <summary>The variants by the name the CLI takes.</summary>
    public static IReadOnlyDictionary<string, Cluster.NodeFactory> ByName { get; } = new Dictionary<string, Cluster.NodeFactory>
    {
        ["forgets-snapshot"] = ForgetsSnapshotOnRestart,
    };

    /// <summary>The CLI name of a variant, or null for a factory not listed here.</summary>
    public static string? NameOf(Cluster.NodeFactory factory) =>
        ByName.FirstOrDefault(kv => ReferenceEquals(kv.Value, factory)).Key;
}
