using System.Net;
using Raft.Model.Traces;

namespace Raft.Properties.Hardening;

/// <summary>
/// Every command the suite prints has one form, <c>dotnet raftverify ARGS</c> (ToolCommand), with
/// paths quoted for the shell; CI runs the printed lines through bash after installing the tool
/// from the local feed. These tests pin the form where it is made.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PrintedCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"raftverify printed {Guid.NewGuid():N}");

    public PrintedCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Theory]
    [InlineData("raftverify-out/core-random-seed1-iter7.trace.jsonl", "raftverify-out/core-random-seed1-iter7.trace.jsonl")]
    [InlineData("/tmp/a,b+c=d@e%f:g.jsonl", "/tmp/a,b+c=d@e%f:g.jsonl")]
    [InlineData("my traces/x.jsonl", "'my traces/x.jsonl'")]
    [InlineData("it's $HOME/x", "'it'\\''s $HOME/x'")]
    [InlineData("", "''")]
    public void Quote_LeavesPlainPathsAlone_AndSingleQuotesTheRest(string path, string quoted)
    {
        if (OperatingSystem.IsWindows()) return; // double quotes there; the POSIX form is what CI runs
        Assert.Equal(quoted, ToolCommand.Quote(path));
        Assert.Equal("dotnet raftverify replay " + quoted, ToolCommand.Replay(path));
    }

    [Fact]
    public void ExploreAndShrink_PrintReplayLines_ThatNameTheirTraces_QuotedWhenThePathHasASpace()
    {
        string outDir = Path.Combine(_dir, "out dir");
        Cli.Result r = Cli.Run("explore", "--bug", "vote-not-durable", "--strategy", "delay-bounded", "--out", outDir);
        Assert.Equal(1, r.Code);
        string trace = Assert.Single(Directory.GetFiles(outDir, "*.trace.jsonl"));
        Assert.Contains($"reproduce: dotnet raftverify replay '{trace}'\n", r.Out.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        string shrunk = Path.Combine(_dir, "shrunk it.trace.jsonl");
        Cli.Result s = Cli.Run("shrink", trace, "-o", shrunk);
        Assert.Equal(0, s.Code);
        Assert.Contains($"replay: dotnet raftverify replay '{shrunk}'", s.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHtmlFooter_NamesTheReplayCommandOfTheTraceShown()
    {
        string trace = Path.Combine(Cli.CorpusDir(), "vote-not-durable.trace.jsonl");
        string page = Path.Combine(_dir, "page.html");
        Cli.Result r = Cli.Run("show", trace, "--format", "html", "-o", page);
        Assert.Equal(0, r.Code);
        string html = WebUtility.HtmlDecode(File.ReadAllText(page));
        Assert.Contains($"Replay: {ToolCommand.Replay(trace)}.", html, StringComparison.Ordinal);
        Assert.Contains("Made by dotnet raftverify show --format html.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void BadUsage_NamesTheHelpCommandInTheSameForm()
    {
        Cli.Result r = Cli.Run("bogus");
        Assert.Equal(2, r.Code);
        Assert.Contains("(see dotnet raftverify --help)", Assert.Single(r.ErrLines), StringComparison.Ordinal);
    }
}
