using Raft.Model.Invariants;
using CoyoteMonitor = Microsoft.Coyote.Specifications.Monitor;

namespace Raft.Coyote;

/// <summary>A schedule's safety verdict: the first violation the world's own <see cref="InvariantChecker"/> saw (not a liveness one).</summary>
public sealed class SafetyViolated(Violation violation, string tracePath) : CoyoteMonitor.Event
{
    public Violation Violation { get; } = violation;
    public string TracePath { get; } = tracePath;
}

/// <summary>The fault phase is over: the liveness phase heals the world, and progress is owed from now on.</summary>
public sealed class FaultsStopped : CoyoteMonitor.Event;

/// <summary>The liveness phase's oracle (the tester's one()) reached agreement on every node: progress made.</summary>
public sealed class ProgressMade : CoyoteMonitor.Event;

/// <summary>The liveness phase's oracle gave up: the healed, stable world never made the progress it owed.</summary>
public sealed class ProgressFailed(Violation violation, string tracePath) : CoyoteMonitor.Event
{
    public Violation Violation { get; } = violation;
    public string TracePath { get; } = tracePath;
}

/// <summary>
/// Safety: the world checks every invariant after every step with its own
/// <see cref="InvariantChecker"/> (Raft.Model's; no invariant logic is copied here), and a
/// schedule ends at its first violation; the harness hands that violation to this monitor, which
/// asserts, so Coyote reports it as a bug (its text names the RaftVerify trace).
/// </summary>
public sealed class SafetyMonitor : CoyoteMonitor
{
    [Start]
    [OnEventDoAction(typeof(SafetyViolated), nameof(Fail))]
    private sealed class Watching : State;

    private void Fail(Event e)
    {
        var v = (SafetyViolated)e;
        Assert(false, $"SafetyMonitor: RaftVerify invariant {v.Violation.Invariant} violated: {v.Violation} (RaftVerify trace: {v.TracePath})");
    }
}

/// <summary>
/// Liveness: cold while faults may happen, hot from the end of the fault phase until the liveness
/// phase's oracle reaches agreement (cold again). If the oracle gives up, the monitor asserts in
/// its hot state. An iteration that ends while it is hot is a liveness bug to Coyote's fair
/// strategies as well (it cannot happen here: every schedule ends with the oracle's verdict).
/// </summary>
public sealed class LivenessMonitor : CoyoteMonitor
{
    [Start]
    [Cold]
    [OnEventGotoState(typeof(FaultsStopped), typeof(ProgressOwed))]
    private sealed class FaultsMayHappen : State;

    [Hot]
    [OnEventGotoState(typeof(ProgressMade), typeof(Done))]
    [OnEventDoAction(typeof(ProgressFailed), nameof(Fail))]
    private sealed class ProgressOwed : State;

    [Cold]
    private sealed class Done : State;

    private void Fail(Event e)
    {
        var f = (ProgressFailed)e;
        Assert(false, $"LivenessMonitor: progress owed since the faults stopped never came, RaftVerify invariant {f.Violation.Invariant} violated: {f.Violation} (RaftVerify trace: {f.TracePath})");
    }
}
