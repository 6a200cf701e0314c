using Microsoft.Coyote.Actors;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using CoyoteMonitor = Microsoft.Coyote.Specifications.Monitor;

namespace Raft.Coyote;

/// <summary>Starts an actor of the harness with the iteration's shared state (and, for a node, its id).</summary>
public sealed class Setup(HarnessState state, int node = -1, long message = -1) : Event
{
    public HarnessState State { get; } = state;
    public int Node { get; } = node;
    public long Message { get; } = message;
}

/// <summary>A courier hands message <see cref="Id"/> to its node's actor.</summary>
public sealed class Deliver(long id) : Event
{
    public long Id { get; } = id;
}

/// <summary>The nemesis's next turn (it sends this to itself, so Coyote interleaves its turns with deliveries).</summary>
public sealed class NemesisTurn : Event;

/// <summary>A Ready is in hand somewhere: the storage actor runs one of its parts.</summary>
public sealed class ReadyWork : Event;

/// <summary>After every world event: the invariant checker the world ran (the same object, not a copy).</summary>
public sealed class StepDone(InvariantChecker checker, string lastEvent) : CoyoteMonitor.Event
{
    public InvariantChecker Checker { get; } = checker;
    public string LastEvent { get; } = lastEvent;
}

/// <summary>The nemesis has stopped injecting faults (every link healed, every node restarted): progress is now owed.</summary>
public sealed class FaultsStopped : CoyoteMonitor.Event;

/// <summary>The workload is done: every proposal made, every node up and connected, and every node applied all that any node committed.</summary>
public sealed class WorkloadDone : CoyoteMonitor.Event;

/// <summary>
/// Safety: a Coyote specification monitor hosting the world's own <see cref="InvariantChecker"/>
/// (Raft.Model's; no invariant logic is copied here). It asserts after every world event that
/// the checker has seen no violation, so Coyote reports the first one as a bug.
/// </summary>
public sealed class SafetyMonitor : CoyoteMonitor
{
    [Start]
    [OnEventDoAction(typeof(StepDone), nameof(Check))]
    private sealed class Watching : State;

    private void Check(Event e)
    {
        var step = (StepDone)e;
        if (step.Checker.Violation is { } v)
            Assert(false, $"RaftVerify invariant {v.Invariant} violated at step {step.Checker.Step} ({step.LastEvent}): {v}");
    }
}

/// <summary>
/// Liveness: cold while faults may still happen, hot from the moment the nemesis stops faults
/// until the workload is done (a leader has committed every proposal and every node applied it).
/// Checked by Coyote's fair strategies (hot at the end of an iteration, or hot for longer than
/// the temperature threshold, is a liveness bug).
/// </summary>
public sealed class LivenessMonitor : CoyoteMonitor
{
    [Start]
    [Cold]
    [OnEventGotoState(typeof(FaultsStopped), typeof(ProgressOwed))]
    [IgnoreEvents(typeof(WorkloadDone))]
    private sealed class FaultsMayHappen : State;

    [Hot]
    [OnEventGotoState(typeof(WorkloadDone), typeof(Done))]
    [IgnoreEvents(typeof(FaultsStopped))]
    private sealed class ProgressOwed : State;

    [Cold]
    [IgnoreEvents(typeof(FaultsStopped), typeof(WorkloadDone))]
    private sealed class Done : State;
}

/// <summary>What every actor of the harness does after it ran a world event: feed the monitors, write a trace at a violation, start couriers for new messages.</summary>
public abstract class HarnessActor : Actor
{
    protected HarnessState H { get; private set; } = null!;

    /// <summary>The node the actor serves (its <see cref="Setup"/>'s), for the actors that serve one.</summary>
    protected int Node { get; private set; }

    protected override Task OnInitializeAsync(Event initialEvent)
    {
        var setup = (Setup)initialEvent;
        H = setup.State;
        Node = setup.Node;
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="e"/> on the world if it is enabled; data choices (a partition's shape) are Coyote's RandomInteger.</summary>
    protected bool Run(EnabledEvent e)
    {
        if (H.Stopped) return false;
        if (!H.Recorder.TryRun(e, n => RandomInteger(n))) return false;
        if (H.Recorder.Violation is not null) H.WriteFinding();
        Monitor<SafetyMonitor>(new StepDone(H.Recorder.World.Cluster.Checker, EventText.Event(H.Recorder.Steps[^1].Event)));
        if (H.Recorder.WorkloadDone) Monitor<LivenessMonitor>(new WorkloadDone());
        if (!H.Stopped)
            foreach ((long id, int to) in H.NewMessages())
                CreateActor(typeof(Courier), new Setup(H, to, id));
        for (int i = 0; i < H.Storage.Length && !H.Stopped; i++)
        {
            if (H.StorageKicked[i] || !H.Recorder.World.Cluster.TryGetHand(i, out _)) continue;
            H.StorageKicked[i] = true;
            SendEvent(H.Storage[i], new ReadyWork());
        }
        return true;
    }
}

/// <summary>
/// A node's storage under asynchronous Ready handling, one actor per node as etcd's storage
/// goroutine runs beside its raft loop: each turn it runs the next part of its node's Ready in
/// hand (persist, send, apply) or, when the node had input since, takes it again (Coyote's
/// RandomInteger chooses), so Coyote interleaves a Ready's handling with deliveries, timers and faults.
/// </summary>
[OnEventDoAction(typeof(ReadyWork), nameof(Work))]
public sealed class Storage : HarnessActor
{
    private void Work()
    {
        H.StorageKicked[Node] = false;
        if (H.Stopped) return;
        var parts = new List<EnabledEvent>(2);
        foreach (EnabledEvent e in H.Recorder.Enabled())
            if (e.IsReadyPart && e.Node == Node) parts.Add(e);
        if (parts.Count > 0) Run(parts[RandomInteger(parts.Count)]);
    }
}

/// <summary>
/// One Raft node: Raft.Model's cluster slot <see cref="Node"/> (an <c>IRaftNode</c> built by the
/// catalog's factory, its disk and its service). Handles the messages couriers hand it and the
/// timer firings the nemesis chooses; crash and restart are world events too (inbox messages for
/// an older incarnation are lost, as on the wire).
/// </summary>
[OnEventDoAction(typeof(Deliver), nameof(OnDeliver))]
public sealed class NodeActor : HarnessActor
{
    private void OnDeliver(Event e) => Run(new EnabledEvent(EventKind.Deliver, Node, ((Deliver)e).Id));
}

/// <summary>
/// The network, one courier per message: Coyote schedules couriers in any order (so messages to
/// one node are reordered although actor inboxes are FIFO), and each courier asks Coyote whether
/// the message is dropped or duplicated while the fault budget lasts.
/// </summary>
public sealed class Courier : HarnessActor
{
    protected override async Task OnInitializeAsync(Event initialEvent)
    {
        await base.OnInitializeAsync(initialEvent);
        var setup = (Setup)initialEvent;
        long id = setup.Message;
        if (!H.Stopped)
        {
            int fate = RandomInteger(8); // 0 drop, 1 duplicate (while faults last and the budget allows), else deliver
            if (fate == 0 && !H.FaultsStopped && Run(new EnabledEvent(EventKind.Drop, setup.Node, id))) { RaiseHaltEvent(); return; }
            if (fate == 1 && !H.FaultsStopped) Run(new EnabledEvent(EventKind.Duplicate, setup.Node, id));
            SendEvent(H.Nodes[setup.Node], new Deliver(id));
        }
        RaiseHaltEvent();
    }
}

/// <summary>
/// The nemesis and the clock: each turn it asks Coyote (RandomInteger) which of the world's
/// enabled non-message events runs: a timer firing, a proposal at a leader, a service snapshot,
/// and while faults last a crash, restart, partition (its shape also Coyote's) or heal. After
/// <see cref="CoyoteHarnessOptions.FaultTurns"/> turns it heals every link, restarts every node
/// and tells the liveness monitor that progress is owed. From then on timers behave as after
/// global stabilisation: message delays are shorter than timeouts, so a timer fires only when
/// no message is in flight, and a follower's only while there is no leader of the highest term
/// (heartbeats would otherwise have reset it).
/// One proposal is held back for then: a leader commits only entries of its own term, so
/// without a fresh command the healed cluster could not commit, as the tester's one() knows.
/// </summary>
[OnEventDoAction(typeof(NemesisTurn), nameof(Turn))]
public sealed class Nemesis : HarnessActor
{
    private int _turn;

    protected override async Task OnInitializeAsync(Event initialEvent)
    {
        await base.OnInitializeAsync(initialEvent);
        SendEvent(Id, new NemesisTurn());
    }

    private void Turn()
    {
        if (H.Stopped) { RaiseHaltEvent(); return; }
        _turn++;
        if (!H.FaultsStopped && _turn > H.Options.FaultTurns)
        {
            H.FaultsStopped = true;
            Run(new EnabledEvent(EventKind.Heal, -1));
            for (int i = 0; i < H.Options.Nodes; i++) Run(new EnabledEvent(EventKind.Restart, i));
            if (!H.Stopped) Monitor<LivenessMonitor>(new FaultsStopped());
        }
        var choices = new List<EnabledEvent>();
        foreach (EnabledEvent e in H.Recorder.Enabled())
        {
            bool ok = e.Kind switch
            {
                // after the faults (eventual synchrony): timers fire only on a quiet network, a follower's only while no leader of the highest term is up
                // a node's timer waits for its storage: an election timeout is far longer than a disk write
                // (the explorer's strategies still fire timers between a Ready's parts)
                EventKind.Timeout => !H.Recorder.World.Cluster.TryGetHand(e.Node, out _) && (!H.FaultsStopped || (H.Quiet
                    && (!H.HasCurrentLeader() || H.Recorder.World.Cluster.Node(e.Node)?.Role == Raft.Core.Node.Role.Leader))),
                // one proposal is kept for after the faults: a leader commits only entries of its own term
                // and is made on a quiet network at a leader of the highest term, so no stale message or rival can undo it
                EventKind.Propose => H.FaultsStopped ? H.Quiet && H.HasCurrentLeader() : H.Recorder.World.ProposalsLeft > 1,
                EventKind.Snapshot => true,
                EventKind.Crash or EventKind.Restart or EventKind.Partition or EventKind.Heal => !H.FaultsStopped,
                _ => false,
            };
            if (ok) choices.Add(e);
        }
        if (choices.Count > 0) Run(choices[RandomInteger(choices.Count)]);
        if (H.Stopped) { RaiseHaltEvent(); return; }
        SendEvent(Id, new NemesisTurn());
    }
}

/// <summary>Builds one iteration: the monitors, one actor per node (and its storage's, when Readies are handled asynchronously), the nemesis.</summary>
public static class RaftCoyoteTest
{
    public static void Start(IActorRuntime runtime, CoyoteHarnessOptions options, Action<CoyoteFinding> onFinding)
    {
        runtime.RegisterMonitor<SafetyMonitor>();
        runtime.RegisterMonitor<LivenessMonitor>();
        // the world's options Coyote draws per iteration (recorded in the trace's settings)
        options = options with { AsyncReady = options.AsyncReady ?? runtime.RandomBoolean(), PooledArrays = options.PooledArrays ?? runtime.RandomBoolean() };
        var state = new HarnessState(options, onFinding);
        options.OnIteration?.Invoke(state);
        state.Nodes = new ActorId[options.Nodes];
        for (int i = 0; i < options.Nodes; i++) state.Nodes[i] = runtime.CreateActor(typeof(NodeActor), new Setup(state, i));
        if (options.AsyncReady == true)
        {
            state.Storage = new ActorId[options.Nodes];
            state.StorageKicked = new bool[options.Nodes];
            for (int i = 0; i < options.Nodes; i++) state.Storage[i] = runtime.CreateActor(typeof(Storage), new Setup(state, i));
        }
        runtime.CreateActor(typeof(Nemesis), new Setup(state));
    }
}
