using System.Globalization;
using Raft.Core.Determinism;

namespace Raft.Model.Exploration;

/// <summary>
/// The fault parameters of one schedule. With swarm testing each schedule draws its own from its
/// seed (as TigerBeetle's VOPR does), so one run covers gentle and brutal worlds alike: some
/// schedules never crash anything, some drop a third of all messages.
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
    /// <summary>Draws the parameters of one schedule (or fixed middling ones without swarm).</summary>
    public static SwarmParameters Draw(ExploreSettings s, ulong iterationSeed)
    {
        var rng = new Rng(Rng.Derive(iterationSeed, 77));
        int nodes = s.Nodes != 0 ? s.Nodes : (rng.Next(2) == 0 ? 3 : 5);
        if (!s.Swarm) return new SwarmParameters(nodes, 100, 100, 100, 20, 20, 1, 1, 1, 1);
        return new SwarmParameters(
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
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"nodes={Nodes} fault={FaultPerThousand}‰ timer={TimerPerThousand}‰ propose={ProposePerThousand}‰ snapshot={SnapshotPerThousand}‰ delay≤{MaxDelayMs}ms weights(crash={CrashWeight},partition={PartitionWeight},drop={DropWeight},dup={DuplicateWeight})");
}
