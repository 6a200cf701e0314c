using System.Diagnostics;
using System.Globalization;
using Raft.Model.Events;
using Raft.Core.Node;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Raft.Model.Variants;

namespace Raft.Model.Shrinking;

/// <summary>What <see cref="MinimumSearch"/> searches: the bug, the cluster sizes and the bounds.</summary>
public sealed record MinimumSettings
{
    /// <summary>A catalog bug (or an uncatalogued variant), or "none" for the correct core (then any violation counts).</summary>
    public required string Bug { get; init; }

    /// <summary>Schedules of at most this many steps are searched.</summary>
    public int MaxDepth { get; init; } = 12;

    /// <summary>Cluster sizes, searched in lock-step layer by layer; at equal length the smallest size wins.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [1, 2, 3];

    /// <summary>Distinct states (canonical hash) each cluster size may visit; a size that reaches it stops and says so.</summary>
    public int MaxStates { get; init; } = 300_000;

    /// <summary>
    /// Drops and partitions are off by default: for a safety property neither can shorten a
    /// schedule (a dropped message is one never delivered; a cut link only loses messages, which
    /// not delivering them does as well), so a minimum never contains one.
    /// </summary>
    public FaultBudget Faults { get; init; } = new(Crashes: 1, Partitions: 0, Drops: 0, Duplicates: 1);

    public int Proposals { get; init; } = 2;

    /// <summary>Whether the service may take snapshots (needed by the snapshot bugs).</summary>
    public bool Snapshots { get; init; } = true;

    /// <summary>Candidates may not go past this term (the dfs bound); 0: no bound.</summary>
    public int MaxTerm { get; init; }

    public ulong Seed { get; init; } = 1;

    public RaftOptions Raft { get; init; } = RaftOptions.Default;

    /// <summary>
    /// Search the world of this trace instead of the plain adversarial one: its settings, schedule
    /// seed, drawn core options and liveness world, its fault budget and proposals (the budget
    /// its schedule lived in), and, when it has one, its liveness phase after every schedule, as
    /// explore and shrink run it. A schedule then counts when its steps or the liveness phase after
    /// them break the invariant: the minimum is in the unit the shrinker minimises. The sizes
    /// searched stay <see cref="Sizes"/>; <see cref="Faults"/>, <see cref="Proposals"/>,
    /// <see cref="Snapshots"/>, <see cref="Seed"/> and <see cref="Raft"/> are taken from the trace.
    /// </summary>
    public Traces.TraceFile? Like { get; init; }

    /// <summary>
    /// With <see cref="Like"/>: a schedule counts only if it breaks the trace's violation in the
    /// shrinker's full sense (<see cref="Shrinking.Shrinker.SameViolation"/>: the same invariant
    /// and, for safety, the same nodes), not just the same invariant.
    /// </summary>
    public bool SameNodes { get; init; }

    /// <summary>Whether every schedule is followed by the liveness phase (only with <see cref="Like"/>, when the trace has one).</summary>
    public bool WithLiveness => Like is { } t && t.Settings.Liveness;

    public const int MaxDepthLimit = 64;
    public const int MaxStatesLimit = 50_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public void Validate()
    {
        if (!BugCatalog.IsKnown(Bug)) throw new ArgumentException($"unknown bug '{Limits.Printable(Bug)}': see dotnet raftverify bugs");
        if (MaxDepth < 1 || MaxDepth > MaxDepthLimit) throw new ArgumentException($"--max-depth must be between 1 and {MaxDepthLimit} (got {MaxDepth})");
        if (MaxStates < 1 || MaxStates > MaxStatesLimit) throw new ArgumentException($"--max-states must be between 1 and {MaxStatesLimit} (got {MaxStates})");
        if (Sizes.Count == 0) throw new ArgumentException("no cluster size to search");
        foreach (int n in Sizes)
            if (n < 1 || n > Limits.MaxNodes) throw new ArgumentException($"--nodes must be between 1 and {Limits.MaxNodes} (got {n})");
        if (Proposals < 0 || Proposals > Limits.MaxProposals) throw new ArgumentException($"--proposals must be between 0 and {Limits.MaxProposals} (got {Proposals})");
        if (MaxTerm < 0 || MaxTerm > Limits.MaxStrategyParameter) throw new ArgumentException($"--max-term must be between 0 and {Limits.MaxStrategyParameter} (got {MaxTerm})");
        if (Faults.Crashes is < 0 or > Limits.MaxFaults || Faults.Partitions is < 0 or > Limits.MaxFaults || Faults.Drops is < 0 or > Limits.MaxFaults || Faults.Duplicates is < 0 or > Limits.MaxFaults)
            throw new ArgumentException($"fault budgets must be between 0 and {Limits.MaxFaults} (got {Faults})");
        Limits.CheckRaft(Raft, 10);
        if (Like is { } t && t.Settings.Mode != WorldMode.Adversarial)
            throw new ArgumentException($"--like needs a trace of the adversarial world (this one is {Traces.TraceWriter.ModeName(t.Settings.Mode)})");
        if (SameNodes && Like?.Outcome.Violation is null) throw new ArgumentException("--same-nodes needs --like with a trace that records a violation");
        if (Like is { } u && u.Settings.Bug != Bug)
            throw new ArgumentException($"--like: the trace is of bug {Limits.Printable(u.Settings.Bug)}, not {Limits.Printable(Bug)}");
    }

    /// <summary>The world settings the search (and the recorded trace) use for a cluster of <paramref name="nodes"/>.</summary>
    public ExploreSettings WorldSettings(int nodes, int maxSteps) => Like is { } t
        ? t.Settings with { Nodes = nodes, MaxSteps = maxSteps, Bug = Bug, Workers = 1, Iterations = 1 }
        : new()
    {
        Nodes = nodes,
        Mode = WorldMode.Adversarial,
        Strategy = "dfs",            // the model checker's world: StrategyParameter is the term bound (0: none)
        StrategyParameter = MaxTerm,
        Iterations = 1,
        MaxSteps = maxSteps,
        Seed = Seed,
        Faults = Faults,
        Proposals = Proposals,
        Swarm = false,
        SwarmRaft = false,
        SwarmProposals = false,
        Liveness = false,
        Bug = Bug,
        Workers = 1,
        Raft = Raft,
    };

    public SwarmParameters WorldSwarm(int nodes) => Like is { } t ? t.Swarm with { Nodes = nodes } : new(nodes, 0, 0, 0, Snapshots ? 1 : 0, 1,
        Faults.Crashes > 0 ? 1 : 0, Faults.Partitions > 0 ? 1 : 0, Faults.Drops > 0 ? 1 : 0, Faults.Duplicates > 0 ? 1 : 0);

    /// <summary>The seed and iteration the worlds are built from (ScheduleRunner's).</summary>
    public ulong WorldSeed => Like?.ScheduleSeed ?? ScheduleRunner.ScheduleSeed(Seed, 0);
    public int WorldIteration => Like?.Iteration ?? 0;

    public string DescribeBudget() => Like is { } t
        ? string.Create(CultureInfo.InvariantCulture, $"like the trace: faults={t.Settings.Faults} proposals={t.Swarm.Proposals ?? t.Settings.Proposals} schedule-seed={t.ScheduleSeed} {(WithLiveness ? "with its liveness phase" : "no liveness phase")}")
        : string.Create(CultureInfo.InvariantCulture,
        $"faults={Faults} proposals={Proposals} snapshots={(Snapshots ? "on" : "off")} max-term={(MaxTerm == 0 ? "none" : MaxTerm.ToString(CultureInfo.InvariantCulture))}");
}

public enum MinimumStatus
{
    /// <summary>A shortest violating schedule was found.</summary>
    Found,
    /// <summary>No violating schedule within the bounds (see each size's outcome for which bound stopped it).</summary>
    NotFound,
    /// <summary>The bug breaks liveness: found after the fault phase, it has no minimum in steps.</summary>
    NotApplicable,
}

/// <summary>How the search of one cluster size ended.</summary>
/// <param name="DepthCompleted">Every schedule of at most this many steps was checked (up to the state dedup).</param>
/// <param name="Exhausted">No new state was left: every schedule within the fault budget was checked, at any depth.</param>
/// <param name="CutByStates">The size stopped because it reached the state budget.</param>
public sealed record MinimumSizeOutcome(int Nodes, int DepthCompleted, long States, bool Exhausted, bool CutByStates, int FoundAt)
{
    public string Describe()
    {
        string how = FoundAt >= 0 ? $"violation at depth {FoundAt}"
            : Exhausted ? $"exhausted (no new state after depth {DepthCompleted})"
            : CutByStates ? $"cut by the state budget in depth {DepthCompleted + 1}"
            : $"none within depth {DepthCompleted}";
        return string.Create(CultureInfo.InvariantCulture, $"nodes={Nodes}: {how}, {States} states");
    }
}

/// <summary>The result of a minimum search.</summary>
/// <param name="Decisions">Found: each step's decisions (the event's index, then any data choices), as a trace records them.</param>
/// <param name="Proven">Found: every size was searched completely below this length (and smaller sizes at it), so no shorter schedule exists within the budget.</param>
public sealed record MinimumResult(
    MinimumSettings Settings,
    Invariant? Target,
    MinimumStatus Status,
    int Steps,
    int Nodes,
    IReadOnlyList<int[]> Decisions,
    IReadOnlyList<MinimumSizeOutcome> Sizes,
    long States,
    long OtherViolations,
    double Seconds,
    bool Proven)
{
    /// <summary>
    /// What the search rules out: no violating schedule has fewer steps than this on any size
    /// searched (every size was searched completely below it, or exhausted). For a result not
    /// found, -1 when every size was exhausted (none at any depth within the budget).
    /// </summary>
    public int LowerBound
    {
        get
        {
            if (Status == MinimumStatus.Found && Proven) return Steps;
            int bound = int.MaxValue;
            foreach (MinimumSizeOutcome s in Sizes)
                if (!s.Exhausted && s.FoundAt < 0) bound = Math.Min(bound, s.DepthCompleted + 1);
            if (Status == MinimumStatus.Found) return Math.Min(bound, Steps);
            return bound == int.MaxValue ? -1 : bound;
        }
    }

    /// <summary>One line: "7 steps, 2 nodes", "n/a (liveness)" or "not found within depth D / N states (...)".</summary>
    public string Summary => Status switch
    {
        MinimumStatus.Found => string.Create(CultureInfo.InvariantCulture, $"{Steps} steps, {Nodes} nodes{(Proven ? "" : $" (shortest found; not proven: a size was cut by the state budget, none is shorter than {LowerBound} steps)")}"),
        MinimumStatus.NotApplicable => "n/a (liveness)",
        _ => string.Create(CultureInfo.InvariantCulture, $"not found within depth {Settings.MaxDepth} / {Settings.MaxStates} states") + (LowerBound < 0
            ? " (every size exhausted: none within this budget at any depth)"
            : string.Create(CultureInfo.InvariantCulture, $" (none shorter than {LowerBound} steps)")),
    };
}

/// <summary>
/// The shortest schedule that breaks a bug's invariant: a breadth-first search over every
/// schedule of the adversarial world (every enabled event at every step, and every data choice
/// of a partition), on each cluster size in lock-step, one layer (one more step) at a time.
/// A state already reached at a smaller depth (the world's canonical state hash, which includes
/// the fault budget left and what the checkers remember) is not expanded again. The first
/// violating schedule found is a shortest one: every shorter schedule, on every size, was checked
/// before it; within a layer the smaller cluster comes first. One step is one executed enabled
/// event, the unit traces count, and the search runs steps exactly as <see cref="ScheduleRunner"/>
/// does (a violation or a finished workload ends a schedule), so the result replays.
/// Worlds cannot be copied, so each child is reached by re-running its path from the start.
/// </summary>
public static class MinimumSearch
{
    /// <summary>The invariant the search targets: the catalog's for the bug; null for "none" (any violation).</summary>
    public static Invariant? TargetOf(string bug) => bug == "none" ? null : (BugCatalog.Find(bug) ?? throw new ArgumentException($"unknown bug '{bug}'")).Breaks;

    /// <summary>Whether <paramref name="found"/> is what the search looks for (SameViolation's first test: the same invariant).</summary>
    public static bool Matches(Invariant? target, Violation found) => target is null || found.Invariant == target.Value;

    /// <summary>Whether a violation is what the search with <paramref name="settings"/> looks for.</summary>
    public static bool Matches(MinimumSettings settings, Invariant? target, Violation found) =>
        settings.SameNodes ? Shrinking.Shrinker.SameViolation(settings.Like!.Outcome.Violation!, found) : Matches(target, found);

    public static MinimumResult Run(MinimumSettings settings, Action<string>? log = null)
    {
        settings.Validate();
        Invariant? target = TargetOf(settings.Bug);
        var clock = Stopwatch.StartNew();
        if (target == Invariant.Liveness && !settings.WithLiveness)
            return new MinimumResult(settings, target, MinimumStatus.NotApplicable, -1, -1, [], [], 0, 0, clock.Elapsed.TotalSeconds, false);

        int[] sizes = settings.Sizes.Distinct().Order().ToArray();
        var searches = new SizeSearch[sizes.Length];
        for (int i = 0; i < sizes.Length; i++) searches[i] = new SizeSearch(settings, sizes[i], target);

        SizeSearch? winner = searches.FirstOrDefault(s => s.FoundAt == 0); // a violation before any step (never, for a sane variant)
        for (int depth = 0; depth < settings.MaxDepth && winner is null; depth++)
        {
            bool anyActive = false;
            foreach (SizeSearch s in searches)
            {
                if (!s.Active) continue;
                anyActive = true;
                s.ExpandLayer();
                log?.Invoke(s.CutByStates
                    ? string.Create(CultureInfo.InvariantCulture, $"nodes={s.Nodes} depth {depth + 1}: cut by the state budget ({s.Visited} states), {clock.Elapsed.TotalSeconds:0.0} s")
                    : string.Create(CultureInfo.InvariantCulture, $"nodes={s.Nodes} depth {depth + 1}: {s.LayerSize} new states, {s.Visited} in all, {clock.Elapsed.TotalSeconds:0.0} s"));
                if (s.FoundAt >= 0) { winner = s; break; }
            }
            if (!anyActive) break;
        }

        var outcomes = searches.Select(s => new MinimumSizeOutcome(s.Nodes, s.DepthCompleted, s.Visited, s.Exhausted, s.CutByStates, s.FoundAt)).ToList();
        long states = searches.Sum(s => (long)s.Visited);
        long others = searches.Sum(s => s.OtherViolations);
        double seconds = clock.Elapsed.TotalSeconds;
        if (winner is null)
            return new MinimumResult(settings, target, MinimumStatus.NotFound, -1, -1, [], outcomes, states, others, seconds, false);

        int steps = winner.FoundAt;
        bool proven = true;
        foreach (SizeSearch s in searches)
        {
            if (s == winner || s.Exhausted) continue;
            int needed = s.Nodes < winner.Nodes ? steps : steps - 1;
            if (s.DepthCompleted < needed) proven = false;
        }
        return new MinimumResult(settings, target, MinimumStatus.Found, steps, winner.Nodes, winner.FoundDecisions!, outcomes, states, others, seconds, proven);
    }

    /// <summary>Runs a found minimum through <see cref="ScheduleRunner"/> with recording, as a trace that replay reproduces.</summary>
    public static ScheduleResult Record(MinimumResult result)
    {
        if (result.Status != MinimumStatus.Found) throw new ArgumentException("no minimum was found: nothing to record");
        MinimumSettings s = result.Settings;
        ExploreSettings world = s.WorldSettings(result.Nodes, Math.Max(1, result.Steps)); // no steps: the liveness phase alone (replay ends at once)
        var replay = new ReplayStrategy(result.Decisions.Select(d => (IReadOnlyList<int>)d).ToList());
        ScheduleResult run = ScheduleRunner.Run(world, s.WorldIteration, s.WorldSeed, replay, record: true, s.WorldSwarm(result.Nodes));
        // the violation is at the schedule's last step, or in the liveness phase that follows it (whose steps are recorded after the schedule's)
        bool inPhase = run.ViolationStep == result.Steps - 1 && run.Steps == result.Steps, inLiveness = s.WithLiveness && run.Steps == result.Steps && run.ViolationStep >= result.Steps;
        if (run.Violation is not { } v || !Matches(s, result.Target, v) || !(inPhase || inLiveness))
            throw new InvalidOperationException($"the minimum did not reproduce when recorded ({run.Violation?.Invariant.ToString() ?? "no violation"} at step {run.ViolationStep} of {run.Trace?.Count})");
        return run;
    }

    /// <summary>The breadth-first search of one cluster size.</summary>
    private sealed class SizeSearch
    {
        private struct Node
        {
            public int Parent;
            public int DecisionStart;
            public int DecisionCount;
        }

        private readonly MinimumSettings _settings;
        private readonly ExploreSettings _world;
        private readonly SwarmParameters _swarm;
        private readonly ulong _seed;
        private readonly WorldOptions _worldOptions;
        private readonly Invariant? _target;
        private readonly bool _liveness;
        private readonly List<Node> _nodes = new();
        private readonly List<int> _decisions = new();
        private readonly HashSet<ulong> _visited = new();
        private readonly List<EnabledEvent> _enabled = new();
        private readonly int[] _path;
        // data choices: replayed from _replayChoices while re-running a path; enumerated by the odometer for a new step
        private readonly List<int> _choiceValue = new();
        private readonly List<int> _choiceCount = new();
        private int _choicePos;
        private int _replayAt;
        private readonly Func<int, int> _replayChoose;
        private readonly Func<int, int> _enumerateChoose;
        private int _layerStart;
        private int _layerEnd;

        public SizeSearch(MinimumSettings settings, int nodes, Invariant? target)
        {
            _settings = settings;
            Nodes = nodes;
            _target = target;
            _world = settings.WorldSettings(nodes, settings.MaxDepth);
            _swarm = settings.WorldSwarm(nodes);
            _seed = settings.WorldSeed;
            _worldOptions = _world.ToWorldOptions(_swarm, _seed);
            _liveness = settings.WithLiveness;
            _path = new int[settings.MaxDepth + 1];
            _replayChoose = n =>
            {
                int v = _decisions[_replayAt++];
                if (v < 0 || v >= n) throw new InvalidOperationException("a replayed data choice is out of range");
                return v;
            };
            _enumerateChoose = n =>
            {
                if (_choicePos < _choiceValue.Count) return _choiceValue[_choicePos++];
                _choiceValue.Add(0);
                _choiceCount.Add(n);
                _choicePos++;
                return 0;
            };
            World root = NewWorld();
            _visited.Add(root.StateHash());
            if (root.Violation is { } v)
            {
                // before any step: every schedule ends here
                if (Matches(settings, target, v)) { FoundAt = 0; FoundDecisions = []; }
                Active = false;
            }
            else if (_liveness)
            {
                // the schedule of no steps: the liveness phase alone (another violation ends only that schedule)
                RunLivenessPhase(root, 0);
                if (root.Violation is { } lv && Matches(settings, target, lv)) { FoundAt = 0; FoundDecisions = []; Active = false; }
            }
            _nodes.Add(new Node { Parent = -1 });
            _layerStart = 0;
            _layerEnd = 1;
        }

        public int Nodes { get; }
        public bool Active { get; private set; } = true;
        public int DepthCompleted { get; private set; }
        public bool Exhausted { get; private set; }
        public bool CutByStates { get; private set; }
        public int FoundAt { get; private set; } = -1;
        public List<int[]>? FoundDecisions { get; private set; }
        public long OtherViolations { get; private set; }
        public int Visited => _visited.Count;
        public int LayerSize => _layerEnd - _layerStart;

        private World? _live;

        /// <summary>A fresh world; the one before it is done with (its nodes release what they hold).</summary>
        private World NewWorld()
        {
            _live?.Dispose();
            return _live = new World(_worldOptions);
        }

        /// <summary>Re-runs the path to node <paramref name="index"/> (depth <paramref name="depth"/>) in a fresh world.</summary>
        private World Reach(int depth)
        {
            World w = NewWorld();
            for (int step = 0; step < depth; step++)
            {
                Node n = _nodes[_path[step]];
                w.Cluster.Checker.Step = step;
                w.ListEnabled(_enabled);
                EnabledEvent e = _enabled[_decisions[n.DecisionStart]];
                _replayAt = n.DecisionStart + 1;
                try { w.Execute(e, _replayChoose); }
                catch (Exception ex) { w.Cluster.Checker.ObserveCoreError(e.Node, ex); }
            }
            w.Cluster.Checker.Step = depth;
            w.ListEnabled(_enabled);
            return w;
        }

        /// <summary>The liveness phase after a schedule of <paramref name="steps"/> steps, as ScheduleRunner runs it.</summary>
        private void RunLivenessPhase(World w, int steps)
        {
            w.StepsRun = steps; // as ScheduleRunner: the liveness phase's steps follow the schedule's
            try { Testing.LivenessPhase.Run(w, _swarm.LivenessPlan(_world)); }
            catch (Exception ex) { w.Cluster.Checker.ObserveCoreError(-1, ex); }
        }

        /// <summary>Moves the data-choice odometer to its next combination; false when every one was tried.</summary>
        private bool NextChoices()
        {
            while (_choiceValue.Count > 0)
            {
                int last = _choiceValue.Count - 1;
                if (_choiceValue[last] + 1 < _choiceCount[last]) { _choiceValue[last]++; return true; }
                _choiceValue.RemoveAt(last);
                _choiceCount.RemoveAt(last);
            }
            return false;
        }

        /// <summary>Generates every child of the current layer (one more step), checking each for the violation.</summary>
        public void ExpandLayer()
        {
            int depth = DepthCompleted;
            int nextStart = _nodes.Count;
            for (int index = _layerStart; index < _layerEnd; index++)
            {
                int at = index;
                for (int d = depth - 1; d >= 0; d--) { _path[d] = at; at = _nodes[at].Parent; }
                World w = Reach(depth);
                int count = _enabled.Count;
                bool fresh = true;
                for (int k = 0; k < count; k++)
                {
                    _choiceValue.Clear();
                    _choiceCount.Clear();
                    do
                    {
                        if (!fresh) w = Reach(depth);
                        fresh = false;
                        EnabledEvent e = _enabled[k];
                        _choicePos = 0;
                        try { w.Execute(e, _enumerateChoose); }
                        catch (Exception ex) { w.Cluster.Checker.ObserveCoreError(e.Node, ex); }
                        if (w.Violation is { } v)
                        {
                            if (Matches(_settings, _target, v)) { Found(index, k, depth + 1); return; }
                            OtherViolations++; // the schedule ends there, as it does in ScheduleRunner
                            continue;
                        }
                        bool done = w.WorkloadDone(); // ScheduleRunner ends a schedule whose workload is done
                        bool isNew = _visited.Add(w.StateHash());
                        if (!isNew && !done) continue;
                        if (_liveness)
                        {
                            // the schedule that stops here: the liveness phase follows (it changes the world, which is discarded)
                            RunLivenessPhase(w, depth + 1);
                            if (w.Violation is { } lv && Matches(_settings, _target, lv)) { Found(index, k, depth + 1); return; }
                        }
                        if (done || !isNew) continue;
                        _nodes.Add(new Node { Parent = index, DecisionStart = _decisions.Count, DecisionCount = 1 + _choiceValue.Count });
                        _decisions.Add(k);
                        for (int c = 0; c < _choiceValue.Count; c++) _decisions.Add(_choiceValue[c]);
                        if (_visited.Count >= _settings.MaxStates)
                        {
                            // the layer is incomplete: only shallower depths were searched in full
                            CutByStates = true;
                            Active = false;
                            return;
                        }
                    }
                    while (NextChoices());
                }
            }
            DepthCompleted = depth + 1;
            _layerStart = nextStart;
            _layerEnd = _nodes.Count;
            if (_layerEnd == _layerStart) { Exhausted = true; Active = false; }
        }

        private void Found(int parent, int eventIndex, int depth)
        {
            var steps = new List<int[]>(depth);
            var choices = new int[1 + _choiceValue.Count];
            choices[0] = eventIndex;
            for (int c = 0; c < _choiceValue.Count; c++) choices[1 + c] = _choiceValue[c];
            for (int at = parent; _nodes[at].Parent >= 0; at = _nodes[at].Parent)
            {
                Node n = _nodes[at];
                steps.Add(_decisions.GetRange(n.DecisionStart, n.DecisionCount).ToArray());
            }
            steps.Reverse();
            steps.Add(choices);
            FoundAt = depth;
            FoundDecisions = steps;
            DepthCompleted = depth - 1;
            Active = false;
        }
    }
}
