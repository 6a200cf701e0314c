using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Storage;

namespace Raft.Model.Simulation;

/// <summary>
/// The deterministic world around a cluster of <see cref="RaftNode"/>s: a virtual clock and an
/// event queue, a network with the labrpc fault model, a disk and a service per node, crashes
/// and restarts, and invariant checks after every event. Every random choice comes from one
/// seed, and events at the same instant run in the order they were scheduled, so one seed and
/// one sequence of control calls give one run, byte for byte.
/// </summary>
public sealed partial class World
{
    private readonly PriorityQueue<SimEvent, (long Time, long Seq)> _queue = new();
    private readonly RaftNode?[] _nodes;
    private readonly int[] _incarnation;
    private readonly bool[] _crashAfterPersist;
    private readonly bool[] _serviceErrorReported;
    private Rng _rng;
    private long _seq;

    public World(WorldOptions options)
    {
        options.Validate();
        Options = options;
        int n = options.Nodes;
        _nodes = new RaftNode?[n];
        _incarnation = new int[n];
        _crashAfterPersist = new bool[n];
        _serviceErrorReported = new bool[n];
        Disks = new Disk[n];
        Appliers = new Applier[n];
        for (int i = 0; i < n; i++)
        {
            Disks[i] = new Disk();
            Appliers[i] = new Applier(i, Appliers, options.SnapshotService, options.SnapshotInterval);
        }
        Network = new SimNetwork(n, options.Network);
        Checker = new InvariantChecker(n);
        _rng = new Rng(Rng.Derive(options.Seed, 1));
    }

    public WorldOptions Options { get; }
    public int Size => _nodes.Length;

    /// <summary>Virtual time in milliseconds.</summary>
    public long Now { get; private set; }

    /// <summary>Events processed so far (control calls count as events).</summary>
    public long EventCount { get; private set; }

    public SimNetwork Network { get; }
    public Disk[] Disks { get; }
    public Applier[] Appliers { get; }
    public InvariantChecker Checker { get; }
    public Violation? Violation => Checker.Violation;

    public long Crashes { get; private set; }
    public long Restarts { get; private set; }

    /// <summary>The running node, or null while it is crashed (or not yet started).</summary>
    public RaftNode? Node(int i) => _nodes[i];
    public bool IsUp(int i) => _nodes[i] is not null;
    public int Incarnation(int i) => _incarnation[i];

    /// <summary>
    /// Starts node <paramref name="i"/> from what its disk holds (the lab's start1 after crash1):
    /// the service reloads the durable snapshot, the RPC count restarts at zero, and the node
    /// gets a fresh seed for its election jitter.
    /// </summary>
    public void Start(int i)
    {
        if (_nodes[i] is not null) throw new InvalidOperationException($"node {i} is already running");
        BeginControlEvent();
        _incarnation[i]++;
        if (_incarnation[i] > 1) Restarts++;
        PersistedState state = Disks[i].Read();
        Applier service = Appliers[i];
        service.Restart();
        if (state.SnapshotIndex > 0) service.Install(state.SnapshotIndex, state.SnapshotData);
        ulong seed = Rng.Derive(Options.Seed, 1000UL + (ulong)i * 100_003UL + (ulong)_incarnation[i]);
        var node = new RaftNode(i, Size, seed, Options.Raft, state);
        _nodes[i] = node;
        Network.ResetRpcCount(i);
        ScheduleTick(i, 1 + _rng.Next(Options.TickMs));
        AfterEvent(i);
    }

    /// <summary>Crashes node <paramref name="i"/>: everything not durable is lost, in-flight messages to it die.</summary>
    public void Crash(int i)
    {
        if (_nodes[i] is null) return;
        BeginControlEvent();
        CrashNow(i);
    }

    /// <summary>Crash (if running) and start again from disk.</summary>
    public void Restart(int i)
    {
        Crash(i);
        Start(i);
    }

    /// <summary>The next time node <paramref name="i"/> makes state durable, crash it before its messages leave.</summary>
    public void CrashAfterNextPersist(int i) => _crashAfterPersist[i] = true;

    /// <summary>The lab's Start(command) on node i: (index, term, isLeader); a crashed node is not leader.</summary>
    public ProposeResult Propose(int i, byte[] command)
    {
        RaftNode? node = _nodes[i];
        if (node is null) return new ProposeResult(-1, 0, false);
        BeginControlEvent();
        ProposeResult result = node.Propose(command);
        Drain(i);
        AfterEvent(i);
        return result;
    }

    /// <summary>The lab's GetState() on node i; a crashed node reports (0, false).</summary>
    public (long Term, bool IsLeader) GetState(int i) => _nodes[i]?.GetState() ?? (0, false);

    /// <summary>Runs <paramref name="action"/> at virtual time Now + <paramref name="delayMs"/>.</summary>
    public void Schedule(long delayMs, Action action) =>
        Enqueue(Now + Math.Max(0, delayMs), new SimEvent { Kind = SimEventKind.Callback, Callback = action });

    /// <summary>Processes the next event. Returns false when nothing is scheduled.</summary>
    public bool Step()
    {
        if (!_queue.TryDequeue(out SimEvent ev, out var key)) return false;
        Now = key.Time;
        EventCount++;
        Checker.Event = EventCount;
        switch (ev.Kind)
        {
            case SimEventKind.Tick: HandleTick(ev); break;
            case SimEventKind.Deliver: HandleDeliver(ev); break;
            case SimEventKind.Callback: ev.Callback!(); break;
        }
        return true;
    }

    /// <summary>Processes every event up to and including <paramref name="time"/>, then sets the clock to it.</summary>
    public void RunUntil(long time)
    {
        while (_queue.TryPeek(out _, out var key) && key.Time <= time && Violation is null) Step();
        if (time > Now) Now = time;
    }

    public int Pending => _queue.Count;

    private void HandleTick(in SimEvent ev)
    {
        RaftNode? node = _nodes[ev.Node];
        if (node is null || _incarnation[ev.Node] != ev.Incarnation) return;
        ScheduleTick(ev.Node, Options.TickMs);
        node.Tick();
        Drain(ev.Node);
        AfterEvent(ev.Node);
    }

    private void HandleDeliver(in SimEvent ev)
    {
        int to = ev.Message.To;
        RaftNode? node = _nodes[to];
        if (node is null || _incarnation[to] != ev.Incarnation) return;
        if (!Network.Deliverable(ev.Message)) return;
        node.Step(ev.Message);
        Drain(to);
        AfterEvent(to);
    }

    /// <summary>
    /// Handles a node's output in the order the core documents (see <see cref="Ready"/>):
    /// persist, then send, then apply, then Advance; then any snapshot the service asked for.
    /// </summary>
    private void Drain(int i)
    {
        RaftNode? node = _nodes[i];
        while (node is not null && node.TryGetReady(out Ready r))
        {
            if (Options.CheckInvariants)
            {
                Checker.ObserveCommit(i, node.Term, node.CommitIndex, node.Log);
                Checker.ObservePersist(i, r, node.Log, node.Role, node.Term);
            }
            Disks[i].Persist(r);
            if (_crashAfterPersist[i] && r.MustPersist)
            {
                _crashAfterPersist[i] = false;
                CrashNow(i);
                return;
            }
            var messages = r.Messages;
            for (int k = 0; k < messages.Count; k++) Send(messages[k]);
            Apply(i, node, r);
            node.Advance();
            Applier service = Appliers[i];
            if (service.PendingSnapshot is { } snap)
            {
                service.PendingSnapshot = null;
                node.Snapshot(snap.Index, snap.Data);
            }
        }
    }

    private void Apply(int i, RaftNode node, Ready r)
    {
        Applier service = Appliers[i];
        if (r.SnapshotToApply) service.Install(node.Log.SnapshotIndex, node.SnapshotData);
        long index = r.FirstCommittedIndex;
        foreach (Entry e in r.CommittedEntries)
        {
            service.Apply(index, e);
            if (Options.CheckInvariants) Checker.ObserveApply(i, index, e.Command);
            index++;
        }
        if (service.Error is not null && !_serviceErrorReported[i])
        {
            _serviceErrorReported[i] = true;
            Checker.ObserveServiceError(i, service.Error);
        }
    }

    private void Send(in Message m)
    {
        long delay = Network.Admit(m, ref _rng);
        if (delay < 0) return;
        var ev = new SimEvent { Kind = SimEventKind.Deliver, Node = m.To, Incarnation = _incarnation[m.To], Message = m };
        Enqueue(Now + delay, ev);
        long dup = Network.MaybeDuplicate(ref _rng, delay);
        if (dup >= 0) Enqueue(Now + dup, ev);
    }

    private void AfterEvent(int i)
    {
        if (!Options.CheckInvariants) return;
        RaftNode? node = _nodes[i];
        if (node is null) return;
        Checker.Observe(i, node.Term, node.Role, node.CommitIndex, node.Applied, node.Log);
    }

    private void CrashNow(int i)
    {
        _nodes[i] = null;
        _crashAfterPersist[i] = false;
        Crashes++;
        Checker.ObserveCrash(i);
    }

    private void BeginControlEvent()
    {
        EventCount++;
        Checker.Event = EventCount;
    }

    private void ScheduleTick(int i, long delay) =>
        Enqueue(Now + delay, new SimEvent { Kind = SimEventKind.Tick, Node = i, Incarnation = _incarnation[i] });

    private void Enqueue(long time, in SimEvent ev) => _queue.Enqueue(ev, (time, _seq++));
}
