using System.Globalization;
using System.Net;
using System.Text;
using Raft.Model.Exploration;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// explore --coverage FILE.html: a small self-contained HTML page with the run's abstract-state
/// coverage (distinct states and transitions) and an inline SVG plot of how they grew with schedules.
/// </summary>
public static class CoverageReport
{
    /// <summary>Opens (creates) the report file before the run, so a bad path fails at once: a <see cref="UsageException"/>.</summary>
    public static FileStream Open(string path)
    {
        try
        {
            if (Directory.Exists(path)) throw new UsageException($"--coverage {path} is a directory; give a file name such as coverage.html");
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot write the coverage report to {path} ({e.Message})");
        }
    }

    public static void Write(Stream into, ExploreReport report, string command)
    {
        using var w = new StreamWriter(into, new UTF8Encoding(false));
        w.Write(Html(report, command));
    }

    public static string Html(ExploreReport report, string command)
    {
        AbstractCoverage a = report.Coverage.Abstract;
        string states = AbstractCoverage.Format(a.States, a.StatesCapped), transitions = AbstractCoverage.Format(a.Transitions, a.TransitionsCapped);
        var sb = new StringBuilder();
        string I(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>raftverify coverage</title>\n");
        sb.Append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}th{text-align:left}</style></head><body>\n");
        sb.Append("<h1>Abstract-state coverage</h1>\n<p><code>").Append(WebUtility.HtmlEncode(command)).Append("</code></p>\n<table>\n");
        sb.Append(I($"<tr><th>schedules</th><td id=\"schedules\">{report.Coverage.Schedules}</td></tr>\n"));
        sb.Append(I($"<tr><th>steps</th><td>{report.Coverage.Steps}</td></tr>\n"));
        sb.Append("<tr><th>abstract states</th><td id=\"abstract-states\">").Append(WebUtility.HtmlEncode(states)).Append("</td></tr>\n");
        sb.Append("<tr><th>abstract transitions</th><td id=\"abstract-transitions\">").Append(WebUtility.HtmlEncode(transitions)).Append("</td></tr>\n");
        sb.Append(I($"<tr><th>distinct (role, event) transitions</th><td>{report.Coverage.DistinctTransitions}</td></tr>\n"));
        if (report.Guidance is { } g)
        {
            sb.Append(I($"<tr><th>guided: corpus (schedules)</th><td id=\"guided-corpus\">{g.CorpusSize}</td></tr>\n"));
            sb.Append(I($"<tr><th>guided: features reached</th><td id=\"guided-features\">{g.Features}</td></tr>\n"));
            sb.Append("<tr><th>guided: new / made per mutation</th><td>").Append(WebUtility.HtmlEncode(g.DescribeOrigins())).Append("</td></tr>\n");
        }
        sb.Append(I($"<tr><th>violating schedules</th><td>{report.ViolatingSchedules}</td></tr>\n</table>\n"));
        sb.Append(I($"<p>Abstract states of the fault phase (docs/exploration.md, \"Coverage\"); counts are exact up to {AbstractCoverage.Cap} each, \"≥\" beyond.</p>\n"));
        sb.Append(Plot(a.CurveWithTotals()));
        sb.Append("<h2>Named situations</h2>\n<table>\n<tr><th>situation</th><th>schedules reaching it</th><th>what</th></tr>\n");
        for (int k = 0; k < Situations.Count; k++)
        {
            var s = (Situation)k;
            sb.Append(I($"<tr><th>{Situations.Name(s)}</th><td id=\"situation-{Situations.Name(s)}\">{report.Coverage.SituationSchedules[k]}</td><td style=\"text-align:left\">"))
              .Append(WebUtility.HtmlEncode(Situations.Describe(s))).Append("</td></tr>\n");
        }
        sb.Append("</table>\n<p>Definitions: docs/exploration.md, \"Named situations\".</p>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>An SVG line plot of distinct states (blue) and transitions (orange) against schedules, at most about 100 points.</summary>
    private static string Plot(List<CoveragePoint> points)
    {
        const int W = 640, H = 320, L = 80, R = 20, T = 20, B = 40;
        if (points.Count == 0) return "<p>no schedules</p>\n";
        // thin to about 100 points, keeping the last
        int every = Math.Max(1, (points.Count + 99) / 100);
        var shown = points.Where((_, k) => k % every == 0 || k == points.Count - 1).ToList();
        double maxX = Math.Max(1, shown[^1].Schedules), maxY = Math.Max(1, shown.Max(p => Math.Max(p.States, p.Transitions)));
        string X(double v) => (L + v / maxX * (W - L - R)).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double v) => (H - B - v / maxY * (H - T - B)).ToString("0.0", CultureInfo.InvariantCulture);
        string Line(Func<CoveragePoint, long> f) => string.Join(" ", shown.Select(p => X(p.Schedules) + "," + Y(f(p))));
        var sb = new StringBuilder();
        string I(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        sb.Append(I($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-size=\"12\">\n"));
        sb.Append(I($"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"black\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"black\"/>\n"));
        sb.Append(I($"<text x=\"{L}\" y=\"{H - B + 15}\">0</text><text x=\"{W - R}\" y=\"{H - B + 15}\" text-anchor=\"end\">{(long)maxX}</text><text x=\"{(L + W - R) / 2}\" y=\"{H - 5}\" text-anchor=\"middle\">schedules</text>\n"));
        sb.Append(I($"<text x=\"{L - 5}\" y=\"{T + 5}\" text-anchor=\"end\">{(long)maxY}</text><text x=\"{L - 5}\" y=\"{H - B}\" text-anchor=\"end\">0</text>\n"));
        sb.Append("<polyline fill=\"none\" stroke=\"steelblue\" stroke-width=\"2\" points=\"").Append(Line(p => p.States)).Append("\"><title>abstract states</title></polyline>\n");
        sb.Append("<polyline fill=\"none\" stroke=\"darkorange\" stroke-width=\"2\" points=\"").Append(Line(p => p.Transitions)).Append("\"><title>abstract transitions</title></polyline>\n");
        sb.Append(I($"<text x=\"{L + 10}\" y=\"{T + 15}\" fill=\"steelblue\">abstract states</text><text x=\"{L + 10}\" y=\"{T + 30}\" fill=\"darkorange\">abstract transitions</text>\n"));
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
