using System.Text;

using Raft.Model.Text;

namespace Raft.Model.Histories;

/// <summary>
/// A self-contained HTML page for a checked history: the verdict, the <see cref="HistorySvg"/>
/// picture inline, the failure report (the minimised sub-history and the longest linearizable
/// prefix with its order) and a table of the drawn operations. Nothing is fetched: no scripts,
/// fonts or style sheets from elsewhere. A pure function of its arguments.
/// </summary>
public static class HistoryHtmlPage
{
    private const string Style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 20px; margin-bottom: 4px; }
        h2 { font-size: 16px; margin-top: 28px; }
        p.outcome { font-weight: bold; margin: 4px 0 16px 0; }
        p.outcome.violation { color: #d62728; }
        p.outcome.pass { color: #2e8b57; }
        p.outcome.unknown { color: #c77700; }
        div.picture { overflow-x: auto; border: 1px solid #ddd; padding: 4px; }
        pre.report { background: #f7f8fa; border: 1px solid #ddd; padding: 8px; font-size: 12px; }
        table.ops { border-collapse: collapse; font-size: 13px; }
        table.ops th, table.ops td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        table.ops th { background: #eef1f5; }
        table.ops td.num { text-align: right; }
        table.ops td.mono { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        table.ops tr.conflict { background: #fbdcdc; font-weight: bold; }
        """;

    public static string Render(History history, CheckResult result)
    {
        string svg = HistorySvg.Render(history, result); // validates the pair
        (int[] drawn, int total) = HistorySvg.Selection(history, result);
        string title = "Linearizability check: " + result.Headline();
        string cls = result.Verdict switch { Verdict.Linearizable => "pass", Verdict.NotLinearizable => "violation", _ => "unknown" };
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>").Append(Markup.Escape(title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Style.Replace("\r\n", "\n")).Append("\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>Linearizability check</h1>\n");
        sb.Append("<p class=\"outcome ").Append(cls).Append("\">").Append(Markup.Escape(result.Headline())).Append("</p>\n");
        sb.Append("<div class=\"picture\">\n").Append(svg).Append("</div>\n");
        sb.Append("<h2>Verdicts and report</h2>\n<pre class=\"report\">").Append(Markup.Escape(result.Text())).Append("</pre>\n");

        var conflict = new HashSet<int>(result.Failure?.SubHistory ?? []);
        var position = new Dictionary<int, int>();
        IReadOnlyList<int> order = result.Failure?.Prefix.Order ?? [];
        for (int n = 0; n < order.Count; n++) position[order[n]] = n + 1;
        sb.Append("<h2>Operations drawn (").Append(HistoryText.I(drawn.Length)).Append(" of ").Append(HistoryText.I(total)).Append("), by invocation</h2>\n");
        sb.Append("<table class=\"ops\">\n<thead><tr><th>#</th><th>client</th><th>request</th><th>invoked</th><th>responded</th><th>in the sub-history</th><th>place in the prefix's order</th></tr></thead>\n<tbody>\n");
        foreach (int i in drawn)
        {
            Operation op = history[i];
            sb.Append("<tr").Append(conflict.Contains(i) ? " class=\"conflict\"" : "").Append(" id=\"op-").Append(HistoryText.I(i)).Append("\">");
            sb.Append("<td class=\"num\">").Append(HistoryText.I(i)).Append("</td>");
            sb.Append("<td class=\"num\">").Append(HistoryText.I(op.Client)).Append("</td>");
            sb.Append("<td class=\"mono\">").Append(Markup.Escape(op.Request)).Append("</td>");
            sb.Append("<td class=\"num\">").Append(HistoryText.I(op.Invoke)).Append("</td>");
            sb.Append("<td class=\"num\">").Append(op.Response is { } r ? HistoryText.I(r) : "timed out").Append("</td>");
            sb.Append("<td>").Append(conflict.Contains(i) ? "yes" : "").Append("</td>");
            sb.Append("<td class=\"num\">").Append(position.TryGetValue(i, out int p) ? HistoryText.I(p) : "").Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        sb.Append("<p>See docs/linearizability.md for how to read the picture and the report.</p>\n");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }
}
