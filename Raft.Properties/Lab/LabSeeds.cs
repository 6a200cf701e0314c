using System.Globalization;
using Raft.Model.Testing;
using Raft.Model.Lab;
using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// Seeds for the ported tester. By default every test runs on seeds 1..5; set
/// RAFTVERIFY_LAB_SEEDS=N (and optionally RAFTVERIFY_LAB_FIRST_SEED=S) to run N seeds from S,
/// e.g. for a nightly job.
/// </summary>
public static class LabSeeds
{
    public const int DefaultCount = 5;

    public static TheoryData<ulong> Seeds()
    {
        int count = ReadEnv("RAFTVERIFY_LAB_SEEDS", DefaultCount);
        ulong first = (ulong)ReadEnv("RAFTVERIFY_LAB_FIRST_SEED", 1);
        var data = new TheoryData<ulong>();
        for (int i = 0; i < count; i++) data.Add(first + (ulong)i);
        return data;
    }

    /// <summary>Runs one ported test on one seed, printing the go test -v lines; a failure names the seed and the replay command.</summary>
    public static void Run(string name, ulong seed, ITestOutputHelper output)
    {
        LabTest test = LabSuite.Get(name);
        LabOutcome outcome = LabSuite.RunVerbose(test, seed, line => output.WriteLine(line));
        if (outcome.Failure is { } failure)
        {
            // the same seed again, recorded: a trace to replay, shrink and draw
            LabOutcome traced = LabSuite.RunTraced(test, seed);
            string path = Path.GetFullPath(Path.Combine("raftverify-out", "lab", $"{name}-seed{seed}.trace.jsonl"));
            Raft.Model.Traces.TraceWriter.Write(traced.Trace!, path);
            throw new LabFailure($"{failure.Message}\n  trace: {path}\n  replay: {Raft.Model.Traces.ToolCommand.Replay(path)}");
        }
        output.WriteLine($"seed {seed}: {outcome.Result!.PassedLine.Trim()}");
    }

    private static int ReadEnv(string name, int fallback)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ArgumentException($"{name} must be a positive integer (got '{value}')");
        return n;
    }
}
