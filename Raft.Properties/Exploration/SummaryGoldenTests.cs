using System.Text.RegularExpressions;
using Raft.Model.Exploration;
using Raft.Properties.Hardening;
using RaftVerify.Cli.Commands;

namespace Raft.Properties.Exploration;

/// <summary>
/// The explore summary as a user reads it: a golden file of a small fixed run (the banner, the
/// table, the invariants checked, where the rows are explained), with the wall-clock rows masked;
/// every row explained by the legend; the legend in docs/exploration.md as the CLI prints it.
/// Set RAFTVERIFY_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SummaryGoldenTests
{
    private static readonly string Root = Path.GetDirectoryName(Cli.CorpusDir())!;
    private static readonly string GoldenPath = Path.Combine(Root, "Raft.Properties", "Exploration", "Golden", "explore-summary.txt");
    private static readonly string[] TimingRows = ["wall time", "schedules/s", "steps/s"];

    /// <summary>The CLI's output with what depends on the machine masked: the progress lines dropped, the wall-clock rows' values replaced.</summary>
    private static string Masked(string output)
    {
        var lines = new List<string>();
        foreach (string line in output.Split('\n'))
        {
            if (Regex.IsMatch(line, @"^  \d+/\d+ schedules, ")) continue; // progress
            Match m = Regex.Match(line, @"^(│ (?<name>[^│]+?) +│)(?<value>[^│]*)│$");
            if (m.Success && TimingRows.Contains(m.Groups["name"].Value))
            {
                int width = m.Groups["value"].Length;
                lines.Add(m.Groups[1].Value + "(timing) ".PadLeft(width) + "│");
                continue;
            }
            lines.Add(line);
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public void TheSummaryOfASmallFixedRun_IsTheGoldenFile()
    {
        Cli.Result r = Cli.Run("explore", "--iterations", "30", "--workers", "1", "--seed", "1");
        Assert.Equal(0, r.Code);
        string actual = Masked(r.Out);
        if (Environment.GetEnvironmentVariable("RAFTVERIFY_UPDATE_GOLDEN") == "1") File.WriteAllText(GoldenPath, actual);
        Assert.Equal(File.ReadAllText(GoldenPath), actual);
        // docs/exploration.md shows this very run
        Assert.Contains("```\n" + actual.TrimEnd('\n') + "\n```", File.ReadAllText(Path.Combine(Root, "docs", "exploration.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheBanner_SaysWhatRuns_NotTheOptionsRawValues()
    {
        Assert.Contains(" proposals=1-12 ", ExploreCommand.Describe(new ExploreSettings()), StringComparison.Ordinal);
        Assert.StartsWith("nodes=3|5|7 ", ExploreCommand.Describe(new ExploreSettings()), StringComparison.Ordinal);
        Assert.Contains(" proposals=4 ", ExploreCommand.Describe(new ExploreSettings { Proposals = 4, SwarmProposals = false }), StringComparison.Ordinal);
        string noSwarm = ExploreCommand.Describe(new ExploreSettings { Swarm = false });
        Assert.StartsWith("nodes=3|5 ", noSwarm, StringComparison.Ordinal);
        Assert.Contains(" proposals=6 ", noSwarm, StringComparison.Ordinal);
        Assert.DoesNotContain(" swarm", noSwarm, StringComparison.Ordinal);
        string dfs = ExploreCommand.Describe(new ExploreSettings { Strategy = "dfs", Proposals = 1, SwarmProposals = false });
        Assert.StartsWith("nodes=3 mode=adversarial strategy=dfs(2) ", dfs, StringComparison.Ordinal);
        Assert.DoesNotContain("swarm", dfs, StringComparison.Ordinal);
        Assert.DoesNotContain("liveness", dfs, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRow_OfEveryKindOfRun_IsExplainedByTheLegend()
    {
        var labels = new HashSet<string>();
        foreach (ExploreSettings s in new[]
        {
            new ExploreSettings { Iterations = 40, Workers = 1 },
            new ExploreSettings { Iterations = 40, Workers = 1, Strategy = "guided" },
            new ExploreSettings { Iterations = 1000, Workers = 1, Strategy = "dfs", MaxSteps = 6, Proposals = 1, SwarmProposals = false, Faults = Raft.Model.Simulation.FaultBudget.Parse("none") },
        })
        {
            ExploreReport report = Explorer.Run(s);
            foreach (SummaryRow row in SummaryTable.Rows(report))
            {
                Assert.Contains(row.Measure, SummaryTable.Legend);
                labels.Add(row.Label);
            }
        }
        Assert.Contains("states visited (dfs)", labels);
        Assert.Contains("guided: corpus (schedules)", labels);
        Assert.Contains("distinct (role, event) transitions", labels);
        Assert.Contains("slowest one() after stabilisation", labels);
        // and every measure of the legend is printed by --legend with its meaning
        string legend = Cli.Run("explore", "--legend").Out;
        foreach (SummaryMeasure m in SummaryTable.Legend)
            Assert.Contains($"\n{m.Name}\n    {m.Meaning}\n", legend, StringComparison.Ordinal);
        foreach (var i in Raft.Model.Invariants.InvariantCatalog.All)
            Assert.Contains($"\n    {i.Meaning}\n", legend, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInvariantsLines_NameOnlyWhatRan()
    {
        ExploreReport noLiveness = Explorer.Run(new ExploreSettings { Iterations = 5, Workers = 1, Liveness = false, SwarmClients = false });
        string[] lines = SummaryTable.Checked(noLiveness).Select(l => l.ToString()).ToArray();
        Assert.Single(lines);
        Assert.StartsWith("invariants checked after every step: ElectionSafety, LeaderAppendOnly, LogMatching, ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Liveness", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Linearizability", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void DocsExploration_HoldsTheLegend_AsExploreLegendPrintsIt()
    {
        string docs = File.ReadAllText(Path.Combine(Root, "docs", "exploration.md"));
        Match m = Regex.Match(docs, "<!-- explore-legend -->\n```\n(?<body>.*?)```\n<!-- /explore-legend -->", RegexOptions.Singleline);
        Assert.True(m.Success, "docs/exploration.md has no <!-- explore-legend --> block");
        Assert.Equal(Cli.Run("explore", "--legend").Out, m.Groups["body"].Value);
    }
}
