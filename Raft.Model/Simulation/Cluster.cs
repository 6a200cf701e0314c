using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Services;
using Raft.Model.Storage;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// The nodes of a simulation and what survives them: a disk and a service per node, crash and
/// restart, and the handling of each node's output in the order the core documents (persist,
/// send, apply, advance), with the invariant checker observing every step. The
/// <see cref="World"/> that owns the cluster decides when things happen and what becomes of the
/// messages handed to <see cref="Send"/>.
/// <para>Output is handled either synchronously (<see cref="Drain"/>: each Ready persisted, sent,
/// applied and advanced before anything else happens, as the lab does) or, with
/// <see cref="AsyncReady"/>, as separate events the world schedules (Cluster.Ready.cs).</para>
/// </summary>
public sealed partial class Cluster : IDisposable
{
    private readonly IRaftNode?[] _nodes;
    private readonly int[] _incarnation;
    private readonly bool[] _crashAfterPersist;
    private readonly bool[] _serviceErrorReported;
    private readonly ulong _seed;
    private readonly NodeFactory _factory;

    /// <param name="asyncReady">Handle each Ready as separate persist, send and apply events (Cluster.Ready.cs) instead of draining it at once.</param>
    public Cluster(int nodes, ulong seed, RaftOptions options, bool snapshotService, int snapshotInterval, bool checkInvariants, NodeFactory? factory = null,
        bool asyncReady = false)
    {
        _seed = seed;
        AsyncReady = asyncReady;
        _factory = factory ?? Nodes.CoreNodes.Standard;
        Options = options;
        CheckInvariants = checkInvariants;
        _nodes = new IRaftNode?[nodes];
        _incarnation = new int[nodes];
        _crashAfterPersist = new bool[nodes];
        _serviceErrorReported = new bool[nodes];
        Disks = new Disk[nodes];
        Appliers = new Applier[nodes];
        for (int i = 0; i < nodes; i++)
        {
            Disks[i] = new Disk();
            Appliers[i] = new Applier(i, Appliers, snapshotService, snapshotInterval);
        }
        Checker = new InvariantChecker(Disks) { AsyncWrites = asyncReady };
        _hand = asyncReady ? new InHand[nodes] : [];
    }

    public RaftOptions Options { get; }
    public bool CheckInvariants { get; }
    public int Size => _nodes.Length;
    public Disk[] Disks { get; }
    public Applier[] Appliers { get; }

    /// <summary>The key-value service on each node (Lab 3), beside the lab's applier; null in a world without clients.</summary>
    public KvService[]? KvServices { get; private set; }

    /// <summary>Puts a key-value service beside each node's applier (before any node starts).</summary>
    public void EnableKv(bool duplicateDetection)
    {
        KvServices = new KvService[Size];
        for (int i = 0; i < Size; i++) KvServices[i] = new KvService(duplicateDetection);
    }
    /// <summary>
    /// Lab 3's KV servers (<see cref="EnableKvServers"/>): each node's KV service owns its snapshots
    /// (its own state, not the lab applier's record), and with <see cref="MaxRaftState"/> ≥ 0 it
    /// snapshots once the node's persisted raft state reaches that many bytes (3B).
    /// </summary>
    public bool KvSnapshots { get; private set; }

    /// <summary>Lab 3B's maxraftstate (-1: the KV servers never snapshot).</summary>
    public int MaxRaftState { get; private set; } = -1;

    /// <summary>Lab 3: a KV server beside each node's applier whose state is its snapshot (before any node starts).</summary>
    public void EnableKvServers(bool duplicateDetection, int maxRaftState)
    {
        EnableKv(duplicateDetection);
        KvSnapshots = true;
        MaxRaftState = maxRaftState;
        foreach (Applier a in Appliers) a.OpaqueSnapshots = true;
    }

    /// <summary>Puts the KV state of snapshot <paramref name="data"/> into node i's service (3B); a snapshot it cannot read is a service error.</summary>
    private void RestoreKv(int i, byte[]? data)
    {
        try
        {
            KvServices![i].Restore(data ?? []);
        }
        catch (Raft.Core.Encoding.CodecException e)
        {
            Appliers[i].Fail($"server {i} cannot decode its KV snapshot: {e.Message}");
        }
    }

    public InvariantChecker Checker { get; }
    public Violation? Violation => Checker.Violation;

    /// <summary>Where a node's outgoing messages go (set by the owner).</summary>
    public Action<Envelope> Send { get; set; } = _ => { };

    public long Crashes { get; private set; }
    public long Restarts { get; private set; }

    public IRaftNode? Node(int i) => _nodes[i];
    public bool IsUp(int i) => _nodes[i] is not null;
    public int Incarnation(int i) => _incarnation[i];

    /// <summary>
    /// Starts node i from its disk (the lab's start1): the service reloads the durable snapshot and
    /// the node gets a fresh seed, derived from the run's seed, the node and its incarnation.
    /// </summary>
    public void Start(int i)
    {
        if (_nodes[i] is not null) throw new InvalidOperationException($"node {i} is already running");
        _incarnation[i]++;
        if (_incarnation[i] > 1) Restarts++;
        PersistedState state = Disks[i].Read();
        Applier service = Appliers[i];
        service.Restart();
        if (state.SnapshotIndex > 0) service.Install(state.SnapshotIndex, state.SnapshotData);
        if (KvSnapshots)
        {
            KvServices![i].Reset();
            if (state.SnapshotIndex > 0 && service.Error is null) RestoreKv(i, state.SnapshotData);
        }
        else if (KvServices is { } kv) kv[i].Rebuild(service, state.SnapshotIndex > 0 ? service.LastApplied : 0);
        ulong seed = Rng.Derive(_seed, SeedStream.NodeBase + (ulong)i * 100_003UL + (ulong)_incarnation[i]);
        IRaftNode node = _factory(i, Size, seed, Options, state);
        _nodes[i] = node;
        // the persister's Save(raftstate, snapshot): a write stands for the snapshot the node holds (Disk.HeldSnapshot)
        Disks[i].HeldSnapshot = node.Status is { } status ? () => status.HeldSnapshot : null;
        AfterEvent(i);
    }

    /// <summary>Crashes node i: its volatile state is gone; its disk and its service's record stay.</summary>
    public void Crash(int i)
    {
        if (_nodes[i] is not { } crashed) return;
        _nodes[i] = null;
        (crashed as IDisposable)?.Dispose(); // a node that holds resources (a process, a slot in one) lets them go
        _crashAfterPersist[i] = false;
        if (AsyncReady) _hand[i] = default; // what the Ready in hand had not made durable is lost with the node
        Crashes++;
        Checker.ObserveCrash(i);
    }

    /// <summary>
    /// The world is done with its nodes: those that hold resources (<see cref="IDisposable"/>, e.g.
    /// a slot in another process) release them. What the world observed (disks, services, the
    /// checker) stays readable, and so does each node's view as the node last reported it.
    /// </summary>
    public void Dispose()
    {
        for (int i = 0; i < _nodes.Length; i++) (_nodes[i] as IDisposable)?.Dispose();
    }

    /// <summary>Asks node i for a read (ReadIndex); what it confirms comes back in its Readies (<see cref="NoteReads"/>).</summary>
    public ReadRequest ReadIndex(int i, long readId)
    {
        IRaftNode? node = _nodes[i];
        if (node is null) return ReadRequest.NotLeader;
        ReadRequest result = node.ReadIndex(readId);
        Drain(i);
        AfterEvent(i);
        return result;
    }

    /// <summary>Hands the reads a Ready confirmed to node i's key-value service (they are not durable: a crash forgets them).</summary>
    private void NoteReads(int i, Ready r)
    {
        if (KvServices is not { } kv) return;
        var states = r.ReadStates;
        for (int k = 0; k < states.Count; k++) kv[i].NoteReadState(states[k].RequestId, states[k].Index);
    }

    /// <summary>The next time node i makes state durable, crash it before its messages leave.</summary>
    public void CrashAfterNextPersist(int i) => _crashAfterPersist[i] = true;

    public ProposeResult Propose(int i, byte[] command)
    {
        IRaftNode? node = _nodes[i];
        if (node is null) return new ProposeResult(-1, 0, false);
        ProposeResult result = node.Propose(command);
        Drain(i);
        AfterEvent(i);
        return result;
    }

    /// <summary>Node i's service snapshots everything it has applied, and the node compacts its log.</summary>
    public void ServiceSnapshot(int i)
    {
        IRaftNode? node = _nodes[i];
        if (node is null || !Appliers[i].RequestSnapshot()) return;
        var (index, data) = Appliers[i].PendingSnapshot!.Value;
        Appliers[i].PendingSnapshot = null;
        node.Snapshot(index, data);
        Drain(i);
        AfterEvent(i);
    }

    public void Tick(int i)
    {
        IRaftNode? node = _nodes[i];
        if (node is null) return;
        node.Tick();
        Drain(i);
        AfterEvent(i);
    }

    public void Deliver(in Envelope m)
    {
        IRaftNode? node = _nodes[m.To];
        if (node is null) return;
        node.Step(m);
        Drain(m.To);
        AfterEvent(m.To);
    }

    /// <summary>Readys drained from one node in a row beyond which the core is livelocked (a correct core has one or two).</summary>
    public const int MaxReadiesPerDrain = 100_000;

    /// <summary>
    /// Handles a node's output in the order the core documents (see <see cref="Ready"/>):
    /// persist, then send, then apply, then Advance; then any snapshot the service asked for.
    /// With <see cref="AsyncReady"/> the output is only taken (or noted as more to come): its
    /// handling is left to the world's events (<see cref="TakeOrNote"/>).
    /// </summary>
    private void Drain(int i)
    {
        if (AsyncReady) { TakeOrNote(i); return; }
        IRaftNode? node = _nodes[i];
        int readies = 0;
        while (node is not null && node.TryGetReady(out Ready r))
        {
            if (++readies > MaxReadiesPerDrain)
            {
                // a livelock guard: a core that always has output would hang the world here
                if (CheckInvariants) Checker.ObserveCoreError(i, new InvalidOperationException($"livelock: node {i} still has a Ready after {MaxReadiesPerDrain} in a row"));
                return;
            }
            if (CheckInvariants) Checker.ObserveReady(i, r, node);
            Disks[i].Persist(r);
            if (CheckInvariants) Checker.ObserveWritten(i, node);
            if (_crashAfterPersist[i] && r.MustPersist)
            {
                Crash(i);
                return;
            }
            var messages = r.Messages;
            for (int k = 0; k < messages.Count; k++) SendFrom(i, messages[k]);
            Apply(i, r, applySnapshot: true, after: 0);
            NoteReads(i, r);
            node.Advance();
            ServiceSnapshotAfterAdvance(i, node);
        }
    }

    /// <summary>
    /// Hands one of node <paramref name="i"/>'s messages to the network, after checking what the world
    /// relies on: it comes from that node and goes to another node of the cluster. A node that breaks
    /// that gets a one-line reason, which the world reports as its CoreError, rather than the world
    /// failing somewhere deeper.
    /// </summary>
    private void SendFrom(int i, in Envelope m)
    {
        if (m.From != i || (uint)m.To >= (uint)Size || m.To == i || m.Term < 0)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"node {i} handed out a malformed message ({m.Name ?? m.Type.ToString()} from {m.From} to {m.To}, term {m.Term}): a message goes from its sender to another of the {Size} nodes, with a term of 0 or more"));
        Send(m);
    }

    /// <summary>The snapshot the service asked for while applying (the lab's 2D applier), taken once the Ready is acknowledged.</summary>
    private void ServiceSnapshotAfterAdvance(int i, IRaftNode node)
    {
        Applier service = Appliers[i];
        if (service.PendingSnapshot is { } snap)
        {
            service.PendingSnapshot = null;
            node.Snapshot(snap.Index, snap.Data);
        }
        // Lab 3B: the KV server snapshots its own state once the persisted raft state reaches maxraftstate
        else if (MaxRaftState >= 0 && service.LastApplied > node.SnapshotIndex && Disks[i].RaftStateSize() >= MaxRaftState && service.Error is null)
            node.Snapshot(service.LastApplied, KvServices![i].Encode());
    }

    /// <summary>Step 3 of a Ready: its snapshot (when <paramref name="applySnapshot"/>), then its committed entries above <paramref name="after"/>, in order. Returns the entries applied.</summary>
    private int Apply(int i, Ready r, bool applySnapshot, long after)
    {
        Applier service = Appliers[i];
        if (applySnapshot && r.SnapshotToApply)
        {
            service.Install(r.SnapshotIndex, r.SnapshotData);
            if (KvSnapshots) { if (service.Error is null) RestoreKv(i, r.SnapshotData); }
            else KvServices?[i].Rebuild(service, service.LastApplied);
        }
        long index = r.FirstCommittedIndex;
        int applied = 0;
        foreach (Entry e in r.CommittedEntries)
        {
            if (index > after)
            {
                service.Apply(index, e);
                KvServices?[i].Apply(e.Command);
                if (CheckInvariants) Checker.ObserveApply(i, index, e.Command);
                applied++;
            }
            index++;
        }
        ReportServiceError(i);
        return applied;
    }

    private void ReportServiceError(int i)
    {
        Applier service = Appliers[i];
        if (service.Error is not null && !_serviceErrorReported[i])
        {
            _serviceErrorReported[i] = true;
            Checker.ObserveServiceError(i, service.Error);
        }
    }

    private void AfterEvent(int i)
    {
        if (!CheckInvariants) return;
        IRaftNode? node = _nodes[i];
        if (node is null) return;
        Checker.Observe(i, node);
    }
}
