using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Properties.TestSupport;
using Raft.Model.Storage;

namespace Raft.Properties.Core;

/// <summary>
/// Specifications of the Ready/Advance handshake: <see cref="RaftNode{TRules}.Advance"/>
/// acknowledges exactly what the Ready taken with <see cref="RaftNode{TRules}.TryGetReady"/>
/// carried (as etcd's stableTo/appliedTo and prevHardSt). Whatever the node produces in
/// between (a vote, entries, messages, newly committed entries) comes in the next Ready.
/// Each test drives a node by hand the way the world does: persist to a model
/// <see cref="Disk"/>, then send, then apply, then Advance.
/// </summary>
public sealed class ReadyAdvanceTests
{
    private static readonly RaftOptions Options = new() { ElectionTicks = 10, HeartbeatTicks = 3 };

    private static RaftNode Node(int id, PersistedState? state = null) => new(id, 3, 7, Options, state);

    /// <summary>Handles a Ready taken earlier, in the documented order, and returns the messages sent.</summary>
    private static List<Message> PersistSendAdvance(RaftNode node, Ready r, Disk disk)
    {
        disk.Persist(r.ToContract());
        var sent = new List<Message>(r.Messages);
        node.Advance();
        return sent;
    }

    /// <summary>Takes, handles and acknowledges every pending Ready; returns the messages sent.</summary>
    private static List<Message> Drain(RaftNode node, Disk disk)
    {
        var sent = new List<Message>();
        for (int guard = 0; node.TryGetReady(out Ready r); guard++)
        {
            Assert.True(guard < 10, "the node keeps producing Ready");
            sent.AddRange(PersistSendAdvance(node, r, disk));
        }
        return sent;
    }

    private static bool Granted(IEnumerable<Message> sent, int to) =>
        sent.Any(m => m.Type == MessageType.RequestVoteResponse && m.To == to && !m.Reject);

    [Fact]
    public void Advance_AcknowledgesOnlyWhatTheReadyCarried_VoteGrantedInBetweenIsPersistedNext()
    {
        // Node 0 in term 2 with one entry; it has not voted. The world handles its output as
        // documented, then node 0 crashes and restarts from its disk. Across both incarnations
        // it must not grant its term-2 vote to two candidates.
        var disk = new Disk();
        var sent = new List<Message>();
        RaftNode node = Node(0, new PersistedState { Term = 2, Entries = Msg.Entries(1) });

        node.Step(Msg.Vote(from: 2, to: 0, term: 2, lastIndex: 0, lastTerm: 0)); // behind: rejected
        Assert.True(node.TryGetReady(out Ready first));
        node.Step(Msg.Vote(from: 1, to: 0, term: 2, lastIndex: 1, lastTerm: 1)); // in between: granted
        sent.AddRange(PersistSendAdvance(node, first, disk));
        sent.AddRange(Drain(node, disk));
        Assert.True(Granted(sent, 1), "candidate 1 never received the vote it was granted");

        RaftNode restarted = Node(0, disk.Read());
        restarted.Step(Msg.Vote(from: 2, to: 0, term: 2, lastIndex: 1, lastTerm: 1)); // now up to date
        sent.AddRange(Drain(restarted, disk));
        Assert.False(Granted(sent, 2), "node 0 voted for candidates 1 and 2 in term 2");
        Assert.Equal((2L, 1), (restarted.Term, restarted.VotedFor));
    }

    [Fact]
    public void Advance_AcknowledgesOnlyWhatTheReadyCarried_TheNextReadyPersistsTheVoteBeforeItsGrantLeaves()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2, Entries = Msg.Entries(1) });
        node.Step(Msg.Vote(from: 2, to: 0, term: 2, lastIndex: 0, lastTerm: 0));
        Assert.True(node.TryGetReady(out Ready first));
        Assert.False(first.HardStateChanged);
        node.Step(Msg.Vote(from: 1, to: 0, term: 2, lastIndex: 1, lastTerm: 1));
        Assert.Equal(1, node.VotedFor);

        List<Message> sentFirst = PersistSendAdvance(node, first, disk);
        Assert.False(Granted(sentFirst, 1), "the grant must not leave with a Ready that did not persist the vote");
        Assert.Equal(RaftNode.None, disk.VotedFor);

        Assert.True(node.HasReady, "the vote granted after TryGetReady was acknowledged away");
        Assert.True(node.TryGetReady(out Ready second));
        Assert.True(second.HardStateChanged);
        Assert.Equal((2L, 1), (second.Term, second.VotedFor));
        Assert.True(Granted(PersistSendAdvance(node, second, disk), 1));
        Assert.Equal(1, disk.VotedFor);
        Assert.False(node.HasReady);
    }

    [Fact]
    public void Advance_AcknowledgesOnlyWhatTheReadyCarried_ACrashBeforeTheNextReadyLosesTheVoteAndItsGrantTogether()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2, Entries = Msg.Entries(1) });
        node.Step(Msg.Vote(from: 2, to: 0, term: 2, lastIndex: 0, lastTerm: 0));
        Assert.True(node.TryGetReady(out Ready first));
        node.Step(Msg.Vote(from: 1, to: 0, term: 2, lastIndex: 1, lastTerm: 1));
        List<Message> sent = PersistSendAdvance(node, first, disk);

        // Crash now: the vote was never durable, but neither did its grant leave, so voting for
        // candidate 2 after the restart breaks nothing (candidate 1 never counted node 0).
        Assert.False(Granted(sent, 1));
        RaftNode restarted = Node(0, disk.Read());
        Assert.Equal(RaftNode.None, restarted.VotedFor);
        restarted.Step(Msg.Vote(from: 2, to: 0, term: 2, lastIndex: 1, lastTerm: 1));
        Assert.True(Granted(Drain(restarted, disk), 2));
    }

    [Fact]
    public void Advance_KeepsMessagesSentAfterTryGetReady_ForTheNextReady()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2, Entries = Msg.Entries(1) });
        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 1, prevTerm: 1));
        Assert.True(node.TryGetReady(out Ready first));
        Assert.Single(first.Messages);

        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 5, prevTerm: 2)); // a gap: rejected with a hint
        List<Message> sentFirst = PersistSendAdvance(node, first, disk);
        Message only = Assert.Single(sentFirst);
        Assert.False(only.Reject);

        List<Message> sentNext = Drain(node, disk);
        Message reply = Assert.Single(sentNext);
        Assert.True(reply.Reject);
        Assert.Equal(5, reply.Index);
    }

    [Fact]
    public void Advance_KeepsEntriesAppendedAfterTryGetReady_Dirty()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2 });
        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 0, prevTerm: 0, entries: Msg.Entries(2)));
        Assert.True(node.TryGetReady(out Ready first));
        Assert.Equal(1, first.PersistFrom);
        Assert.Equal(1, first.EntriesToPersist.Count);

        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 1, prevTerm: 2, entries: [new Entry(2, TestCluster.Cmd("second"))]));
        PersistSendAdvance(node, first, disk);
        Assert.Equal(1, disk.LastIndex);

        Assert.True(node.TryGetReady(out Ready second), "the entry appended after TryGetReady was marked durable without being written");
        Assert.Equal(2, second.PersistFrom);
        Assert.Equal("second", TestCluster.Text(Assert.Single(second.EntriesToPersist)));
        PersistSendAdvance(node, second, disk);
        Assert.Equal(2, disk.LastIndex);
        Assert.False(node.HasReady);
    }

    [Fact]
    public void Advance_KeepsEntriesRewrittenAfterTryGetReady_DirtyFromTheRewrite()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2 });
        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 0, prevTerm: 0, entries: Msg.Entries(2, 2, 2)));
        Assert.True(node.TryGetReady(out Ready first));
        Assert.Equal(3, first.EntriesToPersist.Count);

        // The leader of term 3 holds a different entry 3: ours is truncated and replaced.
        node.Step(Msg.Append(from: 2, to: 0, term: 3, prev: 2, prevTerm: 2, entries: [new Entry(3, TestCluster.Cmd("new3"))]));
        PersistSendAdvance(node, first, disk);

        Assert.True(node.TryGetReady(out Ready second), "the rewritten entry was marked durable without being written");
        Assert.True(second.HardStateChanged); // term 3
        Assert.Equal(3, second.PersistFrom);
        PersistSendAdvance(node, second, disk);
        Assert.Equal(3, disk.Term);
        Assert.Equal(3, disk.LastIndex);
        Assert.Equal(3, disk.Entries[2].Term);
        Assert.Equal("new3", TestCluster.Text(disk.Entries[2]));
    }

    [Fact]
    public void Advance_AppliesEntriesCommittedAfterTryGetReady_InTheNextReady()
    {
        var disk = new Disk();
        RaftNode node = Node(0, new PersistedState { Term = 2 });
        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 0, prevTerm: 0, entries: Msg.Entries(2, 2)));
        Assert.True(node.TryGetReady(out Ready first));
        Assert.Equal(0, first.CommittedEntries.Count);

        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 2, prevTerm: 2, commit: 2)); // the leader commits both
        Assert.Equal(2, node.CommitIndex);
        PersistSendAdvance(node, first, disk);
        Assert.Equal(0, node.Applied); // nothing was handed for applying

        Assert.True(node.TryGetReady(out Ready second));
        Assert.Equal(1, second.FirstCommittedIndex);
        Assert.Equal(2, second.CommittedEntries.Count);
        PersistSendAdvance(node, second, disk);
        Assert.Equal(2, node.Applied);
        Assert.False(node.HasReady);
    }

    [Fact]
    public void Advance_WithNothingChangedInBetween_AcknowledgesEverything()
    {
        var disk = new Disk();
        RaftNode node = Node(0);
        node.Step(Msg.Vote(from: 1, to: 0, term: 1));
        node.Step(Msg.Append(from: 1, to: 0, term: 1, prev: 0, prevTerm: 0, entries: Msg.Entries(1), commit: 1));
        List<Message> sent = Drain(node, disk);
        Assert.Equal(2, sent.Count);
        Assert.Equal((1L, 1), (disk.Term, disk.VotedFor));
        Assert.Equal(1, disk.LastIndex);
        Assert.Equal(1, node.Applied);
        Assert.False(node.HasReady);
    }

    // ---- the segments a Ready hands out stay valid until Advance, whatever the node does in between ----

    private static (long Term, byte[] Command)[] Copy(ArraySegment<Entry> segment) => segment.Select(e => (e.Term, e.Command)).ToArray();

    [Fact]
    public void ReadySegments_StayAsHandedOut_WhenTheServiceCompactsBeforeAdvance()
    {
        // entries 1..3 committed and applied; entries 4..6 arrive and their Ready is taken; then the
        // service snapshots through 3 (the node compacts) before the Ready is handled
        var disk = new Disk();
        RaftNode node = Node(0);
        Entry[] entries = Msg.Entries(1, 1, 1, 1, 1, 1);
        node.Step(Msg.Append(from: 1, to: 0, term: 1, prev: 0, prevTerm: 0, entries: entries[..3], commit: 3));
        Drain(node, disk);
        Assert.Equal(3, node.Applied);
        node.Step(Msg.Append(from: 1, to: 0, term: 1, prev: 3, prevTerm: 1, entries: entries[3..], commit: 5));
        Assert.True(node.TryGetReady(out Ready r));
        var toPersist = Copy(r.EntriesToPersist);
        var toApply = Copy(r.CommittedEntries);
        Assert.Equal(entries[3..].Select(e => (e.Term, e.Command)), toPersist);

        node.Snapshot(3, [1, 2, 3]);
        Assert.Equal(toPersist, Copy(r.EntriesToPersist));
        Assert.Equal(toApply, Copy(r.CommittedEntries));
        PersistSendAdvance(node, r, disk);
        Assert.Equal(6, disk.LastIndex);
        Assert.Equal(entries[5].Command, disk.Entries[^1].Command);
    }

    [Fact]
    public void ReadySegments_StayAsHandedOut_WhenTheLogIsTruncatedBeforeAdvance()
    {
        // entries 1..3 of term 1 arrive and their Ready is taken; then a leader of term 2 overwrites
        // 2..3 (a real conflict) before the Ready is handled: the Ready still writes what it carried,
        // and the next one rewrites from 2
        var disk = new Disk();
        RaftNode node = Node(0);
        node.Step(Msg.Append(from: 1, to: 0, term: 1, prev: 0, prevTerm: 0, entries: Msg.Entries(1, 1, 1)));
        Assert.True(node.TryGetReady(out Ready r));
        var toPersist = Copy(r.EntriesToPersist);
        Entry[] newer = [new Entry(2, TestCluster.Cmd("x2")), new Entry(2, TestCluster.Cmd("x3"))];
        node.Step(Msg.Append(from: 2, to: 0, term: 2, prev: 1, prevTerm: 1, entries: newer));
        Assert.Equal(toPersist, Copy(r.EntriesToPersist));
        PersistSendAdvance(node, r, disk);
        Drain(node, disk);
        Assert.Equal(3, disk.LastIndex);
        Assert.Equal(newer.Select(e => (e.Term, e.Command)), disk.Entries.Skip(1).Select(e => (e.Term, e.Command)));
    }
}
