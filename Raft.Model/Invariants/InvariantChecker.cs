using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Services;

namespace Raft.Model.Invariants;

/// <summary>
/// Checks Raft's safety properties incrementally, from observations the world makes after each
/// event: the node's term, role, commit index and applied index, its log (read only), the writes
/// it makes durable, and what its service applies. Only what an event changed is examined, so the
/// cost per event does not grow with the log. The first violation is kept in <see cref="Violation"/>.
/// A node's own claims about others are never used: commitment is taken from the entries a node
/// treats as committed, and compared across nodes and terms.
/// </summary>
public sealed class InvariantChecker
{
    private readonly Dictionary<long, int> _leaderOfTerm = new();
    private readonly Dictionary<(long Index, long Term), (long PrevTerm, ulong Hash, int Node)> _entryIdentity = new();
    // per index: the entry's term, its command hash, the node that first committed it, and the
    // term that node was in then (the term the entry was committed in, as far as we can observe)
    private readonly List<(long Term, ulong Hash, int Node, long CommitTerm)> _committed = new() { default };
    private readonly List<(ulong Hash, int Node, bool Set)> _applied = new() { default };
    private readonly NodeTrack[] _nodes;

    private sealed class NodeTrack
    {
        public RaftLog? Log;
        public long LastTerm;
        public long LastCommit;
        public bool Leading;
        public long LeaderTerm;
        public long LeaderLastIndex;
        public long LeaderLastEntryTerm;
        public byte[]? LeaderLastCommand;
    }

    public InvariantChecker(int nodes)
    {
        _nodes = new NodeTrack[nodes];
        for (int i = 0; i < nodes; i++) _nodes[i] = new NodeTrack();
    }

    /// <summary>The number of the event being checked (set by the world before each event).</summary>
    public long Event { get; set; }

    public Violation? Violation { get; private set; }

    /// <summary>Highest index any node has committed.</summary>
    public long MaxCommitted => _committed.Count - 1;

    public int LeadersElected => _leaderOfTerm.Count;

    /// <summary>The state of <paramref name="node"/> after an event that touched it.</summary>
    public void Observe(int node, long term, Role role, long commitIndex, long applied, RaftLog log)
    {
        NodeTrack t = _nodes[node];
        t.Log = log;
        if (term < t.LastTerm)
            Fail(Invariant.TermMonotonic, [node], 0, term, $"node {node} term went from {t.LastTerm} back to {term}");
        t.LastTerm = Math.Max(t.LastTerm, term);
        if (applied > commitIndex)
            Fail(Invariant.AppliedWithinCommitted, [node], applied, term, $"node {node} applied {applied} but committed only {commitIndex}");
        if (commitIndex < t.LastCommit)
            Fail(Invariant.CommitMonotonic, [node], commitIndex, term, $"node {node} commit index went from {t.LastCommit} back to {commitIndex}");

        ObserveCommit(node, term, commitIndex, log);

        if (role == Role.Leader) ObserveLeader(node, t, term, log);
        else t.Leading = false;
    }

    /// <summary>
    /// Records the entries <paramref name="node"/> newly treats as committed. The world calls this
    /// for each Ready before the node applies and its service compacts, so an entry committed and
    /// snapshotted in one event is still seen; <see cref="Observe"/> calls it again after the event.
    /// </summary>
    public void ObserveCommit(int node, long term, long commitIndex, RaftLog log)
    {
        NodeTrack t = _nodes[node];
        for (long i = Math.Max(t.LastCommit, log.SnapshotIndex) + 1; i <= commitIndex && i <= log.LastIndex; i++)
        {
            ref readonly Entry e = ref log.At(i);
            RecordCommitted(node, i, e.Term, Commands.Hash(e.Command), term);
        }
        if (commitIndex > t.LastCommit) t.LastCommit = commitIndex;
    }

    /// <summary>
    /// A hash of what the checker remembers (leaders per term, committed entries and their commit
    /// terms), for the model checker's state hashing. Values only, in a fixed order.
    /// </summary>
    public ulong HistoryHash()
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var (term, leader) in _leaderOfTerm.OrderBy(kv => kv.Key)) h = (h ^ (ulong)(term * 31 + leader)) * 0x100000001B3UL;
        foreach (var c in _committed) h = (h ^ (c.Hash + (ulong)c.Term * 7 + (ulong)c.CommitTerm)) * 0x100000001B3UL;
        for (int i = 0; i < _nodes.Length; i++) h = (h ^ (ulong)_nodes[i].LastTerm) * 0x100000001B3UL;
        return h;
    }

    /// <summary>A Ready's durable writes, seen before the node is advanced.</summary>
    public void ObservePersist(int node, Ready ready, RaftLog log, Role role, long term)
    {
        if (ready.PersistFrom == 0) return;
        NodeTrack t = _nodes[node];
        if (role == Role.Leader && t.Leading && t.LeaderTerm == term && ready.PersistFrom <= t.LeaderLastIndex)
            Fail(Invariant.LeaderAppendOnly, [node], ready.PersistFrom, term,
                $"leader {node} of term {term} rewrote its durable log from index {ready.PersistFrom} (it held {t.LeaderLastIndex})");
        ReadOnlySpan<Entry> entries = ready.EntriesToPersist;
        long prevTerm = log.TermAt(ready.PersistFrom - 1);
        for (int k = 0; k < entries.Length; k++)
        {
            long index = ready.PersistFrom + k;
            ulong hash = Commands.Hash(entries[k].Command);
            CheckEntryIdentity(node, index, entries[k].Term, prevTerm, hash);
            prevTerm = entries[k].Term;
        }
    }

    /// <summary>The service of <paramref name="node"/> applied <paramref name="command"/> at <paramref name="index"/>.</summary>
    public void ObserveApply(int node, long index, byte[] command)
    {
        ulong hash = Commands.Hash(command);
        while (_applied.Count <= index) _applied.Add(default);
        var prior = _applied[(int)index];
        if (!prior.Set) _applied[(int)index] = (hash, node, true);
        else if (prior.Hash != hash)
            Fail(Invariant.StateMachineSafety, [prior.Node, node], index, 0,
                $"node {node} applied a different command at index {index} than node {prior.Node}");
    }

    /// <summary>An error reported by a node's service (the lab applier's checks).</summary>
    public void ObserveServiceError(int node, string error) =>
        Fail(Invariant.ServiceApply, [node], 0, 0, error);

    /// <summary>The core, or the world handling its output, threw while node <paramref name="node"/> ran.</summary>
    public void ObserveCoreError(int node, Exception e) =>
        Fail(Invariant.CoreError, node >= 0 ? [node] : [], 0, 0, $"{e.GetType().Name}: {e.Message}");

    /// <summary>A liveness monitor gave up (the liveness phase of an exploration).</summary>
    public void ObserveLiveness(int[] nodes, long index, long term, string detail) =>
        Fail(Invariant.Liveness, nodes, index, term, detail);

    /// <summary>The node crashed: its volatile state (commit index, leadership) is gone.</summary>
    public void ObserveCrash(int node)
    {
        NodeTrack t = _nodes[node];
        t.Log = null;
        t.LastCommit = 0;
        t.Leading = false;
    }

    private void ObserveLeader(int node, NodeTrack t, long term, RaftLog log)
    {
        if (_leaderOfTerm.TryGetValue(term, out int other) && other != node)
            Fail(Invariant.ElectionSafety, [other, node], 0, term, $"nodes {other} and {node} were both leader in term {term}");
        else _leaderOfTerm[term] = node;

        if (!t.Leading || t.LeaderTerm != term)
        {
            // newly elected: it must hold every entry committed so far (all from earlier terms)
            for (long i = Math.Max(1, log.SnapshotIndex + 1); i < _committed.Count; i++)
            {
                var c = _committed[(int)i];
                if (c.Node < 0 || c.CommitTerm >= term) continue; // committed in this term or later: a late-elected stale leader need not hold it
                if (!log.TryTerm(i, out long held) || held != c.Term)
                {
                    Fail(Invariant.LeaderCompleteness, [node, c.Node], i, c.Term,
                        $"node {node} became leader of term {term} without entry {i} (term {c.Term}) committed by node {c.Node}");
                    break;
                }
            }
            t.Leading = true;
            t.LeaderTerm = term;
        }
        else if (t.LeaderLastIndex > log.SnapshotIndex)
        {
            bool shrank = log.LastIndex < t.LeaderLastIndex;
            bool replaced = !shrank && (log.TermAt(t.LeaderLastIndex) != t.LeaderLastEntryTerm
                || !ReferenceEquals(log.At(t.LeaderLastIndex).Command, t.LeaderLastCommand));
            if (shrank || replaced)
                Fail(Invariant.LeaderAppendOnly, [node], t.LeaderLastIndex, term,
                    $"leader {node} of term {term} {(shrank ? "deleted" : "overwrote")} entry {t.LeaderLastIndex}");
        }
        t.LeaderLastIndex = log.LastIndex;
        t.LeaderLastEntryTerm = log.LastTerm;
        t.LeaderLastCommand = log.LastIndex > log.SnapshotIndex ? log.At(log.LastIndex).Command : null;
    }

    private void RecordCommitted(int node, long index, long term, ulong hash, long commitTerm)
    {
        if (index < _committed.Count && _committed[(int)index].Node >= 0)
        {
            var c = _committed[(int)index];
            if (c.Term != term || c.Hash != hash)
            {
                Fail(Invariant.StateMachineSafety, [c.Node, node], index, term,
                    $"node {node} committed entry {index} of term {term}, but node {c.Node} committed a different entry there (term {c.Term})");
                return;
            }
            if (commitTerm >= c.CommitTerm) return;
            // seen committed by a node in an earlier term: the entry was committed by then at the latest
            _committed[(int)index] = (term, hash, node, commitTerm);
        }
        else
        {
            // below a snapshot a node may never show an index as committed: keep a placeholder until one does
            while (_committed.Count <= index) _committed.Add((0, 0, -1, long.MaxValue));
            _committed[(int)index] = (term, hash, node, commitTerm);
        }
        for (int j = 0; j < _nodes.Length; j++)
        {
            NodeTrack other = _nodes[j];
            if (!other.Leading || other.LeaderTerm <= commitTerm || other.Log is null) continue;
            if (index <= other.Log.SnapshotIndex) continue;
            if (!other.Log.TryTerm(index, out long held) || held != term)
                Fail(Invariant.LeaderCompleteness, [j, node], index, term,
                    $"entry {index} of term {term} committed by node {node} in term {commitTerm} is missing from leader {j} of term {other.LeaderTerm}");
        }
    }

    private void CheckEntryIdentity(int node, long index, long term, long prevTerm, ulong hash)
    {
        if (_entryIdentity.TryGetValue((index, term), out var known))
        {
            if (known.Hash != hash)
                Fail(Invariant.LogMatching, [known.Node, node], index, term,
                    $"nodes {known.Node} and {node} hold different commands at index {index} in term {term}");
            else if (known.PrevTerm != prevTerm)
                Fail(Invariant.LogMatching, [known.Node, node], index, term,
                    $"nodes {known.Node} and {node} agree on entry {index} (term {term}) but not on entry {index - 1} (terms {known.PrevTerm} and {prevTerm})");
            return;
        }
        _entryIdentity[(index, term)] = (prevTerm, hash, node);
    }

    private void Fail(Invariant invariant, int[] nodes, long index, long term, string detail)
    {
        Violation ??= new Violation(invariant, nodes, index, term, Event, detail);
    }
}
