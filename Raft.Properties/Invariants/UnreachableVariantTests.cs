using Raft.Model.Variants;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Properties.Core;

namespace Raft.Properties.Invariants;

/// <summary>
/// commit-beyond-last-new-entry cannot be reached by any schedule of this core (docs/bugs.md), but
/// where it is reachable the checkers find it: a follower handed the AppendEntries a different
/// leader could send (a matching prefix, entries after it it was never shown, leaderCommit beyond
/// the last entry carried) commits entries no majority of disks holds.
/// </summary>
public sealed class UnreachableVariantTests
{
    private static Violation? FollowerHearsHeartbeatBeyondItsLastNewEntry(string bug)
    {
        var cluster = new Cluster(3, seed: 1, RaftOptions.Default, snapshotService: false, snapshotInterval: 10, checkInvariants: true, BugCatalog.FactoryFor(bug));
        // every disk holds entry 1 of term 1; only node 0's also holds entries 2 and 3 (from a leader of term 1 that lost them)
        Entry[] log = Msg.Entries(1, 1, 1);
        cluster.Disks[0].Persist(new Ready { HardStateChanged = true, Term = 1, VotedFor = RaftNode.None, PersistFrom = 1, EntriesToPersist = log });
        for (int i = 1; i < 3; i++)
            cluster.Disks[i].Persist(new Ready { HardStateChanged = true, Term = 1, VotedFor = RaftNode.None, PersistFrom = 1, EntriesToPersist = log[..1] });
        for (int i = 0; i < 3; i++) cluster.Start(i);
        cluster.Deliver(Raft.Model.Nodes.CoreMessage.Wrap(Msg.Append(from: 1, to: 0, term: 2, prev: 1, prevTerm: 1, commit: 3)));
        return cluster.Violation;
    }

    [Fact]
    public void CommitBeyondLastNewEntry_WhereReachable_CommitsWhatNoMajorityHolds()
    {
        Violation? v = FollowerHearsHeartbeatBeyondItsLastNewEntry("commit-beyond-last-new-entry");
        Assert.NotNull(v);
        Assert.Equal(Invariant.CommittedDurablyOnMajority, v.Invariant);
        Assert.Equal(2, v.Index);
    }

    [Fact]
    public void TheCorrectCore_OnTheSameMessage_CommitsOnlyTheMatchedPrefix()
    {
        Assert.Null(FollowerHearsHeartbeatBeyondItsLastNewEntry("none"));
    }
}
