using System.Text.RegularExpressions;
using Raft.Model.Traces;

namespace Raft.Properties.Hardening;

/// <summary>The lab command's lines as a user reads them: each run's seed, and Go's order of a failure's lines.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LabOutputTests() : Raft.Properties.TestSupport.WithTempDirectory("rv-labout-")
{
    [Fact]
    public void EveryRunLine_NamesItsSeed()
    {
        Cli.Result r = Cli.Run("lab", "2A", "--test", "TestInitialElection2A", "--seed", "7", "--seeds", "3");
        Assert.Equal(0, r.Code);
        string[] runs = r.Out.Split('\n').Where(l => l.StartsWith("=== RUN", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["=== RUN   TestInitialElection2A (seed 7)", "=== RUN   TestInitialElection2A (seed 8)", "=== RUN   TestInitialElection2A (seed 9)"], runs);
        // Go's shape: "=== RUN", three spaces, the test's name first
        Assert.All(runs, l => Assert.Matches(new Regex(@"^=== RUN   TestInitialElection2A\b"), l));
    }

    [Fact]
    public void AFailure_PrintsFailFirst_ThenTheIndentedMessage_ThenTheTraceAndReplayLines()
    {
        Cli.Result r = Cli.Run("lab", "2D", "--test", "TestSnapshotInit2D", "--variant", "forgets-snapshot-on-restart", "--trace", Dir);
        Assert.Equal(1, r.Code);
        string[] lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("=== RUN   TestSnapshotInit2D (seed 1)", lines[0]);
        Assert.Equal("Test (2D): snapshot initialization after crash ...", lines[1]);
        Assert.Matches(new Regex(@"^--- FAIL: TestSnapshotInit2D \(\d+\.\d\ds\)$"), lines[2]);
        Assert.StartsWith("    TestSnapshotInit2D failed with seed 1 at virtual ", lines[3]);
        Assert.Matches(new Regex(@"^      node 0: \w+ term \d+ commit \d+ applied \d+ last "), lines[4]);
        string path = Path.Combine(Dir, "TestSnapshotInit2D-seed1.trace.jsonl");
        Assert.Equal(
            [
                "      reproduce: dotnet raftverify lab 2D --test TestSnapshotInit2D --seed 1 --variant forgets-snapshot-on-restart",
                $"    trace: {path}",
                $"    replay: {ToolCommand.Replay(path)}",
                "FAIL",
            ],
            lines[7..11]);
        Assert.StartsWith("FAIL\traftverify/lab\t", lines[11]);
        Assert.Equal(12, lines.Length);
    }

    [Fact]
    public void Version_IsTheOneInDirectoryBuildProps_AndTheTracesToolField()
    {
        string root = Path.GetDirectoryName(Cli.CorpusDir())!;
        string props = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
        string version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.NotEqual("", version);
        Cli.Result r = Cli.Run("--version");
        Assert.Equal(0, r.Code);
        Assert.Equal(version, r.Out.Trim());
        Assert.Equal("raftverify " + version, TraceFile.ToolVersion);
        Assert.Equal(version, TraceFile.Version);
    }
}
