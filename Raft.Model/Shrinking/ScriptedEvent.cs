using System.Text.RegularExpressions;
using Raft.Model.Exploration;
using Raft.Model.Simulation;

namespace Raft.Model.Shrinking;

/// <summary>
/// A step of a recorded schedule by what it does rather than by its index in the enabled list:
/// "deliver AppendEntries 0->1 t2 prev=3/t2 n=1 commit=3", "crash 1", "propose 0". Message ids and
/// proposal numbers are left out, so the event still means the same thing after earlier steps are
/// removed. Data choices (a partition's shape) are kept.
/// </summary>
/// <remarks>A lab trace's control step (the tester's action) keeps its <see cref="Control"/> and runs as recorded, at its turn.</remarks>
public sealed partial record ScriptedEvent(string Key, string Exact, int[] Data, string Kind, int Node, WorldControl? Control = null)
{
    [GeneratedRegex(@"#[0-9]+ ", RegexOptions.CultureInvariant)]
    private static partial Regex MessageId();

    [GeneratedRegex(@"^(propose [0-9]+) cmd=[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Proposal();

    [GeneratedRegex(@"^advance to [0-9]+ms$", RegexOptions.CultureInvariant)]
    private static partial Regex Advance();

    /// <summary>The description without message id or proposal number: the same event, exactly.</summary>
    public static string ExactKeyOf(string description) => Proposal().Replace(MessageId().Replace(description, ""), "$1");

    [GeneratedRegex(@"^(deliver|drop|duplicate) #[0-9]+ ([^ ]+) ([0-9]+->[0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex MessageEvent();

    /// <summary>
    /// The key of an event description (as <see cref="World.Describe"/> writes it). A
    /// message is keyed by verb, type and direction only ("deliver AppendEntries 0->1"): once earlier
    /// steps are gone its term and indexes differ, but the oldest such message plays the same part.
    /// </summary>
    public static string KeyOf(string description)
    {
        Match m = MessageEvent().Match(description);
        if (m.Success) return $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}";
        string key = MessageId().Replace(description, "");
        key = Proposal().Replace(key, "$1");
        return Advance().IsMatch(key) ? "advance" : key;
    }

    public static ScriptedEvent From(TraceStep step)
    {
        if (step.Control is { } c)
        {
            string op = c.Op.ToString().ToLowerInvariant();
            string controlKey = c.Node >= 0 ? $"control {op} {c.Node}" : $"control {op} {c.Flag}";
            return new ScriptedEvent(controlKey, controlKey, [], op == "start" ? "restart" : op, c.Node, c);
        }
        string key = KeyOf(step.Event);
        string[] parts = key.Split(' ');
        string kind = parts[0];
        int node = -1;
        if (parts.Length == 2 && TryNode(parts[1], out int n)) node = n;
        else if (kind is "deliver" or "drop" or "duplicate")
        {
            Match m = Direction().Match(key);
            if (m.Success && TryNode(m.Groups[2].Value, out int to)) node = to;
        }
        int[] data = step.Decisions.Length > 1 ? step.Decisions[1..] : [];
        return new ScriptedEvent(key, ExactKeyOf(step.Event), data, kind, node);
    }

    [GeneratedRegex(@" ([0-9]+)->([0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Direction();

    /// <summary>A node id in an event's text: ASCII digits of a non-negative 32-bit integer, or nothing (never an exception).</summary>
    private static bool TryNode(string text, out int node) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out node);

    /// <summary>Whether this event concerns <paramref name="node"/>, as sender, receiver or subject.</summary>
    public bool Touches(int node) =>
        Node == node || Key.Contains($" {node}->", StringComparison.Ordinal) || Key.EndsWith($"->{node}", StringComparison.Ordinal);
}
