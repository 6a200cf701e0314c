using Raft.Core.Node;
using Raft.Model.Simulation;
using Raft.Model.Contract;

namespace Raft.Model.Variants;

/// <summary>
/// <c>forgets-snapshot-on-restart</c>: a Raft that, on restart, reads its raft state (term, vote,
/// lastIncludedIndex/Term, log) but not its snapshot, as a Make() that forgets
/// persister.ReadSnapshot(). Its next write is then Save(state, nil), which erases the durable
/// snapshot, and the restart after that finds a lastIncludedIndex with no snapshot behind it.
/// A variant of the node contract built by a factory: the core itself is unchanged.
/// </summary>
public static class ForgetsSnapshotOnRestart
{
    public static NodeFactory Factory { get; } = (id, size, seed, options, state) =>
        new Nodes.CoreNode<Raft.Core.Rules.StandardRules>(new RaftNode(id, size, seed, options, new PersistedState
        {
            Term = state.Term,
            VotedFor = state.VotedFor,
            SnapshotIndex = state.SnapshotIndex,
            SnapshotTerm = state.SnapshotTerm,
            SnapshotData = null,
            Entries = state.Entries,
        }));
}
