using System.Globalization;
using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Exploration;

/// <summary>
/// The parameters of one schedule. With swarm testing each schedule draws its own from its
/// seed (as TigerBeetle's VOPR does), so one run covers gentle and brutal worlds alike: some
/// schedules never crash anything, some drop a third of all messages; cluster sizes, the core's
/// timing and batching options, the workload and the post-heal network vary too. Every drawn
/// value is written to the trace header, so replay never draws again.
/// </summary>
public sealed record SwarmParameters(
    int Nodes,
    int FaultPerThousand,
    int TimerPerThousand,
    int ProposePerThousand,
    int SnapshotPerThousand,
    int MaxDelayMs,
    int CrashWeight,
    int PartitionWeight,
    int DropWeight,
    int DuplicateWeight)
{
    /// <summary>The core's options for this schedule; null: the settings' (<see cref="ExploreSettings.Raft"/>).</summary>
    public RaftOptions? Raft { get; init; }

    /// <summary>
    /// Whether this schedule handles each Ready as separate persist, send and apply events
    /// (<see cref="Simulation.WorldOptions.AsyncReady"/>): drawn with the core's options, else the
    /// settings' (<see cref="ExploreSettings.AsyncReady"/>).
    /// </summary>
    public bool AsyncReady { get; init; }

    /// <summary>Client commands this schedule proposes; null: the settings' (<see cref="ExploreSettings.Proposals"/>).</summary>
    public int? Proposals { get; init; }

    /// <summary>Key-value clients in this schedule (0: none; World.Clients.cs), the operations each issues, and their retry timeout (steps in adversarial mode, ticks in timed mode).</summary>
    public int Clients { get; init; }
    public int ClientOps { get; init; }
    public int ClientTimeout { get; init; }

    /// <summary>How this schedule's clients read (<see cref="Simulation.WorldOptions.ClientReads"/>).</summary>
    public Simulation.ClientReads ClientReads { get; init; }

    /// <summary>What this schedule's clients ask (<see cref="Simulation.WorldOptions.ClientWorkload"/>).</summary>
    public Simulation.ClientWorkload ClientWorkload { get; init; }

    /// <summary>With lease reads in adversarial mode: how far each clock's rate may stray from real time, per mille (<see cref="Simulation.WorldOptions.ClockDriftPerMille"/>).</summary>
    public int ClockDriftPerMille { get; init; }

    /// <summary>Clock drift bounds (per mille) swarm testing draws with lease reads: from none to clocks 30% fast or slow.</summary>
    public static readonly int[] ClockDriftChoices = [0, 50, 100, 200, 300];

    /// <summary>How much rarer timer events are in an adversarial lease schedule than drawn (<see cref="Draw"/>).</summary>
    public const int LeaseTimerDivisor = 8;

    /// <summary>How many times the settings' fault-phase steps a schedule with clients gets: a request takes tens of steps to be answered.</summary>
    public const int ClientStepFactor = 3;

    /// <summary>The fault phase's step bound for this schedule: the settings', or <see cref="ClientStepFactor"/> times it with clients.</summary>
    public int MaxSteps(ExploreSettings s) => Clients > 0 && s.ClientStepScaling ? (int)Math.Min(Limits.MaxSteps, (long)s.MaxSteps * ClientStepFactor) : s.MaxSteps;

    /// <summary>The clients a schedule gets when its variant needs them (a service bug) and it drew none.</summary>
    private static SwarmParameters WithClients(SwarmParameters p, ref Rng rng, bool draw) => draw
        ? p with { Clients = rng.Next(1, 4), ClientOps = rng.Next(2, 11), ClientTimeout = rng.Next(5, 41) }
        : p;

    /// <summary>Liveness phase: how long after the heal the network stays unstable (the adversary's last delays and drops) before it stabilises.</summary>
    public int LiveUnstableMs { get; init; }

    /// <summary>Liveness phase, unstable: requests wait 0 to LiveDelayMs−1 ms (labrpc: 27).</summary>
    public int LiveDelayMs { get; init; } = 1;

    /// <summary>Liveness phase, unstable: replies held back 200–2199 ms (labrpc long reordering: 667‰), per reply.</summary>
    public int LiveReorderPerThousand { get; init; }

    /// <summary>Liveness phase, unstable: requests and replies dropped (labrpc unreliable: 100‰).</summary>
    public int LiveDropPerThousand { get; init; }

    /// <summary>Liveness phase, stable: every request arrives within this many ms (far below the election timeout); nothing is lost.</summary>
    public int LiveStableDelayMs { get; init; } = 5;

    /// <summary>The liveness phase's network and bound for a schedule run under <paramref name="s"/>.</summary>
    public Testing.LivenessPlan LivenessPlan(ExploreSettings s)
    {
        RaftOptions raft = Raft ?? s.Raft;
        long bound = s.LivenessBoundMs > 0 ? s.LivenessBoundMs : Testing.LivenessPlan.DeriveStableBoundMs(raft, s.TickMs, Nodes, LiveStableDelayMs);
        return new Testing.LivenessPlan(
            Network.NetworkOptions.Unstable(LiveDelayMs, LiveDropPerThousand, LiveReorderPerThousand), LiveUnstableMs,
            Network.NetworkOptions.Stable(LiveStableDelayMs), bound, Testing.LivenessPlan.ElectionWindow(raft, s.TickMs, LiveStableDelayMs));
    }

    /// <summary>MaxEntriesPerAppend values swarm testing draws from (1 forces one entry per AppendEntries, so logs converge step by step).</summary>
    public static readonly int[] EntriesPerAppendChoices = [1, 2, 3, 8, 256];

    /// <summary>MaxBytesPerAppend values swarm testing draws from (1: one entry per AppendEntries whatever its size; 1 MiB: the core's default).</summary>
    public static readonly long[] BytesPerAppendChoices = [1, 16, 64, 1 << 20];

    /// <summary>The longest snapshot retry swarm testing draws when it turns snapshot flow control on (1–60 ticks: up to the longest minimum election timeout it draws).</summary>
    public const int MaxSnapshotRetryTicks = 60;

    /// <summary>Draws the parameters of one schedule (or fixed middling ones without swarm).</summary>
    public static SwarmParameters Draw(ExploreSettings s, ulong iterationSeed)
    {
        var rng = new Rng(Rng.Derive(iterationSeed, Simulation.SeedStream.Swarm));
        if (!s.Swarm)
        {
            int fixedNodes = s.Nodes != 0 ? s.Nodes : (rng.Next(2) == 0 ? 3 : 5);
            var fixedParameters = new SwarmParameters(fixedNodes, 100, 100, 100, 20, 20, 1, 1, 1, 1)
            {
                AsyncReady = s.AsyncReady,
                // middling: a stable network from the heal on
                LiveUnstableMs = 0, LiveDelayMs = 27, LiveReorderPerThousand = 0, LiveDropPerThousand = 0, LiveStableDelayMs = 5,
            };
            if (!NeedsClients(s)) return fixedParameters;
            fixedParameters = fixedParameters with { Clients = 2, ClientOps = 4, ClientTimeout = 15 };
            return VariantReads(s) switch
            {
                Variants.ReadsNeeded.ReadIndex => fixedParameters with { ClientReads = Simulation.ClientReads.ReadIndex },
                Variants.ReadsNeeded.Lease => WithLease(fixedParameters with { ClientReads = Simulation.ClientReads.ReadIndex, Raft = s.Raft }, 100),
                _ => fixedParameters,
            };
        }
        // the first draws are those of version-1 traces, so a pinned size gives the same fault rates as before
        int nodes = s.Nodes != 0 ? s.Nodes : (rng.Next(2) == 0 ? 3 : 5);
        var p = new SwarmParameters(
            Nodes: nodes,
            FaultPerThousand: rng.Next(0, 300),
            TimerPerThousand: rng.Next(10, 250),
            ProposePerThousand: rng.Next(20, 300),
            SnapshotPerThousand: rng.Next(0, 60),
            MaxDelayMs: rng.Next(1, 60),
            CrashWeight: rng.Next(0, 4),
            PartitionWeight: rng.Next(0, 4),
            DropWeight: rng.Next(0, 4),
            DuplicateWeight: rng.Next(0, 4)) { AsyncReady = s.AsyncReady };
        // a second stream for everything added since, so adding a draw never shifts the others
        var more = new Rng(Rng.Derive(iterationSeed, Simulation.SeedStream.SwarmMore));
        if (s.Nodes == 0) p = p with { Nodes = SizeChoices[more.Next(SizeChoices.Length)] };
        else more.Next(SizeChoices.Length);
        if (s.SwarmRaft)
        {
            (int heartbeat, int election) = DrawTimers(ref more);
            p = p with
            {
                Raft = s.Raft with
                {
                    HeartbeatTicks = heartbeat,
                    ElectionTicks = election,
                    MaxEntriesPerAppend = EntriesPerAppendChoices[more.Next(EntriesPerAppendChoices.Length)],
                },
            };
        }
        if (s.SwarmProposals) p = p with { Proposals = more.Next(MinProposals, MaxProposals + 1) };
        if (s.Liveness)
        {
            // Before it stabilises the network is the adversary's, never beyond labrpc's rates: two thirds of
            // the schedules get labrpc's long reordering and two thirds its drops (Figure8Unreliable's world
            // after its last heal is then about a third), for up to 5 s; a quarter stabilise at once. After,
            // every request arrives within 0–10 ms, far below the 250–1200 ms election timeouts drawn above.
            bool drops = more.Next(3) != 0;
            int reorder = more.Next(6) switch { 0 => 0, 1 => more.Next(1, 668), _ => 667 };
            p = p with
            {
                LiveUnstableMs = more.Next(4) == 0 ? 0 : more.Next(1, MaxUnstableMs + 1),
                LiveDelayMs = more.Next(1, 28),
                LiveReorderPerThousand = reorder,
                LiveDropPerThousand = drops ? 100 : 0,
                LiveStableDelayMs = more.Next(0, 11),
            };
        }
        if (s.SwarmRaft)
        {
            // drawn last, so the draws above (and every schedule's earlier parameters) stay as they were
            bool broadcast = more.Next(2) == 0;
            int retry = more.Next(2) == 0 ? 0 : more.Next(1, MaxSnapshotRetryTicks + 1);
            long bytes = BytesPerAppendChoices[more.Next(BytesPerAppendChoices.Length)];
            p = p with { Raft = p.Raft! with { BroadcastCommit = broadcast, SnapshotRetryTicks = retry, MaxBytesPerAppend = bytes } };
            // drawn after those: pooled entry arrays (the world's pool, returned by its transport) in half
            // of the schedules, asynchronous Ready handling in half, independently
            bool pool = more.Next(2) == 0;
            bool asyncReady = more.Next(2) == 0;
            p = p with { Raft = p.Raft with { EntryArrayPool = pool ? Network.EntryPool.WorldOwned : null }, AsyncReady = asyncReady };
        }
        // drawn last of all: key-value clients in a quarter of the schedules (in all of them for a service bug)
        if (s.SwarmClients || NeedsClients(s))
        {
            bool clients = more.Next(4) == 0;
            p = WithClients(p, ref more, clients || NeedsClients(s));
        }
        // drawn after the clients: how the core confirms reads, and a no-op on election, in every schedule
        // (leases make nodes ignore vote requests for an election timeout, so they change more than reads);
        // then how the clients read
        Variants.ReadsNeeded needed = VariantReads(s);
        if (s.SwarmRaft || needed == Variants.ReadsNeeded.Lease)
        {
            bool noOp = more.Next(2) == 0;
            // the settings' LeaseBased (explore --lease) leases every schedule, with the drift still drawn
            bool lease = more.Next(3) == 0 || needed == Variants.ReadsNeeded.Lease || s.Raft.ReadOnly == ReadOnlyOption.LeaseBased;
            int drift = ClockDriftChoices[more.Next(ClockDriftChoices.Length)];
            p = p with { Raft = (p.Raft ?? s.Raft) with { NoOpOnElection = noOp } };
            if (lease) p = WithLease(p, drift);
            // a lease is a race between messages and clocks, and a real network delivers many messages per
            // heartbeat: in adversarial mode, where a lease schedule's timer event passes time for every node
            // (World.Clocks.cs), timers fire an eighth as often as drawn (when nothing else can run, still at once)
            if (lease && s.Mode == Simulation.WorldMode.Adversarial) p = p with { TimerPerThousand = Math.Max(1, p.TimerPerThousand / LeaseTimerDivisor) };
        }
        if (p.Clients > 0)
        {
            bool readIndex = more.Next(2) == 0 || needed != Variants.ReadsNeeded.None;
            p = p with { ClientReads = readIndex ? Simulation.ClientReads.ReadIndex : Simulation.ClientReads.Log };
            // drawn after how they read: a register workload in half of the client schedules
            if (more.Next(2) == 0) p = p with { ClientWorkload = Simulation.ClientWorkload.Register };
        }
        return p;
    }

    /// <summary>Lease reads, with clocks that drift by up to <paramref name="driftPerMille"/> and the core's drift bound set to cover it.</summary>
    internal static SwarmParameters WithLease(SwarmParameters p, int driftPerMille)
    {
        RaftOptions raft = p.Raft!;
        return p with
        {
            Raft = raft with { ReadOnly = ReadOnlyOption.LeaseBased, LeaseDriftTicks = Simulation.WorldOptions.DriftTicksFor(raft.ElectionTicks, driftPerMille) },
            ClockDriftPerMille = driftPerMille,
        };
    }

    /// <summary>Whether the settings' variant breaks something only clients can show (the key-value service, or reads outside the log).</summary>
    private static bool NeedsClients(ExploreSettings s) => Variants.BugCatalog.Find(s.Bug)?.NeedsClients ?? false;

    private static Variants.ReadsNeeded VariantReads(ExploreSettings s) => Variants.BugCatalog.Find(s.Bug)?.Reads ?? Variants.ReadsNeeded.None;

    /// <summary>
    /// The core's heartbeat and minimum election timeout in ticks: heartbeats every 100–150 ms (at
    /// most 10 a second), elections after 250–600 ms at least, so leaders come well within 5 s.
    /// </summary>
    public static (int Heartbeat, int Election) DrawTimers(ref Rng rng)
    {
        int heartbeat = rng.Next(10, 16);
        int election = rng.Next(Math.Max(25, 2 * heartbeat), 61);
        return (heartbeat, election);
    }

    /// <summary>The longest unstable time swarm testing draws for the liveness phase.</summary>
    public const int MaxUnstableMs = 5_000;

    /// <summary>Cluster sizes swarm testing draws from when --nodes is not given (3 half the time: 7-node schedules cost twice as much).</summary>
    public static readonly int[] SizeChoices = [3, 3, 5, 7];

    /// <summary>The fewest and most client commands swarm testing draws for a schedule (<see cref="ExploreSettings.SwarmProposals"/>).</summary>
    public const int MinProposals = 1, MaxProposals = 12;

    public string Describe()
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"nodes={Nodes} fault={FaultPerThousand}‰ timer={TimerPerThousand}‰ propose={ProposePerThousand}‰ snapshot={SnapshotPerThousand}‰ delay≤{MaxDelayMs}ms weights(crash={CrashWeight},partition={PartitionWeight},drop={DropWeight},dup={DuplicateWeight})");
        if (Raft is { } r) text += string.Create(CultureInfo.InvariantCulture, $" raft(election={r.ElectionTicks},heartbeat={r.HeartbeatTicks},entries/append={r.MaxEntriesPerAppend},bytes/append={r.MaxBytesPerAppend},broadcastCommit={(r.BroadcastCommit ? "on" : "off")},snapshotRetry={r.SnapshotRetryTicks},entryArrayPool={(r.EntryArrayPool is null ? "off" : "on")},noOpOnElection={(r.NoOpOnElection ? "on" : "off")},reads={(r.ReadOnly == ReadOnlyOption.LeaseBased ? "lease" : "safe")})");
        if (Raft is { ReadOnly: ReadOnlyOption.LeaseBased } lr) text += string.Create(CultureInfo.InvariantCulture, $" lease(driftTicks={lr.LeaseDriftTicks},clockDrift={ClockDriftPerMille}‰)");
        text += AsyncReady ? " ready=async" : " ready=sync";
        if (Proposals is { } n) text += string.Create(CultureInfo.InvariantCulture, $" proposals={n}");
        if (Clients > 0) text += string.Create(CultureInfo.InvariantCulture, $" clients={Clients}x{ClientOps} timeout={ClientTimeout} reads={(ClientReads == Simulation.ClientReads.ReadIndex ? "readIndex" : "log")}{(ClientWorkload == Simulation.ClientWorkload.Register ? " workload=register" : "")}");
        text += string.Create(CultureInfo.InvariantCulture, $" liveness(unstable {LiveUnstableMs}ms: delay<{LiveDelayMs}ms reorder={LiveReorderPerThousand}‰ drop={LiveDropPerThousand}‰; then stable: delay≤{LiveStableDelayMs}ms)");
        return text;
    }
}
