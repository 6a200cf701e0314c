using Raft.Model.Simulation;
using Microsoft.Coyote.Actors;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Traces;

namespace Raft.Coyote;

/// <summary>What one Coyote test over the node contract runs: the world (bug, size, seed, budgets) and the harness's own bounds.</summary>
public sealed record CoyoteHarnessOptions
{
    /// <summary>The catalog variant ("none" for the correct core), as <c>raftverify bugs</c> lists them.</summary>
    public string Bug { get; init; } = "none";
    public int Nodes { get; init; } = 3;
    /// <summary>The world's seed: fixed, so every choice that varies between iterations is Coyote's.</summary>
    public ulong WorldSeed { get; init; } = 1;
    public int Proposals { get; init; } = 3;
    public FaultBudget Faults { get; init; } = new(Crashes: 2, Partitions: 2, Drops: 6, Duplicates: 4);
    /// <summary>Nemesis turns during which faults may be injected; then it heals every link, restarts every node and only fires timers, proposes and snapshots.</summary>
    public int FaultTurns { get; init; } = 40;
    /// <summary>World events after which the harness stops (every actor halts, so Coyote's iteration ends). Also bounds the fault phase.</summary>
    public int MaxWorldSteps { get; init; } = 800;
    /// <summary>Called with each iteration's fresh state (e.g. to inspect the recording after the run).</summary>
    public Action<HarnessState>? OnIteration { get; init; }

    /// <summary>Where a Coyote-found safety violation is written as a RaftVerify trace (null: the temp directory).</summary>
    public string? TraceDirectory { get; init; }

    /// <summary>
    /// Asynchronous Ready handling (a Ready's persist, send and apply are world events, run by the
    /// <see cref="Storage"/> actor in whatever order Coyote interleaves it with deliveries and the
    /// nemesis); null (the default): Coyote draws it per iteration.
    /// </summary>
    public bool? AsyncReady { get; init; }

    /// <summary>Pooled entry arrays (the world's pool, its contract checked by its network); null (the default): Coyote draws it per iteration.</summary>
    public bool? PooledArrays { get; init; }

    /// <summary>The world the harness drives: adversarial mode (no clock: every delivery and timer is a choice), no swarm, the catalog's factory.</summary>
    public ExploreSettings Settings() => new()
    {
        Nodes = Nodes,
        Mode = WorldMode.Adversarial,
        Strategy = "random", // the trace header needs a strategy name; the steps are Coyote's choices
        Seed = WorldSeed,
        Faults = Faults,
        Proposals = Proposals,
        Swarm = false,
        SwarmRaft = false,
        SwarmProposals = false,
        AsyncReady = AsyncReady ?? false,
        Raft = PooledArrays == true ? Raft.Core.Node.RaftOptions.Default with { EntryArrayPool = Model.Network.EntryPool.WorldOwned } : Raft.Core.Node.RaftOptions.Default,
        Liveness = false,
        Bug = Bug,
        Workers = 1,
    };
}

/// <summary>A violation Coyote's engine drove the world into, and where its RaftVerify trace was written.</summary>
public sealed record CoyoteFinding(string Invariant, string Violation, int Step, string TracePath);

/// <summary>
/// The shared state of one Coyote iteration: the recorder over the one world (Raft.Model's
/// <see cref="World"/> and <see cref="Model.Simulation.Cluster"/>: the nodes, their disks and
/// services, handling output in the documented order), the actor ids, and what was found.
/// Coyote serialises actors, so only one handler touches it at a time.
/// </summary>
public sealed class HarnessState
{
    private readonly HashSet<long> _known = new();

    public HarnessState(CoyoteHarnessOptions options, Action<CoyoteFinding> onFinding)
    {
        Options = options;
        OnFinding = onFinding;
        Recorder = new WorldRecorder(options.Settings(), options.WorldSeed);
    }

    public CoyoteHarnessOptions Options { get; }
    public Action<CoyoteFinding> OnFinding { get; }
    public WorldRecorder Recorder { get; }
    public ActorId[] Nodes { get; set; } = [];

    /// <summary>Each node's storage actor, which runs the parts of its Ready in hand (asynchronous handling; empty otherwise).</summary>
    public ActorId[] Storage { get; set; } = [];

    /// <summary>Per node: a <see cref="ReadyWork"/> event is on its way to its storage actor (one at a time).</summary>
    public bool[] StorageKicked { get; set; } = [];

    public bool FaultsStopped { get; set; }

    /// <summary>True when no message is in flight and no Ready is in hand: nothing of the system's own is pending.</summary>
    public bool Quiet => Recorder.World.PendingCount == 0 && !Recorder.World.Cluster.AnyReadyInHand;

    /// <summary>True once the harness stops offering events: a violation, the workload done, or the step bound.</summary>
    public bool Stopped => Recorder.Ended || Recorder.Steps.Count >= Options.MaxWorldSteps;

    /// <summary>True when an up node is leader in a term no up node has passed.</summary>
    public bool HasCurrentLeader()
    {
        int leader = Recorder.Leader();
        if (leader < 0) return false;
        long term = Recorder.World.Cluster.Node(leader)!.Term;
        for (int i = 0; i < Recorder.World.Size; i++)
            if (Recorder.World.Cluster.Node(i) is { } n && n.Term > term) return false;
        return true;
    }

    /// <summary>Messages that are pending now and were not seen pending before (each gets a courier).</summary>
    public List<(long Id, int To)> NewMessages()
    {
        var fresh = new List<(long, int)>();
        foreach (EnabledEvent e in Recorder.Enabled())
            if (e.Kind == EventKind.Deliver && _known.Add(e.MessageId)) fresh.Add((e.MessageId, e.Node));
        return fresh;
    }

    /// <summary>Writes the recording as a RaftVerify trace (once, at the violation).</summary>
    public CoyoteFinding WriteFinding()
    {
        TraceFile trace = Recorder.ToTrace();
        string directory = Options.TraceDirectory ?? Path.Combine(Path.GetTempPath(), "raftverify-coyote");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"coyote-{Options.Bug}-{Options.Nodes}n-{Guid.NewGuid():N}.trace.jsonl");
        TraceWriter.Write(trace, path);
        var v = Recorder.Violation!;
        var finding = new CoyoteFinding(v.Invariant.ToString(), v.ToString(), Recorder.ViolationStep, path);
        OnFinding(finding);
        return finding;
    }
}
