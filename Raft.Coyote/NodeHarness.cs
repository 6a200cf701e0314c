using Microsoft.Coyote.Actors;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Traces;

namespace Raft.Coyote;

/// <summary>An actor's next turn: it sends this to itself while it has events to run, and is sent it when it has some again.</summary>
public sealed class Turn : Event
{
    public static readonly Turn Instance = new();
}

/// <summary>
/// The per-node harness: an actor per node and one for the environment, sharing one world
/// (Raft.Model's, through <see cref="WorldRecorder"/>, which records every step as the explorer
/// does). A node's actor runs that node's own events: the delivery of a message to it, its timer,
/// the parts of its Ready in hand. The environment's actor runs the rest: faults (drops,
/// duplicates, crashes, restarts, partitions, heals), proposals, snapshots and the key-value
/// clients. Each turn an actor runs one of its events, chosen as the serial harness chooses
/// (our random strategy's coins, every draw a Coyote choice), so which message a node takes next
/// is a Coyote choice too. Which actor runs next is Coyote's scheduling decision: prioritization
/// (PCT) keeps a node's actor ahead of or behind the others, delay-bounding runs them round robin
/// with a few delays. There is no actor per message; the actors live for the whole iteration. An
/// actor with nothing to run waits until a step gives it something. The schedule ends as the
/// explorer's does (its step bound, or the workload done, then the clients' history check and the
/// liveness phase), run by the actor whose step ended it.
/// </summary>
public static class NodeHarness
{
    /// <summary>The node's own events: what reaches it and what its own loop does.</summary>
    public static bool OwnedByNode(in EnabledEvent e) =>
        e.Node >= 0 && e.Kind is EventKind.Deliver or EventKind.Advance or EventKind.Timeout or EventKind.Tick
            or EventKind.Persist or EventKind.Send or EventKind.Apply or EventKind.Retake;

    public static void Start(IActorRuntime runtime, IterationState state)
    {
        var shared = new Shared(new WorldRecorder(state.Settings, state.Seed, state.Iteration));
        state.World = shared.Recorder.World;
        int nodes = shared.Recorder.World.Size;
        shared.Actors = new ActorId[nodes + 1];
        shared.Idle = new bool[nodes + 1];
        // every id exists before any actor runs, so the first steps can wake actors not yet started
        for (int i = 0; i <= nodes; i++) shared.Actors[i] = runtime.CreateActorId(typeof(NodeStepper), i == nodes ? "environment" : $"node {i}");
        for (int i = 0; i <= nodes; i++) runtime.CreateActor(shared.Actors[i], typeof(NodeStepper), new NodeSetup(state, shared, i));
    }

    /// <summary>What the actors of one iteration share: the recorder over the world, the actors, which of them wait for work.</summary>
    public sealed class Shared(WorldRecorder recorder)
    {
        public WorldRecorder Recorder { get; } = recorder;
        public ActorId[] Actors { get; set; } = [];
        public bool[] Idle { get; set; } = [];
        public bool Done { get; set; }

        /// <summary>The actor that runs <paramref name="e"/>: its node's, or the environment's (the last).</summary>
        public int Owner(in EnabledEvent e) => OwnedByNode(e) ? e.Node : Actors.Length - 1;
    }

    public sealed class NodeSetup(IterationState state, Shared shared, int index) : Event
    {
        public IterationState State { get; } = state;
        public Shared Shared { get; } = shared;
        public int Index { get; } = index;
    }
}

/// <summary>One actor of the per-node harness: node <c>Index</c>'s, or the environment's (index = cluster size).</summary>
[OnEventDoAction(typeof(Turn), nameof(OnTurn))]
public sealed class NodeStepper : HarnessActor
{
    private NodeHarness.Shared _s = null!;
    private int _index;
    private CoyoteDraws _draws = null!;
    private RandomStrategy _strategy = null!;
    private readonly List<EnabledEvent> _mine = new();

    protected override async Task OnInitializeAsync(Event initialEvent)
    {
        var setup = (NodeHarness.NodeSetup)initialEvent;
        await base.OnInitializeAsync(new Setup(setup.State, setup.Index));
        _s = setup.Shared;
        _index = setup.Index;
        _draws = new CoyoteDraws(RandomInteger);
        _strategy = CoyoteDraws.Strategy(_draws, _s.Recorder.MaxSteps, _s.Recorder.Swarm);
        SendEvent(Id, Turn.Instance);
    }

    private void OnTurn()
    {
        if (_s.Done) { RaiseHaltEvent(); return; }
        IReadOnlyList<EnabledEvent> enabled = _s.Recorder.Enabled();
        _mine.Clear();
        foreach (EnabledEvent e in enabled) if (_s.Owner(e) == _index) _mine.Add(e);
        if (_mine.Count == 0)
        {
            // nothing to run: wait for a step that gives this actor work; if every actor waits, nothing is enabled at all
            _s.Idle[_index] = true;
            if (Array.TrueForAll(_s.Idle, idle => idle)) Finish();
            return;
        }
        WorldRecorder rec = _s.Recorder;
        rec.TryRun(_mine[_strategy.Pick(_mine, rec.Steps.Count)], _draws.Draw);
        if (rec.Ended || rec.Steps.Count >= rec.MaxSteps) { Finish(); return; }
        // wake the actors that now have something to run
        foreach (EnabledEvent e in rec.Enabled())
        {
            int owner = _s.Owner(e);
            if (!_s.Idle[owner]) continue;
            _s.Idle[owner] = false;
            SendEvent(_s.Actors[owner], Turn.Instance);
        }
        SendEvent(Id, Turn.Instance);
    }

    /// <summary>The fault phase is over: the rest of the schedule (clients' history, liveness phase) runs here, then every actor halts.</summary>
    private void Finish()
    {
        _s.Done = true;
        using WorldRecorder rec = _s.Recorder;
        Conclude(rec.Finish());
        for (int i = 0; i < _s.Actors.Length; i++)
            if (i != _index && _s.Idle[i]) SendEvent(_s.Actors[i], Turn.Instance);
        RaiseHaltEvent();
    }
}
