using Raft.Core.Encoding;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Model.Storage;

/// <summary>
/// One node's stable storage (the lab's Persister): raft state (term, vote, log after the
/// snapshot) and the snapshot bytes, written together. It survives crashes; whatever the core
/// has not handed over through a Ready is lost with the node.
/// </summary>
public sealed class Disk
{
    private readonly List<Entry> _entries = new();

    public long Term { get; private set; }
    public int VotedFor { get; private set; } = RaftNode.None;
    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public byte[]? SnapshotData { get; private set; }
    public IReadOnlyList<Entry> Entries => _entries;
    public long LastIndex => SnapshotIndex + _entries.Count;

    /// <summary>Number of Ready writes applied (for tests and coverage).</summary>
    public long Writes { get; private set; }

    /// <summary>
    /// Makes a Ready's step 1 durable, atomically: hard state, then the snapshot (dropping the
    /// entries it covers), then truncating at PersistFrom and appending the new entries.
    /// </summary>
    public void Persist(Ready r)
    {
        if (!r.MustPersist) return;
        Writes++;
        if (r.HardStateChanged)
        {
            Term = r.Term;
            VotedFor = r.VotedFor;
        }
        if (r.HasSnapshot)
        {
            long drop = Math.Min(_entries.Count, Math.Max(0, r.SnapshotIndex - SnapshotIndex));
            _entries.RemoveRange(0, (int)drop);
            SnapshotIndex = r.SnapshotIndex;
            SnapshotTerm = r.SnapshotTerm;
            SnapshotData = r.SnapshotData;
        }
        if (r.PersistFrom != 0)
        {
            long keep = r.PersistFrom - SnapshotIndex - 1;
            if (keep < 0)
                throw new InvalidOperationException($"core asked to persist from {r.PersistFrom}, at or below the durable snapshot {SnapshotIndex}");
            if (keep > _entries.Count)
                throw new InvalidOperationException($"core asked to persist from {r.PersistFrom} but the disk ends at {LastIndex}: a gap");
            _entries.RemoveRange((int)keep, _entries.Count - (int)keep);
            foreach (Entry e in r.EntriesToPersist) _entries.Add(e);
        }
    }

    /// <summary>The lab's RaftStateSize(): encoded size of everything but the snapshot bytes.</summary>
    public int RaftStateSize()
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_entries);
        return RaftCodec.RaftStateSize(Term, VotedFor, SnapshotIndex, SnapshotTerm, span);
    }

    public int SnapshotSize => SnapshotData?.Length ?? 0;

    /// <summary>
    /// What a restarted node reads. It goes through the binary encoding, as a real persister's
    /// bytes would, so a restart also exercises the codec.
    /// </summary>
    public PersistedState Read()
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_entries);
        byte[] bytes = RaftCodec.EncodeRaftState(Term, VotedFor, SnapshotIndex, SnapshotTerm, span);
        return RaftCodec.DecodeRaftState(bytes, SnapshotData);
    }
}
