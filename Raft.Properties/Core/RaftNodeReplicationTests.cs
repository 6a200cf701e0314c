using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Tracking;

namespace Raft.Properties.Core;

/// <summary>Specifications of <see cref="RaftNode"/> log replication and commitment (§5.3, §5.4.2,
/// Figure 8), persistence and restart (Figure 2), and log compaction with InstallSnapshot (§7).</summary>
public sealed class RaftNodeReplicationTests
{
    private static PersistedState State(long term, params long[] logTerms) => new() { Term = term, Entries = Msg.Entries(logTerms) };

    private static void Heartbeat(TestCluster c, int leader)
    {
        c.Tick(leader, c.Options.HeartbeatTicks);
        c.DeliverAll();
    }

    /// <summary>Elects node 0 and commits <paramref name="n"/> commands "c1".."cn" on every live node.</summary>
    private static TestCluster ClusterWithCommitted(int size, int n)
    {
        var c = new TestCluster(size);
        RaftNode leader = c.ElectLeader(0);
        for (int i = 1; i <= n; i++) leader.Propose(TestCluster.Cmd($"c{i}"));
        c.DeliverAll();
        Heartbeat(c, 0);
        return c;
    }

    private static void AssertSameLog(RaftNode expected, RaftNode actual)
    {
        Assert.Equal(expected.Log.LastIndex, actual.Log.LastIndex);
        for (long i = Math.Max(expected.Log.FirstIndex, actual.Log.FirstIndex); i <= expected.Log.LastIndex; i++)
        {
            Assert.Equal(expected.Log.At(i).Term, actual.Log.At(i).Term);
            Assert.Equal(expected.Log.At(i).Command, actual.Log.At(i).Command);
        }
    }

    // ---- replication and commitment ----

    [Fact]
    public void Leader_AppendsAProposalAtTheNextIndexWithItsCurrentTerm_5_3()
    {
        var c = new TestCluster(3);
        RaftNode leader = c.ElectLeader(0);
        Assert.Equal(new ProposeResult(1, 1, true), leader.Propose(TestCluster.Cmd("a")));
        Assert.Equal(new ProposeResult(2, 1, true), leader.Propose(TestCluster.Cmd("b")));
        Assert.Equal(1, leader.Log.At(2).Term);
        List<Message> sent = c.Collect(0);
        Assert.Contains(sent, m => m.Type == MessageType.AppendEntries && m.To == 1 && m.EntryCount > 0 && m.Index == 0);
    }

    [Fact]
    public void Leader_CommitsAnEntryOnlyOnceAMajorityStoresItAndFollowersLearnTheCommitIndex_5_3()
    {
        var c = new TestCluster(5);
        RaftNode leader = c.ElectLeader(0);
        c.Down[2] = c.Down[3] = c.Down[4] = true;
        Assert.Equal(1, leader.Propose(TestCluster.Cmd("x")).Index);
        c.DeliverAll();
        Heartbeat(c, 0);
        Assert.Equal(1, c.Nodes[1].Log.LastIndex); // stored on 2 of 5: not committed
        Assert.Equal(0, leader.CommitIndex);
        Assert.Empty(c.Applied[0]);

        c.Down[2] = false;
        Heartbeat(c, 0); // the heartbeat carries the entry to node 2: now 3 of 5
        Assert.Equal(1, leader.CommitIndex);
        Assert.Equal("x", TestCluster.Text(Assert.Single(c.Applied[0]).Entry));

        Heartbeat(c, 0); // leaderCommit reaches the followers
        foreach (int f in new[] { 1, 2 })
        {
            Assert.Equal(1, c.Nodes[f].CommitIndex);
            Assert.Equal((1L, "x"), c.Applied[f].Select(a => (a.Index, TestCluster.Text(a.Entry))).Single());
        }
        Assert.Equal(0, c.Nodes[3].Log.LastIndex);
    }

    [Fact]
    public void AppendEntries_DelayedDuplicateDoesNotTruncateTheFollowersLog_Figure2Step3()
    {
        var node = new RaftNode(0, 3, 1, null, new PersistedState { Term = 1 });
        Entry[] entries = Msg.Entries(1, 1, 1);
        node.Step(Msg.Append(1, 0, 1, 0, 0, entries));
        ReadyView.Take(node);
        node.Step(Msg.Append(1, 0, 1, 0, 0, entries[..1])); // the first, shorter request arrives late
        Message reply = Assert.Single(ReadyView.Take(node).Messages);
        Assert.False(reply.Reject);
        Assert.Equal(3, node.Log.LastIndex);
        Assert.Same(entries[2].Command, node.Log.At(3).Command);
    }

    [Fact]
    public void Leader_BacksUpNextIndexAndOverwritesAFollowersConflictingEntries_5_3_LogMatching()
    {
        var c = new TestCluster(3, states: [State(3, 1, 1, 3), State(2, 1, 1, 2, 2, 2), State(3, 1, 1, 3)]);
        RaftNode leader = c.ElectLeader(0);
        Assert.Equal(4, leader.Term);
        // the first heartbeat was rejected at index 3 (term 2 there) and nextIndex backed up past it
        Assert.Contains(c.History, m => m.Type == MessageType.AppendEntriesResponse && m.From == 1 && m.Reject && m.Index == 3 && m.LogTerm == 2);
        Assert.Equal(3, c.Nodes[1].Log.LastIndex);
        Assert.Equal(3, c.Nodes[1].Log.TermAt(3));

        leader.Propose(TestCluster.Cmd("x"));
        c.DeliverAll();
        Heartbeat(c, 0);
        foreach (int f in new[] { 1, 2 })
        {
            AssertSameLog(leader, c.Nodes[f]);
            Assert.Equal(4, c.Nodes[f].CommitIndex);
            // the durable copy was repaired as well (truncation reached the disk through the Ready)
            Assert.Equal(new long[] { 1, 1, 3, 4 }, c.Disks[f].Entries.Select(e => e.Term));
        }
    }

    [Theory]
    [InlineData(new long[] { 4, 4, 4 }, new long[] { 4, 3, 1 })]       // leader has the conflict term: skip past its last entry of it
    [InlineData(new long[] { 4, 5, 5, 5, 5 }, new long[] { 4, 1 })]    // leader lacks the conflict term: go to the follower's first index of it
    [InlineData(new long[] { 4 }, new long[] { 4, 1 })]                // follower too short: go to its length
    public void Leader_BacksUpAWholeConflictingTermPerRejection_5_3_FastBackup(long[] followerLog, long[] expectedPrevIndexes)
    {
        var c = new TestCluster(3, states: [State(6, 4, 6, 6, 6), State(6, 4, 6, 6, 6), State(5, followerLog)]);
        RaftNode leader = c.ElectLeader(0);
        long[] prevs = c.History.Where(m => m.Type == MessageType.AppendEntries && m.To == 2).Select(m => m.Index).ToArray();
        Assert.Equal(expectedPrevIndexes, prevs);
        AssertSameLog(leader, c.Nodes[2]);
    }

    // ---- Figure 8 ----

    /// <summary>
    /// Figure 8 (c): S0 leads term 4 with [1, 2]; S4 holds [1, 3] from term 3 and is cut off.
    /// S0 replicates its term-2 entry to a majority (S0..S3).
    /// </summary>
    private static TestCluster Figure8c()
    {
        var c = new TestCluster(5, states: [State(3, 1, 2), State(3, 1, 2), State(3, 1), State(3, 1), State(3, 1, 3)]);
        c.Down[4] = true;
        RaftNode leader = c.ElectLeader(0);
        Assert.Equal(4, leader.Term);
        Heartbeat(c, 0);
        for (int i = 0; i < 4; i++) Assert.Equal(2, c.Nodes[i].Log.TermAt(2));
        for (int i = 1; i < 4; i++) Assert.Equal(2, leader.ProgressOf(i).Match);
        return c;
    }

    [Fact]
    public void Leader_DoesNotCommitPreviousTermEntryByCountingReplicas_Figure8()
    {
        TestCluster c = Figure8c();
        RaftNode s0 = c.Nodes[0];
        for (int i = 0; i < 5; i++) Heartbeat(c, 0);
        Assert.Equal(0, s0.CommitIndex); // index 2 (term 2) is on 4 of 5 servers, yet not committed
        Assert.All(c.Applied, applied => Assert.Empty(applied));

        // Why: S0 crashes, S4 (last term 3) can still win and overwrite index 2 everywhere.
        c.Down[0] = true;
        c.Down[4] = false;
        for (int attempt = 0; attempt < 4 && c.Nodes[4].Role != Role.Leader; attempt++) c.Campaign(4);
        RaftNode s4 = c.Nodes[4];
        Assert.Equal(Role.Leader, s4.Role);
        Assert.True(s4.Term >= 5);
        Heartbeat(c, 4);
        for (int i = 1; i < 5; i++) Assert.Equal(3, c.Nodes[i].Log.TermAt(2));

        s4.Propose(TestCluster.Cmd("y"));
        c.DeliverAll();
        Heartbeat(c, 4);
        Assert.Equal(3, s4.CommitIndex);
        // State Machine Safety: nobody ever applied the overwritten term-2 entry at index 2
        Assert.All(c.Applied, applied => Assert.DoesNotContain(applied, a => a.Index == 2 && a.Entry.Term == 2));
        Assert.Contains(c.Applied[1], a => a.Index == 2 && a.Entry.Term == 3);
    }

    [Fact]
    public void Leader_CommitsPreviousTermEntriesIndirectlyWithAnEntryOfItsOwnTerm_5_4_2_Figure8e()
    {
        TestCluster c = Figure8c();
        RaftNode s0 = c.Nodes[0];
        Assert.Equal(3, s0.Propose(TestCluster.Cmd("x")).Index);
        c.DeliverAll();
        Assert.Equal(3, s0.CommitIndex);
        Assert.Equal(new long[] { 1, 2, 3 }, c.Applied[0].Select(a => a.Index));
        Assert.Equal(new long[] { 1, 2, 4 }, c.Applied[0].Select(a => a.Entry.Term));

        // Now S4 can never be elected: a majority's log ends in term 4.
        c.Down[0] = true;
        c.Down[4] = false;
        for (int attempt = 0; attempt < 3; attempt++) c.Campaign(4);
        Assert.NotEqual(Role.Leader, c.Nodes[4].Role);
        for (int i = 1; i < 4; i++) Assert.Equal(2, c.Nodes[i].Log.TermAt(2));
    }

    // ---- persistence and restart ----

    [Fact]
    public void Restart_FromPersistedStateKeepsTermVoteAndLog_Figure2PersistentState()
    {
        TestCluster c = ClusterWithCommitted(3, 3);
        RaftNode before = c.Nodes[1];
        Assert.Equal(3, before.CommitIndex);

        RaftNode after = c.Restart(1);
        Assert.Equal(before.Term, after.Term);
        Assert.Equal(0, after.VotedFor);
        Assert.Equal(Role.Follower, after.Role);
        AssertSameLog(before, after);
        Assert.Equal(0, after.CommitIndex); // commitIndex is volatile (Figure 2)

        // the persisted vote still binds: no second vote in term 1
        after.Step(Msg.Vote(2, 1, term: 1, lastIndex: 3, lastTerm: 1));
        Assert.True(Assert.Single(c.Collect(1)).Reject);

        // the leader's next heartbeat restores commitIndex; the service re-applies from the start
        c.Applied[1].Clear();
        Heartbeat(c, 0);
        Assert.Equal(3, after.CommitIndex);
        Assert.Equal(new[] { "c1", "c2", "c3" }, c.Applied[1].Select(a => TestCluster.Text(a.Entry)));

        RaftNode oldLeader = c.Nodes[0];
        RaftNode restartedLeader = c.Restart(0);
        Assert.Equal((1L, false), restartedLeader.GetState());
        Assert.Equal(0, restartedLeader.VotedFor);
        AssertSameLog(oldLeader, restartedLeader);
    }

    // ---- snapshots (§7) ----

    [Fact]
    public void Snapshot_CompactsTheLogAndTheNextReadyCarriesTheSnapshot_7()
    {
        TestCluster c = ClusterWithCommitted(3, 5);
        RaftNode leader = c.Nodes[0];
        Assert.Equal(5, leader.Applied);
        byte[] data = TestCluster.Cmd("state through 3");
        leader.Snapshot(3, data);
        Assert.Equal(3, leader.Log.SnapshotIndex);
        Assert.Equal(1, leader.Log.SnapshotTerm);
        Assert.Equal(4, leader.Log.FirstIndex);
        Assert.Equal(5, leader.Log.LastIndex);

        ReadyView? ready = null;
        c.Collect(0, r => ready = ReadyView.Of(r));
        Assert.NotNull(ready);
        Assert.True(ready.HasSnapshot);
        Assert.True(ready.MustPersist);
        Assert.False(ready.SnapshotToApply); // the service made this snapshot itself
        Assert.Equal((3L, 1L), (ready.SnapshotIndex, ready.SnapshotTerm));
        Assert.Same(data, ready.SnapshotData);
        Assert.Equal(3, c.Disks[0].SnapshotIndex);
        Assert.Equal(2, c.Disks[0].Entries.Count);

        leader.Snapshot(2, TestCluster.Cmd("older")); // at or below the snapshot: ignored
        Assert.False(leader.HasReady);
        Assert.Same(data, leader.SnapshotData);
        Assert.Throws<ArgumentOutOfRangeException>(() => leader.Snapshot(6, data)); // not applied yet

        RaftNode restarted = c.Restart(0);
        Assert.Equal(3, restarted.Log.SnapshotIndex);
        Assert.Equal(3, restarted.Applied);
        Assert.Equal(5, restarted.Log.LastIndex);
        Assert.Same(data, restarted.SnapshotData);
    }

    [Fact]
    public void LaggingFollower_ReceivesInstallSnapshotAndItsReadyHasSnapshotToApply_7()
    {
        var c = new TestCluster(3);
        RaftNode leader = c.ElectLeader(0);
        c.Down[2] = true;
        for (int i = 1; i <= 5; i++) leader.Propose(TestCluster.Cmd($"c{i}"));
        c.DeliverAll();
        Heartbeat(c, 0);
        Assert.Equal(5, leader.Applied);
        byte[] data = TestCluster.Cmd("state through 4");
        leader.Snapshot(4, data);
        c.Collect(0);

        var readies = new List<ReadyView>();
        c.OnReady = (id, r) => { if (id == 2) readies.Add(r); };
        c.Down[2] = false;
        Heartbeat(c, 0);

        Message install = Assert.Single(c.History, m => m.Type == MessageType.InstallSnapshot);
        Assert.Equal((2, 4L, 1L), (install.To, install.Index, install.LogTerm));
        Assert.Same(data, install.Data);

        ReadyView snap = Assert.Single(readies, r => r.SnapshotToApply);
        Assert.True(snap.HasSnapshot);
        Assert.Equal((4L, 1L), (snap.SnapshotIndex, snap.SnapshotTerm));
        Assert.Equal(data, snap.SnapshotData);
        Assert.Empty(snap.CommittedEntries); // the snapshot is applied before any later entry
        Assert.Equal(new long[] { 4 }, c.SnapshotsApplied[2]);

        RaftNode follower = c.Nodes[2];
        Assert.Equal(4, follower.Log.SnapshotIndex);
        AssertSameLog(leader, follower);
        Assert.Equal(5, follower.CommitIndex);
        Assert.Equal((5L, "c5"), c.Applied[2].Select(a => (a.Index, TestCluster.Text(a.Entry))).Single());
        Assert.Equal(ProgressState.Replicate, leader.ProgressOf(2).State);
        Assert.Equal(5, leader.ProgressOf(2).Match);
        Assert.Equal(4, c.Disks[2].SnapshotIndex);
    }

    [Fact]
    public void InstallSnapshot_NotBeyondTheCommitIndexIsIgnored_7()
    {
        var node = new RaftNode(0, 3, 1, null, new PersistedState { Term = 1 });
        node.Step(Msg.Append(1, 0, 1, 0, 0, Msg.Entries(1, 1, 1, 1, 1), commit: 5));
        ReadyView.Take(node);
        Assert.Equal(5, node.Applied);

        node.Step(new Message { Type = MessageType.InstallSnapshot, From = 1, To = 0, Term = 1, Index = 3, LogTerm = 1, Data = [1] });
        ReadyView r = ReadyView.Take(node);
        Assert.False(r.SnapshotToApply);
        Assert.False(r.HasSnapshot);
        Assert.Equal(0, node.Log.SnapshotIndex);
        Message reply = Assert.Single(r.Messages);
        Assert.Equal(MessageType.InstallSnapshotResponse, reply.Type);
        Assert.Equal(5, reply.Index);
    }
}
