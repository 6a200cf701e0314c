using Raft.Core.Determinism;
using Raft.Model.Events;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Simulation;
using Raft.Model.Contract;

namespace Raft.Model.Exploration.Guided;

/// <summary>
/// The guided strategy's schedule: one of the blind strategies' rules (<see cref="SchedulePlan.Mode"/>:
/// random, pct or delay-bounded), with every draw that strategy makes taken from a choice
/// sequence. The first <see cref="SchedulePlan.Choices"/> come from the plan (a mutated corpus
/// schedule); once they run out the draws come from the plan's fresh seed. The draws the schedule
/// made are kept (<see cref="Choices"/>), so a schedule that reaches something new can be put in
/// the corpus and mutated in turn, and re-run exactly from its own choices.
/// </summary>
/// <remarks>
/// A draw in [0, n) is the choice's raw 32-bit value scaled to n (raw·n/2³², as the strategies
/// read their seeded source), so a schedule from scratch is exactly the blind strategy's schedule
/// of the same seed, and a value copied from another schedule still means "some choice" when the
/// enabled list differs there, as choice-sequence fuzzers (Hypothesis, Zest) read a mutated sequence. While the schedule runs, the strategy
/// also follows its guidance features (<see cref="Features"/>, <see cref="FeatureTracker"/>), each
/// with the index of the draw before which it was first reached (where a fork of this schedule
/// must cut to keep it).
/// </remarks>
public sealed class GuidedStrategy : IStrategy, IChoiceSource
{
    /// <summary>The blind strategies whose rules a guided schedule follows.</summary>
    public static readonly string[] Modes = ["random", "pct", "delay-bounded"];

    private readonly StrategyBase _rules;
    private readonly uint[] _choices;
    private readonly ulong? _freshSeed;
    private Rng _fresh;
    private uint[] _drawn = new uint[256];
    private int _count;
    private readonly FeatureTracker _features = new();

    /// <param name="plan">The plan to run; null: a schedule from scratch, its draws from the seed <see cref="Begin"/> gets.</param>
    public GuidedStrategy(SchedulePlan? plan = null)
    {
        _choices = plan?.Choices ?? [];
        _freshSeed = plan?.FreshSeed;
        _rules = (StrategyBase)StrategyCatalog.Create(plan?.Mode ?? "random", 0);
        _rules.DrawFrom(this);
    }

    public string Name => "guided";

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm)
    {
        _fresh = new Rng(_freshSeed ?? seed);
        _count = 0;
        _features.Reset();
        _rules.Begin(seed, maxSteps, swarm);
    }

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step) => _rules.Pick(enabled, step);

    public int Choose(int n) => _rules.Choose(n);

    /// <summary>The next draw in [0, n): the plan's next value, or a fresh one.</summary>
    public int Draw(int n)
    {
        uint raw = _count < _choices.Length ? _choices[_count] : (uint)(_fresh.NextUInt64() >> 32);
        if (_count == _drawn.Length) Array.Resize(ref _drawn, _drawn.Length * 2);
        _drawn[_count++] = raw;
        // the random strategy's reading of a draw (Rng.Next): a schedule from scratch is exactly the random strategy's
        return (int)(((ulong)raw * (ulong)n) >> 32);
    }

    /// <summary>The draws made so far, in order.</summary>
    public uint[] Choices => _drawn.AsSpan(0, _count).ToArray();

    /// <summary>A message is about to be delivered: the context it meets is a feature (<see cref="FeatureTracker.Delivering"/>).</summary>
    public void Delivering(World world, in Envelope m) => _features.Delivering(world, m, _count);

    /// <summary>Follows the world after a step (and once before the first): its guidance features and the situations reached so far.</summary>
    /// <param name="actor">The node the step acted on (-1: the network or none): requests in flight to it meet a changed receiver.</param>
    /// <param name="nodeCodes">The world's per-node abstract codes now (<see cref="AbstractState.NodeCodes"/>), and whether the reference is a leader.</param>
    public void Observe(World world, ReadOnlySpan<int> nodeCodes, bool hasLeader, uint situations, int actor) =>
        _features.Observe(world, nodeCodes, hasLeader, situations, actor, _count);

    /// <summary>The schedule's distinct guidance features, each with the draw index at which it was first reached.</summary>
    public Feature[] Features => _features.Distinct();
}

/// <summary>What one guided schedule runs: its world (seed and swarm draw, perhaps mutated), the step bound, the choices to replay first, and where further draws come from.</summary>
/// <param name="Origin">How the plan was made (fresh, fork, havoc, splice, fault, delete, or corpus: a loaded schedule run again), for the statistics.</param>
/// <param name="Mode">Which blind strategy's rules read the draws (<see cref="GuidedStrategy.Modes"/>).</param>
public sealed record SchedulePlan(ulong WorldSeed, SwarmParameters Swarm, int MaxSteps, uint[] Choices, ulong FreshSeed, string Origin, string Mode = "random")
{
    /// <summary>A schedule of a loaded corpus run again: its index there; -1 otherwise.</summary>
    public int FromCorpus { get; init; } = -1;
}
