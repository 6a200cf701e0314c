using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace Raft.Properties.Properties;

/// <summary>
/// Where an FsCheck run starts: its random state (seed, gamma; gamma is odd) and, to replay one
/// failing case directly, the size that case was generated with. Written and parsed as
/// "seed,gamma" or "seed,gamma,size" (a lone "seed" picks FsCheck's gamma for it).
/// </summary>
internal readonly record struct PropertySeed(ulong Seed, ulong Gamma, int? Size)
{
    public override string ToString() => Size is { } size
        ? string.Create(CultureInfo.InvariantCulture, $"{Seed},{Gamma},{size}")
        : string.Create(CultureInfo.InvariantCulture, $"{Seed},{Gamma}");

    public static PropertySeed Parse(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 3 || !parts.All(p => ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new ArgumentException($"{PropertyConfig.SeedVariable}='{text}': expected seed, seed,gamma or seed,gamma,size (unsigned integers)");
        ulong seed = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
        ulong gamma = parts.Length > 1 ? ulong.Parse(parts[1], CultureInfo.InvariantCulture) : new Rnd(seed).Gamma;
        if (gamma % 2 == 0) throw new ArgumentException($"{PropertyConfig.SeedVariable}='{text}': gamma must be odd");
        int? size = null;
        if (parts.Length == 3)
        {
            ulong s = ulong.Parse(parts[2], CultureInfo.InvariantCulture);
            if (s > int.MaxValue) throw new ArgumentException($"{PropertyConfig.SeedVariable}='{text}': size out of range");
            size = (int)s;
        }
        return new PropertySeed(seed, gamma, size);
    }
}

/// <summary>A property that FsCheck falsified: the message holds FsCheck's report (with its "Replay" line) and how to rerun it here.</summary>
internal sealed class PropertyFailedException(string message, object? counterexample, PropertySeed replay) : Exception(message)
{
    /// <summary>The (shrunk) value the property failed on.</summary>
    public object? Counterexample { get; } = counterexample;

    /// <summary>Seed, gamma and size that regenerate the failing case as the first case of a run.</summary>
    public PropertySeed Replay { get; } = replay;
}

/// <summary>
/// How the FsCheck properties run: as FsCheck.Xunit <c>[Property]</c> tests through
/// <see cref="RaftPropertyAttribute"/>, and (for a test that expects a falsification) through
/// <see cref="Check{T}"/> from a plain xunit fact. Both read the same knobs:
/// <list type="bullet">
/// <item><c>RAFTVERIFY_FSCHECK_CASES</c> (default 100) is the number of cases of a cheap property;
/// each property asks for a percentage of it (the schedule properties run fewer, the codec ones
/// more), so raising it scales every property alike.</item>
/// <item><c>RAFTVERIFY_FSCHECK_SEED</c> (default fixed, so a run is reproducible) is FsCheck's
/// replay seed: "seed,gamma", or "seed,gamma,size" to start directly at a failing case.</item>
/// </list>
/// A failure throws <see cref="PropertyFailedException"/> whose message is FsCheck's own report
/// (original and shrunk counterexample, the "Replay directly at failing step" seed) followed by
/// the exact command that reruns just the failing case.
/// </summary>
internal static class PropertyConfig
{
    public const string CasesVariable = "RAFTVERIFY_FSCHECK_CASES";
    public const string SeedVariable = "RAFTVERIFY_FSCHECK_SEED";
    public const int DefaultCases = 100;

    /// <summary>The fixed default: every run of the suite generates the same cases.</summary>
    public static readonly PropertySeed DefaultSeed = new(20_240_521, 1_299_709, null);

    /// <summary>
    /// Printed by every <see cref="RaftPropertyAttribute"/> test class: where its cases start, and
    /// how to rerun a failure FsCheck.Xunit reports (take the "(seed,gamma)" and size it prints for
    /// the failing step).
    /// </summary>
    public static string RerunHint(string className) =>
        $"FsCheck.Xunit [Property] tests of {className}: seed ({Seed()}) from {SeedVariable}, base cases {BaseCases()} from {CasesVariable}. " +
        $"To rerun a failing case: {SeedVariable}=<seed,gamma,size of the failing step in FsCheck's report> {CasesVariable}=1 " +
        $"dotnet test Raft.Properties --filter \"FullyQualifiedName~{className}.<property>\"";

    /// <summary>The case budget of a cheap property: RAFTVERIFY_FSCHECK_CASES or 100.</summary>
    public static int BaseCases()
    {
        string? text = Environment.GetEnvironmentVariable(CasesVariable);
        if (string.IsNullOrWhiteSpace(text)) return DefaultCases;
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ArgumentException($"{CasesVariable}='{text}': expected a positive integer");
        return n;
    }

    /// <summary><paramref name="percent"/>% of the case budget, at least one.</summary>
    public static int Cases(int percent = 100) => (int)Math.Clamp((long)BaseCases() * percent / 100, 1, int.MaxValue);

    public static PropertySeed Seed()
    {
        string? text = Environment.GetEnvironmentVariable(SeedVariable);
        return string.IsNullOrWhiteSpace(text) ? DefaultSeed : PropertySeed.Parse(text.Trim());
    }

    /// <summary>An FsCheck config: <paramref name="cases"/> tests from the fixed replay seed, reporting to <paramref name="runner"/>.</summary>
    public static Config Build(int cases, IRunner runner, PropertySeed seed)
    {
        Config config = Config.Quick.WithMaxTest(cases).WithQuietOnSuccess(true).WithRunner(runner);
        return seed.Size is { } size ? config.WithReplay(seed.Seed, seed.Gamma, size) : config.WithReplay(seed.Seed, seed.Gamma);
    }

    /// <summary>
    /// Checks <paramref name="body"/> (which throws to fail) on <paramref name="cases"/> values of
    /// <paramref name="arb"/>. Prints the seed first; on failure throws with FsCheck's report, the
    /// replay command and whatever <paramref name="onFailure"/> adds about the shrunk counterexample.
    /// Returns the seconds the check took.
    /// </summary>
    public static double Check<T>(ITestOutputHelper output, string name, Arbitrary<T> arb, Action<T> body, int cases,
        Func<T, string>? onFailure = null, PropertySeed? seed = null)
    {
        PropertySeed start = seed ?? Seed();
        output.WriteLine($"{name}: {cases} cases from FsCheck seed ({start}); rerun with {SeedVariable}={start} {CasesVariable}={BaseCases()}");
        var runner = new CapturingRunner();
        var clock = Stopwatch.StartNew();
        Prop.ForAll(arb, body).Check(Build(cases, runner, start));
        clock.Stop();
        TestResult result = runner.Result ?? throw new InvalidOperationException($"{name}: FsCheck reported no result");
        if (result.IsPassed)
        {
            output.WriteLine($"{name}: passed {cases} cases in {clock.Elapsed.TotalSeconds:F2} s");
            return clock.Elapsed.TotalSeconds;
        }

        string report = Runner.onFinishedToString(name, result);
        object? counterexample = null;
        PropertySeed replay = start;
        if (result is TestResult.Failed failed)
        {
            counterexample = ListModule.IsEmpty(failed.Item3) ? null : failed.Item3.Head;
            replay = new PropertySeed(failed.Item6.Seed, failed.Item6.Gamma, failed.Item7);
        }
        string extra = "";
        if (counterexample is T shrunk && onFailure is not null)
        {
            try
            {
                extra = onFailure(shrunk);
            }
            catch (Exception e)
            {
                extra = $"(reporting the counterexample failed: {e.GetType().Name}: {e.Message})";
            }
        }
        string message =
            $"Property '{name}' falsified. FsCheck's report:{Environment.NewLine}{report}{Environment.NewLine}" +
            $"Replay seed: {replay}. To rerun just the failing case:{Environment.NewLine}" +
            $"  {SeedVariable}={replay} {CasesVariable}=1 dotnet test Raft.Properties --filter \"FullyQualifiedName~{name}\"" +
            (extra.Length > 0 ? Environment.NewLine + extra : "");
        output.WriteLine(message);
        throw new PropertyFailedException(message, counterexample, replay);
    }

    /// <summary>Keeps FsCheck's verdict instead of printing it or throwing, so the caller can build its own message.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type t) { }

        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }

        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}

/// <summary>
/// An FsCheck.Xunit <c>[Property]</c> whose case count and replay seed come from the suite's
/// knobs when the test runs: <paramref name="percent"/>% of <c>RAFTVERIFY_FSCHECK_CASES</c>
/// (default 100) and <c>RAFTVERIFY_FSCHECK_SEED</c> (default the fixed
/// <see cref="PropertyConfig.DefaultSeed"/>, so every run generates the same cases). FsCheck.Xunit
/// reads the attribute's settings from the attribute instance, so the constructor's values are
/// the ones used. On failure FsCheck.Xunit reports the original and shrunk arguments and the
/// "(seed,gamma)" and size of the failing step; the suite prints
/// <see cref="PropertyConfig.RerunHint"/> with the command that reruns it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class RaftPropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    public RaftPropertyAttribute(int percent = 100)
    {
        Percent = percent;
        MaxTest = PropertyConfig.Cases(percent);
        Replay = PropertyConfig.Seed().ToString();
        QuietOnSuccess = false;
    }

    /// <summary>The share of RAFTVERIFY_FSCHECK_CASES this property runs.</summary>
    public int Percent { get; }
}
