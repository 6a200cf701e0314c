using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Services;
using Raft.Model.Storage;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Invariants;

/// <summary>
/// Checks Raft's safety properties incrementally, from observations the world makes after each
/// event: what a node shows through its read-only <see cref="IRaftNodeView"/> (term, role, commit
/// and applied indexes, its log by index), the writes it hands over in a <see cref="Ready"/>, what
/// the disks then hold, and what its service applies. Only what an event changed is examined, so
/// the cost per event does not grow with the log. The first violation is kept in <see cref="Violation"/>.
/// A node's own claims about others are never used: commitment is taken from the entries a node
/// treats as committed, compared across nodes and terms, and (with disks) checked against what a
/// majority of disks hold; votes are taken from what the disks hold, never from a candidate's tally.
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
    // the storage oracles: the disks (null when only the logical invariants are checked), and per
    // term, per voter, the candidates whose vote that voter's disk has held for the term (a bit
    // each). Later terms overwrite a disk's vote, so the record is kept here. _voteHash is an
    // order-free sum over the records, kept up to date as they grow.
    private readonly Disk[]? _disks;
    private readonly Dictionary<long, ulong[]> _durableVotes = new();
    private ulong _voteHash;

    private sealed class NodeTrack
    {
        public IRaftNodeView? View;
        // newly committed indexes seen before a Ready's write, checked against the disks after it
        public long DurableFrom;
        public long DurableTo;
        public long LastVoteTerm = -1;
        public int LastVoteFor = RaftNode.None;
        public long VotesCheckedTerm = -1;
        public long LastTerm;
        public long LastCommit;
        public long Recorded; // the highest index recorded as committed by this node in this incarnation
        public bool Leading;
        public long LeaderTerm;
        public long LeaderLastIndex;
        public long LeaderLastEntryTerm;
        public byte[]? LeaderLastCommand;
    }

    /// <summary>
    /// A checker of the logical invariants only: no disks are observed, so
    /// <see cref="Invariant.CommittedDurablyOnMajority"/> and <see cref="Invariant.LeaderHasDurableVotes"/>
    /// are not checked (for hand-built histories about the other invariants).
    /// </summary>
    public InvariantChecker(int nodes)
    {
        _nodes = new NodeTrack[nodes];
        for (int i = 0; i < nodes; i++) _nodes[i] = new NodeTrack();
    }

    /// <summary>A checker of every invariant, including the storage oracles, which read <paramref name="disks"/>
    /// (one per node, in node order; the checker only reads them).</summary>
    public InvariantChecker(Disk[] disks) : this(disks.Length)
    {
        if (disks.Length > 64) throw new ArgumentOutOfRangeException(nameof(disks), $"at most 64 nodes are supported (got {disks.Length})");
        _disks = disks;
    }

    /// <summary>True when the storage oracles are checked (the checker was given the disks).</summary>
    public bool ChecksStorage => _disks is not null;

    /// <summary>
    /// Set when the world handles Readies asynchronously (its persist runs after further input):
    /// an entry a node newly treats as committed counts as its commit (recorded for Leader
    /// Completeness and State Machine Safety, and checked against a majority of the disks) once
    /// the node's own disk holds it, rather than at once. Until then nothing the node does can
    /// reveal it: its messages and its applies wait for its write. A correct leader of several
    /// nodes has its entries on its own disk before anyone can acknowledge them, but a node that
    /// commits alone (one node, or a broken quorum) counts an entry it has not written yet, and a
    /// crash before the write loses it unseen; once written, the checks see it as before.
    /// </summary>
    public bool AsyncWrites { get; set; }

    /// <summary>The number of the step being checked, from 0 (set by the world before each step): the trace's step index, the one number every report gives.</summary>
    public long Step { get; set; }

    public Violation? Violation { get; private set; }

    /// <summary>Highest index any node has committed.</summary>
    public long MaxCommitted => _committed.Count - 1;

    public int LeadersElected => _leaderOfTerm.Count;

    /// <summary>The state of <paramref name="node"/> after an event that touched it.</summary>
    public void Observe(int node, IRaftNodeView view)
    {
        NodeTrack t = _nodes[node];
        t.View = view;
        long term = view.Term, commitIndex = view.CommitIndex, applied = view.Applied;
        if (term < t.LastTerm)
            Fail(Invariant.TermMonotonic, [node], 0, term, $"node {node} term went from {t.LastTerm} back to {term}");
        t.LastTerm = Math.Max(t.LastTerm, term);
        if (applied > commitIndex)
            Fail(Invariant.AppliedWithinCommitted, [node], applied, term, $"node {node} applied {applied} but committed only {commitIndex}");
        if (commitIndex < t.LastCommit)
            Fail(Invariant.CommitMonotonic, [node], commitIndex, term, $"node {node} commit index went from {t.LastCommit} back to {commitIndex}");

        ObserveCommit(node, view);

        if (view.Role == Role.Leader) ObserveLeader(node, t, term, view);
        else t.Leading = false;
    }

    /// <summary>
    /// Records the entries <paramref name="node"/> newly treats as committed, and (with disks)
    /// checks at once that a majority of disks hold each of them. <see cref="Observe"/> calls this
    /// after each event; for a Ready the world calls <see cref="ObserveReady"/> and
    /// <see cref="ObserveWritten"/>, which do the same around the Ready's write.
    /// </summary>
    public void ObserveCommit(int node, IRaftNodeView view)
    {
        ObserveCommit(node, view, deferDurable: false);
    }

    /// <summary>
    /// A Ready of <paramref name="node"/>, seen before its writes are made durable (and before the
    /// node applies and its service compacts, so an entry committed and snapshotted in one event is
    /// still seen): the entries it newly treats as committed, and the writes it asks for. The world
    /// then persists the Ready and calls <see cref="ObserveWritten"/> before its messages leave.
    /// </summary>
    public void ObserveReady(int node, Ready ready, IRaftNodeView view)
    {
        _nodes[node].View = view;
        ObserveCommit(node, view, deferDurable: true);
        ObservePersist(node, ready, view);
    }

    /// <summary>
    /// The disk of <paramref name="node"/> now holds its last Ready's writes, and nothing of that
    /// Ready has left the node yet. Checks, from the disks alone, the entries the Ready showed
    /// committed (<see cref="Invariant.CommittedDurablyOnMajority"/>); records the vote the disk now
    /// holds; and if the node leads, that its leadership rests on durable votes
    /// (<see cref="Invariant.LeaderHasDurableVotes"/>), checked at the first such Ready of its term.
    /// Without disks, does nothing.
    /// </summary>
    public void ObserveWritten(int node, IRaftNodeView view)
    {
        if (_disks is null) return;
        NodeTrack t = _nodes[node];
        if (AsyncWrites) ObserveCommit(node, view, deferDurable: false); // what the write made durable now counts
        else CheckDeferred(node, view, t);
        Disk disk = _disks[node];
        if (disk.VotedFor != RaftNode.None && (disk.Term != t.LastVoteTerm || disk.VotedFor != t.LastVoteFor))
        {
            RecordVote(node, disk.Term, disk.VotedFor);
            t.LastVoteTerm = disk.Term;
            t.LastVoteFor = disk.VotedFor;
        }
        if (view.Role == Role.Leader && t.VotesCheckedTerm != view.Term)
        {
            t.VotesCheckedTerm = view.Term;
            CheckDurableVotes(node, view.Term);
        }
    }

    private void ObserveCommit(int node, IRaftNodeView view, bool deferDurable)
    {
        NodeTrack t = _nodes[node];
        long term = view.Term, commitIndex = view.CommitIndex;
        long from = Math.Max(t.Recorded, view.SnapshotIndex) + 1, to = Math.Min(commitIndex, view.LastIndex);
        // asynchronous handling: only what the node's own disk holds counts as its commit yet (see AsyncWrites)
        bool async = AsyncWrites && _disks is not null;
        if (async && from <= to) to = OwnDiskHoldsThrough(node, view, from, to);
        for (long i = from; i <= to; i++)
        {
            if (!view.TryGetEntry(i, out Entry e)) break;
            RecordCommitted(node, i, e.Term, Commands.Hash(e.Command), term);
        }
        t.Recorded = Math.Max(t.Recorded, async ? to : commitIndex);
        if (commitIndex > t.LastCommit) t.LastCommit = commitIndex;
        if (_disks is null || from > to) return;
        if (!deferDurable || async)
        {
            CheckDurableCommits(node, view, from, to);
            return;
        }
        // several Readies of one event are each written before the next is taken, so a range is
        // always checked before another is recorded; merge defensively all the same
        if (t.DurableTo < t.DurableFrom || t.DurableFrom == 0) t.DurableFrom = from;
        t.DurableTo = Math.Max(t.DurableTo, to);
    }

    /// <summary>Checks the newly committed indexes that waited for <paramref name="node"/>'s write.</summary>
    private void CheckDeferred(int node, IRaftNodeView view, NodeTrack t)
    {
        if (t.DurableFrom <= 0 || t.DurableTo < t.DurableFrom) return;
        CheckDurableCommits(node, view, t.DurableFrom, t.DurableTo);
        t.DurableFrom = t.DurableTo = 0;
    }

    /// <summary>The last index of from..to through which <paramref name="node"/>'s own disk holds the entries its log has (compacted ones count as held).</summary>
    private long OwnDiskHoldsThrough(int node, IRaftNodeView view, long from, long to)
    {
        Disk own = _disks![node];
        for (long i = from; i <= to; i++)
        {
            if (!view.TryGetEntry(i, out Entry e)) continue; // compacted since: seen committed before it was (not checked either)
            if (!DiskHolds(own, i, e.Term)) return i - 1;
        }
        return to;
    }

    /// <summary>Each index in from..to that <paramref name="node"/> treats as committed must be held
    /// durably by a majority of disks: that index with the node's term for it, or a durable snapshot
    /// covering it. O(nodes) per index; no log is scanned.</summary>
    private void CheckDurableCommits(int node, IRaftNodeView view, long from, long to)
    {
        Disk[] disks = _disks!;
        int majority = disks.Length / 2 + 1;
        for (long i = from; i <= to; i++)
        {
            if (!view.TryGetEntry(i, out Entry e)) continue; // compacted since: seen committed before it was
            int holding = 0;
            for (int d = 0; d < disks.Length; d++)
                if (DiskHolds(disks[d], i, e.Term)) holding++;
            if (holding < majority)
            {
                Fail(Invariant.CommittedDurablyOnMajority, [node], i, e.Term,
                    $"node {node} treats entry {i} (term {e.Term}) as committed but only {holding} of {disks.Length} disks hold it durably (a majority is {majority})");
                return;
            }
        }
    }

    private static bool DiskHolds(Disk disk, long index, long term)
    {
        if (index <= disk.SnapshotIndex) return true;
        if (index > disk.LastIndex) return false;
        return disk.Entries[(int)(index - disk.SnapshotIndex - 1)].Term == term;
    }

    private void RecordVote(int voter, long term, int candidate)
    {
        if (candidate < 0 || candidate >= 64) return;
        if (!_durableVotes.TryGetValue(term, out ulong[]? votes))
            _durableVotes[term] = votes = new ulong[_nodes.Length];
        ulong before = votes[voter], after = before | (1UL << candidate);
        if (after == before) return;
        votes[voter] = after;
        _voteHash += VoteRecordHash(term, voter, after) - VoteRecordHash(term, voter, before);
    }

    private static ulong VoteRecordHash(long term, int voter, ulong mask)
    {
        if (mask == 0) return 0;
        ulong h = ((ulong)term * 0x9E3779B97F4A7C15UL) ^ ((ulong)voter << 56) ^ mask;
        h ^= h >> 33; h *= 0xFF51AFD7ED558CCDUL; h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53UL; h ^= h >> 33;
        return h;
    }

    private void CheckDurableVotes(int leader, long term)
    {
        int majority = _nodes.Length / 2 + 1, votes = 0;
        if (_durableVotes.TryGetValue(term, out ulong[]? record))
            for (int v = 0; v < record.Length; v++)
                if ((record[v] & (1UL << leader)) != 0) votes++;
        if (votes < majority)
            Fail(Invariant.LeaderHasDurableVotes, [leader], 0, term,
                $"node {leader} leads term {term} but only {votes} of {_nodes.Length} disks have held a vote for it in term {term} (a majority is {majority})");
    }

    /// <summary>
    /// A hash of what the checker remembers (leaders per term, committed entries and their commit
    /// terms, the durable votes recorded per term), for the model checker's state hashing. Values
    /// only, in a fixed order (the vote records by an order-free sum).
    /// </summary>
    public ulong HistoryHash()
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var (term, leader) in _leaderOfTerm.OrderBy(kv => kv.Key)) h = (h ^ (ulong)(term * 31 + leader)) * 0x100000001B3UL;
        foreach (var c in _committed) h = (h ^ (c.Hash + (ulong)c.Term * 7 + (ulong)c.CommitTerm)) * 0x100000001B3UL;
        for (int i = 0; i < _nodes.Length; i++) h = (h ^ (ulong)_nodes[i].LastTerm) * 0x100000001B3UL;
        if (_disks is not null) h = (h ^ _voteHash) * 0x100000001B3UL;
        return h;
    }

    /// <summary>A Ready's durable writes, seen before the node is advanced.</summary>
    public void ObservePersist(int node, Ready ready, IRaftNodeView view)
    {
        if (ready.PersistFrom == 0) return;
        NodeTrack t = _nodes[node];
        if (_disks is not null)
        {
            Disk disk = _disks[node];
            long end = ready.SnapshotIndex > disk.SnapshotIndex ? Math.Max(disk.LastIndex, ready.SnapshotIndex) : disk.LastIndex;
            if (ready.PersistFrom > end + 1)
            {
                Fail(Invariant.DurableLogContiguous, [node], end + 1, view.Term,
                    $"node {node} writes entries from index {ready.PersistFrom} but its disk ends at {end}: it took entries {end + 1}–{ready.PersistFrom - 1} for durable and never wrote them");
                return;
            }
        }
        Role role = view.Role;
        long term = view.Term;
        ReadOnlySpan<Entry> entries = ready.EntriesToPersist;
        if (role == Role.Leader && t.Leading && t.LeaderTerm == term && ready.PersistFrom <= t.LeaderLastIndex)
            CheckLeaderWrite(node, t, term, ready, entries);
        long prevTerm = AsyncWrites ? DurablePrevTerm(node, ready, view) : TermAt(view, ready.PersistFrom - 1);
        for (int k = 0; k < entries.Length; k++)
        {
            long index = ready.PersistFrom + k;
            ulong hash = Commands.Hash(entries[k].Command);
            CheckEntryIdentity(node, index, entries[k].Term, prevTerm, hash);
            prevTerm = entries[k].Term;
        }
    }

    /// <summary>
    /// A leader of its observed term writes from an index at or below the last index it held
    /// while leading. Without disks that alone is a rewrite. With disks it is one only if the write
    /// drops or changes an entry its disk holds there: asynchronous handling may write a leader's
    /// entries after the node was observed holding them, and a Ready taken again before Advance
    /// writes the same entries a second time, neither of which changes the durable log.
    /// </summary>
    private void CheckLeaderWrite(int node, NodeTrack t, long term, Ready ready, ReadOnlySpan<Entry> entries)
    {
        if (_disks is null)
        {
            Fail(Invariant.LeaderAppendOnly, [node], ready.PersistFrom, term,
                $"leader {node} of term {term} rewrote its durable log from index {ready.PersistFrom} (it held {t.LeaderLastIndex})");
            return;
        }
        Disk disk = _disks[node];
        long first = Math.Max(ready.PersistFrom, (ready.HasSnapshot ? Math.Max(ready.SnapshotIndex, disk.SnapshotIndex) : disk.SnapshotIndex) + 1);
        long last = Math.Min(t.LeaderLastIndex, disk.LastIndex);
        for (long i = first; i <= last; i++)
        {
            Entry held = disk.Entries[(int)(i - disk.SnapshotIndex - 1)];
            long k = i - ready.PersistFrom;
            bool dropped = k >= entries.Length;
            if (!dropped && entries[(int)k].Term == held.Term && Commands.Same(entries[(int)k].Command, held.Command)) continue;
            Fail(Invariant.LeaderAppendOnly, [node], i, term,
                $"leader {node} of term {term} rewrote its durable log from index {ready.PersistFrom}: it {(dropped ? "deleted" : "overwrote")} durable entry {i} (it held {t.LeaderLastIndex})");
            return;
        }
    }

    /// <summary>
    /// A granted vote left <paramref name="voter"/> for <paramref name="candidate"/> in
    /// <paramref name="term"/> (seen on the wire). If the voter's disk has by then durably left that
    /// term, the grant binds as a durable vote would (the voter can never vote in that term again,
    /// whatever it restarts from), and it is recorded as one. This happens when a Ready is taken
    /// again before Advance (asynchronous handling): the second Ready carries the grant and the
    /// later hard state, and only the later one is written. Synchronous handling writes the vote
    /// itself before the grant leaves, so this records nothing new there.
    /// </summary>
    public void ObserveGrantSent(int voter, long term, int candidate)
    {
        if (_disks is null || _disks[voter].Term <= term) return;
        RecordVote(voter, term, candidate);
    }

    /// <summary>The world saw <paramref name="node"/> break the node contract in what it handed over (e.g. a pooled entry array reused while in flight).</summary>
    public void ObserveContractBreach(int node, string detail) =>
        Fail(Invariant.CoreError, node >= 0 ? [node] : [], 0, 0, detail);

    /// <summary>
    /// The term of the entry a write extends (at PersistFrom − 1) in the durable log the write
    /// leaves: the Ready's snapshot at its index, else what the disk holds there. Asynchronous
    /// handling writes a Ready after the node moved on (it may have compacted or installed a
    /// snapshot since), so the node's log no longer tells; synchronously the two agree.
    /// </summary>
    private long DurablePrevTerm(int node, Ready ready, IRaftNodeView view)
    {
        long prev = ready.PersistFrom - 1;
        if (ready.HasSnapshot && prev == ready.SnapshotIndex) return ready.SnapshotTerm;
        long term = _disks is null ? -1 : _disks[node].TermAt(prev);
        return term >= 0 ? term : TermAt(view, prev);
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

    /// <summary>The key-value clients' history is not linearizable on <paramref name="key"/> (World.CheckLinearizability).</summary>
    public void ObserveLinearizability(string key, string detail) =>
        Fail(Invariant.Linearizability, [], 0, 0, detail);

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
        // asynchronous handling: a term the node had not written yet was never revealed (its messages
        // wait for the write), so across the crash the term may fall back to what its disk holds
        if (AsyncWrites && _disks is not null) t.LastTerm = Math.Min(t.LastTerm, _disks[node].Term);
        t.View = null;
        t.LastCommit = 0;
        t.Recorded = 0;
        t.Leading = false;
        t.DurableFrom = t.DurableTo = 0;
    }

    /// <summary>The term at <paramref name="index"/> in the view's log (its snapshot's term at the boundary).</summary>
    private static bool TryTerm(IRaftNodeView view, long index, out long term)
    {
        if (index == view.SnapshotIndex) { term = view.SnapshotTerm; return true; }
        if (view.TryGetEntry(index, out Entry e)) { term = e.Term; return true; }
        term = 0;
        return false;
    }

    private static long TermAt(IRaftNodeView view, long index) => TryTerm(view, index, out long t) ? t : 0;

    private void ObserveLeader(int node, NodeTrack t, long term, IRaftNodeView log)
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
                if (!TryTerm(log, i, out long held) || held != c.Term)
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
            bool replaced = !shrank && (!log.TryGetEntry(t.LeaderLastIndex, out Entry held) || held.Term != t.LeaderLastEntryTerm
                || !ReferenceEquals(held.Command, t.LeaderLastCommand));
            if (shrank || replaced)
                Fail(Invariant.LeaderAppendOnly, [node], t.LeaderLastIndex, term,
                    $"leader {node} of term {term} {(shrank ? "deleted" : "overwrote")} entry {t.LeaderLastIndex}");
        }
        t.LeaderLastIndex = log.LastIndex;
        if (log.TryGetEntry(log.LastIndex, out Entry last))
        {
            t.LeaderLastEntryTerm = last.Term;
            t.LeaderLastCommand = last.Command;
        }
        else
        {
            t.LeaderLastEntryTerm = log.SnapshotTerm;
            t.LeaderLastCommand = null;
        }
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
            if (!other.Leading || other.LeaderTerm <= commitTerm || other.View is null) continue;
            if (index <= other.View.SnapshotIndex) continue;
            if (!TryTerm(other.View, index, out long held) || held != term)
                Fail(Invariant.LeaderCompleteness, [j, node], index, term,
                    $"entry {index} of term {term} committed by node {node} in term {commitTerm} is missing from leader {j} of term {other.LeaderTerm}");
        }
    }

    private void CheckEntryIdentity(int node, long index, long term, long prevTerm, ulong hash)
    {
        if (_entryIdentity.TryGetValue((index, term), out var known))
        {
            // the first holder may be this very node, which held the entry before with another command or predecessor
            bool same = known.Node == node;
            if (known.Hash != hash)
                Fail(Invariant.LogMatching, [known.Node, node], index, term, same
                    ? $"node {node} holds a different command at index {index} in term {term} than it held there before"
                    : $"nodes {known.Node} and {node} hold different commands at index {index} in term {term}");
            else if (known.PrevTerm != prevTerm)
                Fail(Invariant.LogMatching, [known.Node, node], index, term, same
                    ? $"node {node} holds entry {index} (term {term}) after an entry {index - 1} of term {prevTerm}, but held the same entry after an entry {index - 1} of term {known.PrevTerm} before"
                    : $"nodes {known.Node} and {node} agree on entry {index} (term {term}) but not on entry {index - 1} (terms {known.PrevTerm} and {prevTerm})");
            return;
        }
        _entryIdentity[(index, term)] = (prevTerm, hash, node);
    }

    /// <summary>
    /// Keeps the first violation, with one refinement: within a single event, a violation of a
    /// protocol invariant found after a storage oracle fired replaces it, since the property that
    /// broke says more than the durable state that explains it. Across events the first one stays.
    /// </summary>
    private void Fail(Invariant invariant, int[] nodes, long index, long term, string detail)
    {
        if (Violation is null
            || (IsStorageOracle(Violation.Invariant) && Violation.Step == Step && !IsStorageOracle(invariant)
                && invariant is not (Invariant.CoreError or Invariant.Liveness)))
            Violation = new Violation(invariant, nodes, index, term, Step, detail);
    }

    private static bool IsStorageOracle(Invariant i) =>
        i is Invariant.CommittedDurablyOnMajority or Invariant.LeaderHasDurableVotes or Invariant.DurableLogContiguous;
}
