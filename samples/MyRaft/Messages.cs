// MyRaft's own messages: the RPCs of the Raft paper's Figure 2 and Figure 13, as records. The
// world never reads them; it carries them in an Envelope whose classification MyRaftNode fills in.
using Raft.Model.Contract;

namespace MyRaft;

/// <summary>One log entry: the term it was created in and the service's command.</summary>
public readonly record struct LogEntry(long Term, byte[] Command);

/// <summary>
/// Every MyRaft message. <see cref="IMessagePayload"/> is optional: <see cref="Digest"/> lets the
/// model checker (dfs) tell two messages apart and <see cref="EncodedSize"/> lets the lab count
/// the bytes a run sends.
/// </summary>
public abstract record RaftMessage(long Term) : IMessagePayload
{
    /// <summary>A hash of the content, the same in every process (never from GetHashCode).</summary>
    public abstract ulong Digest();

    /// <summary>The bytes this message would take on a wire: 8 per number, plus the commands and data.</summary>
    public abstract int EncodedSize { get; }

    protected static ulong Mix(ulong h, long v)
    {
        h ^= (ulong)v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 31);
    }

    protected static ulong Mix(ulong h, byte[]? bytes)
    {
        if (bytes is null) return Mix(h, -1);
        h = Mix(h, bytes.Length);
        foreach (byte b in bytes) h = Mix(h, b);
        return h;
    }
}

/// <summary>RequestVote RPC arguments.</summary>
public sealed record VoteRequest(long Term, int Candidate, long LastLogIndex, long LastLogTerm) : RaftMessage(Term)
{
    public override ulong Digest() => Mix(Mix(Mix(Mix(1, Term), Candidate), LastLogIndex), LastLogTerm);
    public override int EncodedSize => 32;
}

/// <summary>RequestVote RPC results.</summary>
public sealed record VoteReply(long Term, bool Granted) : RaftMessage(Term)
{
    public override ulong Digest() => Mix(Mix(2, Term), Granted ? 1 : 0);
    public override int EncodedSize => 9;
}

/// <summary>AppendEntries RPC arguments (a heartbeat when <see cref="Entries"/> is empty).</summary>
public sealed record AppendRequest(long Term, int Leader, long PrevLogIndex, long PrevLogTerm, LogEntry[] Entries, long LeaderCommit)
    : RaftMessage(Term)
{
    public override ulong Digest()
    {
        ulong h = Mix(Mix(Mix(Mix(Mix(3, Term), Leader), PrevLogIndex), PrevLogTerm), LeaderCommit);
        foreach (LogEntry e in Entries) h = Mix(Mix(h, e.Term), e.Command);
        return h;
    }

    public override int EncodedSize => 40 + Entries.Sum(e => 12 + e.Command.Length);
}

/// <summary>
/// AppendEntries RPC results. On success <see cref="Match"/> is the last index the follower now
/// holds from this request; on failure <see cref="ConflictIndex"/> is where the leader should
/// try next (the "fast backup" of the paper's §5.3 note).
/// </summary>
public sealed record AppendReply(long Term, bool Success, long Match, long ConflictIndex) : RaftMessage(Term)
{
    public override ulong Digest() => Mix(Mix(Mix(Mix(4, Term), Success ? 1 : 0), Match), ConflictIndex);
    public override int EncodedSize => 25;
}

/// <summary>InstallSnapshot RPC arguments (Figure 13), in one piece.</summary>
public sealed record SnapshotRequest(long Term, int Leader, long LastIncludedIndex, long LastIncludedTerm, byte[] Data)
    : RaftMessage(Term)
{
    public override ulong Digest() => Mix(Mix(Mix(Mix(Mix(5, Term), Leader), LastIncludedIndex), LastIncludedTerm), Data);
    public override int EncodedSize => 32 + Data.Length;
}

/// <summary>InstallSnapshot RPC results, with the index the follower now matches the leader through.</summary>
public sealed record SnapshotReply(long Term, long Match) : RaftMessage(Term)
{
    public override ulong Digest() => Mix(Mix(6, Term), Match);
    public override int EncodedSize => 16;
}
