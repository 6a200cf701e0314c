using Raft.Model.Simulation;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Xunit.Abstractions;

namespace Raft.Properties.Exploration;

/// <summary>
/// The liveness phase heals the world and demands progress: a world that cannot elect a leader
/// within the bound is a Liveness violation, and a healthy world passes with a leader.
/// </summary>
public sealed class LivenessTests(ITestOutputHelper output)
{
    /// <summary>Election timeouts of 100000 ticks of 10 ms: no leader can appear within a one-second bound.</summary>
    private static readonly ExploreSettings Hopeless = new()
    {
        Raft = new RaftOptions { ElectionTicks = 100_000 },
        LivenessBoundMs = 1000,
        Faults = FaultBudget.NoFaults,
        Swarm = false,
        Workers = 2,
    };

    private static World World(ExploreSettings s, ulong seed = 1) => new(s, SwarmParameters.Draw(s, seed), seed);

    [Fact]
    public void AWorldThatCannotElectALeaderWithinTheBound_IsALivenessViolation()
    {
        World w = World(Hopeless);
        string summary = w.RunLiveness(Hopeless.LivenessBoundMs);
        output.WriteLine($"{summary}: {w.Violation}");
        Assert.NotNull(w.Violation);
        Assert.Equal(Invariant.Liveness, w.Violation!.Invariant);
        Assert.Equal("no leader", summary);
        Assert.Contains("no leader within 1000 ms", w.Violation.Detail);
    }

    [Fact]
    public void AHealthyWorld_PassesWithALeader_AndTheProbeAppliedEverywhere()
    {
        var s = new ExploreSettings { Swarm = false };
        World w = World(s);
        string summary = w.RunLiveness(s.LivenessBoundMs);
        output.WriteLine(summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("leader ", summary);
        Assert.Contains("applied everywhere", summary);
        int leader = int.Parse(summary.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Role.Leader, w.Cluster.Node(leader)!.Role);
        for (int i = 0; i < w.Size; i++) Assert.True(w.Cluster.Appliers[i].LastApplied >= 1);
    }

    [Fact]
    public void TheLivenessPhase_HealsPartitions_AndRestartsCrashedNodes()
    {
        var s = new ExploreSettings { Swarm = false, Nodes = 5 };
        World w = World(s, 4);
        w.Execute(new EnabledEvent(EventKind.Crash, 0), _ => 0);
        w.Execute(new EnabledEvent(EventKind.Crash, 1), _ => 0);
        w.Execute(new EnabledEvent(EventKind.Partition, -1), n => n == 3 ? 0 : 2); // isolate node 2
        Assert.False(w.Cluster.IsUp(0));
        Assert.False(w.LinkUp(2, 3));
        string summary = w.RunLiveness(s.LivenessBoundMs);
        output.WriteLine(summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("leader ", summary);
        for (int i = 0; i < 5; i++) Assert.True(w.Cluster.IsUp(i));
        Assert.True(w.LinkUp(2, 3));
        Assert.False(w.FaultsEnabled);
    }

    [Fact]
    public void TheExplorer_ReportsTheLivenessViolation_AfterTheStepBound_AndItReplays()
    {
        // timed mode: the one step lets the clock run, but no election timer can expire
        ExploreSettings s = Hopeless with { Mode = WorldMode.Timed, MaxSteps = 1, Iterations = 3 };
        ExploreReport r = Explorer.Run(s);
        Assert.NotNull(r.FirstViolation);
        ScheduleResult v = r.FirstViolation!;
        output.WriteLine($"{v.Violation} ({v.LivenessSummary})");
        Assert.Equal(0, v.Iteration);
        Assert.Equal(Invariant.Liveness, v.Violation!.Invariant);
        Assert.Equal(s.MaxSteps, v.ViolationStep);
        Assert.Equal("no leader", v.LivenessSummary);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceFile.From(v)).Status);

        // the same world without the liveness phase has nothing to report
        Assert.Null(Explorer.Run(s with { Liveness = false }).FirstViolation);
    }

    [Fact]
    public void TheCorrectCore_PassesTheLivenessPhase_AfterEveryKindOfSchedule()
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 150, Workers = 2, Nodes = 0, Seed = 11 });
        Assert.Null(r.FirstViolation);
        Assert.Equal(150, r.Coverage.LivenessChecked);
        ExploreReport timed = Explorer.Run(new ExploreSettings { Iterations = 150, Workers = 2, Mode = WorldMode.Timed, Seed = 11 });
        Assert.Null(timed.FirstViolation);
        Assert.Equal(150, timed.Coverage.LivenessChecked);
    }
}
