using Raft.Model.Events;

namespace Raft.Model.Exploration.Strategies;

/// <summary>Uniform over the enabled system events (after the swarm-weighted fault and workload coins). Fair.</summary>
public sealed class RandomStrategy : StrategyBase
{
    public override string Name => "random";

    protected override int PickNormal(IReadOnlyList<EnabledEvent> enabled, int step) =>
        Uniform(enabled, e => e.Class == EventClass.Normal);
}
