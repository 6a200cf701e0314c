namespace Raft.Model.Histories;

/// <summary>
/// Checks a key-value history for linearizability (docs/linearizability.md). Each operation
/// touches one key, so the history is linearizable exactly when each key's operations are
/// (linearizability is local: Herlihy and Wing's P-compositionality); the keys are checked one by
/// one, in ordinal order, each with its own step budget. A key's search is Wing and Gong's, with
/// Lowe's memoisation of (linearized set, value) pairs (<see cref="PartitionSearch"/>). When a key
/// is not linearizable the report names a small non-linearizable sub-history of it and its longest
/// linearizable prefix. The result depends only on the history and the options.
/// </summary>
public static class LinearizabilityChecker
{
    public static CheckResult Check(History history, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= CheckOptions.Default;
        if (options.MaxStepsPerKey < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxStepsPerKey must not be negative");

        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < history.Count; i++)
        {
            if (!byKey.TryGetValue(history[i].Key, out List<int>? list)) byKey.Add(history[i].Key, list = []);
            list.Add(i);
        }
        var keys = new List<KeyVerdict>(history.Keys.Count);
        FailureReport? failure = null;
        bool anyFalse = false, anyUnknown = false;
        foreach (string key in history.Keys)
        {
            List<int> indices = byKey[key];
            SearchOutcome o = PartitionSearch.Run(history, indices, long.MaxValue, options.MaxStepsPerKey);
            keys.Add(new KeyVerdict(key, o.Verdict, indices.Count, o.Steps, o.States, o.Order, o.Unplaced));
            if (o.Verdict == Verdict.NotLinearizable)
            {
                if (!anyFalse && options.Report) failure = Explain(history, key, indices, options);
                anyFalse = true;
            }
            else if (o.Verdict == Verdict.Unknown) anyUnknown = true;
        }
        Verdict verdict = anyFalse ? Verdict.NotLinearizable : anyUnknown ? Verdict.Unknown : Verdict.Linearizable;
        return new CheckResult(history, verdict, keys, failure);
    }

    /// <summary>
    /// The verdict on the operations <paramref name="indices"/> of <paramref name="history"/>, which
    /// may span several keys (each key is searched on its own; the first false or unknown key decides).
    /// </summary>
    public static Verdict CheckOperations(History history, IReadOnlyList<int> indices, long maxStepsPerKey)
    {
        var byKey = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (int i in indices)
        {
            if (!byKey.TryGetValue(history[i].Key, out List<int>? list)) byKey.Add(history[i].Key, list = []);
            list.Add(i);
        }
        Verdict result = Verdict.Linearizable;
        foreach (List<int> list in byKey.Values)
        {
            Verdict v = PartitionSearch.Run(history, list, long.MaxValue, maxStepsPerKey).Verdict;
            if (v == Verdict.NotLinearizable) return v;
            if (v == Verdict.Unknown) result = v;
        }
        return result;
    }

    /// <summary>The failure report for one key that is not linearizable.</summary>
    private static FailureReport Explain(History history, string key, List<int> indices, CheckOptions options)
    {
        // invocation order, ties by index
        int[] ordered = indices.ToArray();
        Array.Sort(ordered, (a, b) =>
        {
            int c = history[a].Invoke.CompareTo(history[b].Invoke);
            return c != 0 ? c : a.CompareTo(b);
        });
        int n = ordered.Length;
        int searches = 0;

        // The prefix of k operations, cut where operation k is invoked, is linearizable whenever the
        // prefix of k+1 is (docs/linearizability.md), so a binary search finds the longest one.
        int lo = 0, hi = n; // prefix lo is linearizable (the empty one is), prefix hi is not (the whole key is not)
        SearchOutcome best = new(Verdict.Linearizable, 0, 0, [], []);
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            SearchOutcome o = PartitionSearch.Run(history, ordered[..mid], history[ordered[mid]].Invoke, options.MaxStepsPerKey);
            searches++;
            if (o.Verdict == Verdict.Linearizable) { lo = mid; best = o; }
            else hi = mid; // not linearizable, or not known to be
        }
        var prefix = new LinearizablePrefix(lo, ordered[..lo], history[ordered[lo]].Invoke, ordered[lo], best.Order, best.Unplaced);

        // Minimise from the first failing prefix, taken with every operation as it really ended:
        // it can only be harder to linearize than the cut prefix that failed.
        List<int> start = [.. ordered[..hi]];
        start.Sort();
        SearchOutcome startOutcome = PartitionSearch.Run(history, start, long.MaxValue, options.MaxStepsPerKey);
        searches++;
        long startSteps = startOutcome.Steps;
        if (startOutcome.Verdict != Verdict.NotLinearizable)
        {
            start = [.. indices];
            startSteps = options.MaxStepsPerKey;
        }
        // Dropping operations can make a search far larger (fewer reads prune less), so each search
        // of the minimisation gets a few times what the starting set took, and all of them together
        // get ReportMaxSteps; a search that runs out keeps what it tried to drop.
        long perSearch = Math.Min(options.MaxStepsPerKey, Math.Max(100_000, 4 * startSteps));
        (List<int> sub, bool oneMinimal, int used) = Minimise(history, start, options, perSearch);
        return new FailureReport(key, sub, oneMinimal, prefix, searches + used);
    }

    /// <summary>
    /// Drops operations while the rest stays non-linearizable, reads first (a read that goes takes no
    /// write's justification with it), then writes; each by chunks of half, a quarter, ... down to
    /// single operations, and single ones again until a pass drops nothing. A write may not go if a
    /// read that the starting set's writes could explain (<see cref="Justified"/>) would be left
    /// unexplained: otherwise every history shrinks to a lone read of a value nobody wrote, which is
    /// non-linearizable but says nothing. The result is 1-minimal under that rule when every search
    /// of the last passes gave a definite answer.
    /// </summary>
    private static (List<int> Ops, bool OneMinimal, int Searches) Minimise(History history, List<int> start, CheckOptions options, long perSearch)
    {
        var reads = new List<int>();
        var writes = new List<int>();
        foreach (int i in start)
        {
            Operation op = history[i];
            if (op.Kind == OpKind.Get && op.Status == OpStatus.Ambiguous) continue; // constrains nothing
            (op.Kind == OpKind.Get ? reads : writes).Add(i);
        }
        var state = new MinimiseState(history, options, perSearch);
        var protectedReads = new List<int>();
        foreach (int r in reads)
        {
            Verdict j = state.Justified(r, writes);
            if (j == Verdict.Linearizable) protectedReads.Add(r);
            // a read of a value no write could have produced (it is not ""): alone it is the whole story
            else if (j == Verdict.NotLinearizable) return ([r], true, state.Searches);
        }

        while (true)
        {
            (reads, _, bool readsClean) = state.Ddmin(reads, kept => state.StillFails(kept, writes, protectedReads, checkJustified: false));
            (writes, bool writesChanged, bool writesClean) = state.Ddmin(writes, kept => state.StillFails(reads, kept, protectedReads, checkJustified: true));
            if (state.OutOfSearches) return (Merge(reads, writes), false, state.Searches);
            // both last passes refused every single deletion on the final sets: a fixpoint
            if (!writesChanged) return (Merge(reads, writes), readsClean && writesClean, state.Searches);
        }
    }

    private static List<int> Merge(List<int> a, List<int> b)
    {
        var all = new List<int>(a.Count + b.Count);
        all.AddRange(a);
        all.AddRange(b);
        all.Sort();
        return all;
    }

    /// <summary>The searches of one minimisation, counted against its cap.</summary>
    private sealed class MinimiseState(History history, CheckOptions options, long perSearch)
    {
        /// <summary>The budget of one "could the writes explain this read" search: they are meant to be quick.</summary>
        private const long JustifySteps = 100_000;

        public int Searches { get; private set; }
        private long _steps;
        public bool OutOfSearches => Searches >= options.MaxMinimiseSearches || _steps >= options.ReportMaxSteps;

        /// <summary>
        /// Linearizable when some of <paramref name="writes"/> invoked before <paramref name="read"/>
        /// responded, each taking effect or not, in some order, leave the value it returned;
        /// NotLinearizable when none do; Unknown past the budget. With every write free to take
        /// effect or not, their order is free too, so this is a question about strings: is the value
        /// the input of such a Put (or "") followed by the inputs of distinct such Appends?
        /// </summary>
        public Verdict Justified(int read, List<int> writes)
        {
            Operation g = history[read];
            string v = g.Output!;
            var bases = new SortedSet<string>(StringComparer.Ordinal) { "" };
            var appends = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (int w in writes)
            {
                Operation op = history[w];
                if (op.Invoke > g.ResponseOrInfinity || op.Kind == OpKind.Get) continue;
                if (!v.StartsWith(op.Input, StringComparison.Ordinal) && op.Kind == OpKind.Put) continue;
                if (op.Kind == OpKind.Put) bases.Add(op.Input);
                else if (op.Input.Length > 0 && v.Contains(op.Input, StringComparison.Ordinal)) appends[op.Input] = appends.GetValueOrDefault(op.Input) + 1;
            }
            string[] pieces = appends.Keys.ToArray();
            int[] left = appends.Values.ToArray();
            long steps = 0;
            bool unknown = false;
            foreach (string b in bases)
            {
                if (!v.StartsWith(b, StringComparison.Ordinal)) continue;
                if (Cover(b.Length)) return Verdict.Linearizable;
            }
            return unknown ? Verdict.Unknown : Verdict.NotLinearizable;

            bool Cover(int pos)
            {
                if (pos == v.Length) return true;
                if (++steps > JustifySteps) { unknown = true; return false; }
                for (int k = 0; k < pieces.Length; k++)
                {
                    if (left[k] == 0 || !v.AsSpan(pos).StartsWith(pieces[k], StringComparison.Ordinal)) continue;
                    left[k]--;
                    bool ok = Cover(pos + pieces[k].Length);
                    left[k]++;
                    if (ok) return true;
                    if (unknown) return false;
                }
                return false;
            }
        }

        /// <summary>
        /// Definite yes: still non-linearizable (and, for <paramref name="checkJustified"/>, every
        /// protected read still explained). Definite no: linearizable, or a protected read left
        /// unexplained. Null: a search ran out of budget.
        /// </summary>
        public bool? StillFails(List<int> reads, List<int> writes, List<int> protectedReads, bool checkJustified)
        {
            if (reads.Count + writes.Count == 0) return false;
            if (checkJustified)
            {
                bool unsure = false;
                foreach (int r in protectedReads)
                {
                    if (!reads.Contains(r)) continue;
                    Verdict j = Justified(r, writes);
                    if (j == Verdict.NotLinearizable) return false;
                    if (j == Verdict.Unknown) unsure = true;
                }
                if (unsure) return null;
            }
            Searches++;
            SearchOutcome o = PartitionSearch.Run(history, Merge(reads, writes), long.MaxValue, Math.Min(perSearch, Math.Max(0, options.ReportMaxSteps - _steps)));
            _steps += o.Steps;
            return o.Verdict switch { Verdict.NotLinearizable => true, Verdict.Linearizable => false, _ => null };
        }

        /// <summary>
        /// Chunked deletion over <paramref name="items"/>: keeps a deletion when <paramref name="stillFails"/>
        /// says yes. Returns the kept items, whether any went, and whether the last pass (of single
        /// deletions, all refused) had only definite answers.
        /// </summary>
        public (List<int> Kept, bool Changed, bool Clean) Ddmin(List<int> items, Func<List<int>, bool?> stillFails)
        {
            List<int> cur = [.. items];
            bool changed = false;
            int chunk = Math.Max(1, cur.Count / 2);
            while (true)
            {
                bool removed = false, clean = true;
                int i = 0;
                while (i < cur.Count)
                {
                    if (OutOfSearches) return (cur, changed, false);
                    var candidate = new List<int>(cur.Count);
                    for (int j = 0; j < cur.Count; j++)
                        if (j < i || j >= i + chunk) candidate.Add(cur[j]);
                    bool? fails = stillFails(candidate);
                    if (fails == true)
                    {
                        cur = candidate;
                        removed = changed = true;
                    }
                    else
                    {
                        if (fails is null) clean = false;
                        i += chunk;
                    }
                }
                if (chunk == 1)
                {
                    if (!removed) return (cur, changed, clean);
                }
                else chunk = Math.Max(1, chunk / 2);
            }
        }
    }
}
