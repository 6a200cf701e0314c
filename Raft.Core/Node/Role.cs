namespace Raft.Core.Node;

/// <summary>The three server states of §5.1.</summary>
public enum Role : byte { Follower, Candidate, Leader }

/// <summary>What <see cref="RaftNode.Propose"/> returns: the lab's Start() result.</summary>
public readonly record struct ProposeResult(long Index, long Term, bool IsLeader);
