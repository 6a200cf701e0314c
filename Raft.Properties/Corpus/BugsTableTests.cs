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

    /// <summary>scripts/corpus-docs.py's ratio(): shrunk ÷ minimum to two decimals in integer arithmetic (half up); "≤N" and "≥N" give bounds.</summary>
    private static string Ratio(string shrunk, string minimum)
    {
        string bound = minimum.StartsWith('≤') ? "≥" : minimum.StartsWith('≥') ? "≤" : "";
        string m = minimum.TrimStart('≤', '≥');
        static bool Digits(string x) => x.Length > 0 && x.All(char.IsAsciiDigit);
        if (!Digits(shrunk) || !Digits(m)) return "—";
        long s = long.Parse(shrunk, System.Globalization.CultureInfo.InvariantCulture), n = long.Parse(m, System.Globalization.CultureInfo.InvariantCulture);
        if (n == 0) return s == 0 ? "1.00×" : "— (minimum 0)";
        long h = (200 * s + n) / (2 * n);
        return bound + $"{h / 100}.{h % 100:00}×";
    }

    [Fact]
    public void TheTableInBugsMd_IsTheOneCorpusTsvGives()
    {
        string root = RepoRoot();
        string[] tsv = File.ReadAllLines(Path.Combine(root, "traces", "corpus.tsv")).Where(l => l.Length > 0).ToArray();
        string[] head = tsv[0].Split('\t');
        var want = new List<string>
        {
            "| bug | breaks | random | pct | delay-bounded | shrunk from (strategy) | steps before → after | shrink time | shrunk vs exhaustive minimum | shrunk ÷ minimum | search time |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        };
        foreach (string line in tsv.Skip(1))
        {
            string[] f = line.Split('\t');
            string Col(string name) => Array.IndexOf(head, name) is var i and >= 0 && i < f.Length ? f[i] : "";
            static string Nodes(string n) => $" ({n} node{(n == "1" ? "" : "s")})";
            string shrunk = Col("shrunk_steps") + (Col("shrunk_nodes").Length > 0 ? Nodes(Col("shrunk_nodes")) : "");
            string minimum = Col("minimum_steps").Length > 0 ? Col("minimum_steps") : "n/a";
            if (Col("minimum_nodes") is { Length: > 0 } mn && mn != "n/a") minimum += Nodes(mn);
            string search = Col("minimum_seconds").Length > 0 ? Col("minimum_seconds") + " s" : "—";
            want.Add($"| {Col("bug")} | {Col("invariant")} | {Col("random")} | {Col("pct")} | {Col("delay-bounded")} | {Col("chosen")} | {Col("original_steps")} → {Col("shrunk_steps")} | {Col("shrink_seconds")} s"
                + $" | {shrunk} vs {minimum} | {Ratio(Col("shrunk_steps"), Col("minimum_steps").Length > 0 ? Col("minimum_steps") : "n/a")} | {search} |");
        }
        string text = File.ReadAllText(Path.Combine(root, "docs", "bugs.md"));
        int start = text.IndexOf("<!-- table -->", StringComparison.Ordinal) + "<!-- table -->".Length;
        int end = text.IndexOf("<!-- /table -->", StringComparison.Ordinal);
        string[] have = text[start..end].Trim('\n').Split('\n');
        Assert.True(want.SequenceEqual(have), "docs/bugs.md's table is stale relative to traces/corpus.tsv: run python3 scripts/corpus-docs.py (or scripts/corpus-docs.py --check in CI)");
    }
}
