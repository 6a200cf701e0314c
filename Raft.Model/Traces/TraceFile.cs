using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Contract;

namespace Raft.Model.Traces;

/// <summary>What a recorded schedule ended with. <paramref name="ViolationStep"/> is the step (from 0) the violation names:
/// a recorded step, or the number of recorded steps for a violation in the liveness phase after them.</summary>
/// <param name="Tester">A lab run's failed tester check (e.g. "one(...) failed to reach agreement"), if that is how it ended.</param>
public sealed record TraceOutcome(Violation? Violation, int ViolationStep, string? Liveness, string? Tester = null)
{
    public bool IsViolation => Violation is not null;
}

/// <summary>
/// A recorded schedule (format "raftverify-trace", version 5 (4 without clients); see docs/trace-format.md): the
/// settings and seed that produced it, every step as typed records (decisions, event, outcome,
/// node states, messages sent), and the outcome.
/// </summary>
public sealed class TraceFile
{
    public const string FormatName = "raftverify-trace";
    public const int FormatVersion = 5;

    /// <summary>
    /// The version a trace is written with: 5 when it has key-value clients (the swarm's <c>clients</c>,
    /// the client send and reply steps and their <c>request</c>) or is a Lab 3 run (the lab's <c>kv</c>
    /// object, the clerks' steps and controls), else 4, so a trace without clients is byte for byte
    /// what it was before clients existed.
    /// </summary>
    public static int VersionOf(TraceFile t) => t.Swarm.Clients > 0 || t.Settings.Lab is { KvServers: true } ? 5 : 4;

    /// <summary>
    /// The oldest version this reader replays. Version 4 adds asynchronous Ready handling (the
    /// persist, send, apply and retake steps and their outcomes, the header's and swarm's
    /// <c>asyncReady</c>) and pooled entry arrays (<c>entryArrayPool</c>); version 3 records the
    /// liveness phase's steps and its stable-network model. Traces of earlier versions were written
    /// by worlds that drew and ran differently: re-record them (scripts/build-corpus.sh rebuilds traces/).
    /// </summary>
    public const int OldestReadableVersion = 4;

    /// <summary>
    /// The traces' "tool" field: "raftverify" and the version Directory.Build.props sets (the one
    /// version source; <c>raftverify --version</c> prints the same number).
    /// </summary>
    public static readonly string ToolVersion = "raftverify " + Version;

    /// <summary>The suite's version, as Directory.Build.props sets it (this assembly's informational version, without a "+commit" suffix).</summary>
    public static string Version =>
        (typeof(TraceFile).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    public required ExploreSettings Settings { get; init; }
    public required int Iteration { get; init; }
    public required ulong ScheduleSeed { get; init; }
    public required SwarmParameters Swarm { get; init; }
    public required IReadOnlyList<TraceStep> Steps { get; init; }
    public required TraceOutcome Outcome { get; init; }

    /// <summary>The steps of the fault phase: those before the liveness phase's heal (all steps when there is none).</summary>
    public int FaultSteps
    {
        get
        {
            for (int i = 0; i < Steps.Count; i++) if (Steps[i].Control?.Op == Events.ControlOp.Heal) return i;
            return Steps.Count;
        }
    }

    /// <summary>The same trace run on nodes built by <paramref name="factory"/> (another implementation of the node contract).</summary>
    public TraceFile WithFactory(NodeFactory factory) => With(Settings with { Factory = factory }, Swarm);

    /// <summary>The same trace run on an implementation loaded from <paramref name="source"/> (<see cref="NodeLoader"/>).</summary>
    public TraceFile WithFactory(NodeFactory factory, NodeSource source) => With(Settings with { Factory = factory, Node = source }, Swarm);

    /// <summary>The same trace with other swarm parameters (the shrinker tries gentler liveness phases).</summary>
    public TraceFile WithSwarm(SwarmParameters swarm) => With(Settings, swarm);

    private TraceFile With(ExploreSettings settings, SwarmParameters swarm) => new()
    {
        Settings = settings,
        Iteration = Iteration,
        ScheduleSeed = ScheduleSeed,
        Swarm = swarm,
        Steps = Steps,
        Outcome = Outcome,
    };

    public static TraceFile From(ScheduleResult r) => new()
    {
        Settings = r.Settings,
        Iteration = r.Iteration,
        ScheduleSeed = r.Seed,
        Swarm = r.Swarm,
        Steps = r.Trace ?? throw new ArgumentException("the schedule was not recorded"),
        Outcome = new TraceOutcome(r.Violation, r.ViolationStep, r.LivenessSummary),
    };
}

/// <summary>A trace file that cannot be read: the message names the file, the line and what is wrong.</summary>
public sealed class TraceFormatException(string message) : Exception(message);
