using Raft.Core.Determinism;
using Raft.Model.Events;

namespace Raft.Model.Exploration.Strategies;

/// <summary>
/// What the randomized strategies share: a seeded source, and the swarm-weighted decision of
/// whether this step injects a fault or runs the workload, before the strategy orders the
/// system's own events its way.
/// </summary>
public abstract class StrategyBase : IStrategy
{
    private readonly List<int> _scratch = new();
    protected Rng Rng;
    protected SwarmParameters Swarm = null!;
    protected int MaxSteps;

    public abstract string Name { get; }

    public virtual void Begin(ulong seed, int maxSteps, SwarmParameters swarm)
    {
        Rng = new Rng(seed);
        Swarm = swarm;
        MaxSteps = maxSteps;
    }

    public int Choose(int n) => n <= 1 ? 0 : Draw(n);

    private IChoiceSource? _source;

    /// <summary>
    /// Every random decision of the strategy (<see cref="Begin"/>'s, <see cref="Pick"/>'s and
    /// <see cref="Choose"/>'s) is one draw in [0, n): from the seeded source, or from
    /// <see cref="DrawFrom"/>'s (the guided strategy's choice sequence).
    /// </summary>
    protected int Draw(int n) => _source is null ? Rng.Next(n) : _source.Draw(n);

    /// <summary>Takes every draw from <paramref name="source"/> instead of the seeded source (set before <see cref="Begin"/>).</summary>
    public void DrawFrom(IChoiceSource source) => _source = source;

    /// <summary>True with probability <paramref name="perThousand"/>/1000 (one draw).</summary>
    protected bool Coin(int perThousand) => _source is null ? Rng.Next(1000) < perThousand : _source.Coin(perThousand);

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        _source?.StepBegins();
        if (Has(enabled, EventClass.Fault) && Coin(Swarm.FaultPerThousand)) return PickFault(enabled);
        if (Has(enabled, EventClass.Client) && Coin(Swarm.ProposePerThousand)) return PickClient(enabled);
        bool normal = Has(enabled, EventClass.Normal);
        // a quiet moment (nothing in flight) is when clients act, as often as timers fire: in the adversarial
        // mode a timer firing is a whole timeout passing, so otherwise few requests would ever meet a leader
        if (!normal && HasClientRequest(enabled) && Draw(2) == 0) return PickClient(enabled);
        // timers may fire at any step, but (as Coyote's mock timers) only now and then, or when nothing else can run
        if (Has(enabled, EventClass.Timer) && (!normal || Coin(Swarm.TimerPerThousand))) return PickTimer(enabled, step);
        if (normal) return PickNormal(enabled, step);
        return Draw(enabled.Count);
    }

    /// <summary>Which node's timer fires; uniform unless a strategy orders nodes.</summary>
    protected virtual int PickTimer(IReadOnlyList<EnabledEvent> enabled, int step) =>
        Uniform(enabled, e => e.Class == EventClass.Timer);

    /// <summary>Orders the system's own events (deliveries, timers, the clock); only Normal-class indexes may be returned.</summary>
    protected abstract int PickNormal(IReadOnlyList<EnabledEvent> enabled, int step);

    protected static bool Has(IReadOnlyList<EnabledEvent> enabled, EventClass c)
    {
        for (int i = 0; i < enabled.Count; i++) if (enabled[i].Class == c) return true;
        return false;
    }

    /// <summary>A uniformly chosen index among the events matching <paramref name="match"/> (there must be one).</summary>
    protected int Uniform(IReadOnlyList<EnabledEvent> enabled, Func<EnabledEvent, bool> match)
    {
        _scratch.Clear();
        for (int i = 0; i < enabled.Count; i++) if (match(enabled[i])) _scratch.Add(i);
        return _scratch[Draw(_scratch.Count)];
    }

    private int PickFault(IReadOnlyList<EnabledEvent> enabled)
    {
        // weight each fault kind (not each event), so forty pending messages do not make drops forty times likelier
        Span<int> weight = stackalloc int[32];
        int total = 0;
        for (int i = 0; i < enabled.Count; i++)
        {
            EnabledEvent e = enabled[i];
            if (e.Class != EventClass.Fault || weight[(int)e.Kind] != 0) continue;
            int w = e.Kind switch
            {
                EventKind.Crash => Swarm.CrashWeight,
                EventKind.Partition or EventKind.IsolateLeader => Swarm.PartitionWeight,
                EventKind.Drop => Swarm.DropWeight,
                EventKind.Duplicate => Swarm.DuplicateWeight,
                _ => 2, // restart and heal: recovery is always possible
            };
            weight[(int)e.Kind] = Math.Max(1, w);
            total += weight[(int)e.Kind];
        }
        int roll = Draw(total);
        EventKind kind = EventKind.Heal;
        for (int k = 0; k < weight.Length; k++)
        {
            if (weight[k] == 0) continue;
            if (roll < weight[k]) { kind = (EventKind)k; break; }
            roll -= weight[k];
        }
        return Uniform(enabled, e => e.Kind == kind);
    }

    private static bool HasClientRequest(IReadOnlyList<EnabledEvent> enabled)
    {
        for (int i = 0; i < enabled.Count; i++) if (enabled[i].Kind is EventKind.ClientSend or EventKind.ClientReply) return true;
        return false;
    }

    private int PickClient(IReadOnlyList<EnabledEvent> enabled)
    {
        // key-value clients (only in schedules that have them): half of the workload's turns, when they can act
        // an answer waiting for its client is taken first: it is the service's reply, already on its way
        bool anyClient = false, anyReply = false;
        foreach (EnabledEvent e in enabled)
        {
            if (e.Kind is EventKind.ClientSend or EventKind.ClientReply) anyClient = true;
            if (e.Kind == EventKind.ClientReply) anyReply = true;
        }
        if (anyClient)
        {
            bool others = false;
            foreach (EnabledEvent e in enabled) if (e.Kind is EventKind.Propose or EventKind.Snapshot) { others = true; break; }
            if (!others || Draw(2) == 0)
                return anyReply ? Uniform(enabled, e => e.Kind == EventKind.ClientReply) : Uniform(enabled, e => e.Kind == EventKind.ClientSend);
        }
        bool snapshot = Has(enabled, EventClass.Client) && Coin(Math.Min(900, Swarm.SnapshotPerThousand * 5));
        bool anySnapshot = false, anyPropose = false;
        foreach (EnabledEvent e in enabled)
        {
            if (e.Kind == EventKind.Snapshot) anySnapshot = true;
            if (e.Kind == EventKind.Propose) anyPropose = true;
        }
        EventKind kind = (snapshot && anySnapshot) || !anyPropose ? EventKind.Snapshot : EventKind.Propose;
        return Uniform(enabled, e => e.Kind == kind);
    }
}

/// <summary>Where a strategy's draws come from when not from its own seeded source: a value in [0, n) per call.</summary>
public interface IChoiceSource
{
    int Draw(int n);

    /// <summary>True with probability <paramref name="perThousand"/>/1000; by default one draw in [0, 1000), as the seeded source makes it.</summary>
    bool Coin(int perThousand) => Draw(1000) < perThousand;

    /// <summary>
    /// A step begins: the strategy is about to pick its event (every draw until the next call belongs to
    /// this step: the pick's, then the event's data choices). A source that answers a whole step from one
    /// outside choice makes that choice here; by default nothing happens.
    /// </summary>
    void StepBegins() { }
}
