namespace Raft.Model.Contract;

/// <summary>
/// What a node may report of its volatile state beyond <see cref="IRaftNodeView"/>, in the spirit
/// of etcd's <c>Status</c>: the leader it follows, a leader's progress per peer, a candidate's votes,
/// and the snapshot it holds. Optional. The world uses it where a node's hidden state decides
/// what happens next: the model checker's state hash (without it, dfs never reports "exhausted",
/// since it may have merged states it could not tell apart) and the lab persister's
/// Save(state, snapshot), which writes the snapshot the node holds. A node reports it through
/// <see cref="IRaftNode.Status"/>.
/// </summary>
public interface IRaftNodeStatus
{
    /// <summary>The leader of the current term as far as this node knows, or -1.</summary>
    int Leader { get; }

    /// <summary>A leader's view of <paramref name="peer"/> (meaningful only on a leader).</summary>
    PeerProgress Progress(int peer);

    /// <summary>A candidate's tally for <paramref name="peer"/> (meaningful only on a candidate or pre-candidate).</summary>
    VoteTally Vote(int peer);

    /// <summary>The snapshot data the node holds in memory (what it would send a follower), or null.</summary>
    byte[]? HeldSnapshot { get; }
}

/// <summary>A leader's view of one peer: Figure 2's matchIndex and nextIndex, and the implementation's flow state as a small number (its meaning is the implementation's).</summary>
public readonly record struct PeerProgress(long Match, long Next, int State = 0, bool Paused = false, long PendingSnapshot = 0);

/// <summary>Whether a peer answered this term's vote request, and whether it granted it.</summary>
public readonly record struct VoteTally(bool Responded, bool Granted);
