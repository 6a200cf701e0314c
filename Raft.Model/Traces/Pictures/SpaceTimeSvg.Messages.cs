using System.Text;
using static Raft.Model.Text.Markup;

namespace Raft.Model.Traces.Pictures;

/// <summary>The message arrows of the space-time diagram: sends, deliveries, drops, duplicates, losses.</summary>
public static partial class SpaceTimeSvg
{
    private sealed partial class Drawing
    {
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
                string full = m.FullText;
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
    }
}
