using Raft.Core.Determinism;

namespace Raft.Model.Exploration.Guided;

/// <summary>
/// How the guided strategy makes a schedule from a corpus entry. Every mutation keeps the entry's
/// world (seed and swarm draw) and edits its choice sequence; draws past the edited sequence come
/// fresh, so every child extends its parent:
/// <list type="bullet">
/// <item><b>fork</b>: the parent's choices up to a cut (half the time just past the point where it
/// reached something new), then fresh ones: the same path into the new state, another way on.</item>
/// <item><b>havoc</b>: the parent's choices with one to four changed (another delivery first, a timer
/// instead of a message, another partition): deliveries reordered, timers varied.</item>
/// <item><b>splice</b>: a prefix of the parent and a suffix of another entry.</item>
/// <item><b>fault</b>: at that point (or anywhere), draws that make the next step a fault
/// (the fault coin's lowest value, then a fault kind and target) are inserted.</item>
/// <item><b>delete</b>: a run of the parent's choices removed, so what followed happens earlier.</item>
/// </list>
/// Besides, now and then the child's timers are redrawn (within the swarm's ranges), its rates of
/// faults, timers and proposals redrawn, and (depth where it pays) a parent that used its whole
/// step bound gets a child with twice the bound. (Children with more proposals were tried too:
/// they found older-snapshot-installed half as often and nothing else more often, so they are out.)
/// </summary>
public static class Mutations
{
    /// <summary>The deepest step bound a child may get, as a multiple of the run's --max-steps.</summary>
    public const int MaxDepthFactor = 4;

    /// <param name="novelty">The draw index before which <paramref name="parent"/> first reached something new (where forks cut and faults go).</param>
    public static SchedulePlan Mutate(ExploreSettings settings, IReadOnlyList<CorpusEntry> corpus, CorpusEntry parent, int novelty, ref Rng rng, ulong fresh)
    {
        uint[] p = parent.Choices;
        novelty = Math.Min(novelty, p.Length);
        uint[] c;
        string origin;
        int roll = rng.Next(100);
        if (roll < 40)
        {
            origin = "fork";
            int cut = rng.Next(2) == 0 ? Math.Min(p.Length, novelty + rng.Next(0, 64)) : rng.Next(p.Length + 1);
            c = p[..cut];
        }
        else if (roll < 65)
        {
            origin = "havoc";
            c = (uint[])p.Clone();
            if (c.Length > 0)
            {
                int times = 1 + rng.Next(4);
                for (int k = 0; k < times; k++)
                {
                    // mostly after the novelty point: the path into the new state stays
                    int from = rng.Next(4) == 0 || novelty >= c.Length ? 0 : novelty;
                    c[from + rng.Next(c.Length - from)] = Raw(ref rng);
                }
            }
        }
        else if (roll < 80)
        {
            origin = "splice";
            uint[] q = corpus[rng.Next(corpus.Count)].Choices;
            int a = rng.Next(p.Length + 1), b = rng.Next(q.Length + 1);
            c = [.. p.AsSpan(0, a), .. q.AsSpan(b)];
        }
        else if (roll < 90)
        {
            origin = "fault";
            int at = rng.Next(2) == 0 ? novelty : rng.Next(p.Length + 1);
            c = [.. p.AsSpan(0, at), 0u, Raw(ref rng), Raw(ref rng), .. p.AsSpan(at)];
        }
        else
        {
            origin = "delete";
            int at = rng.Next(p.Length + 1);
            int length = Math.Min(p.Length - at, 1 + rng.Next(24));
            c = [.. p.AsSpan(0, at), .. p.AsSpan(at + length)];
        }

        SwarmParameters swarm = parent.Swarm;
        int maxSteps = parent.MaxSteps;
        if (rng.Next(8) == 0) swarm = Retime(settings, swarm, ref rng);
        if (rng.Next(8) == 0)
            swarm = swarm with
            {
                FaultPerThousand = rng.Next(0, 300),
                TimerPerThousand = rng.Next(10, 250),
                ProposePerThousand = rng.Next(20, 300),
            };
        if (parent.HitStepBound && maxSteps < MaxDepthFactor * settings.MaxSteps && rng.Next(4) == 0) maxSteps *= 2;
        return new SchedulePlan(parent.WorldSeed, swarm, maxSteps, c, fresh, origin, parent.Mode);
    }

    private static uint Raw(ref Rng rng) => (uint)(rng.NextUInt64() >> 32);

    /// <summary>The core's heartbeat and election timeouts redrawn in the swarm's ranges (when the swarm draws them).</summary>
    private static SwarmParameters Retime(ExploreSettings settings, SwarmParameters swarm, ref Rng rng)
    {
        if (swarm.Raft is not { } raft) return swarm;
        (int heartbeat, int election) = SwarmParameters.DrawTimers(ref rng);
        swarm = swarm with { Raft = raft with { HeartbeatTicks = heartbeat, ElectionTicks = election } };
        return raft.ReadOnly == Raft.Core.Node.ReadOnlyOption.LeaseBased ? SwarmParameters.WithLease(swarm, swarm.ClockDriftPerMille) : swarm; // the drift bound follows the election timeout
    }
}
