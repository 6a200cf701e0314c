using Raft.Core.Messages;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>
/// Reads without the log (Raft thesis §6.4). A leader answers <see cref="ReadIndex"/> with a
/// <see cref="ReadState"/> in a later Ready: the service may serve the read once it has applied
/// through the state's index. Invariants, on a leader:
/// <list type="bullet">
/// <item>A read is released only once an entry of the leader's current term is committed
/// (§6.4 step 1: before that the leader may not know the latest commit index), at the commit index
/// of that moment.</item>
/// <item>With <see cref="ReadOnlyOption.Safe"/>, a read is released only after a majority has
/// acknowledged a round of AppendEntries started after the read arrived (§6.4 step 3): rounds are
/// numbered, carried in <see cref="Message.Context"/> and echoed by the replies, so no leader
/// deposed before the read arrived can confirm it.</item>
/// <item>With <see cref="ReadOnlyOption.LeaseBased"/>, a read is released at once while the leader
/// holds a lease (§6.4.1): a majority acknowledged a round that started fewer than
/// <see cref="IRaftRules"/>.LeaseTicks ticks ago by the leader's clock. It is safe because every
/// node (leader or not) that heard from a leader, or started, fewer than ElectionTicks ticks ago by
/// its own clock ignores vote requests, so no other leader can be elected before the lease ends,
/// provided no clock gains more than <see cref="RaftOptions.LeaseDriftTicks"/> on the leader's.</item>
/// <item>Reads pending when the leader steps down are dropped: the client's request times out.</item>
/// </list>
/// Reads never enter the log and never change the persistent state.
/// </summary>
public partial class RaftNode<TRules>
{
    private const int RoundWindow = 64; // rounds whose start tick is remembered (older acknowledgements give no lease)

    private long _ticks;             // this node's clock: ticks since it started
    private long _leaderContactTick; // _ticks when it last heard from a leader (0: it started then)
    private long _round;             // the last read round this node started as leader (never reset)
    private readonly long[] _roundTick = new long[RoundWindow];
    private long[]? _ackedRound;     // per peer: the highest round acknowledged in this term
    private long[]? _ackedTick;      // per peer: the start tick of that round (-1: none)
    private readonly Queue<(long Id, long Round)> _pendingReads = new();
    private List<ReadState> _readStates = new();

    private bool LeaseReads => _options.ReadOnly == ReadOnlyOption.LeaseBased;

    /// <summary>The round AppendEntries carry: the current one while reads wait or leases are on, else 0 (none).</summary>
    private long ReadRound => _pendingReads.Count > 0 || LeaseReads ? _round : 0;

    /// <summary>
    /// Asks the leader for a linearizable read; <paramref name="requestId"/> is the caller's and
    /// comes back in the <see cref="ReadState"/>. Returns false (and changes nothing) on a node that
    /// is not leader. The read may never be confirmed (the leader is deposed first): callers time out.
    /// </summary>
    public bool ReadIndex(long requestId)
    {
        if (Role != Role.Leader) return false;
        if (LeaseReads && CommittedInCurrentTerm && LeaseHolds())
        {
            _readStates.Add(new ReadState(requestId, Log.Committed));
            return true;
        }
        if (TRules.ReadConfirmsLeadership)
        {
            StartRound();
            _pendingReads.Enqueue((requestId, _round));
            BroadcastHeartbeat();
        }
        else _pendingReads.Enqueue((requestId, 0));
        ReleaseReads();
        return true;
    }

    /// <summary>Whether the leader's commit index is at an entry of its own term (§6.4 step 1).</summary>
    private bool CommittedInCurrentTerm => Log.TryTerm(Log.Committed, out long t) && t == Term;

    private void StartRound()
    {
        _round++;
        _roundTick[_round % RoundWindow] = _ticks;
    }

    /// <summary>On election: nothing acknowledged yet in this term.</summary>
    private void ResetReadTracking()
    {
        _ackedRound ??= new long[ClusterSize];
        _ackedTick ??= new long[ClusterSize];
        Array.Clear(_ackedRound);
        Array.Fill(_ackedTick, -1L);
        _pendingReads.Clear();
    }

    /// <summary>A follower answered an AppendEntries of round <paramref name="round"/> in our term.</summary>
    private void NoteRoundAcknowledged(int peer, long round)
    {
        if (_ackedRound is null || round > _round || round <= _ackedRound[peer]) return;
        _ackedRound[peer] = round;
        if (_round - round < RoundWindow) _ackedTick![peer] = Math.Max(_ackedTick[peer], _roundTick[round % RoundWindow]);
        if (_pendingReads.Count > 0) ReleaseReads();
    }

    /// <summary>Hands out every pending read a majority has confirmed, once an entry of this term is committed.</summary>
    private void ReleaseReads()
    {
        if (_pendingReads.Count == 0 || Role != Role.Leader) return;
        if (TRules.ReadWaitsForCurrentTermCommit && !CommittedInCurrentTerm) return;
        long confirmed = long.MaxValue;
        if (TRules.ReadConfirmsLeadership)
        {
            for (int i = 0; i < ClusterSize; i++) _matchScratch[i] = i == Id ? _round : _ackedRound![i];
            confirmed = Quorum.CommittedIndex(_matchScratch, TRules.QuorumSize(ClusterSize));
        }
        while (_pendingReads.Count > 0 && _pendingReads.Peek().Round <= confirmed)
            _readStates.Add(new ReadState(_pendingReads.Dequeue().Id, Log.Committed));
    }

    /// <summary>§6.4.1: a majority acknowledged a round that started fewer than the lease's ticks ago.</summary>
    private bool LeaseHolds()
    {
        for (int i = 0; i < ClusterSize; i++) _matchScratch[i] = i == Id ? _ticks : _ackedTick![i];
        long start = Quorum.CommittedIndex(_matchScratch, TRules.QuorumSize(ClusterSize));
        return start >= 0 && _ticks - start < TRules.LeaseTicks(_options.ElectionTicks, _options.LeaseDriftTicks);
    }

    /// <summary>
    /// With leases, a node that heard from a leader (or started) fewer than ElectionTicks ticks ago
    /// ignores a vote request from a higher term, and does not adopt that term (thesis §4.2.3 and
    /// §6.4.1): the leader's lease depends on it.
    /// </summary>
    private bool IgnoresVoteRequest(in Message m) =>
        LeaseReads && m.Type == MessageType.RequestVote && m.Term > Term && Role != Role.Leader
        && _ticks - _leaderContactTick < _options.ElectionTicks;
}
