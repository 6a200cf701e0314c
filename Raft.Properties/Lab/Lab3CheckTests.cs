using Raft.Model.Contract;
using Raft.Model.Histories;
using Raft.Model.Lab;
using Raft.Model.Services;
using Raft.Model.Simulation;
using Raft.Model.Testing;
using Raft.Model.Traces;
using Raft.Model.Variants;

namespace Raft.Properties.Lab;

/// <summary>
/// The kvraft tester's own checks, each seen to fire and to stay quiet; the broken service seen
/// failing the tests that exist to catch it; the clerks' calls on the network; and Lab 3 traces
/// replaying exactly.
/// </summary>
public sealed class Lab3CheckTests
{
    /// <summary>Runs <paramref name="body"/> on a fresh kvraft config in virtual time; returns what the tester printed.</summary>
    private static List<string> RunKv(Func<KvConfig, Task> body, int n = 3, int maxraftstate = -1, bool unreliable = false)
    {
        var log = new List<string>();
        KvConfig? cfg = null;
        LabRuntime.Run(async () =>
        {
            cfg = new KvConfig(n, unreliable, maxraftstate, seed: 1, log.Add);
            await body(cfg);
        }, () => cfg?.World, virtualLimitMs: 600_000);
        return log;
    }

    private static string FailureOf(Action check) => Assert.Throws<LabFailure>(check).Message;

    [Fact]
    public void CheckClntAppends_FiresOnAMissingADuplicateOrAMisorderedAppend_AndIsQuietOnAllInOrder()
    {
        KvHelpers.CheckClntAppends(3, "x 3 0 yx 3 1 yx 3 2 y", 3);
        KvHelpers.CheckConcurrentAppends("x 0 0 yx 1 0 yx 0 1 y", [2, 1]);
        Assert.StartsWith("3 missing element x 3 2 y in Append result", FailureOf(() => KvHelpers.CheckClntAppends(3, "x 3 0 yx 3 1 y", 3)));
        Assert.Equal("duplicate element x 3 1 y in Append result", FailureOf(() => KvHelpers.CheckClntAppends(3, "x 3 0 yx 3 1 yx 3 1 y", 2)));
        Assert.Equal("wrong order for element x 3 1 y in Append result", FailureOf(() => KvHelpers.CheckClntAppends(3, "x 3 1 yx 3 0 y", 2)));
        Assert.Equal("duplicate element x 1 0 y in Append result", FailureOf(() => KvHelpers.CheckConcurrentAppends("x 0 0 yx 1 0 yx 1 0 y", [1, 1])));
    }

    [Fact]
    public void CheckSpeed_FiresAbove33AThirdMsPerOp_AndIsQuietBelow()
    {
        KvHelpers.CheckSpeed(33_333, 1000);
        Assert.StartsWith("Operations completed too slowly 33.4ms/op > 33.333333ms/op", FailureOf(() => KvHelpers.CheckSpeed(33_400, 1000)));
    }

    [Fact]
    public void CheckLinearizable_FiresOnAStaleRead_IsQuietOnAGoodOne_AndReportsABudgetRunOutAsGoDoes()
    {
        static void Log(KvConfig cfg, string read)
        {
            cfg.OpLog.Respond(cfg.OpLog.Invoke(0, "x", OpKind.Put, "a", 0), null, 10);
            cfg.OpLog.Respond(cfg.OpLog.Invoke(1, "x", OpKind.Get, "", 20), read, 30);
        }
        RunKv(cfg => { Log(cfg, "a"); KvHelpers.CheckLinearizable(cfg); return Task.CompletedTask; });
        Assert.StartsWith("history is not linearizable", FailureOf(() => RunKv(cfg => { Log(cfg, "b"); KvHelpers.CheckLinearizable(cfg); return Task.CompletedTask; })));
        List<string> printed = RunKv(cfg =>
        {
            for (int c = 0; c < 6; c++) cfg.OpLog.Respond(cfg.OpLog.Invoke(c, "x", OpKind.Append, "v" + c, 0), null, 100);
            cfg.OpLog.Respond(cfg.OpLog.Invoke(7, "x", OpKind.Get, "", 200), "v5v4v3v2v1v0", 300);
            KvHelpers.CheckLinearizable(cfg, CheckOptions.Default with { MaxStepsPerKey = 2, Report = false });
            return Task.CompletedTask;
        });
        Assert.Contains("info: linearizability check timed out, assuming history is ok", printed);
    }

    /// <summary>A clerk that puts <paramref name="count"/> values of <paramref name="size"/> characters.</summary>
    private static async Task Puts(KvConfig cfg, int count, int size = 1)
    {
        Clerk ck = cfg.MakeClient(cfg.All());
        for (int i = 0; i < count; i++) await KvHelpers.Put(cfg, ck, "k", new string('v', size));
    }

    [Fact]
    public void CheckLogTrimmed_FiresWhenTheServersNeverSnapshot_AndIsQuietWithMaxRaftState()
    {
        Assert.StartsWith("logs were not trimmed (", FailureOf(() => RunKv(async cfg => { await Puts(cfg, 400, size: 20); KvHelpers.CheckLogTrimmed(cfg, 1000); })));
        RunKv(async cfg =>
        {
            await Puts(cfg, 400, size: 20);
            KvHelpers.CheckLogTrimmed(cfg, 1000);
            Assert.InRange(cfg.LogSize(), 1, 1000 + 200); // the servers snapshot as soon as they reach maxraftstate
        }, maxraftstate: 1000);
    }

    [Fact]
    public void CheckNoSnapshots_FiresWhenASnapshotWasMade_AndIsQuietWithoutMaxRaftState()
    {
        RunKv(async cfg => { await Puts(cfg, 100); KvHelpers.CheckNoSnapshots(cfg, -1); });
        Assert.StartsWith("snapshot too large (", FailureOf(() => RunKv(async cfg => { await Puts(cfg, 100); KvHelpers.CheckNoSnapshots(cfg, -1); }, maxraftstate: 200)));
    }

    [Fact]
    public void CheckSnapshotSize_FiresOnALargeValue_AndIsQuietOnSmallOnes()
    {
        RunKv(async cfg => { await Puts(cfg, 200); KvHelpers.CheckSnapshotSize(cfg, 500); }, maxraftstate: 1000);
        Assert.StartsWith("snapshot too large (", FailureOf(() => RunKv(async cfg => { await Puts(cfg, 20, size: 600); KvHelpers.CheckSnapshotSize(cfg, 500); }, maxraftstate: 1000)));
    }

    [Fact]
    public void ACallToADisabledEnd_FailsWithinLabrpcs100Ms_AndAnEnabledOneReachesTheServer()
    {
        RunKv(async cfg =>
        {
            Clerk ck = cfg.MakeClient([]);
            long start = cfg.Now;
            ClerkAnswer a = await cfg.Call(0, new KvOp(OpKind.Get, "k", "", ck.Id, 1));
            Assert.Equal(ClerkErr.CallFailed, a.Err);
            Assert.InRange(cfg.Now - start, 0, 99);
            cfg.ConnectClient(ck, cfg.All());
            Assert.Equal("", await ck.Get("k")); // retried round the servers until the leader answers
        });
    }

    [Fact]
    public void TheDuplicateDetectionMissingService_FailsTheTestsThatCatchIt_WithGosMessages()
    {
        NodeFactory broken = BugCatalog.FactoryFor("duplicate-detection-missing")!;
        LabOutcome oneKey = LabSuite.RunVerbose(LabSuite.Get("TestUnreliableOneKey3A"), 1, _ => { }, broken);
        Assert.Contains("duplicate element", oneKey.Failure!.Message);
        Assert.Contains("--variant duplicate-detection-missing", oneKey.Failure.Message);
        LabOutcome unreliable = LabSuite.RunVerbose(LabSuite.Get("TestUnreliable3A"), 1, _ => { }, broken);
        Assert.Contains(": get wrong value, key ", unreliable.Failure!.Message); // a client's own check in GenericTest
        LabOutcome linearizable = LabSuite.RunVerbose(LabSuite.Get("TestPersistPartitionUnreliableLinearizable3A"), 1, _ => { }, broken);
        Assert.Contains(": history is not linearizable", linearizable.Failure!.Message);
    }

    [Fact]
    public void ALab3Trace_ReplaysExactly_PassingOrFailing()
    {
        LabOutcome passed = LabSuite.RunTraced(LabSuite.Get("TestSnapshotRPC3B"), 2);
        Assert.True(passed.Passed);
        Assert.Equal(ReplayStatus.Passed, Replayer.Replay(passed.Trace!).Status);
        LabOutcome failed = LabSuite.RunTraced(LabSuite.Get("TestUnreliableOneKey3A"), 1, null, BugCatalog.FactoryFor("duplicate-detection-missing"));
        Assert.False(failed.Passed);
        string text = System.Text.Encoding.UTF8.GetString(TraceWriter.ToBytes(failed.Trace!));
        var roundTrip = TraceReader.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), "lab3");
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(roundTrip).Status);
    }

    [Fact]
    public void AKvSnapshot_RoundTrips_InOneByteOrder_AndMalformedBytesAreRejected()
    {
        var a = new KvService();
        var b = new KvService();
        a.Apply(KvCommands.Encode(new KvOp(OpKind.Put, "z", "1", 4, 1)));
        a.Apply(KvCommands.Encode(new KvOp(OpKind.Append, "a", "2", 9, 7)));
        b.Apply(KvCommands.Encode(new KvOp(OpKind.Append, "a", "2", 9, 7)));
        b.Apply(KvCommands.Encode(new KvOp(OpKind.Put, "z", "1", 4, 1)));
        Assert.Equal(a.Encode(), b.Encode()); // the same state, applied in another order: the same bytes
        var c = new KvService();
        c.Restore(a.Encode());
        Assert.Equal("2", c.Value("a"));
        Assert.True(c.TryGetResult(9, 7, out _));
        c.Apply(KvCommands.Encode(new KvOp(OpKind.Append, "a", "2", 9, 7))); // a retry after the restore is still a duplicate
        Assert.Equal("2", c.Value("a"));
        byte[] bytes = a.Encode();
        Assert.Throws<Raft.Core.Encoding.CodecException>(() => c.Restore(bytes[..^1]));
        Assert.Equal("2", c.Value("a")); // a failed restore leaves the state as it was
    }
}
