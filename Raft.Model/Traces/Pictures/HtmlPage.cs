using System.Text;
using Raft.Model.Exploration;
using static Raft.Model.Text.Markup;

using Raft.Model.Events;

namespace Raft.Model.Traces.Pictures;

/// <summary>
/// A self-contained HTML page for a trace: its headline and outcome, the <see cref="SpaceTimeSvg"/>
/// picture inline, and a table of every step (event, detail, each node after the step, messages
/// sent) with the violating row highlighted. No scripts, fonts, images or style sheets are fetched.
/// A pure function of the trace.
/// </summary>
public static class HtmlPage
{
    private const string Style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 20px; margin-bottom: 4px; }
        h2 { font-size: 16px; margin-top: 28px; }
        p.settings { color: #444; margin: 4px 0; }
        p.outcome { font-weight: bold; margin: 4px 0 16px 0; }
        p.outcome.violation { color: #d62728; }
        p.outcome.pass { color: #2e8b57; }
        div.picture { overflow-x: auto; border: 1px solid #ddd; padding: 4px; }
        table.steps { border-collapse: collapse; font-size: 13px; }
        table.steps th, table.steps td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        table.steps th { background: #eef1f5; }
        table.steps td.num { text-align: right; }
        table.steps td.mono, table.steps td.nodes span { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        table.steps td.nodes span { margin-right: 12px; white-space: nowrap; }
        table.steps tr:nth-child(even) { background: #f7f8fa; }
        table.steps tr.violation, table.steps tr.violation:nth-child(even) { background: #fbdcdc; font-weight: bold; }
        table.steps tr.violation td { border-color: #d62728; }
        span.down { color: #888; }
        span.leader { background: #f6d55c; }
        span.candidate { background: #bcd7f5; }
        """;

    /// <summary>The page, its footer naming the replay command with a TRACE placeholder.</summary>
    public static string Render(TraceFile trace) => Render(trace, null);

    /// <summary>
    /// The page; its footer prints the command that replays <paramref name="tracePath"/> (the path
    /// as the show command was given it, so valid from where that ran), or a TRACE placeholder when null.
    /// </summary>
    public static string Render(TraceFile trace, string? tracePath)
    {
        TraceAnalysis a = TraceAnalysis.Of(trace);
        string title = a.Title();
        bool violation = trace.Outcome.Violation is not null;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Escape(title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Style.Replace("\r\n", "\n")).Append("\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(Escape(title)).Append("</h1>\n");
        sb.Append("<p class=\"settings\">").Append(Escape(a.SettingsLine())).Append("</p>\n");
        sb.Append("<p class=\"outcome ").Append(violation ? "violation" : "pass").Append("\">").Append(Escape(a.OutcomeLine())).Append("</p>\n");
        sb.Append("<div class=\"picture\">\n").Append(SpaceTimeSvg.Render(trace)).Append("</div>\n");
        if (TraceHistory.Of(trace) is { } history)
        {
            // the clients' operations on a time line of steps, checked again here: a violation's conflicting operations are marked
            Histories.CheckResult checkedHistory = Histories.LinearizabilityChecker.Check(history);
            sb.Append("<h2>Client history</h2>\n<p class=\"settings\">").Append(Escape(HistoryLine(history, checkedHistory))).Append("</p>\n");
            sb.Append("<div class=\"picture\">\n").Append(Histories.HistorySvg.Render(history, checkedHistory)).Append("</div>\n");
        }

        sb.Append("<h2>Steps</h2>\n<table class=\"steps\">\n<thead><tr><th>step</th><th>event</th><th>detail</th><th>nodes after the step (role term / commit / last index)</th><th>sent</th></tr></thead>\n<tbody>\n");
        for (int s = 0; s < a.StepCount; s++)
        {
            TraceStep step = trace.Steps[s];
            bool marked = s == a.ViolationStep;
            sb.Append("<tr id=\"step-").Append(I(s)).Append('"').Append(marked ? " class=\"violation\"" : "").Append('>');
            sb.Append("<td class=\"num\">").Append(I(s)).Append("</td>");
            sb.Append("<td class=\"mono\">").Append(Escape(EventText.Event(step.Event))).Append("</td>");
            sb.Append("<td class=\"mono\">").Append(Escape(EventText.Outcome(step.Event.Kind, step.Outcome))).Append("</td>");
            sb.Append("<td class=\"nodes\">");
            for (int i = 0; i < a.NodeCount; i++)
            {
                NodeState state = a.States[s][i];
                string cls = TraceAnalysis.IsDown(state) ? "down" : TraceWriter.RoleName(state.Role);
                sb.Append("<span class=\"").Append(cls).Append("\">").Append(I(i)).Append(": ").Append(Escape(EventText.Node(state))).Append("</span>");
            }
            sb.Append("</td>");
            sb.Append("<td class=\"mono\">");
            SentMessage[] sent = step.Sent ?? [];
            for (int k = 0; k < sent.Length; k++)
            {
                SentMessage m = sent[k];
                if (k > 0) sb.Append("<br>");
                sb.Append(Escape(TraceAnalysis.Inv($"#{m.Id} {m.Type} {m.From}->{m.To}") + (m.Lost ? " (lost at send)" : "")));
            }
            sb.Append("</td></tr>\n");
        }
        if (a.ViolationAfterSteps)
        {
            sb.Append("<tr id=\"step-liveness\" class=\"violation\"><td class=\"num\">").Append(I(trace.Outcome.ViolationStep))
              .Append("</td><td class=\"mono\">liveness phase</td><td class=\"mono\">").Append(Escape(a.OutcomeLine())).Append("</td><td></td><td></td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        sb.Append("<p class=\"outcome ").Append(violation ? "violation" : "pass").Append("\">").Append(Escape(a.OutcomeLine())).Append("</p>\n");
        sb.Append("<p class=\"settings\">Made by ").Append(Escape(ToolCommand.Of("show --format html"))).Append(". Replay: ")
          .Append(Escape(tracePath is null ? ToolCommand.Of("replay TRACE") : ToolCommand.Replay(tracePath)))
          .Append(". See docs/pictures.md for how to read the picture.</p>\n");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>What the history picture shows: its size, the verdict and, for a violation, the shortest non-linearizable part and the longest linearizable prefix.</summary>
    private static string HistoryLine(Histories.History history, Histories.CheckResult result)
    {
        string text = TraceAnalysis.Inv($"{history.Count} operations by {history.Operations.Select(o => o.Client).Distinct().Count()} client(s), times in steps: ") + result.Verdict switch
        {
            Histories.Verdict.Linearizable => "linearizable",
            Histories.Verdict.Unknown => "the checker's budget ran out (unknown)",
            _ => "not linearizable",
        };
        if (result.Failure is { } f)
            text += TraceAnalysis.Inv($"; key {Histories.HistoryText.Key(f.Key)}: the operations marked red are a shortest part that is not linearizable ({f.SubHistory.Count} of them), and the longest linearizable prefix has {f.Prefix.Length} operations");
        return text;
    }
}
