using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Tracking;
using Raft.Model.Services;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// A canonical hash of the world's state for the model checker (dfs): everything that decides
/// what can happen next, and nothing that does not (message ids and send order, the nodes'
/// election jitter, which adversarial mode abstracts away). Pending messages are a multiset, so
/// two orders of sending give one state. Built from values only, never object hash codes, so
/// it is the same in every process. With asynchronous Ready handling, a node's Ready in hand is
/// state too: what it carries (hard state, writes, the messages not yet sent, the entries not yet
/// applied) and how far its handling got.
/// </summary>
public sealed partial class World
{
    /// <summary>
    /// True once <see cref="StateHash"/> met a node without <see cref="IRaftNodeStatus"/> or a message
    /// whose payload cannot hash itself (<see cref="IMessagePayload"/>): the hash may then merge
    /// states that differ, so dfs may prune and must not claim to have exhausted the space.
    /// </summary>
    public bool HashIsPartial { get; private set; }

    public ulong StateHash()
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < Size; i++)
        {
            h = Mix(h, (ulong)i);
            IRaftNode? n = Cluster.Node(i);
            var disk = Cluster.Disks[i];
            h = Mix(h, (ulong)disk.Term);
            h = Mix(h, (ulong)(disk.VotedFor + 1));
            h = Mix(h, (ulong)disk.LastIndex);
            h = Mix(h, (ulong)Cluster.Appliers[i].LastApplied);
            h = Mix(h, (ulong)disk.SnapshotIndex);
            foreach (Entry e in disk.Entries) h = Mix(Mix(h, (ulong)e.Term), Commands.Hash(e.Command));
            if (n is null) { h = Mix(h, 0xDEAD); continue; }
            if (Cluster.TryGetHand(i, out Cluster.HandView hand)) h = Mix(h, HandHash(hand));
            IRaftNodeStatus? status = n.Status; // leader hint, progress and votes: only a node that reports its status shows them
            if (status is null) HashIsPartial = true;
            h = Mix(h, (ulong)n.Term);
            h = Mix(h, (ulong)(n.VotedFor + 1));
            h = Mix(h, (ulong)n.Role);
            h = Mix(h, (ulong)((status?.Leader ?? -1) + 1));
            h = Mix(h, (ulong)n.CommitIndex);
            h = Mix(h, (ulong)n.Applied);
            h = Mix(h, (ulong)n.SnapshotIndex);
            h = Mix(h, (ulong)n.SnapshotTerm);
            for (long k = n.SnapshotIndex + 1; k <= n.LastIndex; k++)
            {
                n.TryGetEntry(k, out Entry e);
                h = Mix(h, (ulong)e.Term);
                h = Mix(h, Commands.Hash(e.Command));
            }
            for (int p = 0; status is not null && p < Size; p++)
            {
                if (n.Role == Role.Leader)
                {
                    PeerProgress pr = status.Progress(p);
                    h = Mix(h, (ulong)pr.Match);
                    h = Mix(h, (ulong)pr.Next);
                    h = Mix(h, (ulong)pr.State);
                    h = Mix(h, pr.Paused ? 1UL : 0UL);
                    h = Mix(h, (ulong)pr.PendingSnapshot);
                }
                else if (n.Role is Role.Candidate or Role.PreCandidate)
                {
                    VoteTally v = status.Vote(p);
                    h = Mix(h, (v.Responded ? 2UL : 0UL) | (v.Granted ? 1UL : 0UL));
                }
            }
        }
        ulong messages = 0; // order-independent: a sum of per-message hashes
        foreach (Pending p in _pending) messages += Mix(MessageHash(p.Message), 0x51);
        h = Mix(h, messages);
        foreach (bool up in _links.Cells) h = Mix(h, up ? 1UL : 0UL);
        // drifting clocks: how far each is into its next tick, and which one the adversary slowed
        if (_clockCarry is not null) foreach (int c in _clockCarry) h = Mix(h, (ulong)c);
        if (_tickCarryUs is not null) foreach (long c in _tickCarryUs) h = Mix(h, (ulong)c);
        if (_driftingClocks) h = Mix(h, (ulong)(_slowClock + 1));
        h = Mix(h, (ulong)CrashesLeft);
        h = Mix(h, (ulong)PartitionsLeft);
        h = Mix(h, (ulong)DropsLeft);
        h = Mix(h, (ulong)DuplicatesLeft);
        h = Mix(h, (ulong)ProposalsLeft);
        h = Mix(h, (ulong)_proposalCounter);
        // what the checkers remember decides which futures are violations, so it is part of the state
        h = Mix(h, Cluster.Checker.HistoryHash());
        return h;
    }

    /// <summary>A Ready in hand: how far its handling got, and what is left of it.</summary>
    private ulong HandHash(in Cluster.HandView hand)
    {
        Ready r = hand.Ready;
        ulong h = Mix(0x4EAD, (hand.Persisted ? 1UL : 0UL) | (hand.InputSince ? 2UL : 0UL));
        if (!hand.Persisted)
        {
            h = Mix(h, r.HardStateChanged ? (ulong)r.Term * 131 + (ulong)(r.VotedFor + 1) : 0);
            h = Mix(h, r.HasSnapshot ? (ulong)r.SnapshotIndex * 131 + (ulong)r.SnapshotTerm : 0);
            h = Mix(h, (ulong)r.PersistFrom);
            foreach (Entry e in r.EntriesToPersist) h = Mix(Mix(h, (ulong)e.Term), Commands.Hash(e.Command));
        }
        IReadOnlyList<Envelope> messages = r.Messages;
        ulong unsent = 0; // a multiset, as the network's
        for (int k = hand.Sent; k < messages.Count; k++) unsent += Mix(MessageHash(messages[k]), 0x53);
        h = Mix(h, unsent);
        h = Mix(h, r.SnapshotToApply && hand.SnapshotApplied != r.SnapshotIndex ? (ulong)r.SnapshotIndex : 0);
        h = Mix(h, (ulong)Math.Max(hand.AppliedThrough, r.FirstCommittedIndex - 1));
        h = Mix(h, (ulong)(r.FirstCommittedIndex + r.CommittedEntries.Count - 1));
        return h;
    }

    private ulong MessageHash(in Envelope m)
    {
        ulong h = Mix((ulong)m.Type, (ulong)m.From);
        h = Mix(h, (ulong)m.To);
        h = Mix(h, (ulong)m.Term);
        h = Mix(h, (ulong)m.Index);
        h = Mix(h, (ulong)m.LogTerm);
        h = Mix(h, (ulong)m.Commit);
        h = Mix(h, m.Reject ? 1UL : 0UL);
        h = Mix(h, (ulong)m.Hint);
        h = Mix(h, (ulong)m.EntryCount);
        h = Mix(h, (ulong)m.Bytes);
        if (m.Payload is IMessagePayload payload) h = Mix(h, payload.Digest());
        else HashIsPartial = true;
        return h;
    }

    private static ulong Mix(ulong h, ulong v)
    {
        h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 31);
    }
}
