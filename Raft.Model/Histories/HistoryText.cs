using System.Globalization;
using System.Text;

namespace Raft.Model.Histories;

/// <summary>The display text of operations and reports: derived from the records, the same in every culture, never parsed back.</summary>
internal static class HistoryText
{
    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A value in double quotes; backslash, quote and control characters escaped C-style.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A key as is when it is a plain word (letters, digits, _ - . : /), quoted otherwise.</summary>
    public static string Key(string key)
    {
        if (key.Length == 0) return Quote(key);
        foreach (char c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '/')) return Quote(key);
        return key;
    }

    public static string Request(Operation op) => op.Kind switch
    {
        OpKind.Get => op.Output is null ? $"Get({Key(op.Key)})" : $"Get({Key(op.Key)}) = {Quote(op.Output)}",
        OpKind.Put => $"Put({Key(op.Key)}, {Quote(op.Input)})",
        _ => $"Append({Key(op.Key)}, {Quote(op.Input)})",
    };

    public static string Interval(Operation op) =>
        op.Response is { } r ? $"[{I(op.Invoke)}..{I(r)}]" : $"[{I(op.Invoke)}..inf) timed out";

    public static string Operation(Operation op) => $"c{I(op.Client)} {Request(op)} {Interval(op)}";

    /// <summary>One line per index: "#index text".</summary>
    public static string Lines(History history, IEnumerable<int> indices)
    {
        var sb = new StringBuilder();
        foreach (int i in indices) sb.Append('#').Append(I(i)).Append(' ').Append(history[i].Text).Append('\n');
        return sb.ToString();
    }
}
