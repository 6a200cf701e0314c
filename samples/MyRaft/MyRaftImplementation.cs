// What the tool loads: `dotnet raftverify explore --node MyRaft.dll` finds the public
// IRaftImplementation types with a public parameterless constructor (name one with
// `MyRaft.dll:MyRaft.MyRaftImplementation` when there are several).
using Raft.Core.Node;
using Raft.Model.Contract;

namespace MyRaft;

/// <summary>MyRaft as written: the correct one.</summary>
public sealed class MyRaftImplementation : IRaftImplementation
{
    public string Name => "myraft";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new MyRaftNode(id, clusterSize, seed, options, state);
}

/// <summary>
/// A broken MyRaft, to see the suite find a bug: it grants its vote without §5.4.1's check that
/// the candidate's log is at least as up-to-date as its own, so a candidate missing committed
/// entries can win an election and overwrite them.
/// </summary>
public sealed class VotesForStaleLogs : IRaftImplementation
{
    public string Name => "myraft-votes-for-stale-logs";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new NoUpToDateCheck(id, clusterSize, seed, options, state);

    private sealed class NoUpToDateCheck(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state)
        : MyRaftNode(id, clusterSize, seed, options, state)
    {
        protected override bool CandidateIsUpToDate(VoteRequest r) => true;
    }
}

/// <summary>
/// Another broken MyRaft: at restart it forgets whom it voted for (it reads votedFor from the disk
/// and drops it), so it can vote twice in one term and two leaders can win it.
/// </summary>
public sealed class ForgetsVoteOnRestart : IRaftImplementation
{
    public string Name => "myraft-forgets-vote";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new MyRaftNode(id, clusterSize, seed, options, new PersistedState
        {
            Term = state.Term, VotedFor = -1, Entries = state.Entries,
            SnapshotIndex = state.SnapshotIndex, SnapshotTerm = state.SnapshotTerm, SnapshotData = state.SnapshotData,
        });
}
