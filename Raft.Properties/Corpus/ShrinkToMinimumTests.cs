using Raft.Model.Contract;
using System.Diagnostics;
using System.Text;
using Raft.Model.Simulation;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Xunit.Abstractions;

namespace Raft.Properties.Corpus;

/// <summary>
/// Shrinking to a minimum: any node the violation does not need goes (not only the highest) and
/// the rest are renumbered; long timers are shortened so a huge-timer trace shrinks quickly; a
/// second shrink of a shrunk trace gives the same bytes.
/// </summary>
public sealed class ShrinkToMinimumTests(ITestOutputHelper output)
{
    private static ScriptedEvent Timeout(int node) => new(new StepEvent(EventKind.Timeout, node, 0), []);

    private static ScriptedEvent Deliver(MessageKind type, int from, int to, long term) =>
        new(new StepEvent(EventKind.Deliver, to, 0, new MessageInfo(-1, type, from, to, term, 0)), []);

    /// <summary>Runs a script on <paramref name="nodes"/> nodes and records it as a trace.</summary>
    private static TraceFile Record(string bug, int nodes, List<ScriptedEvent> script)
    {
        var settings = new ExploreSettings
        {
            Bug = bug, Nodes = nodes, MaxSteps = script.Count, Workers = 1, Faults = new FaultBudget(0, 0, 0, 0), SwarmRaft = false,
        };
        ulong seed = ScheduleRunner.ScheduleSeed(1, 0);
        var strategy = new ScriptedStrategy(script);
        ScheduleResult run = ScheduleRunner.Run(settings, 0, seed, strategy, record: true, onWorld: w => strategy.World = w);
        return TraceFile.From(run);
    }

    private static TraceFile ThroughTheFile(TraceFile t) =>
        TraceReader.Parse(Encoding.UTF8.GetString(TraceWriter.ToBytes(t)).Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static bool Mentions(TraceStep s, int node) =>
        s.Event.Node == node || s.Event.Message is { } m && (m.From == node || m.To == node) || s.Control?.Node == node;

    [Fact]
    public void AMiddleNodeTheViolationDoesNotNeed_IsRemoved_AndTheRestRenumbered()
    {
        // stale-votes-counted on nodes 0 and 2: node 2 times out twice and counts node 0's vote of term 1 in term 2;
        // node 1 only times out once, and its requests are never delivered in the fault phase
        TraceFile three = Record("stale-votes-counted", 3,
        [
            Timeout(1), Timeout(2), Timeout(2), Deliver(MessageKind.RequestVote, 2, 0, 1),
        ]);
        Assert.Equal(3, three.Swarm.Nodes);
        Assert.NotNull(three.Outcome.Violation);
        Assert.Equal([2], three.Outcome.Violation!.Nodes);

        ShrinkReport s = Shrinker.Shrink(three);
        output.WriteLine($"{s.OriginalFaultSteps} fault steps on {s.OriginalNodes} nodes -> {s.ShrunkFaultSteps} on {s.ShrunkNodes}: {s.Shrunk.Outcome.Violation}");
        Assert.False(s.CutByBudget);
        Assert.Equal(2, s.ShrunkNodes);
        Assert.Equal(2, s.Shrunk.Swarm.Nodes);
        // node 2 is node 1 now, in the violation and in every step
        Assert.Equal(three.Outcome.Violation.Invariant, s.Shrunk.Outcome.Violation!.Invariant);
        Assert.Equal([1], s.Shrunk.Outcome.Violation.Nodes);
        Assert.DoesNotContain(s.Shrunk.Steps, step => Mentions(step, 2));
        Assert.Contains(s.Shrunk.Steps.Take(s.Shrunk.FaultSteps), step => step.Event.Kind == EventKind.Timeout && step.Event.Node == 1);
        Assert.Equal(3, s.ShrunkFaultSteps); // node 1's timeout is gone with node 1: timeout, timeout, deliver
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(ThroughTheFile(s.Shrunk)).Status);
    }

    [Fact]
    public void ABudgetThatRunsOut_StillGivesAValidTrace()
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Bug = "voted-for-ignored", Workers = 2, Iterations = 100 });
        TraceFile original = TraceFile.From(Assert.IsType<ScheduleResult>(r.FirstViolation));
        ShrinkReport s = Shrinker.Shrink(original, budget: TimeSpan.Zero);
        Assert.True(s.CutByBudget);
        Assert.Equal(original.Outcome.Violation!.Invariant, s.Shrunk.Outcome.Violation!.Invariant);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(ThroughTheFile(s.Shrunk)).Status);
    }

    [Fact]
    public void RenumberingRemapsPartitionsAndMessages()
    {
        var split = new ScriptedEvent(new StepEvent(EventKind.Partition, -1, 0), [1, 0, 1, 1, 0]);
        Assert.Equal([1, 0, 1, 0], split.Renumber(2)!.Data);
        var isolate = new ScriptedEvent(new StepEvent(EventKind.Partition, -1, 0), [0, 3]);
        Assert.Null(isolate.Renumber(3));
        Assert.Equal([0, 2], isolate.Renumber(1)!.Data);
        // cut 3 -> 1 is recorded as [2, 3, 1]; without node 2 it is 2 -> 1, recorded as [2, 2, 1]
        var cut = new ScriptedEvent(new StepEvent(EventKind.Partition, -1, 0), [2, 3, 1]);
        Assert.Equal([2, 2, 1], cut.Renumber(2)!.Data);
        Assert.Null(cut.Renumber(1));
        // cut 0 -> 3 is [2, 0, 2]; without node 1 it is 0 -> 2, recorded as [2, 0, 1]
        Assert.Equal([2, 0, 1], new ScriptedEvent(new StepEvent(EventKind.Partition, -1, 0), [2, 0, 2]).Renumber(1)!.Data);
        ScriptedEvent m = Deliver(MessageKind.AppendEntries, 3, 0, 2).Renumber(1)!;
        Assert.Equal((2, 0, 0), (m.Exact.Message!.Value.From, m.Exact.Message.Value.To, m.Node));
        Assert.Null(Deliver(MessageKind.AppendEntries, 3, 0, 2).Renumber(3));
        Assert.Null(Timeout(1).Renumber(1));
        Assert.Equal(1, Timeout(2).Renumber(0)!.Node);
    }

    /// <summary>The first violation a small exploration finds for each catalog bug, by a strategy that finds it quickly.</summary>
    public static TheoryData<string, string> CatalogBugs() => new()
    {
        { "vote-without-log-check", "random" },
        { "commit-previous-term", "delay-bounded" },
        { "vote-not-durable", "random" },
        { "truncate-without-conflict", "pct" },
        { "term-not-durable", "random" },
        { "voted-for-ignored", "random" },
        { "stale-reply-applied", "random" },
        { "older-snapshot-installed", "pct" },
        { "append-ack-before-durable", "random" },
        { "lower-term-append-accepted", "random" },
        { "quorum-off-by-one", "random" },
        { "stale-votes-counted", "pct" },
        { "forgets-snapshot-on-restart", "pct" },
        { "timer-reset-on-step-down", "delay-bounded" },
    };

    [Theory]
    [MemberData(nameof(CatalogBugs))]
    public void ShrinkingAShrunkTrace_GivesTheSameBytes(string bug, string strategy)
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Bug = bug, Strategy = strategy, Workers = 2, Iterations = 3000 });
        if (r.FirstViolation is not { } found)
        {
            output.WriteLine($"{bug}: no violation in 3000 schedules of {strategy}");
            return;
        }
        TraceFile original = TraceFile.From(found);
        ShrinkReport once;
        try { once = Shrinker.Shrink(original); }
        catch (InvalidOperationException e)
        {
            // a trace the shrinker cannot re-run from its events (reported, not a fixpoint question)
            output.WriteLine($"{bug}: cannot shrink: {e.Message}");
            return;
        }
        ShrinkReport twice = Shrinker.Shrink(ThroughTheFile(once.Shrunk));
        output.WriteLine($"{bug}: {once.OriginalFaultSteps} fault steps on {once.OriginalNodes} nodes -> {once.ShrunkFaultSteps} on {once.ShrunkNodes} ({once.Runs} runs, {once.Seconds:0.00} s); again: {twice.ShrunkFaultSteps} on {twice.ShrunkNodes} ({twice.Runs} runs)");
        Assert.False(once.CutByBudget);
        Assert.False(twice.CutByBudget);
        Assert.Equal(Encoding.UTF8.GetString(TraceWriter.ToBytes(once.Shrunk)), Encoding.UTF8.GetString(TraceWriter.ToBytes(twice.Shrunk)));
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(ThroughTheFile(twice.Shrunk)).Status);
    }

    [Theory]
    [InlineData("voted-for-ignored")]
    [InlineData("stale-votes-counted")]
    [InlineData("vote-not-durable")]
    [InlineData("quorum-off-by-one")]
    public void AHugeTimerTrace_ShrinksToTheLabTimers(string bug)
    {
        // electionTicks 100,000 (1,000 s of virtual time per timeout; within Limits): every candidate's liveness phase would run that long
        var settings = new ExploreSettings
        {
            Bug = bug, Strategy = "random", Workers = 2, Iterations = 2000, SwarmRaft = false,
            Raft = RaftOptions.Default with { ElectionTicks = 100_000, HeartbeatTicks = 10 },
        };
        var clock = Stopwatch.StartNew();
        ExploreReport r = Explorer.Run(settings);
        TraceFile original = TraceFile.From(Assert.IsType<ScheduleResult>(r.FirstViolation));
        Assert.Equal(100_000, (original.Swarm.Raft ?? original.Settings.Raft).ElectionTicks);
        output.WriteLine($"explored in {clock.Elapsed.TotalSeconds:0.00} s: {original.FaultSteps} fault steps, {original.Steps.Count} in all, on {original.Swarm.Nodes} nodes");

        output.WriteLine($"{original.Outcome.Violation}");
        ShrinkReport s = Shrinker.Shrink(original);
        output.WriteLine($"{s.Shrunk.Outcome.Violation}");
        output.WriteLine($"shrunk in {s.Seconds:0.00} s ({s.Runs} runs): {s.OriginalFaultSteps} -> {s.ShrunkFaultSteps} fault steps, {s.OriginalSteps} -> {s.ShrunkSteps} in all, {s.OriginalNodes} -> {s.ShrunkNodes} nodes");
        Assert.False(s.CutByBudget);
        RaftOptions timers = s.Shrunk.Swarm.Raft ?? s.Shrunk.Settings.Raft;
        Assert.Equal(RaftOptions.Default.ElectionTicks, timers.ElectionTicks);
        Assert.Equal(original.Outcome.Violation!.Invariant, s.Shrunk.Outcome.Violation!.Invariant);
        Assert.True(s.ShrunkFaultSteps <= 12, $"{s.ShrunkFaultSteps} fault steps");
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(ThroughTheFile(s.Shrunk)).Status);
    }
}
