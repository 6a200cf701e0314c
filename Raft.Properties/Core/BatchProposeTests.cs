using Raft.Core.Node;

namespace Raft.Properties.Core;

/// <summary>Propose(commands): several entries in one append and one round of AppendEntries.</summary>
public sealed class BatchProposeTests
{
    private static RaftNode SingleNodeLeader()
    {
        var n = new RaftNode(0, 1, 3);
        while (n.Role != Role.Leader) n.Tick();
        while (n.TryGetReady(out _)) n.Advance();
        return n;
    }

    [Fact]
    public void Leader_AppendsEveryCommandAtConsecutiveIndexes_AndReturnsTheFirst()
    {
        RaftNode leader = SingleNodeLeader();
        byte[][] commands = [[1], [2], [3]];
        ProposeResult r = leader.Propose(commands);
        Assert.True(r.IsLeader);
        Assert.Equal(1, r.Index);
        Assert.Equal(3, leader.Log.LastIndex);
        for (int i = 0; i < 3; i++) Assert.Same(commands[i], leader.Log.At(i + 1).Command);
        Assert.Equal(3, leader.CommitIndex); // a one-node cluster commits at once
    }

    [Fact]
    public void Follower_RefusesABatch()
    {
        var follower = new RaftNode(1, 3, 3);
        ProposeResult r = follower.Propose(new byte[][] { [1], [2] });
        Assert.False(r.IsLeader);
        Assert.Equal(0, follower.Log.LastIndex);
    }
}
