using Raft.Model.Variants;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Xunit.Abstractions;

namespace Raft.Properties.Corpus;

/// <summary>
/// traces/ is a regression corpus: one shrunk counterexample per catalog bug. Each must still
/// reproduce its violation exactly on its broken variant, and the correct core must survive the
/// same events.
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RaftVerify.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (RaftVerify.sln) above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Path.Combine(RepoRoot(), "traces"), "*.trace.jsonl").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static TraceFile Load(string name) => TraceReader.Read(Path.Combine(RepoRoot(), "traces", name));

    [Fact]
    public void EveryCatalogBug_HasAShrunkTrace_OfAtMost30FaultSteps_ThatShowsItsViolation()
    {
        Assert.True(BugCatalog.All.Count >= 14, $"the catalog has {BugCatalog.All.Count} bugs; at least 14 are required");
        foreach (BugVariant bug in BugCatalog.All)
        {
            string path = Path.Combine(RepoRoot(), "traces", bug.Name + ".trace.jsonl");
            Assert.True(File.Exists(path), $"no trace for {bug.Name} in traces/ (run scripts/build-corpus.sh)");
            TraceFile t = TraceReader.Read(path);
            Assert.Equal(bug.Name, t.Settings.Bug);
            Assert.True(t.FaultSteps <= 30, $"{bug.Name}: {t.FaultSteps} steps before the liveness phase");
            Assert.Equal(bug.Breaks, t.Outcome.Violation?.Invariant);
            // the violation happens at a recorded step, which the trace shows: never an empty counterexample
            Assert.NotEmpty(t.Steps);
            Assert.InRange(t.Outcome.ViolationStep, 0, t.Steps.Count - 1);
            Assert.Equal(t.Steps.Count - 1, t.Outcome.ViolationStep);
        }
    }

    [Theory, MemberData(nameof(Traces))]
    public void Trace_ReproducesItsViolationExactly_OnItsBrokenVariant(string name)
    {
        TraceFile t = Load(name);
        ReplayReport r = Replayer.Replay(t);
        Assert.True(r.Status == ReplayStatus.Reproduced, $"{name}: {r.Status} {r.Divergence}\n  reproduce: {ToolCommand.Replay(Path.Combine(RepoRoot(), "traces", name))}");
        output.WriteLine($"{name}: {t.Outcome.Violation!.Invariant} at step {r.Run!.ViolationStep} of {t.Steps.Count}");
    }

    [Theory, MemberData(nameof(Traces))]
    public void ShrinkingACorpusTrace_IsAFixpoint(string name)
    {
        // each corpus trace is the shrinker's own result: shrinking it again gives the same bytes
        TraceFile t = Load(name);
        ShrinkReport again = Shrinker.Shrink(t);
        Assert.False(again.CutByBudget, $"{name}: the shrink was cut by its time budget");
        Assert.Equal(TraceWriter.ToBytes(t), TraceWriter.ToBytes(again.Shrunk));
    }

    [Theory, MemberData(nameof(Traces))]
    public void CorrectCore_SurvivesTheSameEvents(string name)
    {
        TraceFile t = Load(name);
        Assert.True(t.Settings.Bug != "none", $"{name}: a corpus trace names the catalog variant it breaks (a bug found in the core is fixed, and its old rule kept as a variant)");
        var (run, eventsRun) = Shrinker.RunEventsOn(t, "none");
        Assert.True(run.Violation is null, $"{name}: the correct core broke on the same events: {run.Violation}");
        // say how much of the schedule applied to the correct core (events its behaviour did not enable are skipped)
        output.WriteLine($"{name}: {eventsRun} of {t.FaultSteps} events applied to the correct core; liveness: {run.LivenessSummary}");
    }
}
