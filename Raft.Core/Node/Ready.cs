using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// The output of a node since the last <see cref="RaftNode{TRules}.Advance"/>, to be handled by the
/// caller in exactly this order:
/// <list type="number">
/// <item><b>Persist</b>: the hard state (term, vote) if changed; then the snapshot if any (drop
/// durable entries up to its index); then truncate the durable log at <see cref="PersistFrom"/>
/// and append <see cref="EntriesToPersist"/>. These writes must be atomic with respect to a crash.</item>
/// <item><b>Send</b> <see cref="Messages"/>: only after step 1, because votes granted and entries
/// acknowledged in them depend on that state being durable (Figure 2: "respond after updating
/// stable storage").</item>
/// <item><b>Apply</b>: <see cref="SnapshotToApply"/> first, then <see cref="CommittedEntries"/>
/// (indexes <see cref="FirstCommittedIndex"/>..), each exactly once, in index order.</item>
/// </list>
/// Then call <see cref="RaftNode{TRules}.Advance"/>, which acknowledges exactly what this Ready
/// carried: whatever the node produced after <see cref="RaftNode{TRules}.TryGetReady"/> (a vote
/// granted, entries appended, messages, newly committed entries) comes in the next Ready, and
/// <see cref="Messages"/> holds only what was handed out. The segments alias the node's buffers and are valid
/// until then, whatever the node is given in between (a compaction or a truncation in between copies
/// the log rather than change what a Ready holds). The same instance is reused: nothing here is
/// allocated per step.
/// </summary>
public sealed class Ready
{
    /// <summary>The messages to send (the node adds; the world reads).</summary>
    public List<Message> MessageBuffer { get; private set; } = new();

    /// <summary>Makes <paramref name="messages"/> this Ready's buffer and returns the previous one (O(1), no allocation).</summary>
    internal List<Message> SwapMessageBuffer(List<Message> messages)
    {
        List<Message> previous = MessageBuffer;
        MessageBuffer = messages;
        return previous;
    }

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

    public IReadOnlyList<Message> Messages => MessageBuffer;

    /// <summary>True when a leader's snapshot must replace the service state before any entry is applied.</summary>
    public bool SnapshotToApply { get; set; }

    public long FirstCommittedIndex { get; set; }
    public ArraySegment<Entry> CommittedEntries { get; set; }

    /// <summary>
    /// Reads the leader confirmed (<see cref="RaftNode{TRules}.ReadIndex"/>): each may be served
    /// from the service state once it has applied through its index. Not durable: handle them
    /// with the apply step.
    /// </summary>
    public List<ReadState> ReadStateBuffer { get; private set; } = new();

    public IReadOnlyList<ReadState> ReadStates => ReadStateBuffer;

    internal List<ReadState> SwapReadStateBuffer(List<ReadState> states)
    {
        List<ReadState> previous = ReadStateBuffer;
        ReadStateBuffer = states;
        return previous;
    }

    /// <summary>True when anything must be persisted (step 1).</summary>
    public bool MustPersist => HardStateChanged || HasSnapshot || PersistFrom != 0;
}

/// <summary>A confirmed read (Raft thesis §6.4): request <paramref name="RequestId"/> may be served once the service has applied through <paramref name="Index"/>.</summary>
public readonly record struct ReadState(long RequestId, long Index);
