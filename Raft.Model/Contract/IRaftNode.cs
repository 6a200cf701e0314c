using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Model.Contract;

/// <summary>
/// What the world may observe of a node, read only: the Figure 2 state a real deployment could
/// inspect (term, vote, role, commit and applied indexes, the log by index, the snapshot
/// boundary). Checkers and schedulers see nodes only through this view and through what the
/// world itself observes (disks, applies); nothing here can change the node.
/// </summary>
public interface IRaftNodeView
{
    int Id { get; }

    /// <summary>Figure 2 currentTerm.</summary>
    long Term { get; }

    /// <summary>Figure 2 votedFor in <see cref="Term"/>, or -1 when none.</summary>
    int VotedFor { get; }

    /// <summary>Follower, candidate or leader; <see cref="Role.PreCandidate"/> for an implementation with Pre-Vote.</summary>
    Role Role { get; }

    /// <summary>Figure 2 commitIndex: the highest index this node treats as committed.</summary>
    long CommitIndex { get; }

    /// <summary>Figure 2 lastApplied: the highest index handed to the service and acknowledged.</summary>
    long Applied { get; }

    /// <summary>§7 lastIncludedIndex / lastIncludedTerm of the node's latest snapshot (0 when none).</summary>
    long SnapshotIndex { get; }
    long SnapshotTerm { get; }

    /// <summary>Index of the last entry in the log (the snapshot index when the log after it is empty).</summary>
    long LastIndex { get; }

    /// <summary>The entry at <paramref name="index"/>, if the log holds it (not compacted, not beyond the end).</summary>
    bool TryGetEntry(long index, out Entry entry);
}

/// <summary>
/// The node contract: everything the world does to a Raft node. Inputs are <see cref="Step"/>,
/// <see cref="Tick"/>, <see cref="Propose"/> and <see cref="Snapshot"/>; output is a
/// <see cref="Ready"/> taken with <see cref="TryGetReady"/>, handled in the order
/// <see cref="Ready"/> documents, and acknowledged with <see cref="Advance"/>, which must
/// acknowledge exactly what that Ready carried (as etcd's stableTo/appliedTo do): state that
/// changed after <see cref="TryGetReady"/> stays pending for the next Ready.
/// <para>Messages are the node's own: each leaves in an <see cref="Envelope"/> holding the node's
/// payload (any object; the world never looks inside it) and a small classification the node fills
/// in for the adversary, the coverage and the pictures. The world hands the same envelope to the
/// receiver's <see cref="Step"/>.</para>
/// <para>An implementation is single-threaded and deterministic: the same inputs in the same
/// order give the same outputs, and any randomness comes from the seed its factory is given.
/// Raft.Core's <c>RaftNode</c> is one implementation (<see cref="Nodes.CoreNode{TRules}"/>); see
/// docs/bring-your-own-raft.md for another.</para>
/// </summary>
public interface IRaftNode : IRaftNodeView
{
    /// <summary>Handles a message from a peer: an envelope some node of the same implementation handed out.</summary>
    void Step(in Envelope message);

    /// <summary>One tick of logical time.</summary>
    void Tick();

    /// <summary>The lab's Start(command).</summary>
    ProposeResult Propose(byte[] command);

    /// <summary>The lab's Snapshot(index, data): the service holds everything through <paramref name="index"/>.</summary>
    void Snapshot(long index, byte[] data);

    /// <summary>
    /// Asks for a linearizable read without the log (Raft thesis §6.4 ReadIndex, or a lease):
    /// <see cref="ReadRequest.Accepted"/> when this node will confirm it, in a later Ready's
    /// <see cref="Ready.ReadStates"/> carrying <paramref name="requestId"/> (or never, if it loses
    /// leadership first); <see cref="ReadRequest.NotLeader"/> when it cannot serve reads now. The
    /// default, <see cref="ReadRequest.Unsupported"/>, makes the world read through the log instead.
    /// </summary>
    ReadRequest ReadIndex(long requestId) => ReadRequest.Unsupported;

    /// <summary>The output since the last <see cref="Advance"/>, if any.</summary>
    bool TryGetReady(out Ready ready);

    /// <summary>Acknowledges that the last Ready was persisted, sent and applied, in that order.</summary>
    void Advance();

    /// <summary>What the node reports of its volatile state (<see cref="IRaftNodeStatus"/>), or null when it reports nothing (the default).</summary>
    IRaftNodeStatus? Status => null;
}

/// <summary>What a node said to <see cref="IRaftNode.ReadIndex"/>.</summary>
public enum ReadRequest : byte
{
    /// <summary>The node does not serve reads outside the log: the world sends Gets through the log.</summary>
    Unsupported,
    /// <summary>The node will confirm the read in a later Ready (unless it loses leadership first).</summary>
    Accepted,
    /// <summary>The node cannot serve reads now (it is not leader): try another.</summary>
    NotLeader,
}

/// <summary>
/// Builds a node from its id, the cluster size, the seed it must take all randomness from, the
/// core options the world drew, and what its disk holds (empty at first start).
/// </summary>
public delegate IRaftNode NodeFactory(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state);
