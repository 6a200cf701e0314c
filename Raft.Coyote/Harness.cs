using Raft.Core.Determinism;
using Microsoft.Coyote.Actors;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Traces;

namespace Raft.Coyote;

/// <summary>The two harnesses: one actor driving the world, or an actor per node (and one for the environment).</summary>
public enum CoyoteHarnessKind
{
    /// <summary>One actor runs the whole schedule; each step (its event and its data choices) is one Coyote <c>RandomInteger</c>.</summary>
    Serial,
    /// <summary>An actor per node and one for the environment (faults, proposals, clients): Coyote's scheduler orders their steps.</summary>
    PerNode,
}

/// <summary>What one Coyote test runs: the catalog variant, the harness, and (for tests) a pinned cluster size.</summary>
public sealed record CoyoteHarnessOptions
{
    /// <summary>The catalog variant ("none" for the correct core), as <c>raftverify bugs</c> lists it.</summary>
    public string Bug { get; init; } = "none";
    public CoyoteHarnessKind Harness { get; init; } = CoyoteHarnessKind.Serial;
    /// <summary>Cluster size; 0 (the default) lets the swarm draw it per schedule, as <c>raftverify explore</c> does.</summary>
    public int Nodes { get; init; }
    /// <summary>Whether each schedule ends with the liveness phase (the explorer's default; off only to measure the harness without it).</summary>
    public bool Liveness { get; init; } = true;
    /// <summary>Where a finding is written as a RaftVerify trace (null: the temp directory's raftverify-coyote).</summary>
    public string? TraceDirectory { get; init; }
    /// <summary>Called with each iteration's result (tests inspect the schedules Coyote ran).</summary>
    public Action<ScheduleResult>? OnSchedule { get; init; }

    /// <summary>
    /// The world and check: <c>raftverify explore</c>'s defaults (swarm testing, the default fault budget and
    /// step bound, the liveness phase), so both engines run the same world and the same checks.
    /// </summary>
    public ExploreSettings Settings() => new() { Bug = Bug, Nodes = Nodes, Liveness = Liveness, Workers = 1, Iterations = 1 };
}

/// <summary>A violation Coyote's engine drove the world into, and where its RaftVerify trace was written.</summary>
public sealed record CoyoteFinding(string Invariant, string Violation, int Step, string TracePath);

/// <summary>The per-node harness's draws: every draw a RaftVerify strategy makes, as its own Coyote controlled choice (so Coyote's strategy decides it and its trace replays it); the serial harness makes one choice per step instead (<see cref="CoyoteStepDraws"/>).</summary>
/// <remarks>
/// Every choice is among at most <see cref="Digit"/> values: Coyote's q-learning keeps a value per
/// possible answer and state, so a draw among 1000 would cost it 1000 entries (and 1000
/// exponentials per choice). A larger draw is made of base-<see cref="Digit"/> digits (rejecting
/// the rare value out of range); a coin of p per thousand is a draw among 1024 compared with
/// p·1024/1000, and its second digit is drawn only when the first does not decide it (1 time in 32).
/// </remarks>
public sealed class CoyoteDraws(Func<int, int> randomInteger) : IChoiceSource
{
    public const int Digit = 32;

    public int Draw(int n)
    {
        if (n <= 1) return 0;
        if (n <= Digit) return randomInteger(n);
        while (true)
        {
            long v = 0;
            for (long span = 1; span < n; span *= Digit) v = v * Digit + randomInteger(Digit);
            if (v < n) return (int)v;
        }
    }

    public bool Coin(int perThousand)
    {
        if (perThousand <= 0) return false;
        if (perThousand >= 1000) return true;
        int threshold = (perThousand * Digit * Digit + 500) / 1000; // true iff a draw in [0, 1024) is below it
        int high = randomInteger(Digit);
        if (high != threshold / Digit) return high < threshold / Digit;
        return randomInteger(Digit) < threshold % Digit;
    }

    /// <summary>Our random strategy (its swarm-weighted fault, workload and timer coins, then uniform) with every draw taken from <paramref name="draws"/>.</summary>
    public static RandomStrategy Strategy(IChoiceSource draws, int maxSteps, SwarmParameters swarm)
    {
        var s = new RandomStrategy();
        s.DrawFrom(draws);
        s.Begin(0, maxSteps, swarm);
        return s;
    }

    /// <summary>A schedule seed from Coyote's choices (four bytes), so the swarm draw, too, is Coyote's and its trace replays it.</summary>
    public static ulong Seed(Func<int, int> randomInteger)
    {
        ulong seed = 0;
        for (int i = 0; i < 4; i++) seed = seed << 8 | (uint)randomInteger(256);
        return seed;
    }
}

/// <summary>
/// The serial harness's draws: one Coyote controlled choice per step, among <see cref="Answers"/>
/// values, and every draw of that step (the event's pick, then its data choices) from a generator
/// seeded by the schedule seed, the step's number and that answer.
/// </summary>
/// <remarks>
/// A step of the explorer's random strategy makes about seven draws (the fault, workload and timer
/// coins, the pick, a partition's shape); as controlled choices they cost Coyote's scheduler most of
/// an iteration's time. One choice per step keeps every event Coyote's to decide and to replay (the
/// same answers give the same schedule), and keeps <c>random</c>'s distribution: a uniform answer
/// among the <see cref="Answers"/> seeds a step has gives each outcome the random strategy's
/// probability, over the schedule seeds (also Coyote's choice). Few answers, because q-learning keeps
/// a value per answer and state and pays for each at every choice: with 4 it runs 882 iterations/s
/// where 8 gave 760 and 32 gave 648 (docs/coyote.md); <c>random</c> runs at the same speed with any.
/// </remarks>
public sealed class CoyoteStepDraws(Func<int, int> randomInteger, ulong scheduleSeed) : IChoiceSource
{
    public const int Answers = 4;
    private Rng _rng = new(Rng.Derive(scheduleSeed, 0));
    private ulong _step;

    public void StepBegins()
    {
        int answer = randomInteger(Answers);
        _rng = new Rng(Rng.Derive(Rng.Derive(scheduleSeed, ++_step), (ulong)answer));
    }

    public int Draw(int n) => n <= 1 ? 0 : _rng.Next(n);

    public bool Coin(int perThousand) => _rng.Next(1000) < perThousand;
}

/// <summary>Starts an actor of a harness with its iteration's state (and, for a node's actor, the node).</summary>
public sealed class Setup(IterationState state, int node = -1) : Event
{
    public IterationState State { get; } = state;
    public int Node { get; } = node;
}

/// <summary>One Coyote iteration: the options, the schedule seed Coyote chose, and how the schedule's outcome is reported.</summary>
public sealed class IterationState(CoyoteHarnessOptions options, ulong seed, int iteration, Action<CoyoteFinding> onFinding)
{
    public CoyoteHarnessOptions Options { get; } = options;
    public ExploreSettings Settings { get; } = options.Settings();
    public ulong Seed { get; } = seed;
    public int Iteration { get; } = iteration;
    public Action<CoyoteFinding> OnFinding { get; } = onFinding;

    /// <summary>The world while the schedule runs (null before and after): what <see cref="HarnessActor.HashedState"/> reads.</summary>
    public World? World { get; set; }

    /// <summary>The world's abstract state after its last step, when the runner reports it (the serial harness): <see cref="HarnessActor.HashedState"/> reads it instead of computing it.</summary>
    public ulong? AbstractState { get; set; }

    /// <summary>Writes the schedule as a RaftVerify trace (at a violation) and returns its path.</summary>
    public string WriteFinding(ScheduleResult r)
    {
        string directory = Options.TraceDirectory ?? Path.Combine(Path.GetTempPath(), "raftverify-coyote");
        Directory.CreateDirectory(directory);
        string harness = Options.Harness == CoyoteHarnessKind.Serial ? "serial" : "per-node";
        string path = Path.Combine(directory, $"coyote-{harness}-{Options.Bug}-{r.Swarm.Nodes}n-{Guid.NewGuid():N}.trace.jsonl");
        TraceWriter.Write(TraceFile.From(r), path);
        Violation v = r.Violation!;
        OnFinding(new CoyoteFinding(v.Invariant.ToString(), v.ToString(), r.ViolationStep, path));
        return path;
    }
}

/// <summary>What every actor of the harnesses shares: its iteration's state, the world it reads for Coyote's q-learning, and how a schedule's outcome reaches the monitors.</summary>
public abstract class HarnessActor : Actor
{
    protected IterationState H { get; private set; } = null!;
    protected int Node { get; private set; }

    protected override Task OnInitializeAsync(Event initialEvent)
    {
        var setup = (Setup)initialEvent;
        H = setup.State;
        Node = setup.Node;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The program state Coyote's q-learning sees: the world's abstract state (roles, relative terms,
    /// log relations, leader: the explorer's coverage abstraction, Raft.Model's <see cref="AbstractState"/>).
    /// </summary>
    protected override int HashedState
    {
        get
        {
            if (H?.World is not { } w) return 0;
            if (H.AbstractState is { } known) return (int)known;
            if (!ReferenceEquals(w, _hashedWorld) || w.StepsRun != _hashedStep)
            {
                _hashedWorld = w;
                _hashedStep = w.StepsRun;
                _hash = (int)AbstractState.Of(w);
            }
            return _hash;
        }
    }

    // the abstract state is computed once per world step (q-learning asks at every choice)
    private World? _hashedWorld;
    private int _hashedStep = -1, _hash;

    /// <summary>
    /// The schedule is over (fault phase, clients' history check and liveness phase, as the explorer
    /// runs them): a violation is written as a RaftVerify trace, then the monitors get the verdict
    /// (Coyote reports an assertion as a bug, and stops the iteration).
    /// </summary>
    protected void Conclude(ScheduleResult r)
    {
        H.World = null;
        H.AbstractState = null;
        H.Options.OnSchedule?.Invoke(r);
        string? trace = r.Violation is null ? null : H.WriteFinding(r);
        bool inFaultPhase = r.Violation is not null && r.ViolationStep < r.Steps;
        if (!inFaultPhase) Monitor<LivenessMonitor>(new FaultsStopped());
        if (r.Violation is { Invariant: Invariant.Liveness } live) Monitor<LivenessMonitor>(new ProgressFailed(live, trace!));
        else if (r.Violation is { } v) Monitor<SafetyMonitor>(new SafetyViolated(v, trace!));
        else Monitor<LivenessMonitor>(new ProgressMade());
    }
}

/// <summary>Registers the monitors and starts one iteration of the chosen harness.</summary>
public static class RaftCoyoteTest
{
    private static int _iterations;

    public static void Start(IActorRuntime runtime, CoyoteHarnessOptions options, Action<CoyoteFinding> onFinding)
    {
        runtime.RegisterMonitor<SafetyMonitor>();
        runtime.RegisterMonitor<LivenessMonitor>();
        var state = new IterationState(options, CoyoteDraws.Seed(runtime.RandomInteger), Interlocked.Increment(ref _iterations) - 1, onFinding);
        if (options.Harness == CoyoteHarnessKind.Serial) runtime.CreateActor(typeof(WorldDriver), new Setup(state));
        else NodeHarness.Start(runtime, state);
    }
}
