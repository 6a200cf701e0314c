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
        Verdict startVerdict = PartitionSearch.Run(history, start, long.MaxValue, options.MaxStepsPerKey).Verdict;
        searches++;
        if (startVerdict != Verdict.NotLinearizable) start = [.. indices];
        (List<int> sub, bool oneMinimal, int used) = Minimise(history, start, options, options.MaxMinimiseSearches);
        return new FailureReport(key, sub, oneMinimal, prefix, searches + used);
    }

    /// <summary>
    /// Drops operations while the rest stays non-linearizable: chunks of half the operations, then a
    /// quarter, down to single ones, and single ones again until a whole pass drops nothing. If every
    /// search of that last pass said linearizable, the result is 1-minimal.
    /// </summary>
    private static (List<int> Ops, bool OneMinimal, int Searches) Minimise(History history, List<int> ops, CheckOptions options, int maxSearches)
    {
        List<int> cur = ops;
        int searches = 0;
        int chunk = Math.Max(1, cur.Count / 2);
        var candidate = new List<int>(cur.Count);
        while (true)
        {
            bool removed = false, allLinearizable = true;
            int i = 0;
            while (i < cur.Count)
            {
                if (searches >= maxSearches) return (cur, false, searches);
                candidate.Clear();
                for (int j = 0; j < cur.Count; j++)
                    if (j < i || j >= i + chunk) candidate.Add(cur[j]);
                Verdict v = candidate.Count == 0 ? Verdict.Linearizable : PartitionSearch.Run(history, candidate, long.MaxValue, options.MaxStepsPerKey).Verdict;
                if (candidate.Count > 0) searches++;
                if (v == Verdict.NotLinearizable)
                {
                    (cur, candidate) = (candidate, cur);
                    removed = true;
                }
                else
                {
                    if (v == Verdict.Unknown) allLinearizable = false;
                    i += chunk;
                }
            }
            if (chunk == 1)
            {
                if (!removed) return (cur, allLinearizable, searches);
            }
            else chunk = Math.Max(1, chunk / 2);
        }
    }
}
