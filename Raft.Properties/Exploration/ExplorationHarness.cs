using Raft.Model.Simulation;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Traces;
using Raft.Model.Events;

namespace Raft.Properties.Exploration;

/// <summary>Helpers shared by the exploration tests: report digests and trace text surgery.</summary>
internal static class ExplorationHarness
{
    /// <summary>The bug variants the acceptance criterion names (the catalog may grow beyond them).</summary>
    public static readonly string[] AcceptanceBugs = ["vote-without-log-check", "commit-previous-term", "vote-not-durable"];

    public static readonly string[] ScheduleStrategies = ["random", "pct", "delay-bounded"];

    /// <summary>Every number a coverage report holds, in one comparable line.</summary>
    public static string Fingerprint(Coverage c) => string.Create(CultureInfo.InvariantCulture,
        $"schedules={c.Schedules} steps={c.Steps} bound={c.HitStepBound} liveness={c.LivenessChecked} transitions={c.Transitions:X16} " +
        $"maxTerm={c.MaxTerm} elections={c.Elections} maxCommitted={c.MaxCommitted} commits={c.Commits} crashes={c.Crashes} " +
        $"restarts={c.Restarts} snapshots={c.SnapshotsInstalled} partitions={c.Partitions} proposals={c.ProposalsAccepted}");

    /// <summary>Everything a report says that must not depend on workers or timing (not the wall-clock fields).</summary>
    public static string Fingerprint(ExploreReport r)
    {
        string v = r.FirstViolation is { } f
            ? string.Create(CultureInfo.InvariantCulture, $"first=(iteration {f.Iteration}, seed {f.Seed}, step {f.ViolationStep}, {f.Violation?.Invariant}, steps {f.Steps})")
            : "first=none";
        return string.Create(CultureInfo.InvariantCulture,
            $"planned={r.Planned} violating={r.ViolatingSchedules} cut={r.CutByTimeLimit} {v} {Fingerprint(r.Coverage)} guidance=({r.Guidance})");
    }

    public static byte[] TraceBytes(ScheduleResult r) => TraceWriter.ToBytes(TraceFile.From(r));

    /// <summary>The trace's lines as written (without the final empty string after the last "\n").</summary>
    public static List<string> Lines(TraceFile t)
    {
        string text = Encoding.UTF8.GetString(TraceWriter.ToBytes(t));
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n').ToList();
    }

    public static TraceFile Parse(IEnumerable<string> lines) => TraceReader.Parse(lines.ToList(), "test.trace");

    /// <summary>Parses one JSON line, applies <paramref name="edit"/> and writes it back compactly.</summary>
    public static string EditJson(string line, Action<JsonObject> edit)
    {
        JsonObject o = JsonNode.Parse(line)!.AsObject();
        edit(o);
        return o.ToJsonString();
    }

    /// <summary>The lines with line <paramref name="index"/> edited.</summary>
    public static List<string> WithLine(List<string> lines, int index, Action<JsonObject> edit)
    {
        var copy = lines.ToList();
        copy[index] = EditJson(copy[index], edit);
        return copy;
    }

    /// <summary>A recorded schedule of the given settings (the correct core unless a bug is set) that ends without a violation.</summary>
    public static ScheduleResult RecordPassing(ExploreSettings s)
    {
        for (int i = 0; i < 50; i++)
        {
            ScheduleResult r = ScheduleRunner.Run(s, i, ScheduleRunner.ScheduleSeed(s.Seed, i), StrategyCatalog.Create(s.Strategy, s.StrategyParameter), record: true);
            if (r.Violation is null) return r;
        }
        throw new InvalidOperationException("no passing schedule among the first 50");
    }

    /// <summary>A violation found by the explorer and recorded (the lowest violating iteration).</summary>
    public static ScheduleResult FindViolation(string bug, string strategy = "random", WorldMode mode = WorldMode.Adversarial, int iterations = 10_000)
    {
        ExploreReport r = Explorer.Run(new ExploreSettings { Bug = bug, Strategy = strategy, Mode = mode, Iterations = iterations, Workers = 2 });
        Assert.True(r.FirstViolation is not null, $"{bug} was not found by {strategy} in {iterations} schedules");
        return r.FirstViolation!;
    }

    public static TraceFile With(TraceFile t, IReadOnlyList<TraceStep> steps) => new()
    {
        Settings = t.Settings,
        Iteration = t.Iteration,
        ScheduleSeed = t.ScheduleSeed,
        Swarm = t.Swarm,
        Steps = steps,
        Outcome = t.Outcome,
    };
}
