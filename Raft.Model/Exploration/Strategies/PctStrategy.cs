using Raft.Model.Events;
using Raft.Model.Contract;

namespace Raft.Model.Exploration.Strategies;

/// <summary>
/// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010) over nodes: each node gets
/// a random priority, the highest-priority node with an enabled event runs it (oldest message
/// first, then its timer), and at d−1 change points drawn uniformly from the step range the
/// running node drops to the lowest priority. Finds bugs of depth d with probability at least
/// 1/(n·k^(d−1)). The clock (timed mode) ranks below every node. Not fair.
/// <para>With asynchronous Ready handling each node's storage (the parts of its Ready in hand:
/// persist, send, apply, retake) is a thread of its own, as etcd's storage goroutine is: its
/// priority sits just above or just below its node's (a coin per node), so the node either handles
/// its Ready before its next delivery or takes deliveries while the Ready waits, and a change point
/// demotes the storage thread alone when it ran. Without asynchronous handling nothing is drawn
/// for it, so those schedules are the same as before it existed.</para>
/// </summary>
public sealed class PctStrategy : StrategyBase
{
    private readonly int _depth;
    private int[] _priority = []; // node i: [i]; node i's storage: [n + i]
    private HashSet<int> _changePoints = new();
    private int _lowest;
    private int _nodes;

    public PctStrategy(int depth) => _depth = depth < 1 ? 3 : depth;

    public override string Name => "pct";

    public override void Begin(ulong seed, int maxSteps, SwarmParameters swarm)
    {
        base.Begin(seed, maxSteps, swarm);
        int n = swarm.Nodes;
        _nodes = n;
        _priority = new int[2 * n];
        for (int i = 0; i < n; i++) _priority[i] = i + n; // n..2n-1, shuffled below
        for (int i = n - 1; i > 0; i--)
        {
            int j = Draw(i + 1);
            (_priority[i], _priority[j]) = (_priority[j], _priority[i]);
        }
        _lowest = n - 1;
        _changePoints = new HashSet<int>();
        for (int k = 0; k < _depth - 1; k++) _changePoints.Add(Draw(Math.Max(1, maxSteps)));
        // spread the node priorities apart so that each storage thread fits next to its node's (order unchanged)
        for (int i = 0; i < n; i++) _priority[i] = 4 * _priority[i];
        if (swarm.AsyncReady)
            for (int i = 0; i < n; i++) _priority[n + i] = _priority[i] + (Draw(2) == 0 ? 1 : -1);
    }

    protected override int PickNormal(IReadOnlyList<EnabledEvent> enabled, int step) => Highest(enabled, EventClass.Normal, step);

    protected override int PickTimer(IReadOnlyList<EnabledEvent> enabled, int step) => Highest(enabled, EventClass.Timer, step);

    private int Highest(IReadOnlyList<EnabledEvent> enabled, EventClass cls, int step)
    {
        int best = -1;
        for (int i = 0; i < enabled.Count; i++)
        {
            EnabledEvent e = enabled[i];
            if (e.Class != cls) continue;
            if (best < 0 || Better(e, enabled[best])) best = i;
        }
        if (_changePoints.Contains(step) && enabled[best].Node >= 0)
            _priority[Thread(enabled[best])] = _lowest--;
        return best;
    }

    /// <summary>The thread an event belongs to: its node, or its node's storage for a Ready's part.</summary>
    private int Thread(in EnabledEvent e) => e.IsReadyPart ? _nodes + e.Node : e.Node;

    private bool Better(EnabledEvent a, EnabledEvent b)
    {
        int pa = a.Node >= 0 ? _priority[Thread(a)] : int.MinValue;
        int pb = b.Node >= 0 ? _priority[Thread(b)] : int.MinValue;
        if (pa != pb) return pa > pb;
        // the same storage thread: its part before taking the Ready again
        if (a.IsReadyPart && b.IsReadyPart) return a.Kind != EventKind.Retake && b.Kind == EventKind.Retake;
        // same node: deliver its oldest message before firing its timer
        if (a.Kind == EventKind.Deliver && b.Kind == EventKind.Deliver) return a.MessageId < b.MessageId;
        return a.Kind == EventKind.Deliver && b.Kind != EventKind.Deliver;
    }
}
