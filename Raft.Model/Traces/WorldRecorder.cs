using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Exploration;

namespace Raft.Model.Traces;

/// <summary>
/// Event import: lets another engine (e.g. Microsoft Coyote's scheduler, through the Raft.Coyote
/// harness) drive the one <see cref="World"/> by naming the events it runs, and records every
/// step as a <see cref="TraceStep"/> exactly as <see cref="ScheduleRunner"/> would have (the
/// decision is the event's index in <see cref="World.ListEnabled"/>, then the data choices the
/// event asked for). <see cref="ToTrace"/> gives a trace that <c>raftverify replay</c> reproduces
/// and <c>raftverify shrink</c> shrinks. Nothing is parsed from display text: events are
/// <see cref="EnabledEvent"/> values.
/// </summary>
/// <remarks>
/// The settings are those of the world the engine drives. Like <see cref="ScheduleRunner"/>, the
/// fault phase ends at the first violation, when the workload is done (<see cref="Ended"/>), or at
/// the engine's own bound (<see cref="MaxSteps"/>: the swarm's, as the explorer's); <see cref="Finish"/>
/// then runs what the explorer runs after it (the clients' history check and, with
/// <see cref="ExploreSettings.Liveness"/>, the liveness phase), so the engine's world and check are
/// the explorer's. The trace records the fault phase's length as its step bound, so a replay runs
/// the recorded fault phase and then the same liveness phase.
/// </remarks>
public sealed class WorldRecorder : IDisposable
{
    private readonly List<EnabledEvent> _enabled = new();
    private readonly List<TraceStep> _steps = new();
    private readonly List<int> _decisions = new();
    private ScheduleResult? _result;

    public WorldRecorder(ExploreSettings settings, ulong scheduleSeed, int iteration = 0, SwarmParameters? swarm = null)
    {
        if (settings.Mode == WorldMode.Lab) throw new ArgumentException("the lab world is driven by its tester, not by imported events");
        Settings = settings;
        ScheduleSeed = scheduleSeed;
        Iteration = iteration;
        Swarm = swarm ?? SwarmParameters.Draw(settings, scheduleSeed);
        World = new World(settings.ToWorldOptions(Swarm, scheduleSeed)) { Recording = _steps };
    }

    /// <summary>The recording is over: the world's nodes release what they hold (the steps stay).</summary>
    public void Dispose() => World.Dispose();

    public ExploreSettings Settings { get; }
    public ulong ScheduleSeed { get; }
    public int Iteration { get; }
    public SwarmParameters Swarm { get; }
    public World World { get; }

    /// <summary>The fault phase's step bound: the explorer's for these settings and this swarm draw.</summary>
    public int MaxSteps => Swarm.MaxSteps(Settings);
    public IReadOnlyList<TraceStep> Steps => _steps;
    public Violation? Violation => World.Violation;

    /// <summary>The step at which <see cref="Violation"/> appeared, or -1.</summary>
    public int ViolationStep { get; private set; } = -1;

    /// <summary>True once a step broke an invariant or finished the workload (<see cref="World.WorkloadDone"/>): no further events are taken.</summary>
    public bool Ended { get; private set; }

    /// <summary>True when the run ended because the workload was done.</summary>
    public bool WorkloadDone { get; private set; }

    /// <summary>What may happen now, in the world's fixed order (a fresh list each call).</summary>
    public IReadOnlyList<EnabledEvent> Enabled()
    {
        World.ListEnabled(_enabled);
        return _enabled.ToArray();
    }

    /// <summary>The index of <paramref name="e"/> among the enabled events, or -1 if it is not enabled now.</summary>
    public int IndexOf(in EnabledEvent e)
    {
        World.ListEnabled(_enabled);
        for (int i = 0; i < _enabled.Count; i++) if (_enabled[i] == e) return i;
        return -1;
    }

    /// <summary>
    /// Runs <paramref name="e"/> if it is enabled (and the run has not ended), taking any data
    /// choice from <paramref name="choose"/>, and records the step. Returns false, doing nothing,
    /// otherwise. A node's exception is reported to the invariant checker as
    /// <see cref="ScheduleRunner"/> does.
    /// </summary>
    public bool TryRun(in EnabledEvent e, Func<int, int> choose)
    {
        if (Ended || _result is not null || _steps.Count >= MaxSteps) return false;
        int index = IndexOf(e);
        if (index < 0) return false;
        int step = _steps.Count;
        World.StepsRun = step;
        _decisions.Clear();
        _decisions.Add(index);
        World.RunStep(e, n =>
        {
            int v = choose(n);
            if (v < 0 || v >= n) throw new ArgumentOutOfRangeException(nameof(choose), $"a choice among {n} must be in [0, {n}) (got {v})");
            _decisions.Add(v);
            return v;
        }, _decisions);
        if (World.Violation is not null)
        {
            ViolationStep = step;
            Ended = true;
        }
        else if (World.WorkloadDone())
        {
            WorkloadDone = true;
            Ended = true;
        }
        return true;
    }

    /// <summary>The highest commit index of any up node.</summary>
    public long MaxCommitIndex()
    {
        long c = 0;
        for (int i = 0; i < World.Size; i++) if (World.Cluster.Node(i) is { } n) c = Math.Max(c, n.CommitIndex);
        return c;
    }

    /// <summary>The node that is leader of the highest term among up nodes, or -1.</summary>
    public int Leader()
    {
        int leader = -1;
        long term = -1;
        for (int i = 0; i < World.Size; i++)
            if (World.Cluster.Node(i) is { Role: Role.Leader } n && n.Term > term) { leader = i; term = n.Term; }
        return leader;
    }

    /// <summary>
    /// Ends the fault phase where it stands and runs what follows it in the explorer
    /// (<see cref="ScheduleRunner.FinishSchedule"/>); no further events are taken. Called again, it
    /// returns the same result.
    /// </summary>
    public ScheduleResult Finish()
    {
        if (_result is not null) return _result;
        int steps = _steps.Count;
        var result = new ScheduleResult
        {
            // replayed, the fault phase runs the recorded steps (the bound is their number) and then the same liveness phase
            Settings = Settings with { MaxSteps = Math.Max(1, steps), ClientStepScaling = false, Iterations = 1, Workers = 1 },
            Iteration = Iteration,
            Seed = ScheduleSeed,
            Swarm = Swarm,
            Steps = steps,
            HitStepBound = !Ended && steps >= MaxSteps,
            Violation = World.Violation,
            ViolationStep = ViolationStep,
            Trace = _steps,
        };
        _result = result;
        Ended = true;
        ScheduleRunner.FinishSchedule(World, result.Settings, Swarm, result);
        if (ViolationStep < 0 && result.Violation is not null) ViolationStep = result.ViolationStep;
        return result;
    }

    /// <summary>The recording as a trace (format "raftverify-trace"), after <see cref="Finish"/>: replayed, it runs the same steps and ends the same way.</summary>
    public TraceFile ToTrace() => TraceFile.From(Finish());
}
