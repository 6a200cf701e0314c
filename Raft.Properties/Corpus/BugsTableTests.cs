using Raft.Model.Variants;
using Raft.Model.Traces;

namespace Raft.Properties.Corpus;

/// <summary>
/// traces/corpus.tsv, from which scripts/corpus-docs.py writes docs/bugs.md's table (CI runs it
/// with --check), says what the trace files hold: every catalog bug has a row, and its invariant,
/// step counts and node count are those of traces/BUG.trace.jsonl.
/// </summary>
public sealed class BugsTableTests
{
    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RaftVerify.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (RaftVerify.sln) above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void CorpusTsv_DescribesTheTraceFiles()
    {
        string root = RepoRoot();
        string[] tsv = File.ReadAllLines(Path.Combine(root, "traces", "corpus.tsv")).Where(l => l.Length > 0).ToArray();
        string[] head = tsv[0].Split('\t');
        var rows = tsv.Skip(1).Select(l => l.Split('\t')).ToDictionary(f => f[0], StringComparer.Ordinal);
        Assert.Equal(BugCatalog.All.Select(b => b.Name).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        foreach (BugVariant bug in BugCatalog.All)
        {
            string[] f = rows[bug.Name];
            string Col(string name) => f[Array.IndexOf(head, name)];
            TraceFile t = TraceReader.Read(Path.Combine(root, "traces", bug.Name + ".trace.jsonl"));
            Assert.Equal(t.Outcome.Violation!.Invariant.ToString(), Col("invariant"));
            Assert.Equal(t.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Col("shrunk_steps"));
            Assert.Equal(t.FaultSteps.ToString(System.Globalization.CultureInfo.InvariantCulture), Col("shrunk_fault_steps"));
            Assert.Equal(t.Swarm.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), Col("shrunk_nodes"));
        }
    }
}
