using Raft.Model.Events;

namespace Raft.Model.Exploration.Strategies;

/// <summary>The strategies `explore --strategy` accepts.</summary>
public static class StrategyCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["random", "pct", "delay-bounded", "guided", "dfs"];

    public static bool IsKnown(string name) => Names.Contains(name);

    /// <summary>A fresh strategy for one schedule (dfs is driven by <see cref="DfsExplorer"/> instead).</summary>
    public static IStrategy Create(string name, int parameter) => name switch
    {
        "random" => new RandomStrategy(),
        "pct" => new PctStrategy(parameter),
        "delay-bounded" => new DelayBoundingStrategy(parameter),
        "guided" => new Guided.GuidedStrategy(), // a schedule from scratch: the explorer plans guided schedules itself (Guided.Guide)
        _ => throw new ArgumentException($"strategy '{name}' is not a per-schedule strategy"),
    };
}
