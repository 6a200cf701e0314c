using Raft.Model.Exploration;
using Raft.Core.Node;
using Raft.Model.Network;

namespace Raft.Model.Simulation;

/// <summary>Everything that shapes a simulated run. Together with the seed it determines the run exactly.</summary>
public sealed record WorldOptions
{
    public int Nodes { get; init; } = 3;
    public ulong Seed { get; init; }
    public RaftOptions Raft { get; init; } = RaftOptions.Default;

    /// <summary>Virtual milliseconds per core tick (10 ms: heartbeats every 100 ms with the default options).</summary>
    public int TickMs { get; init; } = 10;

    public NetworkOptions Network { get; init; } = new();

    /// <summary>The lab's snapshot applier (2D): the service snapshots every <see cref="SnapshotInterval"/> entries.</summary>
    public bool SnapshotService { get; init; }
    public int SnapshotInterval { get; init; } = 10;

    public bool CheckInvariants { get; init; } = true;

    /// <summary>A catalog variant of the core to run instead of the correct one ("none").</summary>
    public string Bug { get; init; } = "none";

    public void Validate()
    {
        if (Nodes < 1 || Nodes > 64) throw new ArgumentException($"a cluster needs 1 to 64 nodes (got {Nodes})");
        if (TickMs < 1) throw new ArgumentException($"TickMs must be at least 1 (got {TickMs})");
        if (SnapshotInterval < 1) throw new ArgumentException($"SnapshotInterval must be at least 1 (got {SnapshotInterval})");
        Raft.Validate();
    }
}
