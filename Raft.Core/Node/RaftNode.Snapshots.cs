using Raft.Core.Messages;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>Log compaction (§7, Lab 2D): service snapshots and InstallSnapshot.</summary>
public partial class RaftNode<TRules>
{
    /// <summary>
    /// The service has a snapshot of everything through <paramref name="index"/> (the lab's
    /// Snapshot(index, data)). Entries up to it are discarded; lastIncludedIndex/Term are kept
    /// so AppendEntries can still check the entry before the next one. The snapshot is
    /// persisted together with the raft state in the next Ready. An index at or below the
    /// current snapshot is ignored; one beyond what was applied is a caller error.
    /// </summary>
    public void Snapshot(long index, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (index <= Log.SnapshotIndex) return;
        if (index > Applied)
            throw new ArgumentOutOfRangeException(nameof(index), $"cannot snapshot through {index}: only {Applied} applied");
        Log.CompactTo(index);
        _snapshotData = data;
        _snapshotDirty = true;
        _snapshotVersion++;
    }

    private void SendSnapshot(int peer)
    {
        Progress pr = _progress[peer];
        if (_snapshotData is null)
            throw new InvalidOperationException($"node {Id} must send a snapshot to {peer} but holds none (snapshot index {Log.SnapshotIndex})");
        Send(new Message
        {
            Type = MessageType.InstallSnapshot, From = Id, To = peer, Term = Term,
            Index = Log.SnapshotIndex, LogTerm = Log.SnapshotTerm, Data = _snapshotData,
        });
        pr.BecomeSnapshot(Log.SnapshotIndex);
    }

    /// <summary>
    /// InstallSnapshot receiver (Figure 13). A snapshot that does not go past our commit index
    /// is ignored, so service state never moves backwards. Otherwise the log keeps any entries
    /// after a matching snapshot entry or is discarded, the commit index moves to the snapshot,
    /// and the snapshot is persisted and then handed to the service before later entries.
    /// The reply reports the index we now match.
    /// </summary>
    private void HandleInstallSnapshot(in Message m)
    {
        LeaderId = m.From;
        _electionElapsed = 0;
        _leaderContactTick = _ticks;
        if (TRules.InstallsSnapshot(m.Index, Log.Committed) && m.Data is not null && m.Index > 0)
        {
            Log.RestoreSnapshot(m.Index, m.LogTerm);
            _snapshotData = m.Data;
            _snapshotDirty = true;
            _snapshotToApply = true;
            _snapshotVersion++;
        }
        Send(new Message { Type = MessageType.InstallSnapshotResponse, From = Id, To = m.From, Term = Term, Index = Log.Committed });
    }

    private void HandleSnapshotReply(in Message m)
    {
        Progress pr = _progress[m.From];
        if (m.Index <= 0) return;
        pr.MaybeUpdate(m.Index);
        if (_options.SnapshotRetryTicks > 0 && pr.State == ProgressState.Snapshot && pr.Match < pr.PendingSnapshot)
        {
            // the follower did not install it (etcd's ReportSnapshot failure): probe again, which
            // sends the snapshot again if the entries it needs are compacted
            pr.SnapshotFailed();
            SendAppend(m.From, heartbeat: false);
            return;
        }
        if (pr.State != ProgressState.Replicate && pr.Match >= pr.PendingSnapshot) pr.BecomeReplicate();
        MaybeCommit();
        if (pr.Next <= Log.LastIndex) SendAppend(m.From, heartbeat: false);
    }
}
