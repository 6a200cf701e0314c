using Raft.Model.Simulation;
using System.Diagnostics;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Events;
using Raft.Model.Contract;

namespace Raft.Model.Exploration;

/// <summary>
/// Explicit-state model checking of small configurations: depth-first search over every decision
/// (which event, and any data choice), in the adversarial mode, bounded by depth (--max-steps),
/// the maximum term a candidate may reach (--strategy-parameter, default 2), the proposals and the
/// fault budget. Paths are re-run from the start (the core is pure and cheap), and a canonical
/// state hash prunes a path when its state was already expanded at the same or a smaller depth.
/// Reports the distinct states visited and whether the bounded space was exhausted.
/// </summary>
public static class DfsExplorer
{
    private sealed class DfsStrategy : IStrategy
    {
        public readonly List<(int Choice, int Count)> Frames = new();
        public int Position;

        public string Name => "dfs";
        public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) => Position = 0;
        public int Pick(IReadOnlyList<EnabledEvent> enabled, int step) => Next(enabled.Count);
        public int Choose(int n) => Next(n);

        public bool Replaying => Position < Frames.Count;

        private int Next(int n)
        {
            if (Position < Frames.Count) return Frames[Position++].Choice;
            Frames.Add((0, n));
            Position++;
            return 0;
        }

        /// <summary>Moves to the next unexplored sibling; false when the tree is exhausted.</summary>
        public bool Backtrack(int keep)
        {
            if (Frames.Count > keep) Frames.RemoveRange(keep, Frames.Count - keep);
            while (Frames.Count > 0)
            {
                var (choice, count) = Frames[^1];
                if (choice + 1 < count) { Frames[^1] = (choice + 1, count); return true; }
                Frames.RemoveAt(Frames.Count - 1);
            }
            return false;
        }
    }

    /// <summary>The settings dfs runs with: terms up to its parameter (default 2), no swarm draws, no liveness phase.</summary>
    public static ExploreSettings Effective(ExploreSettings settings) =>
        settings with { StrategyParameter = settings.StrategyParameter > 0 ? settings.StrategyParameter : 2, Swarm = false, Liveness = false };

    public static ExploreReport Run(ExploreSettings settings, CancellationToken cancellation = default)
    {
        var s = Effective(settings);
        var swarm = new SwarmParameters(s.Nodes == 0 ? 3 : s.Nodes, 0, 0, 0, 0, 1,
            s.Faults.Crashes > 0 ? 1 : 0, s.Faults.Partitions > 0 ? 1 : 0, s.Faults.Drops > 0 ? 1 : 0, s.Faults.Duplicates > 0 ? 1 : 0)
        {
            AsyncReady = s.AsyncReady, // every order of a Ready's parts and the inputs between them, when asked for
        };
        ulong seed = ScheduleRunner.ScheduleSeed(s.Seed, 0);
        WorldOptions worldOptions = s.ToWorldOptions(swarm, seed);
        var visited = new Dictionary<ulong, int>();
        var strategy = new DfsStrategy();
        var report = new ExploreReport { Settings = settings, Planned = s.Iterations };
        var clock = Stopwatch.StartNew();
        var enabled = new List<EnabledEvent>();
        bool exhausted = false, partialHash = false;
        int schedules = 0;

        while (schedules < s.Iterations)
        {
            if (s.TimeLimitSeconds > 0 && clock.Elapsed.TotalSeconds > s.TimeLimitSeconds) { report.CutByTimeLimit = true; break; }
            if (cancellation.IsCancellationRequested) { report.Interrupted = true; break; }
            using var world = new World(worldOptions);
            strategy.Begin(seed, s.MaxSteps, swarm);
            int steps = 0;
            bool pruned = false;
            var coverage = new Coverage();
            for (int step = 0; step < s.MaxSteps; step++)
            {
                world.Cluster.Checker.Step = step;
                world.ListEnabled(enabled);
                if (enabled.Count == 0) break;
                if (!strategy.Replaying)
                {
                    ulong h = world.StateHash();
                    if (visited.TryGetValue(h, out int depth) && depth <= step) { pruned = true; break; }
                    visited[h] = step;
                }
                EnabledEvent e = enabled[strategy.Pick(enabled, step)];
                var role = e.Node >= 0 ? world.Cluster.Node(e.Node)?.Role ?? Raft.Core.Node.Role.Follower : Raft.Core.Node.Role.Follower;
                try
                {
                    world.Execute(e, strategy.Choose);
                }
                catch (Exception ex)
                {
                    world.Cluster.Checker.ObserveCoreError(e.Node, ex);
                }
                coverage.Transition(role, e.Kind);
                steps++;
                if (world.Violation is not null || world.WorkloadDone()) break;
            }
            schedules++;
            partialHash |= world.HashIsPartial;
            coverage.AddSchedule(world, steps, hitBound: !pruned && steps == s.MaxSteps, livenessChecked: false);
            report.Coverage.Merge(coverage);
            if (world.Violation is not null)
            {
                report.ViolatingSchedules = 1;
                var decisions = strategy.Frames.Select(f => f.Choice).ToList();
                report.FirstViolation = RecordPath(s, swarm, seed, schedules - 1, decisions);
                break;
            }
            if (!strategy.Backtrack(strategy.Position)) { exhausted = true; break; }
        }
        report.StatesVisited = visited.Count;
        // a hash that cannot see a node's status or a payload's content may have merged states: no claim of exhaustion then
        report.Exhausted = exhausted && !partialHash;
        report.PartialStateHash = partialHash;
        report.Seconds = clock.Elapsed.TotalSeconds;
        return report;
    }

    /// <summary>Re-runs a dfs path with recording, as a replayable trace.</summary>
    private static ScheduleResult RecordPath(ExploreSettings s, SwarmParameters swarm, ulong seed, int iteration, List<int> decisions)
    {
        var flat = new FlatReplay(decisions);
        return ScheduleRunner.Run(s, iteration, seed, flat, record: true, swarm);
    }

    /// <summary>Replays a flat list of decisions (as dfs recorded them, without step boundaries).</summary>
    private sealed class FlatReplay(List<int> decisions) : IStrategy
    {
        private int _next;
        public string Name => "dfs";
        public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) => _next = 0;
        public int Pick(IReadOnlyList<EnabledEvent> enabled, int step) => _next < decisions.Count ? decisions[_next++] : 0;
        public int Choose(int n) => _next < decisions.Count ? decisions[_next++] : 0;
    }
}
