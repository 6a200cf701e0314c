using Raft.Core.Node;
using Raft.Model.Network;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// Everything that shapes a simulated run. Together with the seed it determines the run exactly.
/// The lab builds one directly; the explorer translates its settings and a schedule's swarm draw
/// into one (<c>ExploreSettings.ToWorldOptions</c>), so the world knows nothing of strategies,
/// swarm testing or the bug catalog.
/// </summary>
public sealed record WorldOptions
{
    /// <summary>Who chooses the steps: the explorer (adversarial, timed) or labrpc timing and the tester (lab, the default).</summary>
    public WorldMode Mode { get; init; } = WorldMode.Lab;

    public int Nodes { get; init; } = 3;
    public ulong Seed { get; init; }
    /// <summary>
    /// The core's options. A non-null <see cref="RaftOptions.EntryArrayPool"/> (e.g.
    /// <see cref="Network.EntryPool.WorldOwned"/>) turns pooled entry arrays on: the world gives its
    /// nodes its own <see cref="Network.EntryPool"/>, which its transport returns arrays to.
    /// </summary>
    public RaftOptions Raft { get; init; } = RaftOptions.Default;

    /// <summary>
    /// The explorer's modes: handle each Ready as separate persist, send and apply events, with
    /// input allowed in between (Cluster.Ready.cs), as etcd's async storage writes do. Ignored in
    /// the lab mode, whose tester expects synchronous handling; the liveness phase's heal finishes
    /// every Ready in hand and switches to synchronous handling.
    /// </summary>
    public bool AsyncReady { get; init; }

    /// <summary>Virtual milliseconds per core tick (10 ms: heartbeats every 100 ms with the default options).</summary>
    public int TickMs { get; init; } = 10;

    public NetworkOptions Network { get; init; } = new();

    /// <summary>The lab's snapshot applier (2D): the service snapshots every <see cref="SnapshotInterval"/> entries.</summary>
    public bool SnapshotService { get; init; }
    public int SnapshotInterval { get; init; } = 10;

    public bool CheckInvariants { get; init; } = true;

    /// <summary>
    /// Builds each node: null for the correct core, or anything else implementing the node
    /// contract (a catalog variant, or your own Raft: docs/bring-your-own-raft.md).
    /// </summary>
    public NodeFactory? Factory { get; init; }

    // ---- the explorer's modes (adversarial, timed): the workload and the faults it may choose ----

    /// <summary>Client commands the workload proposes (a leader may be asked to propose while any are left).</summary>
    public int Proposals { get; init; }

    /// <summary>The most faults of each kind the run may inject.</summary>
    public FaultBudget Faults { get; init; } = FaultBudget.NoFaults;

    /// <summary>The kinds of fault that may be chosen at all (swarm testing switches some off per schedule); a kind needs budget left too.</summary>
    public FaultKinds FaultKinds { get; init; } = FaultKinds.All;

    /// <summary>Whether a service snapshot may be chosen as a step.</summary>
    public bool SnapshotSteps { get; init; } = true;

    /// <summary>Adversarial mode: a node that is not leader may not time out once its term has reached this (0: no bound). The model checker's term bound.</summary>
    public int MaxCandidateTerm { get; init; }

    /// <summary>Key-value clients (World.Clients.cs): 0 for none, the world of the lab and of every schedule that draws none.</summary>
    public int Clients { get; init; }

    /// <summary>Operations each client issues, one at a time.</summary>
    public int ClientOps { get; init; }

    /// <summary>How long a client waits for an answer before it retries with another node: steps in adversarial mode, ticks (× <see cref="TickMs"/>) in timed mode.</summary>
    public int ClientTimeout { get; init; } = 20;

    /// <summary>How clients' Gets are served: through the log (6.824 Lab 3A, the default) or with ReadIndex (thesis §6.4), on nodes that support it.</summary>
    public ClientReads ClientReads { get; init; } = ClientReads.Log;

    /// <summary>What the clients ask (<see cref="ClientWorkload"/>).</summary>
    public ClientWorkload ClientWorkload { get; init; } = ClientWorkload.Mixed;

    /// <summary>
    /// Adversarial mode with lease reads (<see cref="RaftOptions.ReadOnly"/>): a timer event advances
    /// one shared clock instead of one node's timer, so clocks drift only as this bound allows: the
    /// event's node runs at 1 + ClockDriftPerMille/1000 of real time and every other at 1 − it
    /// (<see cref="DriftTicksFor"/> gives the <see cref="RaftOptions.LeaseDriftTicks"/> that covers it).
    /// In timed mode the clocks share the world's and only their phases differ.
    /// </summary>
    public int ClockDriftPerMille { get; init; }

    /// <summary>Whether timer events advance one shared clock: adversarial mode with lease reads, where unbounded drift would make every lease unsafe.</summary>
    public bool SharedClock => Mode == WorldMode.Adversarial && Raft.ReadOnly == ReadOnlyOption.LeaseBased;

    /// <summary>
    /// The drift bound, in ticks per election timeout, that covers clocks running at 1 ± ρ
    /// (ρ = <paramref name="driftPerMille"/>/1000) of real time: over the ElectionTicks ticks a
    /// follower waits, the fastest clock gains at most ElectionTicks·2ρ/(1−ρ) ticks on the slowest,
    /// plus one for the tick in progress.
    /// </summary>
    public static int DriftTicksFor(int electionTicks, int driftPerMille) =>
        (int)Math.Ceiling(electionTicks * 2.0 * driftPerMille / (1000 - driftPerMille)) + 1;

    /// <summary>Whether the key-value service detects retried requests (false only for the catalog variant duplicate-detection-missing).</summary>
    public bool KvDuplicateDetection { get; init; } = true;

    /// <summary>
    /// The lab's key-value servers (6.824 Lab 3, World.Kv.cs): a KVServer beside each node that the
    /// tester's clerks call through the network. Lab mode only.
    /// </summary>
    public bool KvServers { get; init; }

    /// <summary>Lab 3B's maxraftstate: a KV server snapshots its state once its persisted raft state reaches this many bytes (-1: never).</summary>
    public int MaxRaftState { get; init; } = -1;

    public void Validate()
    {
        if (KvServers && Mode != WorldMode.Lab) throw new ArgumentException("the lab's key-value servers run in the lab mode only");
        if (MaxRaftState < -1 || (MaxRaftState >= 0 && !KvServers)) throw new ArgumentException($"MaxRaftState must be -1, or at least 0 with the KV servers (got {MaxRaftState})");
        if (Clients < 0 || Clients > 16) throw new ArgumentException($"Clients must be 0 to 16 (got {Clients})");
        if (Clients > 0 && (ClientOps < 1 || ClientOps > 100)) throw new ArgumentException($"ClientOps must be 1 to 100 (got {ClientOps})");
        if (ClockDriftPerMille < 0 || ClockDriftPerMille > 500) throw new ArgumentException($"ClockDriftPerMille must be 0 to 500 (got {ClockDriftPerMille})");
        if (Clients > 0 && ClientTimeout < 1) throw new ArgumentException($"ClientTimeout must be at least 1 (got {ClientTimeout})");
        if (Nodes < 1 || Nodes > 64) throw new ArgumentException($"a cluster needs 1 to 64 nodes (got {Nodes})");
        if (TickMs < 1) throw new ArgumentException($"TickMs must be at least 1 (got {TickMs})");
        if (SnapshotInterval < 1) throw new ArgumentException($"SnapshotInterval must be at least 1 (got {SnapshotInterval})");
        Raft.Validate();
    }
}

/// <summary>How the world's clients read (World.Clients.cs).</summary>
public enum ClientReads : byte
{
    /// <summary>A Get is a command in the log, as 6.824 Lab 3A serves it.</summary>
    Log,
    /// <summary>A Get asks the node for a read index (<see cref="IRaftNode.ReadIndex"/>) and is answered from the service once it applied that far; through the log on a node that does not support it.</summary>
    ReadIndex,
}

/// <summary>What the world's clients ask (World.Clients.cs), drawn per schedule like every other option.</summary>
public enum ClientWorkload : byte
{
    /// <summary>Appends mostly, some Puts and Gets, on two keys, in random order.</summary>
    Mixed,
    /// <summary>
    /// One register: every client writes key "x" (a Put or an Append) and then reads it back, in
    /// turn, as a linearizable-register test does. Each read follows a write it must see, so a
    /// read served from a stale state shows at once.
    /// </summary>
    Register,
}

/// <summary>The kinds of fault the explorer's modes may inject.</summary>
[Flags]
public enum FaultKinds
{
    None = 0,
    Crash = 1,
    Partition = 2,
    Drop = 4,
    Duplicate = 8,
    All = Crash | Partition | Drop | Duplicate,
}

/// <summary>
/// Timed: messages arrive within a bounded delay and timers follow a clock.
/// Adversarial: there is no clock; any pending message may be delivered next and any timer may fire.
/// Lab: labrpc's timing (6.824's network): messages get labrpc's delays and losses when sent, every
/// node ticks on the clock, and the tester acts between events (see World.Lab.cs).
/// The explorer chooses the steps in the first two; the tester and labrpc timing in the third.
/// </summary>
public enum WorldMode { Timed, Adversarial, Lab }

/// <summary>The most faults of each kind one run (one schedule of the explorer) may inject.</summary>
public sealed record FaultBudget(int Crashes = 2, int Partitions = 3, int Drops = 20, int Duplicates = 10)
{
    public static FaultBudget Default { get; } = new();
    public static FaultBudget NoFaults { get; } = new(0, 0, 0, 0);

    /// <summary>Parses "crashes=2,partitions=3,drops=20,duplicates=10" (any subset; "none" for no faults).</summary>
    public static FaultBudget Parse(string text)
    {
        if (text.Trim() == "none") return NoFaults;
        FaultBudget b = Default;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !int.TryParse(kv[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v))
                throw new ArgumentException($"bad fault budget '{part}': expected name=number, e.g. crashes=2");
            b = kv[0] switch
            {
                "crashes" => b with { Crashes = v },
                "partitions" => b with { Partitions = v },
                "drops" => b with { Drops = v },
                "duplicates" => b with { Duplicates = v },
                _ => throw new ArgumentException($"unknown fault '{kv[0]}': expected crashes, partitions, drops or duplicates"),
            };
        }
        return b;
    }

    public override string ToString() => $"crashes={Crashes},partitions={Partitions},drops={Drops},duplicates={Duplicates}";
}
