using Raft.Core.Node;
using Raft.Model.Simulation;
using Raft.Model.Storage;
using Raft.Model.Contract;

namespace Raft.Model.Exploration;

/// <summary>
/// The named protocol situations of the Raft paper (Figure 7 (a)–(f), Figure 8 (a)–(e), and the
/// snapshot situations of §7), as predicates over what the world observes: the nodes' durable logs,
/// who is leader in which term, commit indexes, and an arriving snapshot. Definitions in
/// docs/exploration.md, "Named situations". A schedule reaches a situation when its predicate holds
/// after some fault-phase step; a run counts in how many schedules each was reached.
/// </summary>
public enum Situation
{
    Fig7a, Fig7b, Fig7c, Fig7d, Fig7e, Fig7f,
    Fig8a, Fig8b, Fig8c, Fig8d, Fig8e,
    SnapshotBehindLeader, SnapshotOverLongerLog,
}

/// <summary>One node as the situations see it.</summary>
public struct SituationNode
{
    /// <summary>Down (crashed): its log still counts (it is durable), its role and commit index do not.</summary>
    public bool Up;
    public bool Leader;
    /// <summary>Its durable current term.</summary>
    public long Term;
    /// <summary>Its commit index (meaningful only when up).</summary>
    public long Commit;
    public IDurableLog Log;
}

/// <summary>The predicates (allocation free) and their names.</summary>
public static class Situations
{
    public const int Count = (int)Situation.SnapshotOverLongerLog + 1;

    /// <summary>Every situation's bit.</summary>
    public const uint All = (1u << Count) - 1;

    public static uint Bit(Situation s) => 1u << (int)s;

    public static string Name(Situation s) => s switch
    {
        Situation.Fig7a => "fig7a",
        Situation.Fig7b => "fig7b",
        Situation.Fig7c => "fig7c",
        Situation.Fig7d => "fig7d",
        Situation.Fig7e => "fig7e",
        Situation.Fig7f => "fig7f",
        Situation.Fig8a => "fig8a",
        Situation.Fig8b => "fig8b",
        Situation.Fig8c => "fig8c",
        Situation.Fig8d => "fig8d",
        Situation.Fig8e => "fig8e",
        Situation.SnapshotBehindLeader => "snap-behind",
        Situation.SnapshotOverLongerLog => "snap-over-log",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>One line per situation (docs/exploration.md has the precise definitions).</summary>
    public static string Describe(Situation s) => s switch
    {
        Situation.Fig7a => "a follower misses the leader's last entries, all of one term",
        Situation.Fig7b => "a follower misses leader entries of two or more terms",
        Situation.Fig7c => "a follower holds extra entries of the leader's last log term",
        Situation.Fig7d => "a follower holds extra entries of a term after the leader's last log term",
        Situation.Fig7e => "a follower's log diverges from the leader's with a suffix of one term",
        Situation.Fig7f => "a follower's log diverges from the leader's with a suffix of two or more terms",
        Situation.Fig8a => "the leader's own-term entry on a minority (≥ 2 nodes), uncommitted",
        Situation.Fig8b => "the leader's own-term entry where another node holds an older term's entry, uncommitted",
        Situation.Fig8c => "the leader's older-term entry on a majority, uncommitted, while another node holds a later conflicting one",
        Situation.Fig8d => "the leader's older-term entry conflicts with an earlier-term entry held by a majority",
        Situation.Fig8e => "the leader committed an own-term entry above an older-term entry another node still contradicts",
        Situation.SnapshotBehindLeader => "a node's log ends before the leader's snapshot index",
        Situation.SnapshotOverLongerLog => "an InstallSnapshot arrives at a node whose log ends past the snapshot",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>
    /// The situations among <paramref name="wanted"/> that hold in <paramref name="nodes"/> (not
    /// <see cref="Situation.SnapshotOverLongerLog"/>, which is an event: see <see cref="SnapshotArrives"/>).
    /// </summary>
    public static uint Evaluate(ReadOnlySpan<SituationNode> nodes, uint wanted = All)
    {
        int n = nodes.Length;
        // the leader: the up leader of the highest term
        int l = -1;
        for (int i = 0; i < n; i++)
            if (nodes[i].Up && nodes[i].Leader && (l < 0 || nodes[i].Term > nodes[l].Term)) l = i;
        if (l < 0) return 0;
        uint found = 0;
        IDurableLog lead = nodes[l].Log;
        long leaderTerm = nodes[l].Term, lSnap = lead.SnapshotIndex, lLast = lead.LastIndex, lLastTerm = lead.LastTerm;

        const uint fig7 = 0x3F;
        for (int f = 0; f < n && (wanted & ~found & (fig7 | Bit(Situation.SnapshotBehindLeader))) != 0; f++)
        {
            if (f == l) continue;
            IDurableLog log = nodes[f].Log;
            long fSnap = log.SnapshotIndex, fLast = log.LastIndex;
            if (fLast < lSnap) { found |= Bit(Situation.SnapshotBehindLeader); continue; }
            if (lLast < fSnap) continue; // the follower's snapshot is past the leader's log: not a Figure 7 shape
            long floor = Math.Max(fSnap, lSnap);
            long m = Math.Min(fLast, lLast);
            while (m > floor && log.TermAt(m) != lead.TermAt(m)) m--;
            if (m == fLast)
            {
                if (fLast == lLast) continue; // equal logs
                // behind: the missing entries are lead's (fLast, lLast]
                found |= TermsIn(lead, fLast + 1, lLast) == 1 ? Bit(Situation.Fig7a) : Bit(Situation.Fig7b);
            }
            else if (m == lLast)
            {
                // ahead: the extra entries are the follower's (lLast, fLast]; terms never decrease along a log
                found |= log.TermAt(fLast) > lLastTerm ? Bit(Situation.Fig7d) : Bit(Situation.Fig7c);
            }
            else
            {
                // divergent: the follower misses lead's (m, lLast] and holds its own (m, fLast]
                found |= TermsIn(log, m + 1, fLast) == 1 ? Bit(Situation.Fig7e) : Bit(Situation.Fig7f);
            }
        }

        const uint fig8 = 0x7C0;
        if ((wanted & ~found & fig8) == 0) return found & wanted;
        // uncommitted as far as anyone observed: above every up node's commit index and every node's snapshot
        long committed = 0;
        for (int j = 0; j < n; j++)
        {
            committed = Math.Max(committed, nodes[j].Log.SnapshotIndex);
            if (nodes[j].Up) committed = Math.Max(committed, nodes[j].Commit);
        }
        int majority = n / 2 + 1;
        for (long i = Math.Max(committed, lSnap) + 1; i <= lLast; i++)
        {
            long t = lead.TermAt(i);
            int holders = 0;
            bool olderElsewhere = false, laterConflict = false;
            for (int j = 0; j < n; j++)
            {
                long tj = j == l ? t : nodes[j].Log.TermAt(i);
                if (tj == t) holders++;
                else if (tj > 0 && tj < t) olderElsewhere = true;
                else if (tj > t && tj < leaderTerm) laterConflict = true;
            }
            if (t == leaderTerm)
            {
                if (holders >= 2 && holders < majority) found |= Bit(Situation.Fig8a);
                if (olderElsewhere) found |= Bit(Situation.Fig8b);
            }
            else
            {
                if (holders >= majority && laterConflict) found |= Bit(Situation.Fig8c);
                if (olderElsewhere && MajorityHoldsOlder(nodes, i, t, majority)) found |= Bit(Situation.Fig8d);
            }
        }
        // Figure 8 (e): the leader's commit index covers an own-term entry, and below it an older-term entry
        // of its log is still contradicted by a later-term entry on another node (which can now never win)
        long c = nodes[l].Commit;
        if ((wanted & ~found & Bit(Situation.Fig8e)) != 0 && c > lSnap && c <= lLast && lead.TermAt(c) == leaderTerm)
        {
            for (int j = 0; j < n && (found & Bit(Situation.Fig8e)) == 0; j++)
            {
                if (j == l) continue;
                IDurableLog log = nodes[j].Log;
                long fLast = log.LastIndex, floor = Math.Max(log.SnapshotIndex, lSnap);
                long m = Math.Min(fLast, c - 1);
                if (m <= floor) continue;
                // entries up to the common prefix agree; only past it can a conflicting entry sit
                while (m > floor && log.TermAt(m) != lead.TermAt(m)) m--;
                for (long i = m + 1, end = Math.Min(fLast, c - 1); i <= end; i++)
                {
                    long t = lead.TermAt(i), tj = log.TermAt(i);
                    if (t == leaderTerm) break;
                    if (tj > t && tj < leaderTerm) { found |= Bit(Situation.Fig8e); break; }
                }
            }
        }
        return found & wanted;
    }

    /// <summary>Snapshot over a longer log: an InstallSnapshot with last included index <paramref name="snapshotIndex"/> arrives at a node whose durable log ends past it.</summary>
    public static bool SnapshotArrives(IDurableLog recipient, long snapshotIndex) => recipient.LastIndex > snapshotIndex;

    /// <summary>Whether a majority of nodes hold at <paramref name="i"/> entries of one term, older than <paramref name="t"/>.</summary>
    private static bool MajorityHoldsOlder(ReadOnlySpan<SituationNode> nodes, long i, long t, int majority)
    {
        for (int a = 0; a < nodes.Length; a++)
        {
            long ta = nodes[a].Log.TermAt(i);
            if (ta <= 0 || ta >= t) continue;
            int same = 0;
            for (int b = 0; b < nodes.Length; b++)
                if (nodes[b].Log.TermAt(i) == ta) same++;
            if (same >= majority) return true;
        }
        return false;
    }

    /// <summary>How many distinct terms the entries (from, to] of <paramref name="log"/> span (1 or 2: it stops at 2); compacted entries count as one term.</summary>
    private static int TermsIn(IDurableLog log, long from, long to)
    {
        long start = Math.Max(from, log.SnapshotIndex + 1);
        int terms = start > from ? 1 : 0; // a compacted part
        long prev = -2;
        for (long k = start; k <= to; k++)
        {
            long t = log.TermAt(k);
            if (t == prev) continue;
            prev = t;
            if (++terms >= 2) return 2;
        }
        return Math.Max(terms, 1);
    }
}

/// <summary>
/// Follows one schedule's named situations after every fault-phase step, re-evaluating only when a
/// node's log, term, role or commit index changed (a fingerprint of them per step) and only the
/// situations not yet reached. Per-thread and reused: no allocation per step.
/// </summary>
public sealed class SituationTracker
{
    [ThreadStatic] private static SituationTracker? t_cached;
    private SituationNode[] _nodes = [];
    private ulong _fingerprint;
    private bool _first;

    /// <summary>The situations reached so far in this schedule (bits of <see cref="Situation"/>).</summary>
    public uint Reached { get; private set; }

    public static SituationTracker Begin()
    {
        SituationTracker t = t_cached ??= new SituationTracker();
        t.Reached = 0;
        t._first = true;
        return t;
    }

    /// <summary>An InstallSnapshot with last included index <paramref name="snapshotIndex"/> is about to be delivered to <paramref name="to"/>.</summary>
    public void SnapshotArriving(World world, int to, long snapshotIndex)
    {
        if ((uint)to < (uint)world.Size && Situations.SnapshotArrives(world.Cluster.Disks[to], snapshotIndex))
            Reached |= Situations.Bit(Situation.SnapshotOverLongerLog);
    }

    public void Observe(World world)
    {
        const uint stateSituations = Situations.All & ~(1u << (int)Situation.SnapshotOverLongerLog);
        uint wanted = stateSituations & ~Reached;
        if (wanted == 0) return;
        Cluster c = world.Cluster;
        int n = c.Size;
        ulong h = 0xCBF29CE484222325UL;
        for (int i = 0; i < n; i++)
        {
            IRaftNode? node = c.Node(i);
            Disk d = c.Disks[i];
            h = (h ^ (ulong)d.Writes) * 0x100000001B3UL;
            h = (h ^ (node is null ? 0UL : (ulong)node.CommitIndex << 2 | (node.Role == Role.Leader ? 2UL : 1UL))) * 0x100000001B3UL;
        }
        if (!_first && h == _fingerprint) return;
        _first = false;
        _fingerprint = h;
        if (_nodes.Length != n) _nodes = new SituationNode[n];
        bool anyLeader = false;
        for (int i = 0; i < n; i++)
        {
            IRaftNode? node = c.Node(i);
            Disk d = c.Disks[i];
            bool leader = node is not null && node.Role == Role.Leader;
            anyLeader |= leader;
            _nodes[i] = new SituationNode { Up = node is not null, Leader = leader, Term = d.Term, Commit = node?.CommitIndex ?? 0, Log = d };
        }
        if (!anyLeader) return;
        Reached |= Situations.Evaluate(_nodes, wanted);
    }
}
