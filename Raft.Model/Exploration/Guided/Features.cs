using Raft.Core.Node;
using Raft.Model.Simulation;
using Raft.Model.Storage;
using Raft.Model.Contract;

namespace Raft.Model.Exploration.Guided;

/// <summary>A guidance feature (a coarse abstract state, a coarse transition or a named situation) and the number of draws made before the schedule first reached it.</summary>
public readonly record struct Feature(ulong Code, int At);

/// <summary>
/// Collects a schedule's guidance features as it runs (the buffers are reused across schedules on
/// a worker). The features are deliberately coarse, so the set of all of them stays small (a few
/// thousand) and reaching a new one is news:
/// <list type="bullet">
/// <item>a node's coarse code (<see cref="AbstractState.NodeCodes"/>: role, term, log and commit
/// relative to the reference) in a cluster of its size;</item>
/// <item>a node's change from one such code to another;</item>
/// <item>the cluster's shape: the multiset of the nodes' log relations, and whether there is a leader;</item>
/// <item>depth: the highest term and the most entries committed, in powers of two;</item>
/// <item>each named situation (<see cref="Situation"/>);</item>
/// <item>the context a delivered message meets (<see cref="Delivering"/>): its type, its term
/// against the receiver's, the receiver's role, and per type where its indexes fall in the
/// receiver's log, the partition of a handler's inputs that its rules distinguish (branch
/// coverage of the message handlers, from outside the node);</item>
/// <item>the same context for each request in flight, as if it were delivered now (a step away from a branch).</item>
/// </list>
/// </summary>
internal sealed class FeatureTracker
{
    private Feature[] _buffer = new Feature[256];
    private int _count;
    private int[] _last = [];
    private ulong _lastShape;
    private int _lastTermBucket, _lastCommitBucket;
    private uint _situations;
    private readonly HashSet<ulong> _deliveries = new(); // the delivery contexts this schedule met (few hundred at most)
    private long _newestSeen = -1;                      // the highest message id looked at in flight

    public void Reset()
    {
        _newestSeen = -1;
        _deliveries.Clear();
        _count = 0;
        _situations = 0;
        _lastShape = 0;
        _lastTermBucket = _lastCommitBucket = -1;
        for (int i = 0; i < _last.Length; i++) _last[i] = -1;
    }

    public void Observe(World world, ReadOnlySpan<int> nodeCodes, bool leader, uint situations, int actor, int at)
    {
        int n = world.Size;
        if (_last.Length != n) { _last = new int[n]; _last.AsSpan().Fill(-1); }
        Span<int> codes = stackalloc int[n];
        for (int i = 0; i < n; i++) codes[i] = nodeCodes[i] & AbstractState.CoarseMask;
        ulong size = (ulong)n << 24;
        for (int i = 0; i < n; i++)
        {
            int code = codes[i], was = _last[i];
            if (code == was) continue;
            Push(new Feature(Tag.Node | size | (uint)code, at));
            _last[i] = code;
        }
        // the shape: log relations (bits 4-6 of a node code) sorted, and the leader flag
        Span<int> logs = stackalloc int[n];
        for (int i = 0; i < n; i++) logs[i] = codes[i] >> 4 & 7;
        logs.Sort();
        ulong shape = AbstractState.Mix(leader ? 1UL : 2UL, size);
        foreach (int l in logs) shape = AbstractState.Mix(shape, (ulong)l);
        if (shape != _lastShape) { Push(new Feature(Tag.Shape ^ (shape & 0x0000_FFFF_FFFF_FFFFUL), at)); _lastShape = shape; }
        int termBucket = Bucket(world.MaxTerm()), commitBucket = Bucket(world.Cluster.Checker.MaxCommitted);
        if (termBucket != _lastTermBucket) { Push(new Feature(Tag.Term | size | (uint)termBucket, at)); _lastTermBucket = termBucket; }
        if (commitBucket != _lastCommitBucket) { Push(new Feature(Tag.Commit | size | (uint)commitBucket, at)); _lastCommitBucket = commitBucket; }
        ObservePending(world, actor, at);
        uint fresh = situations & ~_situations;
        for (int k = 0; fresh != 0; k++, fresh >>= 1)
            if ((fresh & 1) != 0) Push(new Feature(Tag.Situation | (uint)k, at));
        _situations |= situations;
    }

    /// <summary>
    /// A delivery context is a feature: the context <paramref name="m"/> meets at its receiver, from what the world observes (the
    /// receiver's disk; its commit index and role are its own claims): type; term lower, equal or
    /// higher than the receiver's; receiver's role; and per type: AppendEntries — prevLogIndex below
    /// the receiver's commit, in its log or past it, prevLogTerm matching there or not, entries or
    /// none, leaderCommit below, equal or above the receiver's commit; InstallSnapshot — its index
    /// below, at or above the receiver's commit, within or past its log; RequestVote — the
    /// candidate's log less, as or more up to date than the receiver's, and the receiver's vote
    /// (none, this candidate, another); replies — rejected or not.
    /// </summary>
    public void Delivering(World world, in Envelope m, int at)
    {
        ulong context = Context(world, m);
        if (context != 0 && _deliveries.Add(Tag.Delivery | context)) Push(new Feature(Tag.Delivery | context, at));
    }

    /// <summary>
    /// The requests in flight, each in the context it would meet if delivered now: a precursor a
    /// step away from a delivery context (a stale snapshot on its way to a node that has committed
    /// past it), as comparison coverage in fuzzers rewards getting close to a branch.
    /// </summary>
    /// <remarks>
    /// Only what may have changed is looked at: requests sent since the last step, and requests to
    /// the node the step acted on (<paramref name="actor"/>); a crash or a partition (actor -1 or a
    /// network event) changes no receiver's log or commit. That keeps the cost per step near the
    /// number of messages a step sends.
    /// </remarks>
    private void ObservePending(World world, int actor, int at)
    {
        int count = world.PendingCount;
        long newest = _newestSeen;
        for (int k = 0; k < count; k++)
        {
            (long id, int to) = world.PendingIdAt(k);
            if (id > newest) newest = id;
            else if (to != actor) continue;
            Envelope m = world.PendingAt(k);
            if (m.Type is not (MessageKind.AppendEntries or MessageKind.InstallSnapshot or MessageKind.RequestVote)) continue;
            ulong context = Context(world, m);
            if (context != 0 && _deliveries.Add(Tag.Pending | context)) Push(new Feature(Tag.Pending | context, at));
        }
        _newestSeen = newest;
    }

    /// <summary>The context code of <paramref name="m"/> at its receiver now (0: the receiver is down).</summary>
    private static ulong Context(World world, in Envelope m)
    {
        int to = m.To;
        IRaftNode? node = world.Cluster.Node(to);
        if (node is null) return 0;
        Disk d = world.Cluster.Disks[to];
        long commit = node.CommitIndex;
        int term = m.Term < d.Term ? 0 : m.Term == d.Term ? 1 : 2;
        int role = node.Role switch { Role.Leader => 2, Role.Candidate => 1, _ => 0 };
        int detail = 0;
        switch (m.Type)
        {
            case MessageKind.AppendEntries:
            {
                int where = m.Index < commit ? 0 : m.Index <= d.LastIndex ? 1 : 2;
                int match = where == 2 || m.Index < d.SnapshotIndex ? 2 : d.TermAt(m.Index) == m.LogTerm ? 0 : 1;
                int leaderCommit = m.Commit < commit ? 0 : m.Commit == commit ? 1 : 2;
                detail = where | match << 2 | (m.EntryCount > 0 ? 1 : 0) << 4 | leaderCommit << 5;
                break;
            }
            case MessageKind.InstallSnapshot:
                detail = (m.Index < commit ? 0 : m.Index == commit ? 1 : 2) | (m.Index <= d.LastIndex ? 0 : 1) << 2;
                break;
            case MessageKind.RequestVote:
            {
                int upToDate = m.LogTerm != d.LastTerm ? (m.LogTerm < d.LastTerm ? 0 : 2) : m.Index < d.LastIndex ? 0 : m.Index == d.LastIndex ? 1 : 2;
                int vote = d.VotedFor == RaftNode.None ? 0 : d.VotedFor == m.From ? 1 : 2;
                detail = upToDate | vote << 2;
                break;
            }
            default:
                detail = m.Reject ? 1 : 0;
                break;
        }
        return 1UL << 40 | (ulong)(uint)m.Type << 16 | (uint)(term | role << 2 | detail << 4);
    }

    /// <summary>0 for 0, then 1 + floor(log2 v): 1, 2–3, 4–7, ...</summary>
    private static int Bucket(long v) => v <= 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)v);

    /// <summary>The kind of a feature, in its top bits.</summary>
    private static class Tag
    {
        public const ulong Node = 1UL << 56, Change = 2UL << 56, Shape = 3UL << 56, Term = 4UL << 56, Commit = 5UL << 56, Situation = 6UL << 56, Delivery = 7UL << 56, Pending = 8UL << 56;
    }

    private void Push(Feature f)
    {
        if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _buffer[_count++] = f;
    }

    /// <summary>The distinct codes, each with its earliest draw index (sorted by code).</summary>
    public Feature[] Distinct()
    {
        Span<Feature> span = _buffer.AsSpan(0, _count);
        span.Sort(static (a, b) => a.Code != b.Code ? a.Code.CompareTo(b.Code) : a.At.CompareTo(b.At));
        int kept = 0;
        for (int k = 0; k < span.Length; k++)
            if (kept == 0 || span[k].Code != span[kept - 1].Code) span[kept++] = span[k];
        return span[..kept].ToArray();
    }
}
