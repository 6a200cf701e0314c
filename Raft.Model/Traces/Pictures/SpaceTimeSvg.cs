using System.Text;
using static Raft.Model.Text.Markup;

namespace Raft.Model.Traces.Pictures;

/// <summary>
/// A space-time diagram of a trace, as SVG. Time runs down, one row per step; each node has a vertical
/// lane. A message is a line from its sender's lane at the step that sent it to its receiver's lane at
/// the step that delivered it, labelled with its id and type. Drops, duplicates, losses, crashes,
/// restarts, partitions, heals, role and term changes and the violating step are all marked, and a
/// legend says how. A pure function of the trace: the same trace gives the same bytes, in any culture.
/// See docs/pictures.md.
/// </summary>
public static partial class SpaceTimeSvg
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
    internal const string StableColor = "#1f7a8c";
    internal const string ViolationColor = "#d62728";

    private sealed partial class Drawing
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
                bool stabilise = _a.Events[c.Step].Action == StepAction.Stabilise;
                string color = stabilise ? StableColor : c.Heal ? HealColor : PartitionColor;
                string text = c.Liveness ? c.Shape : c.Heal ? "heal" : "partition" + (c.Shape.Length > 0 ? ": " + c.Shape : "");
                string cls = c.Liveness ? (stabilise ? "liveness-stabilise" : "liveness-heal") : c.Heal ? "heal" : "partition";
                _sb.Append("<g class=\"").Append(cls).Append("\" data-step=\"").Append(I(c.Step)).Append("\">");
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
    }
}
