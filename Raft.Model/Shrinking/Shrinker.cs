using System.Diagnostics;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Traces;

namespace Raft.Model.Shrinking;

/// <summary>What a shrink produced.</summary>
/// <param name="CutByBudget">The wall-clock budget ran out before the shrink finished: <see cref="Shrunk"/> is the smallest failing schedule found by then (valid, but not necessarily 1-minimal, and it depends on the machine's speed).</param>
/// <param name="OriginalSteps">Every step of the original trace, the liveness phase's included (<see cref="ShrunkSteps"/> likewise).</param>
/// <param name="ShrunkFaultSteps">The shrunk trace's fault-phase steps: the schedule the shrinker chose; the liveness phase's steps follow from them.</param>
public sealed record ShrinkReport(TraceFile Shrunk, int OriginalSteps, int ShrunkSteps, int OriginalNodes, int ShrunkNodes, int Runs, double Seconds, bool CutByBudget = false, int OriginalFaultSteps = 0, int ShrunkFaultSteps = 0);

/// <summary>
/// Shrinks a failing schedule to the few steps that matter while keeping the same violated
/// invariant: whole faults out first (every crash and restart of a node, every partition and
/// heal, every drop, every duplicate), then fewer nodes where the schedule allows, then delta
/// debugging (ddmin, Zeller and Hildebrandt 2002) over the remaining steps down to a 1-minimal
/// schedule. Candidates are run for real, so the result is a valid trace that replay reproduces.
/// </summary>
public static class Shrinker
{
    /// <summary>The default wall-clock budget of a shrink (raftverify shrink --time-limit).</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Whether <paramref name="found"/> is the same violation as <paramref name="target"/>: the same
    /// invariant and, for a safety invariant, the same set of nodes. The index and term are not
    /// compared: removing an earlier proposal or election shifts every later index and term, so
    /// demanding them would stop ddmin at almost every step, while the invariant and the nodes
    /// it names are stable under removal (node ids are never renumbered: only the highest node is
    /// ever removed, and never one the violation names). A liveness failure names the nodes that
    /// missed the probe, which depends on the leader the healed world happens to elect, so only
    /// its invariant is compared.
    /// </summary>
    public static bool SameViolation(Violation target, Violation? found)
    {
        if (found is null || found.Invariant != target.Invariant) return false;
        if (target.Invariant == Invariant.Liveness) return true;
        return found.Nodes.Distinct().Order().SequenceEqual(target.Nodes.Distinct().Order());
    }

    public static ShrinkReport Shrink(TraceFile trace, Action<string>? log = null, TimeSpan? budget = null)
    {
        TraceFile original = trace;
        Violation target = trace.Outcome.Violation ?? throw new ArgumentException("the trace has no violation to keep: nothing to shrink");
        var clock = Stopwatch.StartNew();
        TimeSpan limit = budget ?? DefaultBudget;
        bool cut = false;
        bool OutOfTime()
        {
            if (!cut && clock.Elapsed > limit) cut = true;
            return cut;
        }
        int runs = 0;
        int nodes = trace.Swarm.Nodes;
        int highestNamed = target.Nodes.Length == 0 ? -1 : target.Nodes.Max();
        // the fault phase's steps are the script; the liveness phase runs again on its own (its steps are observations, not choices)
        List<ScriptedEvent> events = trace.Steps.Take(trace.FaultSteps).Select(ScriptedEvent.From).ToList();

        bool Fails(List<ScriptedEvent> candidate, int n)
        {
            if (OutOfTime()) return false; // every accepted candidate so far is a failing schedule: keep the best one
            runs++;
            return SameViolation(target, TryRun(trace, candidate, n, record: false)?.Violation);
        }

        runs++;
        if (!SameViolation(target, TryRun(trace, events, nodes, record: false)?.Violation))
            throw new InvalidOperationException($"the trace does not reproduce {target.Invariant} (nodes {string.Join(",", target.Nodes)}) when re-run from its events; replay it to see how it diverges");

        int before;
        do
        {
            before = events.Count + 1000 * nodes;
            // 1. whole faults
            foreach (Func<ScriptedEvent, bool> fault in FaultGroups(nodes))
            {
                if (OutOfTime()) break;
                var without = events.Where(e => !fault(e)).ToList();
                if (without.Count < events.Count && Fails(without, nodes)) events = without;
            }
            // 2. fewer nodes: drop the highest-numbered node and everything that concerns it (never a node the violation names)
            while (nodes > 1 && nodes - 1 > highestNamed && !OutOfTime())
            {
                int gone = nodes - 1;
                var without = events.Where(e => !e.Touches(gone)).ToList();
                if (!Fails(without, nodes - 1)) break;
                events = without;
                nodes--;
            }
            // 3. a gentler liveness phase: the adversary's network settles at once, then loses and holds back nothing
            if (trace.Settings.Liveness)
            {
                foreach (Func<SwarmParameters, SwarmParameters> gentler in Gentler)
                {
                    if (OutOfTime()) break;
                    SwarmParameters g = gentler(trace.Swarm);
                    if (g == trace.Swarm) continue;
                    TraceFile candidate = trace.WithSwarm(g);
                    runs++;
                    if (SameViolation(target, TryRun(candidate, events, nodes, record: false)?.Violation)) trace = candidate;
                }
            }
            // 4. ddmin over the steps (the last round leaves the schedule 1-minimal)
            events = DeltaDebug(events, c => Fails(c, nodes), OutOfTime);
            // 5. the run may have skipped events that were no longer enabled: keep only what ran
            ScheduleResult? ran = TryRun(trace, events, nodes, record: true);
            if (ran?.Trace is { } taken && SameViolation(target, ran.Violation))
                events = taken.Take(ran.Steps).Select(ScriptedEvent.From).ToList();
        }
        while (events.Count + 1000 * nodes < before && !OutOfTime());
        log?.Invoke($"{runs} runs{(cut ? " (cut by the time budget)" : "")}");

        // record the result, then fix its length and re-run it as replay would
        ScheduleResult found = TryRun(trace, events, nodes, record: true)
            ?? throw new InvalidOperationException("the shrunk schedule could not be re-run");
        TraceFile shrunk = Finalise(trace, found, nodes, target);
        return new ShrinkReport(shrunk, original.Steps.Count, shrunk.Steps.Count, original.Swarm.Nodes, nodes, runs, clock.Elapsed.TotalSeconds, cut,
            original.FaultSteps, shrunk.FaultSteps);
    }

    /// <summary>Liveness-phase parameters to try in turn: each keeps the violation or is undone.</summary>
    private static readonly Func<SwarmParameters, SwarmParameters>[] Gentler =
    [
        p => p with { LiveUnstableMs = 0 },
        p => p with { LiveDropPerThousand = 0 },
        p => p with { LiveReorderPerThousand = 0 },
        p => p with { LiveDelayMs = 1 },
        p => p with { LiveStableDelayMs = 0 },
    ];

    /// <summary>A candidate's run; null when the candidate cannot run at all (it then does not count as failing).</summary>
    private static ScheduleResult? TryRun(TraceFile trace, List<ScriptedEvent> events, int nodes, bool record)
    {
        try
        {
            return Run(trace, events, nodes, record);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static IEnumerable<Func<ScriptedEvent, bool>> FaultGroups(int nodes)
    {
        for (int n = 0; n < nodes; n++)
        {
            int node = n;
            yield return e => e.IsCrashOrRestart && e.Node == node;
        }
        yield return e => e.IsNetworkChange;
        yield return e => e.Kind == EventKind.Drop;
        yield return e => e.Kind == EventKind.Duplicate;
        yield return e => e.Kind == EventKind.Snapshot;
    }

    /// <summary>ddmin: remove ever smaller chunks while the failure persists; ends 1-minimal.</summary>
    private static List<ScriptedEvent> DeltaDebug(List<ScriptedEvent> events, Func<List<ScriptedEvent>, bool> fails, Func<bool> outOfTime)
    {
        int granularity = 2;
        while (events.Count >= 2 && !outOfTime())
        {
            int chunk = (int)Math.Ceiling(events.Count / (double)granularity);
            bool reduced = false;
            for (int start = 0; start < events.Count && !outOfTime(); start += chunk)
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
        var events = trace.Steps.Take(trace.FaultSteps).Select(ScriptedEvent.From).ToList();
        TraceFile other = new()
        {
            Settings = trace.Settings with { Bug = bug },
            Iteration = trace.Iteration, ScheduleSeed = trace.ScheduleSeed, Swarm = trace.Swarm, Steps = trace.Steps, Outcome = trace.Outcome,
        };
        ScheduleResult run = Run(other, events, trace.Swarm.Nodes, record: true)!;
        return (run, run.Steps); // the fault phase's events that ran; the liveness phase follows on its own
    }

    private static ExploreSettings SettingsFor(TraceFile trace, List<ScriptedEvent> events, int nodes, int maxSteps) => trace.Settings with
    {
        Nodes = nodes,
        MaxSteps = Math.Max(1, maxSteps),
        // never fewer than the recorded run had: with fewer, the workload can be "done" before the
        // script is, and the candidate stops early (a harness may hold proposals back, as Coyote's does)
        Proposals = Math.Max(events.Count(e => e.IsProposal), trace.Swarm.Proposals ?? trace.Settings.Proposals),
        Faults = new FaultBudget(
            events.Count(e => e.IsCrash), events.Count(e => e.Kind == EventKind.Partition),
            events.Count(e => e.Kind == EventKind.Drop), events.Count(e => e.Kind == EventKind.Duplicate)),
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
    private static TraceFile Finalise(TraceFile original, ScheduleResult found, int nodes, Violation target)
    {
        List<TraceStep> recorded = found.Trace ?? throw new InvalidOperationException("the shrunk schedule was not recorded");
        List<TraceStep> steps = recorded.Take(found.Steps).ToList(); // the fault phase; the liveness phase runs again
        var events = steps.Select(ScriptedEvent.From).ToList();
        ExploreSettings settings = SettingsFor(original, events, nodes, steps.Count) with { Strategy = original.Settings.Strategy };
        var replay = new ReplayStrategy(steps.Select(s => (IReadOnlyList<int>)s.Decisions).ToList(), steps.Select(s => s.Control).ToList());
        ScheduleResult final;
        try { final = ScheduleRunner.Run(settings, original.Iteration, original.ScheduleSeed, replay, record: true, found.Swarm); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"the shrunk schedule could not be re-run as a trace ({e.Message})");
        }
        if (!SameViolation(target, final.Violation))
            throw new InvalidOperationException("the shrunk schedule did not reproduce its violation when re-run as a trace");
        return TraceFile.From(final);
    }
}
