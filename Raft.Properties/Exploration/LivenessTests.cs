using Raft.Model.Contract;
using Raft.Model.Nodes;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Simulation;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Testing;
using Raft.Model.Traces;
using Xunit.Abstractions;
using Raft.Model.Events;
using Raft.Core.Messages;
using Raft.Properties.Contract;

namespace Raft.Properties.Exploration;

/// <summary>
/// The liveness phase heals the world, lets the adversary's network settle into a stable one
/// (partial synchrony's stabilisation), and demands that the tester's one() commits a fresh
/// command on every node within a bound derived from the timers and the cluster size. Its
/// events are steps like any other: recorded, replayed and shown.
/// </summary>
public sealed class LivenessTests(ITestOutputHelper output)
{
    /// <summary>Election timeouts of 100000 ticks of 10 ms: no leader can appear within a one-second bound.</summary>
    private static readonly ExploreSettings Hopeless = new()
    {
        Raft = new RaftOptions { ElectionTicks = 100_000 },
        LivenessBoundMs = 1000,
        Faults = FaultBudget.NoFaults,
        Swarm = false,
        Workers = 2,
    };

    private static World World(ExploreSettings s, ulong seed = 1) => World(s, SwarmParameters.Draw(s, seed), seed);

    private static World World(ExploreSettings s, SwarmParameters p, ulong seed) => new(s.ToWorldOptions(p, seed));

    /// <summary>The liveness phase of a world built by <see cref="World(ExploreSettings, ulong)"/> with the same settings and seed.</summary>
    private static LivenessOutcome RunPhase(World w, ExploreSettings s, ulong seed = 1) => LivenessPhase.Run(w, SwarmParameters.Draw(s, seed).LivenessPlan(s));

    /// <summary>Runs the liveness phase of <paramref name="s"/>'s world with recording and checks that it ends in a Liveness violation.</summary>
    private (World World, Violation Violation, List<TraceStep> Steps) RecordedLivenessViolation(ExploreSettings s)
    {
        World w = World(s);
        var steps = new List<TraceStep>();
        w.Recording = steps;
        LivenessOutcome o = RunPhase(w, s);
        output.WriteLine($"{o.Summary}: {w.Violation}");
        Violation v = Assert.IsType<Violation>(w.Violation);
        Assert.Equal(Invariant.Liveness, v.Invariant);
        return (w, v, steps);
    }

    [Fact]
    public void AWorldThatCannotElectALeaderWithinTheBound_IsALivenessViolation_DecidedByTheDeadlineStep()
    {
        World w = World(Hopeless);
        w.Recording = new List<TraceStep>();
        LivenessOutcome o = RunPhase(w, Hopeless);
        output.WriteLine($"{o.Summary}: {w.Violation}");
        Assert.NotNull(w.Violation);
        Assert.Equal(Invariant.Liveness, w.Violation!.Invariant);
        Assert.Equal([0, 1, 2], w.Violation.Nodes);
        Assert.Contains("applied nowhere", w.Violation.Detail);
        TraceStep last = w.Recording[^1];
        Assert.Equal(ControlOp.Deadline, last.Control?.Op);
        Assert.Equal(w.ViolationStep, last.Step);
    }

    /// <summary>
    /// Another implementation (not a catalog bug) whose empty AppendEntries carry leaderCommit 0, so a
    /// follower learns that an entry committed only when a later entry reaches it.
    /// </summary>
    private sealed class CommitOnlyWithNewEntries(IRaftNode inner) : ForwardingNode(inner)
    {
        public override bool TryGetReady(out Ready ready)
        {
            if (!base.TryGetReady(out ready)) return false;
            List<Envelope> ms = ready.MessageBuffer;
            for (int k = 0; k < ms.Count; k++)
                if (ms[k].Type == MessageKind.AppendEntries && ms[k].EntryCount == 0) ms[k] = CoreMessage.Wrap(((CoreMessage)ms[k].Payload!).Message with { Commit = 0 });
            return true;
        }
    }

    /// <summary>Another implementation (not a catalog bug) whose election timer runs out at the first tick after it grants a vote.</summary>
    private sealed class CampaignsRightAfterVoting(IRaftNode inner) : ForwardingNode(inner)
    {
        private bool _voted;

        public override bool TryGetReady(out Ready ready)
        {
            if (!base.TryGetReady(out ready)) return false;
            foreach (Envelope m in ready.Messages) if (m.Type == MessageKind.RequestVoteResponse && !m.Reject) _voted = true;
            return true;
        }

        public override void Tick()
        {
            Inner.Tick();
            if (!_voted) return;
            _voted = false;
            for (int k = 0; k < 1000 && Role == Role.Follower; k++) Inner.Tick();
        }
    }

    [Fact]
    public void ANodeThatCampaignsBeforeItsShortestTimeoutAfterVoting_IsALivenessViolation_AtThatStep()
    {
        // Figure 2: granting a vote restarts the election timer. A node that campaigns soon after it voted
        // only splits elections (one() may still agree), so the phase watches the timer rule on the wire.
        var s = new ExploreSettings { Swarm = false, Nodes = 3, Faults = FaultBudget.NoFaults, Factory = (id, n, seed, o, st) => new CampaignsRightAfterVoting(CoreNodes.Standard(id, n, seed, o, st)) };
        var (w, v, steps) = RecordedLivenessViolation(s);
        Assert.Contains("after it granted a vote", v.Detail);
        Assert.Equal(steps.Count - 1, w.ViolationStep);
        Assert.Contains(steps[^1].Sent ?? [], m => m.Type == MessageKind.RequestVote && m.From == v.Nodes[0]);
        World ok = World(s with { Factory = null });
        RunPhase(ok, s);
        Assert.Null(ok.Violation);
    }

    /// <summary>Another implementation (not a catalog bug) that never hands committed entries to its service.</summary>
    private sealed class NeverApplies(IRaftNode inner) : ForwardingNode(inner)
    {
        public override bool TryGetReady(out Ready ready)
        {
            if (!base.TryGetReady(out ready)) return false;
            ready.CommittedEntries = ArraySegment<Entry>.Empty;
            return true;
        }
    }

    [Fact]
    public void TheDeadline_NamesEvenOneNodeThatDidNotApply_NotOnlyAMajority()
    {
        // one() waits for every node, so the deadline's verdict does too: a single node whose service never
        // sees the command fails the phase, though a majority applied it
        var s = new ExploreSettings
        {
            Swarm = false, Nodes = 5, Faults = FaultBudget.NoFaults,
            Factory = (id, n, seed, o, st) => id == 4 ? new NeverApplies(CoreNodes.Standard(id, n, seed, o, st)) : CoreNodes.Standard(id, n, seed, o, st),
        };
        var (w, v, steps) = RecordedLivenessViolation(s);
        Assert.Equal(ControlOp.Deadline, steps[^1].Control?.Op);
        Assert.Equal([4], v.Nodes);
        for (int i = 0; i < 4; i++) Assert.True(w.Cluster.Appliers[i].IndexOf(LivenessPhase.ProbeCommand) > 0, $"node {i}");
    }

    [Fact]
    public void TheDeadline_JudgesOnesLastAttempt_NotACopyAnEarlierRetryLeftEverywhere()
    {
        // one() re-proposes its command on every retry: each retry's entry makes followers commit the
        // copy before it, so every earlier copy is applied everywhere while the current one never is.
        // config.go's one() fails such a cluster; the deadline step must too.
        var s = new ExploreSettings { Swarm = false, Nodes = 3, Faults = FaultBudget.NoFaults, Factory = (id, n, seed, o, st) => new CommitOnlyWithNewEntries(CoreNodes.Standard(id, n, seed, o, st)) };
        var (w, v, steps) = RecordedLivenessViolation(s);
        Assert.Equal(ControlOp.Deadline, steps[^1].Control?.Op);
        Assert.Equal(w.ViolationStep, steps[^1].Step);
        // an earlier copy of the command did reach every node: a deadline that accepted any index would pass
        for (int i = 0; i < w.Size; i++) Assert.True(w.Cluster.Appliers[i].IndexOf(LivenessPhase.ProbeCommand) > 0, $"node {i}");
        Assert.True(steps.Count(st => st.Control?.Op == ControlOp.Propose && st.Outcome.Kind == OutcomeKind.Proposed) > 1);
        // the same world with the correct core agrees
        World ok = World(s with { Factory = null });
        RunPhase(ok, s);
        Assert.Null(ok.Violation);
    }

    /// <summary>Another implementation (not a catalog bug) whose leader throws on its 5th tick as leader.</summary>
    private sealed class ThrowsOnALateLeaderTick(IRaftNode inner) : ForwardingNode(inner)
    {
        private int _leaderTicks;

        public override void Tick()
        {
            if (Role == Role.Leader && ++_leaderTicks == 5) throw new InvalidOperationException("late leader tick");
            base.Tick();
        }
    }

    [Fact]
    public void ANodesExceptionInTheLivenessPhase_IsACoreError_AtTheRecordedStepThatRaisedIt()
    {
        var s = new ExploreSettings { Swarm = false, Nodes = 3, Faults = FaultBudget.NoFaults, Proposals = 1, Workers = 1, Iterations = 5,
            Factory = (id, n, seed, o, st) => new ThrowsOnALateLeaderTick(CoreNodes.Standard(id, n, seed, o, st)) };
        ExploreReport report = Explorer.Run(s);
        output.WriteLine($"schedules {report.Coverage.Schedules}, liveness {report.Coverage.LivenessChecked}, most liveness steps {report.Coverage.MostLivenessSteps}");
        ScheduleResult v = Assert.IsType<ScheduleResult>(report.FirstViolation);
        output.WriteLine($"{v.Violation} at step {v.ViolationStep} of {v.Trace!.Count} ({v.Steps} in the fault phase)");
        Assert.Equal(Invariant.CoreError, v.Violation!.Invariant);
        Assert.True(v.ViolationStep >= v.Steps, "in the liveness phase");
        // the counterexample ends with the step that threw: a tick, its outcome Threw
        Assert.Equal(v.Trace.Count - 1, v.ViolationStep);
        Assert.Equal(EventKind.Tick, v.Trace[^1].Event.Kind);
        Assert.Equal(OutcomeKind.Threw, v.Trace[^1].Outcome.Kind);
    }

    [Fact]
    public void AHealthyWorld_AgreesWithinItsBound_AndThePhaseIsRecordedStepByStep()
    {
        var s = new ExploreSettings { Swarm = false };
        World w = World(s);
        w.Recording = new List<TraceStep>();
        LivenessOutcome o = RunPhase(w, s);
        output.WriteLine(o.Summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("one() agreed at index 1 ", o.Summary);
        Assert.InRange(o.AgreedAfterStableMs, 0, o.StableBoundMs);
        Assert.Contains(Enumerable.Range(0, w.Size), i => w.Cluster.Node(i)!.Role == Role.Leader);
        for (int i = 0; i < w.Size; i++) Assert.True(w.Cluster.Appliers[i].LastApplied >= 1);
        // the phase's cause is in the recording: the heal, the election's messages, the client's proposal
        Assert.Equal(ControlOp.Heal, w.Recording[0].Control?.Op);
        Assert.Contains(w.Recording, st => st.Event.Kind == EventKind.Deliver && st.Event.Message?.Type == MessageKind.RequestVote);
        Assert.Contains(w.Recording, st => st.Control?.Op == ControlOp.Propose && st.Outcome == StepOutcome.Proposed(1, st.Outcome.Term));
        Assert.Contains(w.Recording, st => st.Event.Kind == EventKind.Ticks && st.Outcome.Count > 0); // silent ticks folded into steps
        Assert.Equal(Enumerable.Range(0, w.Recording.Count), w.Recording.Select(st => st.Step));
    }

    [Fact]
    public void StepsAreNumberedAlike_WhetherOrNotTheyAreRecorded()
    {
        var s = new ExploreSettings { Nodes = 5, Seed = 3 };
        for (ulong seed = 1; seed <= 10; seed++)
        {
            World quiet = World(s, seed);
            RunPhase(quiet, s, seed);
            World loud = World(s, seed);
            loud.Recording = new List<TraceStep>();
            RunPhase(loud, s, seed);
            Assert.Equal(loud.Recording!.Count, quiet.StepsRun);
        }
    }

    [Fact]
    public void TheLivenessPhase_HealsPartitions_AndRestartsCrashedNodes_AsRecordedSteps()
    {
        var s = new ExploreSettings { Swarm = false, Nodes = 5 };
        World w = World(s, 4);
        w.Execute(new EnabledEvent(EventKind.Crash, 0), _ => 0);
        w.Execute(new EnabledEvent(EventKind.Crash, 1), _ => 0);
        w.Execute(new EnabledEvent(EventKind.Partition, -1), n => n == 3 ? 0 : 2); // isolate node 2
        Assert.False(w.Cluster.IsUp(0));
        Assert.False(w.LinkUp(2, 3));
        w.Recording = new List<TraceStep>();
        LivenessOutcome o = RunPhase(w, s, 4);
        output.WriteLine(o.Summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("one() agreed", o.Summary);
        for (int i = 0; i < 5; i++) Assert.True(w.Cluster.IsUp(i));
        Assert.True(w.LinkUp(2, 3));
        Assert.False(w.FaultsEnabled);
        Assert.Equal([ControlOp.Heal, ControlOp.Start, ControlOp.Start], w.Recording.Take(3).Select(st => st.Control!.Op));
    }

    [Fact]
    public void TheExplorer_ReportsTheLivenessViolation_AtItsDeadlineStep_AndItReplays()
    {
        // timed mode: the one step lets the clock run, but no election timer can expire
        ExploreSettings s = Hopeless with { Mode = WorldMode.Timed, MaxSteps = 1, Iterations = 3 };
        ExploreReport r = Explorer.Run(s);
        Assert.NotNull(r.FirstViolation);
        ScheduleResult v = r.FirstViolation!;
        output.WriteLine($"{v.Violation} ({v.LivenessSummary})");
        Assert.Equal(0, v.Iteration);
        Assert.Equal(Invariant.Liveness, v.Violation!.Invariant);
        Assert.Equal(v.Trace!.Count - 1, v.ViolationStep);
        Assert.Equal(ControlOp.Deadline, v.Trace[^1].Control?.Op);
        Assert.True(v.LivenessSteps > 1);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceFile.From(v)).Status);

        // the same world without the liveness phase has nothing to report
        Assert.Null(Explorer.Run(s with { Liveness = false }).FirstViolation);
    }

    [Fact]
    public void AnElectionTimerHeldBack_IsFoundOnTheStableNetwork_AtTheTickThatShowsIt()
    {
        // timer-reset-on-step-down: losing candidates restart the timer of the node that could win
        ExploreReport r = Explorer.Run(new ExploreSettings { Bug = "timer-reset-on-step-down", Iterations = 2000, Workers = 2 });
        ScheduleResult v = Assert.IsType<ScheduleResult>(r.FirstViolation);
        output.WriteLine($"schedule {v.Iteration}: {v.Violation}");
        Assert.Equal(Invariant.Liveness, v.Violation!.Invariant);
        Assert.Contains("no election progress", v.Violation.Detail);
        TraceStep at = v.Trace![v.ViolationStep];
        Assert.Equal(v.Trace.Count - 1, v.ViolationStep);
        Assert.NotEqual(EventKind.Ticks, at.Event.Kind); // never at a folded step: the tick that showed it
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceFile.From(v)).Status);
        // the correct core on the same schedule elects in time
        Assert.Null(ScheduleRunner.Run(v.Settings with { Bug = "none" }, v.Iteration, v.Seed, Raft.Model.Exploration.Strategies.StrategyCatalog.Create("random", 0), record: false).Violation);
    }

    [Fact]
    public void TheCorrectCore_PassesTheLivenessPhase_AfterEveryKindOfSchedule()
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 150, Workers = 2, Nodes = 0, Seed = 11 });
        Assert.Null(r.FirstViolation);
        Assert.Equal(150, r.Coverage.LivenessChecked);
        ExploreReport timed = Explorer.Run(new ExploreSettings { Iterations = 150, Workers = 2, Mode = WorldMode.Timed, Seed = 11 });
        Assert.Null(timed.FirstViolation);
        Assert.Equal(150, timed.Coverage.LivenessChecked);
        output.WriteLine($"slowest agreement after stabilisation: {r.Coverage.SlowestAgreementMs} ms, {r.Coverage.MostOfBoundUsedPercent}% of its bound");
    }

    [Fact]
    public void ThePhase_IsAFunctionOfTheSeed_AndItsNetworkNeverExceedsLabrpcs()
    {
        var s = new ExploreSettings { Nodes = 5, Seed = 3 };
        for (ulong seed = 1; seed <= 20; seed++)
        {
            SwarmParameters p = SwarmParameters.Draw(s, seed);
            Assert.InRange(p.LiveReorderPerThousand, 0, 667); // never beyond labrpc's long reordering
            Assert.InRange(p.LiveDropPerThousand, 0, 100);
            Assert.InRange(p.LiveDelayMs, 1, 27);
            Assert.InRange(p.LiveUnstableMs, 0, SwarmParameters.MaxUnstableMs);
            string a = LivenessPhase.Run(World(s, p, seed), p.LivenessPlan(s)).Summary;
            string b = LivenessPhase.Run(World(s, p, seed), p.LivenessPlan(s)).Summary;
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void TheStableNetwork_DeliversFarWithinTheElectionTimeout()
    {
        var s = new ExploreSettings { Seed = 5 };
        for (ulong seed = 1; seed <= 200; seed++)
        {
            SwarmParameters p = SwarmParameters.Draw(s, seed);
            int electionMinMs = p.Raft!.ElectionTicks * s.TickMs;
            // broadcastTime ≪ electionTimeout (§5.6): a request and its reply within a tenth of the shortest timeout
            Assert.True(10 * 2 * p.LiveStableDelayMs <= electionMinMs, $"seed {seed}: stable delay {p.LiveStableDelayMs} ms against a {electionMinMs} ms timeout");
        }
    }

    [Fact]
    public void AfterStabilisation_EveryMessageArrivesWithinTheStableDelay_EvenOneHeldBackBeforeIt()
    {
        // partial synchrony's stabilisation: replies long-reordered before it (200-2199 ms) must not
        // arrive late after it, or the bound and the election-progress window would judge a network
        // that never became stable
        var s = new ExploreSettings { Nodes = 5, Faults = FaultBudget.NoFaults };
        int checkedLate = 0;
        for (ulong seed = 1; seed <= 5; seed++)
        {
            SwarmParameters p = SwarmParameters.Draw(s, seed) with { LiveReorderPerThousand = 667, LiveDropPerThousand = 0, LiveDelayMs = 27, LiveUnstableMs = 150 };
            World w = World(s, p, seed);
            w.Execute(new EnabledEvent(EventKind.Timeout, 0), _ => 0); // node 0 campaigns: its RequestVotes' replies are held back across the stabilisation
            w.Recording = new List<TraceStep>();
            LivenessOutcome o = LivenessPhase.Run(w, p.LivenessPlan(s));
            output.WriteLine($"seed {seed}: {o.Summary}");
            Assert.Null(w.Violation);
            var sentAt = new Dictionary<long, long>();
            long stabilisedAt = -1;
            foreach (TraceStep st in w.Recording)
            {
                if (st.Control?.Op == ControlOp.Stabilise)
                {
                    stabilisedAt = st.Event.At;
                    checkedLate += (int)st.Outcome.Count;
                }
                if (st.Event.Kind == EventKind.Deliver && stabilisedAt >= 0)
                {
                    long id = st.Event.Message!.Value.Id;
                    long from = Math.Max(sentAt.GetValueOrDefault(id), stabilisedAt);
                    Assert.True(st.Event.At <= from + p.LiveStableDelayMs,
                        $"seed {seed}: message #{id} ({st.Event.Message.Value.Type}) arrived at {st.Event.At} ms, stabilised at {stabilisedAt} ms, stable delay {p.LiveStableDelayMs} ms");
                }
                foreach (SentMessage m in st.Sent ?? []) sentAt[m.Id] = st.Event.At;
            }
        }
        Assert.True(checkedLate > 0, "no reply was still held back at any stabilisation: the test checks nothing");
    }

    [Fact]
    public void TheBound_IsDerivedFromTheTimersAndTheClusterSize()
    {
        var raft = new RaftOptions { ElectionTicks = 30, HeartbeatTicks = 10 };
        long b3 = LivenessPlan.DeriveStableBoundMs(raft, 10, 3, 5);
        long b9 = LivenessPlan.DeriveStableBoundMs(raft, 10, 9, 5);
        long slow = LivenessPlan.DeriveStableBoundMs(raft with { ElectionTicks = 300, HeartbeatTicks = 100 }, 10, 3, 5);
        Assert.True(b9 > b3);
        Assert.True(slow > 5 * b3);
        // at least the rounds' worth of longest timeouts
        Assert.True(b3 >= LivenessPlan.Rounds(3) * 2 * 30 * 10);
        // a fixed bound overrides the derived one
        var s = new ExploreSettings { LivenessBoundMs = 777, Swarm = false };
        Assert.Equal(777, SwarmParameters.Draw(s, 1).LivenessPlan(s).StableBoundMs);
    }

    [Fact]
    public void ThePhase_DeliversMessagesFromBeforeTheHeal()
    {
        var s = new ExploreSettings { Nodes = 3, Faults = FaultBudget.NoFaults };
        SwarmParameters p = SwarmParameters.Draw(s, 9) with { LiveReorderPerThousand = 0, LiveDropPerThousand = 0, LiveDelayMs = 27, LiveUnstableMs = 100, AsyncReady = false }; // synchronous: the votes leave at once
        World w = World(s, p, 9);
        w.Recording = new List<TraceStep>();
        w.Execute(new EnabledEvent(EventKind.Timeout, 0), _ => 0); // node 0 campaigns; its RequestVotes are in flight at the heal
        Assert.True(w.PendingCount > 0);
        LivenessOutcome o = LivenessPhase.Run(w, p.LivenessPlan(s));
        output.WriteLine(o.Summary);
        Assert.Null(w.Violation);
        Assert.StartsWith("one() agreed", o.Summary);
        Assert.Equal(StepOutcome.Healed(2, 0), w.Recording[0].Outcome);
    }
}
