using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Events;

/// <summary>
/// A message as the world saw it when it was sent: its stable id (the world numbers messages in
/// send order, so "message 12" means the same message in every run of the same schedule), its type,
/// ends and term, and the log index it is about.
/// </summary>
/// <remarks>
/// <see cref="Index"/> is <see cref="Message.Index"/>: RequestVote's lastLogIndex, AppendEntries'
/// prevLogIndex, InstallSnapshot's lastIncludedIndex, and in a reply the index the follower now
/// matches (for a rejected AppendEntries: the rejected prevLogIndex, with the conflict index in
/// <see cref="Hint"/>). <see cref="LogTerm"/> is the term at that index (lastLogTerm, prevLogTerm,
/// lastIncludedTerm, a rejection's conflict term). The other fields are what the display shows:
/// the leader's commit index, the number of entries, whether a reply rejects, a snapshot's size.
/// </remarks>
public readonly record struct MessageInfo(long Id, MessageKind Type, int From, int To, long Term, long Index,
    long LogTerm = 0, long Commit = 0, int Entries = 0, bool Reject = false, long Hint = 0, int Bytes = 0, string? Name = null)
{
    public static MessageInfo Of(long id, in Envelope m) =>
        new(id, m.Type, m.From, m.To, m.Term, m.Index, m.LogTerm, m.Commit, m.EntryCount, m.Reject, m.Hint, m.Bytes, m.Name);
}

/// <summary>
/// A key-value client's request as a step carries it: the client, its sequence number, the
/// operation, the key and the value a Put or an Append writes ("" for a Get), and for a reply the
/// answer the client took (a Get's value; null otherwise).
/// </summary>
public sealed record ClientRequest(int Client, long Seq, Histories.OpKind Op, string Key, string Value, string? Output = null);

/// <summary>How a partition cut the network.</summary>
public enum PartitionKind : byte { Isolate, Split, Cut }

/// <summary>
/// A partition's shape: <see cref="PartitionKind.Isolate"/> node <see cref="Node"/> from all others,
/// <see cref="PartitionKind.Split"/> the nodes into two groups (<see cref="Sides"/>[i] is 0 or 1),
/// or <see cref="PartitionKind.Cut"/> the one link <see cref="Node"/> → <see cref="To"/>.
/// </summary>
public sealed record PartitionShape(PartitionKind Kind, int Node = -1, int To = -1, int[]? Sides = null)
{
    public bool Equals(PartitionShape? other) =>
        other is not null && Kind == other.Kind && Node == other.Node && To == other.To
        && (Sides ?? []).AsSpan().SequenceEqual(other.Sides ?? []);

    public override int GetHashCode() => HashCode.Combine(Kind, Node, To, Sides?.Length ?? 0);
}

/// <summary>
/// One step the world executed, as data: its kind, the node it concerns (a message's receiver;
/// -1 for the whole network), the virtual time it started at (ms; 0 throughout adversarial mode),
/// and by kind: the message (deliver, drop, duplicate), the proposal's command number (the
/// explorer's propose), the time the clock moves to (advance), the tester's action (control), or a
/// key-value client's request (client send and reply: <see cref="Request"/>).
/// </summary>
/// <remarks>
/// Display text is derived from this record by <see cref="EventText"/> and never parsed back;
/// replay and the shrinker compare the fields. New kinds add an <see cref="EventKind"/> value and,
/// where they need more data, an optional field here (written to traces only when present).
/// </remarks>
public sealed record StepEvent(EventKind Kind, int Node, long At, MessageInfo? Message = null, long Proposal = 0, long AdvanceTo = 0, WorldControl? Control = null,
    ClientRequest? Request = null)
{
    public bool IsMessage => Message is not null;

    /// <summary>The same event with its message id taken out (the shrinker's "exact" identity, stable when earlier steps are removed).</summary>
    public StepEvent WithoutIds() => this with
    {
        Message = Message is { } m ? m with { Id = -1 } : null,
        Proposal = 0,
        At = Kind == EventKind.Control ? At : 0,
        AdvanceTo = 0,
    };
}

/// <summary>What came of a step.</summary>
public enum OutcomeKind : byte
{
    /// <summary>The step ran (crash, restart, heal, drop, tick, a control step).</summary>
    Done,
    /// <summary>A message (or a duplicate's copy) reached its receiver.</summary>
    Delivered,
    /// <summary>The receiver crashed or restarted since the message was sent: lost on arrival.</summary>
    LostTargetRestarted,
    /// <summary>The link was down at arrival: lost.</summary>
    LostLinkDown,
    /// <summary>A proposal was accepted at <see cref="StepOutcome.Index"/> in <see cref="StepOutcome.Term"/>.</summary>
    Proposed,
    /// <summary>A proposal reached a node that is not leader.</summary>
    NotLeader,
    /// <summary>A timer fired after <see cref="StepOutcome.Count"/> ticks.</summary>
    Ticks,
    /// <summary>The clock moved to <see cref="StepOutcome.Index"/> ms, by <see cref="StepOutcome.Count"/> ms.</summary>
    Clock,
    /// <summary>A service snapshot now covers the log through <see cref="StepOutcome.Index"/>.</summary>
    Snapshot,
    /// <summary>The network was cut as <see cref="StepOutcome.Partition"/>.</summary>
    Partitioned,
    /// <summary>The node threw (reported to the checker as a CoreError).</summary>
    Threw,
    /// <summary>The liveness phase's heal: <see cref="StepOutcome.Count"/> messages still in flight, <see cref="StepOutcome.Index"/> lost.</summary>
    Healed,
    /// <summary>The network stabilised: <see cref="StepOutcome.Count"/> late messages now arrive within the stable bound.</summary>
    Retimed,
    /// <summary>one() gave up, but every node had applied its command: no violation.</summary>
    AppliedEverywhere,
    /// <summary>one() gave up and <see cref="StepOutcome.Count"/> nodes had not applied its command: a Liveness violation.</summary>
    NotApplied,
    /// <summary>A livelock guard stopped the run (a Liveness violation).</summary>
    Stopped,
    /// <summary>A Ready's writes were made durable: <see cref="StepOutcome.Count"/> entries from index <see cref="StepOutcome.Index"/> (0: none, only hard state or a snapshot).</summary>
    Persisted,
    /// <summary>A Ready's messages left the node: <see cref="StepOutcome.Count"/> of them.</summary>
    Sent,
    /// <summary>A Ready's snapshot and committed entries went to the service: <see cref="StepOutcome.Count"/> of them, through index <see cref="StepOutcome.Index"/>.</summary>
    Applied,
    /// <summary>The leader accepted read request <see cref="StepOutcome.Index"/> (ReadIndex, thesis §6.4): it answers once confirmed.</summary>
    ReadAccepted,
}

/// <summary>The outcome of a step: its kind and, by kind, an index and term, a count, or a partition's shape.</summary>
public readonly record struct StepOutcome(OutcomeKind Kind, long Index = 0, long Term = 0, long Count = 0, PartitionShape? Partition = null)
{
    public static readonly StepOutcome Done = default;
    public static readonly StepOutcome Delivered = new(OutcomeKind.Delivered);
    public static readonly StepOutcome LostTargetRestarted = new(OutcomeKind.LostTargetRestarted);
    public static readonly StepOutcome LostLinkDown = new(OutcomeKind.LostLinkDown);
    public static readonly StepOutcome NotLeader = new(OutcomeKind.NotLeader);
    public static readonly StepOutcome Threw = new(OutcomeKind.Threw);

    public static StepOutcome Proposed(long index, long term) => new(OutcomeKind.Proposed, index, term);
    public static StepOutcome Ticked(long ticks) => new(OutcomeKind.Ticks, Count: ticks);
    public static StepOutcome ClockMovedTo(long now, long by) => new(OutcomeKind.Clock, now, Count: by);
    public static StepOutcome SnapshotThrough(long index) => new(OutcomeKind.Snapshot, index);
    public static StepOutcome Partitioned(PartitionShape shape) => new(OutcomeKind.Partitioned, Partition: shape);
    public static StepOutcome Healed(long inFlight, long lost) => new(OutcomeKind.Healed, lost, Count: inFlight);
    public static StepOutcome Retimed(long retimed) => new(OutcomeKind.Retimed, Count: retimed);
    public static StepOutcome PersistedFrom(long from, long entries) => new(OutcomeKind.Persisted, from, Count: entries);
    public static StepOutcome SentMessages(long messages) => new(OutcomeKind.Sent, Count: messages);
    public static StepOutcome AppliedThrough(long through, long applied) => new(OutcomeKind.Applied, through, Count: applied);
    public static StepOutcome ReadAccepted(long readId) => new(OutcomeKind.ReadAccepted, readId);

    /// <summary>A delivery that did not reach the node.</summary>
    public bool IsLost => Kind is OutcomeKind.LostTargetRestarted or OutcomeKind.LostLinkDown;
}

/// <summary>A node after a step: down (crashed, or not started), or its role, term, commit index and last log index.</summary>
public readonly record struct NodeState(bool Up, Role Role, long Term, long Commit, long Last)
{
    public static readonly NodeState Down = default;

    /// <summary>A fresh node: follower, term 0, nothing committed, empty log.</summary>
    public static readonly NodeState Initial = new(true, Role.Follower, 0, 0, 0);

    public static NodeState Of(IRaftNode? n) => n is null ? Down : new NodeState(true, n.Role, n.Term, n.CommitIndex, n.LastIndex);
}

/// <summary>A message a step sent; <see cref="Lost"/> when its link was down at sending (or labrpc lost it at once).</summary>
public sealed record SentMessage(MessageInfo Message, bool Lost)
{
    public long Id => Message.Id;
    public int From => Message.From;
    public int To => Message.To;
    public MessageKind Type => Message.Type;
}

/// <summary>
/// One recorded step: its number (counted from 0, the number every report uses), the decisions
/// taken (the event's index in the enabled list, then any data choices; empty for a control step),
/// the event, its outcome, every node's state after it, and the messages it sent.
/// </summary>
public sealed record TraceStep(int Step, int[] Decisions, StepEvent Event, StepOutcome Outcome, NodeState[] Nodes, SentMessage[]? Sent = null)
{
    /// <summary>The tester's action of a lab control step, or null.</summary>
    public WorldControl? Control => Event.Control;
}
