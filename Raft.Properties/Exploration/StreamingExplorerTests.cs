using Raft.Model.Contract;
using Raft.Model.Variants;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// The explorer streams its schedules: its memory does not grow with --iterations, a cancellation
/// token stops it after the schedules being run and still reports what ran (the lowest-iteration
/// violation found so far, re-run with recording), and the reorder window that keeps the report
/// independent of the workers holds at any size. No test here sleeps or looks at the clock:
/// cancellations come from a node factory, at a point fixed by the count of nodes built.
/// </summary>
public sealed class StreamingExplorerTests(ITestOutputHelper output)
{
    /// <summary>The same C# wrapper around a catalog bug's factory, never cancelling (its traces record a C# factory, as the cancelled run's do).</summary>
    private static NodeFactory NeverCancelling(string bug) => CancellingAt(bug, new CancellationTokenSource(), int.MaxValue);

    /// <summary>A catalog bug's factory that cancels <paramref name="cts"/> when it builds its <paramref name="cancelAt"/>-th node (1-based).</summary>
    private static NodeFactory CancellingAt(string bug, CancellationTokenSource cts, int cancelAt)
    {
        NodeFactory inner = BugCatalog.FactoryFor(bug) ?? Raft.Model.Nodes.CoreNodes.Standard;
        int built = 0;
        return (id, n, seed, options, state) =>
        {
            if (Interlocked.Increment(ref built) == cancelAt) cts.Cancel();
            return inner(id, n, seed, options, state);
        };
    }

    /// <summary>The fingerprint without the fields a cut run must differ in (planned and cut).</summary>
    private static string Ran(ExploreReport r) =>
        Fingerprint(r).Replace($"planned={r.Planned} ", "").Replace($" cut={r.CutByTimeLimit}", "");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PreCancelled_IntMaxValueIterations_ReturnsAnEmptyInterruptedReport(int workers)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = int.MaxValue, Workers = workers, StopAtFirst = workers == 1 }, cancellation: cts.Token);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"allocated on the calling thread: {allocated} bytes");

        Assert.True(r.Interrupted);
        Assert.False(r.CutByTimeLimit);
        Assert.Equal(int.MaxValue, r.Planned);
        Assert.Equal(0, r.Coverage.Schedules);
        Assert.Null(r.FirstViolation);
        // a list of the iterations alone would be 8 GB: nothing here is per iteration
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void CancelledDuringTheFirstSchedule_OfIntMaxValueIterations_RunsThatScheduleOnly_WithoutPerIterationMemory()
    {
        using var cts = new CancellationTokenSource();
        var s = new ExploreSettings { Iterations = int.MaxValue, Workers = 1, StopAtFirst = false, Factory = CancellingAt("none", cts, 1) };
        long before = GC.GetAllocatedBytesForCurrentThread();
        ExploreReport r = Explorer.Run(s, cancellation: cts.Token);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"allocated on the calling thread: {allocated} bytes; {Fingerprint(r)}");

        Assert.True(r.Interrupted);
        Assert.Equal(1, r.Coverage.Schedules);
        Assert.Equal(Ran(Explorer.Run(s with { Iterations = 1, Factory = null })), Ran(r));
        Assert.True(allocated < 64 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(1_500)]
    [InlineData(3_000)]
    public void Cancelled_KeepGoing_ReportsExactlyWhatRan_AsARunOfThatLength(int cancelAtNode)
    {
        using var cts = new CancellationTokenSource();
        var s = new ExploreSettings { Bug = "vote-without-log-check", Iterations = int.MaxValue, Workers = 1, StopAtFirst = false, Seed = 3 };
        ExploreReport cut = Explorer.Run(s with { Factory = CancellingAt(s.Bug, cts, cancelAtNode) }, cancellation: cts.Token);
        output.WriteLine(Fingerprint(cut));
        Assert.True(cut.Interrupted);
        Assert.False(cut.CutByTimeLimit);
        long ran = cut.Coverage.Schedules;
        Assert.InRange(ran, 1, 10_000);
        // the schedule being built when the token was cancelled finished and counts; nothing after it ran
        ExploreReport whole = Explorer.Run(s with { Iterations = (int)ran, Factory = NeverCancelling(s.Bug) }); // the same C# factory, so the traces name the same nodes
        Assert.False(whole.Interrupted);
        Assert.Equal(Ran(whole), Ran(cut));
        Assert.Equal(whole.Violations.Select(v => v.Iteration), cut.Violations.Select(v => v.Iteration));

        // the violation found before the interrupt is the lowest-iteration one, re-run with recording as at a normal end
        Assert.NotNull(cut.FirstViolation);
        Assert.NotNull(cut.FirstViolation!.Trace);
        Assert.Equal(cut.Violations[0].Iteration, cut.FirstViolation.Iteration);
        Assert.Equal(TraceBytes(whole.FirstViolation!), TraceBytes(cut.FirstViolation));
    }

    [Fact]
    public void Cancelled_WithSeveralWorkers_ReportsTheLowestViolationAmongTheSchedulesThatRan()
    {
        // with two workers the point of the cut depends on timing: check what holds at any point
        using var cts = new CancellationTokenSource();
        var s = new ExploreSettings { Bug = "vote-without-log-check", Iterations = int.MaxValue, Workers = 2, StopAtFirst = false, Seed = 3 };
        ExploreReport cut = Explorer.Run(s with { Factory = CancellingAt(s.Bug, cts, 3_000) }, cancellation: cts.Token);
        output.WriteLine(Fingerprint(cut));
        Assert.True(cut.Interrupted);
        Assert.InRange(cut.Coverage.Schedules, 1, 10_000);
        Assert.Equal(cut.ViolatingSchedules, cut.Violations.Count);
        Assert.Equal(cut.Violations.Select(v => v.Iteration).Order(), cut.Violations.Select(v => v.Iteration));
        if (cut.FirstViolation is { } first)
        {
            Assert.Equal(cut.Violations[0].Iteration, first.Iteration);
            Assert.NotNull(first.Trace);
            // the same schedule, found by an uninterrupted run that reaches it
            ExploreReport whole = Explorer.Run(s with { Iterations = first.Iteration + 1, StopAtFirst = true, Factory = NeverCancelling(s.Bug) });
            Assert.Equal(TraceBytes(whole.FirstViolation!), TraceBytes(first));
        }
    }

    [Fact]
    public void StopAtFirst_CancelledAfterTheViolation_GivesTheUninterruptedReport()
    {
        using var cts = new CancellationTokenSource();
        var s = new ExploreSettings { Bug = "vote-without-log-check", Workers = 1, Seed = 3 };
        int built = 0;
        NodeFactory inner = BugCatalog.FactoryFor(s.Bug)!;
        ExploreReport whole = Explorer.Run(s with { Factory = (id, n, seed, o, st) => { built++; return inner(id, n, seed, o, st); } });
        Assert.NotNull(whole.FirstViolation);
        // the last node built is the re-run's (recording the violation): the token is cancelled then, after the workers stopped
        ExploreReport late = Explorer.Run(s with { Factory = CancellingAt(s.Bug, cts, built) }, cancellation: cts.Token);
        Assert.True(cts.IsCancellationRequested);
        Assert.False(late.Interrupted);
        Assert.Equal(Fingerprint(whole), Fingerprint(late));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ATinyReorderWindow_GivesTheSameReport_AsOneWorker(int windowPerWorker)
    {
        // workers wait for the frontier all the time here: the merge order, not the finishing order, decides
        var s = new ExploreSettings { Strategy = "random", Iterations = 120, Seed = 5, Nodes = 3 };
        string one = Fingerprint(Explorer.Run(s with { Workers = 1 }));
        Assert.Equal(one, Fingerprint(Explorer.Run(s with { Workers = 3 }, null, default, Explorer.MaxKeptViolations, windowPerWorker)));

        var bug = new ExploreSettings { Bug = "commit-previous-term", Strategy = "random" };
        ExploreReport reference = Explorer.Run(bug with { Workers = 1 });
        ExploreReport windowed = Explorer.Run(bug with { Workers = 2 }, null, default, Explorer.MaxKeptViolations, windowPerWorker);
        Assert.Equal(Fingerprint(reference), Fingerprint(windowed));
        Assert.Equal(TraceBytes(reference.FirstViolation!), TraceBytes(windowed.FirstViolation!));

        var keepGoing = new ExploreSettings { Bug = "vote-without-log-check", Iterations = 150, StopAtFirst = false };
        Assert.Equal(Fingerprint(Explorer.Run(keepGoing with { Workers = 1 })),
            Fingerprint(Explorer.Run(keepGoing with { Workers = 3 }, null, default, Explorer.MaxKeptViolations, windowPerWorker)));
    }

    [Fact]
    public void KeepGoing_KeepsTheFirstViolations_AndCountsTheRest()
    {
        var s = new ExploreSettings { Bug = "vote-without-log-check", Iterations = 150, StopAtFirst = false, Workers = 2 };
        ExploreReport all = Explorer.Run(s);
        Assert.True(all.ViolatingSchedules > 3, "the bug should break several schedules");
        Assert.Equal(all.ViolatingSchedules, all.Violations.Count);

        ExploreReport capped = Explorer.Run(s, null, default, keptViolations: 3, Explorer.WindowPerWorker);
        Assert.Equal(all.ViolatingSchedules, capped.ViolatingSchedules);
        Assert.Equal(all.Violations.Take(3).Select(v => v.Iteration), capped.Violations.Select(v => v.Iteration));
        Assert.Equal(Fingerprint(all), Fingerprint(capped));
    }

    [Fact]
    public void ShardArithmetic_MatchesTheEnumeration_AndCoversIntMaxValue()
    {
        for (int iterations = 1; iterations <= 40; iterations++)
            for (int count = 1; count <= 6; count++)
                for (int index = 1; index <= count; index++)
                {
                    var listed = Enumerable.Range(0, iterations).Where(i => i % count == index - 1).ToList();
                    Assert.Equal(listed.Count, Explorer.ShardSize(iterations, index, count));
                    for (int k = 0; k < listed.Count; k++) Assert.Equal(listed[k], Explorer.ShardIteration(k, index, count));
                }
        foreach (int count in new[] { 1, 2, 3, 7, 1000 })
        {
            long total = 0;
            for (int index = 1; index <= count; index++)
            {
                int size = Explorer.ShardSize(int.MaxValue, index, count);
                total += size;
                int last = Explorer.ShardIteration(size - 1, index, count);
                Assert.True(last <= int.MaxValue - 1 && last > int.MaxValue - 1 - count);
            }
            Assert.Equal(int.MaxValue, total);
        }
    }

    [Fact]
    public void KeepGoing_RecordsTheFirstScheduleOfEveryInvariantItBroke()
    {
        var s = new ExploreSettings { Bug = "truncate-without-conflict", Iterations = 2_000, Workers = 2, StopAtFirst = false };
        ExploreReport r = Explorer.Run(s);
        var kinds = r.Violations.Select(v => v.Violation.Invariant).Distinct().ToList();
        Assert.True(kinds.Count >= 2, "this variant breaks several invariants in 2,000 schedules");
        Assert.Equal(kinds.Count - 1, r.FirstOfOtherInvariants.Count);
        foreach (ScheduleResult other in r.FirstOfOtherInvariants)
        {
            // the first schedule of its invariant, recorded, and a trace that replays to it
            var first = r.Violations.First(v => v.Violation.Invariant == other.Violation!.Invariant);
            Assert.Equal(first.Iteration, other.Iteration);
            Assert.NotNull(other.Trace);
            Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceFile.From(other)).Status);
        }
        Assert.Empty(Explorer.Run(s with { StopAtFirst = true }).FirstOfOtherInvariants);
    }
}
