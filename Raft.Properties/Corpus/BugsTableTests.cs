namespace Raft.Properties.Corpus;

/// <summary>docs/bugs.md's schedules-to-bug table is generated from traces/corpus.tsv (scripts/corpus-docs.py); it must not go stale.</summary>
public sealed class BugsTableTests
{
    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RaftVerify.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (RaftVerify.sln) above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheTableInBugsMd_IsTheOneCorpusTsvGives()
    {
        string root = RepoRoot();
        string[] tsv = File.ReadAllLines(Path.Combine(root, "traces", "corpus.tsv")).Where(l => l.Length > 0).ToArray();
        string[] head = tsv[0].Split('\t');
        var want = new List<string>
        {
            "| bug | breaks | random | pct | delay-bounded | shrunk from (strategy) | steps before → after | of which fault phase, liveness phase | shrink time |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        foreach (string line in tsv.Skip(1))
        {
            string[] f = line.Split('\t');
            string Col(string name) => f[Array.IndexOf(head, name)];
            int total = int.Parse(Col("shrunk_steps"), System.Globalization.CultureInfo.InvariantCulture), fault = int.Parse(Col("shrunk_fault_steps"), System.Globalization.CultureInfo.InvariantCulture);
            want.Add($"| {Col("bug")} | {Col("invariant")} | {Col("random")} | {Col("pct")} | {Col("delay-bounded")} | {Col("chosen")} | {Col("original_steps")} → {Col("shrunk_steps")} | {fault} + {total - fault} | {Col("shrink_seconds")} s |");
        }
        string text = File.ReadAllText(Path.Combine(root, "docs", "bugs.md"));
        int start = text.IndexOf("<!-- table -->", StringComparison.Ordinal) + "<!-- table -->".Length;
        int end = text.IndexOf("<!-- /table -->", StringComparison.Ordinal);
        string[] have = text[start..end].Trim('\n').Split('\n');
        Assert.True(want.SequenceEqual(have), "docs/bugs.md's table is stale relative to traces/corpus.tsv: run python3 scripts/corpus-docs.py (or scripts/corpus-docs.py --check in CI)");
    }
}
