using Raft.Model.Exploration;
using System.Globalization;
using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Services;

namespace Raft.Model.Simulation;

/// <summary>
/// The liveness phase (Coyote's hot monitors, checked as TigerBeetle's VOPR does once faults
/// stop): heal every link, restart every crashed node, stop crashing and partitioning, and demand
/// progress within a bound of virtual time.
///
/// <see cref="LivenessModel.Lab"/> (the default) runs the world the 6.824 tester runs after its
/// last heal: every message gets its own delay (labrpc: requests 0–26 ms, long-reordered replies
/// 200–2199 ms), messages sent before the heal are still in flight and arrive at random times,
/// drops may go on for a while, the nodes' randomized election timers race on the clock, and the
/// oracle is the tester's one(): within the bound (10 s) some node that says it is leader accepts
/// a fresh command and every node applies it (retrying other leaders after 2 s, as one() does).
/// All of its randomness comes from the schedule's seed, so replay and shrink reproduce it.
///
/// <see cref="LivenessModel.Fair"/> is the phase of version-1 traces, kept so they replay
/// exactly: oldest message first, no delays, a leader within the bound, then a probe within it again.
/// </summary>
public sealed partial class World
{
    private bool _labLiveness;
    private Rng _liveRng;
    private long _liveDropUntil;
    private long _liveDelivered, _liveDropped, _liveReordered, _liveCampaigns;

    /// <summary>Lab liveness: virtual ms from the heal to one()'s agreement, or -1.</summary>
    public long AgreedAfterMs { get; private set; } = -1;

    /// <summary>Runs the phase; a failure is reported to the checker as a Liveness violation. Returns a summary.</summary>
    public string RunLiveness(int boundMs) => Swarm.Liveness == LivenessModel.Lab ? RunLabLiveness(boundMs) : RunFairLiveness(boundMs);

    /// <summary>The delay of one message sent in the lab liveness phase, or lost (labrpc's rules, from the schedule's seed).</summary>
    private long LiveDelay(in Message m, ref bool lost)
    {
        bool request = m.Type.IsRequest();
        if (Now < _liveDropUntil && _liveRng.Chance(Swarm.LiveDropPerThousand)) { lost = true; _liveDropped++; return 0; }
        long delay = _liveRng.Next(Math.Max(1, Swarm.LiveDelayMs));
        if (!request && Swarm.LiveReorderPerThousand > 0 && _liveRng.Chance(Swarm.LiveReorderPerThousand))
        {
            delay += 200 + _liveRng.Next(1 + _liveRng.Next(2000));
            _liveReordered++;
        }
        if (m.Type == MessageType.RequestVote && m.From != m.To) _liveCampaigns++;
        return delay;
    }

    private string RunLabLiveness(int boundMs)
    {
        FaultsEnabled = false;
        RecordSends = false;
        _links.SetAll(true);
        _liveRng = new Rng(Rng.Derive(_seed, 11));
        long healedAt = Now;
        _liveDropUntil = Swarm.LiveDropMs == int.MaxValue ? long.MaxValue : healedAt + Swarm.LiveDropMs;
        _labLiveness = true;
        Mode = WorldMode.Timed;
        // messages from before the heal are still in the network: each arrives at its own time
        for (int k = 0; k < _pending.Count; k++)
        {
            Pending p = _pending[k];
            bool lost = false;
            long delay = LiveDelay(p.Message, ref lost);
            _pending[k] = p with { Deadline = lost ? -1 : healedAt + delay };
        }
        _pending.RemoveAll(p => p.Deadline < 0);
        for (int i = 0; i < Size; i++)
        {
            if (!Cluster.IsUp(i)) Cluster.Start(i);
            if (_nextTick[i] <= Now) _nextTick[i] = Now + 1 + _liveRng.Next(_tickMs);
        }
        if (Violation is not null) return "safety violation during liveness phase";

        // the tester's one(cmd, all servers, retry=true)
        long deadline = healedAt + boundMs;
        byte[] command = Commands.Int(-1_000_000 - _proposalCounter);
        int starts = 0, attempts = 0, leader = -1;
        long index = -1, proposedAt = 0, clientAt = healedAt, firstLeaderAt = -1;
        while (Violation is null)
        {
            long tick = NextTickTime();
            long message = long.MaxValue;
            int next = -1;
            for (int k = 0; k < _pending.Count; k++)
                if (_pending[k].Deadline < message) { message = _pending[k].Deadline; next = k; }
            long t = Math.Min(Math.Min(tick, message), clientAt);
            if (t > deadline) break;
            if (t != _instant) { _instant = t; _stepsAtThisInstant = 0; }
            if (++_stepsAtThisInstant > 100_000 || _pending.Count > MaxInFlight)
            {
                Cluster.Checker.ObserveLiveness(Enumerable.Range(0, Size).ToArray(), 0, MaxTerm(), _pending.Count > MaxInFlight
                    ? $"message storm: more than {MaxInFlight} messages in flight at {t} ms (a livelock)"
                    : $"message storm: more than 100000 events at {t} ms without time passing (a livelock)");
                break;
            }
            Now = Math.Max(Now, t);
            if (firstLeaderAt < 0 && AnyLeader()) firstLeaderAt = Now;
            if (message == t)
            {
                Pending p = _pending[next];
                _pending.RemoveAt(next);
                _sentThisStep = 0;
                DeliverMessage(p);
                _liveDelivered++;
            }
            else if (tick == t)
            {
                for (int i = 0; i < Size; i++)
                {
                    if (!Cluster.IsUp(i) || _nextTick[i] != t) continue;
                    _nextTick[i] += _tickMs;
                    Cluster.Tick(i);
                }
            }
            else
            {
                if (index > 0 && Now - proposedAt < 2000)
                {
                    if (AgreedEverywhere(index, command))
                    {
                        AgreedAfterMs = Now - healedAt;
                        return string.Create(CultureInfo.InvariantCulture,
                            $"one() agreed at index {index} after {Now - healedAt} ms (first leader after {firstLeaderAt - healedAt} ms, leader {leader}, {attempts} attempt(s), {_liveCampaigns} RequestVotes, {_liveReordered} replies reordered, {_liveDropped} dropped)");
                    }
                    clientAt = Now + 20;
                    continue;
                }
                index = -1;
                for (int si = 0; si < Size; si++)
                {
                    starts = (starts + 1) % Size;
                    if (!Cluster.IsUp(starts)) continue;
                    var r = Cluster.Propose(starts, command);
                    if (r.IsLeader) { index = r.Index; leader = starts; proposedAt = Now; attempts++; break; }
                }
                clientAt = Now + (index > 0 ? 20 : 50);
            }
        }
        if (Violation is not null) return "safety violation during liveness phase";
        int[] missing = index > 0 ? Enumerable.Range(0, Size).Where(i => !Commands.Same(Cluster.Appliers[i].CommandAt(index), command) || Cluster.Appliers[i].LastApplied < index).ToArray()
                                  : Enumerable.Range(0, Size).ToArray();
        string what = attempts == 0
            ? "no node ever accepted the command as leader"
            : string.Create(CultureInfo.InvariantCulture, $"{attempts} attempt(s), last at index {index} via node {leader}; not applied on nodes {string.Join(",", missing)}");
        Cluster.Checker.ObserveLiveness(missing, Math.Max(0, index), MaxTerm(), string.Create(CultureInfo.InvariantCulture,
            $"one() failed to reach agreement within {boundMs} ms after the heal: {what} ({(firstLeaderAt < 0 ? "no leader ever" : $"first leader after {firstLeaderAt - healedAt} ms")}, terms reached {MaxTerm()}, {_liveCampaigns} RequestVotes sent, {_liveReordered} replies reordered, {_liveDropped} messages dropped; nodes {DescribeNodes()})"));
        return "one() failed";
    }

    private bool AnyLeader()
    {
        for (int i = 0; i < Size; i++) if (Cluster.Node(i)?.Role == Role.Leader) return true;
        return false;
    }

    /// <summary>The tester's nCommitted(index) == all servers, with the command being ours.</summary>
    private bool AgreedEverywhere(long index, byte[] command)
    {
        for (int i = 0; i < Size; i++) if (Cluster.Appliers[i].LastApplied < index) return false;
        for (int i = 0; i < Size; i++)
            if (Cluster.Appliers[i].CommandAt(index) is { } applied) return Commands.Same(applied, command);
        return false;
    }

    private string RunFairLiveness(int boundMs)
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

    /// <summary>Messages in flight beyond which the liveness phase is a message storm (a livelock), reported rather than run out of memory.</summary>
    public const int MaxInFlight = 50_000;

    private long _stepsAtThisInstant;
    private long _instant = -1;

    /// <summary>Oldest message first; when none is in flight, the clock moves on.</summary>
    private void StepFairly()
    {
        if (Now != _instant) { _instant = Now; _stepsAtThisInstant = 0; }
        if (++_stepsAtThisInstant > 100_000 || _pending.Count > MaxInFlight)
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
