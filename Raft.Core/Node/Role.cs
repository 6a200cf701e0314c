namespace Raft.Core.Node;

/// <summary>
/// The server states of §5.1, and the pre-candidate of the Pre-Vote extension (§9.6 of Ongaro's
/// thesis; etcd's <c>StatePreCandidate</c>): a follower polling whether it could win before it
/// raises its term. This core has no Pre-Vote yet and never takes that role; other
/// implementations run by the suite report it.
/// </summary>
public enum Role : byte { Follower, Candidate, Leader, PreCandidate }

/// <summary>What <see cref="RaftNode.Propose"/> returns: the lab's Start() result.</summary>
public readonly record struct ProposeResult(long Index, long Term, bool IsLeader);

/// <summary>
/// A leader's view of one peer, as <see cref="RaftNode{TRules}.StatusOf"/> reports it: Figure 2's
/// matchIndex and nextIndex, the flow state, whether a probe is outstanding, and the snapshot
/// index in flight (0 when none).
/// </summary>
public readonly record struct PeerStatus(long Match, long Next, Tracking.ProgressState State, bool ProbeSent, long PendingSnapshot);
