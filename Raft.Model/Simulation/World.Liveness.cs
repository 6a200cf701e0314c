using Raft.Model.Exploration;
using System.Globalization;
using Raft.Core.Node;
using Raft.Model.Services;

namespace Raft.Model.Simulation;

/// <summary>
/// The liveness phase (Coyote's hot monitors, checked as TigerBeetle's VOPR does once faults
/// stop): heal every link, restart every crashed node, stop injecting faults, run the world
/// fairly in timed mode (oldest message first, timers on the clock), and demand a leader within
/// the bound, then a probe command applied on every node within the bound again.
/// </summary>
public sealed partial class World
{
    /// <summary>Runs the phase; a failure is reported to the checker as a Liveness violation. Returns a summary.</summary>
    public string RunLiveness(int boundMs)
    {
        FaultsEnabled = false;
        _links.SetAll(true);
        Mode = WorldMode.Timed;
        for (int i = 0; i < Size; i++)
        {
            if (!Cluster.IsUp(i)) Cluster.Start(i);
            if (_nextTick[i] < Now) _nextTick[i] = Now + 1 + i;
        }
        long healedAt = Now;
        int leader = RunFairlyUntil(healedAt + boundMs, () => StableLeader());
        if (Violation is not null) return "safety violation during liveness phase";
        if (leader < 0)
        {
            Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(),
                $"no leader within {boundMs} ms after every fault was healed");
            return "no leader";
        }
        long electedAt = Now;
        long probeIndex = -1;
        int proposedTo = -1;
        long deadline = Now + boundMs;
        bool applied = false;
        while (Now <= deadline && Violation is null)
        {
            int current = StableLeader();
            if (current >= 0 && current != proposedTo && !(probeIndex > 0 && AppliedEverywhere(probeIndex)))
            {
                // as the tester's one(): (re)submit to whoever leads now
                var r = Cluster.Propose(current, Commands.Int(-1_000_000 - _proposalCounter));
                if (r.IsLeader) { probeIndex = r.Index; proposedTo = current; }
            }
            if (probeIndex > 0 && AppliedEverywhere(probeIndex)) { applied = true; break; }
            StepFairly();
        }
        if (Violation is not null) return "safety violation during liveness phase";
        if (!applied)
        {
            var missing = Enumerable.Range(0, Size).Where(i => Cluster.Appliers[i].LastApplied < probeIndex).ToArray();
            Cluster.Checker.ObserveLiveness(missing, probeIndex, MaxTerm(),
                $"a command proposed at index {probeIndex} was not applied on nodes {string.Join(",", missing)} within {boundMs} ms of the healed world electing a leader");
            return "probe not applied";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"leader {leader} after {electedAt - healedAt} ms; probe at index {probeIndex} applied everywhere after {Now - electedAt} ms");
    }

    private int RunFairlyUntil(long deadline, Func<int> done)
    {
        while (Now <= deadline && Violation is null)
        {
            int r = done();
            if (r >= 0) return r;
            StepFairly();
        }
        return -1;
    }

    private long _stepsAtThisInstant;
    private long _instant = -1;

    /// <summary>Oldest message first; when none is in flight, the clock moves on.</summary>
    private void StepFairly()
    {
        if (Now != _instant) { _instant = Now; _stepsAtThisInstant = 0; }
        if (++_stepsAtThisInstant > 100_000)
        {
            Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(),
                $"message storm: more than 100000 messages delivered at {Now} ms without time passing (a livelock)");
            return;
        }
        _sentThisStep = 0;
        if (_pending.Count > 0)
        {
            Pending p = _pending[0];
            _pending.RemoveAt(0);
            DeliverMessage(p);
        }
        else
        {
            AdvanceClock();
        }
    }

    private bool AppliedEverywhere(long index)
    {
        for (int i = 0; i < Size; i++) if (Cluster.Appliers[i].LastApplied < index) return false;
        return true;
    }

    /// <summary>A leader of the highest term any node is in, or -1.</summary>
    private int StableLeader()
    {
        long max = MaxTerm();
        for (int i = 0; i < Size; i++)
        {
            IRaftNode? n = Cluster.Node(i);
            if (n is not null && n.Role == Role.Leader && n.Term == max) return i;
        }
        return -1;
    }

    public long MaxTerm()
    {
        long max = 0;
        for (int i = 0; i < Size; i++) max = Math.Max(max, Cluster.Node(i)?.Term ?? Cluster.Disks[i].Term);
        return max;
    }
}
