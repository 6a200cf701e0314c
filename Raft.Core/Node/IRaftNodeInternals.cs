using Raft.Core.Log;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>
/// What the model (visible to Raft.Model and the tests alone) inspects of a
/// <see cref="RaftNode{TRules}"/> beyond <see cref="IRaftNodeView"/>: the log itself for the
/// invariant checker, and the leader's progress and a candidate's votes for state hashing.
/// Other implementations of <see cref="IRaftNode"/> need not provide it.
/// </summary>
internal interface IRaftNodeInternals : IRaftNode
{
    RaftLog Log { get; }
    int LeaderId { get; }
    byte[]? SnapshotData { get; }
    Progress ProgressOf(int peer);
    (bool Responded, bool Granted) VoteFrom(int peer);
}
