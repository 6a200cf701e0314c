using Raft.Model.Exploration;
using System.Globalization;
using Raft.Model.Events;
using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Network;
using Raft.Model.Simulation;

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
    private Rng _labRng;
    private long _seq;

    /// <summary>The lab's world: labrpc timing, no node started (the tester starts and connects them).</summary>
    public World(WorldOptions options, Cluster.NodeFactory? factory = null)
    {
        options.Validate();
        int n = options.Nodes;
        Mode = WorldMode.Lab;
        Settings = LabSettings(options);
        Swarm = new SwarmParameters(n, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Cluster = new Cluster(n, options.Seed, options.Raft, options.SnapshotService, options.SnapshotInterval, options.CheckInvariants, factory ?? BugCatalog.FactoryFor(options.Bug));
        Cluster.Send = OnSend;
        Network = new SimNetwork(n, options.Network with { });
        _links = Network.Links;
        _nextTick = new long[n];
        _tickSeq = new long[n];
        _tickMs = options.TickMs;
        _labRng = new Rng(Rng.Derive(options.Seed, 1));
        FaultsEnabled = false;
    }

    /// <summary>The explore settings a lab world is described by in its trace header.</summary>
    public static ExploreSettings LabSettings(WorldOptions o) => new()
    {
        Nodes = o.Nodes,
        Mode = WorldMode.Lab,
        Strategy = "labrpc",
        Seed = o.Seed,
        Iterations = 1,
        MaxSteps = int.MaxValue,
        Proposals = 0,
        Swarm = false,
        Liveness = false,
        Faults = FaultBudget.NoFaults,
        Bug = o.Bug,
        Workers = 1,
        Raft = o.Raft,
        TickMs = o.TickMs,
        Lab = new LabWorldSettings(o.SnapshotService, o.SnapshotInterval, o.Network.Reliable, o.Network.LongReordering, o.Network.DuplicatePerThousand),
    };

    /// <summary>Events processed so far (the tester's control calls and wake-ups count too).</summary>
    public long EventCount { get; private set; }

    /// <summary>
    /// Steps run so far: control steps and labrpc events, not the tester's wake-ups. Step k (from 0)
    /// is the k-th recorded step of the lab's trace, and the number its failure message, the
    /// checker's violation, replay, show and the pictures all give.
    /// </summary>
    public int StepsRun { get; private set; }

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

    /// <summary>Runs one control step (the tester's call, or a recorded one on replay) and records it.</summary>
    public StepOutcome Control(WorldControl c)
    {
        EventCount++;
        int step = StepsRun++;
        Cluster.Checker.Step = step;
        _sentThisStep = 0;
        if (c.At > Now) Now = c.At;
        StepOutcome outcome = ExecuteControl(c);
        if (Recording is not null) Record(new TraceStep(step, [], new StepEvent(EventKind.Control, c.Node, c.At, Control: c), outcome, NodeStates(), TakeSentThisStep()));
        NoteViolation(step);
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
                _nextTick[c.Node] = Now + 1 + _labRng.Next(_tickMs);
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
                return r.IsLeader ? StepOutcome.Proposed(r.Index, r.Term) : StepOutcome.NotLeader;
            }
            default:
                throw new InvalidOperationException($"unknown control {c.Op}");
        }
    }

    // ---- labrpc timing ----

    /// <summary>What is due next in labrpc timing: a message (Index into the in-flight list), a node's tick (Index = node) or a tester wake-up.</summary>
    private enum DueKind : byte { None, Message, Tick, Wake }

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
            Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(),
                string.Create(CultureInfo.InvariantCulture, $"message storm: more than {MaxInFlight} messages in flight at {Now} ms (a livelock)"));
            return true;
        }
        if (next.Kind == DueKind.Message)
            RunLabEvent(new EnabledEvent(EventKind.Deliver, _pending[next.Index].Message.To, _pending[next.Index].Id), next.Index);
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

    /// <summary>Events at one virtual instant beyond which a run is a livelock (the lab's busiest instants have a few hundred).</summary>
    public const long LivelockEvents = 1_000_000;

    /// <summary>Index of node i among the live nodes (its tick's place in the enabled list after the messages).</summary>
    private int UpRank(int node)
    {
        int r = 0;
        for (int i = 0; i < node; i++) if (Cluster.IsUp(i)) r++;
        return r;
    }

    private void RunLabEvent(EnabledEvent e, int decision)
    {
        EventCount++;
        int step = StepsRun++;
        Cluster.Checker.Step = step;
        StepEvent? ev = Recording is not null ? EventOf(e) : null;
        StepOutcome outcome = Execute(e, _ => 0);
        if (Recording is not null) Record(new TraceStep(step, [decision], ev!, outcome, NodeStates(), TakeSentThisStep()));
        NoteViolation(step);
    }

    /// <summary>The step at which the first violation appeared (-1 while none has), recorded or not.</summary>
    public int ViolationStep { get; private set; } = -1;

    private void NoteViolation(int step)
    {
        if (ViolationStep < 0 && Violation is not null) ViolationStep = step;
    }

    private void Record(TraceStep step)
    {
        if (Recording is null || ViolationStep >= 0) return; // a trace ends at its violation, as replay does
        Recording.Add(step);
    }

    /// <summary>Lab mode's enabled events: every message in flight (in send order), then a tick of every live node.</summary>
    private void ListEnabledLabrpc(List<EnabledEvent> into)
    {
        foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Deliver, p.Message.To, p.Id));
        for (int i = 0; i < Size; i++) if (Cluster.IsUp(i)) into.Add(new EnabledEvent(EventKind.Tick, i));
    }

    /// <summary>labrpc at send: the request is counted, then lost or given a delay (and maybe a duplicate).</summary>
    private void OnSendLabrpc(Message m)
    {
        _sentThisStep++;
        long delay = Network.Admit(m, ref _labRng);
        long id = _nextMessageId++;
        if (RecordSends) _sentLog.Add(new SentMessage(MessageInfo.Of(id, m), delay < 0));
        if (delay < 0) return;
        int incarnation = Cluster.Incarnation(m.To);
        _pending.Add(new Pending(id, m, long.MaxValue, incarnation, Now + delay, _seq++));
        long dup = Network.MaybeDuplicate(ref _labRng, delay);
        if (dup >= 0) _pending.Add(new Pending(_nextMessageId++, m, long.MaxValue, incarnation, Now + dup, _seq++));
    }

    /// <summary>labrpc at arrival: the target must be the same incarnation and (labrpc's check) still reachable.</summary>
    private StepOutcome DeliverLabrpc(Pending p)
    {
        if (p.Due > Now) Now = p.Due;
        int to = p.Message.To;
        if (!Cluster.IsUp(to) || Cluster.Incarnation(to) != p.ToIncarnation) return StepOutcome.LostTargetRestarted;
        if (!Network.Deliverable(p.Message)) return StepOutcome.LostLinkDown;
        Cluster.Deliver(p.Message);
        return StepOutcome.Delivered;
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
