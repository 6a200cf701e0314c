using System.Globalization;
using Raft.Model.Events;
using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Invariants;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// The one simulated world: a <see cref="Cluster"/> of nodes, the one network
/// (<see cref="SimNetwork"/>) and a virtual clock, shaped by <see cref="WorldOptions"/>. Every
/// step is one of the events it lists as enabled (<see cref="ListEnabled"/>). In the explorer's
/// modes a strategy chooses: deliver any pending message, drop or duplicate it, let a timer fire,
/// crash or restart a node, cut or heal links, propose a command, take a service snapshot; in
/// timed mode a clock bounds message delays and paces timers, in adversarial mode anything may
/// happen next. In the lab mode labrpc timing runs the event due next and the tester acts
/// between events (World.Lab.cs); the liveness phase switches a schedule's world to it
/// (World.Liveness.cs).
/// </summary>
public sealed partial class World : IDisposable
{
    private readonly List<Pending> _pending = new();
    private readonly LinkMatrix _links;
    private readonly long[] _nextTick;
    private readonly int _tickMs;
    private readonly int _maxCandidateTerm; // candidates may not go past this term (0 = no bound)
    private readonly bool _snapshotSteps, _crashes, _partitions, _drops, _duplicates; // which steps the options allow at all
    private readonly bool _isolateLeaders; // with leases: the adversary may also cut off a node that believes it leads
    private long _nextMessageId;
    private long _sentThisStep;
    private int _proposalCounter;
    private readonly int _proposals;

    /// <summary>
    /// A message in flight. Due and Seq order it under labrpc timing (the lab and the liveness phase):
    /// it arrives at Due, ties broken by when it was scheduled; Deadline bounds it in the explorer's timed mode.
    /// Lease is the slot of its entry array in <see cref="Pool"/> (-1: not pooled).
    /// </summary>
    private readonly record struct Pending(long Id, Envelope Message, long Deadline, int ToIncarnation, long Due = 0, long Seq = 0, int Lease = -1);

    /// <summary>
    /// A world of <see cref="WorldOptions.Nodes"/> nodes. In the explorer's modes every node starts
    /// up and connected, each ticking from a random phase; in the lab mode none is started (the
    /// tester starts and connects them) and there are no faults but the tester's.
    /// </summary>
    public World(WorldOptions options)
    {
        options.Validate();
        Options = options;
        Mode = options.Mode;
        int n = options.Nodes;
        _proposals = options.Proposals;
        RaftOptions raft = options.Raft;
        if (EntryPool.IsRequested(raft))
        {
            Pool = new EntryPool();
            raft = raft with { EntryArrayPool = Pool };
        }
        Cluster = new Cluster(n, options.Seed, raft, options.SnapshotService, options.SnapshotInterval, options.CheckInvariants, options.Factory,
            asyncReady: options.AsyncReady && Mode != WorldMode.Lab);
        Cluster.Send = OnSend;
        Cluster.Clock = () => Now;
        Cluster.NextMessageId = () => _nextMessageId;
        Network = new SimNetwork(n, options.Network with { });
        _netRng = new Rng(Rng.Derive(options.Seed, SeedStream.Network));
        _links = Network.Links;
        _nextTick = new long[n];
        _tickSeq = new long[n];
        _tickMs = options.TickMs;
        _maxCandidateTerm = options.MaxCandidateTerm;
        _snapshotSteps = options.SnapshotSteps;
        _crashes = (options.FaultKinds & FaultKinds.Crash) != 0;
        _partitions = (options.FaultKinds & FaultKinds.Partition) != 0;
        _drops = (options.FaultKinds & FaultKinds.Drop) != 0;
        _duplicates = (options.FaultKinds & FaultKinds.Duplicate) != 0;
        _isolateLeaders = options.Raft.ReadOnly == ReadOnlyOption.LeaseBased;
        if (Mode == WorldMode.Lab)
        {
            FaultsEnabled = false;
            if (options.KvServers) Cluster.EnableKvServers(options.KvDuplicateDetection, options.MaxRaftState);
            return;
        }
        for (int i = 0; i < n; i++) Network.Connect(i);
        var phase = new Rng(Rng.Derive(options.Seed, SeedStream.TickPhase));
        for (int i = 0; i < n; i++) _nextTick[i] = 1 + phase.Next(_tickMs);
        CrashesLeft = options.Faults.Crashes;
        PartitionsLeft = options.Faults.Partitions;
        DropsLeft = options.Faults.Drops;
        DuplicatesLeft = options.Faults.Duplicates;
        ProposalsLeft = _proposals;
        if (options.Clients > 0) StartClients(options);
        if (options.SharedClock) StartSharedClock(options);
        _driftingClocks = options.Raft.ReadOnly == ReadOnlyOption.LeaseBased && options.ClockDriftPerMille > 0;
        if (_driftingClocks && Mode == WorldMode.Timed) _tickCarryUs = new long[n];
        for (int i = 0; i < n; i++) Cluster.Start(i);
    }

    /// <summary>Releases what the nodes hold (<see cref="Cluster.Dispose"/>); the world stays readable.</summary>
    public void Dispose() => Cluster.Dispose();

    /// <summary>What the world was built with.</summary>
    public WorldOptions Options { get; }

    /// <summary>Links, connect/disconnect and labrpc's fault model and accounting (the lab's timing uses all of it; the explorer its links).</summary>
    public SimNetwork Network { get; }
    public WorldMode Mode { get; private set; }
    public Cluster Cluster { get; }
    public int Size => Cluster.Size;
    public Violation? Violation => Cluster.Violation;

    /// <summary>The pool of entry arrays the nodes rent from and the transport returns to, when pooling is on (<see cref="WorldOptions.Raft"/>); else null.</summary>
    public EntryPool? Pool { get; }

    /// <summary>Virtual milliseconds (timed mode and the liveness phase).</summary>
    public long Now { get; private set; }

    public int CrashesLeft { get; private set; }
    public int PartitionsLeft { get; private set; }
    public int DropsLeft { get; private set; }
    public int DuplicatesLeft { get; private set; }
    public int ProposalsLeft { get; private set; }
    public int PendingCount => _pending.Count;

    /// <summary>The <paramref name="k"/>-th message in flight (0 ≤ k &lt; <see cref="PendingCount"/>), oldest first.</summary>
    public Envelope PendingAt(int k) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[k].Message;

    /// <summary>The id and the receiver of the <paramref name="k"/>-th message in flight, without copying the message.</summary>
    public (long Id, int To) PendingIdAt(int k)
    {
        ref readonly Pending p = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[k];
        return (p.Id, p.Message.To);
    }
    public long PartitionsMade { get; private set; }
    public long ProposalsAccepted { get; private set; }
    public bool FaultsEnabled { get; private set; } = true;

    /// <summary>
    /// The kinds of message in flight to each node, as bits (1 &lt;&lt; <see cref="MessageKind"/>) in
    /// <paramref name="into"/>[node]; allocation free (abstract-state coverage reads it every step).
    /// </summary>
    public void PendingKinds(Span<byte> into)
    {
        into.Clear();
        foreach (ref readonly Pending p in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending))
        {
            int to = p.Message.To;
            if ((uint)to < (uint)into.Length) into[to] |= (byte)(1 << (int)p.Message.Type);
        }
    }

    public bool LinkUp(int from, int to) => _links.Up(from, to);

    private bool AnyLinkDown() => _links.AnyDown();

    /// <summary>Lists what may happen next, in a fixed order (so a choice index means the same thing in every process).</summary>
    public void ListEnabled(List<EnabledEvent> into)
    {
        into.Clear();
        if (Mode == WorldMode.Lab) { ListEnabledLabrpc(into); return; }
        if (Mode == WorldMode.Timed)
        {
            long horizon = NextTickTime();
            foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Deliver, p.Message.To, p.Id));
            if (horizon != long.MaxValue && horizon <= EarliestDeadline()) into.Add(new EnabledEvent(EventKind.Advance, -1));
        }
        else
        {
            foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Deliver, p.Message.To, p.Id));
            for (int i = 0; i < Size; i++)
            {
                IRaftNode? node = Cluster.Node(i);
                if (node is null) continue;
                if (node.Role != Role.Leader && _maxCandidateTerm > 0 && node.Term >= _maxCandidateTerm) continue; // the term bound
                into.Add(new EnabledEvent(EventKind.Timeout, i));
            }
        }
        if (Cluster.AsyncReady) ListReadyParts(into);
        for (int i = 0; i < Size; i++)
        {
            IRaftNode? node = Cluster.Node(i);
            if (node is null) continue;
            if (ProposalsLeft > 0 && node.Role == Role.Leader) into.Add(new EnabledEvent(EventKind.Propose, i));
            if (Cluster.Appliers[i].LastApplied > node.SnapshotIndex && _snapshotSteps) into.Add(new EnabledEvent(EventKind.Snapshot, i));
        }
        if (_clients is not null) ListClientEvents(into);
        if (!FaultsEnabled) return;
        if (DropsLeft > 0 && _drops)
            foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Drop, p.Message.To, p.Id));
        if (DuplicatesLeft > 0 && _duplicates)
            foreach (Pending p in _pending) into.Add(new EnabledEvent(EventKind.Duplicate, p.Message.To, p.Id));
        for (int i = 0; i < Size; i++)
        {
            if (Cluster.IsUp(i)) { if (CrashesLeft > 0 && _crashes) into.Add(new EnabledEvent(EventKind.Crash, i)); }
            else into.Add(new EnabledEvent(EventKind.Restart, i));
        }
        if (PartitionsLeft > 0 && _partitions) into.Add(new EnabledEvent(EventKind.Partition, -1));
        if (PartitionsLeft > 0 && _partitions && _isolateLeaders)
            for (int i = 0; i < Size; i++)
                if (Cluster.Node(i) is { Role: Role.Leader }) into.Add(new EnabledEvent(EventKind.IsolateLeader, i));
        if (AnyLinkDown()) into.Add(new EnabledEvent(EventKind.Heal, -1));
    }

    /// <summary>
    /// Asynchronous Ready handling: for each node with a Ready in hand, the part that may run next
    /// (persist, send, apply: Cluster.Ready.cs), then, after input since it was taken, taking it
    /// again. Each carries the Ready's age (<see cref="EnabledEvent"/>).
    /// </summary>
    private void ListReadyParts(List<EnabledEvent> into)
    {
        for (int i = 0; i < Size; i++)
        {
            if (!Cluster.TryGetHand(i, out Cluster.HandView hand)) continue;
            if (Cluster.TryNextPart(i, out EventKind part)) into.Add(new EnabledEvent(part, i, hand.Age));
            if (hand.InputSince) into.Add(new EnabledEvent(EventKind.Retake, i, hand.Age));
        }
    }

    /// <summary>Runs one enabled event. Data choices (a partition's shape) come from <paramref name="choose"/>. Returns what came of it.</summary>
    public StepOutcome Execute(in EnabledEvent e, Func<int, int> choose)
    {
        _sentThisStep = 0;
        switch (e.Kind)
        {
            case EventKind.Deliver:
                return DeliverMessage(TakePending(e.MessageId), lastCopy: true);
            case EventKind.Drop:
                DropsLeft--;
                Consumed(TakePending(e.MessageId));
                return StepOutcome.Done;
            case EventKind.Duplicate:
            {
                DuplicatesLeft--;
                Pending p = FindPending(e.MessageId);
                return DeliverMessage(p, lastCopy: false);
            }
            case EventKind.Advance:
                return AdvanceClock();
            case EventKind.Timeout:
                return FireTimer(e.Node);
            case EventKind.Tick:
                return TickOnce(e.Node);
            case EventKind.Propose:
            {
                ProposalsLeft--;
                ProposeResult r = Cluster.Propose(e.Node, Commands.Int(++_proposalCounter));
                if (r.IsLeader) ProposalsAccepted++;
                return r.IsLeader ? StepOutcome.Proposed(r.Index, r.Term) : StepOutcome.NotLeader;
            }
            case EventKind.Snapshot:
                Cluster.ServiceSnapshot(e.Node);
                return StepOutcome.SnapshotThrough(Cluster.Node(e.Node)?.SnapshotIndex ?? -1);
            case EventKind.Crash:
                CrashesLeft--;
                Cluster.Crash(e.Node);
                DiscardPendingTo(e.Node);
                return StepOutcome.Done;
            case EventKind.Persist or EventKind.Send or EventKind.Apply:
                return Cluster.RunPart(e.Node, e.Kind);
            case EventKind.Retake:
                return Cluster.Retake(e.Node);
            case EventKind.Restart:
                Cluster.Start(e.Node);
                _nextTick[e.Node] = Now + 1 + (int)(e.Node % _tickMs);
                return StepOutcome.Done;
            case EventKind.Partition:
                PartitionsLeft--;
                PartitionsMade++;
                _slowClock = -1;
                return StepOutcome.Partitioned(MakePartition(choose));
            case EventKind.IsolateLeader:
                PartitionsLeft--;
                PartitionsMade++;
                for (int j = 0; j < Size; j++)
                    if (j != e.Node) _links.SetBoth(e.Node, j, false);
                if (_driftingClocks) _slowClock = e.Node; // and its clock runs slowest (World.Clocks.cs)
                return StepOutcome.Partitioned(new PartitionShape(PartitionKind.Isolate, e.Node));
            case EventKind.Heal:
                _links.SetAll(true);
                _slowClock = -1;
                return StepOutcome.Done;
            case EventKind.ClientSend:
                return ClientSend((int)e.MessageId, e.Node);
            case EventKind.ClientReply:
                return ClientReply((int)e.MessageId, e.Node);
            case EventKind.ClerkRequest or EventKind.ClerkReply:
                return ExecuteClerkEvent(e);
            default:
                throw new InvalidOperationException($"unknown event {e.Kind}");
        }
    }

    /// <summary>
    /// An enabled event as a typed record (for traces, replay and the shrinker), taken before it
    /// runs: a message's fields as it was sent, the virtual time, a proposal's command number.
    /// Only called when recording (or shrinking): the explorer's hot path never builds one.
    /// </summary>
    public StepEvent EventOf(in EnabledEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Deliver or EventKind.Drop or EventKind.Duplicate:
            {
                Pending p = FindPending(e.MessageId);
                long at = Mode == WorldMode.Lab ? Math.Max(Now, p.Due) : Now; // labrpc timing: it arrives when it is due
                return new StepEvent(e.Kind, e.Node, at, MessageInfo.Of(e.MessageId, p.Message));
            }
            case EventKind.Tick:
                return new StepEvent(e.Kind, e.Node, Math.Max(Now, _nextTick[e.Node]));
            case EventKind.Advance:
                return new StepEvent(e.Kind, e.Node, Now, AdvanceTo: NextTickTime());
            case EventKind.Propose:
                return new StepEvent(e.Kind, e.Node, Now, Proposal: _proposalCounter + 1);
            case EventKind.ClientSend or EventKind.ClientReply:
                return new StepEvent(e.Kind, e.Node, Now, Request: RequestOf(e));
            case EventKind.ClerkRequest or EventKind.ClerkReply:
                return ClerkEventOf(e);
            default:
                return new StepEvent(e.Kind, e.Node, Now);
        }
    }

    public MessageKind MessageTypeOf(long id) => FindPending(id).Message.Type;

    /// <summary>The in-flight message <paramref name="id"/> (named situations read an arriving snapshot's index).</summary>
    public Envelope MessageOf(long id) => FindPending(id).Message;

    /// <summary>
    /// The workload is done when every proposal has been made, every node is up and connected, and
    /// every node has applied everything any node has committed: the schedule ended before its
    /// step bound. (With no proposals the workload never ends: the schedule runs to the bound.)
    /// </summary>
    public bool WorkloadDone()
    {
        if (ProposalsLeft > 0 || _proposals == 0 || AnyLinkDown() || !ClientsDone) return false;
        long committed = 0;
        for (int i = 0; i < Size; i++)
        {
            IRaftNode? n = Cluster.Node(i);
            if (n is null) return false;
            committed = Math.Max(committed, n.CommitIndex);
        }
        if (committed == 0) return false;
        for (int i = 0; i < Size; i++) if (Cluster.Appliers[i].LastApplied < committed) return false;
        return true;
    }

    /// <summary>Every node's state now: role, term, commit index and last log index, or down.</summary>
    public NodeState[] NodeStates()
    {
        var states = new NodeState[Size];
        for (int i = 0; i < Size; i++) states[i] = NodeState.Of(Cluster.Node(i));
        return states;
    }

    /// <summary>Every node's state as display text, e.g. "L3/c2/l4 F3/c2/l4 down" (for messages).</summary>
    public string DescribeNodes() => EventText.Nodes(NodeStates());

    private readonly List<SentMessage> _sentLog = new();

    /// <summary>Whether to keep a list of the messages each step sends (for traces and pictures).</summary>
    public bool RecordSends { get; set; }

    /// <summary>The messages sent since the last call (empty unless <see cref="RecordSends"/>).</summary>
    public SentMessage[] TakeSentThisStep()
    {
        SentMessage[] sent = _sentLog.ToArray();
        _sentLog.Clear();
        return sent;
    }

    /// <summary>
    /// A message enters the network: the one network model (<see cref="SimNetwork.Admit"/>, under the
    /// parameter set in force) loses it or gives it a delay, and maybe a duplicate. In the
    /// adversarial and timed modes the network adds nothing and the strategy chooses what happens
    /// (timed mode bounds each message's delivery); under labrpc timing it is delivered when due.
    /// </summary>
    private void OnSend(Envelope m)
    {
        _sentThisStep++;
        if (m.Type == MessageKind.RequestVoteResponse && !m.Reject && Cluster.CheckInvariants) Cluster.Checker.ObserveGrantSent(m.From, m.Term, m.To);
        if (_electionWindowMs > 0) WatchElectionProgress(m);
        if (HealedAt >= 0) WatchTimerRestarts(m);
        long delay = Network.Admit(m, ref _netRng);
        long id = _nextMessageId++;
        if (RecordSends) _sentLog.Add(new SentMessage(MessageInfo.Of(id, m), delay < 0));
        int lease = Pool is null ? -1 : Lease(m, id);
        if (delay < 0)
        {
            if (lease >= 0) { Pool!.AddCopy(lease); Pool.Release(lease); } // lost at sending: the transport is done with it at once
            return;
        }
        int incarnation = Cluster.Incarnation(m.To);
        long bound = Network.Options.DeliveryBoundMs;
        long deadline = bound == long.MaxValue ? long.MaxValue : Now + bound;
        _pending.Add(new Pending(id, m, deadline, incarnation, Now + delay, _seq++, lease));
        if (lease >= 0) Pool!.AddCopy(lease);
        long dup = Network.MaybeDuplicate(ref _netRng, delay);
        if (dup < 0) return;
        _pending.Add(new Pending(_nextMessageId++, m, deadline, incarnation, Now + dup, _seq++, lease));
        if (lease >= 0) Pool!.AddCopy(lease);
    }

    /// <summary>A sent message's pooled entry array enters the transport; a breach of the pool's contract is the sender's error.</summary>
    private int Lease(in Envelope m, long id)
    {
        int lease = Pool!.OnSent(m.Lent, m.From, id, out string? breach);
        if (breach is not null) Cluster.Checker.ObserveContractBreach(m.From, breach);
        return lease;
    }

    /// <summary>The transport is done with one copy of a message (delivered, dropped or lost): its pooled array must be as sent, and goes back once no copy is left.</summary>
    private void Consumed(in Pending p)
    {
        if (p.Lease < 0) return;
        CheckIntact(p);
        Pool!.Release(p.Lease);
    }

    private void CheckIntact(in Pending p)
    {
        if (p.Lease >= 0 && Pool!.Intact(p.Lease) is { } breach) Cluster.Checker.ObserveContractBreach(p.Message.From, breach);
    }

    /// <summary>A crashed node's messages in flight are lost (a restarted node is another incarnation).</summary>
    private void DiscardPendingTo(int node)
    {
        int kept = 0;
        for (int k = 0; k < _pending.Count; k++)
        {
            Pending p = _pending[k];
            if (p.Message.To == node) { Consumed(p); continue; }
            _pending[kept++] = p;
        }
        _pending.RemoveRange(kept, _pending.Count - kept);
    }

    private Pending FindPending(long id)
    {
        foreach (Pending p in _pending) if (p.Id == id) return p;
        throw new InvalidOperationException($"no pending message #{id}");
    }

    private Pending TakePending(long id)
    {
        for (int k = 0; k < _pending.Count; k++)
        {
            if (_pending[k].Id != id) continue;
            Pending p = _pending[k];
            _pending.RemoveAt(k);
            return p;
        }
        throw new InvalidOperationException($"no pending message #{id}");
    }

    /// <summary>
    /// Delivers a message in flight: under labrpc timing the clock moves to its due time; the
    /// receiver must be the incarnation it was sent to, and the network decides whether it still
    /// gets through (<see cref="SimNetwork.Deliverable"/>).
    /// </summary>
    /// <remarks>
    /// A pooled entry array is checked to be as it was sent, and, when this was the message's last
    /// copy (<paramref name="lastCopy"/>; a duplicate's copy is not), returned to the pool once the
    /// receiver's <c>Step</c> (and its output's handling) is done, or at once when the message is lost.
    /// </remarks>
    private StepOutcome DeliverMessage(Pending p, bool lastCopy)
    {
        if (p.Due > Now) Now = p.Due;
        CheckIntact(p);
        StepOutcome outcome = StepOutcome.Delivered;
        int to = p.Message.To;
        if (!Cluster.IsUp(to) || Cluster.Incarnation(to) != p.ToIncarnation) outcome = StepOutcome.LostTargetRestarted;
        else if (!Network.Deliverable(p.Message)) outcome = StepOutcome.LostLinkDown;
        else Cluster.Deliver(p.Message);
        if (lastCopy && p.Lease >= 0) Pool!.Release(p.Lease);
        return outcome;
    }

    private long NextTickTime()
    {
        long t = long.MaxValue;
        for (int i = 0; i < Size; i++) if (Cluster.IsUp(i) && _nextTick[i] < t) t = _nextTick[i];
        return t;
    }

    /// <summary>The earliest delivery deadline in timed mode; a Ready in hand is bounded alike (its handling finishes within the delivery bound of its taking).</summary>
    private long EarliestDeadline()
    {
        long d = long.MaxValue;
        foreach (Pending p in _pending) if (p.Deadline < d) d = p.Deadline;
        long bound = Network.Options.DeliveryBoundMs;
        if (Cluster.AsyncReady && bound != long.MaxValue)
            for (int i = 0; i < Size; i++)
                if (Cluster.TryGetHand(i, out Cluster.HandView hand) && hand.TakenAt + bound < d) d = hand.TakenAt + bound;
        return d;
    }

    /// <summary>Timed mode: move the clock to the next tick and tick the nodes due; silent ticks roll on until something happens.</summary>
    private StepOutcome AdvanceClock()
    {
        long start = Now;
        for (int guard = 0; guard < 100_000; guard++)
        {
            long t = NextTickTime();
            if (t == long.MaxValue) break;
            Now = Math.Max(Now, t);
            bool changed = false;
            long taken = Cluster.ReadiesTaken;
            for (int i = 0; i < Size; i++)
            {
                if (!Cluster.IsUp(i) || _nextTick[i] != t) continue;
                _nextTick[i] = NextTickAfter(i, t);
                IRaftNode node = Cluster.Node(i)!;
                long term = node.Term;
                Role role = node.Role;
                Cluster.Tick(i);
                if (node.Term != term || node.Role != role) changed = true;
            }
            // with asynchronous handling a tick's output is taken, not yet sent: taking it is the tick acting, and
            // a Ready in hand stops the clock as a message in flight does (its handling is bounded alike)
            if (changed || _sentThisStep > 0 || _pending.Count > 0 || Cluster.ReadiesTaken != taken || Cluster.AnyReadyInHand || Violation is not null) break;
        }
        return StepOutcome.ClockMovedTo(Now, Now - start);
    }

    /// <summary>
    /// Adversarial mode: tick node i until its timer acts (an election, or a heartbeat for a leader).
    /// With asynchronous Ready handling its output is taken rather than sent, and while a Ready is in
    /// hand not even taken: then a leader's timer acts after HeartbeatTicks ticks (exactly one round
    /// of heartbeats), a follower's or a candidate's when it campaigns (its term changes).
    /// </summary>
    private StepOutcome FireTimer(int i)
    {
        if (_clockCarry is not null) return FireSharedClock(i);
        IRaftNode node = Cluster.Node(i)!;
        int limit = 2 * Cluster.Options.ElectionTicks + Cluster.Options.HeartbeatTicks;
        if (node.Role == Role.Leader && Cluster.TryGetHand(i, out _)) limit = Cluster.Options.HeartbeatTicks;
        long term = node.Term;
        Role role = node.Role;
        long taken = Cluster.ReadiesTaken;
        int ticks = 0;
        while (ticks < limit && _sentThisStep == 0 && Cluster.ReadiesTaken == taken && node.Term == term && node.Role == role && Cluster.Node(i) == node)
        {
            Cluster.Tick(i);
            ticks++;
        }
        return StepOutcome.Ticked(ticks);
    }

    private PartitionShape MakePartition(Func<int, int> choose)
    {
        int n = Size;
        int shape = choose(3);
        if (shape == 0)
        {
            int isolated = choose(n);
            for (int j = 0; j < n; j++)
                if (j != isolated) _links.SetBoth(isolated, j, false);
            return new PartitionShape(PartitionKind.Isolate, isolated);
        }
        if (shape == 1)
        {
            var side = new int[n];
            for (int j = 0; j < n; j++) side[j] = choose(2);
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                    if (side[a] != side[b]) _links.Set(a, b, false);
            return new PartitionShape(PartitionKind.Split, Sides: side);
        }
        int from = choose(n);
        int to = choose(n - 1);
        if (to >= from) to++;
        if (n > 1) _links.Set(from, to, false);
        return new PartitionShape(PartitionKind.Cut, from, to);
    }
}
