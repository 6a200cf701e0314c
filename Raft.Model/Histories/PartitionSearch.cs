namespace Raft.Model.Histories;

/// <summary>What one search over one key's operations found.</summary>
/// <param name="Verdict">Linearizable, not, or unknown (the step budget ran out).</param>
/// <param name="Steps">Search steps taken: one per look at an event of the list.</param>
/// <param name="States">Distinct (linearized set, value) pairs memoised.</param>
/// <param name="Order">When linearizable: the operations (history indices) in a linearization order.</param>
/// <param name="Unplaced">When linearizable: the ambiguous operations the order leaves out (they took no effect, or took it after everything else).</param>
internal readonly record struct SearchOutcome(Verdict Verdict, long Steps, long States, int[] Order, int[] Unplaced);

/// <summary>
/// Wing and Gong's search with Lowe's memoisation, over the operations of one key: the events
/// (invocations and responses) sit in a doubly linked list in time order; the search walks it,
/// linearizing an invoked operation when the sequential model accepts it (and the pair of
/// linearized set and value is new), and backtracking when it reaches the response of an operation
/// it has not linearized. The linearized set is a bitset with an incrementally kept Zobrist hash;
/// values are interned strings, so comparing a Get's output and memoising a state are integer work.
/// Deterministic: iteration is by event order, and hashes only decide where the memo stores a
/// pair, never whether it finds one.
/// </summary>
internal static class PartitionSearch
{
    /// <summary>
    /// Searches the operations <paramref name="indices"/> of <paramref name="history"/> (all on one key).
    /// An operation whose response is at or after <paramref name="cut"/> counts as ambiguous
    /// (pass long.MaxValue for none). At most <paramref name="maxSteps"/> steps.
    /// </summary>
    public static SearchOutcome Run(History history, IReadOnlyList<int> indices, long cut, long maxSteps)
    {
        // ---- the operations: ambiguous Gets change nothing and promise nothing, so they are left out
        var sorted = new int[indices.Count];
        for (int i = 0; i < sorted.Length; i++) sorted[i] = indices[i];
        Array.Sort(sorted);
        var global = new List<int>(sorted.Length);
        foreach (int g in sorted)
        {
            Operation op = history[g];
            if (op.Kind == OpKind.Get && op.ResponseOrInfinity >= cut) continue;
            global.Add(g);
        }
        int n = global.Count;
        var values = new Values();
        int empty = values.Intern("");
        var kind = new OpKind[n];
        var arg = new int[n];          // Put: the value written; completed Get: the value read; Append: unused
        var appendInput = new string[n];
        var completed = new bool[n];
        int completedCount = 0;
        for (int i = 0; i < n; i++)
        {
            Operation op = history[global[i]];
            kind[i] = op.Kind;
            completed[i] = op.ResponseOrInfinity < cut;
            if (completed[i]) completedCount++;
            appendInput[i] = op.Input;
            arg[i] = op.Kind switch
            {
                OpKind.Put => values.Intern(op.Input),
                OpKind.Get => values.Intern(op.Output!),
                _ => -1,
            };
        }

        // ---- the events in time order: at equal times invocations first (touching operations overlap)
        int events = n + completedCount;
        var evTime = new long[events];
        var evOrder = new long[events];
        var evOp = new int[events];
        var evIsCall = new bool[events];
        int e = 0;
        for (int i = 0; i < n; i++)
        {
            Operation op = history[global[i]];
            evTime[e] = op.Invoke; evOp[e] = i; evIsCall[e] = true; evOrder[e] = i; e++;
            if (completed[i]) { evTime[e] = op.Response!.Value; evOp[e] = i; evIsCall[e] = false; evOrder[e] = (long)n + i; e++; }
        }
        var perm = new int[events];
        for (int i = 0; i < events; i++) perm[i] = i;
        Array.Sort(perm, (a, b) =>
        {
            int c = evTime[a].CompareTo(evTime[b]);
            return c != 0 ? c : evOrder[a].CompareTo(evOrder[b]); // calls (order < n) before returns, then by operation
        });

        // slots: 0 is the head, 1..events the events in order, events+1 the tail
        int tail = events + 1;
        var next = new int[events + 2];
        var prev = new int[events + 2];
        var slotOp = new int[events + 2];
        var slotIsCall = new bool[events + 2];
        var callSlot = new int[n];
        var returnSlot = new int[n];
        for (int s = 1; s <= events; s++)
        {
            int ev = perm[s - 1];
            slotOp[s] = evOp[ev];
            slotIsCall[s] = evIsCall[ev];
            if (evIsCall[ev]) callSlot[evOp[ev]] = s; else returnSlot[evOp[ev]] = s;
        }
        for (int s = 0; s <= tail; s++) { next[s] = s == tail ? tail : s + 1; prev[s] = s == 0 ? 0 : s - 1; }

        // ---- the search
        int words = (n + 63) / 64;
        var bits = new ulong[Math.Max(1, words)];
        var zobrist = new ulong[n];
        ulong z = 0x5EED_1234_ABCD_0001UL;
        for (int i = 0; i < n; i++) zobrist[i] = SplitMix(ref z);
        ulong hash = 0;
        var memo = new HashSet<MemoKey>(MemoKey.Comparer.Instance);
        var stackOp = new int[n];
        var stackState = new int[n];
        int sp = 0;
        int state = empty;
        int remaining = completedCount;
        long steps = 0;
        int slot = next[0];
        while (true)
        {
            if (remaining == 0) return Success(global, stackOp, sp, bits, n, steps, memo.Count);
            if (++steps > maxSteps) return new SearchOutcome(Verdict.Unknown, steps - 1, memo.Count, [], []);
            if (slot != tail && slotIsCall[slot])
            {
                int op = slotOp[slot];
                int newState;
                bool ok;
                switch (kind[op])
                {
                    case OpKind.Get:
                        ok = arg[op] == state;
                        newState = state;
                        break;
                    case OpKind.Put:
                        ok = true;
                        newState = arg[op];
                        break;
                    default:
                        ok = true;
                        newState = values.Append(state, op, appendInput[op]);
                        break;
                }
                if (ok)
                {
                    bits[op >> 6] |= 1UL << (op & 63);
                    ulong newHash = hash ^ zobrist[op];
                    if (!memo.Contains(new MemoKey(newHash, newState, bits)))
                    {
                        memo.Add(new MemoKey(newHash, newState, (ulong[])bits.Clone()));
                        stackOp[sp] = op;
                        stackState[sp] = state;
                        sp++;
                        state = newState;
                        hash = newHash;
                        Lift(slot, returnSlot[op], next, prev);
                        if (completed[op]) remaining--;
                        slot = next[0];
                        continue;
                    }
                    bits[op >> 6] &= ~(1UL << (op & 63));
                }
                slot = next[slot];
            }
            else
            {
                // the response of an operation not linearized yet (or the end): undo the last choice
                if (sp == 0) return new SearchOutcome(Verdict.NotLinearizable, steps, memo.Count, [], []);
                sp--;
                int op = stackOp[sp];
                state = stackState[sp];
                hash ^= zobrist[op];
                bits[op >> 6] &= ~(1UL << (op & 63));
                if (completed[op]) remaining++;
                Unlift(callSlot[op], returnSlot[op], next, prev);
                slot = next[callSlot[op]];
            }
        }
    }

    private static SearchOutcome Success(List<int> global, int[] stackOp, int sp, ulong[] bits, int n, long steps, long states)
    {
        var order = new int[sp];
        for (int i = 0; i < sp; i++) order[i] = global[stackOp[i]];
        var unplaced = new List<int>();
        for (int i = 0; i < n; i++)
            if ((bits[i >> 6] & (1UL << (i & 63))) == 0) unplaced.Add(global[i]);
        return new SearchOutcome(Verdict.Linearizable, steps, states, order, unplaced.ToArray());
    }

    /// <summary>Takes an operation's invocation and response (0: none) out of the list; their own links stay for <see cref="Unlift"/>.</summary>
    private static void Lift(int call, int ret, int[] next, int[] prev)
    {
        next[prev[call]] = next[call];
        prev[next[call]] = prev[call];
        if (ret != 0)
        {
            next[prev[ret]] = next[ret];
            prev[next[ret]] = prev[ret];
        }
    }

    /// <summary>Puts them back, in the reverse order of <see cref="Lift"/>.</summary>
    private static void Unlift(int call, int ret, int[] next, int[] prev)
    {
        if (ret != 0)
        {
            next[prev[ret]] = ret;
            prev[next[ret]] = ret;
        }
        next[prev[call]] = call;
        prev[next[call]] = call;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong r = x += 0x9E3779B97F4A7C15UL;
        r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL;
        r = (r ^ (r >> 27)) * 0x94D049BB133111EBUL;
        return r ^ (r >> 31);
    }

    /// <summary>The key's values seen so far, interned: equal strings get equal ids, in order of first appearance.</summary>
    private sealed class Values
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];
        private readonly Dictionary<long, int> _appended = [];

        public int Intern(string value)
        {
            if (_ids.TryGetValue(value, out int id)) return id;
            id = _values.Count;
            _values.Add(value);
            _ids.Add(value, id);
            return id;
        }

        /// <summary>The id of value <paramref name="state"/> with operation <paramref name="op"/>'s input appended (computed once per pair).</summary>
        public int Append(int state, int op, string input)
        {
            long key = ((long)state << 32) | (uint)op;
            if (_appended.TryGetValue(key, out int id)) return id;
            id = Intern(string.Concat(_values[state], input));
            _appended.Add(key, id);
            return id;
        }
    }

    /// <summary>A memoised (linearized set, value) pair. Lookups pass the live bitset; stored pairs own a copy.</summary>
    private readonly struct MemoKey(ulong hash, int state, ulong[] bits)
    {
        public readonly ulong Hash = hash;
        public readonly int State = state;
        public readonly ulong[] Bits = bits;

        public sealed class Comparer : IEqualityComparer<MemoKey>
        {
            public static readonly Comparer Instance = new();

            public bool Equals(MemoKey a, MemoKey b) => a.Hash == b.Hash && a.State == b.State && a.Bits.AsSpan().SequenceEqual(b.Bits);

            public int GetHashCode(MemoKey k)
            {
                ulong h = k.Hash ^ ((ulong)(uint)k.State * 0x9E3779B97F4A7C15UL);
                return (int)(h ^ (h >> 32));
            }
        }
    }
}
