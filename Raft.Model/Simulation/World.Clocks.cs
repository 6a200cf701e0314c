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
/// no clock ever leaves the bound.
/// </summary>
public sealed partial class World
{
    private int[]? _clockCarry; // per node: the fraction of a tick accumulated (per mille); null without a shared clock

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
                _clockCarry![i] += 1000 + (i == fastest ? drift : -drift);
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
