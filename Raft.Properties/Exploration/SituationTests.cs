using Raft.Model.Exploration;
using Raft.Model.Storage;

namespace Raft.Properties.Exploration;

/// <summary>
/// Named situations (docs/exploration.md, "Named situations"): for each predicate a hand-built
/// world state where it holds and one where it does not, and that a run's counts do not depend on the workers.
/// </summary>
public sealed class SituationTests
{
    /// <summary>A durable log: a snapshot at (<paramref name="snapshotIndex"/>, <paramref name="snapshotTerm"/>) then one entry per term listed.</summary>
    private sealed class Log(long snapshotIndex, long snapshotTerm, params long[] terms) : IDurableLog
    {
        public long SnapshotIndex => snapshotIndex;
        public long LastIndex => snapshotIndex + terms.Length;
        public long LastTerm => terms.Length > 0 ? terms[^1] : snapshotTerm;
        public long TermAt(long index) =>
            index == snapshotIndex ? snapshotTerm : index < snapshotIndex || index > LastIndex ? -1 : terms[index - snapshotIndex - 1];
    }

    private static SituationNode Leader(long term, long commit, params long[] log) => new() { Up = true, Leader = true, Term = term, Commit = commit, Log = new Log(0, 0, log) };
    private static SituationNode Follower(long term, long commit, params long[] log) => new() { Up = true, Term = term, Commit = commit, Log = new Log(0, 0, log) };

    private static bool Holds(Situation s, params SituationNode[] nodes) => (Situations.Evaluate(nodes) & Situations.Bit(s)) != 0;

    // Figure 7: a new leader (term 8 in the paper) and one follower's log; a third node equal to the leader

    [Fact]
    public void Fig7a_FollowerMissesEntriesOfOneTerm()
    {
        Assert.True(Holds(Situation.Fig7a, Leader(3, 0, 1, 1, 2, 2), Follower(3, 0, 1, 1, 2), Follower(3, 0, 1, 1, 2, 2)));
        Assert.False(Holds(Situation.Fig7a, Leader(3, 0, 1, 1, 2, 2), Follower(3, 0, 1, 1, 2, 2), Follower(3, 0, 1, 1, 2, 2)));
        Assert.False(Holds(Situation.Fig7a, Leader(3, 0, 1, 1, 2, 3), Follower(3, 0, 1, 1), Follower(3, 0, 1, 1, 2, 3))); // two terms missing: (b)
    }

    [Fact]
    public void Fig7b_FollowerMissesEntriesOfTwoOrMoreTerms()
    {
        Assert.True(Holds(Situation.Fig7b, Leader(4, 0, 1, 1, 2, 3), Follower(4, 0, 1, 1), Follower(4, 0, 1, 1, 2, 3)));
        Assert.False(Holds(Situation.Fig7b, Leader(4, 0, 1, 1, 2, 3), Follower(4, 0, 1, 1, 2), Follower(4, 0, 1, 1, 2, 3)));
    }

    [Fact]
    public void Fig7c_FollowerHoldsExtraEntriesOfTheLeadersLastLogTerm()
    {
        Assert.True(Holds(Situation.Fig7c, Leader(4, 0, 1, 2), Follower(4, 0, 1, 2, 2), Follower(4, 0, 1, 2)));
        Assert.False(Holds(Situation.Fig7c, Leader(4, 0, 1, 2), Follower(4, 0, 1, 2, 3), Follower(4, 0, 1, 2))); // a later term: (d)
    }

    [Fact]
    public void Fig7d_FollowerHoldsExtraEntriesOfALaterTerm()
    {
        Assert.True(Holds(Situation.Fig7d, Leader(4, 0, 1, 2), Follower(4, 0, 1, 2, 3, 3), Follower(4, 0, 1, 2)));
        Assert.False(Holds(Situation.Fig7d, Leader(4, 0, 1, 2), Follower(4, 0, 1, 2, 2), Follower(4, 0, 1, 2)));
    }

    [Fact]
    public void Fig7e_DivergentSuffixOfOneTerm()
    {
        Assert.True(Holds(Situation.Fig7e, Leader(4, 0, 1, 1, 3), Follower(4, 0, 1, 1, 2, 2), Follower(4, 0, 1, 1, 3)));
        Assert.False(Holds(Situation.Fig7e, Leader(5, 0, 1, 1, 4), Follower(5, 0, 1, 2, 2, 3, 3), Follower(5, 0, 1, 1, 4))); // two terms: (f)
    }

    [Fact]
    public void Fig7f_DivergentSuffixOfTwoOrMoreTerms()
    {
        Assert.True(Holds(Situation.Fig7f, Leader(5, 0, 1, 1, 4), Follower(5, 0, 1, 2, 2, 3, 3), Follower(5, 0, 1, 1, 4)));
        Assert.False(Holds(Situation.Fig7f, Leader(4, 0, 1, 1, 3), Follower(4, 0, 1, 1, 2, 2), Follower(4, 0, 1, 1, 3)));
    }

    [Fact]
    public void NoUpLeader_NothingHolds()
    {
        Assert.Equal(0u, Situations.Evaluate([Follower(3, 0, 1, 1, 2, 2), Follower(3, 0, 1), Follower(3, 0)]));
        SituationNode downLeader = Leader(3, 0, 1, 1, 2, 2);
        downLeader.Up = false;
        Assert.Equal(0u, Situations.Evaluate([downLeader, Follower(3, 0, 1), Follower(3, 0)]));
    }

    // Figure 8: five servers S1..S5 as nodes 0..4

    [Fact]
    public void Fig8a_OwnTermEntryOnAMinority()
    {
        Assert.True(Holds(Situation.Fig8a, Leader(2, 1, 1, 2), Follower(2, 1, 1, 2), Follower(2, 1, 1), Follower(2, 1, 1), Follower(2, 1, 1)));
        Assert.False(Holds(Situation.Fig8a, Leader(2, 1, 1, 2), Follower(2, 1, 1, 2), Follower(2, 1, 1, 2), Follower(2, 1, 1), Follower(2, 1, 1))); // a majority
        Assert.False(Holds(Situation.Fig8a, Leader(2, 1, 1, 2), Follower(2, 1, 1), Follower(2, 1, 1), Follower(2, 1, 1), Follower(2, 1, 1)));    // the leader alone
    }

    [Fact]
    public void Fig8b_OwnTermEntryWhereAnotherNodeHoldsAnOlderTerm()
    {
        Assert.True(Holds(Situation.Fig8b, Follower(3, 1, 1, 2), Follower(3, 1, 1, 2), Follower(3, 1, 1), Follower(3, 1, 1), Leader(3, 1, 1, 3)));
        Assert.False(Holds(Situation.Fig8b, Follower(3, 1, 1), Follower(3, 1, 1), Follower(3, 1, 1), Follower(3, 1, 1), Leader(3, 1, 1, 3)));
    }

    [Fact]
    public void Fig8c_OlderTermEntryOnAMajorityUncommittedWithALaterConflict()
    {
        Assert.True(Holds(Situation.Fig8c, Leader(4, 1, 1, 2, 4), Follower(4, 1, 1, 2), Follower(4, 1, 1, 2), Follower(4, 1, 1), Follower(3, 1, 1, 3)));
        Assert.False(Holds(Situation.Fig8c, Leader(4, 1, 1, 2, 4), Follower(4, 1, 1, 2), Follower(4, 1, 1, 2), Follower(4, 1, 1), Follower(3, 1, 1)));       // no conflicting entry
        Assert.False(Holds(Situation.Fig8c, Leader(4, 2, 1, 2, 4), Follower(4, 2, 1, 2), Follower(4, 2, 1, 2), Follower(4, 1, 1), Follower(3, 1, 1, 3)));    // committed
    }

    [Fact]
    public void Fig8d_LaterEntryOverwritesAnOlderOneHeldByAMajority()
    {
        Assert.True(Holds(Situation.Fig8d, Follower(5, 1, 1, 2), Follower(5, 1, 1, 2), Follower(5, 1, 1, 2), Follower(5, 1, 1), Leader(5, 1, 1, 3)));
        Assert.False(Holds(Situation.Fig8d, Follower(5, 1, 1, 2), Follower(5, 1, 1, 2), Follower(5, 1, 1), Follower(5, 1, 1), Leader(5, 1, 1, 3)));
    }

    [Fact]
    public void Fig8e_CommittedOwnTermEntryAboveAContradictedOlderEntry()
    {
        Assert.True(Holds(Situation.Fig8e, Leader(4, 3, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1), Follower(3, 1, 1, 3)));
        Assert.False(Holds(Situation.Fig8e, Leader(4, 2, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1), Follower(3, 1, 1, 3))); // only the older-term entry committed
        Assert.False(Holds(Situation.Fig8e, Leader(4, 3, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1, 2, 4), Follower(4, 1, 1), Follower(3, 1, 1)));    // nothing contradicts it
    }

    // §7 snapshots

    [Fact]
    public void SnapshotBehindLeader_ALogEndingBeforeTheLeadersSnapshot()
    {
        var leader = new SituationNode { Up = true, Leader = true, Term = 3, Commit = 6, Log = new Log(5, 2, 3) };
        Assert.True(Holds(Situation.SnapshotBehindLeader, leader, Follower(3, 3, 1, 1, 2), Follower(3, 6, 1, 1, 2, 2, 2, 3)));
        Assert.False(Holds(Situation.SnapshotBehindLeader, leader, Follower(3, 3, 1, 1, 2, 2, 2), Follower(3, 6, 1, 1, 2, 2, 2, 3)));
    }

    [Fact]
    public void SnapshotOverLongerLog_ASnapshotArrivingBelowTheLogsEnd()
    {
        Assert.True(Situations.SnapshotArrives(new Log(0, 0, 1, 1, 2), 2));
        Assert.False(Situations.SnapshotArrives(new Log(0, 0, 1, 1, 2), 3));
        Assert.False(Situations.SnapshotArrives(new Log(0, 0, 1, 1, 2), 5));
    }

    [Fact]
    public void Counts_DoNotDependOnTheWorkers_AndTheRunReachesSomeSituations()
    {
        var one = Explorer.Run(new ExploreSettings { Iterations = 300, Workers = 1 });
        var two = Explorer.Run(new ExploreSettings { Iterations = 300, Workers = 2 });
        Assert.Equal(one.Coverage.SituationSchedules, two.Coverage.SituationSchedules);
        Assert.True(one.Coverage.SituationSchedules[(int)Situation.Fig7a] > 0);
    }
}
