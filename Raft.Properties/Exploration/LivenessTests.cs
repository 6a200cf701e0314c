using Raft.Model.Simulation;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Xunit.Abstractions;
using Raft.Model.Events;

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
        Assert.Equal("one() failed", summary);
        Assert.Contains("within 1000 ms after the heal: no node ever accepted the command as leader", w.Violation.Detail);
        Assert.Contains("no leader ever", w.Violation.Detail);
    }

    [Fact]
    public void AHealthyWorld_PassesWithALeader_AndTheProbeAppliedEverywhere()
    {
        var s = new ExploreSettings { Swarm = false };
        World w = World(s);
        string summary = w.RunLiveness(s.LivenessBoundMs);
        output.WriteLine(summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("one() agreed at index 1 after ", summary);
        Assert.InRange(w.AgreedAfterMs, 1, s.LivenessBoundMs);
        Assert.Contains(Enumerable.Range(0, w.Size), i => w.Cluster.Node(i)!.Role == Role.Leader);
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
        Assert.StartsWith("one() agreed", summary);
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
        Assert.Equal("one() failed", v.LivenessSummary);
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

    [Fact]
    public void TheFairPhaseOfVersion1Traces_StillRuns_WhenTheSwarmParametersSaySo()
    {
        var s = new ExploreSettings { Swarm = false, Nodes = 3 };
        var fair = new SwarmParameters(3, 100, 100, 100, 20, 20, 1, 1, 1, 1); // no Liveness: the fair phase
        var w = new World(s, fair, 1);
        string summary = w.RunLiveness(5000);
        output.WriteLine(summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("leader ", summary);
        Assert.Contains("applied everywhere", summary);
    }

    [Fact]
    public void TheLabPhase_IsAFunctionOfTheSeed()
    {
        var s = new ExploreSettings { Nodes = 5, Seed = 3 };
        for (ulong seed = 1; seed <= 20; seed++)
        {
            SwarmParameters p = SwarmParameters.Draw(s, seed);
            Assert.Equal(LivenessModel.Lab, p.Liveness);
            Assert.InRange(p.LiveReorderPerThousand, 0, 667); // never beyond labrpc's long reordering
            Assert.InRange(p.LiveDropPerThousand, 0, 100);
            string a = new World(s, p, seed).RunLiveness(s.LivenessBoundMs);
            string b = new World(s, p, seed).RunLiveness(s.LivenessBoundMs);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void TheLabPhase_DeliversMessagesFromBeforeTheHeal()
    {
        var s = new ExploreSettings { Nodes = 3, Faults = FaultBudget.NoFaults };
        SwarmParameters p = SwarmParameters.Draw(s, 9) with { LiveReorderPerThousand = 0, LiveDropPerThousand = 0, LiveDelayMs = 27 };
        var w = new World(s, p, 9);
        w.Execute(new EnabledEvent(EventKind.Timeout, 0), _ => 0); // node 0 campaigns; its RequestVotes are in flight at the heal
        Assert.True(w.PendingCount > 0);
        string summary = w.RunLiveness(s.LivenessBoundMs);
        output.WriteLine(summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("one() agreed", summary);
    }
}
