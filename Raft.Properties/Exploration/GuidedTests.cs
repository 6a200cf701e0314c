using Raft.Core.Determinism;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Guided;
using Raft.Model.Simulation;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// The guided strategy: a schedule is its choice sequence, so it re-runs exactly from its own
/// draws and a mutation that keeps a prefix keeps the steps it drove; the corpus takes only
/// schedules that reached something new; a run depends on its seed alone (workers never change it,
/// a shard is its own deterministic campaign).
/// </summary>
public sealed class GuidedTests(ITestOutputHelper output)
{
    private static readonly ExploreSettings Settings = new() { Strategy = "guided", Seed = 4, Workers = 1 };

    private static ScheduleResult RunPlan(SchedulePlan plan, bool record = true) =>
        ScheduleRunner.Run(Settings with { MaxSteps = plan.MaxSteps }, 0, plan.WorldSeed, new GuidedStrategy(plan), record, plan.Swarm);

    private static SchedulePlan FreshPlan(ulong seed) =>
        new(seed, SwarmParameters.Draw(Settings, seed), Settings.MaxSteps, [], Rng.Derive(seed, SeedStream.Strategy), "fresh");

    [Fact]
    public void ASchedule_RunAgainFromItsOwnDraws_IsTheSameSchedule()
    {
        ScheduleResult first = RunPlan(FreshPlan(11));
        Assert.NotNull(first.Choices);
        Assert.True(first.Choices!.Length > first.Steps, "every step draws at least once");
        // the same draws with another fresh seed behind them: nothing is drawn past them, so nothing changes
        ScheduleResult again = RunPlan(FreshPlan(11) with { Choices = first.Choices, FreshSeed = 999 });
        Assert.Equal(TraceBytes(first), TraceBytes(again));
        Assert.Equal(first.Choices, again.Choices);
    }

    [Theory]
    [InlineData(21UL, "random")]
    [InlineData(22UL, "random")]
    [InlineData(23UL, "pct")]
    [InlineData(24UL, "delay-bounded")]
    public void AScheduleFromScratch_IsItsBlindStrategysSchedule_OfTheSameSeed(ulong seed, string mode)
    {
        ScheduleResult guided = RunPlan(FreshPlan(seed) with { Mode = mode });
        ScheduleResult random = ScheduleRunner.Run(Settings with { Strategy = mode }, 0, seed, Raft.Model.Exploration.Strategies.StrategyCatalog.Create(mode, 0), record: true);
        Assert.Equal(random.Trace!.Count, guided.Trace!.Count);
        for (int i = 0; i < random.Trace.Count; i++)
        {
            Assert.Equal(random.Trace[i].Event, guided.Trace[i].Event);
            Assert.Equal(random.Trace[i].Decisions, guided.Trace[i].Decisions);
        }
    }

    [Fact]
    public void AFork_FollowsItsParent_WhileThePrefixLasts_ThenGoesItsOwnWay()
    {
        ScheduleResult parent = RunPlan(FreshPlan(12));
        int cut = parent.Choices!.Length / 2;
        ScheduleResult child = RunPlan(FreshPlan(12) with { Choices = parent.Choices[..cut], FreshSeed = 77 });
        Assert.Equal(parent.Choices[..cut], child.Choices![..cut]);
        // the steps taken with the prefix's draws alone are the parent's
        int same = 0;
        while (same < Math.Min(parent.Trace!.Count, child.Trace!.Count) && parent.Trace[same].Event == child.Trace[same].Event
            && parent.Trace[same].Decisions.SequenceEqual(child.Trace[same].Decisions)) same++;
        output.WriteLine($"parent {parent.Steps} steps, {parent.Choices.Length} draws; cut at draw {cut}; {same} steps alike");
        Assert.True(same >= parent.Steps / 3, $"only {same} steps alike");
        Assert.NotEqual(TraceBytes(parent), TraceBytes(child));
    }

    [Fact]
    public void AMutantsTrace_HoldsTheWorldItRanIn_AndReplaysFromTheFileAlone()
    {
        ScheduleResult parent = RunPlan(FreshPlan(31));
        // a child as Mutations makes them: the parent's world with redrawn timers, a doubled bound, half its draws
        SchedulePlan child = FreshPlan(31) with
        {
            Swarm = parent.Swarm with { Raft = parent.Swarm.Raft! with { ElectionTicks = 55, HeartbeatTicks = 12 } },
            MaxSteps = 2 * Settings.MaxSteps,
            Choices = parent.Choices![..(parent.Choices.Length / 2)],
            FreshSeed = 5,
            Origin = "fork",
        };
        ScheduleResult run = RunPlan(child);
        Assert.True(run.Steps > Settings.MaxSteps, $"the child used its deeper bound: {run.Steps} steps"); // so a header with the run's bound could not replay it
        Raft.Model.Traces.TraceFile read = Raft.Model.Traces.TraceReader.Parse(
            System.Text.Encoding.UTF8.GetString(TraceBytes(run)).Split('\n'), "child.trace.jsonl");
        Assert.Equal(2 * Settings.MaxSteps, read.Settings.MaxSteps);
        Assert.Equal(55, read.Swarm.Raft!.ElectionTicks);
        Assert.Equal(31UL, read.ScheduleSeed);
        Raft.Model.Traces.ReplayReport replay = Raft.Model.Traces.Replayer.Replay(read);
        Assert.Equal(Raft.Model.Traces.ReplayStatus.Passed, replay.Status);
        Assert.Equal(run.Trace!.Count, replay.Run!.Trace!.Count);
    }

    [Fact]
    public void Features_CarryTheDrawIndex_AtWhichTheyWereFirstReached()
    {
        ScheduleResult r = RunPlan(FreshPlan(13), record: false);
        Feature[] f = r.Features!;
        Assert.NotEmpty(f);
        Assert.Equal(f.Length, f.Select(x => x.Code).Distinct().Count());
        Assert.Contains(f, x => x.At == 0); // the initial state, before any draw
        Assert.All(f, x => Assert.InRange(x.At, 0, r.Choices!.Length));
    }

    [Fact]
    public void TheCorpus_KeepsOnlySchedulesThatReachedSomethingNew()
    {
        var guide = new Guide(Settings);
        SchedulePlan plan = guide.Plan(0);
        Assert.Equal("fresh", plan.Origin); // an empty corpus: from scratch
        ScheduleResult r = RunPlan(plan, record: false);
        r.Plan = plan;
        guide.Observe(r);
        guide.EndRound();
        Assert.Equal(1, guide.CorpusSize);
        long features = guide.Features;
        Assert.Equal(r.Features!.Length, features);
        // the same schedule again brings nothing new
        guide.Observe(r);
        guide.EndRound();
        Assert.Equal(1, guide.CorpusSize);
        Assert.Equal(features, guide.Features);
        // from now on most plans mutate the corpus entry, and the same iteration always gets the same plan
        int mutated = Enumerable.Range(1, 200).Count(i => guide.Plan(i).Origin != "fresh");
        Assert.InRange(mutated, 0, 60); // the corpus is young: most plans are still from scratch
        Assert.InRange(Enumerable.Range(5000, 200).Count(i => guide.Plan(i).Origin != "fresh"), 100, 190);
        SchedulePlan a = guide.Plan(57), b = guide.Plan(57);
        Assert.Equal(a, b with { Choices = a.Choices });
        Assert.Equal(a.Choices, b.Choices);
    }

    [Fact]
    public void AYoungCorpus_LeavesMostSchedulesToChance_AndTheShareDecaysToItsFloor()
    {
        Assert.Equal(1000, Guide.FreshShare(0));
        Assert.Equal(Guide.FreshPerThousand + (1000 - Guide.FreshPerThousand) / 2, Guide.FreshShare(Guide.FreshHalfLife));
        Assert.Equal(Guide.FreshPerThousand, Guide.FreshShare(100 * Guide.FreshHalfLife));
        for (long p = 1; p < 20 * Guide.FreshHalfLife; p++) Assert.True(Guide.FreshShare(p) <= Guide.FreshShare(p - 1));
    }

    [Fact]
    public void AGuidedRun_MutatesMostSchedules_AndItsCorpusGrowsWithNews()
    {
        ExploreReport r = Explorer.Run(Settings with { Iterations = 1200, Workers = 2 });
        output.WriteLine(r.Guidance?.ToString());
        Assert.Null(r.FirstViolation);
        GuidanceSummary g = r.Guidance!;
        Assert.InRange(g.CorpusSize, 10, 1199);
        Assert.True(g.Features > g.CorpusSize, "each corpus entry brought at least one feature");
        Assert.Equal(["delete", "fault", "fork", "fresh", "havoc", "splice"], g.Origins.Select(o => o.Origin));
        Assert.Equal(1200, g.Origins.Sum(o => o.Made));
        Assert.Equal(g.CorpusSize, g.Origins.Sum(o => o.New));
        Assert.True(g.Origins.Where(o => o.Origin != "fresh").Sum(o => o.Made) > 500, "once the corpus matures, most schedules are mutations");
    }

    [Fact]
    public void AShard_IsItsOwnCampaign_TheSameEveryTime_OnDisjointSchedules()
    {
        var s = Settings with { Iterations = 300, StopAtFirst = false, Workers = 2, ShardCount = 3 };
        ExploreReport a = Explorer.Run(s with { ShardIndex = 2 }), b = Explorer.Run(s with { ShardIndex = 2, Workers = 1 });
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.Equal(100, a.Coverage.Schedules);
    }
}
