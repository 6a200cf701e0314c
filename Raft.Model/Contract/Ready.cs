using Raft.Core.Messages;

namespace Raft.Model.Contract;

/// <summary>
/// A node's output since its last <see cref="IRaftNode.Advance"/>, handled by the world in exactly
/// this order:
/// <list type="number">
/// <item><b>Persist</b>: the hard state (term, vote) if changed; then the snapshot if any (drop
/// durable entries up to its index); then truncate the durable log at <see cref="PersistFrom"/>
/// and append <see cref="EntriesToPersist"/>. The world makes these writes atomic with respect to a crash.</item>
/// <item><b>Send</b> <see cref="Messages"/>: only after step 1, because votes granted and entries
/// acknowledged in them depend on that state being durable (Figure 2: "respond after updating
/// stable storage").</item>
/// <item><b>Apply</b>: <see cref="SnapshotToApply"/> first, then <see cref="CommittedEntries"/>
/// (indexes <see cref="FirstCommittedIndex"/>..), each exactly once, in index order; then note
/// <see cref="ReadStates"/>.</item>
/// </list>
/// Then the world calls <see cref="IRaftNode.Advance"/>, which acknowledges exactly what this Ready
/// carried. What the Ready holds must stay as handed out until then, whatever the node is given
/// meanwhile (the world may step, tick, propose to or snapshot the node between taking a Ready and
/// Advance, and take it again: a second <see cref="IRaftNode.TryGetReady"/> before Advance returns
/// everything since the last Advance, the first Ready's messages first). The node owns and fills
/// this object and may reuse one instance; the world only reads it.
/// </summary>
public sealed class Ready
{
    /// <summary>The messages to send (the node adds; the world reads).</summary>
    public List<Envelope> MessageBuffer { get; } = new();

    public IReadOnlyList<Envelope> Messages => MessageBuffer;

    public bool HardStateChanged { get; set; }
    public long Term { get; set; }
    public int VotedFor { get; set; }

    /// <summary>A snapshot to make durable together with the hard state, or false.</summary>
    public bool HasSnapshot { get; set; }
    public long SnapshotIndex { get; set; }
    public long SnapshotTerm { get; set; }
    public byte[]? SnapshotData { get; set; }

    /// <summary>The first log index to overwrite on disk, or 0 when the durable log is unchanged.</summary>
    public long PersistFrom { get; set; }
    public ArraySegment<Entry> EntriesToPersist { get; set; }

    /// <summary>True when a leader's snapshot must replace the service state before any entry is applied.</summary>
    public bool SnapshotToApply { get; set; }

    public long FirstCommittedIndex { get; set; }
    public ArraySegment<Entry> CommittedEntries { get; set; }

    /// <summary>
    /// Reads the node confirmed (<see cref="IRaftNode.ReadIndex"/>): request id and the index the
    /// service must have applied before it serves the read. Not durable; the world takes them with
    /// the apply step. The node adds; the world reads.
    /// </summary>
    public List<Raft.Core.Node.ReadState> ReadStateBuffer { get; } = new();

    public IReadOnlyList<Raft.Core.Node.ReadState> ReadStates => ReadStateBuffer;

    /// <summary>True when anything must be persisted (step 1).</summary>
    public bool MustPersist => HardStateChanged || HasSnapshot || PersistFrom != 0;
}
