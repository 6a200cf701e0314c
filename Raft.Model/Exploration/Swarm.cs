using System.Globalization;
using Raft.Core.Determinism;
using Raft.Core.Node;

namespace Raft.Model.Exploration;

/// <summary>How the world runs once faults stop (see <see cref="World.RunLiveness"/>).</summary>
public enum LivenessModel
{
    /// <summary>Version-1 traces: oldest message first, no delays, no drops, leader then probe within the bound each.</summary>
    Fair,
    /// <summary>The lab's world after the heal: labrpc delays, long-reordered replies, optional drops, stale messages still arriving; the tester's one() as the oracle.</summary>
    Lab,
}

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

    /// <summary>Client commands this schedule proposes; null: the settings' (<see cref="ExploreSettings.Proposals"/>).</summary>
    public int? Proposals { get; init; }

    /// <summary>The liveness phase's world. Traces written before it existed replay with <see cref="LivenessModel.Fair"/>.</summary>
    public LivenessModel Liveness { get; init; } = LivenessModel.Fair;

    /// <summary>Lab liveness: requests (and short replies) wait 0 to LiveDelayMs−1 ms (labrpc: 27).</summary>
    public int LiveDelayMs { get; init; } = 1;

    /// <summary>Lab liveness: replies delayed 200–2199 ms (labrpc long reordering: 667‰), per reply.</summary>
    public int LiveReorderPerThousand { get; init; }

    /// <summary>Lab liveness: requests and replies dropped (labrpc unreliable: 100‰) during the first LiveDropMs after the heal.</summary>
    public int LiveDropPerThousand { get; init; }

    /// <summary>Lab liveness: how long after the heal the drops go on (the bound or more: the whole phase, as Figure8Unreliable).</summary>
    public int LiveDropMs { get; init; }

    /// <summary>MaxEntriesPerAppend values swarm testing draws from (1 forces one entry per AppendEntries, so logs converge step by step).</summary>
    public static readonly int[] EntriesPerAppendChoices = [1, 2, 3, 8, 256];

    /// <summary>Draws the parameters of one schedule (or fixed middling ones without swarm).</summary>
    public static SwarmParameters Draw(ExploreSettings s, ulong iterationSeed)
    {
        var rng = new Rng(Rng.Derive(iterationSeed, 77));
        if (!s.Swarm)
        {
            int fixedNodes = s.Nodes != 0 ? s.Nodes : (rng.Next(2) == 0 ? 3 : 5);
            return new SwarmParameters(fixedNodes, 100, 100, 100, 20, 20, 1, 1, 1, 1)
            {
                // middling: labrpc's request delays, no long reordering, no drops
                Liveness = LivenessModel.Lab, LiveDelayMs = 27, LiveReorderPerThousand = 0, LiveDropPerThousand = 0, LiveDropMs = 0,
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
            DuplicateWeight: rng.Next(0, 4));
        // a second stream for everything added since, so adding a draw never shifts the others
        var more = new Rng(Rng.Derive(iterationSeed, 78));
        if (s.Nodes == 0) p = p with { Nodes = SizeChoices[more.Next(SizeChoices.Length)] };
        else more.Next(SizeChoices.Length);
        if (s.SwarmRaft)
        {
            int heartbeat = more.Next(10, 16);                       // 100–150 ms: at most 10 heartbeats/s
            int election = more.Next(Math.Max(25, 2 * heartbeat), 61); // 250–600 ms minimum timeout: leaders well within 5 s
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
        if (s.SwarmProposals) p = p with { Proposals = more.Next(1, 13) };
        if (s.Liveness)
        {
            // Two thirds of the schedules get labrpc's long reordering and two thirds its drops, half of those
            // for the whole phase: Figure8Unreliable's world after its last heal (unreliable + long reordering)
            // is then about a third of all schedules. Rates never exceed labrpc's.
            bool drops = more.Next(3) != 0;
            int reorder = more.Next(6) switch { 0 => 0, 1 => more.Next(1, 668), _ => 667 };
            int dropMs = !drops ? 0 : more.Next(2) == 0 ? int.MaxValue : more.Next(0, s.LivenessBoundMs);
            p = p with
            {
                Liveness = LivenessModel.Lab,
                LiveDelayMs = more.Next(1, 28),
                LiveReorderPerThousand = reorder,
                LiveDropPerThousand = drops ? 100 : 0,
                LiveDropMs = dropMs,
            };
        }
        return p;
    }

    /// <summary>Cluster sizes swarm testing draws from when --nodes is not given (3 half the time: 7-node schedules cost twice as much).</summary>
    public static readonly int[] SizeChoices = [3, 3, 5, 7];

    public string Describe()
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"nodes={Nodes} fault={FaultPerThousand}‰ timer={TimerPerThousand}‰ propose={ProposePerThousand}‰ snapshot={SnapshotPerThousand}‰ delay≤{MaxDelayMs}ms weights(crash={CrashWeight},partition={PartitionWeight},drop={DropWeight},dup={DuplicateWeight})");
        if (Raft is { } r) text += string.Create(CultureInfo.InvariantCulture, $" raft(election={r.ElectionTicks},heartbeat={r.HeartbeatTicks},entries/append={r.MaxEntriesPerAppend})");
        if (Proposals is { } n) text += string.Create(CultureInfo.InvariantCulture, $" proposals={n}");
        if (Liveness == LivenessModel.Lab)
            text += string.Create(CultureInfo.InvariantCulture, $" liveness(lab: delay<{LiveDelayMs}ms reorder={LiveReorderPerThousand}‰ drop={LiveDropPerThousand}‰ for {(LiveDropMs == int.MaxValue ? "ever" : LiveDropMs + "ms")})");
        return text;
    }
}
