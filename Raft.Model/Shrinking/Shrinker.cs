using System.Diagnostics;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Shrinking;

/// <summary>What a shrink produced.</summary>
/// <param name="CutByBudget">The wall-clock budget ran out before the shrink finished: <see cref="Shrunk"/> is the smallest failing schedule found by then (valid, but not necessarily 1-minimal, and it depends on the machine's speed).</param>
/// <param name="OriginalSteps">Every step of the original trace, the liveness phase's included (<see cref="ShrunkSteps"/> likewise).</param>
/// <param name="ShrunkFaultSteps">The shrunk trace's fault-phase steps: the schedule the shrinker chose; the liveness phase's steps follow from them.</param>
public sealed record ShrinkReport(TraceFile Shrunk, int OriginalSteps, int ShrunkSteps, int OriginalNodes, int ShrunkNodes, int Runs, double Seconds, bool CutByBudget = false, int OriginalFaultSteps = 0, int ShrunkFaultSteps = 0);

/// <summary>
/// Shrinks a failing schedule to the few steps that matter while keeping the same violated
/// invariant. Each round: shorter core timers and network delays (toward the lab's timers, so
/// every later candidate runs in less virtual time), a simpler world (synchronous Ready handling,
/// no pooled entry arrays), whole faults out (every crash and restart of a node, every partition
/// and heal, every drop, every duplicate, every snapshot, every second taking of a Ready), then any node
/// the violation does not need, with every event that concerns it, the others renumbered densely;
/// a gentler liveness phase; then delta debugging (ddmin, Zeller and Hildebrandt 2002) over the
/// remaining steps down to a 1-minimal schedule. Rounds repeat until one changes nothing, so
/// shrinking the result again gives the same trace. Candidates are run for real, so the result is
/// a valid trace that replay reproduces.
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
    /// it names are stable under removal (a removed node is never one the violation names, and the
    /// target's nodes are renumbered with the cluster's). A liveness failure names the nodes that
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
        // the fault phase's steps are the script; the liveness phase runs again on its own (its steps are observations, not choices)
        List<ScriptedEvent> events = trace.Steps.Take(trace.FaultSteps).Select(ScriptedEvent.From).ToList();

        bool FailsAs(TraceFile t, List<ScriptedEvent> candidate, int n, Violation want)
        {
            if (OutOfTime()) return false; // every accepted candidate so far is a failing schedule: keep the best one
            runs++;
            return SameViolation(want, TryRun(t, candidate, n, record: false)?.Violation);
        }
        bool Fails(List<ScriptedEvent> candidate, int n) => FailsAs(trace, candidate, n, target);

        runs++;
        if (!SameViolation(target, TryRun(trace, events, nodes, record: false)?.Violation))
            throw new InvalidOperationException($"the trace does not reproduce {target.Invariant} (nodes {string.Join(",", target.Nodes)}) when re-run from its events; replay it to see how it diverges");

        // a node the violation names stays (a liveness failure's nodes depend on the leader the healed world elects: any may go)
        bool Removable(int node) => target.Invariant == Invariant.Liveness || !target.Nodes.Contains(node);

        bool changed;
        do
        {
            changed = false;
            // 0. shorter timers and delays first: every later candidate then runs in less virtual time
            if (trace.Settings.Mode != WorldMode.Lab)
            {
                foreach (SwarmParameters smaller in ShorterTimes(trace.Swarm, trace.Settings))
                {
                    if (OutOfTime()) break;
                    TraceFile candidate = trace.WithSwarm(smaller);
                    if (!FailsAs(candidate, events, nodes, target)) continue;
                    trace = candidate;
                    changed = true;
                    break; // the next round tries smaller still
                }
            }
            // 0b. a simpler world: Readies handled at once (their parts in the script are then never enabled
            // and are skipped), arrays not pooled; each kept only if the violation stays
            foreach (SwarmParameters simpler in SimplerWorlds(trace.Swarm, trace.Settings))
            {
                if (OutOfTime()) break;
                TraceFile candidate = trace.WithSwarm(simpler);
                if (!FailsAs(candidate, events, nodes, target)) continue;
                trace = candidate;
                changed = true;
            }
            // 1. whole faults
            foreach (Func<ScriptedEvent, bool> fault in FaultGroups(nodes))
            {
                if (OutOfTime()) break;
                var without = events.Where(e => !fault(e)).ToList();
                if (without.Count < events.Count && Fails(without, nodes)) { events = without; changed = true; }
            }
            // 2. fewer nodes: any node the violation does not name, with everything that concerns it; the rest are renumbered densely
            bool removedOne = false;
            for (int gone = nodes - 1; gone >= 0 && nodes > 1 && !OutOfTime(); gone--)
            {
                if (!Removable(gone)) continue;
                var without = Without(events, gone);
                Violation renumbered = Renumbered(target, gone);
                if (!FailsAs(trace, without, nodes - 1, renumbered)) continue;
                events = without;
                target = renumbered;
                nodes--;
                changed = removedOne = true;
            }
            // failing that, two nodes at once (a quorum's size changes with the parity of the cluster's)
            for (int high = nodes - 1; !removedOne && high > 0 && nodes > 2 && !OutOfTime(); high--)
            {
                for (int low = high - 1; low >= 0 && !OutOfTime(); low--)
                {
                    if (!Removable(high) || !Removable(low)) continue;
                    var without = Without(Without(events, high), low);
                    Violation renumbered = Renumbered(Renumbered(target, high), low);
                    if (!FailsAs(trace, without, nodes - 2, renumbered)) continue;
                    events = without;
                    target = renumbered;
                    nodes -= 2;
                    changed = removedOne = true;
                    break;
                }
            }
            // failing that, a node merged into another that takes over its part (its timeouts, messages and crashes)
            for (int gone = nodes - 1; !removedOne && gone >= 0 && nodes > 1 && !OutOfTime(); gone--)
            {
                for (int into = 0; into < nodes && !OutOfTime(); into++)
                {
                    if (into == gone || !Removable(gone)) continue;
                    var merged = new List<ScriptedEvent>(events.Count);
                    foreach (ScriptedEvent e in events)
                        if (e.Merge(gone, into) is { } kept) merged.Add(kept);
                    Violation renumbered = Renumbered(target, gone);
                    if (!FailsAs(trace, merged, nodes - 1, renumbered)) continue;
                    events = merged;
                    target = renumbered;
                    nodes--;
                    changed = removedOne = true;
                    break;
                }
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
                    if (FailsAs(candidate, events, nodes, target)) { trace = candidate; changed = true; }
                }
            }
            // 4. ddmin over the steps (the last round leaves the schedule 1-minimal), and no steps at all
            // (the liveness phase alone may break the invariant; ddmin never tries the empty schedule)
            int count = events.Count;
            events = DeltaDebug(events, c => Fails(c, nodes), OutOfTime);
            if (events.Count > 0 && Fails([], nodes)) events = [];
            if (events.Count < count) changed = true;
            // 5. the run may have skipped events that were no longer enabled: keep only what ran
            ScheduleResult? ran = TryRun(trace, events, nodes, record: true);
            if (ran?.Trace is { } taken && SameViolation(target, ran.Violation))
            {
                var what = taken.Take(ran.Steps).Select(ScriptedEvent.From).ToList();
                if (what.Count < events.Count) changed = true;
                events = what;
            }
        }
        while (changed && !OutOfTime());
        log?.Invoke($"{runs} runs{(cut ? " (cut by the time budget)" : "")}");

        // record the result, then fix its length and re-run it as replay would
        ScheduleResult found = TryRun(trace, events, nodes, record: true)
            ?? throw new InvalidOperationException("the shrunk schedule could not be re-run");
        TraceFile shrunk = Finalise(trace, found, nodes, target);
        return new ShrinkReport(shrunk, original.Steps.Count, shrunk.Steps.Count, original.Swarm.Nodes, nodes, runs, clock.Elapsed.TotalSeconds, cut,
            original.FaultSteps, shrunk.FaultSteps);
    }

    /// <summary>The schedule without node <paramref name="gone"/>: every event that concerns it out, the nodes above it renumbered.</summary>
    private static List<ScriptedEvent> Without(List<ScriptedEvent> events, int gone)
    {
        var without = new List<ScriptedEvent>(events.Count);
        foreach (ScriptedEvent e in events)
            if (e.Renumber(gone) is { } kept) without.Add(kept);
        return without;
    }

    /// <summary>The violation as it reads once node <paramref name="gone"/> is removed and the nodes above it renumbered.</summary>
    private static Violation Renumbered(Violation v, int gone) =>
        v with { Nodes = v.Nodes.Where(n => n != gone).Select(n => ScriptedEvent.Renumbered(n, gone)).ToArray() };

    /// <summary>The lab's timers (RaftOptions' defaults): the shrinker shortens longer timers toward them, never below.</summary>
    private static readonly RaftOptions LabTimers = new();

    /// <summary>
    /// Shorter core timers and network delays to try, boldest first: the lab's timers at once, then
    /// halfway there; election and heartbeat apart; for the timed world, the shortest delay bound,
    /// then half of it. Each candidate is valid (heartbeat at least 1 and below the election timeout).
    /// </summary>
    private static IEnumerable<SwarmParameters> ShorterTimes(SwarmParameters swarm, ExploreSettings settings)
    {
        RaftOptions raft = swarm.Raft ?? settings.Raft;
        int e = raft.ElectionTicks, h = raft.HeartbeatTicks;
        int eLab = Math.Min(e, LabTimers.ElectionTicks), hLab = Math.Min(h, LabTimers.HeartbeatTicks);
        int eHalf = Math.Max(eLab, e / 2), hHalf = Math.Max(hLab, h / 2);
        var tried = new List<(int E, int H)>();
        foreach ((int E, int H) c in new[] { (eLab, hLab), (eHalf, hHalf), (eLab, h), (eHalf, h), (e, hLab), (e, hHalf) })
        {
            if (c == (e, h) || c.H < 1 || c.E <= c.H || tried.Contains(c)) continue;
            tried.Add(c);
            yield return swarm with { Raft = raft with { ElectionTicks = c.E, HeartbeatTicks = c.H } };
        }
        if (settings.Mode == WorldMode.Timed)
        {
            if (swarm.MaxDelayMs > 1) yield return swarm with { MaxDelayMs = 1 };
            if (swarm.MaxDelayMs / 2 > 1) yield return swarm with { MaxDelayMs = swarm.MaxDelayMs / 2 };
        }
    }

    /// <summary>Simpler worlds to try, each once: synchronous Ready handling, then no pooled entry arrays.</summary>
    private static IEnumerable<SwarmParameters> SimplerWorlds(SwarmParameters swarm, ExploreSettings settings)
    {
        if (settings.Mode == WorldMode.Lab) yield break;
        // no clients at all (their steps are then never enabled and are skipped), or reads through the log
        if (swarm.Clients > 0) yield return swarm with { Clients = 0, ClientOps = 0, ClientTimeout = 0, ClientReads = ClientReads.Log };
        if (swarm.ClientReads != ClientReads.Log) yield return swarm with { ClientReads = ClientReads.Log };
        if (swarm.AsyncReady) yield return swarm with { AsyncReady = false };
        RaftOptions raft = swarm.Raft ?? settings.Raft;
        if (raft.EntryArrayPool is not null) yield return swarm with { Raft = raft with { EntryArrayPool = null } };
        // the core's read options at their defaults: no lease (so no vote stickiness and no drifting clocks), no no-op
        if (raft.ReadOnly != ReadOnlyOption.Safe) yield return swarm with { Raft = raft with { ReadOnly = ReadOnlyOption.Safe, LeaseDriftTicks = RaftOptions.Default.LeaseDriftTicks }, ClockDriftPerMille = 0 };
        if (swarm.ClockDriftPerMille != 0) yield return swarm with { ClockDriftPerMille = 0 }; // clocks that keep time: the violation needs no drift
        if (raft.NoOpOnElection) yield return swarm with { Raft = raft with { NoOpOnElection = false } };
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
        yield return e => e.Kind == EventKind.Retake;
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
            events.Count(e => e.IsCrash), events.Count(e => e.Kind is EventKind.Partition or EventKind.IsolateLeader),
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
