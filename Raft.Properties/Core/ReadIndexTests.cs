using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Core;

/// <summary>
/// Specifications of reads outside the log (Raft thesis §6.4): ReadIndex confirms leadership with
/// a round of heartbeats a majority acknowledges and waits for an entry of the leader's term to be
/// committed; leases (§6.4.1) skip the round while a majority acknowledged one recently enough, and
/// make followers ignore vote requests for an election timeout after hearing a leader.
/// </summary>
public sealed class ReadIndexTests
{
    private static readonly RaftOptions Opts = new() { ElectionTicks = 10, HeartbeatTicks = 3 };

    private static TestCluster ElectedWithEntry(RaftOptions? options = null)
    {
        var c = new TestCluster(3, seed: 7, options ?? Opts);
        c.ElectLeader(0);
        c.Nodes[0].Propose(TestCluster.Cmd("x"));
        c.DeliverAll();
        Assert.Equal(1, c.Nodes[0].CommitIndex);
        return c;
    }

    [Fact]
    public void ANodeThatIsNotLeader_RefusesAReadIndex()
    {
        TestCluster c = ElectedWithEntry();
        Assert.False(c.Nodes[1].ReadIndex(5));
        c.CollectAll();
        Assert.Empty(c.Reads);
    }

    [Fact]
    public void ALeader_ConfirmsAReadOnlyAfterAMajorityAcknowledgesARoundStartedAfterIt_6_4()
    {
        TestCluster c = ElectedWithEntry();
        Assert.True(c.Nodes[0].ReadIndex(42));
        c.Collect(0);
        Assert.Empty(c.Reads); // the heartbeats are in flight: not yet confirmed
        Assert.All(c.Pending, m => Assert.True(m.Context > 0, $"the round's AppendEntries carry it: {m}"));
        c.DeliverAll();
        (int node, ReadState state) = Assert.Single(c.Reads);
        Assert.Equal(0, node);
        Assert.Equal(new ReadState(42, 1), state);
    }

    [Fact]
    public void ADeposedLeaderCutOffFromTheMajority_NeverConfirmsARead_6_4()
    {
        TestCluster c = ElectedWithEntry();
        c.Drop = m => m.From == 0 || m.To == 0; // the leader is cut off
        Assert.True(c.Nodes[0].ReadIndex(1));
        c.DeliverAll();
        c.TickAll(3 * Opts.ElectionTicks);
        Assert.DoesNotContain(c.Reads, r => r.Node == 0);
    }

    [Fact]
    public void AnAcknowledgementOfAnEarlierRound_DoesNotConfirmALaterRead_6_4()
    {
        TestCluster c = ElectedWithEntry();
        Assert.True(c.Nodes[0].ReadIndex(1));
        c.Collect(0);
        List<Message> firstRound = c.Pending.ToList();
        c.Pending.Clear();
        Assert.True(c.Nodes[0].ReadIndex(2)); // a second round starts
        c.Collect(0);
        c.Pending.Clear(); // lost
        foreach (Message m in firstRound) { c.Nodes[m.To].Step(m); c.Collect(m.To); }
        foreach (Message reply in c.Pending.ToList()) c.Nodes[0].Step(reply);
        c.Pending.Clear();
        c.Collect(0);
        ReadState only = Assert.Single(c.Reads).State;
        Assert.Equal(1, only.RequestId); // the first round confirms the first read only
    }

    [Fact]
    public void ANewLeader_ServesNoReadUntilAnEntryOfItsTermIsCommitted_6_4()
    {
        TestCluster c = ElectedWithEntry();
        c.TickAll(1);
        // node 1 takes over: it holds entry 1 but has not learned it is committed... in any case not in its term
        c.Drop = m => m.From == 0 || m.To == 0;
        c.ElectLeader(1);
        Assert.True(c.Nodes[1].ReadIndex(9));
        c.DeliverAll();
        Assert.Empty(c.Reads);
        c.Nodes[1].Propose(TestCluster.Cmd("y"));
        c.DeliverAll();
        Assert.Equal(new ReadState(9, 2), Assert.Single(c.Reads).State);
    }

    [Fact]
    public void WithNoOpOnElection_ANewLeaderAppendsAnEmptyEntryOfItsTerm_AndReadsNeedNoClientWrite_6_4()
    {
        var c = new TestCluster(3, seed: 7, Opts with { NoOpOnElection = true });
        RaftNode leader = c.ElectLeader(0);
        Assert.Equal(1, leader.LastIndex);
        Assert.True(leader.TryGetEntry(1, out Entry noOp));
        Assert.Empty(noOp.Command);
        Assert.Equal(leader.Term, noOp.Term);
        Assert.Equal(1, leader.CommitIndex);
        Assert.True(leader.ReadIndex(3));
        c.DeliverAll();
        Assert.Equal(new ReadState(3, 1), Assert.Single(c.Reads).State);
    }

    [Fact]
    public void ReadsNeverEnterTheLog()
    {
        TestCluster c = ElectedWithEntry();
        long last = c.Nodes[0].LastIndex;
        for (int k = 1; k <= 5; k++) Assert.True(c.Nodes[0].ReadIndex(k));
        c.DeliverAll();
        Assert.Equal(5, c.Reads.Count);
        Assert.All(c.Nodes, n => Assert.Equal(last, n.LastIndex));
    }

    [Fact]
    public void AMessageWithoutARound_IsEncodedAsBefore_AndARoundRoundTrips()
    {
        var plain = new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Term = 3, Index = 2, LogTerm = 1, Commit = 2 };
        var withRound = new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Term = 3, Index = 2, LogTerm = 1, Commit = 2, Context = 300 };
        Assert.Equal(Raft.Core.Encoding.RaftCodec.EncodedSize(plain) + 2, Raft.Core.Encoding.RaftCodec.EncodedSize(withRound));
        Message back = Raft.Core.Encoding.RaftCodec.Decode(Raft.Core.Encoding.RaftCodec.Encode(withRound));
        Assert.Equal(300, back.Context);
        Assert.Equal(0, Raft.Core.Encoding.RaftCodec.Decode(Raft.Core.Encoding.RaftCodec.Encode(plain)).Context);
    }

    // ---- leases (§6.4.1) ----

    private static readonly RaftOptions LeaseOpts = Opts with { ReadOnly = ReadOnlyOption.LeaseBased, LeaseDriftTicks = 2 };

    /// <summary>With leases nobody votes within an election timeout of starting: time passes for all until a leader is elected, and it commits an entry.</summary>
    private static (TestCluster C, int Leader, int Follower) LeaseCluster()
    {
        var c = new TestCluster(3, seed: 7, LeaseOpts);
        for (int t = 0; t < 10 * LeaseOpts.ElectionTicks && c.Leader() is null; t++) c.TickAll();
        int leader = c.Leader() ?? throw new Xunit.Sdk.XunitException("no leader");
        c.Nodes[leader].Propose(TestCluster.Cmd("x"));
        c.DeliverAll();
        Assert.Equal(1, c.Nodes[leader].CommitIndex);
        return (c, leader, (leader + 1) % 3);
    }

    [Fact]
    public void WithLeases_NobodyVotesWithinAnElectionTimeoutOfStarting_6_4_1()
    {
        var c = new TestCluster(3, seed: 7, LeaseOpts);
        c.Nodes[1].Step(new Message { Type = MessageType.RequestVote, From = 0, To = 1, Term = 1 });
        Assert.Equal(0, c.Nodes[1].Term);
        c.CollectAll();
        Assert.Empty(c.Pending);
    }

    [Fact]
    public void WithALease_ALeaderServesAReadAtOnce_WithoutARound_6_4_1()
    {
        (TestCluster c, int leader, _) = LeaseCluster();
        Assert.True(c.Nodes[leader].ReadIndex(1));
        c.Collect(leader);
        Assert.Equal(new ReadState(1, 1), Assert.Single(c.Reads).State);
        Assert.Empty(c.Pending); // no heartbeats sent for it
    }

    [Fact]
    public void TheLeaseEnds_ElectionTicksMinusTheDriftBoundMinusOne_LeaderTicksAfterTheAcknowledgedRoundStarted_6_4_1()
    {
        (TestCluster c, int leader, _) = LeaseCluster();
        c.Drop = _ => true; // from now on nothing is acknowledged
        // the last acknowledged round started at the leader's current tick (nothing ticked since the proposal's round trip)
        int lease = LeaseOpts.ElectionTicks - LeaseOpts.LeaseDriftTicks - 1;
        for (int t = 1; t < lease; t++) c.Nodes[leader].Tick();
        c.Pending.Clear();
        Assert.True(c.Nodes[leader].ReadIndex(1));
        c.Collect(leader);
        Assert.Single(c.Reads);
        c.Nodes[leader].Tick();
        c.Pending.Clear();
        Assert.True(c.Nodes[leader].ReadIndex(2));
        c.Collect(leader);
        Assert.Single(c.Reads); // expired: the second read waits for a round that is never acknowledged
    }

    /// <summary>
    /// A follower's vote-ignoring window starts when it receives a round, which is no earlier than
    /// the leader sent it; so the leader's lease must count from the round's start, and an
    /// acknowledgement that arrives late (it spent ticks in the network) must not lengthen it.
    /// </summary>
    [Fact]
    public void TheLease_CountsFromWhenTheRoundWasSent_NotFromWhenItsAcknowledgementsArrived_6_4_1()
    {
        (TestCluster c, int leader, _) = LeaseCluster();
        int lease = LeaseOpts.ElectionTicks - LeaseOpts.LeaseDriftTicks - 1;
        c.Pending.Clear();
        c.Tick(leader, LeaseOpts.HeartbeatTicks); // the heartbeat round starts now
        c.Collect(leader);
        List<Message> round = c.Pending.ToList();
        Assert.Equal(2, round.Count(m => m.Type == MessageType.AppendEntries));
        c.Pending.Clear();
        foreach (Message m in round) { c.Nodes[m.To].Step(m); c.Collect(m.To); }
        List<Message> acks = c.Pending.ToList();
        Assert.Equal(2, acks.Count);
        c.Pending.Clear();
        const int late = 4; // the acknowledgements arrive this many leader ticks after the round started
        c.Tick(leader, late);
        c.Collect(leader);
        c.Pending.Clear(); // the later rounds are lost
        foreach (Message m in acks) c.Nodes[leader].Step(m);
        c.Collect(leader);
        c.Pending.Clear();
        c.Tick(leader, lease - late - 1); // the round started lease - 1 ticks ago
        c.Collect(leader);
        c.Pending.Clear();
        Assert.True(c.Nodes[leader].ReadIndex(1));
        c.Collect(leader);
        Assert.Single(c.Reads); // still within the lease
        c.Tick(leader);
        c.Collect(leader);
        c.Pending.Clear();
        Assert.True(c.Nodes[leader].ReadIndex(2));
        c.Collect(leader);
        Assert.Single(c.Reads); // the lease ran out lease ticks after the round started, though the acknowledgements arrived only lease - late ticks ago
    }

    [Fact]
    public void WithLeases_AFollowerThatHeardFromTheLeaderWithinAnElectionTimeout_IgnoresAVoteRequest_4_2_3()
    {
        (TestCluster c, int leader, int follower) = LeaseCluster();
        int other = 3 - leader - follower;
        var request = new Message { Type = MessageType.RequestVote, From = other, To = follower, Term = c.Nodes[follower].Term + 1, Index = 5, LogTerm = 9 };
        c.Nodes[follower].Step(request);
        c.Collect(follower);
        Assert.Equal(request.Term - 1, c.Nodes[follower].Term); // not even the term is adopted
        Assert.Empty(c.Pending);
        c.Tick(follower, LeaseOpts.ElectionTicks); // may campaign itself; either way it no longer ignores
        c.Pending.Clear();
        var later = request with { Term = c.Nodes[follower].Term + 1 };
        c.Nodes[follower].Step(later);
        c.Collect(follower);
        Assert.Equal(later.Term, c.Nodes[follower].Term);
        Assert.Contains(c.Pending, m => m.Type == MessageType.RequestVoteResponse && !m.Reject);
    }

    [Fact]
    public void WithLeases_ARestartedNode_IgnoresVoteRequestsForAnElectionTimeout_SoALeaseOutlivesItsAcknowledgement_6_4_1()
    {
        (TestCluster c, _, int follower) = LeaseCluster();
        RaftNode restarted = c.Restart(follower);
        var request = new Message { Type = MessageType.RequestVote, From = (follower + 1) % 3, To = follower, Term = restarted.Term + 1, Index = 5, LogTerm = 9 };
        restarted.Step(request);
        Assert.Equal(request.Term - 1, restarted.Term);
    }

    /// <summary>
    /// The leader is cut off right after a round its followers acknowledged; they tick
    /// <paramref name="followerTicks"/> while it ticks <paramref name="leaderTicks"/>, elect a new
    /// leader and commit a write; then the old leader is asked for a read. Returns the read it
    /// confirmed at once (null: none) and the new leader's commit index.
    /// </summary>
    private static (ReadState? Read, long NewCommit) ReadOnACutOffLeader(int followerTicks, int leaderTicks)
    {
        (TestCluster c, int leader, _) = LeaseCluster();
        c.Drop = m => m.From == leader || m.To == leader;
        c.Nodes[leader].Tick(); // nothing acknowledged from here on
        int[] others = [(leader + 1) % 3, (leader + 2) % 3];
        for (int t = 0; t < followerTicks; t++)
            foreach (int f in others) { c.Nodes[f].Tick(); c.DeliverAll(); }
        int newLeader = others.First(f => c.Nodes[f].Role == Role.Leader);
        c.Nodes[newLeader].Propose(TestCluster.Cmd("y"));
        c.DeliverAll();
        for (int t = 1; t < leaderTicks; t++) c.Nodes[leader].Tick();
        c.Pending.Clear();
        Assert.True(c.Nodes[leader].ReadIndex(99)); // it still believes it leads
        c.Collect(leader);
        ReadState? read = c.Reads.Where(r => r.Node == leader && r.State.RequestId == 99).Select(r => (ReadState?)r.State).FirstOrDefault();
        return (read, c.Nodes[newLeader].CommitIndex);
    }

    [Fact]
    public void ALeaseRead_IsStale_WhenFollowerClocksGainMoreThanTheDriftBound_SoTheBoundIsTheLeasesAssumption_6_4_1()
    {
        // the followers' clocks run twice as fast as the leader's: far beyond a drift bound of 2 ticks
        (ReadState? read, long newCommit) = ReadOnACutOffLeader(followerTicks: 2 * LeaseOpts.ElectionTicks, leaderTicks: LeaseOpts.ElectionTicks / 2);
        Assert.NotNull(read);
        Assert.True(read!.Value.Index < newCommit, $"the old leader serves index {read.Value.Index}; a newer leader has committed {newCommit}");
    }

    [Fact]
    public void ALeaseRead_IsNotServed_OnceTheLeaseHasRunOut_WhenClocksKeepTheBound_6_4_1()
    {
        (ReadState? read, _) = ReadOnACutOffLeader(followerTicks: 2 * LeaseOpts.ElectionTicks, leaderTicks: 2 * LeaseOpts.ElectionTicks);
        Assert.Null(read);
    }

    [Fact]
    public void WithoutLeases_AFollowerGrantsAVoteRequestAtOnce_AsFigure2Says()
    {
        TestCluster c = ElectedWithEntry();
        var request = new Message { Type = MessageType.RequestVote, From = 2, To = 1, Term = c.Nodes[1].Term + 1, Index = 5, LogTerm = 9 };
        c.Nodes[1].Step(request);
        Assert.Equal(request.Term, c.Nodes[1].Term);
    }
}
