using Raft.Model.Contract;
using Raft.Model.Nodes;
using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// The model checker exhausts small bounded configurations, finds a bug that needs a precise
/// interleaving, records it as a replayable trace, and refuses the timed mode.
/// </summary>
public sealed class DfsTests(ITestOutputHelper output)
{
    private static ExploreSettings Small(int maxSteps, string bug = "none") => new()
    {
        Strategy = "dfs",
        Nodes = 3,
        MaxSteps = maxSteps,
        Proposals = 1,
        Faults = FaultBudget.NoFaults,
        Iterations = 5_000_000,
        Bug = bug,
        Workers = 2,
    };

    [Fact]
    public void ASmallBoundedSpace_IsExhausted_WithoutAViolation()
    {
        ExploreReport r = Explorer.Run(Small(8));
        output.WriteLine($"dfs nodes=3 max-steps=8 proposals=1 no faults: exhausted={r.Exhausted} states={r.StatesVisited} paths={r.Coverage.Schedules} steps={r.Coverage.Steps} in {r.Seconds:F1}s");
        Assert.True(r.Exhausted);
        Assert.True(r.StatesVisited > 0);
        Assert.Null(r.FirstViolation);
        Assert.Equal(0, r.ViolatingSchedules);
        Assert.False(r.CutByTimeLimit);
        Assert.True(r.Coverage.Schedules > 1 && r.Coverage.Schedules < 5_000_000);
        Assert.True(r.Coverage.Elections > 0, "some path should elect a leader within 8 steps");
    }

    /// <summary>The core, reporting no status: the state hash cannot see progress or votes.</summary>
    private sealed class Silent(IRaftNode inner) : ForwardingNode(inner)
    {
        public override IRaftNodeStatus? Status => null;
    }

    [Fact]
    public void ANodeWithoutStatus_IsNeverReportedAsExhausted()
    {
        // the same space the core exhausts (above), with the status hidden: dfs may have merged states it could not tell apart
        ExploreReport r = Explorer.Run(Small(8) with { Factory = (id, n, seed, o, st) => new Silent(CoreNodes.Standard(id, n, seed, o, st)) });
        Assert.True(r.PartialStateHash);
        Assert.False(r.Exhausted);
        Assert.False(Explorer.Run(Small(8)).PartialStateHash);
    }

    [Fact]
    public void ARunOutOfPaths_IsNotReportedAsExhausted()
    {
        ExploreReport r = Explorer.Run(Small(8) with { Iterations = 500 });
        Assert.False(r.Exhausted);
        Assert.Equal(500, r.Coverage.Schedules);
        Assert.True(r.StatesVisited > 0);
    }

    [Fact]
    public void TheSearch_IsDeterministic()
    {
        ExploreReport a = Explorer.Run(Small(5));
        ExploreReport b = Explorer.Run(Small(5));
        Assert.True(a.Exhausted);
        Assert.Equal(a.StatesVisited, b.StatesVisited);
        Assert.Equal(Fingerprint(a.Coverage), Fingerprint(b.Coverage));
        // a deeper bound sees at least the states of a shallower one
        Assert.True(Explorer.Run(Small(6)).StatesVisited >= a.StatesVisited);
    }

    [Fact]
    public void VoteWithoutLogCheck_IsFound_AndItsTraceReplays()
    {
        ExploreReport r = Explorer.Run(Small(12, "vote-without-log-check"));
        Assert.NotNull(r.FirstViolation);
        ScheduleResult v = r.FirstViolation!;
        output.WriteLine($"found after {r.Coverage.Schedules} paths, {r.StatesVisited} states: step {v.ViolationStep}: {v.Violation}");
        Assert.Equal(Invariant.LeaderCompleteness, v.Violation!.Invariant);
        Assert.False(r.Exhausted);
        Assert.Equal(1, r.ViolatingSchedules);
        Assert.InRange(v.ViolationStep, 0, 11);

        TraceFile trace = TraceFile.From(v);
        Assert.Equal("dfs", trace.Settings.Strategy);
        ReplayReport direct = Replayer.Replay(trace);
        Assert.Equal(ReplayStatus.Reproduced, direct.Status);
        Assert.Equal(v.ViolationStep, direct.Run!.ViolationStep);

        TraceFile back = Parse(Lines(trace)); // and through the file format
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(back).Status);
    }

    [Fact]
    public void TheCorrectCore_HasNoViolationInTheSameSpace_AsFarAsTheSearchGoes()
    {
        ExploreReport r = Explorer.Run(Small(12) with { Iterations = 5_000 });
        output.WriteLine($"correct core, max-steps=12: {r.Coverage.Schedules} paths, {r.StatesVisited} states, exhausted={r.Exhausted}");
        Assert.Null(r.FirstViolation);
    }

    [Fact]
    public void TheTimedMode_IsRejected()
    {
        ExploreSettings timed = Small(8) with { Mode = WorldMode.Timed };
        ArgumentException e = Assert.Throws<ArgumentException>(timed.Validate);
        Assert.Contains("dfs", e.Message);
        Assert.Throws<ArgumentException>(() => Explorer.Run(timed));
    }
}
