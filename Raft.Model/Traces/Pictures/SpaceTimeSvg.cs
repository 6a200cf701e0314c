using System.Text;
using static Raft.Model.Traces.Pictures.Markup;

namespace Raft.Model.Traces.Pictures;

/// <summary>
/// A space-time diagram of a trace, as SVG. Time runs down, one row per step; each node has a vertical
/// lane. A message is a line from its sender's lane at the step that sent it to its receiver's lane at
/// the step that delivered it, labelled with its id and type. Drops, duplicates, losses, crashes,
/// restarts, partitions, heals, role and term changes and the violating step are all marked, and a
/// legend says how. A pure function of the trace: the same trace gives the same bytes, in any culture.
/// See docs/pictures.md.
/// </summary>
public static class SpaceTimeSvg
{
    public static string Render(TraceFile trace) => new Drawing(TraceAnalysis.Of(trace)).Render();

    internal const string VoteColor = "#7a3db8";
    internal const string AppendColor = "#1f63b5";
    internal const string SnapshotColor = "#0e8a7e";
    internal const string OtherColor = "#444444";
    internal const string GreyColor = "#8a8a8a";
    internal const string CrashColor = "#d62728";
    internal const string LostColor = "#e67e00";
    internal const string RestartColor = "#2e8b57";
    internal const string TimerColor = "#c77700";
    internal const string ProposeColor = "#d4a200";
    internal const string PartitionColor = "#a0700b";
    internal const string HealColor = "#2e8b57";
    internal const string ViolationColor = "#d62728";

    private sealed class Drawing
    {
        private const double Margin = 16;
        private const double StepNumberX = 52;
        private const double LinkBarX = 68;
        private const double FirstLaneX = 160;
        private const double LaneGap = 180;
        private const double RowHeight = 44;
        private const double TallRowHeight = 64;
        private const double GridTop = 108;
        private const double EventColumnWidth = 600;
        private const int EventChars = 88;

        private readonly TraceAnalysis _a;
        private readonly StringBuilder _sb = new();
        private readonly double[] _rowTop;
        private readonly int _endRow;
        private readonly double _eventX;
        private readonly double _width;

        public Drawing(TraceAnalysis a)
        {
            _a = a;
            _endRow = a.StepCount;
            _rowTop = new double[_endRow + 2];
            _rowTop[0] = GridTop;
            for (int r = 0; r <= _endRow; r++)
            {
                bool tall = r < _endRow ? r == a.ViolationStep : a.ViolationAfterSteps;
                _rowTop[r + 1] = _rowTop[r] + (tall ? TallRowHeight : RowHeight);
            }
            _eventX = LaneX(a.NodeCount - 1) + 130;
            _width = _eventX + EventColumnWidth + Margin;
        }

        private double GridBottom => _rowTop[_endRow + 1];
        private static double LaneX(int node) => FirstLaneX + node * LaneGap;
        private double Cy(int row) => _rowTop[row] + RowHeight / 2;
        private bool ValidNode(int node) => node >= 0 && node < _a.NodeCount;

        public string Render()
        {
            double legendTop = GridBottom + 28;
            double height = legendTop + LegendHeight + Margin;
            string title = _a.Title();

            _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"raftverify-space-time\"")
               .Append(" width=\"").Append(F(_width)).Append("\" height=\"").Append(F(height))
               .Append("\" viewBox=\"0 0 ").Append(F(_width)).Append(' ').Append(F(height))
               .Append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n");
            _sb.Append("<title>").Append(Escape(title)).Append("</title>\n");
            _sb.Append("<desc>").Append(Escape("Space-time diagram drawn by raftverify show --format svg. " + _a.SettingsLine() + ". " + _a.OutcomeLine()))
               .Append("</desc>\n");
            Defs();
            Rect(0, 0, _width, height, "#ffffff", null);

            Header(title);
            Rows();
            NetworkChanges();
            ViolationBand();
            Lanes();
            Messages();
            LocalMarkers();
            Badges();
            EventColumn();
            Legend(legendTop);
            _sb.Append("</svg>\n");
            return _sb.ToString();
        }

        // ---- pieces --------------------------------------------------------------------------

        private void Defs()
        {
            _sb.Append("<defs>\n");
            foreach ((string id, string color) in new[] { ("vote", VoteColor), ("append", AppendColor), ("snapshot", SnapshotColor), ("other", OtherColor), ("grey", GreyColor) })
                _sb.Append("<marker id=\"head-").Append(id).Append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                   .Append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"").Append(color).Append("\"/></marker>\n");
            _sb.Append("</defs>\n");
        }

        private void Header(string title)
        {
            Text(Margin, 28, title, size: 16, weight: "bold");
            Text(Margin, 48, _a.SettingsLine(), fill: "#333333");
            Text(Margin, 67, _a.OutcomeLine(), size: 12, weight: "bold", fill: _a.Trace.Outcome.Violation is null ? RestartColor : ViolationColor);
            Text(StepNumberX, 96, "step", anchor: "end", fill: "#555555");
            Text(_eventX, 96, "event [detail] / nodes after the step (role term / commit / last index)", fill: "#555555");
        }

        private void Rows()
        {
            for (int r = 0; r <= _endRow; r++)
            {
                if (r % 2 == 1) Rect(Margin, _rowTop[r], _width - 2 * Margin, _rowTop[r + 1] - _rowTop[r], "#f4f6f9", null);
                Text(StepNumberX, Cy(r) + 4, r < _endRow ? I(r) : "end", anchor: "end", fill: "#555555");
            }
            foreach (StepSpan span in _a.LinksDown)
            {
                double y1 = Cy(span.From), y2 = span.To < 0 ? GridBottom : Cy(span.To);
                _sb.Append("<g class=\"links-down\"><title>").Append(Escape(span.To < 0
                        ? TraceAnalysis.Inv($"some link is down from step {span.From} to the end")
                        : TraceAnalysis.Inv($"some link is down from step {span.From} to step {span.To}")))
                   .Append("</title>");
                Rect(LinkBarX - 3, y1, 6, y2 - y1, PartitionColor, null, opacity: 0.55);
                _sb.Append("</g>\n");
            }
        }

        private void NetworkChanges()
        {
            double left = FirstLaneX - 80, right = LaneX(_a.NodeCount - 1) + 80;
            foreach (NetworkChange c in _a.NetworkChanges)
            {
                string color = c.Heal ? HealColor : PartitionColor;
                string text = c.Heal ? "heal" : "partition" + (c.Shape.Length > 0 ? ": " + c.Shape : "");
                _sb.Append("<g class=\"").Append(c.Heal ? "heal" : "partition").Append("\" data-step=\"").Append(I(c.Step)).Append("\">");
                Rect(left, _rowTop[c.Step] + 3, right - left, RowHeight - 6, color, null, opacity: 0.13);
                Line(left, Cy(c.Step), right, Cy(c.Step), color, 1.5, dash: "6 4");
                Text(left + 4, Cy(c.Step) - 6, text, size: 10, weight: "bold", fill: color, halo: true);
                _sb.Append("</g>\n");
            }
        }

        private void ViolationBand()
        {
            if (_a.Trace.Outcome.Violation is not { } v) return;
            int row = _a.ViolationAfterSteps ? _endRow : _a.ViolationStep;
            if (row < 0 || row > _endRow) return;
            _sb.Append("<g class=\"violation\" data-step=\"").Append(I(_a.Trace.Outcome.ViolationStep)).Append("\"><title>")
               .Append(Escape(_a.OutcomeLine())).Append("</title>");
            Rect(Margin, _rowTop[row], _width - 2 * Margin, _rowTop[row + 1] - _rowTop[row], ViolationColor, ViolationColor, opacity: 0.1, strokeOpacity: 0.8);
            _sb.Append("</g>\n");
        }

        private void Lanes()
        {
            for (int i = 0; i < _a.NodeCount; i++)
            {
                double x = LaneX(i);
                _sb.Append("<g class=\"lane\" data-node=\"").Append(I(i)).Append("\">");
                Text(x, 96, "node " + I(i), anchor: "middle", size: 12, weight: "bold");
                Line(x, GridTop, x, GridBottom, "#555555", 2);
                foreach (StepSpan d in _a.Down.Where(d => d.Node == i))
                {
                    double y1 = Cy(d.From), y2 = d.To < 0 ? GridBottom : Cy(d.To);
                    _sb.Append("<g class=\"down\"><title>").Append(Escape(d.To < 0
                            ? TraceAnalysis.Inv($"node {i} is down from step {d.From} to the end")
                            : TraceAnalysis.Inv($"node {i} is down from step {d.From} to step {d.To}")))
                       .Append("</title>");
                    Rect(x - 7, y1, 14, y2 - y1, "#b5b5b5", null, opacity: 0.75);
                    Line(x, y1, x, y2, "#ffffff", 2, dash: "3 3");
                    _sb.Append("</g>");
                }
                _sb.Append("</g>\n");
            }
        }

        private static string ColorOf(MessageStory m) => m.Family switch
        {
            "vote" => VoteColor,
            "append" => AppendColor,
            "snapshot" => SnapshotColor,
            _ => OtherColor,
        };

        private void Messages()
        {
            var labels = new List<(double Xs, double Ys, double Xe, double Ye, string Text, string Color)>();
            var stubs = new List<(MessageStory M, double X, double Y)>();
            foreach (MessageStory m in _a.Messages)
            {
                if (!ValidNode(m.From) || !ValidNode(m.To) || m.From == m.To) continue;
                double xs = LaneX(m.From), xr = LaneX(m.To);
                string color = ColorOf(m);
                string head = "head-" + m.Family;
                string full = m.Text is null ? TraceAnalysis.Inv($"#{m.Id} {m.Type} {m.From}->{m.To}") : TraceAnalysis.Inv($"#{m.Id} {m.Text}");
                string sentAt = m.SentStep >= 0 ? TraceAnalysis.Inv($"sent at step {m.SentStep}") : "sending not recorded";

                foreach (Arrival arr in m.Arrivals)
                {
                    double ys = m.SentStep >= 0 ? Cy(m.SentStep) : _rowTop[arr.Step] + 4;
                    double ye = Cy(arr.Step);
                    switch (arr.Kind)
                    {
                        case ArrivalKind.Deliver or ArrivalKind.Copy:
                        {
                            bool copy = arr.Kind == ArrivalKind.Copy;
                            string cls = (copy ? "msg copy" : "msg delivery") + (arr.Lost is null ? "" : " lost");
                            string what = (copy ? "a copy delivered" : "delivered") + TraceAnalysis.Inv($" at step {arr.Step}") + (arr.Lost is { } why ? $", but lost: {why}" : "");
                            Open(cls, m.Id, arr.Step, $"{full}: {sentAt}, {what}");
                            Line(xs, ys, xr, ye, color, 1.6, dash: copy ? "6 4" : null, marker: arr.Lost is null ? head : null);
                            if (arr.Lost is not null) Cross(xr, ye, 5, LostColor, 2.5);
                            _sb.Append("</g>\n");
                            string label = (copy ? "copy " : "") + m.Label + (arr.Lost is null ? "" : " lost");
                            labels.Add((xs, ys, xr, ye, label, arr.Lost is null ? color : LostColor));
                            break;
                        }
                        default:
                        {
                            // The X sits between the receiver's lane and the lane before it: on its way, never on a lane.
                            double px = xr - Math.Sign(xr - xs) * LaneGap / 2;
                            Open("msg drop", m.Id, arr.Step, TraceAnalysis.Inv($"{full}: {sentAt}, dropped by the network at step {arr.Step}"));
                            Line(xs, ys, px, ye, color, 1.6);
                            Cross(px, ye, 6, CrashColor, 2.5);
                            _sb.Append("</g>\n");
                            labels.Add((xs, ys, px, ye, m.Label + " dropped", CrashColor));
                            break;
                        }
                    }
                }

                if (m.SentStep < 0) continue;
                double y0 = Cy(m.SentStep);
                switch (m.End)
                {
                    case MessageEnd.LostAtSend:
                    {
                        double ex = xs + 0.3 * (xr - xs), ey = y0 + 14;
                        Open("msg lost-at-send", m.Id, m.SentStep, TraceAnalysis.Inv($"{full}: lost at sending (its link was down), step {m.SentStep}"));
                        Line(xs, y0, ex, ey, color, 1.4, dash: "2 3");
                        Cross(ex, ey, 5, LostColor, 2.5);
                        _sb.Append("</g>\n");
                        labels.Add((double.NaN, xr >= xs ? 1 : -1, ex + (xr >= xs ? 9 : -9), ey + 4, m.Label + " lost at send", LostColor));
                        break;
                    }
                    case MessageEnd.DiscardedByCrash:
                    {
                        double ye = Cy(m.EndStep);
                        Open("msg discarded", m.Id, m.EndStep, TraceAnalysis.Inv($"{full}: {sentAt}, discarded when node {m.To} crashed at step {m.EndStep}"));
                        Line(xs, y0, xr, ye, GreyColor, 1.3, dash: "2 4");
                        _sb.Append("</g>\n");
                        // Under the line near its end (the crash mark and its label sit above the end).
                        double dir = xr >= xs ? 1 : -1, lx = xr - dir * 16;
                        labels.Add((double.NaN, -dir, lx, y0 + (lx - xs) / (xr - xs) * (ye - y0) + 12, m.Label + " discarded", GreyColor));
                        break;
                    }
                    case MessageEnd.InFlight:
                    {
                        // Sent in the last few steps: drawn on toward the end row (what comes next happens
                        // there). Sent earlier: a short stub, so old messages do not cross the whole picture.
                        bool near = _endRow - m.SentStep <= 3;
                        double ex = xs + (near ? 0.85 : 0.4) * (xr - xs);
                        double ye = near ? y0 + 0.85 * (Cy(_endRow) - y0) : y0 + RowHeight;
                        Open("msg inflight", m.Id, -1, $"{full}: {sentAt}, still in flight after the last recorded step"
                            + (m.Stale ? TraceAnalysis.Inv($"; stale: node {m.To} restarted since it was sent (or is down and restarts), so it will be lost on arrival") : ""));
                        Line(xs, y0, ex, ye, GreyColor, 1.3, dash: "2 4", marker: "head-grey");
                        _sb.Append("</g>\n");
                        if (near) labels.Add((xs, y0, ex, ye, m.Label + (m.Stale ? " (stale)" : ""), GreyColor));
                        else stubs.Add((m, ex, ye));
                        break;
                    }
                }
            }
            // Stubs of messages still in flight: one label for those a node sent the same way at the same
            // step (a leader's broadcast), under the end of the longest stub.
            foreach (var group in stubs.GroupBy(x => (x.M.SentStep, x.M.From, Right: x.M.To > x.M.From)))
            {
                var list = group.OrderBy(x => x.M.Id).ToList();
                bool allStale = list.All(x => x.M.Stale);
                string ids = string.Join(", ", list.Select(x => "#" + I(x.M.Id) + (x.M.Stale && !allStale ? " (stale)" : "")));
                string types = string.Join("/", list.Select(x => x.M.ShortType).Distinct());
                var far = group.Key.Right ? list.MaxBy(x => x.X) : list.MinBy(x => x.X);
                labels.Add((double.NaN, group.Key.Right ? -1 : 1, far.X, far.Y + 13, ids + " " + types + (allStale ? " (stale)" : ""), GreyColor));
            }

            _sb.Append("<g class=\"msg-labels\">\n");
            // The lanes' own labels (crash, timeout, ...) are there first: message labels make way for them.
            var placed = new List<(double X1, double Y1, double X2, double Y2)>();
            for (int s = 0; s < _a.StepCount; s++)
                if (LaneLabelText(s) is { } lane)
                    placed.Add(Box(LaneX(_a.Events[s].Node) - 11, Cy(s) - 7, lane, "end", 6.2));

            foreach ((double xs, double ys, double xe, double ye, string text, string color) in labels)
            {
                double x, y;
                string anchor;
                if (double.IsNaN(xs))
                {
                    // Placed by the caller; ys says how: 0 centred, 1 starting at (xe, ye), -1 ending there.
                    (x, y, anchor) = (xe, ye, ys == 0 ? "middle" : ys > 0 ? "start" : "end");
                }
                else
                {
                    // Near the end of the line, just above it, and running back along it: each lane
                    // receives at most one message per step, so labels near the ends rarely collide.
                    double dir = xe >= xs ? 1 : -1;
                    double lx = xe - dir * 16;
                    double t = Math.Abs(xe - xs) > 40 ? (lx - xs) / (xe - xs) : 0.5;
                    (x, y, anchor) = (t == 0.5 ? (xs + xe) / 2 : lx, ys + t * (ye - ys) - 5, t == 0.5 ? "middle" : dir > 0 ? "end" : "start");
                }
                // Where a label would cover one already placed, it moves down (or up) a line.
                double chosen = y;
                foreach (double dy in new double[] { 0, 11, -11, 22, -22 })
                {
                    var box = Box(x, y + dy, text, anchor, 5.6);
                    if (placed.Any(p => p.X1 < box.X2 && box.X1 < p.X2 && p.Y1 < box.Y2 && box.Y1 < p.Y2)) continue;
                    chosen = y + dy;
                    break;
                }
                placed.Add(Box(x, chosen, text, anchor, 5.6));
                Text(x, chosen, text, anchor: anchor, size: 10, fill: color, halo: true);
                _sb.Append('\n');
            }
            _sb.Append("</g>\n");
        }

        /// <summary>The box a label of <paramref name="text"/> takes, at about <paramref name="charWidth"/> per character.</summary>
        private static (double X1, double Y1, double X2, double Y2) Box(double x, double y, string text, string anchor, double charWidth)
        {
            double w = text.Length * charWidth;
            double x1 = anchor switch { "end" => x - w, "middle" => x - w / 2, _ => x };
            return (x1, y - 9, x1 + w, y + 2);
        }

        /// <summary>The label a local event gets beside its lane ("crash", "propose cmd=3", ...), or null.</summary>
        private string? LaneLabelText(int s)
        {
            StepEvent e = _a.Events[s];
            if (!ValidNode(e.Node)) return null;
            return e.Action switch
            {
                StepAction.Crash => "crash",
                StepAction.Restart => "restart",
                StepAction.Timeout => "timeout",
                StepAction.Propose => ("propose " + (_a.Trace.Steps[s].Event.Split(' ').FirstOrDefault(w => w.StartsWith("cmd=", StringComparison.Ordinal)) ?? "")).TrimEnd(),
                StepAction.Snapshot => "snapshot",
                _ => null,
            };
        }

        private void LocalMarkers()
        {
            for (int s = 0; s < _a.StepCount; s++)
            {
                StepEvent e = _a.Events[s];
                if (!ValidNode(e.Node)) continue;
                double x = LaneX(e.Node), y = Cy(s);
                string evText = _a.Trace.Steps[s].Event + (_a.Trace.Steps[s].Detail.Length > 0 ? " [" + _a.Trace.Steps[s].Detail + "]" : "");
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
                    string cur = _a.States[s][i], prev = _a.StateAfter(s - 1, i);
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
            string fill = role.Length > 0 ? role[0] switch { 'L' => "#f6d55c", 'C' => "#bcd7f5", 'F' => "#e8e8e8", _ => "#ffffff" } : "#ffffff";
            double w = BadgeWidth(role);
            _sb.Append("<g class=\"").Append(cls).Append("\">");
            if (title is not null) _sb.Append("<title>").Append(Escape(title)).Append("</title>");
            _sb.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(w)).Append("\" height=\"14\" rx=\"3\" fill=\"")
               .Append(fill).Append("\" stroke=\"#666666\" stroke-width=\"0.8\"/>");
            Text(x + w / 2, y + 10.5, role, anchor: "middle", size: 10, weight: "bold");
            _sb.Append("</g>\n");
        }

        private static double BadgeWidth(string role) => 8 + 7 * role.Length;

        /// <summary>"L3/c2/l4" as "leader, term 3, commit 2, last index 4".</summary>
        private static string Describe(string state)
        {
            string[] p = state.Split('/');
            if (p.Length != 3 || p[0].Length < 2) return state;
            string role = p[0][0] switch { 'L' => "leader", 'C' => "candidate", 'F' => "follower", _ => p[0][..1] };
            return $"{role}, term {p[0][1..]}, commit {p[1].TrimStart('c')}, last index {p[2].TrimStart('l')}";
        }

        private void EventColumn()
        {
            for (int s = 0; s < _a.StepCount; s++)
            {
                var step = _a.Trace.Steps[s];
                string ev = step.Detail.Length > 0 ? $"{step.Event} [{step.Detail}]" : step.Event;
                string nodes = string.Join("  ", _a.States[s].Select((st, i) => I(i) + ":" + st));
                bool violating = s == _a.ViolationStep;
                _sb.Append("<g class=\"event\" data-step=\"").Append(I(s)).Append("\"><title>").Append(Escape(TraceAnalysis.Inv($"step {s}: {ev}; after: {nodes}"))).Append("</title>");
                Text(_eventX, Cy(s) - 3, Clip(ev, EventChars), family: "Menlo, Consolas, DejaVu Sans Mono, monospace", weight: violating ? "bold" : null);
                Text(_eventX, Cy(s) + 11, Clip(nodes, EventChars + 10), size: 10, fill: "#666666", family: "Menlo, Consolas, DejaVu Sans Mono, monospace");
                if (violating) Text(_eventX, Cy(s) + 28, Clip("VIOLATION: " + ViolationText(), EventChars + 6), size: 11, weight: "bold", fill: ViolationColor);
                _sb.Append("</g>\n");
            }

            TraceOutcome o = _a.Trace.Outcome;
            string end = _a.ViolationAfterSteps || o.Liveness is not null
                ? "after the last step: the liveness phase (links healed, nodes restarted, no more faults)"
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
                }, "partition (its shape: isolate n, split by side, cut a->b); a green band is a heal"),
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
