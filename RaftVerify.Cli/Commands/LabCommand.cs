using Raft.Model.Variants;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Raft.Model.Exploration;
using Raft.Model.Lab;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// raftverify lab [2A|2B|2C|2D] [--seed N] [--seeds K] [--test NAME]: runs the ported 6.824 tester
/// in virtual time and prints what `go test -run 2A -v` prints: "=== RUN   TestX", the tester's
/// lines, "--- PASS: TestX (N.NNs)" or "--- FAIL: TestX (N.NNs)" in virtual seconds, then PASS/FAIL
/// and an "ok"/"FAIL" summary with the wall clock (the only line that varies between runs).
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
        var variant = new Option<string?>("--variant")
        {
            Description = $"Run a deliberately broken server instead of the correct core: {string.Join(", ", BugCatalog.All.Select(b => b.Name))}",
        };
        var trace = new Option<string?>("--trace")
        {
            Description = "Write every run's trace (TestX-seedN.trace.jsonl) to this directory, for raftverify replay, shrink and show. A failing run's trace is written to raftverify-out/lab/ even without it",
        };
        var broadcastCommit = new Option<bool>("--broadcast-commit")
        {
            Description = "Run the core with RaftOptions.BroadcastCommit (send the commit index as soon as it advances, as etcd); traces record it, so replay and shrink run with it",
        };
        var snapshotRetry = new Option<int>("--snapshot-retry-ticks")
        {
            Description = "Run the core with RaftOptions.SnapshotRetryTicks = N (snapshot flow control; 0 = off); traces record it, so replay and shrink run with it",
        };
        var cmd = new Command("lab", "Run the ported 6.824 Lab 2 tester (virtual time)") { part, seed, seeds, test, variant, trace, broadcastCommit, snapshotRetry };
        cmd.SetAction(r => Run(r.GetValue(part), r.GetValue(seed), r.GetValue(seeds), r.GetValue(test), r.GetValue(variant), r.GetValue(trace),
            r.GetValue(broadcastCommit), r.GetValue(snapshotRetry)));
        return cmd;
    }

    private static string TracePath(LabOutcome o, string dir) =>
        Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{o.Test.Name}-seed{o.Seed}.trace.jsonl"));

    private static string WriteTrace(LabOutcome o, string dir)
    {
        string path = TracePath(o, dir);
        try
        {
            Raft.Model.Traces.TraceWriter.Write(o.Trace!, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the trace to {path}: {e.Message}");
        }
        return path;
    }

    private static int Run(string? part, ulong seed, int seeds, string? testName, string? variantName, string? traceDir,
        bool broadcastCommit = false, int snapshotRetryTicks = 0)
    {
        Raft.Model.Simulation.Cluster.NodeFactory? factory = null;
        if (variantName is not null && (factory = BugCatalog.Find(variantName)?.Factory) is null)
            throw new UsageException($"unknown variant '{variantName}': expected one of {string.Join(", ", BugCatalog.All.Select(b => b.Name))}");
        if (snapshotRetryTicks < 0) throw new UsageException($"--snapshot-retry-ticks must not be negative (got {snapshotRetryTicks})");
        if (snapshotRetryTicks > Limits.MaxSnapshotRetryTicks) throw new UsageException($"--snapshot-retry-ticks must be at most {Limits.MaxSnapshotRetryTicks} (got {snapshotRetryTicks})");
        global::Raft.Core.Node.RaftOptions? raft = null;
        if (broadcastCommit || snapshotRetryTicks > 0)
        {
            if (factory is not null) throw new UsageException("--broadcast-commit and --snapshot-retry-ticks apply to the correct core, not to a --variant");
            // the world's options, so the trace's raft object records them and replay and shrink restore them
            raft = global::Raft.Core.Node.RaftOptions.Default with { BroadcastCommit = broadcastCommit, SnapshotRetryTicks = snapshotRetryTicks };
        }
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
                LabOutcome o = LabSuite.RunVerbose(t, s, Console.WriteLine, factory, record: traceDir is not null, raft);
                if (o.Trace is not null) WriteTrace(o, traceDir!);
                if (o.Passed) { passed++; continue; }
                failed++;
                // a failing run is recorded (one seed gives the same run) so it can be replayed, shrunk and drawn
                if (o.Trace is null) o = LabSuite.RunTraced(t, s, null, factory, raft);
                string path = traceDir is null ? WriteTrace(o, Path.Combine("raftverify-out", "lab")) : TracePath(o, traceDir);
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
