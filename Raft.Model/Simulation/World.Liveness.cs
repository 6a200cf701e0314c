using System.Globalization;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// The world's side of the liveness phase (driven by <c>Raft.Model.Testing.LivenessPhase</c>): the
/// control steps <see cref="ControlOp.Heal"/>, <see cref="ControlOp.Stabilise"/> and
/// <see cref="ControlOp.Deadline"/>. Faults stop at the heal and the world runs under labrpc
/// timing on the one network, first with the adversary's unstable parameters, then, from the
/// stabilisation, with delays bounded far below the election timeout and nothing lost. Every
/// event of the phase is a step, recorded like any other.
/// </summary>
public sealed partial class World
{
    /// <summary>Virtual time of the liveness phase's heal, or -1 before it.</summary>
    public long HealedAt { get; private set; } = -1;

    /// <summary>Virtual time at which the liveness phase's network became stable, or -1 before.</summary>
    public long StabilisedAt { get; private set; } = -1;

    /// <summary>
    /// Heal: no more faults, every link up and every node connected, labrpc timing from now on under
    /// <paramref name="network"/>; messages still in flight get a fate under it (they may still be
    /// late, reordered or lost), and every live node's clock ticks from a random phase. Every Ready
    /// still in hand (asynchronous handling) is finished first, and output is handled synchronously
    /// from then on, as the lab handles it.
    /// </summary>
    private StepOutcome HealForLiveness(NetworkOptions network)
    {
        Cluster.FinishReadies();
        FaultsEnabled = false;
        Mode = WorldMode.Lab;
        HealedAt = Now;
        Network.Use(network);
        Network.HealAll();
        _slowClock = -1;
        int kept = 0;
        for (int k = 0; k < _pending.Count; k++)
        {
            Pending p = _pending[k];
            long delay = Network.Fate(p.Message, ref _netRng);
            if (delay < 0) { Consumed(p); continue; }
            _pending[kept++] = p with { Due = Now + delay, Seq = _seq++, Deadline = long.MaxValue };
        }
        int lost = _pending.Count - kept;
        _pending.RemoveRange(kept, lost);
        _backlogSteps = 2 * kept;
        for (int i = 0; i < Size; i++)
        {
            if (!Cluster.IsUp(i)) continue;
            if (_nextTick[i] <= Now) _nextTick[i] = Now + 1 + _netRng.Next(_tickMs);
            _tickSeq[i] = _seq++;
        }
        return StepOutcome.Healed(_pending.Count, lost);
    }

    /// <summary>
    /// Stabilise: from now on <paramref name="network"/> (bounded delays, nothing lost); messages in
    /// flight that were due later than its bound arrive within it (partial synchrony's global
    /// stabilisation time: after it, every message arrives within the bound).
    /// </summary>
    private StepOutcome Stabilise(NetworkOptions network, long electionWindowMs)
    {
        StabilisedAt = Now;
        _electionWindowMs = electionWindowMs;
        _lastElectionProgress = Now;
        Network.Use(network);
        int bound = network.Reliable ? 0 : network.UnreliableMaxDelayMs - 1;
        int retimed = 0;
        for (int k = 0; k < _pending.Count; k++)
        {
            Pending p = _pending[k];
            if (p.Due <= Now + bound) continue;
            _pending[k] = p with { Due = Now + _netRng.Next(bound + 1) };
            retimed++;
        }
        return StepOutcome.Retimed(retimed);
    }

    private long _electionWindowMs, _lastElectionProgress;

    private long[]? _grantedAt;

    /// <summary>
    /// Figure 2's timer rule, watched on the wire from the heal on (every clock then ticks every
    /// tick): a node that grants its vote restarts its election timer, so it cannot campaign until
    /// its shortest election timeout (ElectionTicks ticks) has passed since — at the earliest
    /// ElectionTicks−1 ticks later, the first tick coming at once. A RequestVote sooner is a Liveness
    /// violation at that step: a node that campaigns right after voting splits the elections it
    /// should let finish. Crashes stop at the heal, so a node's timer is never fresh in between.
    /// </summary>
    private void WatchTimerRestarts(in Envelope m)
    {
        _grantedAt ??= Enumerable.Repeat(-1L, Size).ToArray();
        if (m.Type == MessageKind.RequestVoteResponse && !m.Reject) { _grantedAt[m.From] = Now; return; }
        if (m.Type != MessageKind.RequestVote || _grantedAt[m.From] < 0 || Violation is not null) return;
        long earliest = _grantedAt[m.From] + (long)(Cluster.Options.ElectionTicks - 1) * _tickMs;
        if (Now >= earliest) return;
        Cluster.Checker.ObserveLiveness([m.From], m.Index, m.Term, string.Create(CultureInfo.InvariantCulture,
            $"node {m.From} campaigned for term {m.Term} at {Now} ms, {Now - _grantedAt[m.From]} ms after it granted a vote at {_grantedAt[m.From]} ms: granting a vote restarts the election timer (Figure 2), so its shortest timeout of {Cluster.Options.ElectionTicks} ticks of {_tickMs} ms cannot have elapsed before {earliest} ms"));
    }

    /// <summary>
    /// Election progress, watched on the wire once the network is stable: a message that restarts
    /// (or may restart) the election timer of a node whose log is the most up-to-date — a RequestVote
    /// from a node whose log is at least as up-to-date as every node's durable log (it could win,
    /// §5.4.1; a most up-to-date node grants its vote only to such a candidate), or any leader's
    /// AppendEntries, InstallSnapshot, heartbeat or TimeoutNow (a follower restarts its timer on
    /// hearing a leader of its term or a later one; a deposed leader's messages count too, so the
    /// window never blames the cluster for a timer a leader legitimately restarted). An
    /// implementation whose leader heartbeats with a message of its own (etcd's MsgHeartbeat) is
    /// heard through it; with Pre-Vote, a node campaigns with its poll first (PreVote), under the
    /// same up-to-date test as a RequestVote.
    /// </summary>
    private void WatchElectionProgress(in Envelope m)
    {
        if (m.Type is MessageKind.RequestVote or MessageKind.PreVote)
        {
            bool upToDate = true;
            for (int i = 0; i < Size; i++)
            {
                Storage.Disk d = Cluster.Disks[i];
                if (m.LogTerm < d.LastTerm || (m.LogTerm == d.LastTerm && m.Index < d.LastIndex)) { upToDate = false; break; }
            }
            // Only a candidate that could win restarts the window. A stale candidate that raises a most
            // up-to-date node's term does not: Figure 2 restarts the timer on hearing the leader and on
            // granting a vote, not on adopting a higher term. An implementation that also restarts it
            // then (etcd 3.4's becomeFollower) lets candidates that cannot win hold back the one that
            // can, which this oracle reports (docs/etcd.md); that is the catalog's timer-reset-on-step-down.
            if (upToDate) _lastElectionProgress = Now;
        }
        else if (m.Type is MessageKind.AppendEntries or MessageKind.InstallSnapshot or MessageKind.Heartbeat or MessageKind.TimeoutNow)
        {
            _lastElectionProgress = Now;
        }
    }

    /// <summary>
    /// The election-progress oracle (after stabilisation): a correct node whose log is the most
    /// up-to-date restarts its election timer only when it campaigns, grants its vote to a candidate
    /// at least as up-to-date, or hears a leader (§5.2, Figure 2); a higher term alone does not
    /// restart it. So when no leader speaks it campaigns within one longest election timeout. A
    /// stable cluster that goes a whole window (that timeout, plus a heartbeat, a round trip and two
    /// ticks of margin) without such a RequestVote or any leader's message has held that node's
    /// timer back: a Liveness violation at this step, naming the nodes whose logs could win.
    /// </summary>
    private void CheckElectionProgress()
    {
        if (_electionWindowMs <= 0 || Violation is not null || Now - _lastElectionProgress <= _electionWindowMs) return;
        var best = new List<int>();
        long bestTerm = -1, bestIndex = -1;
        for (int i = 0; i < Size; i++)
        {
            Storage.Disk d = Cluster.Disks[i];
            if (d.LastTerm > bestTerm || (d.LastTerm == bestTerm && d.LastIndex > bestIndex)) { best.Clear(); bestTerm = d.LastTerm; bestIndex = d.LastIndex; }
            if (d.LastTerm == bestTerm && d.LastIndex == bestIndex) best.Add(i);
        }
        Cluster.Checker.ObserveLiveness(best.ToArray(), bestIndex, MaxDurableTerm(), string.Create(CultureInfo.InvariantCulture,
            $"no election progress for {Now - _lastElectionProgress} ms on a stable network (window {_electionWindowMs} ms: the longest election timeout, a heartbeat and a round trip): no leader sent AppendEntries or a heartbeat and nodes {string.Join(",", best)}, whose logs (last {bestIndex}/t{bestTerm}) could win, did not campaign in that window; a node that hears no leader and grants no vote campaigns within one election timeout (§5.2) (nodes {DescribeNodes()})"));
    }

    private long MaxDurableTerm()
    {
        long max = 0;
        for (int i = 0; i < Size; i++) max = Math.Max(max, Cluster.Disks[i].Term);
        return max;
    }

    /// <summary>
    /// The liveness oracle's verdict, decided from what the world observes: the tester's one()
    /// gave up on <paramref name="command"/>; unless every node has applied it by now at the index
    /// of one()'s last attempt (the index config.go's one() polls nCommitted for), that is a
    /// Liveness violation naming the nodes that have not. A copy from an earlier attempt does not
    /// count: one() re-proposes on every retry, so a cluster that commits an entry everywhere only
    /// once a later entry arrives (a commit index that never reaches followers on its own) would
    /// have every earlier copy applied everywhere while never agreeing on the current one.
    /// Without an accepted attempt, any index counts.
    /// </summary>
    private StepOutcome Deadline(byte[] command, long boundMs)
    {
        var missing = new List<int>();
        long index = -1;
        long last = Commands.Same(_lastAccepted.Command, command) ? _lastAccepted.Index : -1;
        for (int i = 0; i < Size; i++)
        {
            long at = last > 0
                ? (Commands.Same(Cluster.Appliers[i].CommandAt(last), command) ? last : -1)
                : Cluster.Appliers[i].IndexOf(command);
            if (at < 0) missing.Add(i);
            else index = at;
        }
        if (missing.Count == 0) return new StepOutcome(OutcomeKind.AppliedEverywhere);
        long since = StabilisedAt >= 0 ? StabilisedAt : Now;
        Cluster.Checker.ObserveLiveness(missing.ToArray(), Math.Max(0, index), MaxTerm(), string.Create(CultureInfo.InvariantCulture,
            $"one() failed to reach agreement: {Now - since} ms after the network stabilised (bound {boundMs} ms, from the timers and cluster size), {Commands.Show(command)} is not applied on nodes {string.Join(",", missing)} ({(index > 0 ? $"applied at index {index} elsewhere" : last > 0 ? $"applied nowhere at index {last}, one()'s last attempt" : "applied nowhere")}; terms reached {MaxTerm()}; nodes {DescribeNodes()})"));
        return new StepOutcome(OutcomeKind.NotApplied, Count: missing.Count);
    }

    /// <summary>Messages in flight beyond which labrpc timing is a message storm (a livelock), reported rather than run out of memory.</summary>
    public const int MaxInFlight = 50_000;

    public long MaxTerm()
    {
        long max = 0;
        for (int i = 0; i < Size; i++) max = Math.Max(max, Cluster.Node(i)?.Term ?? Cluster.Disks[i].Term);
        return max;
    }

    /// <summary>Whether some live node is leader (for the phase's summary).</summary>
    public bool AnyLeader()
    {
        for (int i = 0; i < Size; i++) if (Cluster.Node(i)?.Role == Role.Leader) return true;
        return false;
    }
}
