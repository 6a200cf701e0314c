using Raft.Core.Encoding;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Storage;

/// <summary>
/// One node's stable storage (the lab's Persister): raft state (term, vote, snapshot index and
/// term, log after the snapshot) and the snapshot bytes. It survives crashes; whatever the core
/// has not handed over through a Ready is lost with the node.
/// <para>Every write is Go's <c>persister.Save(raftstate, snapshot)</c> (6.5840 from 2023): it
/// replaces both the raft state and the snapshot. A Ready is a delta (the hard state only when it
/// changed, the log from <see cref="Ready.PersistFrom"/>, snapshot bytes only when new), so the
/// snapshot a write stands for is: the Ready's bytes when it carries some; none when its
/// snapshot index (which every Ready carries, as the raft state's lastIncludedIndex) differs from
/// the durable one; otherwise the snapshot the node holds, if <see cref="HeldSnapshot"/> is bound
/// (the lab binds it), else the durable one. So a node that forgot its snapshot erases it with its
/// next write, as a Go Raft calling <c>Save(state, nil)</c> does.</para>
/// </summary>
public sealed class Disk : IDurableLog
{
    private readonly List<Entry> _entries = new();

    public long Term { get; private set; }
    public int VotedFor { get; private set; } = RaftNode.None;
    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public byte[]? SnapshotData { get; private set; }
    public IReadOnlyList<Entry> Entries => _entries;
    public long LastIndex => SnapshotIndex + _entries.Count;

    /// <summary>The term of the last durable entry (the snapshot's when the log after it is empty).</summary>
    public long LastTerm => _entries.Count > 0 ? _entries[^1].Term : SnapshotTerm;

    /// <summary>The term of the durable entry at <paramref name="index"/> (the snapshot's at its index, 0 at index 0), or -1 when compacted or beyond the end.</summary>
    public long TermAt(long index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        if (index < SnapshotIndex || index > LastIndex) return -1;
        return _entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    /// <summary>Number of Ready writes applied (for tests and coverage).</summary>
    public long Writes { get; private set; }

    /// <summary>Writes that erased the durable snapshot (a raft state whose snapshot came without bytes).</summary>
    public long SnapshotsErased { get; private set; }

    /// <summary>
    /// The snapshot the running node holds in memory: what a Go Raft's persist() passes as Save's
    /// second argument. Bound by whoever starts the node (the lab binds it to the node's
    /// <c>SnapshotData</c>); when null, a write without snapshot bytes keeps the durable snapshot if
    /// its snapshot index matches.
    /// </summary>
    public Func<byte[]?>? HeldSnapshot { get; set; }

    /// <summary>
    /// Makes a Ready's step 1 durable, atomically, as one Save(raftstate, snapshot): hard state,
    /// then the snapshot (dropping the entries it covers, or erasing the durable snapshot when the
    /// write comes without one, see the class remarks), then truncating at PersistFrom and
    /// appending the new entries.
    /// </summary>
    public void Persist(Ready r)
    {
        Func<byte[]?>? held = HeldSnapshot;
        Persist(r, held?.Invoke(), held is not null);
    }

    /// <summary>
    /// As <see cref="Persist(Ready)"/>, with the snapshot the node held when the Ready was taken
    /// (<paramref name="held"/>, meaningful when <paramref name="heldBound"/>): a Ready handled
    /// after the node moved on (asynchronous handling) stands for the snapshot it was taken with.
    /// </summary>
    public void Persist(Ready r, byte[]? held, bool heldBound)
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
            MoveSnapshot(r.SnapshotIndex, r.SnapshotTerm);
            SnapshotData = r.SnapshotData;
        }
        else if (r.SnapshotIndex != SnapshotIndex || r.SnapshotTerm != SnapshotTerm)
        {
            // the raft state's lastIncludedIndex/Term moved but no snapshot came with it: Save(state, nil)
            MoveSnapshot(r.SnapshotIndex, r.SnapshotTerm);
            EraseSnapshot();
        }
        else if (heldBound && !ReferenceEquals(held, SnapshotData))
        {
            if (held is null) EraseSnapshot();
            else SnapshotData = held;
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

    /// <summary>New lastIncludedIndex/Term: drops the durable entries the snapshot now covers.</summary>
    private void MoveSnapshot(long index, long term)
    {
        long drop = Math.Min(_entries.Count, Math.Max(0, index - SnapshotIndex));
        _entries.RemoveRange(0, (int)drop);
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    private void EraseSnapshot()
    {
        if (SnapshotData is not null) SnapshotsErased++;
        SnapshotData = null;
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
