using Raft.Core.Node;
using Raft.Model.Simulation;
using Raft.Model.Storage;
using Raft.Model.Contract;

namespace Raft.Model.Exploration;

/// <summary>
/// An abstraction of the cluster's state that forgets concrete terms and indexes but keeps what
/// Raft's rules act on, as one canonical 64-bit code (docs/exploration.md, "Coverage"). Per node:
/// <list type="bullet">
/// <item>role (follower, candidate, leader, or down);</item>
/// <item>its durable term relative to the highest durable term (equal, one behind, further behind);</item>
/// <item>its durable log relative to the reference's (see below): equal, behind (a prefix), ahead
/// (the reference's log is a prefix of it) or divergent, and for ahead/divergent from how many
/// terms (1, 2, 3 or more) the suffix past the common prefix comes;</item>
/// <item>its commit index and its applied index relative to the reference's (below, equal, above; unknown when down);</item>
/// <item>the kinds of message in flight to it (one bit per <see cref="MessageKind"/>).</item>
/// </list>
/// The reference is the leader of the highest term if any node is leader, otherwise the node with
/// the most up-to-date durable log (highest last term, then last index, then commit and applied);
/// a flag says which. Ties among candidates for reference have equal logs (Log Matching) and equal
/// commit and applied indexes, so the choice among them does not change the code.
/// <para>What is observed: logs and terms come from the nodes' disks (what survives a crash and
/// what the checkers trust), applied indexes from the appliers (what the service was handed), the
/// messages from the world's in-flight list; only role and commit index are the nodes' own claims,
/// as nothing outside a node records them.</para>
/// <para>Symmetry: the per-node codes are sorted before they are hashed, so renaming nodes gives
/// the same code. The hash is a fixed SplitMix64-style mix, the same in every process; distinct
/// abstract states collide only with the probability of a 64-bit hash collision.</para>
/// </summary>
public static class AbstractState
{
    /// <summary>The most nodes a world has (the per-node codes live on the stack).</summary>
    private const int MaxNodes = 64;

    // per-node code fields
    public const int RoleFollower = 0, RoleCandidate = 1, RoleLeader = 2, RoleDown = 3;
    public const int TermEqual = 0, TermOneBehind = 1, TermFurtherBehind = 2;
    public const int LogEqual = 0, LogBehind = 1, LogAhead = 2, LogDivergent = 5; // ahead/divergent + (suffix terms - 1), suffix terms capped at 3
    public const int RelBelow = 0, RelEqual = 1, RelAbove = 2, RelUnknown = 3;

    /// <summary>The abstract state of <paramref name="world"/> now. Allocation free: everything lives on the stack.</summary>
    public static ulong Of(World world)
    {
        int n = world.Cluster.Size;
        if (n > MaxNodes) throw new ArgumentException($"abstract states support at most {MaxNodes} nodes");
        Span<int> codes = stackalloc int[n];
        return Hash(codes, NodeCodes(world, codes));
    }

    /// <summary>The abstract state of per-node codes (<see cref="NodeCodes"/>) and the leader flag: the codes sorted (symmetry), then mixed.</summary>
    public static ulong Hash(ReadOnlySpan<int> nodeCodes, bool hasLeader)
    {
        int n = nodeCodes.Length;
        if (n > MaxNodes) throw new ArgumentException($"abstract states support at most {MaxNodes} nodes");
        Span<int> codes = stackalloc int[n];
        nodeCodes.CopyTo(codes);
        codes.Sort();
        ulong h = Mix(0x6A09E667F3BCC909UL, (ulong)n << 1 | (hasLeader ? 1UL : 0UL));
        foreach (int code in codes) h = Mix(h, (ulong)code);
        return h;
    }

    /// <summary>The bits of a node code that the guided strategy steers by: role, term, log and commit (no applied index, no messages in flight).</summary>
    public const int CoarseMask = 0x1FF;

    /// <summary>
    /// The per-node codes of <see cref="Of"/> in node order, unsorted (bits: role 0–1, term 2–3, log
    /// 4–6, commit 7–8, applied 9–10, kinds in flight from 11; <see cref="CoarseMask"/> keeps what the
    /// guided strategy steers by). Returns whether the reference is a leader.
    /// </summary>
    public static bool NodeCodes(World world, Span<int> codes)
    {
        Cluster c = world.Cluster;
        int n = c.Size;
        if (n > MaxNodes) throw new ArgumentException($"abstract states support at most {MaxNodes} nodes");
        Span<byte> kinds = stackalloc byte[n];
        world.PendingKinds(kinds);
        Span<int> roles = stackalloc int[n];
        Span<long> terms = stackalloc long[n], lastTerms = stackalloc long[n], lastIndexes = stackalloc long[n], commits = stackalloc long[n], applied = stackalloc long[n];

        long maxTerm = 0;
        for (int i = 0; i < n; i++)
        {
            IRaftNode? node = c.Node(i);
            Disk d = c.Disks[i];
            roles[i] = node is null ? RoleDown : node.Role switch { Role.Leader => RoleLeader, Role.Candidate => RoleCandidate, _ => RoleFollower };
            terms[i] = d.Term;
            lastTerms[i] = d.LastTerm;
            lastIndexes[i] = d.LastIndex;
            commits[i] = node?.CommitIndex ?? -1;
            applied[i] = node is null ? -1 : c.Appliers[i].LastApplied;
            maxTerm = Math.Max(maxTerm, d.Term);
        }

        // the reference: a leader of the highest term, else the most up-to-date log, then commit and applied
        int r = 0;
        for (int i = 1; i < n; i++)
        {
            bool li = roles[i] == RoleLeader, lr = roles[r] == RoleLeader;
            int cmp = li != lr ? (li ? 1 : -1)
                : li && terms[i] != terms[r] ? terms[i].CompareTo(terms[r])
                : lastTerms[i] != lastTerms[r] ? lastTerms[i].CompareTo(lastTerms[r])
                : lastIndexes[i] != lastIndexes[r] ? lastIndexes[i].CompareTo(lastIndexes[r])
                : commits[i] != commits[r] ? commits[i].CompareTo(commits[r])
                : applied[i].CompareTo(applied[r]);
            if (cmp > 0) r = i;
        }
        bool hasLeader = roles[r] == RoleLeader;
        Disk refDisk = c.Disks[r];
        long refCommit = commits[r], refApplied = applied[r];

        for (int i = 0; i < n; i++)
        {
            long behind = maxTerm - terms[i];
            int term = behind == 0 ? TermEqual : behind == 1 ? TermOneBehind : TermFurtherBehind;
            int log = i == r ? LogEqual : CompareLogs(c.Disks[i], refDisk);
            bool down = roles[i] == RoleDown;
            int commit = down || refCommit < 0 ? RelUnknown : Relation(commits[i], refCommit);
            int app = down || refApplied < 0 ? RelUnknown : Relation(applied[i], refApplied);
            codes[i] = roles[i] | term << 2 | log << 4 | commit << 7 | app << 9 | (kinds[i] >> 1) << 11;
        }
        return hasLeader;
    }

    /// <summary>The code of the transition from <paramref name="from"/> to <paramref name="to"/> (ordered).</summary>
    public static ulong Transition(ulong from, ulong to) => Mix(Mix(0xBB67AE8584CAA73BUL, from), to);

    /// <summary>How <paramref name="d"/>'s log relates to <paramref name="reference"/>'s: one of the Log* codes.</summary>
    public static int CompareLogs(Disk d, Disk reference)
    {
        long last = d.LastIndex, refLast = reference.LastIndex;
        // entries at or below either snapshot are committed, so they match (Leader Completeness); above, equal terms at an index mean equal prefixes (Log Matching)
        long floor = Math.Max(d.SnapshotIndex, reference.SnapshotIndex);
        long m = Math.Min(last, refLast);
        while (m > floor && d.TermAt(m) != reference.TermAt(m)) m--;
        if (m == last) return m == refLast ? LogEqual : LogBehind;
        // the suffix past the common prefix: terms never decrease along a log, so count the changes
        // (a part of it inside this node's snapshot, when the reference is behind that snapshot, counts as one term)
        long from = Math.Max(m + 1, d.SnapshotIndex);
        int terms = 1;
        long prev = d.TermAt(from);
        for (long k = from + 1; k <= last && terms < 3; k++)
        {
            long t = d.TermAt(k);
            if (t != prev) { terms++; prev = t; }
        }
        return (m == refLast ? LogAhead : LogDivergent) + terms - 1;
    }

    private static int Relation(long v, long reference) => v < reference ? RelBelow : v == reference ? RelEqual : RelAbove;

    /// <summary>A SplitMix64-style mix of <paramref name="v"/> into <paramref name="h"/> (fixed, so codes are the same in every process).</summary>
    internal static ulong Mix(ulong h, ulong v)
    {
        ulong z = h ^ (v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
