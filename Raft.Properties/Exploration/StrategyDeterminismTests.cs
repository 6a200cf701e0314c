using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// A run is a pure function of its settings and seed: for every per-schedule strategy in both
/// world modes, two runs give the same coverage numbers, the same first violation and a
/// byte-identical trace, and another seed gives another run.
/// </summary>
public sealed class StrategyDeterminismTests(ITestOutputHelper output)
{
    private const string Bug = "vote-without-log-check"; // found quickly by every strategy in both modes

    public static TheoryData<string, WorldMode> Cases()
    {
        var data = new TheoryData<string, WorldMode>();
        foreach (string s in ScheduleStrategies)
        {
            data.Add(s, WorldMode.Adversarial);
            data.Add(s, WorldMode.Timed);
        }
        return data;
    }

    private static ExploreSettings Correct(string strategy, WorldMode mode, ulong seed) =>
        new() { Strategy = strategy, Mode = mode, Iterations = 150, Workers = 2, Seed = seed };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameSettingsAndSeed_GiveIdenticalCoverage(string strategy, WorldMode mode)
    {
        ExploreReport a = Explorer.Run(Correct(strategy, mode, 42));
        ExploreReport b = Explorer.Run(Correct(strategy, mode, 42));
        output.WriteLine(Fingerprint(a));

        Assert.Null(a.FirstViolation);
        Assert.Equal(150, a.Coverage.Schedules);
        Assert.True(a.Coverage.Steps > a.Coverage.Schedules, "schedules should take steps");
        Assert.True(a.Coverage.Elections > 0 && a.Coverage.Commits > 0 && a.Coverage.DistinctTransitions > 3, "the run should exercise Raft");
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.Equal(a.Coverage.TransitionNames(), b.Coverage.TransitionNames());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameSettingsAndSeed_ReportTheSameFirstViolation_WithAByteIdenticalTrace(string strategy, WorldMode mode)
    {
        var s = new ExploreSettings { Bug = Bug, Strategy = strategy, Mode = mode, Iterations = 2000, Workers = 2, Seed = 7 };
        ExploreReport a = Explorer.Run(s);
        ExploreReport b = Explorer.Run(s);

        Assert.NotNull(a.FirstViolation);
        Assert.NotNull(b.FirstViolation);
        ScheduleResult va = a.FirstViolation!, vb = b.FirstViolation!;
        output.WriteLine($"{strategy}/{mode}: iteration {va.Iteration}, step {va.ViolationStep}: {va.Violation}");
        Assert.Equal(va.Iteration, vb.Iteration);
        Assert.Equal(va.Seed, vb.Seed);
        Assert.Equal(va.ViolationStep, vb.ViolationStep);
        Assert.Equal(va.Violation!.Invariant, vb.Violation!.Invariant);
        Assert.Equal(va.Violation.ToString(), vb.Violation.ToString());
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.Equal(TraceBytes(va), TraceBytes(vb));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ADifferentSeed_GivesADifferentRun(string strategy, WorldMode mode)
    {
        ExploreReport a = Explorer.Run(Correct(strategy, mode, 42) with { Iterations = 60 });
        ExploreReport b = Explorer.Run(Correct(strategy, mode, 43) with { Iterations = 60 });
        Assert.NotEqual(Fingerprint(a.Coverage), Fingerprint(b.Coverage));

        // and one schedule: the same seed gives the same steps, another seed other steps
        var s = Correct(strategy, mode, 42);
        string Events(ulong seed) => string.Join("\n", ScheduleRunner.Run(s, 0, seed, StrategyCatalog.Create(strategy, 0), record: true).Trace!.Select(t => t.Event));
        Assert.Equal(Events(11), Events(11));
        Assert.NotEqual(Events(11), Events(12));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ADifferentSeed_FindsTheBugInADifferentSchedule(string strategy, WorldMode mode)
    {
        var s = new ExploreSettings { Bug = Bug, Strategy = strategy, Mode = mode, Iterations = 2000, Workers = 2 };
        ScheduleResult a = Explorer.Run(s with { Seed = 7 }).FirstViolation!;
        ScheduleResult b = Explorer.Run(s with { Seed = 8 }).FirstViolation!;
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotEqual(a.Seed, b.Seed);
        Assert.NotEqual(a.Trace!.Select(t => t.Event), b.Trace!.Select(t => t.Event));
    }
}
