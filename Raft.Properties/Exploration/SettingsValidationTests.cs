using Raft.Model.Variants;
using Raft.Model.Simulation;
using Raft.Core.Node;
using Raft.Model.Exploration;

namespace Raft.Properties.Exploration;

/// <summary>Impossible exploration settings and fault budgets are refused with an <see cref="ArgumentException"/>, before anything runs.</summary>
public sealed class SettingsValidationTests
{
    private static readonly ExploreSettings Ok = new() { Workers = 2 };

    private static readonly Dictionary<string, ExploreSettings> ImpossibleSettings = new()
    {
        { "nodes 10", Ok with { Nodes = 10 } },
        { "nodes -1", Ok with { Nodes = -1 } },
        { "iterations 0", Ok with { Iterations = 0 } },
        { "iterations -5", Ok with { Iterations = -5 } },
        { "max-steps 0", Ok with { MaxSteps = 0 } },
        { "proposals -1", Ok with { Proposals = -1 } },
        { "workers 0", Ok with { Workers = 0 } },
        { "shard 3/2", Ok with { ShardIndex = 3, ShardCount = 2 } },
        { "shard 0/2", Ok with { ShardIndex = 0, ShardCount = 2 } },
        { "shard 1/0", Ok with { ShardIndex = 1, ShardCount = 0 } },
        { "negative crashes", Ok with { Faults = new FaultBudget(Crashes: -1) } },
        { "negative duplicates", Ok with { Faults = new FaultBudget(Duplicates: -1) } },
        { "unknown strategy", Ok with { Strategy = "bogus" } },
        { "strategy in capitals", Ok with { Strategy = "Random" } },
        { "replay is not an exploration strategy", Ok with { Strategy = "replay" } },
        { "dfs in timed mode", Ok with { Strategy = "dfs", Mode = WorldMode.Timed } },
        { "a parameter for random", Ok with { StrategyParameter = 3 } },
        { "a parameter for guided", Ok with { Strategy = "guided", StrategyParameter = 3 } },
        { "unknown bug", Ok with { Bug = "bogus" } },
        { "empty bug", Ok with { Bug = "" } },
        { "liveness bound 99 ms", Ok with { LivenessBoundMs = 99 } },
        { "election ticks not above heartbeat", Ok with { Raft = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 10 } } },
        { "heartbeat 0", Ok with { Raft = new RaftOptions { HeartbeatTicks = 0 } } },
    };

    public static TheoryData<string> Impossible() => new(ImpossibleSettings.Keys);

    public static TheoryData<string> Possible() => new(PossibleSettings.Keys);

    [Theory]
    [MemberData(nameof(Impossible))]
    public void AnImpossibleConfiguration_IsRejected_BeforeAnythingRuns(string what)
    {
        ExploreSettings s = ImpossibleSettings[what];
        ArgumentException e = Assert.Throws<ArgumentException>(s.Validate);
        Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<ArgumentException>(() => Explorer.Run(s));
    }

    private static readonly Dictionary<string, ExploreSettings> PossibleSettings = new()
    {
        { "defaults", Ok },
        { "nodes 0 (swarm draws 3 or 5)", Ok with { Nodes = 0 } },
        { "nodes 1", Ok with { Nodes = 1 } },
        { "nodes 9", Ok with { Nodes = 9 } },
        { "shard 3/3", Ok with { ShardIndex = 3, ShardCount = 3 } },
        { "no faults, no proposals", Ok with { Faults = FaultBudget.NoFaults, Proposals = 0 } },
        { "dfs", Ok with { Strategy = "dfs" } },
        { "timed pct", Ok with { Strategy = "pct", Mode = WorldMode.Timed } },
        { "a catalogued bug", Ok with { Bug = "vote-not-durable" } },
        { "liveness bound 100 ms", Ok with { LivenessBoundMs = 100 } },
    };

    [Theory]
    [MemberData(nameof(Possible))]
    public void APossibleConfiguration_IsAccepted(string what)
    {
        ExploreSettings s = PossibleSettings[what];
        Exception? e = Record.Exception(s.Validate);
        Assert.True(e is null, $"{what}: {e?.Message}");
    }

    [Fact]
    public void EveryCatalogedBug_AndNone_IsAccepted()
    {
        Ok.Validate();
        foreach (BugVariant b in BugCatalog.All) (Ok with { Bug = b.Name }).Validate();
    }

    [Fact]
    public void NodesZero_DrawsThreeFiveOrSevenNodesPerSchedule()
    {
        var s = Ok with { Nodes = 0 };
        var sizes = Enumerable.Range(0, 64).Select(i => SwarmParameters.Draw(s, ScheduleRunner.ScheduleSeed(1, i)).Nodes).ToHashSet();
        Assert.Equal(new[] { 3, 5, 7 }, sizes.Order());
        Assert.Equal(0, new ExploreSettings().Nodes); // swarm sizing is the default
        Assert.Equal(1, Explorer.Run(s with { Iterations = 1 }).Coverage.Schedules);
    }

    [Fact]
    public void AShardWithNoIterations_RunsNothing()
    {
        ExploreReport r = Explorer.Run(Ok with { Iterations = 2, ShardIndex = 3, ShardCount = 3 });
        Assert.Equal(0, r.Planned);
        Assert.Equal(0, r.Coverage.Schedules);
        Assert.Null(r.FirstViolation);
    }

    [Fact]
    public void ATickOfZeroOrLessMilliseconds_IsRejected()
    {
        Assert.Throws<ArgumentException>((Ok with { TickMs = 0 }).Validate);
        Assert.Throws<ArgumentException>((Ok with { TickMs = -1 }).Validate);
    }

    [Theory]
    [InlineData("none", 0, 0, 0, 0)]
    [InlineData("  none ", 0, 0, 0, 0)]
    [InlineData("crashes=1", 1, 3, 20, 10)]
    [InlineData("crashes=0,partitions=1,drops=5,duplicates=2", 0, 1, 5, 2)]
    [InlineData(" drops = 7 , crashes=4 ", 4, 3, 7, 10)]
    [InlineData("duplicates=0,duplicates=3", 2, 3, 20, 3)]
    [InlineData("", 2, 3, 20, 10)]
    public void FaultBudgetParse_ReadsAnySubset(string text, int crashes, int partitions, int drops, int duplicates) =>
        Assert.Equal(new FaultBudget(crashes, partitions, drops, duplicates), FaultBudget.Parse(text));

    [Fact]
    public void FaultBudgetParse_ReadsWhatToStringWrites()
    {
        foreach (FaultBudget b in new[] { FaultBudget.Default, FaultBudget.NoFaults, new FaultBudget(7, 0, 123, 1) })
            Assert.Equal(b, FaultBudget.Parse(b.ToString()));
    }

    [Theory]
    [InlineData("crashes")]
    [InlineData("crashes=")]
    [InlineData("crashes=-1")]
    [InlineData("crashes=+1")]
    [InlineData("crashes=1.5")]
    [InlineData("crashes=x")]
    [InlineData("crashes=99999999999")]
    [InlineData("crash=1")]
    [InlineData("Crashes=1")]
    [InlineData("bogus=1")]
    [InlineData("crashes=1;drops=2")]
    [InlineData("none,crashes=1")]
    [InlineData("=3")]
    public void FaultBudgetParse_RejectsAnythingElse(string text)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => FaultBudget.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
