using Raft.Coyote;
using Raft.Model.Exploration;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Raft.Model.Variants;
using Xunit.Abstractions;

namespace Raft.Properties.Coyote;

/// <summary>
/// Microsoft Coyote's TestingEngine over the Raft harnesses (Raft.Coyote, docs/coyote.md): the
/// serial one (one actor, every event a Coyote choice) and the per-node one (an actor per node and
/// one for the environment). Both run the explorer's world and checks (swarm, liveness phase) and
/// write every finding as a RaftVerify trace. CI budgets are small and seeded; a campaign sets
/// RAFTVERIFY_COYOTE_ITERATIONS, _STRATEGY, _SEED (and _TIMEOUT) and runs
/// <c>dotnet test --filter Engine=Coyote</c>.
/// </summary>
[Trait("Engine", "Coyote")]
public sealed class CoyoteEngineTests(ITestOutputHelper output)
{
    private string Dir() => Path.Combine(Path.GetTempPath(), $"raftverify-coyote-{Guid.NewGuid():N}");

    private static CoyoteHarnessKind Kind(string harness) => harness switch
    {
        "serial" => CoyoteHarnessKind.Serial,
        "per-node" => CoyoteHarnessKind.PerNode,
        _ => throw new ArgumentException($"unknown harness '{harness}': expected serial or per-node"),
    };

    private void Print(CoyoteOutcome o, string what)
    {
        output.WriteLine($"{what}: Coyote {o.Budget}: {o.Iterations} iterations in {o.Seconds:F1} s ({o.IterationsPerSecond:F1}/s), bugs found {o.Report.NumOfFoundBugs}, iterations cut by Coyote's step bound {o.HitMaxSteps}");
        foreach (string b in o.Bugs) output.WriteLine("Coyote's bug report: " + b);
        foreach (CoyoteFinding f in o.Findings)
            output.WriteLine($"RaftVerify trace of the violation: {f.TracePath}{Environment.NewLine}  replay: {ToolCommand.Replay(f.TracePath)}{Environment.NewLine}  shrink: {ToolCommand.Shrink(f.TracePath)}");
        if (o.ReproducibleTrace is not null)
            output.WriteLine($"Coyote's reproducible trace ({o.ReproducibleTrace.Length} chars) replays with Configuration.WithReproducibleTrace; rerun this campaign with " +
                             $"{CoyoteBudget.StrategyVariable}={o.Budget.Strategy} {CoyoteBudget.SeedVariable}={o.Budget.Seed} {CoyoteBudget.IterationsVariable}={o.Budget.Iterations}");
    }

    private CoyoteOutcome Run(string bug, string harness, CoyoteBudget budget, string dir, Action<Raft.Model.Exploration.ScheduleResult>? onSchedule = null)
    {
        CoyoteOutcome o = CoyoteRunner.Run(new CoyoteHarnessOptions { Bug = bug, Harness = Kind(harness), TraceDirectory = dir, OnSchedule = onSchedule }, budget);
        Print(o, $"{bug}, {harness} harness");
        Assert.Equal(0, o.HitMaxSteps); // every iteration ended on the harness's own budget
        return o;
    }

    [Theory]
    [InlineData("serial", "random", 300)]
    [InlineData("serial", "q-learning", 300)]
    [InlineData("per-node", "fair-prioritization", 20)]
    [InlineData("per-node", "fair-delay-bounding", 20)]
    public void OnTheCorrectCore_CoyoteFindsNoViolation_NorALivenessBug(string harness, string strategy, uint iterations)
    {
        CoyoteBudget budget = CoyoteBudget.FromEnvironment(new CoyoteBudget { Strategy = strategy, Iterations = iterations });
        string dir = Dir();
        int schedules = 0, livenessPhases = 0;
        CoyoteOutcome o = Run("none", harness, budget, dir, r => { schedules++; if (r.LivenessSummary is not null) livenessPhases++; });
        // on failure the RaftVerify traces stay in the directory (the CI campaign uploads them)
        Assert.True(!o.FoundBug, $"Coyote found a bug on the correct core (RaftVerify traces in {dir}): {string.Join(Environment.NewLine, o.Bugs)}");
        Assert.Empty(o.Findings);
        Assert.Equal(o.Iterations, schedules);
        Assert.Equal(schedules, livenessPhases); // every schedule ended with the explorer's liveness phase
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// Every variant <c>raftverify bugs</c> lists has a row: the harness and strategy that find it
    /// within the CI budget (seed 1, at most the iterations given), or a skipped row saying why not
    /// (docs/coyote.md has the measurements). The variant's first violation is the finding; the catalog names the
    /// invariant it was written to break, but a variant may break another one first (quorum-off-by-one can elect two
    /// leaders in a term before a leader lacks durable votes), as the explorer's may.
    /// </summary>
    [Theory]
    [InlineData("vote-without-log-check", "serial", "random", 100)]
    [InlineData("commit-previous-term", "serial", "random", 3000)]
    [InlineData("vote-not-durable", "per-node", "prioritization", 50)]
    [InlineData("truncate-without-conflict", "serial", "random", 500)]
    [InlineData("term-not-durable", "per-node", "delay-bounding", 50)]
    [InlineData("voted-for-ignored", "serial", "q-learning", 100)]
    [InlineData("stale-reply-applied", "serial", "random", 100)]
    [InlineData("older-snapshot-installed", "serial", "random", 2000)]
    [InlineData("append-ack-before-durable", "per-node", "random", 50)]
    [InlineData("lower-term-append-accepted", "serial", "random", 5000)]
    [InlineData("quorum-off-by-one", "serial", "random", 50)]
    [InlineData("stale-votes-counted", "serial", "q-learning", 50)]
    [InlineData("forgets-snapshot-on-restart", "serial", "random", 1000)]
    [InlineData("timer-reset-on-step-down", "serial", "random", 500)]
    [InlineData("duplicate-detection-missing", "serial", "random", 300)]
    [InlineData("read-without-leadership-check", "serial", "random", 3000)]
    [InlineData("read-before-term-commit", "serial", "random", 3000)]
    [InlineData("lease-ignores-drift", "serial", "random", 10000)]
    public void OnEachCatalogVariant_ACoyoteHarnessFindsTheBug_WithinTheCiBudget(string bug, string harness, string strategy, uint iterations)
    {
        CoyoteBudget budget = CoyoteBudget.FromEnvironment(new CoyoteBudget { Strategy = strategy, Iterations = iterations });
        string dir = Dir();
        try
        {
            CoyoteOutcome o = Run(bug, harness, budget, dir);
            Assert.True(o.FoundBug, $"{bug}: the {harness} harness found nothing in {o.Iterations} iterations ({budget})");
            CoyoteFinding finding = Assert.Single(o.Findings);
            output.WriteLine($"{bug} (breaks {BugCatalog.Find(bug)!.Breaks}): found as {finding.Invariant}");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheCatalogTheory_HasARowForEveryListedVariant()
    {
        var rows = typeof(CoyoteEngineTests).GetMethod(nameof(OnEachCatalogVariant_ACoyoteHarnessFindsTheBug_WithinTheCiBudget))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).ToList();
        Assert.Equal(BugCatalog.Listed.Select(b => b.Name).Order(), rows.Order());
    }

    /// <summary>
    /// Beyond Coyote: a violation either harness finds is a RaftVerify trace that our replayer
    /// reproduces and our shrinker shrinks; and Coyote's own reproducible trace replays the same
    /// run, down to the same world events.
    /// </summary>
    [Theory]
    [InlineData("stale-votes-counted", "serial")]
    [InlineData("vote-not-durable", "per-node")]
    public void ACoyoteFoundViolation_IsARaftVerifyTrace_ThatReplayReproduces_AndShrinkShrinks_AndCoyotesOwnTraceReplaysToo(string bug, string harness)
    {
        string dir = Dir();
        try
        {
            var options = new CoyoteHarnessOptions { Bug = bug, Harness = Kind(harness), TraceDirectory = dir };
            CoyoteOutcome o = CoyoteRunner.Run(options, new CoyoteBudget { Strategy = "random", Iterations = 100, Seed = 1 });
            Print(o, bug);
            Assert.True(o.FoundBug);
            Assert.NotNull(o.ReproducibleTrace);
            CoyoteFinding finding = Assert.Single(o.Findings);
            Assert.Contains(finding.Invariant, o.Bugs[0]);
            Assert.Contains(finding.TracePath, o.Bugs[0]);

            // our replayer reproduces it (as `raftverify replay` does: exit 1, "reproduced")
            TraceFile trace = TraceReader.Read(finding.TracePath);
            ReplayReport replay = Replayer.Replay(trace);
            Assert.True(replay.Status == ReplayStatus.Reproduced, $"{replay.Status}: {replay.Divergence}");
            Assert.Equal(finding.Invariant, replay.Run!.Violation!.Invariant.ToString());

            // our shrinker shrinks it, to a trace that still reproduces
            ShrinkReport shrunk = Shrinker.Shrink(trace);
            output.WriteLine($"shrunk {shrunk.OriginalSteps} -> {shrunk.ShrunkSteps} steps, {shrunk.OriginalNodes} -> {shrunk.ShrunkNodes} nodes in {shrunk.Runs} runs ({shrunk.Seconds:F2} s)");
            Assert.True(shrunk.ShrunkSteps < shrunk.OriginalSteps, $"not shrunk: {shrunk.OriginalSteps} steps");
            Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(shrunk.Shrunk).Status);

            // Coyote's own reproducible trace replays the run: the same bug, and the same world events
            CoyoteOutcome again = CoyoteRunner.Run(options, new CoyoteBudget { Strategy = "random", Iterations = 1, Seed = 1 }, o.ReproducibleTrace);
            Assert.True(again.FoundBug, "Coyote's reproducible trace did not reproduce the bug");
            CoyoteFinding second = Assert.Single(again.Findings);
            Assert.Equal(finding.Invariant, second.Invariant);
            TraceFile replayed = TraceReader.Read(second.TracePath);
            Assert.Equal(trace.Steps.Select(s => s.Event), replayed.Steps.Select(s => s.Event));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A liveness finding (the liveness phase's one() gives up) reaches Coyote through the liveness monitor, and is a RaftVerify trace that replays.</summary>
    [Fact]
    public void ALivenessFinding_IsReportedByTheLivenessMonitor_AndReplays()
    {
        string dir = Dir();
        try
        {
            CoyoteOutcome o = Run("truncate-without-conflict", "serial", new CoyoteBudget { Strategy = "random", Iterations = 500, Seed = 1 }, dir);
            Assert.True(o.FoundBug);
            Assert.Contains("LivenessMonitor", o.Bugs[0]);
            CoyoteFinding finding = Assert.Single(o.Findings);
            Assert.Equal("Liveness", finding.Invariant);
            Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceReader.Read(finding.TracePath)).Status);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The engines side by side (scripts/compare-engines.sh), run only when asked: RAFTVERIFY_COYOTE_SURVEY=S
    /// gives every engine S seconds of wall clock per variant and seed, in this one process (so every engine
    /// runs warm: each first runs 2 s on the correct core). Engines (RAFTVERIFY_COYOTE_SURVEY_ENGINES,
    /// comma-separated) are <c>ours:&lt;strategy&gt;</c> (the explorer, one worker, as <c>raftverify explore
    /// --workers 1 --time-limit S</c>) and <c>serial:&lt;strategy&gt;</c> or <c>per-node:&lt;strategy&gt;</c>
    /// (a Coyote harness and strategy). Seeds: RAFTVERIFY_COYOTE_SURVEY_SEEDS (ours, default 1..5); Coyote's
    /// are the same times <see cref="CoyoteSeedSpacing"/>, further apart than any run's iterations, since
    /// Coyote's iteration i of seed s draws from Random(s+i). Variants: RAFTVERIFY_COYOTE_SURVEY_BUGS (default
    /// the correct core and every listed variant). One tab-separated line per run is appended to
    /// RAFTVERIFY_COYOTE_SURVEY_OUT: variant, engine, seed, found (1/0), schedules run (to the first
    /// violation, when found), seconds (likewise), the violated invariant.
    /// </summary>
    [Fact]
    public void Survey_WhenAskedFor()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY"), out int seconds) || seconds < 1)
        {
            output.WriteLine("not asked for: set RAFTVERIFY_COYOTE_SURVEY=<seconds per run> (and RAFTVERIFY_COYOTE_SURVEY_OUT=<file>)");
            return;
        }
        string? file = Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY_OUT");
        uint[] seeds = (Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY_SEEDS") is { Length: > 0 } s ? s : "1,2,3,4,5").Split(',').Select(uint.Parse).ToArray();
        string[] bugs = Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY_BUGS") is { Length: > 0 } chosen
            ? chosen.Split(',') : ["none", .. BugCatalog.Listed.Select(b => b.Name)];
        string[] engines = Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY_ENGINES") is { Length: > 0 } listed ? listed.Split(',') : SurveyEngines;
        string dir = Dir();
        try
        {
            foreach (string engine in engines) SurveyRun("none", engine, 1, 2, dir); // warm-up, not reported
            foreach (string bug in bugs)
                foreach (string engine in engines)
                    foreach (uint seed in seeds)
                    {
                        (bool found, long schedules, double secs, string invariant) = SurveyRun(bug, engine, seed, seconds, dir);
                        string line = $"{bug}\t{engine}\t{seed}\t{(found ? 1 : 0)}\t{schedules}\t{secs:F2}\t{invariant}";
                        output.WriteLine(line);
                        if (file is not null) File.AppendAllText(file, line + Environment.NewLine);
                    }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The engines scripts/compare-engines.sh compares: our four strategies, and each Coyote harness with its meaningful strategies.</summary>
    public static readonly string[] SurveyEngines =
        ["ours:random", "ours:pct", "ours:delay-bounded", "ours:guided", "serial:random", "serial:q-learning", "per-node:prioritization", "per-node:delay-bounding"];

    /// <summary>Coyote seed k is k times this: further apart than the iterations of any run (each is capped below it).</summary>
    public const uint CoyoteSeedSpacing = 1_000_000;

    private static (bool Found, long Schedules, double Seconds, string Invariant) SurveyRun(string bug, string engine, uint seed, int seconds, string dir)
    {
        string[] parts = engine.Split(':');
        if (parts[0] == "ours")
        {
            ExploreReport r = Explorer.Run(new ExploreSettings { Bug = bug, Strategy = parts[1], Seed = seed, Iterations = 100_000_000, TimeLimitSeconds = seconds, Workers = 1 });
            return r.FirstViolation is { } v
                ? (true, v.Iteration + 1, r.Seconds, v.Violation!.Invariant.ToString())
                : (false, r.Coverage.Schedules, r.Seconds, "");
        }
        var budget = new CoyoteBudget { Strategy = parts[1], Iterations = CoyoteSeedSpacing - 1, Seed = seed * CoyoteSeedSpacing, TimeoutSeconds = seconds };
        CoyoteOutcome o = CoyoteRunner.Run(new CoyoteHarnessOptions { Bug = bug, Harness = Kind(parts[0]), TraceDirectory = dir }, budget);
        return (o.FoundBug, o.Iterations, o.Seconds, o.Findings.Count > 0 ? o.Findings[0].Invariant : "");
    }

    /// <summary>
    /// Iterations per second, run only when asked (docs/coyote.md): RAFTVERIFY_COYOTE_THROUGHPUT=S runs each
    /// engine in RAFTVERIFY_COYOTE_SURVEY_ENGINES (default serial:random, serial:q-learning, per-node:random,
    /// per-node:prioritization) on the correct core for 5 s to warm up, then for S seconds, and prints the
    /// warm rate with the load average at the time (/proc/loadavg). RAFTVERIFY_COYOTE_THROUGHPUT_WORLD=light
    /// measures a lighter world instead (3 nodes, no liveness phase), to see what Coyote itself costs.
    /// </summary>
    [Fact]
    public void Throughput_WhenAskedFor()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_THROUGHPUT"), out int seconds) || seconds < 1)
        {
            output.WriteLine("not asked for: set RAFTVERIFY_COYOTE_THROUGHPUT=<seconds>");
            return;
        }
        string[] engines = (Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_SURVEY_ENGINES") ?? "serial:random,serial:q-learning,per-node:random,per-node:prioritization").Split(',');
        foreach (string engine in engines)
        {
            string[] parts = engine.Split(':');
            bool light = Environment.GetEnvironmentVariable("RAFTVERIFY_COYOTE_THROUGHPUT_WORLD") == "light";
            var options = new CoyoteHarnessOptions { Harness = Kind(parts[0]), TraceDirectory = Dir(), Nodes = light ? 3 : 0, Liveness = !light };
            CoyoteRunner.Run(options, new CoyoteBudget { Strategy = parts[1], Iterations = 999_999, Seed = 1, TimeoutSeconds = 5 });
            CoyoteOutcome o = CoyoteRunner.Run(options, new CoyoteBudget { Strategy = parts[1], Iterations = 999_999, Seed = 2_000_000, TimeoutSeconds = seconds });
            string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
            string line = $"{engine}{(light ? " (3 nodes, no liveness phase)" : "")}: {o.Iterations} iterations in {o.Seconds:F1} s = {o.IterationsPerSecond:F0} iterations/s warm (load average {load}); bugs {o.Report.NumOfFoundBugs}, cut by Coyote's step bound {o.HitMaxSteps}";
            output.WriteLine(line);
            Console.WriteLine(line);
            Assert.False(o.FoundBug, string.Join(Environment.NewLine, o.Bugs));
        }
    }
}
