using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Lab;
using Raft.Model.Simulation;

namespace Raft.Properties.Contract;

/// <summary>
/// The world drives nodes only through <see cref="IRaftNode"/>: an implementation that is not
/// <see cref="RaftNode"/> plugs into the lab (and its checkers) through a node factory.
/// </summary>
public sealed class BringYourOwnRaftTests
{
    /// <summary>Another C# implementation of the contract: here it delegates to an inner node it owns, counting calls.</summary>
    private sealed class OtherRaft(RaftNode inner) : IRaftNode
    {
        public int Steps { get; private set; }
        public int Id => inner.Id;
        public long Term => inner.Term;
        public int VotedFor => inner.VotedFor;
        public Role Role => inner.Role;
        public long CommitIndex => inner.CommitIndex;
        public long Applied => inner.Applied;
        public long SnapshotIndex => inner.SnapshotIndex;
        public long SnapshotTerm => inner.SnapshotTerm;
        public long LastIndex => inner.LastIndex;
        public bool TryGetEntry(long index, out Entry entry) => inner.TryGetEntry(index, out entry);
        public void Step(in Message m) { Steps++; inner.Step(m); }
        public void Tick() => inner.Tick();
        public ProposeResult Propose(byte[] command) => inner.Propose(command);
        public void Snapshot(long index, byte[] data) => inner.Snapshot(index, data);
        public bool TryGetReady(out Ready ready) => inner.TryGetReady(out ready);
        public void Advance() => inner.Advance();
    }

    [Theory]
    [InlineData("TestBasicAgree2B")]
    [InlineData("TestFigure82C")]
    public void AnotherImplementation_RunsTheLabTests_ThroughTheContractAlone(string test)
    {
        var built = new List<OtherRaft>();
        Cluster.NodeFactory factory = (id, n, seed, options, state) =>
        {
            var node = new OtherRaft(new RaftNode(id, n, seed, options, state));
            built.Add(node);
            return node;
        };
        LabResult result = LabSuite.Run(LabSuite.Get(test), 1, null, factory);
        Assert.NotNull(result);
        Assert.NotEmpty(built);
        Assert.True(built.Sum(b => b.Steps) > 0);
    }
}
