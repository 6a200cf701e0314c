using Raft.Model.Contract;
using Raft.Model.Variants;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Raft.Model.Exploration;
using Raft.Model.Lab;
using Raft.Model.Traces;
using Raft.Core.Node;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// raftverify lab [2A|2B|2C|2D] [--seed N] [--seeds K] [--test NAME]: runs the ported 6.824 tester
/// in virtual time and prints what `go test -run 2A -v` prints: "=== RUN   TestX (seed N)", the tester's
/// lines, "--- PASS: TestX (N.NNs)" or "--- FAIL: TestX (N.NNs)" in virtual seconds, then PASS/FAIL
/// and an "ok"/"FAIL" summary with the wall clock (the only line that varies between runs).
/// </summary>
public static class LabCommand
{
    private static readonly string[] Parts = ["2A", "2B", "2C", "2D", "3A", "3B"];

    public static Command Create()
    {
        var part = new Argument<string?>("part")
        {
            Description = "Which part to run: 2A, 2B, 2C or 2D (default: all of Lab 2, the raft package), or 3A or 3B (Lab 3, the kvraft package)",
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
            Description = $"Run a deliberately broken server instead of the correct core: {string.Join(", ", BugCatalog.Listed.Select(b => b.Name))} (the read variants change nothing here: the lab's Gets go through the log, as 6.824's do)",
        };
        var trace = new Option<string?>("--trace")
        {
            Description = "Write every run's trace (TestX-seedN.trace.jsonl) to this directory, for raftverify replay, shrink and show. A failing run's trace is written to raftverify-out/lab/ even without it",
        };
        var node = NodeOption.Create("Run the tester against another Raft implementation instead of Raft.Core");
        var list = new Option<bool>("--list") { Description = "List the tests' Go names (of the part given, else all), one a line, as go test -list . does, and run nothing" };
        var cmd = new Command("lab", "Run the ported 6.824 Lab 2 and Lab 3 testers (virtual time)") { part, seed, seeds, test, variant, trace, node, list };
        foreach (Option option in RaftOptionFlags()) cmd.Options.Add(option);
        cmd.SetAction(r => r.GetValue(list) ? List(r.GetValue(part))
            : Run(r.GetValue(part), r.GetValue(seed), r.GetValue(seeds), r.GetValue(test), r.GetValue(variant), r.GetValue(trace),
                RaftOptionsFrom(r), r.GetValue(node)));
        return cmd;
    }

    /// <summary>Every test of Lab 2 and Lab 3, in the order they run.</summary>
    private static IEnumerable<LabTest> AllTests => LabSuite.All.Concat(LabSuite.Kv);

    private static int List(string? part)
    {
        string? p = CheckPart(part);
        foreach (LabTest t in AllTests.Where(t => p is null || t.Part == p)) Console.WriteLine(t.Name);
        return Program.ExitOk;
    }

    /// <summary>The part named (upper case), or null for none; a usage error for anything else.</summary>
    private static string? CheckPart(string? part)
    {
        if (part is not null && part.StartsWith('-'))
            throw new UsageException($"unknown option '{part}' for lab (see {ToolCommand.Of("lab --help")})");
        if (part is not null && !Parts.Contains(part.ToUpperInvariant()))
            throw new UsageException($"unknown lab part '{part}': expected one of {string.Join(", ", Parts)}");
        return part?.ToUpperInvariant();
    }

    /// <summary>
    /// No test of that name (in that part): the nearest names, and how to list them all. A test of
    /// that name in another part is named with its part.
    /// </summary>
    public static string NoSuchTest(string? part, string name)
    {
        IReadOnlyList<string> near = Suggest.Nearest(name, AllTests.Select(t => t.Name));
        LabTest? elsewhere = AllTests.FirstOrDefault(t => t.Name == name);
        string where = part is null ? "" : " in part " + part;
        if (elsewhere is not null)
            return $"no lab test named {name}{where}: it is in part {elsewhere.Part} ({ToolCommand.Of($"lab {elsewhere.Part} --test {name}")})";
        string nearest = near.Count > 0 ? $"did you mean {Suggest.Alternatives(near)}?"
            : $"the nearest names are {Suggest.Alternatives(Suggest.Closest(name, AllTests.Select(t => t.Name)), "and")}";
        return $"no lab test named {name}{where}: {nearest} ({ToolCommand.Of("lab --list")} lists all {AllTests.Count()})";
    }

    private const string RecordedNote = "; traces record it, so replay and shrink run with it";

    /// <summary>One flag per RaftOptions setting (LabSuite.LabOptionFlags writes them in a failing run's reproduce line).</summary>
    private static IEnumerable<Option> RaftOptionFlags()
    {
        RaftOptions d = RaftOptions.Default;
        yield return new Option<int>("--election-ticks") { Description = "RaftOptions.ElectionTicks: the minimum election timeout in ticks of 10 ms" + RecordedNote, DefaultValueFactory = _ => d.ElectionTicks };
        yield return new Option<int>("--heartbeat-ticks") { Description = "RaftOptions.HeartbeatTicks: ticks between heartbeats" + RecordedNote, DefaultValueFactory = _ => d.HeartbeatTicks };
        yield return new Option<int>("--max-entries-per-append") { Description = "RaftOptions.MaxEntriesPerAppend" + RecordedNote, DefaultValueFactory = _ => d.MaxEntriesPerAppend };
        yield return new Option<long>("--max-bytes-per-append") { Description = "RaftOptions.MaxBytesPerAppend" + RecordedNote, DefaultValueFactory = _ => d.MaxBytesPerAppend };
        yield return new Option<bool>("--broadcast-commit") { Description = "RaftOptions.BroadcastCommit: send the commit index as soon as it advances, as etcd" + RecordedNote };
        yield return new Option<int>("--snapshot-retry-ticks") { Description = "RaftOptions.SnapshotRetryTicks = N: snapshot flow control (0 = off)" + RecordedNote, DefaultValueFactory = _ => d.SnapshotRetryTicks };
        yield return new Option<bool>("--entry-array-pool") { Description = "RaftOptions.EntryArrayPool: the world's pool, which its network returns each AppendEntries' array to once done with the message, checking the pool's contract" + RecordedNote };
        var readOnly = new Option<string>("--read-only") { Description = "RaftOptions.ReadOnly: how a leader confirms reads, safe (a round of heartbeats) or lease (leases; nodes then ignore vote requests for an election timeout after hearing a leader)" + RecordedNote, DefaultValueFactory = _ => "safe" };
        readOnly.AcceptOnlyFromAmong("safe", "lease");
        yield return readOnly;
        yield return new Option<int>("--lease-drift-ticks") { Description = "RaftOptions.LeaseDriftTicks: the clock drift a lease allows for, in ticks per election timeout" + RecordedNote, DefaultValueFactory = _ => d.LeaseDriftTicks };
        yield return new Option<bool>("--no-op-on-election") { Description = "RaftOptions.NoOpOnElection: a new leader appends an empty entry at once (changes the indexes the 6.824 tests expect)" + RecordedNote };
    }

    /// <summary>The core's options the lab command line gives (null: the defaults); a usage error names an impossible one.</summary>
    public static RaftOptions? RaftOptionsFrom(ParseResult r)
    {
        var raft = new RaftOptions
        {
            ElectionTicks = r.GetValue<int>("--election-ticks"),
            HeartbeatTicks = r.GetValue<int>("--heartbeat-ticks"),
            MaxEntriesPerAppend = r.GetValue<int>("--max-entries-per-append"),
            MaxBytesPerAppend = r.GetValue<long>("--max-bytes-per-append"),
            BroadcastCommit = r.GetValue<bool>("--broadcast-commit"),
            SnapshotRetryTicks = r.GetValue<int>("--snapshot-retry-ticks"),
            EntryArrayPool = r.GetValue<bool>("--entry-array-pool") ? Raft.Model.Network.EntryPool.WorldOwned : null,
            ReadOnly = r.GetValue<string>("--read-only") == "lease" ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
            LeaseDriftTicks = r.GetValue<int>("--lease-drift-ticks"),
            NoOpOnElection = r.GetValue<bool>("--no-op-on-election"),
        };
        try
        {
            Limits.CheckRaft(raft, 10);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        return raft == RaftOptions.Default ? null : raft;
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

    /// <param name="raft">The core's options (null: the defaults): the world's, so the trace's raft object records them and replay and shrink restore them; a --variant gets them too.</param>
    private static int Run(string? part, ulong seed, int seeds, string? testName, string? variantName, string? traceDir, RaftOptions? raft, string? nodeSpec)
    {
        NodeFactory? factory = null;
        if (variantName is not null && (factory = BugCatalog.Find(variantName)?.Factory) is null)
            throw new UsageException($"unknown variant '{variantName}': expected one of {string.Join(", ", BugCatalog.Listed.Select(b => b.Name))}");
        if (nodeSpec is not null)
        {
            if (variantName is not null) throw new UsageException("--variant breaks Raft.Core; it does not go with --node");
            factory = NodeOption.Load(nodeSpec).Factory;
        }
        string? p = CheckPart(part);
        if (seeds < 1) throw new UsageException($"--seeds must be at least 1 (got {seeds})");
        // no part: Lab 2 (go test in src/raft), or the named test wherever it is; 3A and 3B: the kvraft tester
        IEnumerable<LabTest> from = p is "3A" or "3B" || (p is null && testName is not null) ? AllTests : LabSuite.All;
        var tests = from.Where(t => (p is null || t.Part == p) && (testName is null || t.Name == testName)).ToList();
        if (tests.Count == 0) throw new UsageException(testName is null ? $"no lab test in part {p}" : NoSuchTest(p, testName));

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
                Console.WriteLine($"    replay: {ToolCommand.Replay(path)}");
            }
        }
        string secs = wall.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        Console.WriteLine(failed == 0 ? "PASS" : "FAIL");
        Console.WriteLine($"{(failed == 0 ? "ok  " : "FAIL")}\traftverify/lab\t{secs}s\t({passed} passed, {failed} failed; virtual time, wall clock shown)");
        return failed == 0 ? Program.ExitOk : Program.ExitFailed;
    }
}
