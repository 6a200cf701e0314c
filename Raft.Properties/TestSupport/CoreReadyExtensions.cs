using Raft.Model.Nodes;

namespace Raft.Properties.TestSupport;

/// <summary>For tests that drive Raft.Core's node directly and hand its output to the world's parts (disks, checkers): its Ready as the contract's.</summary>
public static class CoreReadyExtensions
{
    public static Raft.Model.Contract.Ready ToContract(this Raft.Core.Node.Ready r)
    {
        var ready = new Raft.Model.Contract.Ready
        {
            HardStateChanged = r.HardStateChanged, Term = r.Term, VotedFor = r.VotedFor,
            HasSnapshot = r.HasSnapshot, SnapshotIndex = r.SnapshotIndex, SnapshotTerm = r.SnapshotTerm, SnapshotData = r.SnapshotData,
            PersistFrom = r.PersistFrom, EntriesToPersist = r.EntriesToPersist,
            SnapshotToApply = r.SnapshotToApply, FirstCommittedIndex = r.FirstCommittedIndex, CommittedEntries = r.CommittedEntries,
        };
        foreach (var m in r.Messages) ready.MessageBuffer.Add(CoreMessage.Wrap(m));
        return ready;
    }
}
