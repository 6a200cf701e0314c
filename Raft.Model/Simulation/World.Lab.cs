using System.Globalization;
using Raft.Model.Events;
using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Contract;

namespace Raft.Model.Simulation;

/// <summary>
/// labrpc timing on the one world (the 6.824 tester's network, in virtual time). Each message gets
/// labrpc's fate when it is sent (lost, or due after a delay, maybe long-reordered or duplicated),
/// every live node ticks every <see cref="WorldOptions.TickMs"/>, and the next event is the one due
/// first, ties broken by when it was scheduled: this is the lab's scheduler over the same enabled
/// events (deliver #k, tick i) that the explorer's strategies choose from. The tester acts between
/// events through the control calls (<see cref="Start"/>, <see cref="Crash"/>, <see cref="Connect"/>,
/// <see cref="Disconnect"/>, <see cref="Propose"/>, ...), each of which is a recorded step, and
/// sleeps through <see cref="Schedule"/>. With recording on, a lab run is a trace that
/// <c>raftverify replay</c>, <c>shrink</c> and <c>show</c> accept.
/// </summary>
public sealed partial class World
{
    private readonly long[] _tickSeq;
    private readonly PriorityQueue<Action, (long Time, long Seq)> _callbacks = new();
    /// <summary>The network's seed stream (<see cref="SeedStream.Network"/>); the lab's tick phases draw from it too.</summary>
    private Rng _netRng;
    private long _seq;

    /// <summary>Events processed so far (the tester's control calls and wake-ups count too).</summary>
    public long EventCount { get; private set; }

    /// <summary>
    /// Steps run so far: control steps and labrpc events, not the tester's wake-ups. Step k (from 0)
    /// is the k-th recorded step of the lab's trace, and the number its failure message, the
    /// checker's violation, replay, show and the pictures all give.
    /// </summary>
    public int StepsRun { get; set; }

    /// <summary>Steps recorded so far when <see cref="Recording"/> is on (the lab's trace).</summary>
    public List<TraceStep>? Recording
    {
        get => _recording;
        set { _recording = value; RecordSends = value is not null; }
    }

    private List<TraceStep>? _recording;

    /// <summary>Messages in flight plus tester wake-ups scheduled.</summary>
    public int Scheduled => _pending.Count + _callbacks.Count;

    public IRaftNode? Node(int i) => Cluster.Node(i);
    public Storage.Disk[] Disks => Cluster.Disks;
    public Services.Applier[] Appliers => Cluster.Appliers;
    public Invariants.InvariantChecker Checker => Cluster.Checker;
    public long Crashes => Cluster.Crashes;
    public long Restarts => Cluster.Restarts;
    public bool IsUp(int i) => Cluster.IsUp(i);

    /// <summary>The lab's GetState() on node i; a crashed node reports (0, false).</summary>
    public (long Term, bool IsLeader) GetState(int i) =>
        Cluster.Node(i) is { } n ? (n.Term, n.Role == Role.Leader) : (0, false);

    /// <summary>Runs <paramref name="action"/> (the tester waking up) at virtual time Now + <paramref name="delayMs"/>.</summary>
    public void Schedule(long delayMs, Action action) => _callbacks.Enqueue(action, (Now + Math.Max(0, delayMs), _seq++));

    // ---- the tester's control calls: each is a step of the run ----

    /// <summary>config.go start1: node i starts from its disk; its RPC count restarts; it ticks from a random phase.</summary>
    public void Start(int i) => Control(new WorldControl(ControlOp.Start, i, Now));

    /// <summary>Node i crashes: everything not durable is lost; messages in flight to it die on arrival.</summary>
    public void Crash(int i)
    {
        if (Cluster.IsUp(i)) Control(new WorldControl(ControlOp.Crash, i, Now));
    }

    /// <summary>Crash (if running) and start again from disk.</summary>
    public void Restart(int i)
    {
        Crash(i);
        Start(i);
    }

    public void Connect(int i) => Control(new WorldControl(ControlOp.Connect, i, Now));
    public void Disconnect(int i) => Control(new WorldControl(ControlOp.Disconnect, i, Now));
    public void SetReliable(bool reliable) => Control(new WorldControl(ControlOp.Reliable, -1, Now, Flag: reliable));
    public void SetLongReordering(bool on) => Control(new WorldControl(ControlOp.LongReordering, -1, Now, Flag: on));

    /// <summary>The next time node i makes state durable, it crashes before its messages leave.</summary>
    public void CrashAfterNextPersist(int i) => Control(new WorldControl(ControlOp.CrashAfterPersist, i, Now));

    /// <summary>The lab's Start(command) on node i: (index, term, isLeader); a crashed node is not leader.</summary>
    public ProposeResult Propose(int i, byte[] command)
    {
        if (!Cluster.IsUp(i)) return new ProposeResult(-1, 0, false);
        Control(new WorldControl(ControlOp.Propose, i, Now, Command: command));
        return _lastPropose;
    }

    private ProposeResult _lastPropose;

    /// <summary>The last command a leader accepted and the index it got (the deadline judges one()'s last attempt by it).</summary>
    private (byte[] Command, long Index) _lastAccepted = ([], -1);

    /// <summary>Runs one control step (the tester's call, or a recorded one on replay) and records it.</summary>
    public StepOutcome Control(WorldControl c)
    {
        EventCount++;
        FlushSilentTicks();
        if (ViolationStep >= 0) return StepOutcome.Done; // a run ends at its violation: nothing more is a step
        int step = StepsRun;
        Cluster.Checker.Step = step;
        _sentThisStep = 0;
        if (c.At > Now) Now = c.At;
        StepOutcome outcome = ExecuteControl(c);
        EndStep(Recording is not null ? new TraceStep(step, [], new StepEvent(EventKind.Control, c.Node, c.At, Control: c), outcome, NodeStates(), TakeSentThisStep()) : null);
        return outcome;
    }

    private StepOutcome ExecuteControl(WorldControl c)
    {
        if (c.Node >= Size) throw new ArgumentOutOfRangeException(nameof(c), $"control names node {c.Node} of a {Size}-node world");
        switch (c.Op)
        {
            case ControlOp.Start:
                if (Cluster.IsUp(c.Node)) Cluster.Crash(c.Node);
                Cluster.Start(c.Node);
                Network.ResetRpcCount(c.Node);
                _nextTick[c.Node] = Now + 1 + _netRng.Next(_tickMs);
                _tickSeq[c.Node] = _seq++;
                return StepOutcome.Done;
            case ControlOp.Crash:
                Cluster.Crash(c.Node);
                return StepOutcome.Done;
            case ControlOp.Connect: Network.Connect(c.Node); return StepOutcome.Done;
            case ControlOp.Disconnect: Network.Disconnect(c.Node); return StepOutcome.Done;
            case ControlOp.Reliable: Network.Options.Reliable = c.Flag; return StepOutcome.Done;
            case ControlOp.LongReordering: Network.Options.LongReordering = c.Flag; return StepOutcome.Done;
            case ControlOp.CrashAfterPersist: Cluster.CrashAfterNextPersist(c.Node); return StepOutcome.Done;
            case ControlOp.Propose:
            {
                ProposeResult r = Cluster.Propose(c.Node, c.Command ?? []);
                _lastPropose = r;
                if (r.IsLeader) _lastAccepted = (c.Command ?? [], r.Index);
                return r.IsLeader ? StepOutcome.Proposed(r.Index, r.Term) : StepOutcome.NotLeader;
            }
            case ControlOp.Heal: return HealForLiveness(c.Network ?? throw new ArgumentException("heal needs the network it heals to"));
            case ControlOp.Stabilise: return Stabilise(c.Network ?? throw new ArgumentException("stabilise needs the stable network"), c.BoundMs);
            case ControlOp.Deadline: return Deadline(c.Command ?? [], c.BoundMs);
            case ControlOp.ClerkEnds or ControlOp.ClerkCall or ControlOp.Partition:
                return ExecuteKvControl(c);
            case ControlOp.Guard:
                Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(), _guardReason.Length > 0 ? _guardReason : "a livelock guard fired");
                return new StepOutcome(OutcomeKind.Stopped);
            default:
                throw new InvalidOperationException($"unknown control {c.Op}");
        }
    }

    // ---- labrpc timing ----

    /// <summary>What is due next in labrpc timing: a message (Index into the in-flight list), a node's tick (Index = node) or a tester wake-up.</summary>
    private enum DueKind : byte { None, Message, Tick, Wake, ClerkCall }

    /// <summary>The earliest thing due (ties in scheduling order): the one scan both <see cref="Step"/> and <see cref="RunUntil"/> use.</summary>
    private (DueKind Kind, long Time, int Index) Earliest()
    {
        DueKind kind = DueKind.None;
        long bestTime = long.MaxValue, bestSeq = long.MaxValue;
        int index = -1;
        for (int k = 0; k < _pending.Count; k++)
        {
            Pending p = _pending[k];
            if (p.Due < bestTime || (p.Due == bestTime && p.Seq < bestSeq)) { bestTime = p.Due; bestSeq = p.Seq; kind = DueKind.Message; index = k; }
        }
        for (int i = 0; i < Size; i++)
        {
            if (!Cluster.IsUp(i)) continue;
            long t = _nextTick[i], s = _tickSeq[i];
            if (t < bestTime || (t == bestTime && s < bestSeq)) { bestTime = t; bestSeq = s; kind = DueKind.Tick; index = i; }
        }
        if (_rpcs.Count > 0)
        {
            int rpc = -1;
            EarliestRpc(ref bestTime, ref bestSeq, ref rpc);
            if (rpc >= 0) { kind = DueKind.ClerkCall; index = rpc; }
        }
        if (_callbacks.TryPeek(out _, out var cb) && (cb.Time < bestTime || (cb.Time == bestTime && cb.Seq < bestSeq)))
            return (DueKind.Wake, cb.Time, -1);
        return (kind, bestTime, index);
    }

    /// <summary>
    /// Runs the next thing due: a tester wake-up, a message delivery or a tick, whichever is
    /// earliest (ties in scheduling order). Returns false when nothing is scheduled.
    /// </summary>
    public bool Step() => Run(Earliest());

    private bool Run((DueKind Kind, long Time, int Index) next)
    {
        switch (next.Kind)
        {
            case DueKind.None:
                return false;
            case DueKind.Wake:
            {
                Action wake = _callbacks.Dequeue();
                if (next.Time > Now) Now = next.Time;
                EventCount++;
                wake();
                return true;
            }
        }
        if (_pending.Count > MaxInFlight && Violation is null)
        {
            // a livelock guard: a core whose messages multiply would make every step slower until the run hangs
            Guard(string.Create(CultureInfo.InvariantCulture, $"message storm: more than {MaxInFlight} messages in flight at {Now} ms (a livelock)"));
            return true;
        }
        if (FoldSilentTicks && Violation is null)
        {
            // the liveness phase's guards: a correct cluster runs a few events per instant and a few thousand steps in all
            if (next.Time != _guardInstant) { _guardInstant = next.Time; _eventsAtInstant = 0; }
            if (++_eventsAtInstant > MaxLivenessEventsAtInstant)
            {
                Guard(string.Create(CultureInfo.InvariantCulture, $"message storm: more than {MaxLivenessEventsAtInstant} events at {Now} ms without time passing (a livelock)"));
                return true;
            }
            if (next.Time / 1000 != _guardSecond) { _guardSecond = next.Time / 1000; _stepsAtSecond = StepsRun; }
            // a cluster whose commit indexes advance, or whose logs reach entries they never held, is making progress,
            // however busy (an implementation without the fast backup catching a follower up one entry per round trip
            // under reordering): the count restarts. A livelock rewrites what it held, or nothing.
            if (MadeProgress()) _stepsAtSecond = StepsRun;
            // the messages in flight at the heal (a long adversarial schedule can leave a thousand) each take a
            // delivery and maybe a reply on top of what the cluster does: they are allowed for
            // (no cap on the phase's total: it lasts as long as the timers make one()'s bound, so only the rate can tell a storm)
            int perSecond = MaxLivenessStepsPerSecond + _backlogSteps;
            if (StepsRun - _stepsAtSecond > perSecond)
            {
                Guard(string.Create(CultureInfo.InvariantCulture, $"message storm: more than {perSecond} steps within the virtual second before {Now} ms without any commit index advancing or any log growing past its longest (a correct cluster takes a few hundred, plus two for each message in flight at the heal)"));
                return true;
            }
        }
        if (next.Kind == DueKind.Message)
            RunLabEvent(new EnabledEvent(EventKind.Deliver, _pending[next.Index].Message.To, _pending[next.Index].Id), next.Index);
        else if (next.Kind == DueKind.ClerkCall)
            RunLabEvent(RpcEvent(next.Index), _pending.Count + UpCount() + next.Index);
        else
            RunLabEvent(new EnabledEvent(EventKind.Tick, next.Index), _pending.Count + UpRank(next.Index));
        return true;
    }

    /// <summary>Processes every event due up to and including <paramref name="time"/>, then sets the clock to it.</summary>
    /// <remarks>
    /// A livelock guard: more than <see cref="LivelockEvents"/> events at one virtual instant (a core
    /// that answers every message at once, forever) is reported as a Liveness violation naming
    /// the instant, so the run fails with its seed instead of hanging.
    /// </remarks>
    public void RunUntil(long time)
    {
        long instant = Now, atInstant = 0;
        while (Violation is null)
        {
            var next = Earliest();
            if (next.Kind == DueKind.None || next.Time > time) break;
            Run(next);
            if (Now != instant) { instant = Now; atInstant = 0; }
            else if (++atInstant > LivelockEvents)
            {
                Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(),
                    string.Create(CultureInfo.InvariantCulture, $"livelock: more than {LivelockEvents} events at {Now} ms without time passing"));
                return;
            }
        }
        if (time > Now) Now = time;
    }

    /// <summary>Liveness phase: events at one virtual instant beyond which the phase is a message storm.</summary>
    public const int MaxLivenessEventsAtInstant = 10_000;

    /// <summary>
    /// Liveness phase: steps within one virtual second beyond which the phase is a message storm.
    /// The correct core's busiest phases take about 2,000 steps in all at 9 nodes (explore's "most
    /// steps in one liveness phase"), spread over seconds, so this leaves a wide margin; messages in
    /// flight at the heal are allowed for on top.
    /// </summary>
    public const int MaxLivenessStepsPerSecond = 2_000;

    private long _guardInstant = -1, _eventsAtInstant, _guardSecond = -1;
    private int _stepsAtSecond;
    private int _backlogSteps;
    private long _commitMark = -1;
    private long[]? _highWater;

    /// <summary>
    /// Whether the sum of the live nodes' commit indexes rose, or some node's log reached an index
    /// beyond any it held before (its high-water mark), since the last call.
    /// </summary>
    private bool MadeProgress()
    {
        _highWater ??= new long[Size];
        bool progress = false;
        long commits = 0;
        for (int i = 0; i < Size; i++)
        {
            if (Cluster.Node(i) is not { } n) continue;
            commits += n.CommitIndex;
            if (n.LastIndex > _highWater[i]) { _highWater[i] = n.LastIndex; progress = true; }
        }
        if (commits > _commitMark) { _commitMark = commits; progress = true; }
        return progress;
    }
    private string _guardReason = "";

    /// <summary>A livelock guard fired: recorded as a step whose verdict is a Liveness violation, so the trace ends at it.</summary>
    private void Guard(string reason)
    {
        _guardReason = reason;
        Control(new WorldControl(ControlOp.Guard, -1, Now));
    }

    /// <summary>Events at one virtual instant beyond which a run is a livelock (the lab's busiest instants have a few hundred).</summary>
    public const long LivelockEvents = 1_000_000;

    /// <summary>Index of node i among the live nodes (its tick's place in the enabled list after the messages).</summary>
    private int UpRank(int node)
    {
        int r = 0;
        for (int i = 0; i < node; i++) if (Cluster.IsUp(i)) r++;
        return r;
    }

    /// <summary>
    /// Under labrpc timing, a node's exception is a CoreError violation at the step that raised it
    /// (recorded like any other step), instead of ending the run by propagating. The explorer's
    /// liveness phase sets it, so its counterexamples show the step that threw; the lab leaves it
    /// off and lets the exception end the test, as a panic ends a Go test.
    /// </summary>
    public bool ReportCoreErrors { get; set; }

    private void RunLabEvent(EnabledEvent e, int decision)
    {
        if (FoldSilentTicks && e.Kind == EventKind.Tick) { EventCount++; RunFoldableTick(e, decision); return; }
        RunOne(e, static _ => 0, null, decision, reportCoreErrors: ReportCoreErrors);
    }

    /// <summary>
    /// The one step: runs an event a strategy (or another engine) chose, numbers it, checks it and
    /// records it. Every driver of the world goes through here or through <see cref="Control"/> and
    /// labrpc timing (<see cref="Step"/>): the explorer, replay, the shrinker, FsCheck schedules,
    /// Coyote's import and the lab. Data choices (a partition's shape) come from
    /// <paramref name="choose"/>, which adds them to <paramref name="decisions"/> after the event's
    /// index. A node's exception is reported to the checker as a CoreError, not thrown.
    /// </summary>
    public StepOutcome RunStep(in EnabledEvent e, Func<int, int> choose, List<int> decisions) =>
        RunOne(e, choose, decisions, -1, reportCoreErrors: true);

    /// <summary>One chosen or due event as a step: numbered, run, checked, recorded (decisions: the driver's, or labrpc timing's one index).</summary>
    private StepOutcome RunOne(in EnabledEvent e, Func<int, int> choose, List<int>? decisions, int decision, bool reportCoreErrors)
    {
        EventCount++;
        FlushSilentTicks();
        if (ViolationStep >= 0) return StepOutcome.Done;
        int step = StepsRun;
        Cluster.Checker.Step = step;
        StepEvent? ev = Recording is not null ? EventOf(e) : null;
        StepOutcome outcome;
        try
        {
            outcome = Execute(e, choose);
        }
        catch (Exception ex) when (reportCoreErrors && ex is not ArgumentOutOfRangeException { ParamName: "choose" }) // a driver's own bad choice is its error, not the node's
        {
            Cluster.Checker.ObserveCoreError(e.Node, ex);
            outcome = StepOutcome.Threw;
        }
        CheckElectionProgress();
        EndStep(Recording is not null ? new TraceStep(step, decisions?.ToArray() ?? [decision], ev!, outcome, NodeStates(), TakeSentThisStep()) : null);
        return outcome;
    }

    /// <summary>
    /// A tick under <see cref="FoldSilentTicks"/>: a tick that sends nothing and changes nothing a
    /// step shows (role, term, commit, last index) is counted, not recorded on its own; the silent
    /// ticks since the last step become one <see cref="EventKind.Ticks"/> step, recorded just before
    /// the next step (as timed mode's advance does). Steps are counted the same way whether or not
    /// they are recorded, so a violation has one step number either way.
    /// </summary>
    private void RunFoldableTick(in EnabledEvent e, int decision)
    {
        if (ViolationStep >= 0) return;
        IRaftNode node = Cluster.Node(e.Node)!;
        (Role role, long term, long commit, long last) = (node.Role, node.Term, node.CommitIndex, node.LastIndex);
        NodeState[]? before = Recording is not null && _silentTicks > 0 ? NodeStates() : null;
        int step = StepsRun + (_silentTicks > 0 ? 1 : 0); // this tick's step comes after the folded ones
        Cluster.Checker.Step = step;
        StepEvent? ev = Recording is not null ? EventOf(e) : null;
        _sentThisStep = 0;
        StepOutcome outcome;
        try
        {
            outcome = Execute(e, _ => 0);
        }
        catch (Exception ex) when (ReportCoreErrors)
        {
            // a tick that throws is a step of its own (never folded: the violation below keeps it out)
            Cluster.Checker.ObserveCoreError(e.Node, ex);
            outcome = StepOutcome.Threw;
        }
        CheckElectionProgress();
        if (_sentThisStep == 0 && Violation is null && Cluster.Node(e.Node) == node
            && node.Role == role && node.Term == term && node.CommitIndex == commit && node.LastIndex == last)
        {
            if (Recording is not null) _sentLog.Clear();
            if (_silentTicks == 0) _silentFrom = ev?.At ?? Now;
            _silentTicks++;
            _silentUntil = Now;
            return;
        }
        if (_silentTicks > 0)
        {
            // the silent ticks before this one changed nothing: a violation belongs to this tick's step
            int ticks = _silentTicks;
            _silentTicks = 0;
            EndStep(Recording is not null ? SilentTicksStep(ticks, before!) : null, violationPossible: false);
        }
        EndStep(Recording is not null ? new TraceStep(step, [decision], ev!, outcome, NodeStates(), TakeSentThisStep()) : null);
    }

    /// <summary>Records the silent ticks counted since the last step as one step (see <see cref="FoldSilentTicks"/>).</summary>
    public void FlushSilentTicks()
    {
        if (_silentTicks == 0) return;
        int ticks = _silentTicks;
        _silentTicks = 0;
        EndStep(Recording is not null ? SilentTicksStep(ticks, NodeStates()) : null);
    }

    /// <summary>The folded step: from the first silent tick's time, the clock ran to the last one's, ticking <paramref name="ticks"/> times.</summary>
    private TraceStep SilentTicksStep(int ticks, NodeState[] nodes) =>
        new(StepsRun, [], new StepEvent(EventKind.Ticks, -1, _silentFrom, AdvanceTo: _silentUntil), StepOutcome.Ticked(ticks), nodes, []);

    private int _silentTicks;
    private long _silentFrom, _silentUntil;

    /// <summary>Fold silent ticks into one step (the liveness phase, whose clock runs for seconds); the lab records every tick.</summary>
    public bool FoldSilentTicks { get; set; }

    /// <summary>Called with every step as it is recorded (replay compares it with the recording).</summary>
    public Action<TraceStep>? OnRecorded { get; set; }

    /// <summary>The step at which the first violation appeared (-1 while none has), counted whether or not steps are recorded.</summary>
    public int ViolationStep { get; private set; } = -1;

    /// <summary>Ends a step: counts it, notes the first violation's step, and records it when recording.</summary>
    private void EndStep(TraceStep? recorded, bool violationPossible = true)
    {
        if (_handlers.Count > 0) SettleKvHandlers(); // a KV server's handler answers as a consequence of this step
        int index = StepsRun++;
        if (violationPossible && Violation is not null && ViolationStep < 0) ViolationStep = index;
        if (recorded is null || Recording is null) return;
        Recording.Add(recorded);
        OnRecorded?.Invoke(recorded);
    }

    /// <summary>Lab mode's enabled events: every message in flight (in send order), then a tick of every live node.</summary>
    private void ListEnabledLabrpc(List<EnabledEvent> into)
    {
        foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Deliver, p.Message.To, p.Id));
        for (int i = 0; i < Size; i++) if (Cluster.IsUp(i)) into.Add(new EnabledEvent(EventKind.Tick, i));
        ListClerkEvents(into);
    }

    /// <summary>One tick of node i's clock, at its due time; the next is scheduled before the node acts.</summary>
    private StepOutcome TickOnce(int i)
    {
        if (_nextTick[i] > Now) Now = _nextTick[i];
        _nextTick[i] += _tickMs;
        _tickSeq[i] = _seq++;
        Cluster.Tick(i);
        return StepOutcome.Done;
    }
}
