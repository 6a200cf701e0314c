using Raft.Model.Contract;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Properties.Model;

/// <summary>The simulated world: determinism, the labrpc fault model, disks and crashes, the tester's timing bounds.</summary>
public sealed class WorldTests
{
    private static string Script(ulong seed, bool reliable)
    {
        World w = WorldHarness.Started(5, seed, reliable);
        int leader = WorldHarness.RunUntilLeader(w);
        for (int k = 0; k < 30; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 300);
        w.Network.Disconnect(leader);
        w.Crash((leader + 1) % 5);
        w.RunUntil(w.Now + 2000);
        w.Start((leader + 1) % 5);
        w.Network.Connect((leader + 1) % 5);
        w.Network.Connect(leader);
        w.RunUntil(w.Now + 3000);
        Assert.Null(w.Violation);
        return WorldHarness.Fingerprint(w);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SameSeedAndScript_GiveAnIdenticalRun(bool reliable)
    {
        Assert.Equal(Script(7, reliable), Script(7, reliable));
        Assert.NotEqual(Script(7, reliable), Script(8, reliable));
    }

    [Fact]
    public void ALeaderAppears_AndEveryFollowerLearnsIt()
    {
        World w = WorldHarness.Started(3, 1);
        int leader = WorldHarness.RunUntilLeader(w);
        Assert.InRange(leader, 0, 2);
        w.RunUntil(w.Now + 500);
        long term = w.Node(leader)!.Term;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(term, w.Node(i)!.Term);
            Assert.Equal(leader, w.Node(i)!.Status!.Leader); // the world builds the core's node by default, which reports its status
        }
    }

    [Fact]
    public void Heartbeats_AtMostTenPerSecondPerFollower()
    {
        World w = WorldHarness.Started(3, 3);
        int leader = WorldHarness.RunUntilLeader(w);
        w.RunUntil(w.Now + 1000);
        long[] before = Enumerable.Range(0, 3).Select(i => w.Network.RpcCount(i)).ToArray();
        w.RunUntil(w.Now + 10_000);
        Assert.Equal(leader, WorldHarness.RunUntilLeader(w));
        for (int i = 0; i < 3; i++)
        {
            if (i == leader) continue;
            long received = w.Network.RpcCount(i) - before[i];
            Assert.InRange(received, 90, 101); // about 10 per second, never more
        }
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void ANewLeader_WithinFiveSecondsOfLosingTheOld(ulong seed)
    {
        World w = WorldHarness.Started(5, seed);
        int old = WorldHarness.RunUntilLeader(w);
        w.Network.Disconnect(old);
        long lost = w.Now;
        int next = WorldHarness.RunUntilLeader(w, 5000, i => i != old);
        Assert.NotEqual(-1, next);
        Assert.True(w.Now - lost <= 5000, $"took {w.Now - lost} ms");
    }

    [Fact]
    public void DisconnectedNode_ReceivesNothing_ButItsRequestsAreStillCounted()
    {
        World w = WorldHarness.Started(3, 4);
        w.Network.Disconnect(2);
        long bytesBefore = w.Network.BytesTotal;
        w.RunUntil(w.Now + 3000);
        Assert.Equal(0, w.Network.RpcCount(2));
        Assert.True(w.Network.BytesTotal > bytesBefore);
        Assert.True(w.Node(2)!.Term > 1, "the isolated node keeps campaigning");
    }

    [Fact]
    public void OneWayCut_DropsOnlyThatDirection()
    {
        World w = WorldHarness.Started(3, 5);
        int leader = WorldHarness.RunUntilLeader(w);
        int f = (leader + 1) % 3;
        w.Network.SetLink(leader, f, false);
        long before = w.Network.RpcCount(f);
        long leaderBefore = w.Network.RpcCount(leader);
        w.RunUntil(w.Now + 2000);
        Assert.Equal(before, w.Network.RpcCount(f)); // nothing from the leader reaches f …
        Assert.True(w.Network.RpcCount(leader) > leaderBefore); // … but f's vote requests reach the leader
        Assert.Null(w.Violation);
    }

    [Fact]
    public void UnreliableNetwork_DropsAboutOneRequestInTen()
    {
        World w = WorldHarness.Started(3, 6, reliable: false);
        WorldHarness.RunUntilLeader(w);
        long sent0 = w.Network.RpcTotal, dropped0 = w.Network.MessagesDropped;
        w.RunUntil(w.Now + 60_000);
        double sent = w.Network.RpcTotal - sent0;
        double dropped = w.Network.MessagesDropped - dropped0;
        // requests and (10% of) replies are both dropped: about 0.1 + 0.9*0.1 of requests lose a message
        Assert.InRange(dropped / sent, 0.14, 0.24);
    }

    [Fact]
    public void Duplication_DeliversSomeMessagesTwice_AndSafetyHolds()
    {
        World w = WorldHarness.Started(3, 9, duplicatePerThousand: 300);
        int leader = WorldHarness.RunUntilLeader(w);
        for (int k = 0; k < 50; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 3000);
        Assert.True(w.Network.MessagesDuplicated > 10);
        Assert.Null(w.Violation);
        for (int i = 0; i < 3; i++) Assert.Equal(50, w.Appliers[i].LastApplied);
    }

    [Fact]
    public void Crash_KeepsOnlyWhatWasPersisted()
    {
        World w = WorldHarness.Started(3, 10);
        int leader = WorldHarness.RunUntilLeader(w);
        for (int k = 0; k < 5; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 500);
        IRaftNode before = w.Node(leader)!;
        (long term, int vote, long last, long commit) = (before.Term, before.VotedFor, before.LastIndex, before.CommitIndex);
        Assert.Equal(5, commit);
        w.Restart(leader);
        IRaftNode after = w.Node(leader)!;
        Assert.Equal(term, after.Term);
        Assert.Equal(vote, after.VotedFor);
        Assert.Equal(last, after.LastIndex);
        Assert.Equal(0, after.CommitIndex); // volatile (Figure 2): relearned from the leader
        Assert.Equal(Role.Follower, after.Role);
    }

    [Fact]
    public void CrashBetweenPersistAndSend_TheVoteIsDurableButTheReplyIsLost()
    {
        World w = WorldHarness.Started(3, 12);
        // let node 0 time out first: cut it off until it campaigns, then arm the voters
        w.Network.Disconnect(1);
        w.Network.Disconnect(2);
        w.RunUntil(w.Now + 2000);
        long before = w.Node(1)!.Term;
        w.CrashAfterNextPersist(1);
        w.Network.Connect(1);
        w.Network.Connect(2);
        w.RunUntil(w.Now + 2000);
        Assert.Equal(1, w.Crashes);
        Assert.False(w.IsUp(1));
        Assert.True(w.Disks[1].Term > before, "what node 1 persisted before crashing survives on its disk");
        w.Start(1);
        Assert.Equal(w.Disks[1].Term, w.Node(1)!.Term);
        Assert.Equal(w.Disks[1].VotedFor, w.Node(1)!.VotedFor);
    }

    [Fact]
    public void SnapshotService_CompactsTheDurableLog()
    {
        World w = WorldHarness.Started(3, 13, snapshot: true);
        int leader = WorldHarness.RunUntilLeader(w);
        for (int k = 0; k < 95; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 1000);
        Assert.Null(w.Violation);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(89, w.Disks[i].SnapshotIndex); // indexes 9, 19, …, 89
            Assert.Equal(95 - 89, w.Disks[i].Entries.Count);
            Assert.True(w.Disks[i].RaftStateSize() < 200);
        }
    }

    [Fact]
    public void RestartWithSnapshot_ServiceResumesAfterTheSnapshot()
    {
        World w = WorldHarness.Started(3, 14, snapshot: true);
        int leader = WorldHarness.RunUntilLeader(w);
        for (int k = 0; k < 25; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 1000);
        int f = (leader + 1) % 3;
        w.Restart(f);
        Assert.Equal(19, w.Appliers[f].LastApplied);
        Assert.Equal(19, w.Node(f)!.Applied);
        w.Network.Connect(f);
        w.RunUntil(w.Now + 1000);
        Assert.Equal(25, w.Appliers[f].LastApplied);
        Assert.Null(w.Violation);
    }

    [Fact]
    public void LaggingFollower_CatchesUpByInstallSnapshot()
    {
        World w = WorldHarness.Started(3, 15, snapshot: true);
        int leader = WorldHarness.RunUntilLeader(w);
        int f = (leader + 1) % 3;
        w.Network.Disconnect(f);
        for (int k = 0; k < 40; k++) w.Propose(leader, Commands.Int(k));
        w.RunUntil(w.Now + 500);
        Assert.Equal(0, w.Appliers[f].LastApplied);
        w.Network.Connect(f);
        w.RunUntil(w.Now + 1000);
        Assert.Equal(1, w.Appliers[f].SnapshotsInstalled);
        Assert.Equal(40, w.Appliers[f].LastApplied);
        Assert.Null(w.Violation);
    }

    [Fact]
    public void BadOptions_AreRejectedWithAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => new World(new WorldOptions { Nodes = 0 }));
        Assert.Contains("1 to 64 nodes", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new World(new WorldOptions { Raft = new RaftOptions { ElectionTicks = 5, HeartbeatTicks = 10 } }));
        Assert.Contains("must exceed HeartbeatTicks", e2.Message);
    }

    [Fact]
    public void AnAdversarialWorld_IsShapedByItsOptionsAlone_AllowedFaultsAndTheTermBound()
    {
        var w = new World(new WorldOptions
        {
            Mode = WorldMode.Adversarial,
            Nodes = 3,
            Seed = 1,
            Network = Raft.Model.Network.NetworkOptions.Adversarial(),
            Proposals = 1,
            Faults = FaultBudget.Default,
            FaultKinds = FaultKinds.Crash,
            SnapshotSteps = false,
            MaxCandidateTerm = 1,
        });
        var enabled = new List<Raft.Model.Events.EnabledEvent>();
        w.ListEnabled(enabled);
        Assert.Equal(3, enabled.Count(e => e.Kind == Raft.Model.Events.EventKind.Crash));
        Assert.DoesNotContain(enabled, e => e.Kind is Raft.Model.Events.EventKind.Partition or Raft.Model.Events.EventKind.Snapshot);
        Assert.Equal([0, 1, 2], enabled.Where(e => e.Kind == Raft.Model.Events.EventKind.Timeout).Select(e => e.Node));
        w.Execute(new Raft.Model.Events.EnabledEvent(Raft.Model.Events.EventKind.Timeout, 0), _ => 0); // node 0 campaigns in term 1
        w.ListEnabled(enabled);
        Assert.Contains(enabled, e => e.Kind == Raft.Model.Events.EventKind.Deliver);
        Assert.DoesNotContain(enabled, e => e.Kind == Raft.Model.Events.EventKind.Timeout && e.Node == 0); // at the term bound
        Assert.DoesNotContain(enabled, e => e.Kind is Raft.Model.Events.EventKind.Drop or Raft.Model.Events.EventKind.Duplicate);
    }

    [Fact]
    public void RequestBytes_AreCountedAtSend_ReplyBytesOnlyWhenDelivered()
    {
        World w = WorldHarness.Started(3, 16);
        int leader = WorldHarness.RunUntilLeader(w);
        w.RunUntil(w.Now + 150);
        for (int i = 0; i < 3; i++) if (i != leader) w.Network.Disconnect(i);
        long bytes0 = w.Network.BytesTotal;
        w.RunUntil(w.Now + 101); // exactly one heartbeat round to two unreachable followers
        var heartbeat = new Message { Type = MessageType.AppendEntries, From = leader, To = (leader + 1) % 3, Term = w.Node(leader)!.Term, Index = 0, LogTerm = 0 };
        Assert.Equal(2 * Raft.Core.Encoding.RaftCodec.EncodedSize(heartbeat), w.Network.BytesTotal - bytes0);
    }
}
