using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Rules;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Nodes;

/// <summary>
/// Raft.Core's <see cref="RaftNode{TRules}"/> behind the node contract: the suite runs its own core
/// through the same <see cref="IRaftNode"/> any other implementation uses. Its messages travel as
/// <see cref="CoreMessage"/> payloads, classified from their fields; its Ready is copied field by
/// field (the entry segments still alias the core's buffers, valid until Advance as the core
/// guarantees); it reports its status (<see cref="IRaftNodeStatus"/>).
/// </summary>
public sealed class CoreNode<TRules> : IRaftNode, IRaftNodeStatus where TRules : struct, IRaftRules
{
    private readonly Ready _ready = new();

    public CoreNode(RaftNode<TRules> node) => Inner = node;

    /// <summary>The core node itself (tests of the core read it).</summary>
    public RaftNode<TRules> Inner { get; }

    public int Id => Inner.Id;
    public long Term => Inner.Term;
    public int VotedFor => Inner.VotedFor;
    public Role Role => Inner.Role;
    public long CommitIndex => Inner.CommitIndex;
    public long Applied => Inner.Applied;
    public long SnapshotIndex => Inner.SnapshotIndex;
    public long SnapshotTerm => Inner.SnapshotTerm;
    public long LastIndex => Inner.LastIndex;
    public bool TryGetEntry(long index, out Entry entry) => Inner.TryGetEntry(index, out entry);

    public void Step(in Envelope message)
    {
        if (message.Payload is not CoreMessage m)
            throw new ArgumentException($"node {Id} was handed a message that is not Raft.Core's ({message.Payload?.GetType().Name ?? "no payload"})", nameof(message));
        Inner.Step(m.Message);
    }

    public void Tick() => Inner.Tick();
    public ProposeResult Propose(byte[] command) => Inner.Propose(command);
    public void Snapshot(long index, byte[] data) => Inner.Snapshot(index, data);
    public ReadRequest ReadIndex(long requestId) => Inner.ReadIndex(requestId) ? ReadRequest.Accepted : ReadRequest.NotLeader;

    public bool TryGetReady(out Ready ready)
    {
        if (!Inner.TryGetReady(out Raft.Core.Node.Ready r))
        {
            ready = _ready;
            return false;
        }
        _ready.HardStateChanged = r.HardStateChanged;
        _ready.Term = r.Term;
        _ready.VotedFor = r.VotedFor;
        _ready.HasSnapshot = r.HasSnapshot;
        _ready.SnapshotIndex = r.SnapshotIndex;
        _ready.SnapshotTerm = r.SnapshotTerm;
        _ready.SnapshotData = r.SnapshotData;
        _ready.PersistFrom = r.PersistFrom;
        _ready.EntriesToPersist = r.EntriesToPersist;
        _ready.SnapshotToApply = r.SnapshotToApply;
        _ready.FirstCommittedIndex = r.FirstCommittedIndex;
        _ready.CommittedEntries = r.CommittedEntries;
        _ready.ReadStateBuffer.Clear();
        _ready.ReadStateBuffer.AddRange(r.ReadStates);
        List<Envelope> messages = _ready.MessageBuffer;
        messages.Clear();
        IReadOnlyList<Message> sent = r.Messages;
        for (int k = 0; k < sent.Count; k++) messages.Add(CoreMessage.Wrap(sent[k]));
        ready = _ready;
        return true;
    }

    public void Advance() => Inner.Advance();

    public IRaftNodeStatus Status => this;

    public int Leader => Inner.LeaderId;

    public PeerProgress Progress(int peer)
    {
        PeerStatus p = Inner.StatusOf(peer);
        return new PeerProgress(p.Match, p.Next, (int)p.State, p.ProbeSent, p.PendingSnapshot);
    }

    public VoteTally Vote(int peer)
    {
        var (responded, granted) = Inner.VoteFrom(peer);
        return new VoteTally(responded, granted);
    }

    public byte[]? HeldSnapshot => Inner.SnapshotData;

    public override string ToString() => $"core node {Id}";
}

/// <summary>Builds Raft.Core's nodes behind the contract.</summary>
public static class CoreNodes
{
    /// <summary>The correct core.</summary>
    public static NodeFactory Standard { get; } = static (id, n, seed, options, state) =>
        new CoreNode<StandardRules>(new RaftNode(id, n, seed, options, state));

    /// <summary>The core with rules <typeparamref name="TRules"/> (a broken variant of the catalog).</summary>
    public static NodeFactory With<TRules>() where TRules : struct, IRaftRules =>
        static (id, n, seed, options, state) => new CoreNode<TRules>(new RaftNode<TRules>(id, n, seed, options, state));

    /// <summary>The core node behind <paramref name="node"/>, when it is one (tests of the core read it); else null.</summary>
    public static RaftNode<StandardRules>? CoreOf(IRaftNode? node) => (node as CoreNode<StandardRules>)?.Inner;
}

/// <summary>
/// A Raft.Core message as the payload of an <see cref="Envelope"/>. The classification is copied
/// from the message's own fields; the entry array is lent to the transport when pooling is on (the
/// world's pool ignores arrays it did not hand out).
/// </summary>
public sealed class CoreMessage(Message message) : IMessagePayload
{
    public Message Message { get; } = message;

    public static Envelope Wrap(in Message m) => new()
    {
        Type = (MessageKind)m.Type,
        From = m.From,
        To = m.To,
        Term = m.Term,
        Index = m.Index,
        LogTerm = m.LogTerm,
        Commit = m.Commit,
        Reject = m.Reject,
        Hint = m.Hint,
        EntryCount = m.EntryCount,
        Bytes = m.Data?.Length ?? 0,
        Payload = new CoreMessage(m),
        Lent = m.Entries,
    };

    /// <summary>The message's content (entries and snapshot data included); the classification is hashed by the world.</summary>
    public ulong Digest()
    {
        ulong h = 0xC0DE;
        if (Message.Entries is { } entries)
            foreach (Entry e in entries) h = Mix(Mix(h, (ulong)e.Term), Services.Commands.Hash(e.Command));
        if (Message.Data is { } data) h = Mix(h, Services.Commands.Hash(data));
        return h;
    }

    public int EncodedSize => Raft.Core.Encoding.RaftCodec.EncodedSize(Message);

    private static ulong Mix(ulong h, ulong v)
    {
        h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 31);
    }

    public override string ToString() => Message.ToString();
}
