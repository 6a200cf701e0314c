namespace Raft.Model.Histories;

/// <summary>How <see cref="SyntheticHistory.Generate"/> shapes a history.</summary>
public sealed record SyntheticHistoryOptions
{
    public int Operations { get; init; } = 1_000;
    public int Keys { get; init; } = 5;
    public int Clients { get; init; } = 8;

    /// <summary>Virtual ms a client waits between an answer and its next request: uniform in [0, MaxThink].</summary>
    public int MaxThink { get; init; } = 5;

    /// <summary>Virtual ms from request to answer: uniform in [1, MaxLatency].</summary>
    public int MaxLatency { get; init; } = 20;

    /// <summary>Percentage of requests that time out; half of those take effect (at a moment after their invocation), half never do.</summary>
    public int AmbiguousPercent { get; init; } = 1;

    /// <summary>Percentage of requests that are Gets; the rest split evenly between Put and Append.</summary>
    public int GetPercent { get; init; } = 50;

    public int Seed { get; init; } = 1;
}

/// <summary>
/// Linearizable key-value histories made from a real sequential execution: each client sends one
/// request at a time; every request that takes effect does so at a random moment inside its
/// interval (a timed-out one: after its invocation, or never), and outputs are what a sequential
/// store gives in the order of those moments. Deterministic for a seed. Used by the benchmark and
/// the tests; a history from the world will come from <see cref="HistoryRecorder"/>.
/// </summary>
public static class SyntheticHistory
{
    public static History Generate(SyntheticHistoryOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Operations < 0 || o.Keys < 1 || o.Clients < 1 || o.MaxThink < 0 || o.MaxLatency < 1)
            throw new ArgumentOutOfRangeException(nameof(o), "need Operations >= 0, Keys >= 1, Clients >= 1, MaxThink >= 0, MaxLatency >= 1");
        var rng = new Random(o.Seed);
        var clientTime = new long[o.Clients];
        var seq = new int[o.Clients];
        var ops = new List<(int Client, string Key, OpKind Kind, string Input, long Invoke, long? Response, double Point)>(o.Operations);
        for (int k = 0; k < o.Operations; k++)
        {
            // the client that is free earliest goes next (ties: lowest id), so requests interleave as in a real run
            int c = 0;
            for (int j = 1; j < o.Clients; j++)
                if (clientTime[j] < clientTime[c]) c = j;
            long invoke = clientTime[c] + rng.Next(o.MaxThink + 1);
            string key = "k" + rng.Next(o.Keys).ToString(System.Globalization.CultureInfo.InvariantCulture);
            int roll = rng.Next(100);
            OpKind kind = roll < o.GetPercent ? OpKind.Get : (roll - o.GetPercent) % 2 == 0 ? OpKind.Put : OpKind.Append;
            string input = kind == OpKind.Get ? "" : FormattableString.Invariant($"{c}.{seq[c]++};");
            bool timedOut = rng.Next(100) < o.AmbiguousPercent;
            if (timedOut)
            {
                bool tookEffect = rng.Next(2) == 0;
                double point = tookEffect ? invoke + rng.NextDouble() * 2 * o.MaxLatency : double.PositiveInfinity;
                ops.Add((c, key, kind, input, invoke, null, point));
                clientTime[c] = invoke + 2L * o.MaxLatency; // the client's timeout
            }
            else
            {
                long response = invoke + 1 + rng.Next(o.MaxLatency);
                ops.Add((c, key, kind, input, invoke, response, invoke + rng.NextDouble() * (response - invoke)));
                clientTime[c] = response;
            }
        }

        // run them sequentially in the order of their moments (ties by request number)
        var order = new int[ops.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int cmp = ops[a].Point.CompareTo(ops[b].Point);
            return cmp != 0 ? cmp : a.CompareTo(b);
        });
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        var output = new string?[ops.Count];
        foreach (int i in order)
        {
            var op = ops[i];
            if (double.IsPositiveInfinity(op.Point)) continue;
            string current = store.TryGetValue(op.Key, out string? v) ? v : "";
            switch (op.Kind)
            {
                case OpKind.Get: output[i] = current; break;
                case OpKind.Put: store[op.Key] = op.Input; break;
                default: store[op.Key] = current + op.Input; break;
            }
        }
        var result = new Operation[ops.Count];
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            result[i] = op.Response is { } r
                ? new Operation(op.Client, op.Key, op.Kind, op.Input, op.Kind == OpKind.Get ? output[i] : null, op.Invoke, r)
                : Operation.TimedOut(op.Client, op.Key, op.Kind, op.Input, op.Invoke);
        }
        return new History(result);
    }
}
