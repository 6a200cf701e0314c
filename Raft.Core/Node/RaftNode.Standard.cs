using Raft.Core.Rules;

namespace Raft.Core.Node;

/// <summary>
/// One Raft server following the paper's rules (<see cref="StandardRules"/>): the node every
/// deployment, lab test and benchmark uses. See <see cref="RaftNode{TRules}"/>.
/// </summary>
public sealed class RaftNode : RaftNode<StandardRules>
{
    /// <summary>Creates a node with empty state, or restores one from what it persisted (2C).</summary>
    public RaftNode(int id, int clusterSize, ulong seed, RaftOptions? options = null, PersistedState? persisted = null)
        : base(id, clusterSize, seed, options, persisted)
    {
    }
}
