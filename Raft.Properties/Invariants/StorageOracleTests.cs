using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Invariants;
using Raft.Model.Services;
using Raft.Model.Storage;

namespace Raft.Properties.Invariants;

/// <summary>
/// Specifications of the storage oracles of <see cref="InvariantChecker"/>, which trust no node:
/// <see cref="Invariant.CommittedDurablyOnMajority"/> and <see cref="Invariant.LeaderHasDurableVotes"/>
/// decide from what the disks hold. Histories are fed as the cluster feeds them: for each Ready,
/// ObserveReady, then the disk write, then ObserveWritten (before any message leaves); Observe after the event.
/// </summary>
public sealed class StorageOracleTests
{
    private Disk[] _disks = null!;
    private ViewLog[] _nodes = null!;
    private InvariantChecker _checker = null!;

    private void Cluster(int size)
    {
        _disks = Enumerable.Range(0, size).Select(_ => new Disk()).ToArray();
        _nodes = Enumerable.Range(0, size).Select(i => new ViewLog { Id = i }).ToArray();
        _checker = new InvariantChecker(_disks);
    }

    private static Entry E(long index, long term) => new(term, Commands.Int(index * 1000 + term));

    /// <summary>
    /// Node <paramref name="node"/> hands over a Ready: its hard state when <paramref name="hardState"/>
    /// (the vote written is <paramref name="durableVote"/> when given, as a broken core might write),
    /// and its log's unwritten suffix unless <paramref name="skipEntries"/> (an ack before the write).
    /// The cluster's order: observe, write, observe the write; then the event's end.
    /// </summary>
    private void Handle(int node, bool hardState = false, int? durableVote = null, bool skipEntries = false)
    {
        ViewLog v = _nodes[node];
        var r = new Ready { HardStateChanged = hardState, Term = v.Term, VotedFor = durableVote ?? v.VotedFor };
        if (v.DirtyFrom != long.MaxValue && !skipEntries)
        {
            r.PersistFrom = v.DirtyFrom;
            r.EntriesToPersist = v.Segment(v.DirtyFrom, v.LastIndex);
        }
        _checker.ObserveReady(node, r, v);
        _disks[node].Persist(r);
        _checker.ObserveWritten(node, v);
        if (!skipEntries) v.MarkStable();
        _checker.Observe(node, v);
    }

    private void Campaign(int node, long term)
    {
        (_nodes[node].Term, _nodes[node].VotedFor, _nodes[node].Role) = (term, node, Role.Candidate);
        Handle(node, hardState: true);
    }

    private void Vote(int voter, long term, int candidate, bool durable = true)
    {
        (_nodes[voter].Term, _nodes[voter].VotedFor, _nodes[voter].Role) = (term, candidate, Role.Follower);
        Handle(voter, hardState: true, durableVote: durable ? null : RaftNode.None);
    }

    private void Elect(int leader, long term, params int[] voters)
    {
        _checker.Step++; Campaign(leader, term);
        foreach (int v in voters) { _checker.Step++; Vote(v, term, leader); }
        _checker.Step++; _nodes[leader].Role = Role.Leader; Handle(leader); // its heartbeats leave
    }

    private void AssertViolation(Invariant invariant, int[] nodes, long index, long term)
    {
        Violation v = Assert.IsType<Violation>(_checker.Violation);
        Assert.Equal((invariant, index, term, _checker.Step), (v.Invariant, v.Index, v.Term, v.Step));
        Assert.Equal(nodes, v.Nodes);
    }

    // ---- CommittedDurablyOnMajority ----
    [Fact]
    public void CommittedDurablyOnMajority_FiresWhenALeaderCommitsAnEntryThatOnlyItsOwnDiskHolds()
    {
        Cluster(3);
        Elect(0, 1, 1);
        _checker.Step++; _nodes[0].Append(E(1, 1)); Handle(0);
        // follower 1 takes the entry and acknowledges it, but leaves it out of its write
        _checker.Step++; Assert.True(_nodes[1].MaybeAppend(0, 0, [E(1, 1)], 0, out _)); Handle(1, skipEntries: true);
        Assert.Null(_checker.Violation);
        _checker.Step++; _nodes[0].CommitTo(1); Handle(0); // the leader counts the ack
        AssertViolation(Invariant.CommittedDurablyOnMajority, [0], 1, 1);
    }

    [Fact]
    public void CommittedDurablyOnMajority_FiresWhenAFollowerCommitsAnEntryThatNoMajorityHolds()
    {
        Cluster(3);
        Elect(0, 1, 1);
        _checker.Step++; _nodes[0].Append(E(1, 1)); Handle(0);
        // follower 2 takes the entry and the leader's commit index at once, but leaves the entry out of its
        // write: only the leader's disk holds it
        _checker.Step++; Assert.True(_nodes[2].MaybeAppend(0, 0, [E(1, 1)], 1, out _));
        _nodes[2].Term = 1; Handle(2, skipEntries: true);
        AssertViolation(Invariant.CommittedDurablyOnMajority, [2], 1, 1);
    }

    [Fact]
    public void CommittedDurablyOnMajority_QuietWhenAMajorityOfDisksHoldsTheEntryOrASnapshotCoveringIt()
    {
        Cluster(3);
        Elect(0, 1, 1);
        _checker.Step++; _nodes[0].Append(E(1, 1)); _nodes[0].Append(E(2, 1)); Handle(0);
        _checker.Step++; Assert.True(_nodes[1].MaybeAppend(0, 0, [E(1, 1), E(2, 1)], 0, out _)); Handle(1);
        _checker.Step++; _nodes[0].CommitTo(2); Handle(0);
        // the leader's service snapshots through 2: its disk now covers both entries by its snapshot
        _checker.Step++; _nodes[0].CompactTo(2);
        var snap = new Ready { HasSnapshot = true, SnapshotIndex = 2, SnapshotTerm = 1, SnapshotData = [] };
        _checker.ObserveReady(0, snap, _nodes[0]); _disks[0].Persist(snap); _checker.ObserveWritten(0, _nodes[0]);
        // follower 1 learns the commit; follower 2 catches up and commits in the Ready that writes the entries
        _checker.Step++; Assert.True(_nodes[1].MaybeAppend(2, 1, [], 2, out _)); Handle(1);
        _checker.Step++; _nodes[2].Term = 1; Assert.True(_nodes[2].MaybeAppend(0, 0, [E(1, 1), E(2, 1)], 2, out _)); Handle(2);
        Assert.Null(_checker.Violation);
        Assert.Equal(2, _checker.MaxCommitted);
    }

    [Fact]
    public void CommittedDurablyOnMajority_QuietWhenASingleNodeCommitsInTheReadyThatWritesTheEntry()
    {
        Cluster(1);
        _checker.Step++; Campaign(0, 1); // wins alone in the same step
        _checker.Step++; _nodes[0].Role = Role.Leader; _nodes[0].Append(E(1, 1)); _nodes[0].CommitTo(1); Handle(0);
        Assert.Null(_checker.Violation);
    }

    // ---- LeaderHasDurableVotes ----
    [Fact]
    public void LeaderHasDurableVotes_FiresWhenALeaderWinsOnAVoteThatNoDiskHolds()
    {
        Cluster(3);
        _checker.Step++; Campaign(0, 1);
        _checker.Step++; Vote(1, 1, 0, durable: false); // the grant leaves, the disk holds (1, none)
        Assert.Null(_checker.Violation);
        _checker.Step++; _nodes[0].Role = Role.Leader; Handle(0);
        AssertViolation(Invariant.LeaderHasDurableVotes, [0], 0, 1);
    }

    [Fact]
    public void LeaderHasDurableVotes_FiresWhenALeaderCountsAVoteOfAnEarlierTerm()
    {
        Cluster(3);
        _checker.Step++; Campaign(0, 1);
        _checker.Step++; Vote(1, 1, 0);
        _checker.Step++; Campaign(0, 2); // the term-1 vote arrives late and is counted for term 2
        _checker.Step++; _nodes[0].Role = Role.Leader; Handle(0);
        AssertViolation(Invariant.LeaderHasDurableVotes, [0], 0, 2);
    }

    [Fact]
    public void LeaderHasDurableVotes_QuietWhenVotesWereDurableEvenIfLaterTermsOverwroteThem()
    {
        Cluster(3);
        _checker.Step++; Campaign(0, 1);
        _checker.Step++; Vote(1, 1, 0);
        _checker.Step++; Vote(1, 2, 2); // the voter moves on before the term-1 leader is seen: its disk holds (2, 2)
        _checker.Step++; _nodes[0].Role = Role.Leader; Handle(0);
        Assert.Null(_checker.Violation);
        Elect(2, 2, 1); // the term-2 vote of node 1 was durable too
        Elect(1, 3, 0);
        Assert.Null(_checker.Violation);
    }

    [Fact]
    public void LeaderHasDurableVotes_QuietWhenASingleNodeWinsInTheReadyThatWritesItsSelfVote()
    {
        Cluster(1);
        _checker.Step++;
        (_nodes[0].Term, _nodes[0].VotedFor, _nodes[0].Role) = (1, 0, Role.Leader);
        Handle(0, hardState: true);
        Assert.Null(_checker.Violation);
    }

    // ---- how the oracles combine with the rest ----
    [Fact]
    public void Violation_InOneEventAProtocolInvariantOutranksAStorageOracle()
    {
        Cluster(3);
        Elect(0, 1, 1);
        _checker.Step++; Campaign(2, 1);
        (_nodes[2].Role, _nodes[2].VotedFor) = (Role.Leader, 2);
        Handle(2); // no durable votes but its own, and a second leader of term 1: the latter is reported
        AssertViolation(Invariant.ElectionSafety, [0, 2], 0, 1);
    }

    [Fact]
    public void Violation_AStorageOracleThatFiredInAnEarlierEventStaysTheFirstViolation()
    {
        Cluster(3);
        _checker.Step++; Campaign(0, 1);
        _checker.Step++; Vote(1, 1, 0, durable: false);
        _checker.Step++; _nodes[0].Role = Role.Leader; Handle(0); // LeaderHasDurableVotes
        long fired = _checker.Step;
        _checker.Step++; Campaign(2, 1);
        _nodes[2].Role = Role.Leader; Handle(2);                   // ElectionSafety, one event later
        Violation v = Assert.IsType<Violation>(_checker.Violation);
        Assert.Equal((Invariant.LeaderHasDurableVotes, fired), (v.Invariant, v.Step));
    }

    [Fact]
    public void HistoryHash_IncludesTheDurableVotes()
    {
        Cluster(3);
        _checker.Step++; Campaign(0, 1);
        _checker.Step++; Vote(1, 1, 0, durable: false); // node 1 is in term 1, its disk holds no vote
        ulong before = _checker.HistoryHash();
        _checker.Step++; Vote(1, 1, 0);
        Assert.NotEqual(before, _checker.HistoryHash());
        ulong after = _checker.HistoryHash();
        _checker.Step++; Vote(1, 1, 0); // rewriting the same vote records nothing new
        Assert.Equal(after, _checker.HistoryHash());
    }
}
