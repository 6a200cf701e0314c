using System.Diagnostics;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Traces;

namespace Raft.Model.Shrinking;

/// <summary>What a shrink produced.</summary>
public sealed record ShrinkReport(TraceFile Shrunk, int OriginalSteps, int ShrunkSteps, int OriginalNodes, int ShrunkNodes, int Runs, double Seconds);

/// <summary>
/// Shrinks a failing schedule to the few steps that matter while keeping the same violated
/// invariant: whole faults out first (every crash and restart of a node, every partition and
/// heal, every drop, every duplicate), then fewer nodes where the schedule allows, then delta
/// debugging (ddmin, Zeller and Hildebrandt 2002) over the remaining steps down to a 1-minimal
/// schedule. Candidates are run for real, so the result is a valid trace that replay reproduces.
/// </summary>
public static class Shrinker
{
    public static ShrinkReport Shrink(TraceFile trace, Action<string>? log = null)
    {
        Violation target = trace.Outcome.Violation ?? throw new ArgumentException("the trace has no violation to keep: nothing to shrink");
        var clock = Stopwatch.StartNew();
        int runs = 0;
        int nodes = trace.Swarm.Nodes;
        List<ScriptedEvent> events = trace.Steps.Select(ScriptedEvent.From).ToList();

        bool Fails(List<ScriptedEvent> candidate, int n)
        {
            runs++;
            return Run(trace, candidate, n, record: false)?.Violation?.Invariant == target.Invariant;
        }

        if (!Fails(events, nodes))
            throw new InvalidOperationException($"the trace does not reproduce {target.Invariant} when re-run from its events; replay it to see how it diverges");

        int before;
        do
        {
            before = events.Count + 1000 * nodes;
            // 1. whole faults
            foreach (Func<ScriptedEvent, bool> fault in FaultGroups(nodes))
            {
                var without = events.Where(e => !fault(e)).ToList();
                if (without.Count < events.Count && Fails(without, nodes)) events = without;
            }
            // 2. fewer nodes: drop the highest-numbered node and everything that concerns it
            while (nodes > 1)
            {
                int gone = nodes - 1;
                var without = events.Where(e => !e.Touches(gone)).ToList();
                if (!Fails(without, nodes - 1)) break;
                events = without;
                nodes--;
            }
            // 3. ddmin over the steps (the last round leaves the schedule 1-minimal)
            events = DeltaDebug(events, c => Fails(c, nodes));
            // 4. the run may have skipped events that were no longer enabled: keep only what ran
            ScheduleResult? ran = Run(trace, events, nodes, record: true);
            if (ran?.Trace is { } taken && ran.Violation?.Invariant == target.Invariant)
                events = taken.Select(ScriptedEvent.From).ToList();
        }
        while (events.Count + 1000 * nodes < before);
        log?.Invoke($"{runs} runs");

        // record the result, then fix its length and re-run it as replay would
        ScheduleResult found = Run(trace, events, nodes, record: true)!;
        TraceFile shrunk = Finalise(trace, found, nodes);
        return new ShrinkReport(shrunk, trace.Steps.Count, shrunk.Steps.Count, trace.Swarm.Nodes, nodes, runs, clock.Elapsed.TotalSeconds);
    }

    private static IEnumerable<Func<ScriptedEvent, bool>> FaultGroups(int nodes)
    {
        for (int n = 0; n < nodes; n++)
        {
            int node = n;
            yield return e => (e.Kind is "crash" or "restart") && e.Node == node;
        }
        yield return e => e.Kind is "partition" or "heal" or "connect" or "disconnect";
        yield return e => e.Kind == "drop";
        yield return e => e.Kind == "duplicate";
        yield return e => e.Kind == "snapshot";
    }

    /// <summary>ddmin: remove ever smaller chunks while the failure persists; ends 1-minimal.</summary>
    private static List<ScriptedEvent> DeltaDebug(List<ScriptedEvent> events, Func<List<ScriptedEvent>, bool> fails)
    {
        int granularity = 2;
        while (events.Count >= 2)
        {
            int chunk = (int)Math.Ceiling(events.Count / (double)granularity);
            bool reduced = false;
            for (int start = 0; start < events.Count; start += chunk)
            {
                var complement = new List<ScriptedEvent>(events.Count);
                for (int i = 0; i < events.Count; i++) if (i < start || i >= start + chunk) complement.Add(events[i]);
                if (!fails(complement)) continue;
                events = complement;
                granularity = Math.Max(granularity - 1, 2);
                reduced = true;
                break;
            }
            if (reduced) continue;
            if (granularity >= events.Count) break;
            granularity = Math.Min(granularity * 2, events.Count);
        }
        return events;
    }

    /// <summary>
    /// Runs a trace's events (by what they do, not by index) against another variant of the core,
    /// e.g. the correct one: events that are not enabled there are skipped. Returns the run and how
    /// many events ran.
    /// </summary>
    public static (ScheduleResult Run, int EventsRun) RunEventsOn(TraceFile trace, string bug)
    {
        var events = trace.Steps.Select(ScriptedEvent.From).ToList();
        TraceFile other = new()
        {
            Settings = trace.Settings with { Bug = bug },
            Iteration = trace.Iteration, ScheduleSeed = trace.ScheduleSeed, Swarm = trace.Swarm, Steps = trace.Steps, Outcome = trace.Outcome,
        };
        ScheduleResult run = Run(other, events, trace.Swarm.Nodes, record: true)!;
        return (run, run.Trace!.Count);
    }

    private static ExploreSettings SettingsFor(TraceFile trace, List<ScriptedEvent> events, int nodes, int maxSteps) => trace.Settings with
    {
        Nodes = nodes,
        MaxSteps = Math.Max(1, maxSteps),
        Proposals = events.Count(e => e.Kind == "propose"),
        Faults = new FaultBudget(
            events.Count(e => e.Kind == "crash"), events.Count(e => e.Kind == "partition"),
            events.Count(e => e.Kind == "drop"), events.Count(e => e.Kind == "duplicate")),
        Workers = 1,
    };

    private static ScheduleResult? Run(TraceFile trace, List<ScriptedEvent> events, int nodes, bool record)
    {
        // an empty script is a schedule too: the violation may lie in the liveness phase alone
        var strategy = new ScriptedStrategy(events);
        ExploreSettings settings = SettingsFor(trace, events, nodes, events.Count);
        SwarmParameters swarm = trace.Swarm with { Nodes = nodes, Proposals = null }; // the script's own proposals count (SettingsFor), not the drawn workload
        return ScheduleRunner.Run(settings, trace.Iteration, trace.ScheduleSeed, strategy, record, swarm, onWorld: w => strategy.World = w);
    }

    /// <summary>Sets maxSteps to the steps actually taken and re-runs the decisions as replay will, so the file replays exactly.</summary>
    private static TraceFile Finalise(TraceFile original, ScheduleResult found, int nodes)
    {
        List<TraceStep> steps = found.Trace!;
        var events = steps.Select(ScriptedEvent.From).ToList();
        ExploreSettings settings = SettingsFor(original, events, nodes, steps.Count) with { Strategy = original.Settings.Strategy };
        var replay = new ReplayStrategy(steps.Select(s => (IReadOnlyList<int>)s.Decisions).ToList(), steps.Select(s => s.Control).ToList());
        ScheduleResult final = ScheduleRunner.Run(settings, original.Iteration, original.ScheduleSeed, replay, record: true, found.Swarm);
        if (final.Violation?.Invariant != original.Outcome.Violation!.Invariant)
            throw new InvalidOperationException("the shrunk schedule did not reproduce its violation when re-run as a trace");
        return TraceFile.From(final);
    }
}
