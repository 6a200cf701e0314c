using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Contract;
using Raft.Model.Events;

namespace Raft.Model.Simulation;

/// <summary>
/// Clocks with bounded drift, for lease reads in adversarial mode (<see cref="WorldOptions.SharedClock"/>).
/// There a timer event normally runs one node's timer until it acts, so one node's clock may race
/// arbitrarily far ahead of another's, and no lease can be safe. With a shared clock every timer
/// event advances real time instead, until some node acts: the event's node ticks at 1 + ρ of real
/// time and every other up node at 1 − ρ (ρ = <see cref="WorldOptions.ClockDriftPerMille"/>/1000),
/// the bound's extremes. The adversary still chooses when time passes relative to messages, crashes
/// and partitions, and, interval by interval, whose clock runs fast: by firing the followers'
/// timers in turn it runs every follower faster than the leader, where a lease is most at risk;
/// no clock ever leaves the bound. A leader the adversary cut off (<see cref="EventKind.IsolateLeader"/>)
/// is the lease's worst case, and the adversary plays it fully: until the network next changes, that
/// node's clock runs at 1 − ρ and every other at 1 + ρ, whichever timer event passes the time.
/// </summary>
public sealed partial class World
{
    private int[]? _clockCarry; // per node: the fraction of a tick accumulated (per mille); null without a shared clock
    private int _slowClock = -1; // the isolated leader whose clock runs slowest until the network changes; -1: none
    private bool _driftingClocks;  // lease reads with clocks that may drift (either mode)
    private long[]? _tickCarryUs;  // timed mode with drifting clocks: per node, the fraction of a millisecond its next tick is due after (µs)

    /// <summary>
    /// Timed mode: when node <paramref name="i"/>, ticking at <paramref name="t"/>, ticks next. Clocks keep
    /// real time, except while the adversary has cut off a leader: then that node's clock runs at
    /// 1 − ρ and every other at 1 + ρ, as in adversarial mode, so its period is TickMs/(1 ∓ ρ).
    /// </summary>
    private long NextTickAfter(int i, long t)
    {
        if (_tickCarryUs is null || _slowClock < 0) return t + _tickMs;
        int rate = 1000 + (i == _slowClock ? -Options.ClockDriftPerMille : Options.ClockDriftPerMille);
        _tickCarryUs[i] += _tickMs * 1_000_000L / rate;
        long whole = _tickCarryUs[i] / 1000;
        _tickCarryUs[i] -= whole * 1000;
        return t + Math.Max(1, whole);
    }

    private void StartSharedClock(WorldOptions options)
    {
        var rng = new Rng(Rng.Derive(options.Seed, SeedStream.ClockPhases));
        _clockCarry = new int[Size];
        for (int i = 0; i < Size; i++) _clockCarry[i] = rng.Next(1000); // each clock's phase
    }

    /// <summary>Real time passes, one tick's worth at a time, until some node acts (or the longest election timeout passed).</summary>
    private StepOutcome FireSharedClock(int fastest)
    {
        // the adversary's clocks: the timer event's node runs at the top of the bound, every other at the bottom
        int drift = Options.ClockDriftPerMille;
        int limit = 2 * Cluster.Options.ElectionTicks + Cluster.Options.HeartbeatTicks;
        long taken = Cluster.ReadiesTaken;
        Span<long> terms = stackalloc long[Size];
        Span<int> roles = stackalloc int[Size];
        for (int i = 0; i < Size; i++)
        {
            IRaftNode? n = Cluster.Node(i);
            terms[i] = n?.Term ?? -1;
            roles[i] = n is null ? -1 : (int)n.Role;
        }
        int ticks = 0;
        while (ticks < limit)
        {
            ticks++;
            for (int i = 0; i < Size; i++)
            {
                if (!Cluster.IsUp(i)) continue;
                bool fast = _slowClock >= 0 ? i != _slowClock : i == fastest;
                _clockCarry![i] += 1000 + (fast ? drift : -drift);
                while (_clockCarry[i] >= 1000 && Cluster.IsUp(i))
                {
                    _clockCarry[i] -= 1000;
                    Cluster.Tick(i);
                }
            }
            if (_sentThisStep > 0 || Cluster.ReadiesTaken != taken || Violation is not null) break;
            bool changed = false;
            for (int i = 0; i < Size && !changed; i++)
            {
                IRaftNode? n = Cluster.Node(i);
                changed = (n?.Term ?? -1) != terms[i] || (n is null ? -1 : (int)n.Role) != roles[i];
            }
            if (changed) break;
        }
        return StepOutcome.Ticked(ticks);
    }
}
