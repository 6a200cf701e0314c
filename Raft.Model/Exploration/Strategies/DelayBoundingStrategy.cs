using Raft.Model.Events;
using Raft.Model.Contract;

namespace Raft.Model.Exploration.Strategies;

/// <summary>
/// Delay-bounded scheduling (Emmi, Qadeer, Rakamarić, POPL 2011): a deterministic default
/// scheduler delivers the oldest message first and fires timers round-robin when nothing is in
/// flight; at up to k delay points drawn from the step range it skips the default choice and
/// takes a random other one instead. Few deviations from FIFO are enough to reach deep message
/// reorderings that uniform random choice rarely hits. Not fair.
/// </summary>
public sealed class DelayBoundingStrategy : StrategyBase
{
    private readonly int _delays;
    private HashSet<int> _delayPoints = new();
    private int _nextTimer;

    public DelayBoundingStrategy(int delays) => _delays = delays < 1 ? 4 : delays;

    public override string Name => "delay-bounded";

    public override void Begin(ulong seed, int maxSteps, SwarmParameters swarm)
    {
        base.Begin(seed, maxSteps, swarm);
        _delayPoints = new HashSet<int>();
        for (int k = 0; k < _delays; k++) _delayPoints.Add(Draw(Math.Max(1, maxSteps)));
        _nextTimer = Draw(swarm.Nodes);
    }

    protected override int PickNormal(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        int first = OldestOrClock(enabled);
        if (!_delayPoints.Contains(step)) return first;
        int normals = 0;
        for (int i = 0; i < enabled.Count; i++) if (enabled[i].Class == EventClass.Normal) normals++;
        if (normals < 2) return first;
        int target = first;
        while (target == first) target = Uniform(enabled, e => e.Class == EventClass.Normal);
        return target;
    }

    /// <summary>Timers fire round-robin, starting where the last one left off.</summary>
    protected override int PickTimer(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        int bestIndex = -1, bestDistance = int.MaxValue, n = Swarm.Nodes;
        for (int i = 0; i < enabled.Count; i++)
        {
            if (enabled[i].Kind != EventKind.Timeout) continue;
            int d = ((enabled[i].Node - _nextTimer) % n + n) % n;
            if (d < bestDistance) { bestDistance = d; bestIndex = i; }
        }
        _nextTimer = (enabled[bestIndex].Node + 1) % n;
        return bestIndex;
    }

    /// <summary>
    /// The default order, first in first out: the oldest work, a message in flight or a part of a
    /// Ready in hand (asynchronous handling), ordered by age (a Ready taken before a message was
    /// sent is older; see <see cref="EnabledEvent"/>); else the clock. Taking a Ready again is never
    /// the default: it happens only at a delay point.
    /// </summary>
    private static int OldestOrClock(IReadOnlyList<EnabledEvent> enabled)
    {
        int oldest = -1, clock = -1;
        for (int i = 0; i < enabled.Count; i++)
        {
            EnabledEvent e = enabled[i];
            bool work = e.Kind == EventKind.Deliver || (e.IsReadyPart && e.Kind != EventKind.Retake);
            if (work && (oldest < 0 || Older(e, enabled[oldest]))) oldest = i;
            if (e.Kind == EventKind.Advance) clock = i;
        }
        return oldest >= 0 ? oldest : clock >= 0 ? clock : FirstNormal(enabled);
    }

    /// <summary>A message with the id a Ready's age names was sent after the Ready was taken: at equal values the Ready's part is older.</summary>
    private static bool Older(in EnabledEvent a, in EnabledEvent b) =>
        a.MessageId < b.MessageId || (a.MessageId == b.MessageId && a.IsReadyPart && !b.IsReadyPart);

    private static int FirstNormal(IReadOnlyList<EnabledEvent> enabled)
    {
        for (int i = 0; i < enabled.Count; i++) if (enabled[i].Class == EventClass.Normal) return i;
        return -1;
    }
}
