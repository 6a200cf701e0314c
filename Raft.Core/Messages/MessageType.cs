namespace Raft.Core.Messages;

/// <summary>The RPCs of Figure 2 and §7, each as a request and its reply.</summary>
public enum MessageType : byte
{
    None = 0,
    RequestVote = 1,
    RequestVoteResponse = 2,
    AppendEntries = 3,
    AppendEntriesResponse = 4,
    InstallSnapshot = 5,
    InstallSnapshotResponse = 6,
}

public static class MessageTypeExtensions
{
    public static bool IsResponse(this MessageType t) =>
        t is MessageType.RequestVoteResponse or MessageType.AppendEntriesResponse or MessageType.InstallSnapshotResponse;

    public static bool IsRequest(this MessageType t) =>
        t is MessageType.RequestVote or MessageType.AppendEntries or MessageType.InstallSnapshot;

    public static int Count => 7;
}
