using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Raft.Model.Lab;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// raftverify lab [2A|2B|2C|2D] [--seed N] [--seeds K] [--test NAME]: runs the ported 6.824 tester
/// in virtual time and prints what `go test -run 2A -v` prints.
/// </summary>
public static class LabCommand
{
    private static readonly string[] Parts = ["2A", "2B", "2C", "2D"];

    public static Command Create()
    {
        var part = new Argument<string?>("part")
        {
            Description = "Which part to run: 2A, 2B, 2C or 2D (default: all)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var seed = new Option<ulong>("--seed")
        {
            Description = "First seed (each test runs on seeds seed, seed+1, …)",
            DefaultValueFactory = _ => 1,
        };
        var seeds = new Option<int>("--seeds")
        {
            Description = "How many seeds per test",
            DefaultValueFactory = _ => 1,
        };
        var test = new Option<string?>("--test") { Description = "Run only the test with this Go name, e.g. TestBackup2B" };
        var trace = new Option<string?>("--trace")
        {
            Description = "Write every run's trace (TestX-seedN.trace.jsonl) to this directory, for raftverify replay, shrink and show. A failing run's trace is written to raftverify-out/lab/ even without it",
        };
        var cmd = new Command("lab", "Run the ported 6.824 Lab 2 tester (virtual time)") { part, seed, seeds, test, trace };
        cmd.SetAction(r => Run(r.GetValue(part), r.GetValue(seed), r.GetValue(seeds), r.GetValue(test), r.GetValue(trace)));
        return cmd;
    }

    private static LabRun Untraced(LabTest t, ulong s)
    {
        try
        {
            return new LabRun(t, s, LabSuite.Run(t, s, Console.WriteLine), null, null);
        }
        catch (LabFailure e)
        {
            return new LabRun(t, s, null, e.Message, null);
        }
    }

    private static string WriteTrace(LabRun run, string dir)
    {
        string path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{run.Test.Name}-seed{run.Seed}.trace.jsonl"));
        try
        {
            Raft.Model.Traces.TraceWriter.Write(run.Trace!, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the trace to {path}: {e.Message}");
        }
        return path;
    }

    private static int Run(string? part, ulong seed, int seeds, string? testName, string? traceDir)
    {
        if (part is not null && part.StartsWith('-'))
            throw new UsageException($"unknown option '{part}' for lab (see raftverify lab --help)");
        if (part is not null && !Parts.Contains(part.ToUpperInvariant()))
            throw new UsageException($"unknown lab part '{part}': expected one of {string.Join(", ", Parts)}");
        if (seeds < 1) throw new UsageException($"--seeds must be at least 1 (got {seeds})");
        string? p = part?.ToUpperInvariant();
        var tests = LabSuite.All.Where(t => (p is null || t.Part == p) && (testName is null || t.Name == testName)).ToList();
        if (tests.Count == 0) throw new UsageException($"no lab test matches{(p is null ? "" : " part " + p)}{(testName is null ? "" : " named " + testName)}");

        var wall = Stopwatch.StartNew();
        int failed = 0, passed = 0;
        foreach (LabTest t in tests)
        {
            for (int k = 0; k < seeds; k++)
            {
                ulong s = seed + (ulong)k;
                Console.WriteLine($"=== RUN   {t.Name} (seed {s})");
                LabRun run = traceDir is null ? Untraced(t, s) : LabSuite.RunTraced(t, s, Console.WriteLine);
                if (run.Failure is null)
                {
                    passed++;
                    if (run.Trace is not null) WriteTrace(run, traceDir!);
                    continue;
                }
                failed++;
                // the failing run again, recorded (one seed gives the same run), so it can be replayed, shrunk and drawn
                if (run.Trace is null) run = LabSuite.RunTraced(t, s);
                string path = WriteTrace(run, traceDir ?? Path.Combine("raftverify-out", "lab"));
                Console.WriteLine($"--- FAIL: {t.Name}");
                Console.WriteLine("    " + run.Failure!.Replace("\n", "\n    ", StringComparison.Ordinal));
                Console.WriteLine($"    trace: {path}");
                Console.WriteLine($"    replay: raftverify replay {path}");
            }
        }
        string secs = wall.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        Console.WriteLine(failed == 0 ? "PASS" : "FAIL");
        Console.WriteLine($"{(failed == 0 ? "ok  " : "FAIL")}\traftverify/lab\t{secs}s\t({passed} passed, {failed} failed; virtual time, wall clock shown)");
        return failed == 0 ? Program.ExitOk : Program.ExitFailed;
    }
}
