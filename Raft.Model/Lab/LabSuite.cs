using System.Globalization;
using Raft.Model.Testing;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Raft.Model.Exploration;
using Raft.Model.Simulation;
using Raft.Model.Contract;

namespace Raft.Model.Lab;

/// <summary>One ported tester test: its Go name, its part (2A–2D, 3A, 3B) and its body.</summary>
public sealed record LabTest(string Name, string Part, Func<LabContext, Task> Body);

/// <summary>What a test body gets: the seed, the output, and make_config.</summary>
public sealed class LabContext
{
    private readonly Action<string> _log;

    public LabContext(ulong seed, Action<string> log, NodeFactory? factory = null, bool record = false, global::Raft.Core.Node.RaftOptions? raft = null)
    {
        Seed = seed;
        Raft = raft;
        _log = log;
        Factory = factory;
        Record = record;
    }

    /// <summary>The core's options for every server (null: <see cref="global::Raft.Core.Node.RaftOptions.Default"/>); recorded in the trace's raft object.</summary>
    public global::Raft.Core.Node.RaftOptions? Raft { get; }

    /// <summary>Whether the world records every step (for a trace).</summary>
    public bool Record { get; }

    public ulong Seed { get; }

    /// <summary>Builds the servers' nodes: null for the correct core, or a variant from <see cref="LabVariants"/>.</summary>
    public NodeFactory? Factory { get; }
    public LabConfig? Config { get; private set; }

    /// <summary>The kvraft config (Lab 3), when the test made one.</summary>
    public KvConfig? KvConfig { get; private set; }

    /// <summary>make_config(n, unreliable, snapshot).</summary>
    public LabConfig MakeConfig(int n, bool unreliable, bool snapshot)
    {
        if (Config is not null || KvConfig is not null) throw new InvalidOperationException("a test makes one config");
        Config = new LabConfig(n, unreliable, snapshot, Seed, _log, Factory, Record, Raft);
        return Config;
    }

    /// <summary>kvraft's make_config(n, unreliable, maxraftstate). The duplicate-detection-missing variant's servers apply retried requests again.</summary>
    public KvConfig MakeKvConfig(int n, bool unreliable, int maxraftstate)
    {
        if (Config is not null || KvConfig is not null) throw new InvalidOperationException("a test makes one config");
        bool breaksService = Factory is not null && LabVariants.NameOf(Factory) is { } name && (Variants.BugCatalog.Find(name)?.BreaksService ?? false);
        KvConfig = new KvConfig(n, unreliable, maxraftstate, Seed, _log, Factory, Record, Raft, duplicateDetection: !breaksService);
        return KvConfig;
    }

    /// <summary>The world of whichever config the test made (null before it made one).</summary>
    public World? World => Config?.World ?? KvConfig?.World;

    /// <summary>The last result line of whichever config the test made.</summary>
    public LabResult? Result => Config?.Result ?? KvConfig?.Result;
}

/// <summary>The whole ported 6.824 Raft tester (the 2022 tests plus the three added in 2023), in file order.</summary>
public static class LabSuite
{
    public static IReadOnlyList<LabTest> All { get; } =
    [
        new("TestInitialElection2A", "2A", Tests2A.InitialElection),
        new("TestReElection2A", "2A", Tests2A.ReElection),
        new("TestManyElections2A", "2A", Tests2A.ManyElections),
        new("TestBasicAgree2B", "2B", Tests2B.BasicAgree),
        new("TestRPCBytes2B", "2B", Tests2B.RpcBytes),
        new("TestFollowerFailure2B", "2B", Tests2B.FollowerFailure),
        new("TestLeaderFailure2B", "2B", Tests2B.LeaderFailure),
        new("TestFailAgree2B", "2B", Tests2B.FailAgree),
        new("TestFailNoAgree2B", "2B", Tests2B.FailNoAgree),
        new("TestConcurrentStarts2B", "2B", Tests2B.ConcurrentStarts),
        new("TestRejoin2B", "2B", Tests2B.Rejoin),
        new("TestBackup2B", "2B", Tests2B.Backup),
        new("TestCount2B", "2B", Tests2B.Count),
        new("TestPersist12C", "2C", Tests2C.Persist1),
        new("TestPersist22C", "2C", Tests2C.Persist2),
        new("TestPersist32C", "2C", Tests2C.Persist3),
        new("TestFigure82C", "2C", Tests2C.Figure8),
        new("TestUnreliableAgree2C", "2C", Tests2C.UnreliableAgree),
        new("TestFigure8Unreliable2C", "2C", Tests2C.Figure8Unreliable),
        new("TestReliableChurn2C", "2C", Tests2C.ReliableChurn),
        new("TestUnreliableChurn2C", "2C", Tests2C.UnreliableChurn),
        new("TestSnapshotBasic2D", "2D", Tests2D.SnapshotBasic),
        new("TestSnapshotInstall2D", "2D", Tests2D.SnapshotInstall),
        new("TestSnapshotInstallUnreliable2D", "2D", Tests2D.SnapshotInstallUnreliable),
        new("TestSnapshotInstallCrash2D", "2D", Tests2D.SnapshotInstallCrash),
        new("TestSnapshotInstallUnCrash2D", "2D", Tests2D.SnapshotInstallUnCrash),
        new("TestSnapshotAllCrash2D", "2D", Tests2D.SnapshotAllCrash),
        new("TestSnapshotInit2D", "2D", Tests2D.SnapshotInit),
    ];

    /// <summary>The kvraft tester (6.824 Lab 3, 2022): 3A and 3B, in file order. <c>raftverify lab 3A</c> runs them as <c>go test -run 3A</c> does in src/kvraft.</summary>
    public static IReadOnlyList<LabTest> Kv { get; } =
    [
        new("TestBasic3A", "3A", Tests3A.Basic),
        new("TestSpeed3A", "3A", Tests3A.Speed),
        new("TestConcurrent3A", "3A", Tests3A.Concurrent),
        new("TestUnreliable3A", "3A", Tests3A.Unreliable),
        new("TestUnreliableOneKey3A", "3A", Tests3A.UnreliableOneKey),
        new("TestOnePartition3A", "3A", Tests3A.OnePartition),
        new("TestManyPartitionsOneClient3A", "3A", Tests3A.ManyPartitionsOneClient),
        new("TestManyPartitionsManyClients3A", "3A", Tests3A.ManyPartitionsManyClients),
        new("TestPersistOneClient3A", "3A", Tests3A.PersistOneClient),
        new("TestPersistConcurrent3A", "3A", Tests3A.PersistConcurrent),
        new("TestPersistConcurrentUnreliable3A", "3A", Tests3A.PersistConcurrentUnreliable),
        new("TestPersistPartition3A", "3A", Tests3A.PersistPartition),
        new("TestPersistPartitionUnreliable3A", "3A", Tests3A.PersistPartitionUnreliable),
        new("TestPersistPartitionUnreliableLinearizable3A", "3A", Tests3A.PersistPartitionUnreliableLinearizable),
        new("TestSnapshotRPC3B", "3B", Tests3B.SnapshotRpc),
        new("TestSnapshotSize3B", "3B", Tests3B.SnapshotSize),
        new("TestSpeed3B", "3B", Tests3B.Speed),
        new("TestSnapshotRecover3B", "3B", Tests3B.SnapshotRecover),
        new("TestSnapshotRecoverManyClients3B", "3B", Tests3B.SnapshotRecoverManyClients),
        new("TestSnapshotUnreliable3B", "3B", Tests3B.SnapshotUnreliable),
        new("TestSnapshotUnreliableRecover3B", "3B", Tests3B.SnapshotUnreliableRecover),
        new("TestSnapshotUnreliableRecoverConcurrentPartition3B", "3B", Tests3B.SnapshotUnreliableRecoverConcurrentPartition),
        new("TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B", "3B", Tests3B.SnapshotUnreliableRecoverConcurrentPartitionLinearizable),
    ];

    /// <summary>A test of Lab 2 (<see cref="All"/>) or Lab 3 (<see cref="Kv"/>) by its Go name.</summary>
    public static LabTest Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? Kv.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no lab test named {name}");

    /// <summary>
    /// Runs one test on one seed in virtual time and returns its result line. Throws
    /// <see cref="LabFailure"/> (with the seed, the nodes' state and the reproduce line) when the
    /// test fails; an exception from the node or the world (Go: a panic) is reported as a failure too.
    /// <paramref name="factory"/> builds the servers (null: the correct core).
    /// </summary>
    public static LabResult Run(LabTest test, ulong seed, Action<string>? log = null, NodeFactory? factory = null)
    {
        LabOutcome o = Execute(test, seed, log, factory, record: false);
        if (o.Failure is { } f) throw f;
        return o.Result!;
    }

    /// <summary>
    /// Runs one test on one seed with every world step recorded: the outcome carries the trace,
    /// which <c>raftverify replay</c>, <c>shrink</c> and <c>show</c> accept. Recording only
    /// watches: the run is the same as an unrecorded one.
    /// </summary>
    public static LabOutcome RunTraced(LabTest test, ulong seed, Action<string>? log = null, NodeFactory? factory = null, global::Raft.Core.Node.RaftOptions? raft = null) =>
        Execute(test, seed, log, factory, record: true, raft);

    /// <summary>
    /// Runs one test as <c>go test -v</c> shows it: <see cref="RunLine"/> ("=== RUN   TestX (seed N)"),
    /// the tester's own lines, then "--- PASS: TestX (N.NNs)", or "--- FAIL: TestX (N.NNs)" followed
    /// by the failure, indented, as Go prints a failed test's t.Fatalf lines after its FAIL line.
    /// N.NN is the test's virtual time from make_config to its end, so the lines depend only on the seed.
    /// </summary>
    public static LabOutcome RunVerbose(LabTest test, ulong seed, Action<string> log, NodeFactory? factory = null, bool record = false,
        global::Raft.Core.Node.RaftOptions? raft = null)
    {
        log(RunLine(test, seed));
        LabOutcome o = Execute(test, seed, log, factory, record, raft);
        log(ResultLine(o));
        if (o.Failure is { } e) log(Indented(e.Message));
        return o;
    }

    /// <summary>
    /// Go's "=== RUN   TestX" with the seed after the name, so that the runs of <c>--seeds K</c>
    /// can be told apart (Go's own lines for <c>-count K</c> are identical): "=== RUN   TestX (seed 7)".
    /// </summary>
    public static string RunLine(LabTest test, ulong seed) => string.Create(CultureInfo.InvariantCulture, $"=== RUN   {test.Name} (seed {seed})");

    /// <summary>Go's "--- PASS: TestX (N.NNs)" or "--- FAIL: TestX (N.NNs)", in virtual seconds.</summary>
    public static string ResultLine(LabOutcome o) =>
        string.Create(CultureInfo.InvariantCulture, $"--- {(o.Passed ? "PASS" : "FAIL")}: {o.Test.Name} ({o.VirtualSeconds:0.00}s)");

    /// <summary>Lines under a "--- FAIL" line: each indented by four spaces, as Go indents a test's log.</summary>
    public static string Indented(string message) => "    " + message.Replace("\n", "\n    ", StringComparison.Ordinal);

    private static LabOutcome Execute(LabTest test, ulong seed, Action<string>? log, NodeFactory? factory, bool record, global::Raft.Core.Node.RaftOptions? raft = null)
    {
        var ctx = new LabContext(seed, log ?? (_ => { }), factory, record, raft);
        LabFailure? failure = null;
        try
        {
            // generous guard against a livelocked scenario; the tester's own 120 s check is in End()
            LabRuntime.Run(() => test.Body(ctx), () => ctx.World, virtualLimitMs: 10 * LabConfig.TestLimitMs);
            if (ctx.World?.Violation is { } v) throw new LabFailure(v.ToString());
            if (ctx.Result is null) throw new LabFailure("finished without calling End()");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            World? w = ctx.World;
            // the step number is the trace's: a violation names its step, a tester check the last step run before it
            string where = w is null ? "" : w.ViolationStep >= 0
                ? string.Create(CultureInfo.InvariantCulture, $" at virtual {w.Now / 1000.0:0.000}s, step {w.ViolationStep}")
                : string.Create(CultureInfo.InvariantCulture, $" at virtual {w.Now / 1000.0:0.000}s, after step {w.StepsRun - 1}");
            string what = e is LabFailure ? e.Message : $"panic: {e.GetType().Name}: {e.Message}";
            // the reproduce line names what ran: a catalog variant, a loaded implementation, or (a C# factory) the C# call
            string reproduce;
            if (factory is not null && LabVariants.NameOf(factory) is null && NodeLoader.SourceOf(factory) is null)
                reproduce = $"reproduce: LabSuite.RunVerbose(LabSuite.Get(\"{test.Name}\"), seed: {seed}, log, factory) with the same node factory (it was given in C#, so no command line can name it)";
            else
            {
                string which = factory is null ? "" : LabVariants.NameOf(factory) is { } variantName ? " --variant " + variantName
                    : " --node " + ToolCommand.Quote(NodeLoader.SourceOf(factory)!.Spec);
                reproduce = $"reproduce: {ToolCommand.Of("lab")} {test.Part} --test {test.Name} --seed {seed}{which}{LabOptionFlags(raft)}";
            }
            failure = new LabFailure($"{test.Name} failed with seed {seed}{where}: {what}\n{(w is null ? "" : DumpNodes(w))}  {reproduce}")
            {
                VirtualSeconds = (w?.Now ?? 0) / 1000.0,
            };
        }
        ctx.World?.Dispose(); // the test is over: nodes that hold resources release them (the world stays readable)
        double seconds = (ctx.World?.Now ?? 0) / 1000.0;
        TraceFile? trace = null;
        if (record && ctx.World is { Recording: { } steps } world)
        {
            Violation? v = world.Violation;
            trace = new TraceFile
            {
                // a named variant is recorded in the trace, so replay builds the same servers
                Settings = ExploreSettings.ForLab(world.Options, factory is null ? "none" : LabVariants.NameOf(factory) ?? "none") with { MaxSteps = Math.Max(1, steps.Count) },
                Iteration = 0,
                ScheduleSeed = seed,
                Swarm = new SwarmParameters(world.Size, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                Steps = steps,
                Outcome = new TraceOutcome(v, v is null ? -1 : world.ViolationStep, null,
                    failure is null || v is not null ? null : failure.Message.Split('\n')[0]),
            };
        }
        return new LabOutcome(test, seed, failure is null ? ctx.Result : null, failure, seconds) { Trace = trace };
    }

    /// <summary>
    /// The lab command's flags that give <paramref name="raft"/>, for a reproduce line: one per
    /// RaftOptions setting that differs from the default ("" for the defaults). Every setting has a
    /// flag (<c>raftverify lab --help</c>), so a lab run's options are always reproduced
    /// (SwarmOptionsTests checks each setting, by reflection, both ways).
    /// </summary>
    public static string LabOptionFlags(RaftOptions? raft)
    {
        if (raft is null) return "";
        RaftOptions d = RaftOptions.Default;
        var b = new System.Text.StringBuilder();
        void Number(string flag, long value, long byDefault)
        {
            if (value != byDefault) b.Append(CultureInfo.InvariantCulture, $" --{flag} {value}");
        }
        Number("election-ticks", raft.ElectionTicks, d.ElectionTicks);
        Number("heartbeat-ticks", raft.HeartbeatTicks, d.HeartbeatTicks);
        Number("max-entries-per-append", raft.MaxEntriesPerAppend, d.MaxEntriesPerAppend);
        Number("max-bytes-per-append", raft.MaxBytesPerAppend, d.MaxBytesPerAppend);
        if (raft.BroadcastCommit) b.Append(" --broadcast-commit");
        Number("snapshot-retry-ticks", raft.SnapshotRetryTicks, d.SnapshotRetryTicks);
        if (raft.EntryArrayPool is not null) b.Append(" --entry-array-pool");
        if (raft.ReadOnly == ReadOnlyOption.LeaseBased) b.Append(" --read-only lease");
        Number("lease-drift-ticks", raft.LeaseDriftTicks, d.LeaseDriftTicks);
        if (raft.NoOpOnElection) b.Append(" --no-op-on-election");
        return b.ToString();
    }

    /// <summary>Each node's role, term, commit index and last entry, as the world sees them (for a failing test's report).</summary>
    public static string DumpNodes(World w)
    {
        var b = new System.Text.StringBuilder();
        for (int i = 0; i < w.Size; i++)
        {
            IRaftNode? n = w.Node(i);
            string line;
            if (n is null)
            {
                var d = w.Disks[i];
                line = string.Create(CultureInfo.InvariantCulture, $"down (disk: term {d.Term}, last index {d.LastIndex}, snapshot {d.SnapshotIndex})");
            }
            else
            {
                string last = n.TryGetEntry(n.LastIndex, out Entry e)
                    ? string.Create(CultureInfo.InvariantCulture, $"{n.LastIndex}/t{e.Term}")
                    : n.LastIndex == 0 ? "0 (empty log)"
                    : n.LastIndex == n.SnapshotIndex ? string.Create(CultureInfo.InvariantCulture, $"{n.LastIndex}/t{n.SnapshotTerm} (snapshot)")
                    : string.Create(CultureInfo.InvariantCulture, $"{n.LastIndex} (the node does not show this entry)");
                line = string.Create(CultureInfo.InvariantCulture, $"{n.Role} term {n.Term} commit {n.CommitIndex} applied {n.Applied} last {last}{(w.Network.IsConnected(i) ? "" : " disconnected")}");
            }
            b.Append("  node ").Append(i).Append(": ").Append(line).Append('\n');
        }
        return b.ToString();
    }
}

/// <summary>One test on one seed: its result line when it passed, its failure otherwise, and its virtual seconds.</summary>
public sealed record LabOutcome(LabTest Test, ulong Seed, LabResult? Result, LabFailure? Failure, double VirtualSeconds)
{
    /// <summary>The run's trace, when it was recorded.</summary>
    public TraceFile? Trace { get; init; }

    public bool Passed => Failure is null;
}
