using System.Diagnostics;
using Raft.Core.Node;
using Raft.Etcd;
using Raft.Model.Contract;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Lab;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Xunit.Abstractions;

namespace Raft.Properties.Etcd;

/// <summary>
/// etcd raft 3.4 under the whole suite (docs/etcd.md): explore on correct etcd (default and
/// PreVote+CheckQuorum), the lab's tests, a killed shim, and the three deliberately broken builds
/// found, replayed and shrunk. Bounded budgets with fixed seeds; scripts/etcd-verify.sh runs the
/// big ones. One class, so the pool's process count is not shared with other tests running at once.
/// </summary>
public sealed class EtcdSuiteTests(ITestOutputHelper output)
{
    /// <summary>The 3.4 panic a tick between a snapshot's storage write and Advance causes (docs/etcd.md, finding 1).</summary>
    public const string SnapshotTickPanic = "unexpected error getting unapplied entries (requested index is unavailable due to compaction)";

    /// <summary>
    /// etcd 3.4 without Pre-Vote restarts a node's election timer whenever it adopts a higher term
    /// (becomeFollower → reset), also for a RequestVote it rejects, so candidates whose logs cannot
    /// win hold back the node that can (docs/etcd.md, finding 2; upstream etcd-io/etcd#17455): the
    /// election-progress oracle reports it. Pre-Vote keeps such candidates from raising the term.
    /// </summary>
    public const string NoElectionProgress = "no election progress";

    private static ExploreSettings Settings(IRaftImplementation impl, int iterations, ulong seed, bool asyncDraws) => new()
    {
        Factory = impl.AsFactory(),
        Nodes = 3,
        Iterations = iterations,
        Seed = seed,
        StopAtFirst = false,
        Workers = 2,
        SwarmRaft = asyncDraws, // the swarm draws async Ready handling with the options
    };

    private ExploreReport Explore(ExploreSettings s, string what)
    {
        var r = Explorer.Run(s);
        output.WriteLine($"{what}: {r.Coverage.Schedules} schedules, {r.Coverage.Steps} steps, {r.ViolatingSchedules} violating, {r.Seconds:F1} s ({r.StepsPerSecond:F0} events/s)");
        foreach (var v in r.Violations.Take(5)) output.WriteLine($"  #{v.Iteration} {v.Swarm}: {v.Violation}");
        return r;
    }

    [Theory]
    [InlineData(false, "random")]
    [InlineData(true, "random")]
    [InlineData(false, "pct")]
    [InlineData(true, "delay-bounded")]
    public void Correct_etcd_with_synchronous_ready_handling_breaks_nothing_but_its_known_timer_rule(bool preVote, string strategy)
    {
        IRaftImplementation impl = preVote ? new EtcdRaftPreVote() : new EtcdRaft();
        var r = Explore(Settings(impl, 120, 11, asyncDraws: false) with { Strategy = strategy }, $"{impl.Name} {strategy}");
        Assert.Equal(120, r.Coverage.Schedules);
        if (preVote) Assert.Empty(r.Violations);
        else
            Assert.All(r.Violations, v =>
            {
                Assert.Equal(Invariant.Liveness, v.Violation.Invariant);
                Assert.Contains(NoElectionProgress, v.Violation.Detail);
            });
    }

    /// <summary>
    /// The swarm draws asynchronous Ready handling and, in a third of the schedules, leases. What breaks
    /// is 3.4's snapshot tick panic (finding 1) and, in a lease schedule, a stale read from a cut-off
    /// leader whose CheckQuorum lease outlived its followers' patience (finding 9).
    /// </summary>
    [Fact]
    public void With_async_ready_and_leases_drawn_by_the_swarm_the_only_violations_are_findings_1_and_9()
    {
        var r = Explore(Settings(new EtcdRaftPreVote(), 300, 5, asyncDraws: true), "etcd prevote, swarm with async Ready");
        Assert.Equal(300, r.Coverage.Schedules);
        Assert.All(r.Violations, v =>
        {
            if (v.Violation.Invariant == Invariant.Linearizability)
                Assert.Equal(ReadOnlyOption.LeaseBased, v.Swarm.Raft!.ReadOnly); // finding 9
            else
            {
                Assert.Equal(Invariant.CoreError, v.Violation.Invariant);
                Assert.Contains(SnapshotTickPanic, v.Violation.Detail);
            }
        });
    }

    /// <summary>
    /// Clients reading by ReadIndex on etcd with leases in every schedule (explore --lease; docs/etcd.md,
    /// "Reads"): reads are confirmed and served, the histories are checked, and what breaks is only
    /// what broke before (finding 1's panic, finding 3's timer rule: CheckQuorum is on, Pre-Vote is not).
    /// </summary>
    [Fact]
    public void Lease_reads_on_etcd_are_served_and_break_nothing_new()
    {
        var s = Settings(new EtcdRaft(), 300, 7, asyncDraws: true) with { Raft = RaftOptions.Default with { ReadOnly = ReadOnlyOption.LeaseBased } };
        var r = Explore(s, "etcd, leases, swarm");
        output.WriteLine($"ReadIndex histories {r.Coverage.ReadIndexHistories}, Gets served {r.Coverage.ReadIndexReads} ({r.Coverage.LeaseReads} with leases)");
        Assert.True(r.Coverage.ReadIndexHistories > 0);
        Assert.True(r.Coverage.LeaseReads > 0);
        Assert.Equal(r.Coverage.ReadIndexReads, r.Coverage.LeaseReads);
        Assert.All(r.Violations, v => Assert.True(
            v.Violation.Detail.Contains(SnapshotTickPanic, StringComparison.Ordinal) || v.Violation.Detail.Contains(NoElectionProgress, StringComparison.Ordinal),
            v.Violation.ToString()));
    }

    /// <summary>Where <see cref="The_stale_lease_read_in_the_world_is_a_linearizability_violation_and_its_trace_replays"/> writes its trace when set (docs/etcd.md, finding 9).</summary>
    public const string TraceOutVariable = "RAFTVERIFY_ETCD_TRACE_OUT";

    /// <summary>
    /// Finding 9 in the world: <see cref="EtcdLeaseScript"/> cuts etcd's leader off, lets the shared
    /// clock (no drift) run until another node leads, then stops time while one client writes through
    /// the new leader and another reads by ReadIndex from the old one, which still leads and serves
    /// the read from its lease. The Linearizability checker reports it, and the recorded trace replays.
    /// </summary>
    [Fact]
    public void The_stale_lease_read_in_the_world_is_a_linearizability_violation_and_its_trace_replays()
    {
        NodeFactory factory = NodeLoader.Load($"{typeof(EtcdRaft).Assembly.Location}:Raft.Etcd.EtcdRaft", out NodeSource source);
        RaftOptions raft = RaftOptions.Default with { ElectionTicks = 30, HeartbeatTicks = 10, ReadOnly = ReadOnlyOption.LeaseBased, LeaseDriftTicks = 1 };
        var settings = new ExploreSettings { Factory = factory, Node = source, Nodes = 3, MaxSteps = 400, Liveness = false, Workers = 1, Raft = raft }; // Strategy stays "random": traces name a known one; replay and shrink follow the recorded decisions, not the strategy
        var swarm = new SwarmParameters(3, 0, 100, 0, 0, 1, 0, 1, 0, 0)
        {
            Raft = raft, Proposals = 0, Clients = 3, ClientOps = 2, ClientTimeout = 40, ClientReads = Raft.Model.Simulation.ClientReads.ReadIndex,
        };
        ScheduleResult? found = null;
        var reasons = new Dictionary<string, int>();
        for (ulong s = 1; s <= 200 && found is null; s++)
        {
            var script = new EtcdLeaseScript();
            ulong seed = ScheduleRunner.ScheduleSeed(s, 0);
            ScheduleResult r = ScheduleRunner.Run(settings with { Seed = s }, 0, seed, script, record: true, swarm, onWorld: w => script.Attach(w, seed, 3, 2));
            if (r.Violation?.Invariant == Invariant.Linearizability) found = r;
            string why = r.Violation?.ToString() ?? script.GaveUp ?? (script.ReadServed ? "read served, history linearizable" : "ran out of steps");
            reasons[why] = reasons.GetValueOrDefault(why) + 1;
        }
        foreach (var (why, n) in reasons) output.WriteLine($"{n} x {why}");
        Assert.NotNull(found);
        output.WriteLine($"seed {found.Settings.Seed}, {found.Steps} steps: {found.Violation}");
        // the script ended the schedule itself; with the step bound at that step the recording ends the
        // same way under replay (which has no script), and the history is checked at the same step
        var bounded = new EtcdLeaseScript();
        ulong boundedSeed = ScheduleRunner.ScheduleSeed(found.Settings.Seed, 0);
        found = ScheduleRunner.Run(found.Settings with { MaxSteps = found.Steps }, 0, boundedSeed, bounded, record: true, swarm, onWorld: w => bounded.Attach(w, boundedSeed, 3, 2));
        Assert.Equal(Invariant.Linearizability, found.Violation?.Invariant);
        var trace = TraceFile.From(found);
        ReplayReport replay = Replayer.Replay(trace);
        Assert.True(replay.Status == ReplayStatus.Reproduced, $"{replay.Status} at {replay.DivergedAtStep}: {replay.Divergence}");
        if (Environment.GetEnvironmentVariable(TraceOutVariable) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, $"etcd-lease-stale-read-seed{found.Settings.Seed}.trace.jsonl");
            TraceWriter.Write(trace, path);
            output.WriteLine($"trace: {path}");
        }
    }

    /// <summary>
    /// Schedule 2604 of seed 1 (default config, async Ready handling): a follower holding entries past
    /// a leader's snapshot installs it, wins an election and appends at the next index. etcd's storage
    /// keeps nothing past an applied snapshot; the adapter once left those entries on the world's disk,
    /// and the checker read the leader's new entry as a rewrite of its durable log (a LeaderAppendOnly
    /// false positive of ours, docs/etcd.md finding 7). The Ready now truncates the disk past the snapshot.
    /// </summary>
    [Fact]
    public void A_leaders_snapshot_leaves_nothing_past_it_on_the_disk()
    {
        var s = new ExploreSettings { Factory = new EtcdRaft().AsFactory(), Seed = 1, Workers = 1 };
        ScheduleResult r = ScheduleRunner.Run(s, 2604, ScheduleRunner.ScheduleSeed(1, 2604), Raft.Model.Exploration.Strategies.StrategyCatalog.Create("random", 0), record: false);
        output.WriteLine(r.Violation?.ToString() ?? "no violation");
        Assert.NotEqual(Invariant.LeaderAppendOnly, r.Violation?.Invariant);
    }

    /// <summary>
    /// Schedule 16421 of seed 1 (default config, async Ready handling): etcd's output produced while
    /// only a service compaction was in hand once stayed inside etcd until the node's next input, so a
    /// vote grant and a later campaign left together after the heal and the timer-rule oracle fired (a
    /// false positive of our adapter, docs/etcd.md finding 8). Advance now takes that output at the next read.
    /// </summary>
    [Fact]
    public void Output_produced_while_a_compaction_was_in_hand_leaves_at_once()
    {
        var s = new ExploreSettings { Factory = new EtcdRaft().AsFactory(), Seed = 1, Workers = 1 };
        ScheduleResult r = ScheduleRunner.Run(s, 16421, ScheduleRunner.ScheduleSeed(1, 16421), Raft.Model.Exploration.Strategies.StrategyCatalog.Create("random", 0), record: false);
        output.WriteLine(r.Violation?.ToString() ?? "no violation");
        Assert.False(r.Violation?.Detail.Contains("after it granted a vote", StringComparison.Ordinal) ?? false, r.Violation?.ToString());
    }

    [Fact]
    public void The_pool_reuses_shim_processes_across_worlds()
    {
        int before = EtcdShimPool.Launched;
        var r = Explore(Settings(new EtcdRaftPreVote(), 60, 3, asyncDraws: false) with { Workers = 1 }, "pool");
        Assert.Equal(60, r.Coverage.Schedules);
        Assert.True(EtcdShimPool.Launched - before <= 1, $"{EtcdShimPool.Launched - before} processes for 60 schedules on one worker");
    }

    [Fact]
    public void A_killed_shim_is_a_core_error_with_its_trace_not_a_hang()
    {
        var etcd = new EtcdRaft();
        // node 0's 40th tick in a world kills the shim process (the same step in the explorer's recording re-run)
        NodeFactory killer = (id, n, seed, options, state) => new KillAfter(etcd.Create(id, n, seed, options, state), id == 0 ? 40 : -1);
        var s = Settings(etcd, 1, 9, asyncDraws: false) with { Factory = killer, Workers = 1, StopAtFirst = true };
        var r = Explore(s, "killed shim");
        var v = Assert.Single(r.Violations).Violation;
        Assert.Equal(Invariant.CoreError, v.Invariant);
        Assert.Contains("EtcdShimException", v.Detail);
        Assert.NotNull(r.FirstViolation?.Trace);
    }

    private sealed class KillAfter(IRaftNode inner, int ticks) : ForwardingNode(inner), IDisposable
    {
        private int _ticks;

        public override void Tick()
        {
            if (++_ticks == ticks) Process.GetProcessById(((EtcdNode)Inner).ShimProcessId).Kill();
            base.Tick();
        }

        public void Dispose() => (Inner as IDisposable)?.Dispose();
    }

    /// <summary>
    /// The lab tests etcd passes. The others assume what 6.824's Raft does and etcd does not
    /// (docs/etcd.md, "Lab results"): a leader appends no entry of its own, so the first command
    /// of a term lands at the next index and every index holds a command (etcd's leader appends an
    /// empty entry, §8 of the paper: BasicAgree2B, RPCBytes2B, FollowerFailure2B, FailNoAgree2B,
    /// LeaderFailure2B, ReliableChurn2C, UnreliableChurn2C), and a commit rides the next append
    /// (etcd broadcasts it at once: Count2B's RPC bound).
    /// </summary>
    public static TheoryData<string> LabTests() =>
    [
        "TestInitialElection2A", "TestReElection2A", "TestManyElections2A",
        "TestFailAgree2B", "TestConcurrentStarts2B", "TestRejoin2B", "TestBackup2B",
        "TestPersist12C", "TestPersist22C", "TestPersist32C", "TestFigure82C", "TestUnreliableAgree2C",
    ];

    [Theory]
    [MemberData(nameof(LabTests))]
    public void Lab_test_passes_on_etcd(string name)
    {
        var lines = new List<string>();
        LabOutcome o = LabSuite.RunVerbose(LabSuite.Get(name), 1, lines.Add, new EtcdRaft().AsFactory());
        foreach (var l in lines.TakeLast(5)) output.WriteLine(l);
        Assert.True(o.Failure is null, $"{name}: {o.Failure?.Message}");
    }

    public static TheoryData<string> Bugs() => ["vote-no-log-check", "double-vote", "accept-stale-append"];

    [Theory]
    [MemberData(nameof(Bugs))]
    public void A_broken_etcd_is_found_replayed_and_shrunk(string bug)
    {
        IRaftImplementation impl = bug switch
        {
            "vote-no-log-check" => new EtcdRaftVoteNoLogCheck(),
            "double-vote" => new EtcdRaftDoubleVote(),
            _ => new EtcdRaftAcceptStaleAppend(),
        };
        var r = Explore(Settings(impl, 3000, 1, asyncDraws: false) with { StopAtFirst = true }, impl.Name);
        ScheduleResult found = r.FirstViolation ?? throw new Xunit.Sdk.XunitException($"{impl.Name}: no violation in {r.Coverage.Schedules} schedules");
        Assert.NotEqual(Invariant.CoreError, found.Violation!.Invariant);
        var trace = TraceFile.From(found);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(trace).Status);
        var shrunk = Shrinker.Shrink(trace, budget: TimeSpan.FromSeconds(30));
        output.WriteLine($"{impl.Name}: schedule #{found.Iteration}, {found.Violation.Invariant}; shrunk {shrunk.OriginalSteps} -> {shrunk.ShrunkSteps} steps, {shrunk.ShrunkNodes} nodes");
        var again = Replayer.Replay(shrunk.Shrunk);
        Assert.Equal(ReplayStatus.Reproduced, again.Status);
        Assert.Equal(found.Violation.Invariant, again.Run?.Violation?.Invariant);
    }
}
