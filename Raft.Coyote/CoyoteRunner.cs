using System.Diagnostics;
using System.Globalization;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Raft.Coyote;

/// <summary>How Coyote's TestingEngine explores: strategy, iterations, step bound, seed, wall-clock cap.</summary>
public sealed record CoyoteBudget
{
    public const string IterationsVariable = "RAFTVERIFY_COYOTE_ITERATIONS";
    public const string MaxStepsVariable = "RAFTVERIFY_COYOTE_MAX_STEPS";
    public const string StrategyVariable = "RAFTVERIFY_COYOTE_STRATEGY";
    public const string SeedVariable = "RAFTVERIFY_COYOTE_SEED";
    public const string TimeoutVariable = "RAFTVERIFY_COYOTE_TIMEOUT";

    public static readonly string[] Strategies =
        ["random", "probabilistic", "prioritization", "fair-prioritization", "delay-bounding", "fair-delay-bounding", "q-learning"];

    public string Strategy { get; init; } = "random";
    public uint Iterations { get; init; } = 100;
    /// <summary>
    /// Coyote's step bound (scheduling decisions and controlled choices; unfair strategies, fair ones get 10x).
    /// Far above what a schedule takes: the harness ends every iteration on the explorer's own budget, and
    /// <see cref="CoyoteOutcome.HitMaxSteps"/> says if Coyote's bound ever cut one short.
    /// </summary>
    public uint MaxSteps { get; init; } = 100_000;
    public uint Seed { get; init; } = 1;
    /// <summary>Seconds; 0 = none. Coyote then explores until the time is up, ignoring <see cref="Iterations"/>.</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary><paramref name="defaults"/> overridden by the RAFTVERIFY_COYOTE_* environment variables that are set.</summary>
    public static CoyoteBudget FromEnvironment(CoyoteBudget defaults)
    {
        static uint? U(string name)
        {
            string? t = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrWhiteSpace(t)) return null;
            if (!uint.TryParse(t.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint v)) throw new ArgumentException($"{name}='{t}': expected an unsigned integer");
            return v;
        }
        string? strategy = Environment.GetEnvironmentVariable(StrategyVariable);
        if (!string.IsNullOrWhiteSpace(strategy) && !Strategies.Contains(strategy.Trim()))
            throw new ArgumentException($"{StrategyVariable}='{strategy}': expected one of {string.Join(", ", Strategies)}");
        return defaults with
        {
            Strategy = string.IsNullOrWhiteSpace(strategy) ? defaults.Strategy : strategy.Trim(),
            Iterations = U(IterationsVariable) ?? defaults.Iterations,
            MaxSteps = U(MaxStepsVariable) ?? defaults.MaxSteps,
            Seed = U(SeedVariable) ?? defaults.Seed,
            TimeoutSeconds = (int?)U(TimeoutVariable) ?? defaults.TimeoutSeconds,
        };
    }

    public bool IsFair => Strategy is "random" or "probabilistic" or "fair-prioritization" or "fair-delay-bounding";

    public Configuration ToConfiguration()
    {
        Configuration c = Configuration.Create()
            .WithTelemetryEnabled(false)
            .WithTestingIterations(Iterations)
            .WithRandomGeneratorSeed(Seed)
            .WithMaxSchedulingSteps(MaxSteps, MaxSteps * 10)
            .WithConsoleLoggingEnabled(false);
        if (TimeoutSeconds > 0) c = c.WithTestingTimeout(TimeoutSeconds);
        return Strategy switch
        {
            "random" => c.WithRandomStrategy(),
            "probabilistic" => c.WithProbabilisticStrategy(3),
            "prioritization" => c.WithPrioritizationStrategy(false, 10),
            "fair-prioritization" => c.WithPrioritizationStrategy(true, 10),
            "delay-bounding" => c.WithDelayBoundingStrategy(false, 10),
            "fair-delay-bounding" => c.WithDelayBoundingStrategy(true, 10),
            "q-learning" => c.WithQLearningStrategy(),
            _ => throw new ArgumentException($"unknown Coyote strategy '{Strategy}'"),
        };
    }

    public override string ToString() =>
        $"strategy {Strategy}, {Iterations} iterations, max steps {MaxSteps}, seed {Seed}{(TimeoutSeconds > 0 ? $", timeout {TimeoutSeconds} s" : "")}";
}

/// <summary>The outcome of one Coyote campaign over the harness.</summary>
public sealed record CoyoteOutcome(
    CoyoteBudget Budget, TestReport Report, string ReportText, IReadOnlyList<string> Bugs, string? ReproducibleTrace,
    IReadOnlyList<CoyoteFinding> Findings, double Seconds, long Iterations)
{
    public bool FoundBug => Report.NumOfFoundBugs > 0;
    /// <summary>Iterations Coyote's own step bound ended (not the harness's budget): should be 0.</summary>
    public long HitMaxSteps => Report.MaxUnfairStepsHitInFairTests + Report.MaxUnfairStepsHitInUnfairTests + Report.MaxFairStepsHitInFairTests;
    public double IterationsPerSecond => Seconds > 0 ? Iterations / Seconds : 0;
}

/// <summary>Runs Coyote's <see cref="TestingEngine"/> over one of the Raft harnesses (<see cref="CoyoteHarnessKind"/>).</summary>
public static class CoyoteRunner
{
    /// <param name="reproducibleTrace">Replays Coyote's own trace (<c>WithReproducibleTrace</c>) instead of exploring.</param>
    public static CoyoteOutcome Run(CoyoteHarnessOptions options, CoyoteBudget budget, string? reproducibleTrace = null)
    {
        Configuration config = budget.ToConfiguration();
        if (reproducibleTrace is not null) config = config.WithReproducibleTrace(reproducibleTrace);
        var findings = new List<CoyoteFinding>();
        var clock = Stopwatch.StartNew();
        using TestingEngine engine = TestingEngine.Create(config, runtime => RaftCoyoteTest.Start(runtime, options, f => { lock (findings) findings.Add(f); }));
        engine.Run();
        clock.Stop();
        TestReport report = engine.TestReport;
        long iterations = report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
        return new CoyoteOutcome(budget, report, report.GetText(config, "..."), report.BugReports.ToArray(),
            report.NumOfFoundBugs > 0 ? engine.ReproducibleTrace : null, findings, clock.Elapsed.TotalSeconds, iterations);
    }
}
