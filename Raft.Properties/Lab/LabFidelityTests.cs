using System.Text.RegularExpressions;
using Raft.Model.Testing;
using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Lab;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Storage;
using Raft.Model.Simulation;

namespace Raft.Properties.Lab;

/// <summary>
/// How closely the lab's world follows Go's: the persister's Save(raftstate, snapshot), the
/// labgob size behind MAXLOGSIZE, labrpc's delivery rules, and go test -v's lines.
/// </summary>
public sealed class LabFidelityTests
{
    // ---- 1. persister: every save replaces the raft state and the snapshot ----

    private static Ready SnapshotWrite(long index, long term, byte[] data) =>
        new() { HasSnapshot = true, SnapshotIndex = index, SnapshotTerm = term, SnapshotData = data };

    private static Ready HardStateWrite(long term, long snapshotIndex, long snapshotTerm) =>
        new() { HardStateChanged = true, Term = term, VotedFor = RaftNode.None, SnapshotIndex = snapshotIndex, SnapshotTerm = snapshotTerm };

    [Fact]
    public void Disk_AWriteWithoutSnapshotBytes_KeepsTheDurableSnapshot_WhenItsIndexMatchesAndNothingIsBound()
    {
        var disk = new Disk();
        byte[] snap = [1, 2, 3];
        disk.Persist(SnapshotWrite(10, 2, snap));
        disk.Persist(HardStateWrite(3, 10, 2));
        Assert.Same(snap, disk.SnapshotData);
        Assert.Equal(0, disk.SnapshotsErased);
    }

    [Fact]
    public void Disk_AWriteFromANodeThatHoldsNoSnapshot_ErasesIt_AsSaveWithNilDoes()
    {
        var disk = new Disk();
        disk.Persist(SnapshotWrite(10, 2, [1, 2, 3]));
        disk.HeldSnapshot = () => null; // a node restarted without reading its snapshot
        disk.Persist(HardStateWrite(3, 10, 2));
        Assert.Null(disk.SnapshotData);
        Assert.Equal(1, disk.SnapshotsErased);
        PersistedState read = disk.Read();
        Assert.Equal(10, read.SnapshotIndex); // the raft state still says lastIncludedIndex 10
        Assert.Null(read.SnapshotData);
    }

    [Fact]
    public void Disk_AWriteFromANodeThatHoldsItsSnapshot_KeepsIt()
    {
        var disk = new Disk();
        byte[] snap = [1, 2, 3];
        disk.Persist(SnapshotWrite(10, 2, snap));
        disk.HeldSnapshot = () => snap;
        disk.Persist(HardStateWrite(3, 10, 2));
        Assert.Same(snap, disk.SnapshotData);
    }

    [Fact]
    public void Disk_ASnapshotIndexThatMovesWithoutBytes_DropsTheDurableSnapshotAndTheEntriesItCovers()
    {
        var disk = new Disk();
        var entries = Enumerable.Range(1, 20).Select(i => new Entry(1, Commands.Int(i))).ToArray();
        disk.Persist(new Ready { PersistFrom = 1, EntriesToPersist = entries, SnapshotIndex = 0 });
        disk.Persist(SnapshotWrite(10, 1, [9]));
        Assert.Equal(10, disk.Entries.Count);
        disk.Persist(HardStateWrite(2, 15, 1)); // raft state says lastIncludedIndex 15, no snapshot with it
        Assert.Null(disk.SnapshotData);
        Assert.Equal(15, disk.SnapshotIndex);
        Assert.Equal(5, disk.Entries.Count);
        Assert.Equal(20, disk.LastIndex);
    }

    [Theory]
    [InlineData("TestSnapshotInstallUnCrash2D")]
    [InlineData("TestSnapshotAllCrash2D")]
    public void CorrectCore_NeverErasesItsSnapshot(string name)
    {
        var ctx = new LabContext(2, _ => { });
        LabRuntime.Run(() => LabSuite.Get(name).Body(ctx), () => ctx.Config?.World, 10 * LabConfig.TestLimitMs);
        Assert.All(ctx.Config!.World.Disks, d => Assert.Equal(0, d.SnapshotsErased));
        Assert.All(ctx.Config.World.Disks, d => Assert.NotNull(d.SnapshotData));
    }

    [Fact]
    public void ForgetfulVariant_FailsTestSnapshotInit2D_OnEverySeed_AndTheCorrectCorePasses()
    {
        for (ulong seed = 1; seed <= 5; seed++)
        {
            LabSuite.Run(LabSuite.Get("TestSnapshotInit2D"), seed);
            var e = Assert.Throws<LabFailure>(() =>
                LabSuite.Run(LabSuite.Get("TestSnapshotInit2D"), seed, factory: LabVariants.ForgetsSnapshotOnRestart));
            Assert.Contains("was given an empty snapshot", e.Message);
            Assert.Contains("--variant forgets-snapshot-on-restart", e.Message);
        }
    }

    [Theory]
    [InlineData("TestSnapshotInstallCrash2D")]
    [InlineData("TestSnapshotInstallUnCrash2D")]
    public void ForgetfulVariant_FailsTheCrashTests(string name)
    {
        for (ulong seed = 1; seed <= 3; seed++)
            Assert.Throws<LabFailure>(() => LabSuite.Run(LabSuite.Get(name), seed, factory: LabVariants.ForgetsSnapshotOnRestart));
    }

    [Fact]
    public void ForgetfulVariant_FailsTestSnapshotAllCrash2D_OnlyWhenARoundEndsBeforeTheNextSnapshot()
    {
        // each round's 6–15 agreements usually carry the log past the next snapshot, which writes a new one
        Assert.Throws<LabFailure>(() => LabSuite.Run(LabSuite.Get("TestSnapshotAllCrash2D"), 3, factory: LabVariants.ForgetsSnapshotOnRestart));
        LabSuite.Run(LabSuite.Get("TestSnapshotAllCrash2D"), 1, factory: LabVariants.ForgetsSnapshotOnRestart);
    }

    [Theory]
    [InlineData("TestSnapshotBasic2D")]
    [InlineData("TestSnapshotInstall2D")]
    [InlineData("TestSnapshotInstallUnreliable2D")]
    public void ForgetfulVariant_PassesTheTestsThatNeverRestartAServer(string name) =>
        LabSuite.Run(LabSuite.Get(name), 1, factory: LabVariants.ForgetsSnapshotOnRestart);

    // ---- 2. MAXLOGSIZE counted as labgob would ----

    [Fact]
    public void Labgob_AnEntryWithARandomIntIs20Bytes_AndTheBoundAdmitsAbout95()
    {
        var rng = new Rng(5);
        long big = (long)(rng.NextUInt64() >> 1) | (1L << 60);
        Assert.Equal(20, Labgob.EntrySize(3, Commands.Int(big)));
        Assert.Equal(12, Labgob.EntrySize(3, Commands.Int(7))); // small ints are cheaper, as in gob

        var disk = new Disk();
        disk.Persist(new Ready { HardStateChanged = true, Term = 3, VotedFor = 1 });
        disk.Persist(SnapshotWrite(300, 3, [1]));
        int entries = 0;
        while (true)
        {
            var e = new Entry(3, Commands.Int((long)(rng.NextUInt64() >> 1) | (1L << 60)));
            disk.Persist(new Ready { PersistFrom = disk.LastIndex + 1, EntriesToPersist = new[] { e }, SnapshotIndex = 300, SnapshotTerm = 3 });
            if (Labgob.RaftStateSize(disk) >= LabConfig.MaxLogSize) break;
            entries++;
        }
        Assert.InRange(entries, 94, 95);
        Assert.True(disk.RaftStateSize() < LabConfig.MaxLogSize, "our own encoding would still admit more");
    }

    // ---- 3. labrpc's delivery rules ----

    private static Envelope Request(int from, int to) => new() { Type = MessageKind.AppendEntries, From = from, To = to, Term = 1 };
    private static Envelope Reply(int from, int to) => new() { Type = MessageKind.AppendEntriesResponse, From = from, To = to, Term = 1 };

    private static SimNetwork Net(bool reliable, bool labrpc, bool longReordering = false)
    {
        var net = new SimNetwork(3, new NetworkOptions { Reliable = reliable, LabrpcDelivery = labrpc, LongReordering = longReordering });
        for (int i = 0; i < 3; i++) net.Connect(i);
        return net;
    }

    [Fact]
    public void Labrpc_ALongReorderedReply_ArrivesEvenIfTheLinkWentDownMeanwhile()
    {
        foreach (bool labrpc in new[] { true, false })
        {
            SimNetwork net = Net(reliable: true, labrpc, longReordering: true);
            var rng = new Rng(1);
            Envelope reply = Reply(1, 0);
            long delay;
            do delay = net.Admit(reply, ref rng); while (delay < 200); // until one is reordered
            net.Disconnect(1);
            long bytes = net.BytesTotal;
            Assert.Equal(labrpc, net.Deliverable(reply));
            Assert.Equal(labrpc, net.BytesTotal > bytes); // counted when delivered
        }
    }

    [Fact]
    public void Labrpc_ADelayedRequest_RunsItsHandlerEvenIfTheLinkWentDownMeanwhile()
    {
        SimNetwork net = Net(reliable: false, labrpc: true);
        var rng = new Rng(2);
        Envelope request = Request(0, 1);
        while (net.Admit(request, ref rng) < 0) { } // unreliable: 10% are dropped
        net.Disconnect(1);
        Assert.True(net.Deliverable(request));
        Assert.Equal(1, net.RpcCount(1));
    }

    [Fact]
    public void Labrpc_AReplyIsDropped_IfTheLinkIsDownWhenTheHandlerReturns()
    {
        SimNetwork net = Net(reliable: true, labrpc: true);
        var rng = new Rng(3);
        net.Disconnect(1);
        long bytes = net.BytesTotal;
        Assert.Equal(-1, net.Admit(Reply(1, 0), ref rng));
        Assert.Equal(bytes, net.BytesTotal); // a suppressed reply is not counted
    }

    [Fact]
    public void Labrpc_ARequestToADisabledEnd_IsCountedButNeverHandled()
    {
        SimNetwork net = Net(reliable: true, labrpc: true);
        var rng = new Rng(4);
        net.Disconnect(2);
        Assert.Equal(-1, net.Admit(Request(0, 2), ref rng));
        Assert.Equal(1, net.RpcTotal);
        Assert.True(net.BytesTotal > 0);
        Assert.Equal(0, net.RpcCount(2));
    }

    [Fact]
    public void TheLab_UsesLabrpcDelivery()
    {
        var cfg = new LabConfig(3, unreliable: true, snapshot: false, seed: 1, log: _ => { });
        Assert.True(cfg.World.Network.Options.LabrpcDelivery);
    }

    // ---- 4. go test -v lines ----

    [Fact]
    public void RunVerbose_PrintsGoTestLines_InVirtualSeconds_TheSameForTheSameSeed()
    {
        var a = new List<string>();
        var b = new List<string>();
        LabOutcome oa = LabSuite.RunVerbose(LabSuite.Get("TestBasicAgree2B"), 4, a.Add);
        LabSuite.RunVerbose(LabSuite.Get("TestBasicAgree2B"), 4, b.Add);
        Assert.Equal(a, b);
        Assert.True(oa.Passed);
        Assert.Equal("=== RUN   TestBasicAgree2B (seed 4)", a[0]);
        Assert.Equal("Test (2B): basic agreement ...", a[1]);
        Assert.StartsWith("  ... Passed --", a[2]);
        Assert.Matches(new Regex(@"^--- PASS: TestBasicAgree2B \(\d+\.\d\ds\)$"), a[^1]);
    }

    [Fact]
    public void RunVerbose_AFailurePrintsFailThenTheMessage_AsGoDoes()
    {
        var lines = new List<string>();
        LabOutcome o = LabSuite.RunVerbose(LabSuite.Get("TestSnapshotInit2D"), 1, lines.Add, LabVariants.ForgetsSnapshotOnRestart);
        Assert.False(o.Passed);
        string[] all = string.Join('\n', lines).Split('\n');
        Assert.Equal("=== RUN   TestSnapshotInit2D (seed 1)", all[0]);
        int fail = Array.FindIndex(all, l => l.StartsWith("--- FAIL", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"^--- FAIL: TestSnapshotInit2D \(\d+\.\d\ds\)$"), all[fail]);
        // Go: "--- FAIL: TestX (0.12s)", then the test's messages, each indented by four spaces
        Assert.StartsWith("    TestSnapshotInit2D failed with seed 1", all[fail + 1]);
        Assert.All(all[(fail + 1)..], l => Assert.StartsWith("    ", l));
        Assert.Contains(all[(fail + 1)..], l => l.StartsWith("      reproduce: dotnet raftverify lab 2D --test TestSnapshotInit2D --seed 1", StringComparison.Ordinal));
        Assert.DoesNotContain(all[..fail], l => l.Contains("failed with seed", StringComparison.Ordinal));
        Assert.True(o.VirtualSeconds > 0);
    }

    [Fact]
    public void AFailingTestsNodeLines_SayEmptyLogNotSnapshot_WhenTheLogIsEmpty()
    {
        using World empty = Raft.Properties.Model.WorldHarness.Started(3, 1);
        string dump = LabSuite.DumpNodes(empty);
        Assert.Equal(3, dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("(snapshot)", dump, StringComparison.Ordinal);
        Assert.Contains("node 0: Follower term 0 commit 0 applied 0 last 0 (empty log)", dump, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailingTestsNodeLines_SaySnapshot_OnlyWhenTheLastEntryIsTheSnapshots()
    {
        // each node's last entry: in its log ("13/t2"), the snapshot's last ("9/t2 (snapshot)"), or none
        LabOutcome failing = LabSuite.RunTraced(LabSuite.Get("TestSnapshotInit2D"), 1, factory: LabVariants.ForgetsSnapshotOnRestart);
        string[] nodes = failing.Failure!.Message.Split('\n').Where(l => l.StartsWith("  node ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, nodes.Length);
        Assert.All(nodes, l => Assert.Matches(new Regex(@" last (\d+/t\d+( \(snapshot\))?|0 \(empty log\))( disconnected)?$"), l));
    }
}
