using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Histories;
using Raft.Model.Invariants;
using Raft.Model.Shrinking;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using Raft.Model.Traces.Pictures;

namespace Raft.Properties.Clients;

/// <summary>
/// Reads outside the log in the one world: clients read by ReadIndex in a share of the client
/// schedules; the correct core's histories stay linearizable; the catalog's read variants are found
/// by the default explore as Linearizability, replayed, shrunk, and drawn with their client history.
/// </summary>
public sealed class ReadTests
{
    private static ScheduleResult? FirstViolation(ExploreSettings settings, int schedules)
    {
        ExploreReport r = Explorer.Run(settings with { Iterations = schedules, Workers = 2 });
        return r.FirstViolation;
    }

    [Theory]
    [InlineData("read-before-term-commit", 2_000)]
    [InlineData("read-without-leadership-check", 10_000)]
    [InlineData("lease-ignores-drift", 10_000)]
    public void AReadVariant_IsFoundByTheDefaultExplore_AsLinearizability_ReplayedShrunkAndDrawn(string bug, int within)
    {
        ScheduleResult? found = FirstViolation(new ExploreSettings { Bug = bug, Seed = 1 }, within);
        Assert.NotNull(found);
        Assert.Equal(Invariant.Linearizability, found!.Violation!.Invariant);
        TraceFile trace = TraceFile.From(found);
        Assert.Contains(trace.Steps, s => s.Outcome.Kind == OutcomeKind.ReadAccepted);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(trace).Status);

        ShrinkReport shrunk = Shrinker.Shrink(trace);
        Assert.Equal(Invariant.Linearizability, shrunk.Shrunk.Outcome.Violation!.Invariant);
        Assert.True(shrunk.ShrunkFaultSteps < shrunk.OriginalFaultSteps, $"{shrunk.OriginalFaultSteps} -> {shrunk.ShrunkFaultSteps}");
        TraceFile reread = TraceReader.Parse(System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(shrunk.Shrunk)).Split('\n'));
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(reread).Status);

        string page = HtmlPage.Render(shrunk.Shrunk);
        Assert.Contains("Client history", page);
        Assert.Contains("not linearizable", page);
        Assert.Contains(HistorySvgConflictColor, page);
    }

    private const string HistorySvgConflictColor = "#d62728";

    [Fact]
    public void TheCorrectCore_AnswersReadsByReadIndex_AndEveryHistoryIsLinearizable()
    {
        var settings = new ExploreSettings { Seed = 3 };
        long reads = 0;
        int readIndexSchedules = 0;
        for (int i = 0; i < 400; i++)
        {
            ScheduleResult r = ScheduleRunner.Run(settings, i, ScheduleRunner.ScheduleSeed(3, i), new RandomStrategy(), record: false);
            Assert.Null(r.Violation);
            if (r.Swarm.ClientReads == ClientReads.ReadIndex) readIndexSchedules++;
            reads += r.Coverage.ReadIndexReads;
        }
        Assert.True(readIndexSchedules > 20, $"{readIndexSchedules} schedules read by ReadIndex");
        Assert.True(reads > 20, $"{reads} reads answered by ReadIndex");
    }

    [Fact]
    public void TheHistoryATraceShows_IsTheOneTheWorldChecked()
    {
        var settings = new ExploreSettings { Seed = 1 };
        int compared = 0;
        for (int i = 0; i < 200 && compared < 5; i++)
        {
            SwarmParameters swarm = SwarmParameters.Draw(settings, ScheduleRunner.ScheduleSeed(1, i));
            if (swarm.Clients == 0) continue;
            World? world = null;
            ScheduleResult r = ScheduleRunner.Run(settings, i, ScheduleRunner.ScheduleSeed(1, i), new RandomStrategy(), record: true, onWorld: w => world = w);
            History? rebuilt = TraceHistory.Of(TraceFile.From(r));
            History? checkedByWorld = world!.LastLinearizability?.History;
            if (checkedByWorld is null || checkedByWorld.Count == 0) continue;
            Assert.NotNull(rebuilt);
            Assert.Equal(checkedByWorld.Operations, rebuilt!.Operations);
            compared++;
        }
        Assert.True(compared >= 3, $"{compared} client schedules compared");
    }
}
