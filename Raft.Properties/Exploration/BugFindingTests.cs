using Raft.Model.Variants;
using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// The acceptance criterion: with the default budget (only the bug, the strategy and two workers
/// set; adversarial mode), every catalogued bug is found by at least two of the three
/// per-schedule strategies, as a violation of the invariant the catalog says it breaks, and the
/// correct core survives the same budget with every strategy, safety and liveness alike.
/// </summary>
public sealed class BugFindingTests(ITestOutputHelper output)
{
    private static ExploreSettings Default(string bug, string strategy) => new() { Bug = bug, Strategy = strategy, Workers = 2 };

    [Fact]
    public void TheDefaultBudget_IsTheDocumentedOne()
    {
        ExploreSettings s = Default("none", "random");
        Assert.Equal(WorldMode.Adversarial, s.Mode);
        Assert.Equal(10_000, s.Iterations);
        Assert.Equal(200, s.MaxSteps);
        Assert.Equal(FaultBudget.Default, s.Faults);
        Assert.True(s.Liveness);
        Assert.True(s.StopAtFirst);
        foreach (string bug in AcceptanceBugs) Assert.Contains(BugCatalog.All, b => b.Name == bug);
    }

    [Theory]
    [InlineData("vote-without-log-check")]
    [InlineData("commit-previous-term")]
    [InlineData("vote-not-durable")]
    public void EachBug_IsFoundByAtLeastTwoStrategies_AsTheInvariantItBreaks(string bug)
    {
        BugVariant variant = BugCatalog.All.Single(b => b.Name == bug);
        int finders = 0;
        output.WriteLine($"{bug} (breaks {variant.Breaks}):");
        output.WriteLine($"  {"strategy",-14} {"schedules-to-bug",16} {"step",5}  violation");
        foreach (string strategy in ScheduleStrategies)
        {
            ExploreReport r = Explorer.Run(Default(bug, strategy));
            Assert.False(r.CutByTimeLimit);
            if (r.FirstViolation is { } v)
            {
                bool right = v.Violation!.Invariant == variant.Breaks;
                if (right) finders++;
                output.WriteLine($"  {strategy,-14} {v.Iteration + 1,16} {v.ViolationStep,5}  {v.Violation.Invariant}{(right ? "" : " (not the catalogued invariant)")} in {r.Seconds:F1}s");
            }
            else
            {
                output.WriteLine($"  {strategy,-14} {"not found",16} {"-",5}  after {r.Coverage.Schedules} schedules in {r.Seconds:F1}s");
            }
        }
        Assert.True(finders >= 2, $"{bug} was found as {variant.Breaks} by {finders} of 3 strategies");
    }

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    [InlineData("delay-bounded")]
    [InlineData("guided")]
    public void TheCorrectCore_SurvivesTheDefaultBudget(string strategy)
    {
        ExploreReport r = Explorer.Run(Default("none", strategy));
        output.WriteLine($"{strategy}: {Fingerprint(r)} in {r.Seconds:F1}s");
        Assert.True(r.FirstViolation is null, $"{strategy}: {r.FirstViolation?.Violation} in schedule {r.FirstViolation?.Iteration}");
        Assert.Equal(0, r.ViolatingSchedules);
        Assert.False(r.CutByTimeLimit);
        Assert.Equal(10_000, r.Coverage.Schedules);
        Assert.Equal(10_000, r.Coverage.LivenessChecked);
        Assert.True(r.Coverage.Elections > 0 && r.Coverage.Commits > 0);
        Assert.True(r.Coverage.Crashes > 0 && r.Coverage.Partitions > 0, "the default budget should inject faults");
    }
}
