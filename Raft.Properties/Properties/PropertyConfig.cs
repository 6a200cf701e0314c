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
/// <item><c>RAFTVERIFY_FSCHECK_CASES</c>, when set, is the number of cases every property runs,
/// exactly. Unset, each property runs its own default, the number its attribute gives
/// (<c>[RaftProperty(500)]</c>: 500 cases); there is no hidden factor.</item>
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

    /// <summary>The fixed default: every run of the suite generates the same cases.</summary>
    public static readonly PropertySeed DefaultSeed = new(20_240_521, 1_299_709, null);

    /// <summary>
    /// Printed by every <see cref="RaftPropertyAttribute"/> test class (test output, and once per
    /// class as an xunit diagnostic message, <see cref="FsCheckKnobs{T}"/>): how many cases each of
    /// its properties runs and why, where its cases start, and how to rerun a failure FsCheck.Xunit
    /// reports (take the "(seed,gamma)" and size it prints for the failing step).
    /// </summary>
    public static string RerunHint(Type testClass) =>
        $"{Knobs(testClass)}. To rerun a failing case: {SeedVariable}=<seed,gamma,size of the failing step in FsCheck's report> {CasesVariable}=1 " +
        $"dotnet test Raft.Properties --filter \"FullyQualifiedName~{testClass.Name}.<property>\"";

    /// <summary>
    /// The knobs as they apply to <paramref name="testClass"/>'s properties, e.g. "FsCheck
    /// ScheduleProperties: 500 cases (AnySchedule…), 100 cases (…), each property's default
    /// (RAFTVERIFY_FSCHECK_CASES unset); seed 20240521,1299709, the fixed default (RAFTVERIFY_FSCHECK_SEED unset)".
    /// </summary>
    public static string Knobs(Type testClass)
    {
        string? knob = Environment.GetEnvironmentVariable(CasesVariable);
        string cases = string.Join(", ", Properties(testClass)
            .Select(m => (m.Name, Cases: m.GetCustomAttributes(typeof(RaftPropertyAttribute), false).Cast<RaftPropertyAttribute>().Single().MaxTest))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Cases} cases")));
        string why = string.IsNullOrWhiteSpace(knob) ? $"each property's default ({CasesVariable} unset)" : $"{CasesVariable}={knob.Trim()}";
        string seed = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SeedVariable))
            ? $"seed {Seed()}, the fixed default ({SeedVariable} unset)" : $"seed {Seed()} from {SeedVariable}";
        return $"FsCheck {testClass.Name}: {cases}: {why}; {seed}";
    }

    /// <summary>The <see cref="RaftPropertyAttribute"/> tests of a class.</summary>
    public static IEnumerable<System.Reflection.MethodInfo> Properties(Type testClass) =>
        testClass.GetMethods().Where(m => m.IsDefined(typeof(RaftPropertyAttribute), false)).OrderBy(m => m.MetadataToken);

    /// <summary>
    /// The cases a property runs: exactly <c>RAFTVERIFY_FSCHECK_CASES</c> when it is set, else
    /// <paramref name="byDefault"/>, the property's own default.
    /// </summary>
    public static int Cases(int byDefault) => Cases(byDefault, Environment.GetEnvironmentVariable(CasesVariable));

    /// <summary><see cref="Cases(int)"/> with the knob's text given (null or blank: unset).</summary>
    public static int Cases(int byDefault, string? knob)
    {
        if (string.IsNullOrWhiteSpace(knob)) return byDefault;
        if (!int.TryParse(knob.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ArgumentException($"{CasesVariable}='{knob}': expected a positive integer");
        return n;
    }

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
        output.WriteLine($"{name}: {cases} cases from FsCheck seed ({start}); rerun with {SeedVariable}={start} {CasesVariable}={cases}");
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
/// knobs when the test runs: exactly <c>RAFTVERIFY_FSCHECK_CASES</c> when it is set, else
/// <paramref name="cases"/> (the property's own default); and <c>RAFTVERIFY_FSCHECK_SEED</c>
/// (default the fixed <see cref="PropertyConfig.DefaultSeed"/>, so every run generates the same
/// cases). FsCheck.Xunit reads the attribute's settings from the attribute instance, so the
/// constructor's values are the ones used. On failure FsCheck.Xunit reports the original and
/// shrunk arguments and the "(seed,gamma)" and size of the failing step; the suite prints
/// <see cref="PropertyConfig.RerunHint"/> with the command that reruns it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class RaftPropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    /// <param name="cases">The cases this property runs when RAFTVERIFY_FSCHECK_CASES is not set.</param>
    public RaftPropertyAttribute(int cases = 100)
    {
        DefaultCases = cases;
        MaxTest = PropertyConfig.Cases(cases);
        Replay = PropertyConfig.Seed().ToString();
        QuietOnSuccess = false;
    }

    /// <summary>The cases this property runs when RAFTVERIFY_FSCHECK_CASES is not set.</summary>
    public int DefaultCases { get; }
}

/// <summary>
/// Sends <see cref="PropertyConfig.Knobs"/> for <typeparamref name="T"/> once as an xunit diagnostic
/// message, which <c>dotnet test --logger "console;verbosity=normal"</c> prints (xunit.runner.json
/// turns diagnostic messages on): the cases and seed are visible without detailed verbosity.
/// </summary>
public sealed class FsCheckKnobs<T>
{
    public FsCheckKnobs(Xunit.Abstractions.IMessageSink diagnostics) =>
        diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage(PropertyConfig.Knobs(typeof(T))));
}
