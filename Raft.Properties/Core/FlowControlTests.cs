using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Core;

/// <summary>
/// The opt-in message patterns of <see cref="RaftOptions"/>: snapshot flow control
/// (<see cref="RaftOptions.SnapshotRetryTicks"/>), the commit broadcast
/// (<see cref="RaftOptions.BroadcastCommit"/>) and caller-pooled entry arrays
/// (<see cref="RaftOptions.EntryArrayPool"/>), each against the default.
/// </summary>
public sealed class FlowControlTests
{
    private static int Count(TestCluster c, MessageType type, int to) => c.History.Count(m => m.Type == type && m.To == to);

    /// <summary>A 3-node cluster whose leader (0) compacted through 4 while follower 2 was down; follower 2 is back and every InstallSnapshot to it is lost.</summary>
    private static TestCluster LaggingFollowerLosingSnapshots(int snapshotRetryTicks)
    {
        var c = new TestCluster(3, options: new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 3, SnapshotRetryTicks = snapshotRetryTicks });
        RaftNode leader = c.ElectLeader(0);
        c.Down[2] = true;
        for (int i = 1; i <= 5; i++) leader.Propose(TestCluster.Cmd($"c{i}"));
        c.DeliverAll();
        Assert.Equal(5, leader.Applied);
        leader.Snapshot(4, TestCluster.Cmd("state through 4"));
        c.Collect(0);
        c.Down[2] = false;
        c.Drop = m => m.Type == MessageType.InstallSnapshot;
        return c;
    }

    private static void TickLeader(TestCluster c, int ticks)
    {
        for (int t = 0; t < ticks; t++)
        {
            c.Tick(0);
            c.DeliverAll();
        }
    }

    [Fact]
    public void WithoutFlowControl_EveryHeartbeatSendsTheSnapshotAgain()
    {
        TestCluster c = LaggingFollowerLosingSnapshots(snapshotRetryTicks: 0);
        TickLeader(c, 30); // 10 heartbeats
        Assert.Equal(10, Count(c, MessageType.InstallSnapshot, 2));
    }

    [Fact]
    public void WithFlowControl_TheSnapshotIsSentOnceAndAgainOnlyAfterTheTimeout()
    {
        TestCluster c = LaggingFollowerLosingSnapshots(snapshotRetryTicks: 20);
        TickLeader(c, 3); // first heartbeat: the snapshot goes out
        Assert.Equal(1, Count(c, MessageType.InstallSnapshot, 2));
        int appendsBefore = Count(c, MessageType.AppendEntries, 2), historyBefore = c.History.Count;
        TickLeader(c, 19); // six more heartbeats within the timeout: paused
        Assert.Equal(1, Count(c, MessageType.InstallSnapshot, 2));
        Assert.Equal(appendsBefore + 6, Count(c, MessageType.AppendEntries, 2)); // they still reach the follower, without entries
        Assert.All(c.History.Skip(historyBefore).Where(m => m.Type == MessageType.AppendEntries && m.To == 2), m => Assert.Equal(0, m.EntryCount));
        Assert.Equal(Role.Follower, c.Nodes[2].Role);

        TickLeader(c, 2); // the 20th tick after sending falls due with the 24th heartbeat tick: sent again
        Assert.Equal(2, Count(c, MessageType.InstallSnapshot, 2));

        c.Drop = null; // the network heals: the next retry installs it and the follower catches up
        TickLeader(c, 30);
        Assert.Equal(3, Count(c, MessageType.InstallSnapshot, 2));
        Assert.Equal(4, c.Nodes[2].Log.SnapshotIndex);
        Assert.Equal(5, c.Nodes[2].CommitIndex);
        TickLeader(c, 30); // in sync: no more snapshots
        Assert.Equal(3, Count(c, MessageType.InstallSnapshot, 2));
    }

    [Fact]
    public void WithFlowControl_AReportedFailureSendsTheSnapshotAgainAtOnce()
    {
        TestCluster c = LaggingFollowerLosingSnapshots(snapshotRetryTicks: 20);
        TickLeader(c, 3);
        Assert.Equal(1, Count(c, MessageType.InstallSnapshot, 2));
        // the follower answers below the snapshot: it did not install it
        c.Nodes[0].Step(new Message { Type = MessageType.InstallSnapshotResponse, From = 2, To = 0, Term = c.Nodes[0].Term, Index = 1 });
        c.Collect(0);
        Assert.Equal(2, Count(c, MessageType.InstallSnapshot, 2));
    }

    [Fact]
    public void BroadcastCommit_FollowersLearnTheCommitIndexAtOnceWithEightMessagesPerEntry()
    {
        foreach (bool broadcast in new[] { false, true })
        {
            var c = new TestCluster(3, options: new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 3, BroadcastCommit = broadcast });
            RaftNode leader = c.ElectLeader(0);
            int before = c.History.Count;
            leader.Propose(TestCluster.Cmd("x"));
            c.DeliverAll();
            Assert.Equal(1, leader.CommitIndex);
            Assert.Equal(broadcast ? 8 : 4, c.History.Count - before);
            for (int f = 1; f <= 2; f++)
            {
                Assert.Equal(broadcast ? 1 : 0, c.Nodes[f].CommitIndex);
                Assert.Equal(broadcast ? 1 : 0, c.AppliedIndex[f]);
            }
        }
    }

    private sealed class CountingPool : IEntryArrayPool
    {
        public readonly List<Entry[]> Rented = new();
        public Entry[] Rent(int length)
        {
            var a = new Entry[length];
            Rented.Add(a);
            return a;
        }
    }

    [Fact]
    public void EntryArrayPool_SuppliesEveryNonEmptyAppendArray()
    {
        var pool = new CountingPool();
        var c = new TestCluster(3, options: new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 3, EntryArrayPool = pool });
        RaftNode leader = c.ElectLeader(0);
        leader.Propose(TestCluster.Cmd("a"));
        leader.Propose([TestCluster.Cmd("b"), TestCluster.Cmd("c")]);
        c.DeliverAll();
        var withEntries = c.History.Where(m => m.EntryCount > 0).ToList();
        Assert.NotEmpty(withEntries);
        Assert.Equal(withEntries.Count, pool.Rented.Count);
        Assert.All(withEntries, m => Assert.Contains(pool.Rented, a => ReferenceEquals(a, m.Entries)));
        for (int f = 1; f <= 2; f++) Assert.Equal(3, c.Nodes[f].LastIndex);
    }
}
