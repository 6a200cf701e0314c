using System.Reflection;
using System.Text.Json.Nodes;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Lab;
using Raft.Model.Network;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using RaftVerify.Cli.Commands;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// Every option the core ships is drawn by swarm testing (so exploration reaches the paths it
/// turns on), given to the nodes the world builds, recorded in the trace, and restored by replay;
/// the lab's options are recorded too and its reproduce line repeats every one. Asynchronous
/// Ready handling is drawn and recorded alike. RaftOptions is enumerated by reflection, so a new
/// option fails these tests until it is drawn, recorded and has a lab flag.
/// </summary>
public sealed class SwarmOptionsTests
{
    private static IEnumerable<PropertyInfo> SettableOptions() =>
        typeof(RaftOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static List<SwarmParameters> Draws(int count, ExploreSettings? settings = null) =>
        Enumerable.Range(0, count).Select(i => SwarmParameters.Draw(settings ?? new ExploreSettings(), Raft.Core.Determinism.Rng.Derive(1, (ulong)i))).ToList();

    /// <summary>What an option's value is, comparably: a pool counts by whether there is one (each world has its own).</summary>
    private static object? Value(PropertyInfo p, RaftOptions r) => p.PropertyType == typeof(Raft.Core.Messages.IEntryArrayPool) ? p.GetValue(r) is not null : p.GetValue(r);

    [Fact]
    public void TheSwarm_VariesEveryRaftOption_InTheOptionsItsWorldsGiveTheNodes()
    {
        var settings = new ExploreSettings();
        List<SwarmParameters> draws = Draws(200, settings);
        // the options each world gives its nodes (the world swaps the pool request for its own pool)
        List<RaftOptions> given = draws.Select((sw, i) => new World(settings.ToWorldOptions(sw, (ulong)i + 1)).Cluster.Options).ToList();
        var never = new List<string>();
        foreach (PropertyInfo p in SettableOptions())
            if (given.Select(r => Value(p, r)).Distinct().Count() < 2) never.Add(p.Name);
        Assert.True(never.Count == 0, $"swarm testing never varies RaftOptions.{string.Join(", RaftOptions.", never)}: draw it in SwarmParameters.Draw (at the end of the 'more' stream), give it to the world's nodes and record it in the trace header");
        // a pool, when drawn, is the world's own, the one its network returns arrays to
        for (int i = 0; i < draws.Count; i++)
        {
            bool drawn = draws[i].Raft!.EntryArrayPool is not null;
            var world = new World(settings.ToWorldOptions(draws[i], (ulong)i + 1));
            Assert.Equal(drawn, world.Pool is not null);
            if (drawn) Assert.Same(world.Pool, world.Cluster.Options.EntryArrayPool);
            Assert.Equal(draws[i].AsyncReady, world.Cluster.AsyncReady);
        }
    }

    [Fact]
    public void TheOptInOptions_AreOnInAboutHalfTheSchedules()
    {
        var settings = new ExploreSettings();
        List<SwarmParameters> draws = Enumerable.Range(0, 1000).Select(i => SwarmParameters.Draw(settings, (ulong)i * 7919 + 3)).ToList();
        List<RaftOptions> drawn = draws.Select(d => d.Raft!).ToList();
        Assert.InRange(drawn.Count(r => r.BroadcastCommit), 400, 600);
        Assert.InRange(drawn.Count(r => r.SnapshotRetryTicks > 0), 400, 600);
        Assert.InRange(drawn.Count(r => r.EntryArrayPool is not null), 400, 600);
        Assert.InRange(draws.Count(d => d.AsyncReady), 400, 600);
        Assert.All(drawn, r => { Limits.CheckRaft(r, settings.TickMs); Assert.InRange(r.SnapshotRetryTicks, 0, SwarmParameters.MaxSnapshotRetryTicks); });
        // without swarm (or without drawing core options) the settings decide
        Assert.All(Draws(20, settings with { Swarm = false, AsyncReady = true }), d => Assert.True(d.AsyncReady));
        Assert.All(Draws(20, settings with { SwarmRaft = false }), d => Assert.False(d.AsyncReady));
    }

    [Fact]
    public void EveryDrawnOption_IsWrittenToTheTraceHeader_AndReadBack()
    {
        var settings = new ExploreSettings { Seed = 3 };
        foreach (SwarmParameters drawn in Draws(200, settings))
        {
            var t = new TraceFile { Settings = settings, Iteration = 0, ScheduleSeed = 1, Swarm = drawn, Steps = [], Outcome = new TraceOutcome(null, -1, null) };
            TraceFile back = Parse(Lines(t));
            foreach (PropertyInfo p in SettableOptions())
                Assert.True(Equals(Value(p, drawn.Raft!), Value(p, back.Swarm.Raft!)), $"RaftOptions.{p.Name} is not recorded in the trace's swarm object");
            Assert.Equal(drawn.AsyncReady, back.Swarm.AsyncReady);
            Assert.Equal(drawn, back.Swarm);
        }
    }

    [Fact]
    public void TheDrawnOptions_AreRecorded_ReplayWithThem_AndOlderSwarmObjectsMeanOff()
    {
        var settings = new ExploreSettings { Seed = 7 };
        int checkedOn = 0;
        for (int i = 0; i < 200 && checkedOn < 3; i++)
        {
            ulong seed = ScheduleRunner.ScheduleSeed(settings.Seed, i);
            SwarmParameters sw = SwarmParameters.Draw(settings, seed);
            RaftOptions d = sw.Raft!;
            if (!d.BroadcastCommit || d.SnapshotRetryTicks == 0 || d.EntryArrayPool is null || !sw.AsyncReady) continue;
            ScheduleResult r = ScheduleRunner.Run(settings, i, seed, StrategyCatalog.Create(settings.Strategy, settings.StrategyParameter), record: true);
            if (r.Violation is not null) continue;
            checkedOn++;
            TraceFile t = TraceFile.From(r);
            List<string> lines = Lines(t);
            TraceFile back = Parse(lines);
            Assert.Equal(d, back.Swarm.Raft);
            Assert.True(back.Swarm.AsyncReady);
            Assert.Contains(back.Steps, s => s.Event.Kind == Raft.Model.Events.EventKind.Persist);
            Assert.Equal(ReplayStatus.Passed, Replayer.Replay(back).Status);
            // without the draws the same decisions diverge: the trace really depends on them
            TraceFile sync = Parse(WithLine(lines, 0, h => ((JsonObject)h["swarm"]!)["asyncReady"] = false));
            Assert.Equal(ReplayStatus.Diverged, Replayer.Replay(sync).Status);
            // a swarm object without these fields reads as off (the header's raft value)
            TraceFile older = Parse(WithLine(lines, 0, h =>
            {
                var swarm = (JsonObject)h["swarm"]!;
                foreach (string f in new[] { "broadcastCommit", "snapshotRetryTicks", "maxBytesPerAppend", "entryArrayPool", "asyncReady" }) swarm.Remove(f);
                var raft = (JsonObject)h["raft"]!;
                foreach (string f in new[] { "broadcastCommit", "snapshotRetryTicks", "entryArrayPool" }) raft.Remove(f);
                h.Remove("asyncReady");
            }));
            Assert.False(older.Swarm.Raft!.BroadcastCommit);
            Assert.Equal(0, older.Swarm.Raft.SnapshotRetryTicks);
            Assert.Null(older.Swarm.Raft.EntryArrayPool);
            Assert.False(older.Swarm.AsyncReady);
            Assert.Equal(settings.Raft.MaxBytesPerAppend, older.Swarm.Raft.MaxBytesPerAppend);
            Assert.Equal(RaftOptions.Default, older.Settings.Raft);
        }
        Assert.Equal(3, checkedOn);
    }

    [Fact]
    public void ALabRunsOptions_AreRecorded_AndItsTraceReplaysWithThem()
    {
        RaftOptions raft = RaftOptions.Default with { BroadcastCommit = true, SnapshotRetryTicks = 5, EntryArrayPool = EntryPool.WorldOwned };
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
        Assert.Equal(" --broadcast-commit --snapshot-retry-ticks 5 --entry-array-pool", LabSuite.LabOptionFlags(raft));
    }

    /// <summary>A value other than the default for an option of type <paramref name="type"/>, valid within the limits.</summary>
    private static object Other(PropertyInfo p, RaftOptions d)
    {
        object? v = p.GetValue(d);
        return v switch
        {
            int n => n + 7,
            long n => Math.Max(1, n / 2),
            bool b => !b,
            ReadOnlyOption o => o == ReadOnlyOption.Safe ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
            null when p.PropertyType == typeof(Raft.Core.Messages.IEntryArrayPool) => EntryPool.WorldOwned,
            _ => throw new InvalidOperationException($"RaftOptions.{p.Name} ({p.PropertyType.Name}): give it a lab flag (LabCommand, LabSuite.LabOptionFlags) and a test value here"),
        };
    }

    [Fact]
    public void EveryRaftOption_HasALabFlag_InTheReproduceLine_ThatTheLabCommandReadsBack()
    {
        RaftOptions d = RaftOptions.Default;
        foreach (PropertyInfo p in SettableOptions())
        {
            RaftOptions changed = d with { };
            p.SetValue(changed, Other(p, d));
            string flags = LabSuite.LabOptionFlags(changed);
            Assert.False(flags.Length == 0, $"RaftOptions.{p.Name} has no flag in the lab's reproduce line (LabSuite.LabOptionFlags)");
            System.CommandLine.ParseResult parsed = LabCommand.Create().Parse(flags.Trim().Split(' '));
            Assert.Empty(parsed.Errors);
            Assert.Equal(changed, LabCommand.RaftOptionsFrom(parsed));
        }
        Assert.Null(LabCommand.RaftOptionsFrom(LabCommand.Create().Parse(Array.Empty<string>())));
    }
}
