using Raft.Core.Messages;
using Raft.Core.Rules;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>Log replication (§5.3) and commitment (§5.4.2, Figure 8).</summary>
public partial class RaftNode<TRules>
{
    /// <summary>Sends new entries to every follower whose progress is not paused.</summary>
    private void BroadcastAppend()
    {
        for (int peer = 0; peer < ClusterSize; peer++)
            if (peer != Id) SendAppend(peer, heartbeat: false);
    }

    /// <summary>Heartbeats (§5.2): an AppendEntries to every follower, even when it carries no entries.</summary>
    private void BroadcastHeartbeat()
    {
        for (int peer = 0; peer < ClusterSize; peer++)
            if (peer != Id) SendAppend(peer, heartbeat: true);
    }

    /// <summary>
    /// Sends the follower what it needs next: AppendEntries from its nextIndex, or InstallSnapshot
    /// when entries before nextIndex were compacted away (§7). A heartbeat is sent even when
    /// the progress is paused or there is nothing new, which also retries a lost probe or snapshot
    /// (with <see cref="RaftOptions.SnapshotRetryTicks"/> set, a snapshot only once that many ticks
    /// have passed). <paramref name="sendIfEmpty"/> sends an AppendEntries without entries to a
    /// follower that is not paused (the commit broadcast).
    /// </summary>
    private void SendAppend(int peer, bool heartbeat, bool sendIfEmpty = false)
    {
        Progress pr = _progress[peer];
        if (pr.IsPaused && !heartbeat) return;
        long prev = pr.Next - 1;
        if (pr.State == ProgressState.Snapshot && _options.SnapshotRetryTicks > 0 && pr.SnapshotTicks < _options.SnapshotRetryTicks)
        {
            // etcd pauses a follower in snapshot state: the heartbeat only keeps its election timer
            // quiet. prevLogIndex 0 matches every log (below any commit index, or the empty log),
            // and commit 0 moves nothing.
            Send(new Message { Type = MessageType.AppendEntries, From = Id, To = peer, Term = Term, Entries = Array.Empty<Entry>(), Context = ReadRound });
            return;
        }
        if (pr.State == ProgressState.Snapshot || !Log.TryTerm(prev, out long prevTerm))
        {
            SendSnapshot(peer);
            return;
        }
        Entry[] entries = Log.Slice(pr.Next, _options.MaxEntriesPerAppend, _options.MaxBytesPerAppend, _options.EntryArrayPool);
        if (entries.Length == 0 && !heartbeat && !sendIfEmpty) return;
        Send(new Message
        {
            Type = MessageType.AppendEntries, From = Id, To = peer, Term = Term,
            Index = prev, LogTerm = prevTerm, Entries = entries, Commit = Log.Committed, Context = ReadRound,
        });
        pr.SentAppend(prev + entries.Length);
    }

    /// <summary>The commit index advanced (<see cref="RaftOptions.BroadcastCommit"/>): tell every follower that is not paused, as etcd's bcastAppend.</summary>
    private void BroadcastCommitIndex()
    {
        for (int peer = 0; peer < ClusterSize; peer++)
            if (peer != Id) SendAppend(peer, heartbeat: false, sendIfEmpty: true);
    }

    /// <summary>
    /// AppendEntries receiver (Figure 2, steps 2–5). The part of the request at or below our
    /// commit index is already known to match (committed entries are in every later leader's
    /// log, §5.4), so it is skipped rather than checked, which also covers entries we compacted.
    /// A rejection carries the fast-backup hint: the term we hold at prevLogIndex and the first
    /// index of that term, or our log length when we hold nothing there.
    /// </summary>
    private void HandleAppendEntries(in Message m)
    {
        LeaderId = m.From;
        _electionElapsed = 0;
        _leaderContactTick = _ticks;
        long prev = m.Index, prevTerm = m.LogTerm;
        ReadOnlySpan<Entry> entries = m.Entries;
        long committed = Log.Committed;
        if (prev < committed)
        {
            long skip = committed - prev;
            if (skip >= entries.Length)
            {
                ReplyAppend(m, reject: false, committed, 0, 0);
                return;
            }
            prevTerm = entries[(int)skip - 1].Term;
            entries = entries[(int)skip..];
            prev = committed;
        }
        bool matched = !TRules.TruncatesOnlyOnConflict && entries.Length > 0
            ? Log.ReplaceAfter(prev, prevTerm, entries, out long lastNew)
            : Log.MaybeAppend(prev, prevTerm, entries, leaderCommit: 0, out lastNew);
        if (matched)
        {
            Log.CommitTo(TRules.FollowerCommitIndex(m.Commit, lastNew, Log.LastIndex));
            ReplyAppend(m, reject: false, lastNew, 0, 0);
            return;
        }
        (long hintIndex, long hintTerm) = Log.ConflictHint(prev);
        ReplyAppend(m, reject: true, m.Index, hintIndex, hintTerm);
    }

    /// <summary>Answers <paramref name="request"/>, echoing its read round.</summary>
    private void ReplyAppend(in Message request, bool reject, long index, long hint, long hintTerm) =>
        Send(new Message
        {
            Type = MessageType.AppendEntriesResponse, From = Id, To = request.From, Term = Term,
            Reject = reject, Index = index, Hint = hint, LogTerm = hintTerm, Context = request.Context,
        });

    private void StepLeader(in Message m)
    {
        switch (m.Type)
        {
            case MessageType.AppendEntriesResponse:
                if (m.Context != 0) NoteRoundAcknowledged(m.From, m.Context);
                if (m.Reject) HandleAppendRejection(m); else HandleAppendSuccess(m);
                return;
            case MessageType.InstallSnapshotResponse:
                HandleSnapshotReply(m);
                return;
            default:
                return; // vote replies after winning are stale
        }
    }

    /// <summary>A follower matches through m.Index: raise matchIndex, maybe commit, keep streaming.</summary>
    private void HandleAppendSuccess(in Message m)
    {
        Progress pr = _progress[m.From];
        bool wasPaused = pr.IsPaused;
        long matched = TRules.MatchFromAppendReply(m.Index, pr.Next);
        if (!pr.MaybeUpdate(matched))
        {
            if (pr.State == ProgressState.Probe) SendAppend(m.From, heartbeat: false);
            return; // a duplicate or reordered reply: nothing new
        }
        if (pr.State == ProgressState.Snapshot && _options.SnapshotRetryTicks > 0 && pr.Match < pr.PendingSnapshot)
        {
            if (MaybeCommit() && _options.BroadcastCommit) BroadcastCommitIndex(); // still short of the snapshot in flight: stay paused (etcd leaves snapshot state only at PendingSnapshot)
            return;
        }
        if (pr.State != ProgressState.Replicate) pr.BecomeReplicate();
        if (_options.BroadcastCommit)
        {
            if (MaybeCommit()) BroadcastCommitIndex(); // also sends this follower whatever it still lacks
            else if (wasPaused) SendAppend(m.From, heartbeat: false, sendIfEmpty: true); // it may have missed a commit broadcast while paused (as etcd)
            else if (pr.Next <= Log.LastIndex) SendAppend(m.From, heartbeat: false);
            return;
        }
        MaybeCommit();
        if (pr.Next <= Log.LastIndex) SendAppend(m.From, heartbeat: false);
    }

    /// <summary>
    /// A follower's log did not match at m.Index. Unless the rejection is stale, move nextIndex
    /// back using the fast-backup hint: past the leader's last entry of the conflicting term if
    /// the leader has that term, else to the follower's first index of it (or its log length).
    /// </summary>
    private void HandleAppendRejection(in Message m)
    {
        Progress pr = _progress[m.From];
        long suggested = m.Hint;
        if (m.LogTerm != 0)
        {
            long last = Log.LastIndexOfTerm(m.LogTerm);
            if (last > 0) suggested = last + 1;
        }
        if (suggested < 1) suggested = 1;
        if (!pr.MaybeDecreaseTo(m.Index, suggested)) return;
        if (pr.State == ProgressState.Replicate) pr.BecomeProbe();
        SendAppend(m.From, heartbeat: false);
    }

    /// <summary>
    /// §5.3/§5.4.2: the commit index becomes the highest N replicated on a majority, but only if
    /// log[N].term == currentTerm. Entries of earlier terms are never committed by counting
    /// replicas (Figure 8); they commit indirectly with the first entry of the current term.
    /// </summary>
    private bool MaybeCommit()
    {
        for (int i = 0; i < ClusterSize; i++) _matchScratch[i] = _progress[i].Match;
        long n = Quorum.CommittedIndex(_matchScratch, TRules.QuorumSize(ClusterSize));
        if (n <= Log.Committed) return false;
        if (!Log.TryTerm(n, out long term)) return false;
        if (!TRules.MayCommitByCounting(term, Term)) return false;
        Log.CommitTo(n);
        if (_pendingReads.Count > 0) ReleaseReads();
        return true;
    }
}
