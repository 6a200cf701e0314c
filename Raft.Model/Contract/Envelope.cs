using Raft.Core.Messages;

namespace Raft.Model.Contract;

/// <summary>
/// What a message means to Raft, as the node that sent it classifies it. The world uses it for the
/// adversary (requests and replies), coverage, the pictures and the few checks that read the wire
/// (a vote grant is a vote cast). A message that fits none is <see cref="Other"/>.
/// </summary>
public enum MessageKind : byte
{
    Other = 0,
    RequestVote = 1,
    RequestVoteResponse = 2,
    AppendEntries = 3,
    AppendEntriesResponse = 4,
    InstallSnapshot = 5,
    InstallSnapshotResponse = 6,
    /// <summary>Pre-Vote's poll (a RequestVote that raises no term).</summary>
    PreVote = 7,
    PreVoteResponse = 8,
    /// <summary>A leader's heartbeat when it is a message of its own (etcd's MsgHeartbeat).</summary>
    Heartbeat = 9,
    HeartbeatResponse = 10,
    /// <summary>Leadership transfer: start an election now.</summary>
    TimeoutNow = 11,
    ReadIndex = 12,
    ReadIndexResponse = 13,
}

public static class MessageKinds
{
    /// <summary>How many kinds there are (the values are 0 .. Count − 1).</summary>
    public const int Count = 14;

    public static bool IsResponse(this MessageKind k) =>
        k is MessageKind.RequestVoteResponse or MessageKind.AppendEntriesResponse or MessageKind.InstallSnapshotResponse
            or MessageKind.PreVoteResponse or MessageKind.HeartbeatResponse or MessageKind.ReadIndexResponse;

    public static bool IsRequest(this MessageKind k) => !k.IsResponse();
}

/// <summary>
/// A message as the world carries it: the node's own <see cref="Payload"/>, which only the
/// receiving node reads, and the classification its sender filled in. The world routes by
/// <see cref="From"/> and <see cref="To"/>, and shows and counts the rest; it decides nothing from
/// the payload.
/// </summary>
/// <remarks>
/// The classification fields beyond <see cref="Type"/>, <see cref="From"/>, <see cref="To"/> and
/// <see cref="Term"/> are optional: fill what the message has. <see cref="Index"/> is the log
/// index the message is about (RequestVote's lastLogIndex, AppendEntries' prevLogIndex,
/// InstallSnapshot's lastIncludedIndex, in a reply the index the follower now matches or, when
/// rejecting an append, the rejected prevLogIndex with a conflict hint in <see cref="Hint"/>),
/// <see cref="LogTerm"/> the term at that index. <see cref="Name"/> is the implementation's own
/// name for the kind, when it differs (etcd's "MsgApp"). <see cref="Lent"/> is an entry array the
/// node lent to the transport from <c>RaftOptions.EntryArrayPool</c>, which the world returns when
/// it is done with the message.
/// </remarks>
public readonly struct Envelope
{
    public MessageKind Type { get; init; }
    public int From { get; init; }
    public int To { get; init; }
    public long Term { get; init; }
    public long Index { get; init; }
    public long LogTerm { get; init; }
    public long Commit { get; init; }
    public bool Reject { get; init; }
    public long Hint { get; init; }
    public int EntryCount { get; init; }

    /// <summary>The size of what the message carries beyond its header (a snapshot's data), for display.</summary>
    public int Bytes { get; init; }

    public string? Name { get; init; }

    /// <summary>The node's own message; opaque to the world.</summary>
    public object? Payload { get; init; }

    public Entry[]? Lent { get; init; }

    public override string ToString() => $"{Name ?? Type.ToString()} {From}->{To} t{Term}";
}

/// <summary>
/// What a payload may tell the world about its content, optionally. <see cref="Digest"/> hashes the
/// content deterministically in every process (never from object hash codes): the model checker
/// (dfs) needs it to tell two in-flight messages apart, and without it never reports "exhausted".
/// <see cref="EncodedSize"/> is the message's size on the wire, which the lab's byte counts add up
/// (6.824's tests bound the bytes a run sends); without it a message counts as its header only.
/// </summary>
public interface IMessagePayload
{
    ulong Digest();

    int EncodedSize { get; }
}
