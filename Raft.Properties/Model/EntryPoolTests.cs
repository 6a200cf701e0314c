using Raft.Model.Contract;
using Raft.Model.Nodes;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Network;
using Raft.Model.Simulation;
using Raft.Properties.Contract;

namespace Raft.Properties.Model;

/// <summary>
/// The world's pool of entry arrays (<see cref="EntryPool"/>): arrays come back when the transport
/// is done with their message, cleared; a core that sends an array still in flight or already
/// returned, or writes into one in flight, is reported from what the transport sees; the correct
/// core, pooled, is not.
/// </summary>
public sealed class EntryPoolTests
{
    private static Entry E(long term) => new(term, [(byte)term]);

    [Fact]
    public void AnArray_ComesBack_OnlyWhenItsLastCopyIsDone_Cleared_AndIsTheNextRented()
    {
        var pool = new EntryPool();
        Entry[] a = pool.Rent(2);
        a[0] = E(1); a[1] = E(1);
        int slot = pool.OnSent(a, from: 0, id: 7, out string? breach);
        Assert.Null(breach);
        pool.AddCopy(slot);
        pool.AddCopy(slot); // the network duplicated it
        Assert.Null(pool.Intact(slot));
        pool.Release(slot);
        Assert.Equal(1, pool.InFlight);
        Assert.NotSame(a, pool.Rent(2)); // still in flight: another array
        pool.Release(slot);
        Assert.Equal(0, pool.InFlight);
        Assert.All(a, e => Assert.Null(e.Command)); // cleared on return
        Assert.Same(a, pool.Rent(2));
        Assert.Equal(2, pool.Allocated);
        Assert.Throws<InvalidOperationException>(() => pool.Release(slot)); // the transport never returns more than it held
    }

    [Fact]
    public void SendingAnArrayInFlight_OrReturned_AndWritingIntoOneInFlight_AreBreaches()
    {
        var pool = new EntryPool();
        Entry[] a = pool.Rent(1);
        a[0] = E(1);
        int slot = pool.OnSent(a, 0, 1, out _);
        pool.AddCopy(slot);
        Assert.Equal(-1, pool.OnSent(a, 0, 2, out string? twice));
        Assert.Contains("still in flight", twice);
        a[0] = E(2);
        Assert.Contains("changed while it was in flight", pool.Intact(slot));
        pool.Release(slot);
        Assert.Equal(-1, pool.OnSent(a, 0, 3, out string? returned));
        Assert.Contains("no longer held", returned);
        Assert.Equal(-1, pool.OnSent(new Entry[1], 0, 4, out string? foreign)); // an array the node allocated itself is not the pool's business
        Assert.Null(foreign);
    }

    private static ExploreSettings Pooled(NodeFactory? factory = null, bool asyncReady = true, int iterations = 2_000) => new()
    {
        Iterations = iterations,
        Workers = 1,
        SwarmRaft = false, // the settings' options for every schedule: pooled arrays on
        Raft = RaftOptions.Default with { EntryArrayPool = EntryPool.WorldOwned, MaxEntriesPerAppend = 2 },
        AsyncReady = asyncReady,
        Factory = factory,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheCorrectCore_WithPooledArrays_BreaksNothing_AndArraysAreReused(bool asyncReady)
    {
        Assert.Null(Explorer.Run(Pooled(asyncReady: asyncReady)).FirstViolation);
        long rents = 0, returns = 0, allocated = 0;
        ExploreSettings s = Pooled(asyncReady: asyncReady);
        for (int i = 0; i < 50; i++)
        {
            World? world = null;
            ScheduleResult r = ScheduleRunner.Run(s, i, ScheduleRunner.ScheduleSeed(s.Seed, i), StrategyCatalog.Create("random", 0), record: false, onWorld: w => world = w);
            Assert.Null(r.Violation);
            rents += world!.Pool!.Rents;
            returns += world.Pool.Returns;
            allocated += world.Pool.Allocated;
        }
        Assert.True(returns > 0 && allocated < rents, $"arrays were not reused: {rents} rents, {allocated} allocated, {returns} returned");
    }

    [Fact]
    public void ACoreThatReusesAnArrayItSent_IsReported_AsACoreError()
    {
        NodeFactory reuses = (id, n, seed, o, st) => new ReusesSentArrayNode(CoreNodes.Standard(id, n, seed, o, st));
        ScheduleResult found = Assert.IsType<ScheduleResult>(Explorer.Run(Pooled(reuses)).FirstViolation);
        Assert.Equal(Invariant.CoreError, found.Violation!.Invariant);
        Assert.True(found.Violation.Detail.Contains("still in flight") || found.Violation.Detail.Contains("no longer held"), found.Violation.Detail);
    }

    /// <summary>
    /// The scribble lands in an array the node handed out with its previous Ready; where the transport
    /// still holds it, delivery finds the entries changed. (Where the array was already delivered, what
    /// the scribble corrupts may show first as another invariant, so every violating schedule is kept.)
    /// </summary>
    [Fact]
    public void ACoreThatWritesIntoAnArrayInFlight_IsReported_AsACoreError()
    {
        NodeFactory writes = (id, n, seed, o, st) => new WritesIntoSentArrayNode(CoreNodes.Standard(id, n, seed, o, st));
        ExploreReport r = Explorer.Run(Pooled(writes) with { StopAtFirst = false });
        Assert.Contains(r.Violations, v => v.Violation.Invariant == Invariant.CoreError && v.Violation.Detail.Contains("changed while it was in flight", StringComparison.Ordinal));
    }
}
