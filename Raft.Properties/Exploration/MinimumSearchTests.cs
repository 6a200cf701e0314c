using Raft.Model.Shrinking;
using System.Text;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Xunit.Abstractions;

namespace Raft.Properties.Exploration;

/// <summary>
/// raftverify minimum: the exhaustive breadth-first search finds a bug's shortest violating
/// schedule, the schedule replays to the same invariant, the correct core has none within a
/// small depth, and no minimum is longer than the corpus trace of its bug.
/// </summary>
public sealed class MinimumSearchTests(ITestOutputHelper output)
{
    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RaftVerify.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (RaftVerify.sln) above " + AppContext.BaseDirectory);
    }

    private static TraceFile Corpus(string bug) => TraceReader.Read(Path.Combine(RepoRoot(), "traces", bug + ".trace.jsonl"));

    /// <summary>Records the minimum, writes it as a trace file's text, reads it back and replays it.</summary>
    private static ReplayReport RoundTrip(MinimumResult r)
    {
        ScheduleResult run = MinimumSearch.Record(r);
        byte[] bytes = TraceWriter.ToBytes(TraceFile.From(run));
        TraceFile back = TraceReader.Parse(Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(r.Steps, back.FaultSteps);
        Assert.Equal(r.Nodes, back.Swarm.Nodes);
        return Replayer.Replay(back);
    }

    private static string Describe(MinimumResult r) =>
        $"{r.Settings.Bug}: {r.Summary}; {string.Join("; ", r.Sizes.Select(s => s.Describe()))}";

    [Fact]
    public void QuorumOffByOne_IsOneTimeoutOnTwoNodes_AndReplays()
    {
        MinimumResult r = MinimumSearch.Run(new MinimumSettings { Bug = "quorum-off-by-one", MaxDepth = 4 });
        output.WriteLine(Describe(r));
        Assert.Equal(MinimumStatus.Found, r.Status);
        // one node cannot break it (its own vote is a true majority); two nodes need one timeout: a "majority" of 2 is 1
        Assert.Equal(1, r.Steps);
        Assert.Equal(2, r.Nodes);
        Assert.True(r.Proven);
        Assert.True(r.Sizes[0].Exhausted || r.Sizes[0].DepthCompleted >= 1);
        ReplayReport replay = RoundTrip(r);
        Assert.Equal(ReplayStatus.Reproduced, replay.Status);
        Assert.Equal(Invariant.LeaderHasDurableVotes, replay.Run!.Violation!.Invariant);
    }

    [Fact]
    public void VotedForIgnored_NeedsSixStepsOnTwoNodes_TheSameInEveryRun_AndReplays()
    {
        var settings = new MinimumSettings { Bug = "voted-for-ignored", MaxDepth = 8 };
        MinimumResult r = MinimumSearch.Run(settings);
        output.WriteLine(Describe(r));
        Assert.Equal(MinimumStatus.Found, r.Status);
        // two timeouts, both RequestVotes delivered, both votes delivered: each node leads term 1
        Assert.Equal(6, r.Steps);
        Assert.Equal(2, r.Nodes);
        Assert.True(r.Proven);
        ReplayReport replay = RoundTrip(r);
        Assert.Equal(ReplayStatus.Reproduced, replay.Status);
        Assert.Equal(Invariant.ElectionSafety, replay.Run!.Violation!.Invariant);
        Assert.Equal(5, replay.Run.ViolationStep);

        MinimumResult again = MinimumSearch.Run(settings);
        Assert.Equal(r.Steps, again.Steps);
        Assert.Equal(r.Nodes, again.Nodes);
        Assert.Equal(r.States, again.States);
        Assert.Equal(r.Decisions.Select(d => string.Join(",", d)), again.Decisions.Select(d => string.Join(",", d)));
    }

    [Fact]
    public void TheCorrectCore_HasNoViolation_WithinASmallDepth()
    {
        var settings = new MinimumSettings { Bug = "none", MaxDepth = 5 };
        MinimumResult r = MinimumSearch.Run(settings);
        output.WriteLine(Describe(r));
        Assert.Equal(MinimumStatus.NotFound, r.Status);
        Assert.Equal(0, r.OtherViolations);
        foreach (MinimumSizeOutcome s in r.Sizes)
        {
            Assert.False(s.CutByStates);
            Assert.True(s.Exhausted || s.DepthCompleted == 5, s.Describe());
        }
        Assert.StartsWith("not found within depth 5", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStateBudget_StopsTheSearch_AndSaysSo()
    {
        MinimumResult r = MinimumSearch.Run(new MinimumSettings { Bug = "none", MaxDepth = 20, Sizes = [3], MaxStates = 500 });
        output.WriteLine(Describe(r));
        Assert.Equal(MinimumStatus.NotFound, r.Status);
        Assert.True(r.Sizes[0].CutByStates);
        Assert.Equal(500, r.Sizes[0].States);
        Assert.True(r.Sizes[0].DepthCompleted < 20);
    }

    [Fact]
    public void ALivenessBug_HasNoMinimumInSteps_InThePlainWorld()
    {
        MinimumResult r = MinimumSearch.Run(new MinimumSettings { Bug = "timer-reset-on-step-down" });
        Assert.Equal(MinimumStatus.NotApplicable, r.Status);
        Assert.Equal("n/a (liveness)", r.Summary);
    }

    [Fact]
    public void BadSettings_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => MinimumSearch.Run(new MinimumSettings { Bug = "no-such-bug" }));
        Assert.Throws<ArgumentException>(() => MinimumSearch.Run(new MinimumSettings { Bug = "none", MaxDepth = 0 }));
        Assert.Throws<ArgumentException>(() => MinimumSearch.Run(new MinimumSettings { Bug = "none", MaxStates = 0 }));
        Assert.Throws<ArgumentException>(() => MinimumSearch.Run(new MinimumSettings { Bug = "none", Sizes = [0] }));
    }

    /// <summary>
    /// A counterexample found and shrunk without a liveness phase is in the plain search's own unit
    /// (steps of a world that checks only its invariants), and the minimum is never longer than it.
    /// (The corpus traces cannot serve: their shrunk violations all come in the liveness phase.)
    /// </summary>
    [Theory]
    [InlineData("quorum-off-by-one")]
    [InlineData("stale-votes-counted")]
    public void APlainMinimum_IsNeverLongerThanAShrunkTraceOfThePlainWorld(string bug)
    {
        ExploreReport found = Explorer.Run(new ExploreSettings { Bug = bug, Liveness = false, Workers = 1 });
        TraceFile shrunk = Raft.Model.Shrinking.Shrinker.Shrink(TraceFile.From(Assert.IsType<ScheduleResult>(found.FirstViolation))).Shrunk;
        Assert.True(shrunk.Outcome.ViolationStep < shrunk.FaultSteps, "the violation comes within the steps");
        MinimumResult r = MinimumSearch.Run(new MinimumSettings { Bug = bug, MaxDepth = shrunk.FaultSteps + 2 });
        output.WriteLine($"{Describe(r)} (shrunk: {shrunk.FaultSteps} steps on {shrunk.Swarm.Nodes} nodes)");
        Assert.Equal(MinimumStatus.Found, r.Status);
        Assert.True(r.Steps <= shrunk.FaultSteps, $"{bug}: minimum {r.Steps} steps, shrunk trace {shrunk.FaultSteps}");
    }

    /// <summary>
    /// In the corpus trace's own world (its seed, options, budget and liveness phase: the unit the
    /// shrinker minimises), a minimum on 1-3 nodes is never longer than the trace; where the trace
    /// itself has at most 3 nodes, its schedule is one the search covers, so a minimum exists.
    /// </summary>
    [Theory]
    [InlineData("quorum-off-by-one")]
    [InlineData("stale-votes-counted")]
    [InlineData("vote-not-durable")]
    [InlineData("term-not-durable")]
    [InlineData("append-ack-before-durable")]
    [InlineData("voted-for-ignored")]
    [InlineData("stale-reply-applied")]
    public void AMinimumInTheTracesWorld_IsNeverLongerThanTheCorpusTrace(string bug)
    {
        TraceFile trace = Corpus(bug);
        var settings = new MinimumSettings { Bug = bug, Like = trace, MaxDepth = trace.FaultSteps + 2, MaxStates = 20_000 };
        MinimumResult r = MinimumSearch.Run(settings);
        output.WriteLine($"{Describe(r)} (corpus: {trace.FaultSteps} steps on {trace.Swarm.Nodes} nodes)");
        if (trace.Swarm.Nodes <= 3) Assert.Equal(MinimumStatus.Found, r.Status);
        if (r.Status == MinimumStatus.Found)
        {
            Assert.True(r.Steps <= trace.FaultSteps, $"{bug}: minimum {r.Steps} steps, corpus trace {trace.FaultSteps}");
            ReplayReport replay = RoundTrip(r);
            Assert.Equal(ReplayStatus.Reproduced, replay.Status);
            Assert.Equal(trace.Outcome.Violation!.Invariant, replay.Run!.Violation!.Invariant);
            // a witness of the bug, not of a harsh world: the correct core survives the same events (as CorpusTests demands of the corpus)
            var (onCorrect, _) = Raft.Model.Shrinking.Shrinker.RunEventsOn(TraceFile.From(MinimumSearch.Record(r)), "none");
            Assert.True(onCorrect.Violation is null, $"{bug}: the correct core fails the minimum too: {onCorrect.Violation}");
        }
    }
}

/// <summary>The search in a corpus trace's world, under the shrinker's own acceptance test.</summary>
public sealed class MinimumSameNodesTests(ITestOutputHelper output)
{
    [Fact]
    public void WithTheSameNodes_TheShrunkQuorumOffByOneTrace_IsAMinimum()
    {
        string path = Path.Combine(Hardening.Cli.CorpusDir(), "quorum-off-by-one.trace.jsonl");
        TraceFile trace = TraceReader.Read(path);
        // the same invariant only
        MinimumResult any = MinimumSearch.Run(new MinimumSettings { Bug = "quorum-off-by-one", Like = trace, MaxDepth = 3 });
        // as shrink judges it: the same invariant and the same nodes
        MinimumResult same = MinimumSearch.Run(new MinimumSettings { Bug = "quorum-off-by-one", Like = trace, MaxDepth = 3, SameNodes = true });
        output.WriteLine($"invariant only: {any.Summary}; same nodes: {same.Summary}; the trace: {trace.FaultSteps} fault steps on {trace.Swarm.Nodes} nodes");
        Assert.Equal(MinimumStatus.Found, same.Status);
        Assert.Equal(MinimumStatus.Found, any.Status);
        // the shrinker's result is a minimum in its own world, and dropping the same-nodes rule never needs more
        Assert.Equal(trace.FaultSteps, same.Steps);
        Assert.Equal(trace.Swarm.Nodes, same.Nodes);
        Assert.True(any.Steps <= same.Steps && any.Nodes <= same.Nodes);
        ScheduleResult run = MinimumSearch.Record(same);
        Assert.True(Raft.Model.Shrinking.Shrinker.SameViolation(trace.Outcome.Violation!, run.Violation));
    }
}

/// <summary>raftverify minimum on the command line: a found minimum is written as a trace replay reproduces; bad input is one line on stderr, exit 2.</summary>
[Collection(Hardening.ConsoleCollection.Name)]
public sealed class MinimumCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "raftverify-minimum-" + Guid.NewGuid().ToString("N"));

    public MinimumCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void FoundMinimum_IsPrinted_AndWrittenAsAReplayableTrace()
    {
        string path = Path.Combine(_dir, "min.trace.jsonl");
        Hardening.Cli.Result r = Hardening.Cli.Run("minimum", "--bug", "quorum-off-by-one", "--max-depth", "3", "-o", path);
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains("minimum: 1 steps, 2 nodes", r.Out, StringComparison.Ordinal);
        Assert.Contains("timeout 0", r.Out, StringComparison.Ordinal);
        Hardening.Cli.Result replay = Hardening.Cli.Run("replay", path);
        Assert.True(replay.Code == 1, replay.Out + replay.Err); // 1: the violation reproduced
        Assert.Contains("REPRODUCED at step 0: LeaderHasDurableVotes", replay.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void LivenessBug_IsNotApplicable()
    {
        Hardening.Cli.Result r = Hardening.Cli.Run("minimum", "--bug", "timer-reset-on-step-down", "-o", Path.Combine(_dir, "x.trace.jsonl"));
        Assert.Equal(0, r.Code);
        Assert.Contains("minimum: n/a (liveness)", r.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.trace.jsonl")));
    }

    [Theory]
    [InlineData("minimum")]
    [InlineData("minimum", "--bug", "no-such-bug")]
    [InlineData("minimum", "--bug", "none", "--max-depth", "0")]
    [InlineData("minimum", "--bug", "none", "--max-depth", "65")]
    [InlineData("minimum", "--bug", "none", "--max-states", "-1")]
    [InlineData("minimum", "--bug", "none", "--nodes", "100")]
    [InlineData("minimum", "--bug", "none", "--faults", "crashes=x")]
    [InlineData("minimum", "--bug", "none", "--like", "/no/such/trace.jsonl")]
    [InlineData("minimum", "--bug", "\u001b[2Jnope\nline")]
    public void BadInput_ExitsTwo_InOneLine(params string[] args)
    {
        Hardening.Cli.Result r = Hardening.Cli.Run(args);
        Assert.True(r.Code == 2, $"{string.Join(' ', args)}: exit {r.Code}, stderr: {r.Err}, stdout: {r.Out}");
        Assert.Single(r.ErrLines);
        Assert.DoesNotContain(r.Err.TrimEnd('\n', '\r'), c => char.IsControl(c));
    }

    [Fact]
    public void LikeATraceOfAnotherBug_IsRefused()
    {
        string trace = Path.Combine(Hardening.Cli.CorpusDir(), "quorum-off-by-one.trace.jsonl");
        Hardening.Cli.Result r = Hardening.Cli.Run("minimum", "--bug", "voted-for-ignored", "--like", trace);
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
    }
}
