using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Bench.Harness;

/// <summary>
/// The etcd "Commit3Nodes" work for our core: n nodes driven from one thread, storage in memory
/// (the node's own log; nothing to copy), messages handed over in memory with no serialization,
/// no ticks after the first election. Each round: every node with output hands over its Ready
/// (persist: nothing to do; send: queue; apply: count) and advances; then every queued message is
/// delivered. The log is compacted as etcd's server does: every 100,000 applied entries, keeping 5,000.
/// </summary>
public sealed class InMemoryCluster
{
    private const long CompactEvery = 100_000;
    private const long KeepAfterCompaction = 5_000;
    private static readonly byte[] SnapshotData = [1];

    private readonly RaftNode[] _nodes;
    private readonly long[] _applied;
    private readonly long[] _nextCompaction;
    private List<Message> _queue = new(), _delivering = new();

    public InMemoryCluster(int n, ulong seed = 1)
    {
        _nodes = new RaftNode[n];
        _applied = new long[n];
        _nextCompaction = new long[n];
        for (int i = 0; i < n; i++)
        {
            _nodes[i] = new RaftNode(i, n, seed + (ulong)i);
            _nextCompaction[i] = CompactEvery;
        }
        // elect node 0: tick it alone until it campaigns, then let the messages flow
        while (_nodes[0].Role != Role.Leader)
        {
            _nodes[0].Tick();
            Round();
        }
        Settle();
    }

    public RaftNode Leader => _nodes[0];
    public long MessagesDelivered { get; private set; }
    public long Applied(int i) => _applied[i];
    public int Size => _nodes.Length;

    /// <summary>One round of Ready handling and delivery.</summary>
    public void Round()
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            RaftNode node = _nodes[i];
            while (node.TryGetReady(out Ready r))
            {
                var messages = r.Messages;
                for (int k = 0; k < messages.Count; k++) _queue.Add(messages[k]);
                _applied[i] += r.CommittedEntries.Count;
                node.Advance();
                if (_applied[i] >= _nextCompaction[i])
                {
                    node.Snapshot(_applied[i] - KeepAfterCompaction, SnapshotData);
                    _nextCompaction[i] += CompactEvery;
                }
            }
        }
        (_queue, _delivering) = (_delivering, _queue);
        for (int k = 0; k < _delivering.Count; k++)
        {
            Message m = _delivering[k];
            _nodes[m.To].Step(m);
        }
        MessagesDelivered += _delivering.Count;
        _delivering.Clear();
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

    /// <summary>Proposes one entry, or a batch as one proposal, and runs rounds until the leader sees it committed.</summary>
    public void CommitOne(byte[] command)
    {
        long target = Leader.Propose(command).Index;
        while (Leader.CommitIndex < target) Round();
    }

    public void CommitBatch(byte[][] commands)
    {
        ProposeResult r = Leader.Propose(commands);
        long target = r.Index + commands.Length - 1;
        while (Leader.CommitIndex < target) Round();
    }

    /// <summary>After timing: every node applied exactly what the leader committed, and that is what was proposed.</summary>
    public void Verify(long expectedEntries)
    {
        // followers learn the last commit index with the leader's next heartbeat (no broadcast on commit)
        for (int t = 0; t < Leader.Options.HeartbeatTicks; t++) Leader.Tick();
        Settle();
        if (Leader.CommitIndex != expectedEntries)
            throw new InvalidOperationException($"leader committed {Leader.CommitIndex} entries, expected {expectedEntries}");
        for (int i = 0; i < _nodes.Length; i++)
            if (_applied[i] != expectedEntries)
                throw new InvalidOperationException($"node {i} applied {_applied[i]} entries, expected {expectedEntries}");
    }
}
