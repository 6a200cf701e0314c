using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Bench.Harness;

/// <summary>
/// The etcd "Commit3Nodes" work for our core, like for like: n nodes driven from one thread, each
/// persisting every Ready into its own <see cref="MemoryStore"/> (hard state and entries copied,
/// as etcd's MemoryStorage.Append), messages handed over in memory with no serialization, no ticks
/// after the first election. Each round: every node with output persists its Ready, queues its
/// messages, applies its committed entries (each checked against what was proposed at its index)
/// and advances; then every queued message is delivered. The log is compacted as etcd's server
/// does: every 100,000 applied entries, keeping 5,000.
/// <para>Payloads are distinct: the entry at index i carries i in 8 bytes (little endian). They
/// come from a ring of <see cref="PayloadRing"/> arrays; a slot is rewritten only when every node's
/// log and store have compacted its previous entry away (checked on each reuse), so no byte array
/// that Raft still holds is ever changed.</para>
/// </summary>
public sealed class InMemoryCluster
{
    private const long CompactEvery = 100_000;
    private const long KeepAfterCompaction = 5_000;
    public const int PayloadRing = 1 << 18;
    private static readonly byte[] SnapshotData = [1];

    private readonly RaftNode[] _nodes;
    private readonly MemoryStore[] _stores;
    private readonly long[] _applied;
    private readonly long[] _nextCompaction;
    private readonly EntryArrayPool _pool;
    private readonly byte[][] _payloads = new byte[PayloadRing][];
    private readonly byte[][] _batch = new byte[64][];
    private MessageQueue _queue = new(), _delivering = new();
    private long _proposed; // highest index proposed
    private long _term;     // the leader's term: every proposed entry carries it
    private long _compactedEverywhere; // every node's log and store dropped entries through here (last computed; only grows)

    public InMemoryCluster(int n, bool broadcastCommit, ulong seed = 1)
    {
        _pool = new EntryArrayPool(RaftOptions.Default.MaxEntriesPerAppend);
        var options = new RaftOptions { BroadcastCommit = broadcastCommit, EntryArrayPool = _pool };
        _nodes = new RaftNode[n];
        _stores = new MemoryStore[n];
        _applied = new long[n];
        _nextCompaction = new long[n];
        for (int i = 0; i < n; i++)
        {
            _nodes[i] = new RaftNode(i, n, seed + (ulong)i, options);
            _stores[i] = new MemoryStore();
            _nextCompaction[i] = CompactEvery;
        }
        // elect node 0: tick it alone until it campaigns, then let the messages flow
        while (_nodes[0].Role != Role.Leader)
        {
            _nodes[0].Tick();
            Round();
        }
        Settle();
        _term = Leader.Term;
        _proposed = Leader.LastIndex;
        if (_proposed != 0) throw new InvalidOperationException($"the new leader's log holds {_proposed} entries, expected none");
    }

    public RaftNode Leader => _nodes[0];
    public long MessagesDelivered { get; private set; }

    /// <summary>With the stage markers on (<see cref="Stages"/>): TryGetReady calls, Readies handled (the calls that returned true), and AppendEntries delivered.</summary>
    public long ReadyCalls { get; private set; }
    public long ReadiesHandled { get; private set; }
    public long AppendsDelivered { get; private set; }
    public long Proposed => _proposed;
    public int Size => _nodes.Length;
    public EntryArrayPool Pool => _pool;

    /// <summary>One round of Ready handling and delivery.</summary>
    public void Round()
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            RaftNode node = _nodes[i];
            MemoryStore store = _stores[i];
            while (MarkReady() && node.TryGetReady(out Ready r))
            {
                // 1. persist: hard state, snapshot, entries (copied into the store)
                MarkPersist();
                if (r.HardStateChanged || r.PersistFrom != 0) store.SetHardState(r.Term, r.VotedFor, node.CommitIndex);
                if (r.HasSnapshot) store.ApplySnapshot(r.SnapshotIndex, r.SnapshotTerm);
                if (r.PersistFrom != 0) store.Append(r.PersistFrom, r.EntriesToPersist);
                // 2. send: queue
                Stages.Mark(Stage.Send);
                _queue.AddRange(CollectionsMarshal.AsSpan(r.MessageBuffer));
                // 3. apply: each entry must be the one proposed at its index
                Stages.Mark(Stage.Apply);
                ArraySegment<Entry> committed = r.CommittedEntries;
                if (committed.Count > 0)
                {
                    long index = r.FirstCommittedIndex;
                    if (index != _applied[i] + 1) throw new InvalidOperationException($"node {i} applies from {index} after {_applied[i]}");
                    ReadOnlySpan<Entry> span = committed;
                    for (int k = 0; k < span.Length; k++) CheckEntry(i, "applied", index + k, span[k]);
                    _applied[i] = index + span.Length - 1;
                }
                Stages.Mark(Stage.Advance);
                node.Advance();
                if (_applied[i] >= _nextCompaction[i])
                {
                    node.Snapshot(_applied[i] - KeepAfterCompaction, SnapshotData);
                    _nextCompaction[i] += CompactEvery;
                }
            }
        }
        Stages.Mark(Stage.Harness);
        (_queue, _delivering) = (_delivering, _queue);
        ReadOnlySpan<Message> delivering = _delivering.Items;
        for (int k = 0; k < delivering.Length; k++)
        {
            ref readonly Message m = ref delivering[k];
            if (Stages.Enabled)
            {
                bool append = m.Type == MessageType.AppendEntries;
                Stages.Mark(append ? Stage.StepAppend : Stage.StepReply);
                if (append) AppendsDelivered++;
            }
            _nodes[m.To].Step(m);
            if (m.Entries is { Length: > 0 } entries) _pool.Return(entries); // consumed: the receiver copied what it kept
        }
        Stages.Mark(Stage.Harness);
        MessagesDelivered += _delivering.Count;
        _delivering.Reset();
    }

    /// <summary>Marks the Ready stage (the breakdown's markers, <see cref="Stages"/>); always true.</summary>
    private bool MarkReady()
    {
        if (Stages.Enabled)
        {
            Stages.Mark(Stage.Ready);
            ReadyCalls++;
        }
        return true;
    }

    /// <summary>Marks the persist stage and counts the Ready handed out (with the markers on).</summary>
    private void MarkPersist()
    {
        if (!Stages.Enabled) return;
        Stages.Mark(Stage.Persist);
        ReadiesHandled++;
    }

    private void CheckEntry(int node, string where, long index, in Entry e)
    {
        if (e.Term != _term || e.Command.Length != 8 || BinaryPrimitives.ReadInt64LittleEndian(e.Command) != index)
            throw new InvalidOperationException(
                $"node {node} {where} index {index}: term {e.Term} payload {(e.Command.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(e.Command) : -1)}, proposed term {_term} payload {index}");
    }

    /// <summary>Rounds until nothing moves (commit indexes propagated, everything applied).</summary>
    public void Settle()
    {
        for (int guard = 0; guard < 1000; guard++)
        {
            Round();
            bool idle = _queue.Count == 0;
            for (int i = 0; i < _nodes.Length && idle; i++) idle = !_nodes[i].HasReady;
            if (idle) return;
        }
        throw new InvalidOperationException("the cluster did not settle");
    }

    /// <summary>The payload for the entry at <paramref name="index"/>, in a ring slot nobody holds any more.</summary>
    private byte[] Payload(long index)
    {
        int slot = (int)(index & (PayloadRing - 1));
        byte[]? p = _payloads[slot];
        if (p is null) _payloads[slot] = p = new byte[8];
        else if (index - PayloadRing > _compactedEverywhere)
        {
            // the slot last carried index - PayloadRing: every log and store must have compacted it away
            long previous = index - PayloadRing;
            _compactedEverywhere = long.MaxValue;
            for (int i = 0; i < _nodes.Length; i++)
                _compactedEverywhere = Math.Min(_compactedEverywhere, Math.Min(_nodes[i].SnapshotIndex, _stores[i].SnapshotIndex));
            if (previous > _compactedEverywhere)
                throw new InvalidOperationException($"payload slot of {previous} still held by a log or store (compacted everywhere only through {_compactedEverywhere}); the ring is too small");
        }
        BinaryPrimitives.WriteInt64LittleEndian(p, index);
        return p;
    }

    /// <summary>Proposes one entry and runs rounds until the leader sees it committed.</summary>
    public void CommitOne()
    {
        long target = ++_proposed;
        byte[] payload = Payload(target);
        Stages.Mark(Stage.Propose);
        ProposeResult r = Leader.Propose(payload);
        Stages.Mark(Stage.Harness);
        if (r.Index != target) throw new InvalidOperationException($"proposal landed at {r.Index}, expected {target}");
        while (Leader.CommitIndex < target) Round();
    }

    /// <summary>Proposes <paramref name="count"/> entries as one proposal and runs rounds until all are committed.</summary>
    public void CommitBatch(int count)
    {
        long first = _proposed + 1;
        for (int k = 0; k < count; k++) _batch[k] = Payload(first + k);
        Stages.Mark(Stage.Propose);
        ProposeResult r = Leader.Propose(new ReadOnlySpan<byte[]>(_batch, 0, count));
        Stages.Mark(Stage.Harness);
        if (r.Index != first) throw new InvalidOperationException($"proposal landed at {r.Index}, expected {first}");
        _proposed += count;
        while (Leader.CommitIndex < _proposed) Round();
    }

    /// <summary>One proposal of <paramref name="batch"/> entries, committed: <see cref="CommitOne"/> for 1, else <see cref="CommitBatch"/>.</summary>
    public void Commit(int batch)
    {
        if (batch == 1) CommitOne();
        else CommitBatch(batch);
    }

    /// <summary>
    /// After timing: the leader committed exactly what was proposed; every node applied every
    /// index once, in order, each the entry proposed there (checked as it was applied); every
    /// node's log and store hold, index by index, the entries proposed there, and the store's
    /// hard state is the node's.
    /// </summary>
    public void Verify(long expectedEntries)
    {
        // without the commit broadcast, followers learn the last commit index with the next heartbeat
        for (int t = 0; t < Leader.Options.HeartbeatTicks; t++) Leader.Tick();
        Settle();
        if (_proposed != expectedEntries) throw new InvalidOperationException($"proposed {_proposed} entries, expected {expectedEntries}");
        if (Leader.CommitIndex != expectedEntries)
            throw new InvalidOperationException($"leader committed {Leader.CommitIndex} entries, expected {expectedEntries}");
        for (int i = 0; i < _nodes.Length; i++)
        {
            RaftNode node = _nodes[i];
            MemoryStore store = _stores[i];
            if (_applied[i] != expectedEntries)
                throw new InvalidOperationException($"node {i} applied {_applied[i]} entries, expected {expectedEntries}");
            if (node.LastIndex != expectedEntries || store.LastIndex != expectedEntries)
                throw new InvalidOperationException($"node {i}: log ends at {node.LastIndex}, store at {store.LastIndex}, expected {expectedEntries}");
            for (long index = node.SnapshotIndex + 1; index <= node.LastIndex; index++) CheckEntry(i, "log", index, node.Log.At(index));
            for (long index = store.SnapshotIndex + 1; index <= store.LastIndex; index++) CheckEntry(i, "store", index, store.At(index));
            if (store.Term != node.Term || store.Vote != node.VotedFor)
                throw new InvalidOperationException($"node {i}: store holds term {store.Term} vote {store.Vote}, node has {node.Term} {node.VotedFor}");
        }
    }
}
