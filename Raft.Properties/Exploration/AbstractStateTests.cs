using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Exploration;
using Raft.Model.Simulation;
using Raft.Model.Storage;
using Raft.Properties.Hardening;

namespace Raft.Properties.Exploration;

/// <summary>Abstract-state coverage (docs/exploration.md, "Coverage"): what the abstraction keeps and forgets, and that its counts do not depend on the workers.</summary>
public sealed class AbstractStateTests
{
    /// <summary>A disk holding <paramref name="terms"/> (one entry per term listed) at current term <paramref name="term"/>.</summary>
    private static void Fill(Disk d, long term, params long[] terms)
    {
        Entry[] entries = terms.Select((t, k) => new Entry(t, [(byte)k])).ToArray();
        d.Persist(new Ready { HardStateChanged = true, Term = term, VotedFor = RaftNode.None, PersistFrom = entries.Length > 0 ? 1 : 0, EntriesToPersist = entries });
    }

    private static Disk DiskOf(params long[] terms)
    {
        var d = new Disk();
        Fill(d, terms.Length == 0 ? 1 : terms[^1], terms);
        return d;
    }

    /// <summary>A lab-mode world whose nodes start from disks holding these logs (node i: logs[i]) and current terms.</summary>
    private static World WorldOf(long[] currentTerms, long[][] logs)
    {
        var w = new World(new WorldOptions { Nodes = logs.Length, Seed = 3, CheckInvariants = false });
        for (int i = 0; i < logs.Length; i++)
        {
            Fill(w.Cluster.Disks[i], currentTerms[i], logs[i]);
            w.Cluster.Start(i);
        }
        return w;
    }

    private static long[] Add(long[] terms, long offset) => terms.Select(t => t + offset).ToArray();

    private static readonly long[] Terms = [4, 3, 4];
    private static readonly long[][] Logs = [[1, 1, 2, 4], [1, 1, 2, 2, 3], [1, 1]];

    [Fact]
    public void ConcreteTermsAndIndexesDoNotAppear_ATermOffsetGivesTheSameCode()
    {
        ulong code = AbstractState.Of(WorldOf(Terms, Logs));
        Assert.Equal(code, AbstractState.Of(WorldOf(Add(Terms, 10), Logs.Select(l => Add(l, 10)).ToArray())));
        Assert.Equal(code, AbstractState.Of(WorldOf(Add(Terms, 1_000_000), Logs.Select(l => Add(l, 1_000_000)).ToArray())));
        // a different situation (node 2 now holds node 0's log) is a different code
        Assert.NotEqual(code, AbstractState.Of(WorldOf(Terms, [Logs[0], Logs[1], Logs[0]])));
    }

    [Fact]
    public void RenamingNodesGivesTheSameCode()
    {
        ulong code = AbstractState.Of(WorldOf(Terms, Logs));
        int[][] perms = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (int[] p in perms)
            Assert.Equal(code, AbstractState.Of(WorldOf(p.Select(k => Terms[k]).ToArray(), p.Select(k => Logs[k]).ToArray())));
    }

    [Fact]
    public void CodesAreTheSameAcrossRuns_AFixedHash()
    {
        // computed twice from scratch: no object hash codes, no randomised string hashing
        Assert.Equal(AbstractState.Of(WorldOf(Terms, Logs)), AbstractState.Of(WorldOf(Terms, Logs)));
        Assert.Equal(AbstractState.Transition(1, 2), AbstractState.Transition(1, 2));
        Assert.NotEqual(AbstractState.Transition(1, 2), AbstractState.Transition(2, 1));
    }

    [Fact]
    public void LogsAreEqualBehindAheadOrDivergent_WithTheTermsOfTheSuffix()
    {
        Disk leader = DiskOf(1, 1, 2, 4, 4);
        Assert.Equal(AbstractState.LogEqual, AbstractState.CompareLogs(DiskOf(1, 1, 2, 4, 4), leader));
        Assert.Equal(AbstractState.LogBehind, AbstractState.CompareLogs(DiskOf(1, 1, 2), leader));
        Assert.Equal(AbstractState.LogBehind, AbstractState.CompareLogs(DiskOf(), leader));
        Assert.Equal(AbstractState.LogAhead, AbstractState.CompareLogs(DiskOf(1, 1, 2, 4, 4, 4), leader));
        Assert.Equal(AbstractState.LogAhead + 1, AbstractState.CompareLogs(DiskOf(1, 1, 2, 4, 4, 4, 5), leader));
        // Figure 7-like followers: uncommitted suffixes from one, two, three or more older terms
        Assert.Equal(AbstractState.LogDivergent, AbstractState.CompareLogs(DiskOf(1, 1, 2, 3, 3), leader));
        Assert.Equal(AbstractState.LogDivergent + 1, AbstractState.CompareLogs(DiskOf(1, 1, 2, 2, 3, 3), leader));
        Assert.Equal(AbstractState.LogDivergent + 2, AbstractState.CompareLogs(DiskOf(1, 1, 2, 3, 4), DiskOf(1, 1, 5)));
        Assert.Equal(AbstractState.LogDivergent + 2, AbstractState.CompareLogs(DiskOf(1, 1, 1, 2, 2, 3, 3), DiskOf(1, 1, 4)));
        Assert.Equal(AbstractState.LogAhead + 1, AbstractState.CompareLogs(DiskOf(1, 1, 1, 2, 2, 3, 3), DiskOf(1, 1, 1, 2)));
        Assert.Equal(AbstractState.LogDivergent + 2, AbstractState.CompareLogs(DiskOf(1, 2, 3, 5, 6, 7), DiskOf(1, 4)));
        // the leader's own view of a follower is the mirror image
        Assert.Equal(AbstractState.LogAhead, AbstractState.CompareLogs(leader, DiskOf(1, 1, 2)));
    }

    [Fact]
    public void WorkerCountDoesNotChangeTheAbstractCoverage()
    {
        var s = new ExploreSettings { Iterations = 120, StopAtFirst = false, Seed = 7 };
        ExploreReport one = Explorer.Run(s with { Workers = 1 }), two = Explorer.Run(s with { Workers = 2 });
        AbstractCoverage a = one.Coverage.Abstract, b = two.Coverage.Abstract;
        Assert.Equal(120, a.Schedules);
        Assert.True(a.States > 100, $"only {a.States} abstract states");
        Assert.True(a.Transitions > 100, $"only {a.Transitions} abstract transitions");
        Assert.Equal((a.States, a.Transitions), (b.States, b.Transitions));
        Assert.Equal(a.CurveWithTotals(), b.CurveWithTotals());
        // the curve grows, never shrinks, and ends at the totals
        List<CoveragePoint> curve = a.CurveWithTotals();
        Assert.True(curve.Count >= AbstractCoverage.CurvePoints, $"{curve.Count} points");
        for (int k = 1; k < curve.Count; k++) Assert.True(curve[k].States >= curve[k - 1].States && curve[k].Schedules > curve[k - 1].Schedules);
        Assert.Equal(new CoveragePoint(120, a.States, a.Transitions), curve[^1]);
    }
}

/// <summary>explore --coverage: the HTML report, and a bad path.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CoverageReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("raftverify-coverage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheReportIsWritten_WithTheCountsAndAPlot()
    {
        string path = Path.Combine(_dir, "coverage.html");
        Cli.Result r = Cli.Run("explore", "--iterations", "40", "--workers", "1", "--out", _dir, "--coverage", path);
        Assert.Equal(0, r.Code);
        Assert.Contains("abstract states", r.Out, StringComparison.Ordinal);
        Assert.Contains("abstract transitions", r.Out, StringComparison.Ordinal);
        string html = File.ReadAllText(path);
        AbstractCoverage expected = Explorer.Run(new ExploreSettings { Iterations = 40, Workers = 1 }).Coverage.Abstract;
        Assert.Contains($"<td id=\"abstract-states\">{expected.States}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td id=\"abstract-transitions\">{expected.Transitions}</td>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
    }

    [Fact]
    public void AGuidedRunsReport_ShowsItsCorpusAndFeatures_AndTheSummaryToo()
    {
        string path = Path.Combine(_dir, "guided.html");
        Cli.Result r = Cli.Run("explore", "--strategy", "guided", "--iterations", "100", "--workers", "1", "--out", _dir, "--coverage", path);
        Assert.Equal(0, r.Code);
        Raft.Model.Exploration.Guided.GuidanceSummary g = Explorer.Run(new ExploreSettings { Strategy = "guided", Iterations = 100, Workers = 1 }).Guidance!;
        Assert.Contains("guided: corpus", r.Out, StringComparison.Ordinal);
        string html = File.ReadAllText(path);
        Assert.Contains($"<td id=\"guided-corpus\">{g.CorpusSize}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td id=\"guided-features\">{g.Features}</td>", html, StringComparison.Ordinal);
        Assert.Contains("fresh ", html, StringComparison.Ordinal);
        // another strategy's report has no such rows
        Cli.Run("explore", "--iterations", "5", "--workers", "1", "--out", _dir, "--coverage", path);
        Assert.DoesNotContain("guided-corpus", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void ABadPathExitsTwo_WithOneLine()
    {
        foreach (string bad in new[] { Path.Combine(_dir, "no-such-dir", "c.html"), _dir })
        {
            Cli.Result r = Cli.Run("explore", "--iterations", "5", "--workers", "1", "--out", _dir, "--coverage", bad);
            Assert.Equal(2, r.Code);
            Assert.Single(r.ErrLines);
            Assert.Contains("coverage", r.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("exploring:", r.Out, StringComparison.Ordinal); // it fails before the run
        }
    }
}
