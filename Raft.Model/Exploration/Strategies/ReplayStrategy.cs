using Raft.Model.Events;

namespace Raft.Model.Exploration.Strategies;

/// <summary>Thrown when a replayed schedule no longer fits the run (the core or the world changed).</summary>
public sealed class ReplayDivergence(int step, string message) : Exception(message)
{
    public int Step { get; } = step;
}

/// <summary>Feeds back the decisions recorded in a trace, checking each fits what is enabled now.</summary>
public sealed class ReplayStrategy : IStrategy, IControlSource
{
    private readonly IReadOnlyList<IReadOnlyList<int>> _steps;
    private readonly IReadOnlyList<WorldControl?>? _controls;
    private int _step = -1;
    private int _within;

    public ReplayStrategy(IReadOnlyList<IReadOnlyList<int>> decisionsPerStep, IReadOnlyList<WorldControl?>? controls = null)
    {
        _steps = decisionsPerStep;
        _controls = controls;
    }

    /// <summary>The recorded tester action at <paramref name="step"/>; never one of the liveness phase's (heal, stabilise, deadline, guard): the phase makes those itself.</summary>
    public WorldControl? ControlAt(int step) => RecordedControl(step) is { IsLiveness: false } c ? c : null;

    private WorldControl? RecordedControl(int step) => _controls is not null && step < _controls.Count ? _controls[step] : null;

    public string Name => "replay";

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) { }

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        _step = step;
        _within = 0;
        // a recording with no steps at all (a shrunk schedule whose violation lies in the liveness
        // phase alone) ended before its first step, as its scripted run did
        if (_steps.Count == 0) return -1;
        // likewise a fault phase that ended before the recorded liveness phase's heal (a fault phase of
        // 0 steps still has maxSteps 1, so the run asks for a step the recording gives to the heal)
        if (RecordedControl(step) is { IsLiveness: true }) return -1;
        return Next(enabled.Count, "events enabled");
    }

    public int Choose(int n) => Next(n, "options");

    private int Next(int n, string what)
    {
        if (_step >= _steps.Count) throw new ReplayDivergence(_step, $"the run continues past the {_steps.Count} recorded steps");
        IReadOnlyList<int> decisions = _steps[_step];
        if (_within >= decisions.Count) throw new ReplayDivergence(_step, $"step {_step} needs more decisions than the {decisions.Count} recorded");
        int value = decisions[_within++];
        if (value < 0 || value >= n) throw new ReplayDivergence(_step, $"step {_step} recorded choice {value}, but only {n} {what}");
        return value;
    }
}
