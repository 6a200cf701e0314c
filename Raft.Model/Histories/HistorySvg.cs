using System.Globalization;
using System.Text;

using Raft.Model.Text;

namespace Raft.Model.Histories;

/// <summary>
/// A picture of a key-value history and the checker's verdict, as SVG. Time runs left to right;
/// each client has a lane (more than one row when its own operations overlap); an operation is a
/// bar from its invocation to its response, labelled with its request; a timed-out one runs dashed
/// to the right edge. When a key is not linearizable, only that key is drawn: the operations of the
/// minimised sub-history are outlined in red, the linearization points of the longest linearizable
/// prefix are numbered dots, and a dashed line marks where the prefix is cut. When the history is
/// linearizable, every key's linearization points are drawn. At most <see cref="MaxDrawn"/>
/// operations are drawn (those around the conflict); the header says when some are left out.
/// A pure function of its arguments: the same bytes in any culture. See docs/linearizability.md.
/// </summary>
public static class HistorySvg
{
    /// <summary>The most operations one picture draws.</summary>
    public const int MaxDrawn = 300;

    internal const string GetColor = "#1f63b5";
    internal const string PutColor = "#2e8b57";
    internal const string AppendColor = "#c77700";
    internal const string ConflictColor = "#d62728";
    internal const string PointColor = "#111111";

    private const double Margin = 16, LaneLabelWidth = 70, RowHeight = 34, HeaderHeight = 84, BarHeight = 12;

    public static string Render(History history, CheckResult result)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(result);
        if (!ReferenceEquals(history, result.History) && history.Count != result.History.Count)
            throw new ArgumentException("the result is for another history", nameof(result));
        return new Drawing(history, result).Render();
    }

    /// <summary>The operations a picture of <paramref name="result"/> draws (history indices, by invocation), and how many it could have.</summary>
    public static (int[] Drawn, int Total) Selection(History history, CheckResult result)
    {
        FailureReport? f = result.Failure;
        int[] all = f is null ? Enumerable.Range(0, history.Count).ToArray() : history.IndicesOf(f.Key);
        int[] byInvoke = ByInvoke(history, all);
        if (byInvoke.Length <= MaxDrawn) return (byInvoke, all.Length);
        // a window of invocations around the end of the prefix (or the start), plus the conflict
        int centre = 0;
        if (f?.Prefix.NextOperation is { } next) centre = Array.IndexOf(byInvoke, next);
        int from = Math.Clamp(centre - MaxDrawn / 2, 0, byInvoke.Length - MaxDrawn);
        var chosen = new SortedSet<int>(byInvoke[from..(from + MaxDrawn)]);
        if (f is not null) chosen.UnionWith(f.SubHistory);
        return (ByInvoke(history, chosen.ToArray()), all.Length);
    }

    private static int[] ByInvoke(History h, int[] ops)
    {
        int[] copy = (int[])ops.Clone();
        Array.Sort(copy, (a, b) =>
        {
            int c = h[a].Invoke.CompareTo(h[b].Invoke);
            return c != 0 ? c : a.CompareTo(b);
        });
        return copy;
    }

    /// <summary>
    /// The moment each operation of <paramref name="order"/> takes effect: the latest of its
    /// invocation and the previous one's moment. For a linearization respecting real time this lies
    /// inside each operation's interval.
    /// </summary>
    public static long[] Points(History history, IReadOnlyList<int> order)
    {
        var points = new long[order.Count];
        long last = long.MinValue;
        for (int i = 0; i < order.Count; i++) points[i] = last = Math.Max(last, history[order[i]].Invoke);
        return points;
    }

    private sealed class Drawing
    {
        private readonly History _h;
        private readonly CheckResult _r;
        private readonly StringBuilder _sb = new();
        private readonly int[] _drawn;
        private readonly int _total;
        private readonly long _t0, _t1;
        private readonly double _scale, _plotX, _width;
        private readonly Dictionary<int, (int Row, int Client)> _place = [];
        private readonly List<(int Client, int FirstRow, int Rows)> _lanes = [];
        private readonly int _rows;
        private readonly HashSet<int> _conflict = [];

        public Drawing(History h, CheckResult r)
        {
            _h = h;
            _r = r;
            (_drawn, _total) = Selection(h, r);
            if (r.Failure is not null) _conflict.UnionWith(r.Failure.SubHistory);
            _t0 = _drawn.Length == 0 ? 0 : _drawn.Min(i => h[i].Invoke);
            long end = _t0;
            foreach (int i in _drawn) end = Math.Max(end, h[i].Response ?? h[i].Invoke);
            _t1 = end + Math.Max(1, (end - _t0) / 20); // room for the timed-out bars to run on
            double plotWidth = Math.Clamp(_drawn.Length * 36.0, 640, 2400);
            _scale = plotWidth / Math.Max(1, _t1 - _t0);
            _plotX = Margin + LaneLabelWidth;
            _width = _plotX + plotWidth + Margin + 40;

            // wide enough for the header lines too (the title at 15 px bold, the scope line at 11 px)
            _width = Math.Max(_width, Margin * 2 + Math.Max(("Linearizability check: " + r.Headline()).Length * 8.6, Scope().Length * 6.1));

            // lanes: clients ascending; within a client, rows packed so its bars do not overlap
            foreach (IGrouping<int, int> client in _drawn.GroupBy(i => h[i].Client).OrderBy(g => g.Key))
            {
                var rowEnds = new List<long>();
                foreach (int i in client) // already by invocation
                {
                    int row = rowEnds.FindIndex(e => e < h[i].Invoke);
                    if (row < 0) { row = rowEnds.Count; rowEnds.Add(0); }
                    rowEnds[row] = h[i].Response ?? long.MaxValue;
                    _place[i] = (_rows + row, client.Key);
                }
                _lanes.Add((client.Key, _rows, rowEnds.Count));
                _rows += rowEnds.Count;
            }
        }

        private double X(long t) => _plotX + (Math.Min(t, _t1) - _t0) * _scale;
        private static double RowY(int row) => HeaderHeight + row * RowHeight;

        public string Render()
        {
            double legendTop = RowY(_rows) + 30;
            double height = legendTop + 60 + Margin;
            string title = "Linearizability check: " + _r.Headline();
            _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"raftverify-history\"")
               .Append(" width=\"").Append(F(_width)).Append("\" height=\"").Append(F(height))
               .Append("\" viewBox=\"0 0 ").Append(F(_width)).Append(' ').Append(F(height))
               .Append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n");
            _sb.Append("<title>").Append(Markup.Escape(title)).Append("</title>\n");
            _sb.Append("<desc>").Append(Markup.Escape("Client operations as bars on a time line, drawn by RaftVerify's linearizability checker. " + _r.Headline())).Append("</desc>\n");
            Rect(0, 0, _width, height, "#ffffff", null, null);
            Text(Margin, 26, title, 15, "bold", _r.Verdict == Verdict.Linearizable ? PutColor : ConflictColor);
            Text(Margin, 46, Scope(), 11, null, "#333333");
            Text(Margin, 64, $"time {HistoryText.I(_t0)} .. {HistoryText.I(_t1)} (virtual ms), left to right", 11, null, "#555555");
            Lanes();
            CutLine();
            foreach (int i in _drawn) Bar(i);
            Points();
            Legend(legendTop);
            _sb.Append("</svg>\n");
            return _sb.ToString();
        }

        private string Scope()
        {
            string shown = _drawn.Length == _total ? $"all {HistoryText.I(_total)} operations" : $"{HistoryText.I(_drawn.Length)} of {HistoryText.I(_total)} operations (those around the conflict)";
            if (_r.Failure is { } f)
                return $"key {HistoryText.Key(f.Key)}: {shown}; red: the {HistoryText.I(f.SubHistory.Count)} operations of the minimised sub-history; numbered dots: a linearization of the longest linearizable prefix ({HistoryText.I(f.Prefix.Length)} operations)";
            return $"{shown}; numbered dots: a linearization order of each key";
        }

        private void Lanes()
        {
            for (int l = 0; l < _lanes.Count; l++)
            {
                (int client, int first, int rows) = _lanes[l];
                double y = RowY(first);
                _sb.Append("<g class=\"lane\" data-client=\"").Append(HistoryText.I(client)).Append("\">");
                Rect(Margin, y, _width - 2 * Margin, rows * RowHeight, l % 2 == 0 ? "#f4f6f9" : "#ffffff", null, null);
                Text(Margin + 4, y + RowHeight / 2 + 8, "client " + HistoryText.I(client), 11, "bold", "#333333");
                _sb.Append("</g>\n");
            }
        }

        private void CutLine()
        {
            if (_r.Failure?.Prefix.CutTime is not { } cut || cut < _t0 || cut > _t1) return;
            double x = X(cut);
            _sb.Append("<g class=\"cut\"><title>").Append(Markup.Escape($"the longest linearizable prefix ends here, at time {HistoryText.I(cut)}: operations invoked from here on are outside it, and those still running count as timed out")).Append("</title>");
            _sb.Append("<line x1=\"").Append(F(x)).Append("\" y1=\"").Append(F(HeaderHeight - 6)).Append("\" x2=\"").Append(F(x)).Append("\" y2=\"").Append(F(RowY(_rows) + 6))
               .Append("\" stroke=\"").Append(ConflictColor).Append("\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>");
            Text(x + 3, HeaderHeight - 8, "prefix ends", 10, null, ConflictColor);
            _sb.Append("</g>\n");
        }

        private void Bar(int i)
        {
            Operation op = _h[i];
            (int row, _) = _place[i];
            double y = RowY(row) + RowHeight - BarHeight - 4;
            double x1 = X(op.Invoke), x2 = op.Response is { } r ? X(r) : X(_t1);
            double w = Math.Max(3, x2 - x1);
            bool conflict = _conflict.Contains(i);
            string color = op.Kind switch { OpKind.Get => GetColor, OpKind.Put => PutColor, _ => AppendColor };
            _sb.Append("<g class=\"op").Append(conflict ? " conflict" : "").Append(op.Status == OpStatus.Ambiguous ? " timed-out" : "")
               .Append("\" data-op=\"").Append(HistoryText.I(i)).Append("\"><title>").Append(Markup.Escape($"#{HistoryText.I(i)} {op.Text}")).Append("</title>");
            _sb.Append("<rect x=\"").Append(F(x1)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(w)).Append("\" height=\"").Append(F(BarHeight))
               .Append("\" rx=\"2\" fill=\"").Append(color).Append("\" fill-opacity=\"").Append(op.Status == OpStatus.Ambiguous ? "0.25" : "0.55").Append('"');
            if (conflict) _sb.Append(" stroke=\"").Append(ConflictColor).Append("\" stroke-width=\"2.5\"");
            else if (op.Status == OpStatus.Ambiguous) _sb.Append(" stroke=\"").Append(color).Append("\" stroke-width=\"1\" stroke-dasharray=\"4 3\"");
            _sb.Append("/>");
            string label = "#" + HistoryText.I(i) + " " + op.Request + (op.Status == OpStatus.Ambiguous ? " (timed out)" : "");
            // the label may run on past its bar, up to the next bar of its row (or the plot's end)
            double room = _plotX + (_t1 - _t0) * _scale + 40 - x1;
            foreach (int j in _drawn)
                if (j != i && _place[j].Row == row && _h[j].Invoke > op.Invoke) room = Math.Min(room, X(_h[j].Invoke) - x1 - 6);
            int chars = Math.Max(14, (int)(Math.Max(w, room) / 5.6));
            Text(x1, y - 3, label.Length <= chars ? label : label[..Math.Max(0, chars - 3)] + "...", 10, conflict ? "bold" : null, conflict ? ConflictColor : "#222222");
            _sb.Append("</g>\n");
        }

        private void Points()
        {
            if (_r.Failure is { } f) Points(f.Prefix.Order);
            else
                foreach (KeyVerdict k in _r.Keys)
                    if (k.Verdict == Verdict.Linearizable) Points(k.Order);
        }

        private void Points(IReadOnlyList<int> order)
        {
            long[] at = HistorySvg.Points(_h, order);
            for (int n = 0; n < order.Count; n++)
            {
                int i = order[n];
                if (!_place.TryGetValue(i, out var place)) continue;
                double x = X(at[n]), y = RowY(place.Row) + RowHeight - BarHeight / 2 - 4;
                _sb.Append("<g class=\"lin-point\" data-op=\"").Append(HistoryText.I(i)).Append("\" data-order=\"").Append(HistoryText.I(n + 1)).Append("\"><title>")
                   .Append(Markup.Escape($"linearization point {HistoryText.I(n + 1)} of key {HistoryText.Key(_h[i].Key)}: #{HistoryText.I(i)} {_h[i].Request} takes effect at {HistoryText.I(at[n])}")).Append("</title>");
                _sb.Append("<circle cx=\"").Append(F(x)).Append("\" cy=\"").Append(F(y)).Append("\" r=\"3.5\" fill=\"").Append(PointColor).Append("\"/>");
                Text(x + 4, y + 13, HistoryText.I(n + 1), 9, null, PointColor);
                _sb.Append("</g>\n");
            }
        }

        private void Legend(double top)
        {
            _sb.Append("<g class=\"legend\">");
            double x = Margin;
            foreach ((string name, string color) in new[] { ("Get", GetColor), ("Put", PutColor), ("Append", AppendColor) })
            {
                Rect(x, top, 22, BarHeight, color, null, null, 0.55);
                Text(x + 28, top + 10, name, 11, null, "#222222");
                x += 90;
            }
            Rect(x, top, 22, BarHeight, "#888888", "#888888", "4 3", 0.25);
            Text(x + 28, top + 10, "timed out: may take effect any time after its invocation, or never", 11, null, "#222222");
            Rect(Margin, top + 24, 22, BarHeight, "#ffffff", ConflictColor, null);
            Text(Margin + 28, top + 34, "in the minimised non-linearizable sub-history", 11, null, "#222222");
            _sb.Append("<circle cx=\"").Append(F(Margin + 330)).Append("\" cy=\"").Append(F(top + 30)).Append("\" r=\"3.5\" fill=\"").Append(PointColor).Append("\"/>");
            Text(Margin + 340, top + 34, "linearization point, numbered in order", 11, null, "#222222");
            _sb.Append("</g>\n");
        }

        private void Rect(double x, double y, double w, double h, string fill, string? stroke, string? dash, double opacity = 1)
        {
            _sb.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(w)).Append("\" height=\"").Append(F(h))
               .Append("\" fill=\"").Append(fill).Append('"');
            if (opacity < 1) _sb.Append(" fill-opacity=\"").Append(F(opacity)).Append('"');
            if (stroke is not null) _sb.Append(" stroke=\"").Append(stroke).Append("\" stroke-width=\"2\"");
            if (dash is not null) _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
            _sb.Append("/>");
        }

        private void Text(double x, double y, string text, int size, string? weight, string fill)
        {
            _sb.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" font-size=\"").Append(HistoryText.I(size)).Append('"');
            if (weight is not null) _sb.Append(" font-weight=\"").Append(weight).Append('"');
            _sb.Append(" fill=\"").Append(fill).Append("\">").Append(Markup.Escape(text)).Append("</text>");
        }

        private static string F(double v) => Markup.F(v);
    }
}
