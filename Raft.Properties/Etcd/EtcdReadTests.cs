using Raft.Core.Node;
using Raft.Etcd;
using Raft.Model.Contract;
using Xunit.Abstractions;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Properties.Etcd;

/// <summary>
/// etcd 3.4's ReadIndex through the node contract (docs/etcd.md, "Reads"): a leader accepts a read
/// and confirms it in a later Ready's read states, after a heartbeat round a majority acknowledged
/// (ReadOnlySafe) or at once (ReadOnlyLeaseBased); a follower answers NotLeader (no forwarding).
/// A three-node cluster of <see cref="EtcdNode"/>s driven by hand: every round delivers what was
/// sent, ticks every node and handles every Ready.
/// </summary>
public sealed class EtcdReadTests(ITestOutputHelper output)
{
    private static readonly RaftOptions Safe = new() { ElectionTicks = 10, HeartbeatTicks = 3 };
    private static readonly RaftOptions Lease = Safe with { ReadOnly = ReadOnlyOption.LeaseBased };

    private sealed class Trio : IDisposable
    {
        public readonly EtcdNode[] Nodes;
        public readonly List<Envelope> InFlight = [];
        public readonly List<(int Node, ReadState State)> Reads = [];

        public Trio(RaftOptions options, ulong seed = 5)
        {
            var etcd = new EtcdRaft();
            Nodes = Enumerable.Range(0, 3).Select(i => (EtcdNode)etcd.Create(i, 3, EtcdSeeds.ForNode(seed, i, 0), options, PersistedState.Empty)).ToArray();
        }

        /// <summary>Handles node i's Ready, if any: its messages go in flight, its read states are noted. Returns its messages.</summary>
        public List<Envelope> Collect(int i)
        {
            var sent = new List<Envelope>();
            while (Nodes[i].TryGetReady(out Ready r))
            {
                sent.AddRange(r.Messages);
                foreach (ReadState s in r.ReadStates) Reads.Add((i, s));
                Nodes[i].Advance();
            }
            InFlight.AddRange(sent);
            return sent;
        }

        /// <summary>A node cut off from the others: what it sends and what is sent to it is lost (-1: none).</summary>
        public int Cut = -1;

        /// <summary>One tick of every node's clock (all at the same rate), then delivery.</summary>
        public void TickAll()
        {
            for (int i = 0; i < 3; i++) { Nodes[i].Tick(); Collect(i); }
            Deliver();
        }

        public void Deliver()
        {
            for (int round = 0; round < 20 && InFlight.Count > 0; round++)
            {
                var batch = InFlight.Where(m => m.From != Cut && m.To != Cut).ToList();
                InFlight.Clear();
                foreach (Envelope m in batch) Nodes[m.To].Step(m);
                for (int i = 0; i < 3; i++) Collect(i);
            }
        }

        /// <summary>Ticks until a leader has committed its term's empty entry everywhere; returns it.</summary>
        public int ElectLeader()
        {
            for (int t = 0; t < 200; t++)
            {
                TickAll();
                int leader = Array.FindIndex(Nodes, n => n.Role == Role.Leader);
                if (leader >= 0 && Nodes.All(n => n.CommitIndex == Nodes[leader].LastIndex)) return leader;
            }
            throw new Xunit.Sdk.XunitException("no leader in 200 ticks");
        }

        public void Dispose()
        {
            foreach (EtcdNode n in Nodes) n.Dispose();
        }
    }

    [Fact]
    public void Safe_a_leader_confirms_a_read_after_a_heartbeat_round_at_its_commit_index()
    {
        using var c = new Trio(Safe);
        int leader = c.ElectLeader();
        long commit = c.Nodes[leader].CommitIndex;
        Assert.Equal(ReadRequest.Accepted, c.Nodes[leader].ReadIndex(42));
        List<Envelope> round = c.Collect(leader);
        Assert.Empty(c.Reads); // confirmed only when a majority acknowledged the round
        Assert.Equal(2, round.Count(m => m.Type == MessageKind.Heartbeat));
        c.Deliver();
        Assert.Equal([(leader, new ReadState(42, commit))], c.Reads);
    }

    [Fact]
    public void Safe_a_follower_answers_not_leader_and_confirms_nothing()
    {
        using var c = new Trio(Safe);
        int leader = c.ElectLeader();
        int follower = (leader + 1) % 3;
        Assert.Equal(ReadRequest.NotLeader, c.Nodes[follower].ReadIndex(7));
        Assert.Empty(c.Collect(follower)); // nothing forwarded to the leader
        for (int t = 0; t < 10; t++)
        {
            foreach (EtcdNode n in c.Nodes) n.Tick();
            for (int i = 0; i < 3; i++) c.Collect(i);
            c.Deliver();
        }
        Assert.Empty(c.Reads);
    }

    [Fact]
    public void Safe_a_leader_cut_off_from_the_majority_never_confirms_a_read()
    {
        using var c = new Trio(Safe);
        int leader = c.ElectLeader();
        Assert.Equal(ReadRequest.Accepted, c.Nodes[leader].ReadIndex(3));
        for (int t = 0; t < 30; t++)
        {
            c.Nodes[leader].Tick();
            c.Collect(leader);
            c.InFlight.RemoveAll(m => m.From == leader || m.To == leader); // every round is lost
            c.Deliver();
        }
        Assert.Empty(c.Reads);
        Assert.Equal(Role.Leader, c.Nodes[leader].Role); // without CheckQuorum it still believes it leads, yet confirms nothing
    }

    [Fact]
    public void Lease_a_leader_confirms_a_read_at_once_without_a_round()
    {
        using var c = new Trio(Lease);
        int leader = c.ElectLeader();
        long commit = c.Nodes[leader].CommitIndex;
        c.InFlight.Clear();
        Assert.Equal(ReadRequest.Accepted, c.Nodes[leader].ReadIndex(9));
        List<Envelope> sent = c.Collect(leader);
        Assert.Empty(sent); // no heartbeat round
        Assert.Equal([(leader, new ReadState(9, commit))], c.Reads);
    }

    /// <summary>
    /// etcd 3.4's lease is its CheckQuorum (docs/etcd.md, finding 9): a leader steps down only at the
    /// end of an election timeout in which it heard from no majority, checked once per election
    /// timeout, so it may lead for almost two election timeouts after it last heard from a majority,
    /// while its followers stop honouring it after one. Here every clock ticks at the same rate (no
    /// drift at all): the leader is cut off, the others elect a leader and commit a write, and the
    /// old leader, still leading, confirms a read at once at an index before that write: a stale read.
    /// </summary>
    [Fact]
    public void Lease_without_any_clock_drift_an_old_leader_confirms_a_stale_read()
    {
        var stale = new List<string>();
        for (int run = 0; run < 40; run++)
        {
            (ulong seed, int offset) = ((ulong)(run / 10 + 1), run % 10);
            using var c = new Trio(Lease, seed);
            int old = c.ElectLeader();
            for (int t = 0; t < offset; t++) c.TickAll();
            c.Cut = old;
            long write = 0;
            for (int t = 0; t < 40 && write == 0; t++)
            {
                c.TickAll();
                int leader = Array.FindIndex(c.Nodes, n => n.Role == Role.Leader && n.Id != old);
                if (leader < 0 || c.Nodes[leader].CommitIndex < c.Nodes[leader].LastIndex) continue;
                ProposeResult p = c.Nodes[leader].Propose([1, 2, 3]);
                c.Collect(leader);
                c.Deliver();
                if (c.Nodes[leader].CommitIndex >= p.Index) write = p.Index; // acknowledged to its client
            }
            if (write == 0 || c.Nodes[old].Role != Role.Leader) continue;
            Assert.Equal(ReadRequest.Accepted, c.Nodes[old].ReadIndex(77));
            c.Collect(old);
            (int node, ReadState read) = Assert.Single(c.Reads);
            Assert.Equal(old, node);
            if (read.Index < write) stale.Add($"seed {seed}, offset {offset}: read confirmed at {read.Index} after the write at {write} committed");
        }
        foreach (string line in stale) output.WriteLine(line);
        Assert.True(stale.Count >= 30, $"{stale.Count} of 40 runs gave a stale read (35 with etcd 3.4.23)");
    }

    [Fact]
    public void Lease_based_reads_turn_on_check_quorum_which_etcd_requires()
    {
        EtcdNodeConfig config = new EtcdRaft().Config(3, Lease);
        Assert.True(config.LeaseBased);
        Assert.True(config.CheckQuorum);
        Assert.Equal(6, config.Flags);
        Assert.False(new EtcdRaft().Config(3, Safe).CheckQuorum);
    }
}
