using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Histories;
using Raft.Model.Invariants;
using Raft.Model.Services;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using Raft.Model.Variants;

namespace Raft.Properties.Clients;

/// <summary>
/// The key-value service and its clients in the one world (World.Clients.cs): commands encode
/// deterministically, duplicates are detected (and not, in the catalog's service variant), the swarm
/// draws clients in a share of schedules and records them, client steps replay exactly, and the
/// Linearizability invariant fires on the broken service and stays quiet on the correct one.
/// </summary>
public sealed class ClientTests
{
    [Fact]
    public void KvCommands_RoundTrip_AndAreNotTheLabsCommands()
    {
        var op = new KvOp(OpKind.Append, "x", "a3", 2, 7);
        byte[] bytes = KvCommands.Encode(op);
        Assert.Equal(bytes, KvCommands.Encode(op));
        Assert.True(KvCommands.TryDecode(bytes, out KvOp back));
        Assert.Equal(op, back);
        Assert.False(KvCommands.TryDecode(Commands.Int(5), out _));
        Assert.False(KvCommands.TryDecode(Commands.String("x"), out _));
        Assert.False(KvCommands.TryDecode(bytes[..^1], out _));
    }

    [Theory]
    [InlineData(true, "a0")]
    [InlineData(false, "a0a0")]
    public void ARetriedAppend_TakesEffectOnce_UnlessDuplicateDetectionIsMissing(bool detect, string expected)
    {
        var kv = new KvService(detect);
        byte[] append = KvCommands.Encode(new KvOp(OpKind.Append, "x", "a0", 0, 1));
        kv.Apply(append);
        kv.Apply(append); // the retry, committed a second time
        kv.Apply(Commands.Int(3)); // the lab's commands pass by
        Assert.Equal(expected, kv.Value("x"));
        Assert.True(kv.TryGetResult(0, 1, out _));
        Assert.False(kv.TryGetResult(0, 2, out _));
    }

    [Fact]
    public void TheSwarm_DrawsClientsInAShareOfSchedules_AndTheTraceRecordsThem()
    {
        var settings = new ExploreSettings();
        List<SwarmParameters> draws = Enumerable.Range(0, 400).Select(i => SwarmParameters.Draw(settings, Raft.Core.Determinism.Rng.Derive(1, (ulong)i))).ToList();
        int with = draws.Count(d => d.Clients > 0);
        Assert.InRange(with, 60, 140); // about a quarter
        Assert.True(draws.Where(d => d.Clients > 0).Select(d => (d.Clients, d.ClientOps, d.ClientTimeout)).Distinct().Count() > 10);
        Assert.All(SwarmParameters.Draw(settings with { SwarmClients = false }, 3) is { } p ? [p] : Array.Empty<SwarmParameters>(), p => Assert.Equal(0, p.Clients));
        // the variant that breaks the service has clients in every schedule
        var dd = settings with { Bug = "duplicate-detection-missing" };
        Assert.All(Enumerable.Range(0, 50), i => Assert.True(SwarmParameters.Draw(dd, (ulong)i + 1).Clients > 0));

        int iteration = draws.FindIndex(d => d.Clients > 0);
        ulong seed = Raft.Core.Determinism.Rng.Derive(1, (ulong)iteration);
        ScheduleResult r = ScheduleRunner.Run(settings, iteration, seed, new RandomStrategy(), record: true, swarm: draws[iteration]);
        TraceFile t = TraceFile.From(r);
        string text = System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(t));
        Assert.Contains("\"version\":5", text);
        Assert.Contains("\"clients\":" + draws[iteration].Clients, text);
        TraceFile back = TraceReader.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), "clients");
        Assert.Equal(draws[iteration].Clients, back.Swarm.Clients);
        Assert.Equal(draws[iteration].ClientOps, back.Swarm.ClientOps);
        Assert.Equal(draws[iteration].ClientTimeout, back.Swarm.ClientTimeout);
        Assert.Equal(r.Violation is null ? ReplayStatus.Passed : ReplayStatus.Reproduced, Replayer.Replay(back).Status);
    }

    [Fact]
    public void ATraceWithoutClients_IsStillVersion4()
    {
        var settings = new ExploreSettings { SwarmClients = false };
        ScheduleResult r = ScheduleRunner.Run(settings, 0, 5, new RandomStrategy(), record: true);
        Assert.Contains("\"version\":4", System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(TraceFile.From(r))));
    }

    private static ScheduleResult? FirstViolation(ExploreSettings settings, int schedules)
    {
        for (int i = 0; i < schedules; i++)
        {
            ulong seed = ScheduleRunner.ScheduleSeed(settings.Seed, i);
            ScheduleResult r = ScheduleRunner.Run(settings, i, seed, new RandomStrategy(), record: false);
            if (r.Violation is not null) return ScheduleRunner.Run(settings, i, seed, new RandomStrategy(), record: true);
        }
        return null;
    }

    [Fact]
    public void DuplicateDetectionMissing_IsFoundAsLinearizability_ReplayedAndShrunk()
    {
        var settings = new ExploreSettings { Bug = "duplicate-detection-missing", Seed = 1 };
        ScheduleResult? r = FirstViolation(settings, 2000);
        Assert.NotNull(r);
        Assert.Equal(Invariant.Linearizability, r!.Violation!.Invariant);
        Assert.Contains("is not linearizable", r.Violation.Detail);
        TraceFile t = TraceFile.From(r);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(t).Status);
        Assert.Contains(t.Steps, s => s.Event.Kind == EventKind.ClientReply && s.Event.Request?.Output is not null);
        Assert.Contains(t.Steps, s => EventText.Event(s.Event).StartsWith("client ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCorrectService_GivesLinearizableHistories()
    {
        var settings = new ExploreSettings { Seed = 1 };
        int checkedHistories = 0;
        for (int i = 0; i < 300; i++)
        {
            ScheduleResult r = ScheduleRunner.Run(settings, i, ScheduleRunner.ScheduleSeed(1, i), new RandomStrategy(), record: false);
            Assert.Null(r.Violation);
            if (r.Linearizability is { } v) { checkedHistories++; Assert.NotEqual(Verdict.NotLinearizable, v); }
        }
        Assert.True(checkedHistories > 30, $"{checkedHistories} histories checked");
    }
}
