using Raft.Model.Events;

namespace Raft.Model.Exploration.Strategies;

/// <summary>
/// Decides a schedule: at each step which enabled event runs (<see cref="Pick"/>), and any data
/// choice an event needs (<see cref="Choose"/>, e.g. a partition's shape). A strategy is seeded
/// per schedule and must be deterministic: same seed, same enabled lists, same answers.
/// </summary>
public interface IStrategy
{
    string Name { get; }

    void Begin(ulong seed, int maxSteps, SwarmParameters swarm);

    /// <summary>Index into <paramref name="enabled"/> (never empty); a scripted strategy may return -1 to end the schedule.</summary>
    int Pick(IReadOnlyList<EnabledEvent> enabled, int step);

    /// <summary>A value in [0, n).</summary>
    int Choose(int n);
}

/// <summary>
/// A strategy that replays recorded tester actions (a lab trace's control steps): at such a step
/// the runner executes the control instead of choosing among the enabled events.
/// </summary>
public interface IControlSource
{
    WorldControl? ControlAt(int step);
}
