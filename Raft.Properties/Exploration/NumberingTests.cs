using System.Reflection;
using System.Text.RegularExpressions;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Lab;
using Raft.Model.Traces;
using Raft.Model.Traces.Pictures;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// One numbering: a violation names one step number (from 0, the trace's step index) and every
/// report gives the same one: the explorer's result, the violation's own text, the trace's
/// outcome, replay, show's ">>" line, the pictures, and the lab's failure message.
/// </summary>
public class NumberingTests
{
    [Theory]
    [InlineData("vote-without-log-check")]
    [InlineData("vote-not-durable")]
    [InlineData("stale-reply-applied")] // a Liveness violation: after the recorded steps
    public void ExploreViolationReplayAndPictures_NameTheSameStep(string bug)
    {
        ScheduleResult found = FindViolation(bug, "delay-bounded");
        int step = found.ViolationStep;
        Assert.Equal(step, found.Violation!.Step);
        Assert.Contains($"violated at step {step}:", found.Violation.ToString());
        TraceFile t = TraceFile.From(found);
        Assert.Equal(step, t.Outcome.ViolationStep);
        // a violation lies at the last recorded step, or in the liveness phase right after the recorded steps
        Assert.True(step == t.Steps.Count - 1 || step == t.Steps.Count, $"step {step} of {t.Steps.Count}");
        TraceFile back = TraceReader.Parse(System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(t)).Split('\n'), "numbering.trace");
        Assert.Equal(step, back.Outcome.Violation!.Step);
        ReplayReport replay = Replayer.Replay(back);
        Assert.Equal(ReplayStatus.Reproduced, replay.Status);
        Assert.Equal(step, replay.Run!.ViolationStep);
        Assert.Equal(step, replay.Run.Violation!.Step);
        string html = HtmlPage.Render(back);
        Assert.Contains(step < t.Steps.Count ? $"<tr id=\"step-{step}\" class=\"violation\">" : $">{step}<", html, StringComparison.Ordinal);
        Assert.Contains($"at step {step}", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabFailure_AndTheReplayOfItsTrace_NameTheSameStep()
    {
        LabOutcome o = LabSuite.RunTraced(LabSuite.Get("TestSnapshotInit2D"), 1, factory: LabVariants.ForgetsSnapshotOnRestart);
        Assert.NotNull(o.Failure);
        Match m = Regex.Match(o.Failure!.Message, @"failed with seed 1 at virtual [0-9.]+s, step ([0-9]+): \w+ violated at step ([0-9]+):");
        Assert.True(m.Success, o.Failure.Message);
        Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
        int step = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        TraceFile t = o.Trace!;
        Assert.Equal(step, t.Outcome.ViolationStep);
        Assert.Equal(step, t.Steps.Count - 1);
        ReplayReport replay = Replayer.Replay(t);
        Assert.Equal(ReplayStatus.Reproduced, replay.Status);
        Assert.Equal(step, replay.Run!.ViolationStep);
        Assert.Equal(step, replay.Run.Violation!.Step);
    }

    [Fact]
    public void ALabTrace_ReplaysExactly_FieldByField()
    {
        LabOutcome o = LabSuite.RunTraced(LabSuite.Get("TestBasicAgree2B"), 1);
        Assert.Null(o.Failure);
        Assert.Contains(o.Trace!.Steps, s => s.Event.Kind == EventKind.Tick && s.Event.At > 0);
        ReplayReport replay = Replayer.Replay(o.Trace);
        Assert.True(replay.Status == ReplayStatus.Passed, replay.Divergence);
    }

    [Fact]
    public void TheEventModel_DependsOnNoExplorationTraceOrShrinkingType()
    {
        string[] forbidden = ["Raft.Model.Exploration", "Raft.Model.Traces", "Raft.Model.Shrinking", "Raft.Model.Simulation"];
        var types = typeof(StepEvent).Assembly.GetTypes().Where(t => t.Namespace == "Raft.Model.Events").ToList();
        Assert.Contains(typeof(TraceStep), types);
        Assert.Contains(typeof(SentMessage), types);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type t in types)
        {
            IEnumerable<Type> used = t.GetFields(all).Select(f => f.FieldType)
                .Concat(t.GetProperties(all).Select(p => p.PropertyType))
                .Concat(t.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)));
            foreach (Type u in used.Select(x => x.IsArray || x.IsByRef ? x.GetElementType()! : x).Select(x => Nullable.GetUnderlyingType(x) ?? x))
                Assert.False(forbidden.Any(ns => u.Namespace?.StartsWith(ns, StringComparison.Ordinal) == true), $"{t.Name} uses {u.FullName}");
        }
    }
}
