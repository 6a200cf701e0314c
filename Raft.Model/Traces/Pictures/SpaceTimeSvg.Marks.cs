using System.Text;
using static Raft.Model.Text.Markup;

using Raft.Model.Events;

namespace Raft.Model.Traces.Pictures;

/// <summary>Lane marks, role badges, the event column, the legend and the SVG primitives of the space-time diagram.</summary>
public static partial class SpaceTimeSvg
{
    private sealed partial class Drawing
    {

        /// <summary>The label a local event gets beside its lane ("crash", "propose cmd=3", ...), or null.</summary>
        private string? LaneLabelText(int s)
        {
            PictureEvent e = _a.Events[s];
            if (!ValidNode(e.Node)) return null;
            return e.Action switch
            {
                StepAction.Crash => "crash",
                StepAction.Restart => "restart",
                StepAction.Timeout => "timeout",
                StepAction.Propose => e.ProposeText,
                StepAction.Snapshot => "snapshot",
                _ => null,
            };
        }

        private void LocalMarkers()
        {
            for (int s = 0; s < _a.StepCount; s++)
            {
                PictureEvent e = _a.Events[s];
                if (!ValidNode(e.Node)) continue;
                double x = LaneX(e.Node), y = Cy(s);
                string evText = EventText.EventAndOutcome(_a.Trace.Steps[s]);
                switch (e.Action)
                {
                    case StepAction.Crash:
                        Open("crash", -1, s, evText);
                        Cross(x, y, 8, CrashColor, 3.5);
                        LaneLabel(x, y, LaneLabelText(s)!, CrashColor);
                        break;
                    case StepAction.Restart:
                        Open("restart", -1, s, evText);
                        _sb.Append("<circle cx=\"").Append(F(x)).Append("\" cy=\"").Append(F(y)).Append("\" r=\"7\" fill=\"#ffffff\" stroke=\"").Append(RestartColor).Append("\" stroke-width=\"3\"/>");
                        LaneLabel(x, y, LaneLabelText(s)!, RestartColor);
                        break;
                    case StepAction.Timeout:
                        Open("timeout", -1, s, evText);
                        _sb.Append("<circle cx=\"").Append(F(x)).Append("\" cy=\"").Append(F(y)).Append("\" r=\"5.5\" fill=\"#fff3d6\" stroke=\"").Append(TimerColor).Append("\" stroke-width=\"2\"/>");
                        LaneLabel(x, y, LaneLabelText(s)!, TimerColor);
                        break;
                    case StepAction.Propose:
                    {
                        Open("propose", -1, s, evText);
                        _sb.Append("<path d=\"M").Append(F(x)).Append(',').Append(F(y - 7)).Append(" L").Append(F(x + 7)).Append(',').Append(F(y))
                           .Append(" L").Append(F(x)).Append(',').Append(F(y + 7)).Append(" L").Append(F(x - 7)).Append(',').Append(F(y)).Append(" z\" fill=\"")
                           .Append(ProposeColor).Append("\" stroke=\"#7a5d00\" stroke-width=\"1\"/>");
                        LaneLabel(x, y, LaneLabelText(s)!, "#7a5d00");
                        break;
                    }
                    case StepAction.Snapshot:
                        Open("snapshot", -1, s, evText);
                        Rect(x - 5, y - 5, 10, 10, SnapshotColor, "#064a44");
                        LaneLabel(x, y, LaneLabelText(s)!, SnapshotColor);
                        break;
                    default:
                        continue;
                }
                _sb.Append("</g>\n");
            }

            if (_a.Trace.Outcome.Violation is { } v)
            {
                int row = _a.ViolationAfterSteps ? _endRow : _a.ViolationStep;
                if (row >= 0 && row <= _endRow)
                    foreach (int node in v.Nodes.Where(ValidNode).Distinct().Order())
                    {
                        _sb.Append("<circle class=\"violating-node\" data-node=\"").Append(I(node)).Append("\" cx=\"").Append(F(LaneX(node))).Append("\" cy=\"").Append(F(Cy(row)))
                           .Append("\" r=\"12\" fill=\"none\" stroke=\"").Append(ViolationColor).Append("\" stroke-width=\"2.5\"/>\n");
                    }
            }
        }

        private void LaneLabel(double x, double y, string text, string color) =>
            Text(x - 11, y - 7, text, anchor: "end", size: 10, weight: "bold", fill: color, halo: true);

        private void Badges()
        {
            // A badge sits right of its lane, unless a message comes in from the right at that step.
            var fromRight = new HashSet<(int Node, int Step)>();
            foreach (MessageStory m in _a.Messages)
                if (m.From > m.To)
                    foreach (Arrival arr in m.Arrivals)
                        if (arr.Kind != ArrivalKind.Drop) fromRight.Add((m.To, arr.Step));
            for (int s = 0; s < _a.StepCount; s++)
            {
                for (int i = 0; i < _a.NodeCount; i++)
                {
                    NodeState cur = _a.States[s][i], prev = _a.StateAfter(s - 1, i);
                    if (TraceAnalysis.IsDown(cur)) continue;
                    string? role = TraceAnalysis.RoleTerm(cur);
                    if (role is null || (!TraceAnalysis.IsDown(prev) && role == TraceAnalysis.RoleTerm(prev))) continue;
                    double w = BadgeWidth(role);
                    double x = fromRight.Contains((i, s)) ? LaneX(i) - 9 - w : LaneX(i) + 9;
                    Badge(x, Cy(s) - 20, role, TraceAnalysis.Inv($"node {i} after step {s}: {Describe(cur)}"));
                }
            }
        }

        private void Badge(double x, double y, string role, string? title, string cls = "role")
        {
            string fill = role.Length > 0 ? role[0] switch { 'L' => "#f6d55c", 'C' => "#bcd7f5", 'P' => "#dbe8f7", 'F' => "#e8e8e8", _ => "#ffffff" } : "#ffffff";
            double w = BadgeWidth(role);
            _sb.Append("<g class=\"").Append(cls).Append("\">");
            if (title is not null) _sb.Append("<title>").Append(Escape(title)).Append("</title>");
            _sb.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(w)).Append("\" height=\"14\" rx=\"3\" fill=\"")
               .Append(fill).Append("\" stroke=\"#666666\" stroke-width=\"0.8\"/>");
            Text(x + w / 2, y + 10.5, role, anchor: "middle", size: 10, weight: "bold");
            _sb.Append("</g>\n");
        }

        private static double BadgeWidth(string role) => 8 + 7 * role.Length;

        /// <summary>A node's state in words: "leader, term 3, commit 2, last index 4".</summary>
        private static string Describe(NodeState state) => state.Up
            ? TraceAnalysis.Inv($"{TraceWriter.RoleName(state.Role)}, term {state.Term}, commit {state.Commit}, last index {state.Last}")
            : "down";

        private void EventColumn()
        {
            for (int s = 0; s < _a.StepCount; s++)
            {
                var step = _a.Trace.Steps[s];
                string ev = EventText.EventAndOutcome(step);
                string nodes = string.Join("  ", _a.States[s].Select((st, i) => I(i) + ":" + EventText.Node(st)));
                bool violating = s == _a.ViolationStep;
                _sb.Append("<g class=\"event\" data-step=\"").Append(I(s)).Append("\"><title>").Append(Escape(TraceAnalysis.Inv($"step {s}: {ev}; after: {nodes}"))).Append("</title>");
                Text(_eventX, Cy(s) - 3, Clip(ev, EventChars), family: "Menlo, Consolas, DejaVu Sans Mono, monospace", weight: violating ? "bold" : null);
                Text(_eventX, Cy(s) + 11, Clip(nodes, EventChars + 10), size: 10, fill: "#666666", family: "Menlo, Consolas, DejaVu Sans Mono, monospace");
                if (violating) Text(_eventX, Cy(s) + 28, Clip("VIOLATION: " + ViolationText(), EventChars + 6), size: 11, weight: "bold", fill: ViolationColor);
                _sb.Append("</g>\n");
            }

            TraceOutcome o = _a.Trace.Outcome;
            string end = _a.ViolationAfterSteps
                ? "after the last step: the liveness phase"
                : "end of the recorded steps";
            _sb.Append("<g class=\"event\" data-step=\"end\"><title>").Append(Escape(end + (o.Liveness is { } lv ? "; liveness: " + lv : ""))).Append("</title>");
            Text(_eventX, Cy(_endRow) - 3, Clip(end, EventChars + 10), fill: "#333333");
            if (o.Liveness is { } l && !_a.ViolationAfterSteps) Text(_eventX, Cy(_endRow) + 11, Clip("liveness: " + l, EventChars + 10), size: 10, fill: "#666666");
            if (_a.ViolationAfterSteps) Text(_eventX, Cy(_endRow) + 28, Clip("VIOLATION: " + ViolationText(), EventChars + 6), size: 11, weight: "bold", fill: ViolationColor);
            _sb.Append("</g>\n");
        }

        private string ViolationText() => _a.Trace.Outcome.Violation is { } v ? $"{v.Invariant}: {v.Detail}" : "";

        // ---- legend -------------------------------------------------------------------------

        private const double LegendRow = 21;
        private const int LegendRowsPerColumn = 8;
        private static double LegendHeight => 26 + LegendRowsPerColumn * LegendRow;

        private void Legend(double top)
        {
            _sb.Append("<g class=\"legend\">\n");
            Text(Margin, top, "How to read: time runs down, one row per step; one lane per node. Hover over a mark for its details.", size: 11, weight: "bold");
            var entries = new List<(Action<double, double> Sample, string Text)>
            {
                ((x, y) => Line(x, y - 6, x + 36, y + 2, VoteColor, 1.6, marker: "head-vote"), "RequestVote / Vote: from the sending step to the delivering step"),
                ((x, y) => Line(x, y - 6, x + 36, y + 2, AppendColor, 1.6, marker: "head-append"), "AppendEntries / AppendReply"),
                ((x, y) => Line(x, y - 6, x + 36, y + 2, SnapshotColor, 1.6, marker: "head-snapshot"), "InstallSnapshot / SnapshotReply"),
                ((x, y) => Line(x, y - 6, x + 36, y + 2, AppendColor, 1.6, dash: "6 4", marker: "head-append"), "duplicate: a copy delivered (the original stays in flight)"),
                ((x, y) => { Line(x, y - 6, x + 30, y + 2, AppendColor, 1.6); Cross(x + 30, y + 2, 5, CrashColor, 2.5); }, "dropped by the network"),
                ((x, y) => { Line(x, y - 6, x + 30, y + 2, AppendColor, 1.6); Cross(x + 30, y + 2, 5, LostColor, 2.5); }, "lost: link down, or the receiver restarted since"),
                ((x, y) => { Line(x, y - 6, x + 16, y, VoteColor, 1.4, dash: "2 3"); Cross(x + 16, y, 5, LostColor, 2.5); }, "lost at sending (its link was down)"),
                ((x, y) => Line(x, y - 6, x + 36, y + 2, GreyColor, 1.3, dash: "2 4", marker: "head-grey"), "in flight at the end (stale: its receiver restarted since), or discarded by a crash"),
                ((x, y) => { Rect(x + 11, y - 9, 14, 16, "#b5b5b5", null, opacity: 0.75); Cross(x + 18, y - 1, 7, CrashColor, 3.5); }, "crash; the lane is grey while the node is down"),
                ((x, y) => _sb.Append("<circle cx=\"").Append(F(x + 18)).Append("\" cy=\"").Append(F(y - 1)).Append("\" r=\"7\" fill=\"#ffffff\" stroke=\"").Append(RestartColor).Append("\" stroke-width=\"3\"/>"), "restart (from what the node had made durable)"),
                ((x, y) => _sb.Append("<circle cx=\"").Append(F(x + 18)).Append("\" cy=\"").Append(F(y - 1)).Append("\" r=\"5.5\" fill=\"#fff3d6\" stroke=\"").Append(TimerColor).Append("\" stroke-width=\"2\"/>"), "timer fired: an election, or a leader's heartbeat"),
                ((x, y) =>
                {
                    _sb.Append("<path d=\"M").Append(F(x + 9)).Append(',').Append(F(y - 8)).Append(" L").Append(F(x + 16)).Append(',').Append(F(y - 1)).Append(" L").Append(F(x + 9)).Append(',').Append(F(y + 6))
                       .Append(" L").Append(F(x + 2)).Append(',').Append(F(y - 1)).Append(" z\" fill=\"").Append(ProposeColor).Append("\" stroke=\"#7a5d00\" stroke-width=\"1\"/>");
                    Rect(x + 22, y - 6, 10, 10, SnapshotColor, "#064a44");
                }, "a client proposal; a service snapshot"),
                ((x, y) => { Badge(x, y - 9, "C2", null, "legend-sample"); Badge(x + 24, y - 9, "L2", null, "legend-sample"); }, "role and term when they change: F follower, C candidate, L leader"),
                ((x, y) =>
                {
                    Rect(x, y - 9, 36, 16, PartitionColor, null, opacity: 0.13);
                    Line(x, y - 1, x + 36, y - 1, PartitionColor, 1.5, dash: "6 4");
                }, "partition (isolate n, split by side, cut a->b); green band: heal; teal: network stable"),
                ((x, y) => Rect(x + 15, y - 10, 6, 18, PartitionColor, null, opacity: 0.55), "bar left of the lanes: some link is down"),
                ((x, y) =>
                {
                    Rect(x, y - 9, 36, 16, ViolationColor, ViolationColor, opacity: 0.1, strokeOpacity: 0.8);
                    _sb.Append("<circle cx=\"").Append(F(x + 18)).Append("\" cy=\"").Append(F(y - 1)).Append("\" r=\"7\" fill=\"none\" stroke=\"").Append(ViolationColor).Append("\" stroke-width=\"2\"/>");
                }, "the violating step, and rings on the nodes that break the invariant"),
            };
            double colWidth = (_width - 2 * Margin) / 2;
            for (int k = 0; k < entries.Count; k++)
            {
                int col = k / LegendRowsPerColumn, row = k % LegendRowsPerColumn;
                double x = Margin + col * colWidth, y = top + 24 + row * LegendRow;
                entries[k].Sample(x, y);
                Text(x + 58, y + 3, entries[k].Text, size: 11);
                _sb.Append('\n');
            }
            _sb.Append("</g>\n");
        }

        // ---- primitives ---------------------------------------------------------------------

        private void Open(string cls, long msg, int step, string title)
        {
            _sb.Append("<g class=\"").Append(cls).Append('"');
            if (msg >= 0) _sb.Append(" data-msg=\"").Append(I(msg)).Append('"');
            if (step >= 0) _sb.Append(" data-step=\"").Append(I(step)).Append('"');
            _sb.Append("><title>").Append(Escape(title)).Append("</title>");
        }

        private void Line(double x1, double y1, double x2, double y2, string stroke, double width, string? dash = null, string? marker = null)
        {
            _sb.Append("<line x1=\"").Append(F(x1)).Append("\" y1=\"").Append(F(y1)).Append("\" x2=\"").Append(F(x2)).Append("\" y2=\"").Append(F(y2))
               .Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(F(width)).Append('"');
            if (dash is not null) _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
            if (marker is not null) _sb.Append(" marker-end=\"url(#").Append(marker).Append(")\"");
            _sb.Append("/>");
        }

        private void Rect(double x, double y, double w, double h, string fill, string? stroke, double opacity = 1, double strokeOpacity = 1)
        {
            _sb.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(Math.Max(0, w))).Append("\" height=\"").Append(F(Math.Max(0, h)))
               .Append("\" fill=\"").Append(fill).Append('"');
            if (opacity < 1) _sb.Append(" fill-opacity=\"").Append(F(opacity)).Append('"');
            if (stroke is not null)
            {
                _sb.Append(" stroke=\"").Append(stroke).Append("\" stroke-width=\"1.2\"");
                if (strokeOpacity < 1) _sb.Append(" stroke-opacity=\"").Append(F(strokeOpacity)).Append('"');
            }
            _sb.Append("/>");
        }

        private void Cross(double x, double y, double r, string stroke, double width)
        {
            _sb.Append("<path class=\"x\" d=\"M").Append(F(x - r)).Append(',').Append(F(y - r)).Append(" L").Append(F(x + r)).Append(',').Append(F(y + r))
               .Append(" M").Append(F(x - r)).Append(',').Append(F(y + r)).Append(" L").Append(F(x + r)).Append(',').Append(F(y - r))
               .Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(F(width)).Append("\" stroke-linecap=\"round\" fill=\"none\"/>");
        }

        private void Text(double x, double y, string text, string? anchor = null, double size = 0, string? weight = null, string? fill = null, string? family = null, bool halo = false)
        {
            _sb.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append('"');
            if (anchor is not null) _sb.Append(" text-anchor=\"").Append(anchor).Append('"');
            if (size > 0) _sb.Append(" font-size=\"").Append(F(size)).Append('"');
            if (weight is not null) _sb.Append(" font-weight=\"").Append(weight).Append('"');
            if (family is not null) _sb.Append(" font-family=\"").Append(Escape(family)).Append('"');
            if (fill is not null) _sb.Append(" fill=\"").Append(fill).Append('"');
            if (halo) _sb.Append(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"");
            _sb.Append('>').Append(Escape(text)).Append("</text>");
        }
    }
}
