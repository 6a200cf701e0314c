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
    /// <summary>
    /// With --keep-going (<see cref="ExploreSettings.StopAtFirst"/> false): the first violating
    /// schedule of each other invariant broken, recorded like <see cref="FirstViolation"/> (at most
    /// <see cref="Explorer.MaxRecordedKinds"/>), in iteration order, so every kind of failure a run
    /// found comes with a trace.
    /// </summary>
    public List<ScheduleResult> FirstOfOtherInvariants { get; } = new();
    public int ViolatingSchedules { get; set; }
    /// <summary>The violating schedules counted (with --keep-going, the first <see cref="Explorer.MaxKeptViolations"/> of them; <see cref="ViolatingSchedules"/> counts all), in iteration order: what broke and under which swarm parameters.</summary>
    public List<(int Iteration, Violation Violation, SwarmParameters Swarm)> Violations { get; } = new();
    public bool CutByTimeLimit { get; set; }
    /// <summary>The run's cancellation token (Ctrl-C in the CLI) stopped it before it ran every schedule: the report holds what ran.</summary>
    public bool Interrupted { get; set; }
    public double Seconds { get; set; }
    /// <summary>dfs only: distinct states visited and whether the bounded space was exhausted.</summary>
    public long StatesVisited { get; set; }
    public bool? Exhausted { get; set; }
    /// <summary>dfs only: some node did not report its status (<c>IRaftNodeStatus</c>) or some payload could not hash itself, so states may have been merged and <see cref="Exhausted"/> is never claimed.</summary>
    public bool PartialStateHash { get; set; }
    /// <summary>guided only: the corpus and what each mutation found.</summary>
    public Guided.GuidanceSummary? Guidance { get; set; }

    internal Guided.Guide? Guide { get; set; }

    /// <summary>
    /// With <see cref="ExploreSettings.Corpus"/>: writes the corpus the run ended with back
    /// (<see cref="Guided.Guide.Persist"/>; after a violation nothing is removed) and updates
    /// <see cref="Guidance"/>. Called once the run's findings are safe (the CLI writes the traces
    /// first), so a run whose trace cannot be written leaves the directory as it found it.
    /// </summary>
    public void SaveCorpus()
    {
        if (Guide is not { } guide || Settings.Corpus is null) return;
        guide.Persist(removeNothing: ViolatingSchedules > 0);
        Guidance = guide.Summary();
        Guide = null; // once
    }
    public double SchedulesPerSecond => Seconds > 0 ? Coverage.Schedules / Seconds : 0;
    public double StepsPerSecond => Seconds > 0 ? Coverage.Steps / Seconds : 0;
}

/// <summary>
/// Runs many schedules, in parallel on all cores by default. Schedule i's seed depends only on the
/// run's seed and i; when stopping at the first violation, the one reported is the lowest
/// iteration's, and coverage counts only schedules up to it, so the report does not depend on the
/// number of workers or on timing (unless a wall-clock limit or a cancellation cuts the run short,
/// which is reported).
/// </summary>
/// <remarks>
/// Memory does not depend on <see cref="ExploreSettings.Iterations"/>: the k-th schedule of a shard
/// is computed, not listed, and finished schedules are merged into the report in position order
/// through a reorder window of <see cref="WindowPerWorker"/> slots per worker (a worker that gets
/// that far ahead of the oldest unfinished schedule waits). Only violations are kept, at most
/// <see cref="MaxKeptViolations"/> of them; the rest are counted.
/// </remarks>
public static class Explorer
{
    /// <summary>With --keep-going, the violating schedules listed in full (the lowest iterations); the rest are only counted.</summary>
    public const int MaxKeptViolations = 1_000;

    /// <summary>How many invariants beyond the first a --keep-going run records a trace for (<see cref="ExploreReport.FirstOfOtherInvariants"/>).</summary>
    public const int MaxRecordedKinds = 16;

    /// <summary>Reorder-window slots per worker: how far a worker may run ahead of the oldest unmerged schedule.</summary>
    public const int WindowPerWorker = 1_024;

    /// <summary>The most reorder-window slots in all, whatever the number of workers.</summary>
    public const int MaxWindow = 1 << 16;

    /// <summary>How many of <paramref name="iterations"/> iterations shard <paramref name="index"/>/<paramref name="count"/> runs: those with i % count == index-1.</summary>
    public static int ShardSize(int iterations, int index, int count) =>
        iterations <= index - 1 ? 0 : (int)(((long)iterations - index + count) / count);

    /// <summary>The iteration number of a shard's <paramref name="position"/>-th schedule (0-based).</summary>
    public static int ShardIteration(long position, int index, int count) => checked((int)(position * count + index - 1));

    /// <summary>The position (0-based) of iteration <paramref name="iteration"/> in its shard: the inverse of <see cref="ShardIteration"/>.</summary>
    public static long ShardPosition(int iteration, int index, int count) => (iteration - (index - 1)) / count;

    /// <param name="cancellation">Stops the run: workers finish the schedule they are running and take no more;
    /// the report then holds what ran (<see cref="ExploreReport.Interrupted"/>), and its first violation
    /// is re-run with recording as at a normal end.</param>
    public static ExploreReport Run(ExploreSettings settings, Action<ExploreProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(settings, progress, cancellation, MaxKeptViolations, WindowPerWorker);

    /// <summary>As the public Run, with the kept violations and the window per worker chosen (tests use small ones).</summary>
    internal static ExploreReport Run(ExploreSettings settings, Action<ExploreProgress>? progress, CancellationToken cancellation, int keptViolations, int windowPerWorker)
    {
        settings.Validate();
        if (settings.Strategy == "dfs") return DfsExplorer.Run(settings, cancellation);

        var run = new StreamingRun(settings, progress, cancellation, keptViolations, windowPerWorker);
        return run.Execute();
    }

    /// <summary>The state of one streaming run, shared by its workers.</summary>
    private sealed class StreamingRun
    {
        private readonly ExploreSettings _settings;
        private readonly Action<ExploreProgress>? _progress;
        private readonly CancellationToken _cancellation;
        private readonly int _keptViolations;
        private readonly int _planned;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Stopwatch _lastReport = Stopwatch.StartNew();
        private readonly object _progressLock = new();
        private readonly ExploreReport _report;
        private readonly Guided.Guide? _guide;   // guided: the corpus, read by planning workers, changed only at a round's end (under _gate)

        // the reorder window: slot p % window holds position p's result until it is merged
        private readonly object _gate = new();
        private readonly ScheduleResult?[] _window;
        private long _frontier;            // the next position to merge (guarded by _gate)
        private bool _mergeStopped;        // stop-at-first: a violation was merged; nothing after it counts (guarded by _gate)

        private long _next = -1;           // the last position claimed
        private int _firstViolation = int.MaxValue; // the lowest violating position found so far (stop-at-first skips beyond it)
        private int _done, _violations;
        private volatile bool _stop;       // the time limit passed, the token was cancelled, or a worker failed
        private volatile bool _cut, _interrupted;
        private Exception? _failure;
        private ScheduleResult? _firstFound;
        private readonly List<ScheduleResult> _firstOfOther = new();

        public StreamingRun(ExploreSettings settings, Action<ExploreProgress>? progress, CancellationToken cancellation, int keptViolations, int windowPerWorker)
        {
            _settings = settings;
            _progress = progress;
            _cancellation = cancellation;
            _keptViolations = keptViolations;
            _planned = ShardSize(settings.Iterations, settings.ShardIndex, settings.ShardCount);
            _window = new ScheduleResult?[Math.Clamp((long)windowPerWorker * settings.Workers, 1, MaxWindow)];
            _report = new ExploreReport { Settings = settings, Planned = _planned };
            if (settings.Strategy == "guided")
                _guide = new Guided.Guide(settings, settings.Corpus?.Load(settings));
        }

        public ExploreReport Execute()
        {
            using (_cancellation.Register(static state => ((StreamingRun)state!).Stop(interrupted: true), this))
            {
                int workers = Math.Min(_settings.Workers, Math.Max(1, _planned));
                if (workers == 1) Work();
                else
                {
                    var threads = new Thread[workers];
                    for (int w = 0; w < workers; w++) { threads[w] = new Thread(Work) { IsBackground = true, Name = $"explore-{w}" }; threads[w].Start(); }
                    foreach (Thread t in threads) t.Join();
                }
            }
            if (_failure is not null) throw new InvalidOperationException($"exploration failed: {_failure.Message}", _failure);

            // a cut run may leave finished schedules behind a gap (a position claimed but not run): merge them in order too
            lock (_gate)
            {
                for (long end = _frontier + _window.Length; _frontier < end && !_mergeStopped; _frontier++)
                {
                    int slot = (int)(_frontier % _window.Length);
                    if (_window[slot] is { } r) { _window[slot] = null; Merge(r); }
                }
            }
            // a stop that came when every schedule had already run cut nothing short
            bool complete = _mergeStopped || _report.Coverage.Schedules == _planned;
            _report.CutByTimeLimit = _cut && !complete;
            _report.Interrupted = _interrupted && !complete;

            if (_firstFound is { } found) _report.FirstViolation = Record(found);
            foreach (ScheduleResult other in _firstOfOther) _report.FirstOfOtherInvariants.Add(Record(other));
            _report.Guidance = _guide?.Summary();
            _report.Guide = _guide;
            _report.Seconds = _clock.Elapsed.TotalSeconds;
            return _report;
        }

        /// <summary>
        /// Runs a violating schedule again, recording every step: this is its trace, and a
        /// determinism self-check (a guided schedule re-runs its own draws, in the world and bound it ran in).
        /// </summary>
        private ScheduleResult Record(ScheduleResult found)
        {
            ScheduleResult recorded = found.Plan is { } plan
                ? ScheduleRunner.Run(found.Settings, found.Iteration, found.Seed, new Guided.GuidedStrategy(plan with { Choices = found.Choices! }), record: true, found.Swarm)
                : ScheduleRunner.Run(_settings, found.Iteration, found.Seed,
                    StrategyCatalog.Create(_settings.Strategy, _settings.StrategyParameter), record: true);
            if (recorded.Violation?.Invariant != found.Violation!.Invariant || recorded.ViolationStep != found.ViolationStep)
                throw new InvalidOperationException(
                    $"nondeterminism: schedule {found.Iteration} (seed {found.Seed}) found {found.Violation} at step {found.ViolationStep} but its re-run found {recorded.Violation?.ToString() ?? "nothing"} at step {recorded.ViolationStep}");
            return recorded;
        }

        private void Stop(bool interrupted)
        {
            if (interrupted) _interrupted = true;
            _stop = true;
            lock (_gate) Monitor.PulseAll(_gate);
        }

        private void Work()
        {
            try
            {
                WorkLoop();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                Stop(interrupted: false);
            }
        }

        private void WorkLoop()
        {
            ExploreSettings s = _settings;
            while (!_stop)
            {
                long pos = Interlocked.Increment(ref _next);
                if (pos >= _planned) return;
                if (s.StopAtFirst && pos > Volatile.Read(ref _firstViolation)) return;
                if (s.TimeLimitSeconds > 0 && _clock.Elapsed.TotalSeconds > s.TimeLimitSeconds) { _cut = true; Stop(interrupted: false); return; }
                if (!AwaitWindow(pos)) return;
                int iteration = ShardIteration(pos, s.ShardIndex, s.ShardCount);
                ScheduleResult r;
                if (_guide is not null)
                {
                    if (!AwaitRound(pos)) return;
                    Guided.SchedulePlan plan = _guide.Plan(iteration);
                    r = ScheduleRunner.Run(plan.MaxSteps == s.MaxSteps ? s : s with { MaxSteps = plan.MaxSteps }, iteration, plan.WorldSeed,
                        new Guided.GuidedStrategy(plan), record: false, plan.Swarm);
                    r.Plan = plan;
                }
                else
                    r = ScheduleRunner.Run(s, iteration, ScheduleRunner.ScheduleSeed(s.Seed, iteration),
                        StrategyCatalog.Create(s.Strategy, s.StrategyParameter), record: false);
                if (r.Violation is not null)
                {
                    Interlocked.Increment(ref _violations);
                    int seen;
                    while (pos < (seen = Volatile.Read(ref _firstViolation)) && Interlocked.CompareExchange(ref _firstViolation, (int)pos, seen) != seen) { }
                }
                Store(pos, r);
                int d = Interlocked.Increment(ref _done);
                if (_progress is not null && (_lastReport.ElapsedMilliseconds >= 200 || d == _planned))
                {
                    lock (_progressLock)
                    {
                        _progress(new ExploreProgress(d, _planned, Volatile.Read(ref _violations), _clock.Elapsed.TotalSeconds));
                        _lastReport.Restart();
                    }
                }
            }
        }

        /// <summary>Waits until <paramref name="pos"/> fits in the reorder window; false when the run stops meanwhile or the position no longer counts.</summary>
        private bool AwaitWindow(long pos)
        {
            if (pos < Volatile.Read(ref _frontier) + _window.Length) return true;
            return AwaitFrontier(pos - _window.Length + 1);
        }

        /// <summary>Waits until every position below <paramref name="frontier"/> is merged; false when the run stops meanwhile or nothing more counts.</summary>
        private bool AwaitFrontier(long frontier)
        {
            lock (_gate)
            {
                while (_frontier < frontier)
                {
                    if (_stop || _mergeStopped) return false;
                    Monitor.Wait(_gate);
                }
                return !_stop && !_mergeStopped;
            }
        }

        /// <summary>
        /// Guided: waits until every schedule of the rounds before <paramref name="pos"/>'s is merged, so
        /// its plan sees the corpus as those rounds left it whatever the workers; false when the run stops meanwhile.
        /// </summary>
        // always under the gate (no lock-free fast path): a merge advances the frontier before it merges (and ends the round), both under it
        private bool AwaitRound(long pos) => AwaitFrontier(pos - pos % Guided.Guide.RoundSize);

        /// <summary>Puts a finished schedule in its slot and merges every schedule now complete at the frontier, in position order.</summary>
        private void Store(long pos, ScheduleResult r)
        {
            lock (_gate)
            {
                if (_mergeStopped) return; // beyond the first violation: discarded
                _window[(int)(pos % _window.Length)] = r;
                if (pos != _frontier) return;
                while (!_mergeStopped)
                {
                    int slot = (int)(_frontier % _window.Length);
                    if (_window[slot] is not { } next) break;
                    _window[slot] = null;
                    _frontier++;
                    Merge(next);
                }
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Adds one schedule to the report (called in position order, under the gate).</summary>
        private void Merge(ScheduleResult r)
        {
            _report.Coverage.Merge(r.Coverage);
            if (_guide is not null)
            {
                _guide.Observe(r);
                // the round's last schedule (by position in this shard): the corpus takes the round's finds
                long pos = ShardPosition(r.Iteration, _settings.ShardIndex, _settings.ShardCount);
                if ((pos + 1) % Guided.Guide.RoundSize == 0 || pos + 1 == _planned) _guide.EndRound();
            }
            if (r.Violation is null) return;
            _report.ViolatingSchedules++;
            if (_firstFound is null) _firstFound = r;
            else if (r.Violation.Invariant != _firstFound.Violation!.Invariant && _firstOfOther.Count < MaxRecordedKinds
                     && !_firstOfOther.Exists(o => o.Violation!.Invariant == r.Violation.Invariant))
                _firstOfOther.Add(r); // merged in position order, so the first of its invariant
            if (_report.Violations.Count < _keptViolations) _report.Violations.Add((r.Iteration, r.Violation, r.Swarm));
            if (_settings.StopAtFirst) _mergeStopped = true;
        }
    }
}
