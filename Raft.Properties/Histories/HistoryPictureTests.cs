using System.Xml.Linq;
using Raft.Model.Histories;
using static Raft.Model.Histories.Operation;

namespace Raft.Properties.Histories;

/// <summary>The history picture (SVG) and page (HTML): well-formed, marking what the report says, escaping values, deterministic.</summary>
public sealed class HistoryPictureTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static History Failing() => new([
        Put(1, "x", "a", 0, 10), Put(2, "x", "b", 0, 10), Get(3, "x", "b", 20, 30), Get(3, "x", "a", 40, 50),
        TimedOut(1, "x", OpKind.Append, "<&\"'>", 45), Put(2, "y", "1", 0, 5), Get(1, "y", "1", 60, 70)]);

    private static IEnumerable<XElement> Groups(XDocument doc, string cls) =>
        doc.Descendants(Svg + "g").Where(g => ((string?)g.Attribute("class") ?? "").Split(' ').Contains(cls));

    [Fact]
    public void AFailingHistory_DrawsTheKeysOperations_MarksTheConflict_AndNumbersThePrefixsPoints()
    {
        History h = Failing();
        CheckResult r = LinearizabilityChecker.Check(h);
        Assert.Equal(Verdict.NotLinearizable, r.Verdict);
        XDocument doc = XDocument.Parse(HistorySvg.Render(h, r));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        int[] keyOps = h.IndicesOf("x");
        Assert.Equal(keyOps.Order(), Groups(doc, "op").Select(g => (int)g.Attribute("data-op")!).Order());
        Assert.Equal(r.Failure!.SubHistory.Order(), Groups(doc, "conflict").Select(g => (int)g.Attribute("data-op")!).Order());
        var points = Groups(doc, "lin-point").ToList();
        Assert.Equal(r.Failure.Prefix.Order, points.OrderBy(p => (int)p.Attribute("data-order")!).Select(p => (int)p.Attribute("data-op")!));
        Assert.Single(Groups(doc, "cut"));
        Assert.Equal([1, 2, 3], Groups(doc, "lane").Select(l => (int)l.Attribute("data-client")!));
        Assert.Single(Groups(doc, "timed-out"));
        // the value with markup characters is escaped (it parsed) and reads back as written
        Assert.Contains(doc.Descendants(Svg + "title"), t => t.Value.Contains("Append(x, \"<&\\\"'>\")", StringComparison.Ordinal));
        Assert.NotEmpty(Groups(doc, "legend"));
    }

    [Fact]
    public void EachPointLiesInsideItsOperationsBar()
    {
        History h = SyntheticHistory.Generate(new SyntheticHistoryOptions { Operations = 120, Keys = 2, Clients = 4, AmbiguousPercent = 5, Seed = 11 });
        CheckResult r = LinearizabilityChecker.Check(h);
        Assert.Equal(Verdict.Linearizable, r.Verdict);
        foreach (KeyVerdict k in r.Keys)
        {
            long[] at = HistorySvg.Points(h, k.Order);
            for (int n = 0; n < at.Length; n++)
                Assert.InRange(at[n], h[k.Order[n]].Invoke, h[k.Order[n]].ResponseOrInfinity);
        }
        XDocument doc = XDocument.Parse(HistorySvg.Render(h, r));
        Assert.Equal(h.Count, Groups(doc, "op").Count());
        Assert.Equal(r.Keys.Sum(k => k.Order.Count), Groups(doc, "lin-point").Count());
        Assert.Empty(Groups(doc, "conflict"));
    }

    [Fact]
    public void ALongHistory_IsDrawnAroundTheConflict_AndSaysSo()
    {
        History good = SyntheticHistory.Generate(new SyntheticHistoryOptions { Operations = 800, Keys = 1, Clients = 6, Seed = 5 });
        int bad = Enumerable.Range(500, 200).First(i => good[i].Kind == OpKind.Get && good[i].Status == OpStatus.Completed);
        History h = new(good.Operations.Select((op, i) => i == bad ? op with { Output = "never written" } : op));
        CheckResult r = LinearizabilityChecker.Check(h);
        (int[] drawn, int total) = HistorySvg.Selection(h, r);
        Assert.Equal(h.Count, total);
        Assert.True(drawn.Length <= HistorySvg.MaxDrawn + r.Failure!.SubHistory.Count);
        Assert.Contains(bad, drawn);
        string svg = HistorySvg.Render(h, r);
        Assert.Contains($"{drawn.Length} of {total} operations (those around the conflict)", svg);
        XDocument.Parse(svg);
    }

    [Fact]
    public void ThePage_EmbedsThePicture_AndTheReport_AndIsTheSameEveryTime()
    {
        History h = Failing();
        CheckResult r = LinearizabilityChecker.Check(h);
        string page = HistoryHtmlPage.Render(h, r);
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains(HistorySvg.Render(h, r), page);
        Assert.Contains("NOT linearizable: key x", page);
        Assert.Contains("&lt;&amp;\\&quot;&#39;&gt;", page); // the odd value, escaped
        Assert.DoesNotContain("<&", page);
        Assert.Equal(page, HistoryHtmlPage.Render(h, LinearizabilityChecker.Check(new History(h.Operations))));
        // the page minus its doctype is well-formed XML (so no stray markup from a value)
        XDocument.Parse(page["<!DOCTYPE html>".Length..]);
    }

    [Fact]
    public void TheGenerator_IsNearTheBoundary()
    {
        int yes = 0, no = 0;
        for (int seed = 0; seed < 600; seed++)
        {
            if (BruteForce.IsLinearizable(HistoryGen.Build(seed, 8, 2).History)) yes++; else no++;
        }
        Assert.True(yes > 150 && no > 100, $"{yes} linearizable, {no} not: the properties would test one side only");
    }

    [Fact]
    public void TheRecorder_MakesOpenRequestsAmbiguous_AndRefusesMisuse()
    {
        var rec = new HistoryRecorder();
        int put = rec.Invoke(1, "x", OpKind.Put, "1", 0);
        int get = rec.Invoke(2, "x", OpKind.Get, "", 5);
        int app = rec.Invoke(3, "x", OpKind.Append, "2", 6);
        int lost = rec.Invoke(4, "x", OpKind.Put, "9", 7);
        rec.Respond(put, null, 10);
        rec.Respond(get, "1", 12);
        rec.TimeOut(lost);
        History h = rec.ToHistory();
        Assert.Equal("c1 Put(x, \"1\") [0..10]", h[put].Text);
        Assert.Equal("c2 Get(x) = \"1\" [5..12]", h[get].Text);
        Assert.Equal(OpStatus.Ambiguous, h[app].Status);
        Assert.Equal("c4 Put(x, \"9\") [7..inf) timed out", h[lost].Text);
        Assert.Throws<InvalidOperationException>(() => rec.Respond(put, null, 20));
        Assert.Throws<ArgumentException>(() => rec.Respond(app, null, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rec.TimeOut(99));
        Assert.Throws<ArgumentException>(() => new History([Put(1, "x", "1", 10, 5)]));
        Assert.Throws<ArgumentException>(() => new History([new Operation(1, "x", OpKind.Get, "v", "", 0, 1)]));
        Assert.Equal("c1 Put(\"a b\", \"line\\nnext\\\"\") [0..1]", Put(1, "a b", "line\nnext\"", 0, 1).Text);
    }
}
