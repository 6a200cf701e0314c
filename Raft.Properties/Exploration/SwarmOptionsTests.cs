using System.Reflection;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Lab;
using Raft.Model.Traces;
using System.Text.Json.Nodes;
using Raft.Model.Exploration.Strategies;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// Every option the core ships is drawn by swarm testing (so exploration reaches the paths it
/// turns on), recorded in the trace, and restored by replay; the lab's options are recorded too.
/// </summary>
public sealed class SwarmOptionsTests
{
    /// <summary>
    /// The RaftOptions properties swarm testing does not vary, each with the reason. Adding an
    /// option to RaftOptions without drawing it (or listing it here with a reason) fails
    /// <see cref="TheSwarm_VariesEveryRaftOption"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotDrawn = new Dictionary<string, string>
    {
        [nameof(RaftOptions.EntryArrayPool)] =
            "needs a transport that returns each AppendEntries' entry array once the message is consumed (delivered, dropped or discarded; "
            + "a duplicate returned once); the explored world does not have one yet, only the benchmark harness's lock-step transport does",
    };

    private static IEnumerable<PropertyInfo> SettableOptions() =>
        typeof(RaftOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    [Fact]
    public void TheSwarm_VariesEveryRaftOption()
    {
        var settings = new ExploreSettings();
        List<RaftOptions> drawn = Enumerable.Range(0, 200)
            .Select(i => SwarmParameters.Draw(settings, Raft.Core.Determinism.Rng.Derive(1, (ulong)i)).Raft ?? settings.Raft).ToList();
        var never = new List<string>();
        foreach (PropertyInfo p in SettableOptions())
        {
            if (NotDrawn.ContainsKey(p.Name)) continue;
            int distinct = drawn.Select(r => p.GetValue(r)).Distinct().Count();
            if (distinct < 2) never.Add(p.Name);
        }
        Assert.True(never.Count == 0, $"swarm testing never varies RaftOptions.{string.Join(", RaftOptions.", never)}: draw it in SwarmParameters.Draw (at the end of the 'more' stream) and record it in the trace header, or list it in {nameof(SwarmOptionsTests)}.{nameof(NotDrawn)} with the reason");
        // the exceptions name real options, so a renamed or removed one does not linger here
        Assert.All(NotDrawn.Keys, n => Assert.Contains(SettableOptions(), p => p.Name == n));
    }

    [Fact]
    public void TheOptInOptions_AreOnInAboutHalfTheSchedules()
    {
        var settings = new ExploreSettings();
        List<RaftOptions> drawn = Enumerable.Range(0, 1000).Select(i => SwarmParameters.Draw(settings, (ulong)i * 7919 + 3).Raft!).ToList();
        Assert.InRange(drawn.Count(r => r.BroadcastCommit), 400, 600);
        Assert.InRange(drawn.Count(r => r.SnapshotRetryTicks > 0), 400, 600);
        Assert.All(drawn, r => { Limits.CheckRaft(r, settings.TickMs); Assert.InRange(r.SnapshotRetryTicks, 0, SwarmParameters.MaxSnapshotRetryTicks); });
    }

    [Fact]
    public void TheDrawnOptions_AreRecorded_ReplayWithThem_AndOlderSwarmObjectsMeanOff()
    {
        var settings = new ExploreSettings { Seed = 7 };
        int checkedOn = 0;
        for (int i = 0; i < 40 && checkedOn < 3; i++)
        {
            ScheduleResult r = ScheduleRunner.Run(settings, i, ScheduleRunner.ScheduleSeed(settings.Seed, i),
                StrategyCatalog.Create(settings.Strategy, settings.StrategyParameter), record: true);
            TraceFile t = TraceFile.From(r);
            RaftOptions drawn = t.Swarm.Raft!;
            if (r.Violation is not null || !drawn.BroadcastCommit || drawn.SnapshotRetryTicks == 0) continue;
            checkedOn++;
            List<string> lines = Lines(t);
            TraceFile back = Parse(lines);
            Assert.Equal(drawn, back.Swarm.Raft);
            Assert.Equal(ReplayStatus.Passed, Replayer.Replay(back).Status);
            // an older trace has no such fields: they read as off (as those schedules ran)
            TraceFile older = Parse(WithLine(lines, 0, h =>
            {
                var sw = (JsonObject)h["swarm"]!;
                sw.Remove("broadcastCommit");
                sw.Remove("snapshotRetryTicks");
                sw.Remove("maxBytesPerAppend");
                var raft = (JsonObject)h["raft"]!;
                raft.Remove("broadcastCommit");
                raft.Remove("snapshotRetryTicks");
            }));
            Assert.False(older.Swarm.Raft!.BroadcastCommit);
            Assert.Equal(0, older.Swarm.Raft.SnapshotRetryTicks);
            Assert.Equal(settings.Raft.MaxBytesPerAppend, older.Swarm.Raft.MaxBytesPerAppend);
            Assert.Equal(RaftOptions.Default, older.Settings.Raft);
        }
        Assert.Equal(3, checkedOn);
    }

    [Fact]
    public void ALabRunsOptions_AreRecorded_AndItsTraceReplaysWithThem()
    {
        RaftOptions raft = RaftOptions.Default with { BroadcastCommit = true, SnapshotRetryTicks = 5 };
        LabOutcome o = LabSuite.RunTraced(LabSuite.Get("TestBasicAgree2B"), 1, raft: raft);
        Assert.True(o.Passed);
        Assert.Equal(raft, o.Trace!.Settings.Raft);
        string path = Path.GetTempFileName();
        try
        {
            TraceWriter.Write(o.Trace, path);
            TraceFile back = TraceReader.Read(path);
            Assert.Equal(raft, back.Settings.Raft);
            Assert.Equal(ReplayStatus.Passed, Replayer.Replay(back).Status);
            // without the options the same events diverge: the trace really depends on them
            List<string> lines = Lines(back);
            TraceFile without = Parse(WithLine(lines, 0, h => { var r = (JsonObject)h["raft"]!; r["broadcastCommit"] = false; r["snapshotRetryTicks"] = 0; }));
            Assert.Equal(ReplayStatus.Diverged, Replayer.Replay(without).Status);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(" --broadcast-commit --snapshot-retry-ticks 5", LabSuite.LabOptionFlags(raft));
    }
}
