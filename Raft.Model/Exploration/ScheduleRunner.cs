using Raft.Model.Simulation;
using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Events;
using Raft.Model.Invariants;
using Raft.Model.Testing;
using Raft.Model.Contract;

namespace Raft.Model.Exploration;

/// <summary>The outcome of one schedule.</summary>
public sealed class ScheduleResult
{
    /// <summary>The settings the schedule ran under (dfs adjusts some).</summary>
    public required ExploreSettings Settings { get; init; }
    public required int Iteration { get; init; }
    public required ulong Seed { get; init; }
    public required SwarmParameters Swarm { get; init; }
    public int Steps { get; set; }
    public bool HitStepBound { get; set; }
    public Violation? Violation { get; set; }
    /// <summary>The step at which the violation appeared (-1 for none), in the one numbering of the run's steps: the fault phase's, then the liveness phase's.</summary>
    public int ViolationStep { get; set; } = -1;
    public string? LivenessSummary { get; set; }
    /// <summary>Steps the liveness phase ran (after the <see cref="Steps"/> of the fault phase).</summary>
    public int LivenessSteps { get; set; }
    /// <summary>Virtual ms from the liveness phase's stabilisation to one()'s agreement (-1: none), and the bound it had.</summary>
    public long AgreedAfterStableMs { get; set; } = -1;
    public long StableBoundMs { get; set; }
    /// <summary>The verdict on the key-value clients' history at the end of the fault phase (null: no clients, or a violation came first).</summary>
    public Histories.Verdict? Linearizability { get; set; }
    public List<TraceStep>? Trace { get; set; }
    /// <summary>Guided: the plan the schedule ran, the draws it made and the guidance features it reached (null for other strategies).</summary>
    public Guided.SchedulePlan? Plan { get; set; }
    public uint[]? Choices { get; set; }
    public Guided.Feature[]? Features { get; set; }
    public Coverage Coverage { get; } = new();
}

/// <summary>Runs one schedule: the fault phase chosen step by step by a strategy, then (optionally) the liveness phase.</summary>
public static class ScheduleRunner
{
    /// <summary>The seed of schedule <paramref name="iteration"/> of a run: independent of workers, shards and timing.</summary>
    public static ulong ScheduleSeed(ulong runSeed, int iteration) => Rng.Derive(runSeed, (ulong)iteration + 1);

    /// <param name="checkStep">Replay: given each recorded step as it completes, returns why it differs from the
    /// recording (the run then stops with a <see cref="ReplayDivergence"/> at that step), or null.</param>
    /// <param name="onState">Given the world's abstract state (<see cref="AbstractState"/>) before the first step and
    /// after every step of the fault phase, as coverage computes it (Coyote's q-learning learns over it).</param>
    public static ScheduleResult Run(ExploreSettings settings, int iteration, ulong seed, IStrategy strategy, bool record,
        SwarmParameters? swarm = null, Func<TraceStep, string?>? checkStep = null, Action<World>? onWorld = null, Action<ulong>? onState = null)
    {
        swarm ??= SwarmParameters.Draw(settings, seed);
        using World world = new(settings.ToWorldOptions(swarm, seed)); // disposed however the run ends: nodes that hold resources release them
        onWorld?.Invoke(world);
        int maxSteps = swarm.MaxSteps(settings);
        if (maxSteps != settings.MaxSteps) settings = settings with { MaxSteps = maxSteps, ClientStepScaling = false }; // what the trace records and replays with
        strategy.Begin(Rng.Derive(seed, SeedStream.Strategy), maxSteps, swarm);
        Guided.GuidedStrategy? guided = strategy as Guided.GuidedStrategy;
        var result = new ScheduleResult { Settings = settings, Iteration = iteration, Seed = seed, Swarm = swarm, Trace = record ? new List<TraceStep>() : null };
        var enabled = new List<EnabledEvent>();
        var decisions = new List<int>();
        Func<int, int> choose = n =>
        {
            int v = strategy.Choose(n);
            decisions.Add(v);
            return v;
        };

        // the world numbers, checks and records every step (World.RunStep, World.Control); replay compares each as it is recorded
        world.Recording = result.Trace;
        world.RecordSends = record;
        if (checkStep is not null)
            world.OnRecorded = s => { if (checkStep(s) is { } why) throw new ReplayDivergence(s.Step, why); };
        bool completed = false;
        int step = 0;
        // abstract-state coverage of the fault phase: the state before the first step and after every step
        AbstractTracker abstractStates = AbstractTracker.Begin();
        // named situations (Situations.cs): evaluated after every fault-phase step
        SituationTracker situations = SituationTracker.Begin();
        // what follows the world after every fault-phase step (and before the first): abstract states, situations, guidance
        void Observe(int actor)
        {
            abstractStates.Observe(world);
            onState?.Invoke(abstractStates.Last);
            situations.Observe(world);
            guided?.Observe(world, abstractStates.LastCodes, abstractStates.LastHasLeader, situations.Reached, actor);
        }
        Observe(actor: -1);
        for (; step < maxSteps; step++)
        {
            world.StepsRun = step;
            if (strategy is IControlSource source && source.ControlAt(step) is { } control)
            {
                // a recorded tester action (lab traces): it runs as it was recorded, not chosen from the enabled events
                world.Control(control);
                Observe(control.Node);
                if (world.Violation is not null) { result.Violation = world.Violation; result.ViolationStep = step; step++; break; }
                continue;
            }
            world.ListEnabled(enabled);
            if (enabled.Count == 0) { completed = true; break; }
            decisions.Clear();
            int index = strategy.Pick(enabled, step);
            if (index < 0) { completed = true; break; } // the strategy has nothing more to do (a scripted schedule ran out)
            decisions.Add(index);
            EnabledEvent e = enabled[index];
            Role role = e.Node >= 0 ? world.Cluster.Node(e.Node)?.Role ?? Role.Follower : Role.Follower;
            MessageKind type = default;
            if (e.Kind == EventKind.Deliver)
            {
                Envelope delivered = world.MessageOf(e.MessageId); // looked up once: situations and guidance read it before it runs
                type = delivered.Type;
                if (type == MessageKind.InstallSnapshot) situations.SnapshotArriving(world, delivered.To, delivered.Index);
                guided?.Delivering(world, delivered);
            }
            world.RunStep(e, choose, decisions);
            result.Coverage.Transition(role, e.Kind, type);
            Observe(e.Node);
            if (world.Violation is not null)
            {
                result.Violation = world.Violation;
                result.ViolationStep = step;
                step++;
                break;
            }
            if (world.WorkloadDone()) { completed = true; step++; break; }
        }
        abstractStates.Finish(result.Coverage.Abstract);
        result.Coverage.AddSituations(situations.Reached);
        if (guided is not null) { result.Choices = guided.Choices; result.Features = guided.Features; }
        result.Steps = step;
        result.HitStepBound = !completed && result.Violation is null;
        bool liveness = FinishSchedule(world, settings, swarm, result);
        result.Coverage.AddSchedule(world, result.Steps + result.LivenessSteps, result.HitStepBound, liveness, result.AgreedAfterStableMs, result.StableBoundMs, result.LivenessSteps);
        return result;
    }

    /// <summary>
    /// What follows the fault phase of <paramref name="result"/> (its <see cref="ScheduleResult.Steps"/> run on
    /// <paramref name="world"/>): the clients' history is checked, then, with <see cref="ExploreSettings.Liveness"/>
    /// and no violation yet, the liveness phase runs on the same world, its steps recorded after the fault phase's.
    /// Another engine that chose the fault phase's events itself (Raft.Coyote) ends its schedules here too, so its
    /// world and check are the explorer's. Returns whether the liveness phase ran.
    /// </summary>
    public static bool FinishSchedule(World world, ExploreSettings settings, SwarmParameters swarm, ScheduleResult result)
    {
        int step = result.Steps;
        if (result.Violation is null && world.HasClients)
        {
            // the clients' history is checked once the fault phase is over (clients do not act in the liveness phase)
            int last = Math.Max(0, step - 1);
            result.Linearizability = world.CheckLinearizability(last);
            if (result.Linearizability is { } verdict) result.Coverage.AddHistory(verdict, world.LastLinearizability!.History.Count, world.ClientsReadByReadIndex, world.ReadIndexReadsServed, world.Cluster.Options.ReadOnly == ReadOnlyOption.LeaseBased);
            if (world.Violation is not null) { result.Violation = world.Violation; result.ViolationStep = last; }
        }
        bool liveness = result.Violation is null && settings.Liveness;
        if (liveness)
        {
            // the liveness phase runs on the same world and its steps follow the fault phase's, recorded and replayed alike
            world.StepsRun = step;
            world.ReportCoreErrors = true; // a node's exception in the liveness phase is a CoreError at its recorded step
            try
            {
                LivenessOutcome outcome = LivenessPhase.Run(world, swarm.LivenessPlan(settings));
                result.LivenessSummary = outcome.Summary;
                result.AgreedAfterStableMs = outcome.AgreedAfterStableMs;
                result.StableBoundMs = outcome.StableBoundMs;
            }
            catch (Exception ex) when (ex is not ReplayDivergence)
            {
                world.Cluster.Checker.ObserveCoreError(-1, ex);
            }
            if (world.Violation is not null)
            {
                result.Violation = world.Violation;
                result.ViolationStep = world.ViolationStep >= 0 ? world.ViolationStep : world.StepsRun;
            }
            result.LivenessSteps = world.StepsRun - step;
        }
        return liveness;
    }
}
