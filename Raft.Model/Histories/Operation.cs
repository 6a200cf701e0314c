namespace Raft.Model.Histories;

/// <summary>The three requests of the key-value service (6.824 Lab 3): read a key, replace its value, append to it.</summary>
public enum OpKind
{
    /// <summary>Returns the key's value, or "" when the key was never written.</summary>
    Get,

    /// <summary>Replaces the key's value with the input.</summary>
    Put,

    /// <summary>Appends the input to the key's value ("" when the key was never written).</summary>
    Append,
}

/// <summary>How an operation ended, as the client saw it.</summary>
public enum OpStatus
{
    /// <summary>The client got a response: the operation took effect once, between its invocation and its response.</summary>
    Completed,

    /// <summary>
    /// The client gave up (timed out, lost its server): the operation may have taken effect at any
    /// moment after its invocation, or not at all. It has no response time and no output.
    /// </summary>
    Ambiguous,
}

/// <summary>
/// One client request of a key-value history. Times are the world's virtual milliseconds.
/// <see cref="Response"/> is null for an <see cref="OpStatus.Ambiguous"/> operation (its response
/// counts as +infinity); <see cref="Output"/> is the value a completed Get returned, and null for
/// everything else. Build one with <see cref="Get"/>, <see cref="Put"/>, <see cref="Append"/> or
/// <see cref="TimedOut"/>; <see cref="History"/> checks the fields fit together.
/// </summary>
/// <param name="Client">The client that issued it.</param>
/// <param name="Key">The key it reads or writes.</param>
/// <param name="Kind">Get, Put or Append.</param>
/// <param name="Input">The value a Put writes or an Append appends; "" for a Get.</param>
/// <param name="Output">What a completed Get returned; null otherwise.</param>
/// <param name="Invoke">When the client sent it.</param>
/// <param name="Response">When the client got the answer; null when it never did (ambiguous).</param>
public sealed record Operation(int Client, string Key, OpKind Kind, string Input, string? Output, long Invoke, long? Response)
{
    /// <summary>Completed when it has a response time, ambiguous when it has none.</summary>
    public OpStatus Status => Response is null ? OpStatus.Ambiguous : OpStatus.Completed;

    /// <summary>The response time, +infinity (long.MaxValue) for an ambiguous operation.</summary>
    public long ResponseOrInfinity => Response ?? long.MaxValue;

    /// <summary>A Get that returned <paramref name="value"/>.</summary>
    public static Operation Get(int client, string key, string value, long invoke, long response) =>
        new(client, key, OpKind.Get, "", value, invoke, response);

    /// <summary>A Put of <paramref name="value"/> that was acknowledged.</summary>
    public static Operation Put(int client, string key, string value, long invoke, long response) =>
        new(client, key, OpKind.Put, value, null, invoke, response);

    /// <summary>An Append of <paramref name="value"/> that was acknowledged.</summary>
    public static Operation Append(int client, string key, string value, long invoke, long response) =>
        new(client, key, OpKind.Append, value, null, invoke, response);

    /// <summary>A request whose client never got an answer (pass "" as the input of a Get).</summary>
    public static Operation TimedOut(int client, string key, OpKind kind, string input, long invoke) =>
        new(client, key, kind, kind == OpKind.Get ? "" : input, null, invoke, null);

    /// <summary>Why this operation cannot be part of a history, or null when it can.</summary>
    public string? Problem()
    {
        if (Key is null) return "its key is null";
        if (Input is null) return "its input is null";
        if (!Enum.IsDefined(Kind)) return $"its kind {(int)Kind} is not Get, Put or Append";
        if (Kind == OpKind.Get && Input.Length != 0) return "a Get has no input (use \"\")";
        if (Response is { } r && r < Invoke) return $"it responds at {r}, before its invocation at {Invoke}";
        if (Kind == OpKind.Get && Response is not null && Output is null) return "a completed Get needs the value it returned";
        if ((Kind != OpKind.Get || Response is null) && Output is not null) return "only a completed Get has an output";
        return null;
    }

    /// <summary>
    /// One line: client, request, what a Get returned, and the interval, e.g.
    /// <c>c1 Put(x, "a") [10..20]</c>, <c>c2 Get(x) = "a" [5..30]</c>, <c>c3 Append(x, "b") [12..inf) timed out</c>.
    /// </summary>
    public string Text => HistoryText.Operation(this);

    /// <summary>The request alone, e.g. <c>Put(x, "a")</c> or <c>Get(x) = "a"</c>.</summary>
    public string Request => HistoryText.Request(this);

    public override string ToString() => Text;
}

/// <summary>
/// A key-value history: the operations the clients issued, each with its invocation and response
/// (or none, when it timed out). The position of an operation in <see cref="Operations"/> is its
/// identity: every report of the checker names operations by that index. The order of the list is
/// otherwise free (the checker orders by time).
/// </summary>
public sealed class History
{
    private readonly Operation[] _ops;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first operation whose fields do not fit together.</summary>
    public History(IEnumerable<Operation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        _ops = operations.ToArray();
        for (int i = 0; i < _ops.Length; i++)
        {
            if (_ops[i] is null) throw new ArgumentException($"operation #{i} is null", nameof(operations));
            if (_ops[i].Problem() is { } problem) throw new ArgumentException($"operation #{i} ({_ops[i].Kind}): {problem}", nameof(operations));
        }
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Operation op in _ops) keys.Add(op.Key);
        Keys = keys.ToArray();
    }

    /// <summary>The operations, in the order given.</summary>
    public IReadOnlyList<Operation> Operations => _ops;

    public int Count => _ops.Length;

    public Operation this[int index] => _ops[index];

    /// <summary>Every key the history touches, in ordinal order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The indices of the operations on <paramref name="key"/>, ascending.</summary>
    public int[] IndicesOf(string key)
    {
        var list = new List<int>();
        for (int i = 0; i < _ops.Length; i++)
            if (string.Equals(_ops[i].Key, key, StringComparison.Ordinal)) list.Add(i);
        return list.ToArray();
    }

    /// <summary>The operations at <paramref name="indices"/>, as a history of their own (indices renumbered from 0).</summary>
    public History Subset(IEnumerable<int> indices) => new(indices.Select(i => _ops[i]));

    /// <summary>One line per operation, "#index " then its <see cref="Operation.Text"/>.</summary>
    public string Text() => HistoryText.Lines(this, Enumerable.Range(0, _ops.Length));

    public override string ToString() => $"history of {_ops.Length} operations on {Keys.Count} keys";
}

/// <summary>
/// Records a history as a running system produces it: <see cref="Invoke"/> when a client sends a
/// request, <see cref="Respond"/> when it gets the answer, <see cref="TimeOut"/> when it gives up.
/// <see cref="ToHistory"/> turns every request still open into an ambiguous operation.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly List<Operation> _ops = [];
    private readonly List<bool> _open = [];

    /// <summary>The number of requests recorded so far.</summary>
    public int Count => _ops.Count;

    /// <summary>A request sent at <paramref name="time"/>; returns its handle (its index in the history).</summary>
    public int Invoke(int client, string key, OpKind kind, string input, long time)
    {
        _ops.Add(Operation.TimedOut(client, key, kind, input, time));
        _open.Add(true);
        return _ops.Count - 1;
    }

    /// <summary>The answer to request <paramref name="handle"/> at <paramref name="time"/>; <paramref name="output"/> is a Get's value (ignored otherwise).</summary>
    public void Respond(int handle, string? output, long time)
    {
        Open(handle);
        Operation op = _ops[handle];
        if (time < op.Invoke) throw new ArgumentException($"request {handle} answered at {time}, before it was sent at {op.Invoke}", nameof(time));
        if (op.Kind == OpKind.Get && output is null) throw new ArgumentException($"request {handle} is a Get: its answer needs the value", nameof(output));
        _ops[handle] = op with { Output = op.Kind == OpKind.Get ? output : null, Response = time };
        _open[handle] = false;
    }

    /// <summary>The client of request <paramref name="handle"/> gave up on it: it stays ambiguous.</summary>
    public void TimeOut(int handle)
    {
        Open(handle);
        _open[handle] = false;
    }

    /// <summary>The history so far; requests neither answered nor timed out are ambiguous.</summary>
    public History ToHistory() => new(_ops);

    private void Open(int handle)
    {
        if (handle < 0 || handle >= _ops.Count) throw new ArgumentOutOfRangeException(nameof(handle), handle, "no such request");
        if (!_open[handle]) throw new InvalidOperationException($"request {handle} was already answered or timed out");
    }
}
