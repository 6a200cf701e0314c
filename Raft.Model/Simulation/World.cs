using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Storage;

namespace Raft.Model.Simulation;

/// <summary>
/// The deterministic timed world around a cluster: a virtual clock and an event queue, a
/// network with the labrpc fault model, and the <see cref="Cluster"/>'s disks, services,
/// crashes and invariant checks after every event. Every random choice comes from one seed, and
/// events at the same instant run in the order they were scheduled, so one seed and one
/// sequence of control calls give one run, byte for byte.
/// </summary>
public sealed class World
{
    private readonly PriorityQueue<SimEvent, (long Time, long Seq)> _queue = new();
    private readonly Cluster _cluster;
    private Rng _rng;
    private long _seq;

    public World(WorldOptions options, Cluster.NodeFactory? factory = null)
    {
        options.Validate();
        Options = options;
        _cluster = new Cluster(options.Nodes, options.Seed, options.Raft, options.SnapshotService, options.SnapshotInterval, options.CheckInvariants, factory);
        _cluster.Send = Send;
        Network = new SimNetwork(options.Nodes, options.Network);
        _rng = new Rng(Rng.Derive(options.Seed, 1));
    }

    public WorldOptions Options { get; }
    public int Size => _cluster.Size;

    /// <summary>Virtual time in milliseconds.</summary>
    public long Now { get; private set; }

    /// <summary>Events processed so far (control calls count as events).</summary>
    public long EventCount { get; private set; }

    public SimNetwork Network { get; }
    public Cluster Cluster => _cluster;
    public Disk[] Disks => _cluster.Disks;
    public Applier[] Appliers => _cluster.Appliers;
    public InvariantChecker Checker => _cluster.Checker;
    public Violation? Violation => _cluster.Violation;
    public long Crashes => _cluster.Crashes;
    public long Restarts => _cluster.Restarts;

    /// <summary>The running node, or null while it is crashed (or not yet started).</summary>
    public IRaftNode? Node(int i) => _cluster.Node(i);
    public bool IsUp(int i) => _cluster.IsUp(i);

    /// <summary>
    /// Starts node i from what its disk holds (the lab's start1 after crash1): the service reloads
    /// the durable snapshot, the RPC count restarts at zero, and the node ticks from a random phase.
    /// </summary>
    public void Start(int i)
    {
        BeginControlEvent();
        _cluster.Start(i);
        Network.ResetRpcCount(i);
        ScheduleTick(i, 1 + _rng.Next(Options.TickMs));
    }

    /// <summary>Crashes node i: everything not durable is lost, in-flight messages to it die.</summary>
    public void Crash(int i)
    {
        if (!_cluster.IsUp(i)) return;
        BeginControlEvent();
        _cluster.Crash(i);
    }

    /// <summary>Crash (if running) and start again from disk.</summary>
    public void Restart(int i)
    {
        Crash(i);
        Start(i);
    }

    /// <summary>The next time node i makes state durable, crash it before its messages leave.</summary>
    public void CrashAfterNextPersist(int i) => _cluster.CrashAfterNextPersist(i);

    /// <summary>The lab's Start(command) on node i: (index, term, isLeader); a crashed node is not leader.</summary>
    public ProposeResult Propose(int i, byte[] command)
    {
        if (!_cluster.IsUp(i)) return new ProposeResult(-1, 0, false);
        BeginControlEvent();
        return _cluster.Propose(i, command);
    }

    /// <summary>The lab's GetState() on node i; a crashed node reports (0, false).</summary>
    public (long Term, bool IsLeader) GetState(int i) => _cluster.Node(i) is { } n ? (n.Term, n.Role == Role.Leader) : (0, false);

    /// <summary>Runs <paramref name="action"/> at virtual time Now + <paramref name="delayMs"/>.</summary>
    public void Schedule(long delayMs, Action action) =>
        Enqueue(Now + Math.Max(0, delayMs), new SimEvent { Kind = SimEventKind.Callback, Callback = action });

    /// <summary>Processes the next event. Returns false when nothing is scheduled.</summary>
    public bool Step()
    {
        if (!_queue.TryDequeue(out SimEvent ev, out var key)) return false;
        Now = key.Time;
        EventCount++;
        _cluster.Checker.Event = EventCount;
        switch (ev.Kind)
        {
            case SimEventKind.Tick:
                if (_cluster.IsUp(ev.Node) && _cluster.Incarnation(ev.Node) == ev.Incarnation)
                {
                    ScheduleTick(ev.Node, Options.TickMs);
                    _cluster.Tick(ev.Node);
                }
                break;
            case SimEventKind.Deliver:
                int to = ev.Message.To;
                if (_cluster.IsUp(to) && _cluster.Incarnation(to) == ev.Incarnation && Network.Deliverable(ev.Message))
                    _cluster.Deliver(ev.Message);
                break;
            case SimEventKind.Callback:
                ev.Callback!();
                break;
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

    private void Send(Message m)
    {
        long delay = Network.Admit(m, ref _rng);
        if (delay < 0) return;
        var ev = new SimEvent { Kind = SimEventKind.Deliver, Node = m.To, Incarnation = _cluster.Incarnation(m.To), Message = m };
        Enqueue(Now + delay, ev);
        long dup = Network.MaybeDuplicate(ref _rng, delay);
        if (dup >= 0) Enqueue(Now + dup, ev);
    }

    private void BeginControlEvent()
    {
        EventCount++;
        _cluster.Checker.Event = EventCount;
    }

    private void ScheduleTick(int i, long delay) =>
        Enqueue(Now + delay, new SimEvent { Kind = SimEventKind.Tick, Node = i, Incarnation = _cluster.Incarnation(i) });

    private void Enqueue(long time, in SimEvent ev) => _queue.Enqueue(ev, (time, _seq++));
}
