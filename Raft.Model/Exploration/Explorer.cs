using System.Diagnostics;
using Raft.Model.Invariants;
using Raft.Model.Exploration.Strategies;

namespace Raft.Model.Exploration;

/// <summary>Progress of a running exploration (for progress bars).</summary>
public readonly record struct ExploreProgress(int Done, int Total, int Violations, double Seconds);

/// <summary>The result of an exploration run.</summary>
public sealed class ExploreReport
{
    public required ExploreSettings Settings { get; init; }
    /// <summary>The schedules this shard was to run.</summary>
    public int Planned { get; init; }
    public Coverage Coverage { get; } = new();
    /// <summary>The violating schedule with the lowest iteration number (re-run with recording), or null.</summary>
    public ScheduleResult? FirstViolation { get; set; }
    public int ViolatingSchedules { get; set; }
    /// <summary>Every violating schedule counted (all of them with --keep-going), in iteration order: what broke and under which swarm parameters.</summary>
    public List<(int Iteration, Violation Violation, SwarmParameters Swarm)> Violations { get; } = new();
    public bool CutByTimeLimit { get; set; }
    public double Seconds { get; set; }
    /// <summary>dfs only: distinct states visited and whether the bounded space was exhausted.</summary>
    public long StatesVisited { get; set; }
    public bool? Exhausted { get; set; }
    public double SchedulesPerSecond => Seconds > 0 ? Coverage.Schedules / Seconds : 0;
    public double StepsPerSecond => Seconds > 0 ? Coverage.Steps / Seconds : 0;
}

/// <summary>
/// Runs many schedules, in parallel on all cores by default. Schedule i's seed depends only on the
/// run's seed and i; when stopping at the first violation, the one reported is the lowest
/// iteration's, and coverage counts only schedules up to it, so the report does not depend on the
/// number of workers or on timing (unless a wall-clock limit cuts the run short, which is reported).
/// </summary>
public static class Explorer
{
    public static ExploreReport Run(ExploreSettings settings, Action<ExploreProgress>? progress = null)
    {
        settings.Validate();
        if (settings.Strategy == "dfs") return DfsExplorer.Run(settings);

        var iterations = new List<int>();
        for (int i = 0; i < settings.Iterations; i++)
            if (i % settings.ShardCount == settings.ShardIndex - 1) iterations.Add(i);
        var results = new ScheduleResult?[iterations.Count];
        int next = -1, done = 0, violations = 0;
        int firstViolation = int.MaxValue;
        bool cut = false;
        var clock = Stopwatch.StartNew();
        var lastReport = Stopwatch.StartNew();
        object progressLock = new();

        Exception? failure = null;

        void Work()
        {
            try
            {
                WorkLoop();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                Interlocked.Exchange(ref next, iterations.Count); // stop the other workers
            }
        }

        void WorkLoop()
        {
            while (true)
            {
                int pos = Interlocked.Increment(ref next);
                if (pos >= iterations.Count) return;
                if (settings.StopAtFirst && pos > Volatile.Read(ref firstViolation)) return;
                if (settings.TimeLimitSeconds > 0 && clock.Elapsed.TotalSeconds > settings.TimeLimitSeconds) { cut = true; return; }
                int iteration = iterations[pos];
                ScheduleResult r = ScheduleRunner.Run(settings, iteration, ScheduleRunner.ScheduleSeed(settings.Seed, iteration),
                    StrategyCatalog.Create(settings.Strategy, settings.StrategyParameter), record: false);
                results[pos] = r;
                if (r.Violation is not null)
                {
                    Interlocked.Increment(ref violations);
                    int seen;
                    while (pos < (seen = Volatile.Read(ref firstViolation)) && Interlocked.CompareExchange(ref firstViolation, pos, seen) != seen) { }
                }
                int d = Interlocked.Increment(ref done);
                if (progress is not null && (lastReport.ElapsedMilliseconds >= 200 || d == iterations.Count))
                {
                    lock (progressLock)
                    {
                        progress(new ExploreProgress(d, iterations.Count, Volatile.Read(ref violations), clock.Elapsed.TotalSeconds));
                        lastReport.Restart();
                    }
                }
            }
        }

        int workers = Math.Min(settings.Workers, Math.Max(1, iterations.Count));
        if (workers == 1) Work();
        else
        {
            var threads = new Thread[workers];
            for (int w = 0; w < workers; w++) { threads[w] = new Thread(Work) { IsBackground = true, Name = $"explore-{w}" }; threads[w].Start(); }
            foreach (Thread t in threads) t.Join();
        }

        if (failure is not null) throw new InvalidOperationException($"exploration failed: {failure.Message}", failure);

        var report = new ExploreReport { Settings = settings, Planned = iterations.Count, CutByTimeLimit = cut };
        int last = settings.StopAtFirst && firstViolation != int.MaxValue ? firstViolation : iterations.Count - 1;
        for (int pos = 0; pos <= last; pos++)
        {
            ScheduleResult? r = results[pos];
            if (r is null) continue; // only when a time limit cut the run
            report.Coverage.Merge(r.Coverage);
            if (r.Violation is not null) { report.ViolatingSchedules++; report.Violations.Add((r.Iteration, r.Violation, r.Swarm)); }
        }
        if (firstViolation != int.MaxValue)
        {
            ScheduleResult found = results[firstViolation]!;
            // run it again, recording every step: this is the trace, and a determinism self-check
            ScheduleResult recorded = ScheduleRunner.Run(settings, found.Iteration, found.Seed,
                StrategyCatalog.Create(settings.Strategy, settings.StrategyParameter), record: true);
            if (recorded.Violation?.Invariant != found.Violation!.Invariant || recorded.ViolationStep != found.ViolationStep)
                throw new InvalidOperationException(
                    $"nondeterminism: schedule {found.Iteration} (seed {found.Seed}) found {found.Violation} at step {found.ViolationStep} but its re-run found {recorded.Violation?.ToString() ?? "nothing"} at step {recorded.ViolationStep}");
            report.FirstViolation = recorded;
        }
        report.Seconds = clock.Elapsed.TotalSeconds;
        return report;
    }
}
