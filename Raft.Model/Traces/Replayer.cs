using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;

namespace Raft.Model.Traces;

public enum ReplayStatus
{
    /// <summary>The recorded violation happened again, at the same step.</summary>
    Reproduced,
    /// <summary>The run followed the recording and found no violation (nor did the recording).</summary>
    Passed,
    /// <summary>The run no longer follows the recording.</summary>
    Diverged,
}

public sealed record ReplayReport(ReplayStatus Status, ScheduleResult? Run, int DivergedAtStep, string? Divergence);

/// <summary>
/// Re-runs a trace: the same settings, seed and swarm parameters, with every decision taken from
/// the recording. Each step must agree with the recorded one field by field (event kind, node,
/// time, message id, type, ends, term and index, decisions, outcome, every node's state, the
/// messages sent); the first differing field is reported as a divergence (the core or the world
/// changed since the trace was written). Display text plays no part.
/// </summary>
public static class Replayer
{
    public static ReplayReport Replay(TraceFile trace, Action<TraceStep, TraceStep?>? onStep = null)
    {
        var strategy = new ReplayStrategy(trace.Steps.Select(s => (IReadOnlyList<int>)s.Decisions).ToList(), trace.Steps.Select(s => s.Control).ToList());
        string? Check(TraceStep actual)
        {
            TraceStep? expected = actual.Step < trace.Steps.Count ? trace.Steps[actual.Step] : null;
            onStep?.Invoke(actual, expected);
            if (expected is null) return $"the run continues past the {trace.Steps.Count} recorded steps";
            return StepDiff.First(expected, actual) is { } field
                ? $"step {actual.Step} ({EventText.Event(expected.Event)}): {field}"
                : null;
        }

        ScheduleResult run;
        try
        {
            run = ScheduleRunner.Run(trace.Settings with { Workers = 1 }, trace.Iteration, trace.ScheduleSeed, strategy, record: true, trace.Swarm, Check);
        }
        catch (ReplayDivergence d)
        {
            return new ReplayReport(ReplayStatus.Diverged, null, d.Step, d.Message);
        }
        if (run.Trace!.Count != trace.Steps.Count)
            return new ReplayReport(ReplayStatus.Diverged, run, run.Trace.Count,
                $"the recording has {trace.Steps.Count} steps but the run ended after {run.Trace.Count}"
                + (run.Violation is { } v ? $" ({v.Invariant} at step {run.ViolationStep})" : ""));

        TraceOutcome recorded = trace.Outcome;
        if (recorded.Violation is { } rv)
        {
            if (run.Violation is { } v && v.Invariant == rv.Invariant && run.ViolationStep == recorded.ViolationStep)
                return new ReplayReport(ReplayStatus.Reproduced, run, -1, null);
            return new ReplayReport(ReplayStatus.Diverged, run, trace.Steps.Count,
                $"the recording ends in {rv.Invariant} at step {recorded.ViolationStep}, but the run ends in {(run.Violation is { } x ? $"{x.Invariant} at step {run.ViolationStep}" : "no violation")}");
        }
        if (recorded.Tester is not null && run.Violation is null)
            return new ReplayReport(ReplayStatus.Reproduced, run, -1, null); // every step as recorded, up to the tester's failed check
        if (run.Violation is { } unexpected)
            return new ReplayReport(ReplayStatus.Diverged, run, run.ViolationStep, $"the recording passed, but the run found {unexpected}");
        return new ReplayReport(ReplayStatus.Passed, run, -1, null);
    }
}
