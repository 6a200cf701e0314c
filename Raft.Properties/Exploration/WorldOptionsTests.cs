using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Network;
using Raft.Model.Simulation;
using Raft.Model.Variants;

namespace Raft.Properties.Exploration;

/// <summary>
/// The explorer's settings and a schedule's swarm draw become the world's own options in one place
/// (<see cref="ExploreSettings.ToWorldOptions"/>): the world itself knows no strategy, swarm
/// parameter or catalog name.
/// </summary>
public sealed class WorldOptionsTests
{
    [Fact]
    public void OnlyDfs_BoundsTheCandidatesTerm()
    {
        var s = new ExploreSettings { Strategy = "dfs", StrategyParameter = 3, Nodes = 3, Swarm = false };
        SwarmParameters p = SwarmParameters.Draw(s, 1);
        Assert.Equal(3, s.ToWorldOptions(p, 1).MaxCandidateTerm);
        Assert.Equal(0, (s with { Strategy = "pct" }).ToWorldOptions(p, 1).MaxCandidateTerm);
        Assert.Equal(0, (s with { Strategy = "random", StrategyParameter = 0 }).ToWorldOptions(p, 1).MaxCandidateTerm);
    }

    [Fact]
    public void TheSwarmDraw_DecidesTheFaultKinds_TheWorkload_AndTheCore()
    {
        var s = new ExploreSettings { Bug = "quorum-off-by-one", Mode = WorldMode.Timed };
        var p = new SwarmParameters(5, 100, 100, 100, 0, 17, CrashWeight: 1, PartitionWeight: 0, DropWeight: 2, DuplicateWeight: 0)
        {
            Proposals = 4,
            Raft = RaftOptions.Default with { ElectionTicks = 40 },
        };
        WorldOptions o = s.ToWorldOptions(p, 99);
        Assert.Equal(WorldMode.Timed, o.Mode);
        Assert.Equal(5, o.Nodes);
        Assert.Equal(99UL, o.Seed);
        Assert.Equal(FaultKinds.Crash | FaultKinds.Drop, o.FaultKinds);
        Assert.False(o.SnapshotSteps);
        Assert.Equal(4, o.Proposals);
        Assert.Equal(40, o.Raft.ElectionTicks);
        Assert.Equal(s.Faults, o.Faults);
        Assert.Equal(NetworkOptions.Timed(17), o.Network);
        Assert.Same(BugCatalog.FactoryFor("quorum-off-by-one"), o.Factory);
        Assert.Null(new ExploreSettings().ToWorldOptions(p, 1).Factory); // the correct core
    }

    [Fact]
    public void ALabRunsSettings_GiveBackItsWorld()
    {
        var lab = new WorldOptions
        {
            Nodes = 5,
            Seed = 12,
            SnapshotService = true,
            SnapshotInterval = 10,
            Network = new NetworkOptions { Reliable = false, LongReordering = true, LabrpcDelivery = true },
        };
        ExploreSettings s = ExploreSettings.ForLab(lab, "none");
        (s with { MaxSteps = 100 }).Validate(); // the lab suite sets MaxSteps to the steps it recorded
        WorldOptions back = s.ToWorldOptions(new SwarmParameters(5, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);
        Assert.Equal(lab, back);
    }
}
