using Raft.Core.Node;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Network;
using Raft.Model.Simulation;
using Raft.Model.Variants;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Exploration;

/// <summary>The lab world's own settings (6.824's make_config): the snapshot service and the network it starts with.</summary>
/// <param name="KvServers">Lab 3: the world's KV servers (with <paramref name="MaxRaftState"/> for 3B, -1 for none); <paramref name="KvDuplicateDetection"/> is off only for the duplicate-detection-missing variant.</param>
public sealed record LabWorldSettings(bool SnapshotService, int SnapshotInterval, bool Reliable, bool LongReordering, int DuplicatePerThousand,
    bool KvServers = false, int MaxRaftState = -1, bool KvDuplicateDetection = true);

/// <summary>Everything that defines an exploration run; with the seed it determines every schedule.</summary>
public sealed record ExploreSettings
{
    /// <summary>Cluster size; 0 (the default) lets swarm testing draw 3, 5 or 7 per schedule.</summary>
    public int Nodes { get; init; }
    public WorldMode Mode { get; init; } = WorldMode.Adversarial;
    public string Strategy { get; init; } = "random";
    /// <summary>pct: bug depth d; delay-bounded: the number of delays; dfs: the maximum term.</summary>
    public int StrategyParameter { get; init; }
    public int Iterations { get; init; } = 10_000;
    public int MaxSteps { get; init; } = 200;

    /// <summary>
    /// Whether a freshly drawn schedule with clients gets <see cref="SwarmParameters.ClientStepFactor"/>
    /// times <see cref="MaxSteps"/> (a request takes tens of steps to be answered). Its trace records
    /// the bound it ran with, and replays run with that bound (this is off in settings read from a trace).
    /// </summary>
    public bool ClientStepScaling { get; init; } = true;
    public ulong Seed { get; init; } = 1;
    public FaultBudget Faults { get; init; } = FaultBudget.Default;
    /// <summary>Client commands each schedule proposes.</summary>
    public int Proposals { get; init; } = 6;
    public bool Swarm { get; init; } = true;
    /// <summary>
    /// With swarm: draw the core's options per schedule instead of using <see cref="Raft"/> (every
    /// RaftOptions setting: heartbeat/election ticks, MaxEntriesPerAppend, MaxBytesPerAppend,
    /// BroadcastCommit, SnapshotRetryTicks, EntryArrayPool as the world's pool), and with them
    /// whether Readies are handled asynchronously, instead of using <see cref="AsyncReady"/>.
    /// </summary>
    public bool SwarmRaft { get; init; } = true;

    /// <summary>
    /// Handle each Ready as separate persist, send and apply events (<see cref="WorldOptions.AsyncReady"/>)
    /// in the schedules that do not draw it (without swarm, or without <see cref="SwarmRaft"/>).
    /// </summary>
    public bool AsyncReady { get; init; }
    /// <summary>With swarm: draw the number of proposals (1–12) per schedule instead of using <see cref="Proposals"/>.</summary>
    public bool SwarmProposals { get; init; } = true;
    /// <summary>With swarm: draw key-value clients (how many, how many operations each, their retry timeout) in a quarter of the schedules (World.Clients.cs).</summary>
    public bool SwarmClients { get; init; } = true;
    public bool Liveness { get; init; } = true;
    /// <summary>
    /// The bound, after the liveness phase's network stabilises, within which the tester's one()
    /// must reach agreement on every node. 0 (the default) derives it from each schedule's timers
    /// and cluster size (<see cref="Testing.LivenessPlan.DeriveStableBoundMs"/>); a positive value
    /// fixes it (e.g. to check a tighter bound).
    /// </summary>
    public int LivenessBoundMs { get; init; }
    public string Bug { get; init; } = "none";
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>1-based shard index and shard count: this run takes iterations i with i % count == index-1.</summary>
    public int ShardIndex { get; init; } = 1;
    public int ShardCount { get; init; } = 1;
    public bool StopAtFirst { get; init; } = true;
    /// <summary>Wall-clock budget in seconds (0 = none). Runs cut short by it are reported as such.</summary>
    public double TimeLimitSeconds { get; init; }

    /// <summary>
    /// Guided: where the corpus is kept between runs (Raft.Model.Traces.CorpusDirectory): its
    /// schedules run first, and the corpus the run ends with is saved back
    /// (<see cref="ExploreReport.SaveCorpus"/>). Null: the corpus lives only as long as the run.
    /// </summary>
    public Guided.ICorpusStore? Corpus { get; init; }
    public RaftOptions Raft { get; init; } = RaftOptions.Default;
    public int TickMs { get; init; } = 10;
    /// <summary>
    /// Builds the nodes instead of the catalog (<see cref="Bug"/>): another implementation of the
    /// node contract (docs/bring-your-own-raft.md). A factory loaded from an assembly
    /// (<see cref="NodeLoader"/>, <c>--node</c>) is written to traces as its <see cref="NodeSource"/>,
    /// so replay and shrink load it again; a factory given in C# is recorded as such and must be
    /// passed again (<see cref="Traces.TraceFile.WithFactory"/>).
    /// </summary>
    public NodeFactory? Factory { get; init; }

    /// <summary>
    /// The implementation a trace names (read from its header), or the one <see cref="Factory"/> was
    /// loaded from; null for Raft.Core (with <see cref="Bug"/>). Not loadable
    /// (<see cref="NodeSource.IsLoadable"/>) when the trace was made with a factory given in C#.
    /// </summary>
    public NodeSource? Node { get; init; }

    /// <summary>What ran the nodes: the loaded or recorded implementation, a C# factory, or null for Raft.Core (and <see cref="Bug"/>).</summary>
    public NodeSource? NodeRecord => NodeLoader.SourceOf(Factory) ?? Node ?? (Factory is null ? null : NodeSource.FromCSharp);

    /// <summary>Set for a lab run (mode Lab): what make_config chose.</summary>
    public LabWorldSettings? Lab { get; init; }

    /// <summary>
    /// The world one schedule runs on: these settings and the schedule's swarm draw, translated
    /// into the simulation's own options (the world knows nothing of strategies, swarm testing or
    /// the catalog). A lab trace's settings give back the lab's world (<see cref="ForLab"/>).
    /// </summary>
    public WorldOptions ToWorldOptions(SwarmParameters swarm, ulong scheduleSeed)
    {
        if (Factory is null && Node is { } node)
            throw new InvalidOperationException(node.IsLoadable
                ? $"these settings ran {node.Name} ({node.Spec}): load it first (NodeLoader.Load, or --node) rather than run Raft.Core in its place"
                : $"these settings ran {node.Name}: pass the same factory again (TraceFile.WithFactory) rather than run Raft.Core in its place");
        NodeFactory? factory = Factory ?? BugCatalog.FactoryFor(Bug);
        if (Mode == WorldMode.Lab)
        {
            LabWorldSettings lab = Lab ?? throw new ArgumentException("a lab run needs its lab settings");
            return new WorldOptions
            {
                Nodes = Nodes,
                Seed = Seed,
                Raft = Raft,
                TickMs = TickMs,
                SnapshotService = lab.SnapshotService,
                SnapshotInterval = lab.SnapshotInterval,
                Network = new NetworkOptions { Reliable = lab.Reliable, LongReordering = lab.LongReordering, DuplicatePerThousand = lab.DuplicatePerThousand, LabrpcDelivery = true },
                Factory = factory,
                KvServers = lab.KvServers,
                MaxRaftState = lab.MaxRaftState,
                KvDuplicateDetection = lab.KvDuplicateDetection,
            };
        }
        return new WorldOptions
        {
            Mode = Mode,
            Nodes = swarm.Nodes,
            Seed = scheduleSeed,
            Raft = swarm.Raft ?? Raft,
            AsyncReady = swarm.AsyncReady,
            TickMs = TickMs,
            Network = Mode == WorldMode.Timed ? NetworkOptions.Timed(swarm.MaxDelayMs) : NetworkOptions.Adversarial(),
            SnapshotService = false,
            SnapshotInterval = 10,
            CheckInvariants = true,
            Factory = factory,
            Proposals = swarm.Proposals ?? Proposals,
            Faults = Faults,
            FaultKinds = (swarm.CrashWeight > 0 ? FaultKinds.Crash : FaultKinds.None)
                | (swarm.PartitionWeight > 0 ? FaultKinds.Partition : FaultKinds.None)
                | (swarm.DropWeight > 0 ? FaultKinds.Drop : FaultKinds.None)
                | (swarm.DuplicateWeight > 0 ? FaultKinds.Duplicate : FaultKinds.None),
            SnapshotSteps = swarm.SnapshotPerThousand > 0,
            MaxCandidateTerm = Strategy == "dfs" ? StrategyParameter : 0, // dfs bounds the terms it explores
            Clients = swarm.Clients,
            ClientOps = swarm.ClientOps,
            ClientTimeout = swarm.Clients > 0 ? swarm.ClientTimeout : 20,
            KvDuplicateDetection = !(BugCatalog.Find(Bug)?.BreaksService ?? false),
            ClientReads = swarm.ClientReads,
            ClientWorkload = swarm.ClientWorkload,
            ClockDriftPerMille = swarm.ClockDriftPerMille,
        };
    }

    /// <summary>The settings a lab run is described by in its trace header: its world's options and the catalog variant it ran (<paramref name="bug"/>, or "none").</summary>
    public static ExploreSettings ForLab(WorldOptions o, string bug) => new()
    {
        Factory = bug == "none" ? o.Factory : null, // another implementation: recorded as where it came from
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
        Bug = bug,
        Workers = 1,
        Raft = o.Raft,
        TickMs = o.TickMs,
        Lab = new LabWorldSettings(o.SnapshotService, o.SnapshotInterval, o.Network.Reliable, o.Network.LongReordering, o.Network.DuplicatePerThousand,
            o.KvServers, o.MaxRaftState, o.KvDuplicateDetection),
    };

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason for an impossible configuration.</summary>
    public void Validate()
    {
        if (Nodes != 0 && (Nodes < 1 || Nodes > Limits.MaxNodes)) throw new ArgumentException($"--nodes must be between 1 and {Limits.MaxNodes} (got {Nodes})");
        if (Iterations < 1) throw new ArgumentException($"--iterations must be at least 1 (got {Iterations})");
        if (MaxSteps < 1 || MaxSteps > Limits.MaxSteps) throw new ArgumentException($"--max-steps must be between 1 and {Limits.MaxSteps} (got {MaxSteps})");
        if (Proposals < 0 || Proposals > Limits.MaxProposals) throw new ArgumentException($"--proposals must be between 0 and {Limits.MaxProposals} (got {Proposals})");
        if (Workers < 1 || Workers > Limits.MaxWorkers) throw new ArgumentException($"--workers must be between 1 and {Limits.MaxWorkers} (got {Workers})");
        if (ShardCount < 1 || ShardIndex < 1 || ShardIndex > ShardCount) throw new ArgumentException($"--shard must be k/N with 1 <= k <= N (got {ShardIndex}/{ShardCount})");
        if (Faults.Crashes is < 0 or > Limits.MaxFaults || Faults.Partitions is < 0 or > Limits.MaxFaults || Faults.Drops is < 0 or > Limits.MaxFaults || Faults.Duplicates is < 0 or > Limits.MaxFaults)
            throw new ArgumentException($"fault budgets must be between 0 and {Limits.MaxFaults} (got {Faults})");
        if (StrategyParameter < 0 || StrategyParameter > Limits.MaxStrategyParameter)
            throw new ArgumentException($"--strategy-parameter must be between 0 and {Limits.MaxStrategyParameter} (got {StrategyParameter})");
        if (double.IsNaN(TimeLimitSeconds) || TimeLimitSeconds < 0 || TimeLimitSeconds > Limits.MaxTimeLimitSeconds)
            throw new ArgumentException($"--time-limit must be between 0 and {Limits.MaxTimeLimitSeconds} seconds (got {TimeLimitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        if ((Mode == WorldMode.Lab) != (Strategy == "labrpc") || (Mode == WorldMode.Lab) != (Lab is not null))
            throw new ArgumentException("the lab mode goes with the labrpc scheduler and lab settings, and only with them");
        if (Lab is { } lab && (lab.SnapshotInterval < 1 || lab.SnapshotInterval > Limits.MaxSnapshotInterval || lab.DuplicatePerThousand is < 0 or > 1000))
            throw new ArgumentException($"lab settings: snapshotInterval must be within 1..{Limits.MaxSnapshotInterval} and duplicatePerThousand within 0..1000");
        if (Mode != WorldMode.Lab && !StrategyCatalog.IsKnown(Strategy)) throw new ArgumentException($"unknown strategy '{Limits.Printable(Strategy)}': expected {string.Join(", ", StrategyCatalog.Names)}");
        if (StrategyParameter != 0 && Strategy is "random" or "guided")
            throw new ArgumentException($"--strategy-parameter applies to pct, delay-bounded and dfs, not to {Strategy}");
        if (Corpus is not null && Strategy != "guided")
            throw new ArgumentException($"--corpus keeps the guided strategy's corpus between runs: it goes with --strategy guided, not {Strategy}");
        if (Strategy == "dfs" && Mode != WorldMode.Adversarial) throw new ArgumentException("dfs explores the adversarial mode only (use --mode adversarial)");
        if (!BugCatalog.IsKnown(Bug)) throw new ArgumentException($"unknown bug '{Limits.Printable(Bug)}': see dotnet raftverify bugs");
        if (Bug != "none" && Node is not null) throw new ArgumentException("a catalog bug is a variant of Raft.Core: it does not go with another implementation (--node)");
        if (TickMs < 1 || TickMs > Limits.MaxTickMs) throw new ArgumentException($"tick must be between 1 and {Limits.MaxTickMs} ms (got {TickMs})");
        if (LivenessBoundMs != 0 && (LivenessBoundMs < Limits.MinLivenessBoundMs || LivenessBoundMs > Limits.MaxLivenessBoundMs))
            throw new ArgumentException($"liveness bound must be 0 (derived from the timers) or between {Limits.MinLivenessBoundMs} and {Limits.MaxLivenessBoundMs} ms (got {LivenessBoundMs})");
        Limits.CheckRaft(Raft, TickMs);
    }
}
