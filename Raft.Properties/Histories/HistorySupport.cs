using Raft.Model.Histories;

namespace Raft.Properties.Histories;

/// <summary>
/// The yardstick for the checker: a brute-force linearizability check with no memo, no partition
/// by key and no shortcut. It tries every subset of the ambiguous operations, and for each every
/// order of the chosen operations that respects real time (A before B when A responded before B
/// was invoked), running a plain dictionary store and comparing each completed Get's output.
/// Exponential: only for histories of a handful of operations.
/// </summary>
internal static class BruteForce
{
    public static bool IsLinearizable(History h) => IsLinearizable(h, Enumerable.Range(0, h.Count).ToArray());

    public static bool IsLinearizable(History h, IReadOnlyList<int> ops)
    {
        int[] ambiguous = ops.Where(i => h[i].Status == OpStatus.Ambiguous).ToArray();
        int[] completed = ops.Where(i => h[i].Status == OpStatus.Completed).ToArray();
        for (int mask = 0; mask < 1 << ambiguous.Length; mask++)
        {
            var included = completed.Concat(ambiguous.Where((_, k) => (mask & (1 << k)) != 0)).ToArray();
            if (Search(h, included, new bool[included.Length], 0, new Dictionary<string, string>(StringComparer.Ordinal))) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether the writes among <paramref name="ops"/>, each taking effect after its invocation or
    /// not at all, could leave the value that completed Get <paramref name="read"/> returned.
    /// </summary>
    public static bool Explains(History h, int read, IReadOnlyList<int> ops)
    {
        if (h[read].Kind != OpKind.Get || h[read].Status != OpStatus.Completed) return false;
        var relaxed = new History(h.Operations.Select((op, i) => i == read ? op : Operation.TimedOut(op.Client, op.Key, op.Kind, op.Input, op.Invoke)));
        return IsLinearizable(relaxed, ops.Where(i => i == read || (h[i].Kind != OpKind.Get && h[i].Key == h[read].Key)).ToArray());
    }

    /// <summary>The ops as the history stood at <paramref name="cut"/>: those that had not responded by then become timed out.</summary>
    public static History Cut(History h, long cut) =>
        new(h.Operations.Select(op => op.ResponseOrInfinity >= cut ? Operation.TimedOut(op.Client, op.Key, op.Kind, op.Input, op.Invoke) : op));

    private static bool Search(History h, int[] ops, bool[] placed, int count, Dictionary<string, string> store)
    {
        if (count == ops.Length) return true;
        for (int a = 0; a < ops.Length; a++)
        {
            if (placed[a]) continue;
            Operation op = h[ops[a]];
            bool blocked = false;
            for (int b = 0; b < ops.Length && !blocked; b++)
                if (!placed[b] && b != a && h[ops[b]].ResponseOrInfinity < op.Invoke) blocked = true; // b must come first
            if (blocked) continue;
            string current = store.TryGetValue(op.Key, out string? v) ? v : "";
            if (op.Kind == OpKind.Get && op.Output is not null && op.Output != current) continue;
            string? before = store.TryGetValue(op.Key, out string? old) ? old : null;
            if (op.Kind == OpKind.Put) store[op.Key] = op.Input;
            else if (op.Kind == OpKind.Append) store[op.Key] = current + op.Input;
            placed[a] = true;
            bool ok = Search(h, ops, placed, count + 1, store);
            placed[a] = false;
            if (before is null) store.Remove(op.Key); else store[op.Key] = before;
            if (ok) return true;
        }
        return false;
    }

    /// <summary>
    /// Why <paramref name="order"/> is not a linearization of the operations <paramref name="ops"/>
    /// of <paramref name="h"/> (null when it is): it must hold every completed operation, only
    /// operations of <paramref name="ops"/>, each once, respect real time and give every completed Get its output.
    /// </summary>
    public static string? OrderProblem(History h, IReadOnlyCollection<int> ops, IReadOnlyList<int> order)
    {
        var set = ops.ToHashSet();
        if (order.Distinct().Count() != order.Count) return "an operation appears twice";
        if (order.FirstOrDefault(i => !set.Contains(i), -1) is int stray and >= 0) return $"#{stray} is not one of the operations";
        if (ops.FirstOrDefault(i => h[i].Status == OpStatus.Completed && !order.Contains(i), -1) is int missing and >= 0) return $"completed #{missing} is not placed";
        for (int x = 0; x < order.Count; x++)
            for (int y = x + 1; y < order.Count; y++)
                if (h[order[y]].ResponseOrInfinity < h[order[x]].Invoke) return $"#{order[y]} responded before #{order[x]} was invoked but comes after it";
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (int i in order)
        {
            Operation op = h[i];
            string current = store.TryGetValue(op.Key, out string? v) ? v : "";
            if (op.Kind == OpKind.Get && op.Output is not null && op.Output != current) return $"#{i} read {op.Output}, the store held {current}";
            if (op.Kind == OpKind.Put) store[op.Key] = op.Input;
            if (op.Kind == OpKind.Append) store[op.Key] = current + op.Input;
        }
        return null;
    }
}

/// <summary>A generated history, printed in full when a property fails.</summary>
public sealed record HistoryCase(History History, string How)
{
    public override string ToString() => $"{How}\n{History.Text()}";
}

/// <summary>
/// Small histories near the boundary of linearizability: a real sequential execution (each
/// operation takes effect at a point; invocation and response spread around it, so operations
/// overlap), some operations timed out (half of them took effect), and sometimes one output
/// perturbed or two operations' intervals swapped. Built from one seed, so FsCheck's seed decides it.
/// </summary>
internal static class HistoryGen
{
    private static readonly string[] Letters = ["a", "b", "c"];
    private static readonly string[] Reads = ["", "a", "b", "c", "aa", "ab", "ba", "ca", "bc"];

    public static HistoryCase Build(int seed, int maxOps, int maxKeys)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, maxOps + 1), keys = rng.Next(1, maxKeys + 1), clients = rng.Next(1, 4);
        int spread = rng.Next(0, 4) * 10;
        var ops = new List<Operation>();
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        long point = 0;
        for (int i = 0; i < n; i++)
        {
            point += 10 * rng.Next(1, 3);
            string key = keys == 1 ? "x" : rng.Next(2) == 0 ? "x" : "y";
            var kind = (OpKind)rng.Next(3);
            string input = kind == OpKind.Get ? "" : Letters[rng.Next(Letters.Length)];
            long invoke = point - rng.Next(spread + 1), response = point + rng.Next(spread + 1);
            bool ambiguous = rng.Next(100) < 20;
            bool effect = !ambiguous || rng.Next(2) == 0;
            string current = store.TryGetValue(key, out string? v) ? v : "";
            if (effect && kind == OpKind.Put) store[key] = input;
            if (effect && kind == OpKind.Append) store[key] = current + input;
            ops.Add(ambiguous ? Operation.TimedOut(i % clients, key, kind, input, invoke)
                : new Operation(i % clients, key, kind, input, kind == OpKind.Get ? current : null, invoke, response));
        }
        string how = $"seed {seed}: {n} ops, {keys} keys, {clients} clients, spread {spread}";
        int perturb = rng.Next(100);
        if (perturb < 30)
        {
            int[] gets = Enumerable.Range(0, ops.Count).Where(i => ops[i].Kind == OpKind.Get && ops[i].Status == OpStatus.Completed).ToArray();
            if (gets.Length > 0)
            {
                int g = gets[rng.Next(gets.Length)];
                ops[g] = ops[g] with { Output = Reads[rng.Next(Reads.Length)] };
                how += $", output of #{g} perturbed";
            }
        }
        else if (perturb < 45 && ops.Count >= 2)
        {
            int a = rng.Next(ops.Count), b = rng.Next(ops.Count);
            (ops[a], ops[b]) = (ops[a] with { Invoke = ops[b].Invoke, Response = ops[a].Response is null ? null : ops[b].Invoke + (ops[a].Response - ops[a].Invoke) },
                                ops[b] with { Invoke = ops[a].Invoke, Response = ops[b].Response is null ? null : ops[a].Invoke + (ops[b].Response - ops[b].Invoke) });
            how += $", times of #{a} and #{b} swapped";
        }
        return new HistoryCase(new History(ops), how);
    }

    /// <summary>Smaller cases: the history without one operation.</summary>
    public static IEnumerable<HistoryCase> Shrink(HistoryCase c)
    {
        for (int i = 0; i < c.History.Count; i++)
            yield return new HistoryCase(c.History.Subset(Enumerable.Range(0, c.History.Count).Where(j => j != i)), c.How + $", #{i} dropped");
    }
}
