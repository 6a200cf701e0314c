using Raft.Model.Exploration;
using Raft.Model.Shrinking;
using Raft.Model.Traces;

namespace Raft.Properties.Corpus;

/// <summary>raftverify shrink: smaller, same invariant, and a valid trace that replay reproduces.</summary>
public sealed class ShrinkerTests
{
    /// <summary>
    /// The first violation of a core bug in schedules without clients: with clients the log holds their
    /// requests too, and when those entries are part of the cause ddmin keeps the requests, so a 1-minimal
    /// trace can be longer than this test's bound (commit-previous-term found by delay-bounded in a client
    /// schedule shrinks to 92 fault steps); the corpus keeps the smallest trace any strategy found.
    /// </summary>
    private static TraceFile Found(string bug, string strategy)
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Bug = bug, Strategy = strategy, Workers = 2, SwarmClients = false });
        return TraceFile.From(Assert.IsType<ScheduleResult>(r.FirstViolation));
    }

    [Theory]
    [InlineData("vote-without-log-check", "random")]
    [InlineData("commit-previous-term", "delay-bounded")]
    [InlineData("stale-reply-applied", "delay-bounded")]
    [InlineData("older-snapshot-installed", "pct")]
    [InlineData("older-snapshot-installed", "guided")]
    public void Shrink_KeepsTheInvariant_AndTheResultReplays(string bug, string strategy)
    {
        TraceFile original = Found(bug, strategy);
        ShrinkReport s = Shrinker.Shrink(original);
        Assert.True(s.ShrunkFaultSteps < s.OriginalFaultSteps, $"{s.OriginalFaultSteps} -> {s.ShrunkFaultSteps}");
        Assert.True(s.ShrunkFaultSteps <= 30, $"{bug}: {s.ShrunkFaultSteps} steps");
        Assert.Equal(original.Outcome.Violation!.Invariant, s.Shrunk.Outcome.Violation!.Invariant);
        // through the file format, exactly as a user would replay it
        TraceFile reread = TraceReader.Parse(System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(s.Shrunk)).Split('\n'));
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(reread).Status);
    }

    [Fact]
    public void Shrink_IsDeterministic()
    {
        TraceFile original = Found("vote-without-log-check", "random");
        Assert.Equal(TraceWriter.ToBytes(Shrinker.Shrink(original).Shrunk), TraceWriter.ToBytes(Shrinker.Shrink(original).Shrunk));
    }

    [Fact]
    public void Shrink_RefusesATraceWithoutAViolation()
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 1, Workers = 1 });
        Assert.Null(r.FirstViolation);
        var pass = ScheduleRunner.Run(r.Settings, 0, ScheduleRunner.ScheduleSeed(1, 0), new Raft.Model.Exploration.Strategies.RandomStrategy(), record: true);
        Assert.Throws<ArgumentException>(() => Shrinker.Shrink(TraceFile.From(pass)));
    }
}
