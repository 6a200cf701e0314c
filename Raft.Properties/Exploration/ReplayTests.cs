using System.Text.Json.Nodes;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Invariants;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Xunit.Abstractions;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// A recorded schedule replays exactly: a violation is reproduced at the same step, a passing
/// schedule passes, a trace survives writing and reading, and any edit to what the schedule did
/// is reported as a divergence at the step where the run stops following the recording.
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output)
{
    private static readonly Lazy<ScheduleResult> Violation = new(() => FindViolation("vote-without-log-check", "random"));
    private static readonly Lazy<ScheduleResult> Passing = new(() => RecordPassing(new ExploreSettings { Seed = 3 }));

    [Theory]
    [InlineData("vote-without-log-check", "random")]
    [InlineData("commit-previous-term", "delay-bounded")]
    [InlineData("vote-not-durable", "delay-bounded")]
    [InlineData("older-snapshot-installed", "guided")]
    public void ARecordedViolation_ReplaysAsReproduced_AtTheSameStep(string bug, string strategy)
    {
        ScheduleResult found = FindViolation(bug, strategy);
        ReplayReport replay = Replayer.Replay(TraceFile.From(found));
        output.WriteLine($"{bug}: iteration {found.Iteration}, step {found.ViolationStep}: {found.Violation}");

        Assert.Equal(ReplayStatus.Reproduced, replay.Status);
        Assert.Null(replay.Divergence);
        Assert.Equal(found.ViolationStep, replay.Run!.ViolationStep);
        Assert.Equal(found.Violation!.Invariant, replay.Run.Violation!.Invariant);
        Assert.Equal(found.Violation.ToString(), replay.Run.Violation.ToString());
    }

    [Fact]
    public void ATraceOfTheCorrectCoreThatPassed_ReplaysAsPassed()
    {
        ScheduleResult r = Passing.Value;
        Assert.NotNull(r.LivenessSummary);
        ReplayReport replay = Replayer.Replay(Parse(Lines(TraceFile.From(r))));
        Assert.Equal(ReplayStatus.Passed, replay.Status);
        Assert.Equal(-1, replay.DivergedAtStep);
        Assert.Equal(r.Steps, replay.Run!.Steps);
        Assert.Null(replay.Run.Violation);
    }

    [Fact]
    public void WrittenAndReadBack_ATraceKeepsItsSteps_DecisionsAndOutcome()
    {
        foreach (ScheduleResult r in new[] { Violation.Value, Passing.Value })
        {
            TraceFile t = TraceFile.From(r);
            string path = Path.Combine(Path.GetTempPath(), $"raftverify-test-{Guid.NewGuid():N}.trace.jsonl");
            try
            {
                TraceWriter.Write(t, path);
                TraceFile back = TraceReader.Read(path);
                Assert.Equal(t.Steps.Count, back.Steps.Count);
                for (int k = 0; k < t.Steps.Count; k++)
                {
                    Assert.Equal(t.Steps[k].Step, back.Steps[k].Step);
                    Assert.Equal(t.Steps[k].Decisions, back.Steps[k].Decisions);
                    Assert.Equal(t.Steps[k].Event, back.Steps[k].Event);
                    Assert.Equal(t.Steps[k].Outcome, back.Steps[k].Outcome);
                    Assert.Equal(t.Steps[k].Nodes, back.Steps[k].Nodes);
                    Assert.Equal(t.Steps[k].Sent ?? [], back.Steps[k].Sent ?? []);
                }
                Assert.Equal(t.Outcome.ViolationStep, back.Outcome.ViolationStep);
                Assert.Equal(t.Outcome.Liveness, back.Outcome.Liveness);
                Assert.Equal(t.Outcome.Violation?.ToString(), back.Outcome.Violation?.ToString());
                Assert.Equal(t.Iteration, back.Iteration);
                Assert.Equal(t.ScheduleSeed, back.ScheduleSeed);
                Assert.Equal(t.Swarm, back.Swarm);
                Assert.Equal(t.Settings.Bug, back.Settings.Bug);
                Assert.Equal(t.Settings.Raft, back.Settings.Raft);
                Assert.Equal(t.Settings.Faults, back.Settings.Faults);
                Assert.Equal(File.ReadAllBytes(path), TraceWriter.ToBytes(back)); // a fixed point
                Assert.Equal(r.Violation is null ? ReplayStatus.Passed : ReplayStatus.Reproduced, Replayer.Replay(back).Status);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void ChangingTheHeadersBugToNone_Diverges()
    {
        TraceFile t = TraceFile.From(Violation.Value);
        List<string> lines = WithLine(Lines(t), 0, h => h["bug"] = "none");
        ReplayReport replay = Replayer.Replay(Parse(lines));
        output.WriteLine($"{replay.DivergedAtStep}: {replay.Divergence}");
        Assert.Equal(ReplayStatus.Diverged, replay.Status);
        Assert.InRange(replay.DivergedAtStep, 0, t.Steps.Count);
        Assert.Contains("step", replay.Divergence);
    }

    [Fact]
    public void ChangingOneRecordedField_DivergesAtThatStep_NamingTheField()
    {
        TraceFile t = TraceFile.From(Violation.Value);
        int message = t.Steps.ToList().FindIndex(s => s.Event.Message is not null);
        int timeout = t.Steps.ToList().FindIndex(s => s.Event.Kind == EventKind.Timeout);
        int sender = t.Steps.ToList().FindIndex(s => s.Sent is { Length: > 0 });
        var edits = new (int Step, Action<JsonObject> Edit, string Field)[]
        {
            (message, s => s["event"]!["message"]!["term"] = s["event"]!["message"]!["term"]!.GetValue<long>() + 1, "event.message.term"),
            (message, s => s["event"]!["message"]!["index"] = s["event"]!["message"]!["index"]!.GetValue<long>() + 7, "event.message.index"),
            (message, s => s["event"]!["message"]!["id"] = 100_000, "event.message.id"),
            (timeout, s => s["outcome"]!["ticks"] = s["outcome"]!["ticks"]!.GetValue<long>() + 1, "outcome.count"),
            (timeout, s => s["nodes"]![0] = null, "nodes[0].up"),
            (sender, s => s["sent"]![0]!["to"] = (s["sent"]![0]!["to"]!.GetValue<int>() + 1) % t.Swarm.Nodes, "sent[0].to"),
        };
        foreach ((int k, Action<JsonObject> edit, string field) in edits)
        {
            Assert.True(k >= 0, $"the trace has no step for {field}");
            ReplayReport replay = Replayer.Replay(Parse(WithLine(Lines(t), k + 1, edit)));
            Assert.Equal(ReplayStatus.Diverged, replay.Status);
            Assert.Equal(k, replay.DivergedAtStep);
            Assert.Contains($"step {k} ", replay.Divergence);
            Assert.Contains(field + ": recorded ", replay.Divergence);
        }
    }

    [Fact]
    public void DisplayText_IsNeverParsed_ReplayAndShrinkGiveTheSameResultsWithOtherMessageText()
    {
        TraceFile t = TraceFile.From(Violation.Value);
        byte[] file = TraceWriter.ToBytes(t);
        ShrinkReport before = Shrinker.Shrink(t);
        try
        {
            EventText.MessageTextOverride = m => $"<garbled {m.Type} message, nothing like the real text>";
            Assert.Contains("<garbled", EventText.Event(t.Steps.First(s => s.Event.Message is not null).Event)); // the override is in force
            // the file does not change (it holds fields, not text), and the trace still replays and shrinks the same
            Assert.Equal(file, TraceWriter.ToBytes(t));
            TraceFile back = TraceReader.Parse(System.Text.Encoding.UTF8.GetString(file).Split('\n'), "garbled.trace");
            Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(back).Status);
            ShrinkReport after = Shrinker.Shrink(back);
            Assert.Equal(TraceWriter.ToBytes(before.Shrunk), TraceWriter.ToBytes(after.Shrunk));
        }
        finally
        {
            EventText.MessageTextOverride = null;
        }
    }

    /// <summary>Steps whose recorded event index can be lowered: first, middle and last of them, or all.</summary>
    private static IEnumerable<(TraceFile Trace, int Step)> ChoiceSteps(bool all)
    {
        foreach (ScheduleResult r in new[] { Violation.Value, Passing.Value })
        {
            TraceFile t = TraceFile.From(r);
            int[] candidates = [.. Enumerable.Range(0, t.FaultSteps).Where(k => t.Steps[k].Decisions[0] > 0)]; // the liveness phase is not driven by decisions
            Assert.NotEmpty(candidates);
            foreach (int k in all ? candidates : new[] { candidates[0], candidates[candidates.Length / 2], candidates[^1] }.Distinct())
                yield return (t, k);
        }
    }

    [Fact]
    public void ChangingOneStepsEventChoice_ToOneNotEnabled_DivergesAtThatStep()
    {
        foreach (var (t, k) in ChoiceSteps(all: false))
        {
            List<string> lines = WithLine(Lines(t), k + 1, s => s["decisions"]![0] = 10_000);
            ReplayReport replay = Replayer.Replay(Parse(lines));
            Assert.Equal(ReplayStatus.Diverged, replay.Status);
            Assert.Equal(k, replay.DivergedAtStep);
            Assert.Contains($"step {k}", replay.Divergence);
        }
    }

    [Fact]
    public void ChangingOneStepsEventChoice_ToAnotherEnabledEvent_Diverges()
    {
        foreach (var (t, k) in ChoiceSteps(all: false))
        {
            List<string> lines = WithLine(Lines(t), k + 1, s => s["decisions"]![0] = t.Steps[k].Decisions[0] - 1);
            ReplayReport replay = Replayer.Replay(Parse(lines));
            Assert.Equal(ReplayStatus.Diverged, replay.Status);
            Assert.InRange(replay.DivergedAtStep, k, t.Steps.Count);
        }
    }

    [Fact]
    public void ChangingOneStepsEventChoice_ToAnotherEnabledEvent_DivergesAtThatStep()
    {
        var wrong = new List<string>();
        foreach (var (t, k) in ChoiceSteps(all: true))
        {
            List<string> lines = WithLine(Lines(t), k + 1, s => s["decisions"]![0] = t.Steps[k].Decisions[0] - 1);
            ReplayReport replay = Replayer.Replay(Parse(lines));
            if (replay.Status != ReplayStatus.Diverged || replay.DivergedAtStep != k)
                wrong.Add($"iteration {t.Iteration} step {k}: {replay.Status} at {replay.DivergedAtStep} ({replay.Divergence})");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} edits diverged elsewhere, e.g. {string.Join("; ", wrong.Take(3))}");
    }

    [Fact]
    public void ChangingTheRecordedOutcome_Diverges()
    {
        TraceFile t = TraceFile.From(Violation.Value);
        List<string> lines = Lines(t);
        var otherInvariant = lines.ToList();
        otherInvariant[^1] = EditJson(lines[^1], o => o["invariant"] = nameof(Invariant.ElectionSafety));
        Assert.Equal(ReplayStatus.Diverged, Replayer.Replay(Parse(otherInvariant)).Status);

        var passed = lines.ToList();
        passed[^1] = "{\"outcome\":\"pass\"}";
        ReplayReport replay = Replayer.Replay(Parse(passed));
        Assert.Equal(ReplayStatus.Diverged, replay.Status);
        Assert.Equal(Violation.Value.ViolationStep, replay.DivergedAtStep);
    }

    [Fact]
    public void DroppingTheLastSteps_Diverges()
    {
        TraceFile t = TraceFile.From(Passing.Value);
        ReplayReport replay = Replayer.Replay(With(t, t.Steps.Take(t.Steps.Count - 3).ToList()));
        Assert.Equal(ReplayStatus.Diverged, replay.Status);
        Assert.Equal(t.Steps.Count - 3, replay.DivergedAtStep);
    }

    /// <summary>Finds schedules with an "isolate" partition and records them.</summary>
    /// <summary>A partition step whose shape and node the world chose (an `isolateleader` step has its node in the event instead).</summary>
    private static bool IsChosenIsolation(TraceStep x) => x.Event.Kind == EventKind.Partition && x.Outcome.Partition?.Kind == PartitionKind.Isolate;

    private static IEnumerable<TraceFile> TracesWithIsolation()
    {
        var s = new ExploreSettings { Seed = 1 };
        for (int i = 0; i < 200; i++)
        {
            ScheduleResult r = ScheduleRunner.Run(s, i, ScheduleRunner.ScheduleSeed(s.Seed, i), StrategyCatalog.Create("random", 0), record: true);
            if (r.Trace!.Any(IsChosenIsolation)) yield return TraceFile.From(r);
        }
    }

    [Fact]
    public void ChangingAPartitionsDataChoice_DivergesAtThatStep()
    {
        foreach (TraceFile t in TracesWithIsolation().Take(12))
        {
            int k = t.Steps.ToList().FindIndex(IsChosenIsolation);
            var steps = t.Steps.ToList();
            int[] d = (int[])steps[k].Decisions.Clone(); // [event, shape 0 = isolate, node]
            d[2] = (d[2] + 1) % t.Swarm.Nodes;
            steps[k] = steps[k] with { Decisions = d };
            ReplayReport replay = Replayer.Replay(With(t, steps));
            Assert.True(replay.Status == ReplayStatus.Diverged && replay.DivergedAtStep == k,
                $"iteration {t.Iteration}: isolating another node at step {k} gave {replay.Status} at step {replay.DivergedAtStep} ({replay.Divergence})");
        }
    }

    [Fact]
    public void AStepWithMoreDecisionsThanItTakes_Diverges()
    {
        TraceFile t = TraceFile.From(Passing.Value);
        var steps = t.Steps.ToList();
        steps[0] = steps[0] with { Decisions = [.. steps[0].Decisions, 0] };
        ReplayReport replay = Replayer.Replay(With(t, steps));
        Assert.Equal(ReplayStatus.Diverged, replay.Status);
        Assert.Equal(0, replay.DivergedAtStep);
    }
}
