using System.Buffers.Binary;
using Raft.Core.Node;
using Raft.Model.Contract;

namespace Raft.Etcd;

/// <summary>
/// etcd raft 3.4.23 (Debian's golang-etcd-server-dev) as a loadable implementation:
/// <c>dotnet raftverify explore --node Raft.Etcd.dll:Raft.Etcd.EtcdRaft</c>. etcd's defaults:
/// no PreVote, no CheckQuorum. The world's options map onto etcd's config (see <see cref="Config"/>).
/// </summary>
public class EtcdRaft : IRaftImplementation
{
    public virtual string Name => "etcd-3.4";

    /// <summary>Which shim build to run: null for correct etcd, else a patch in Raft.Etcd/shim/bugs/ (scripts/etcd-shim.sh).</summary>
    public virtual string? Bug => null;

    protected virtual bool PreVote => false;
    protected virtual bool CheckQuorum => false;

    /// <summary>
    /// RaftOptions → etcd's Config: ElectionTicks → ElectionTick (both draw timeouts from [E, 2E)),
    /// HeartbeatTicks → HeartbeatTick, MaxBytesPerAppend → MaxSizePerMsg (which also bounds the
    /// committed entries per Ready). No equivalent: MaxEntriesPerAppend (etcd bounds appends by bytes
    /// only), BroadcastCommit (etcd always broadcasts a new commit index), EntryArrayPool (etcd's
    /// messages are its own bytes); SnapshotRetryTicks is the adapter's MsgSnap timeout (EtcdNode).
    /// MaxInflightMsgs is etcd's 256. ReadOnly → ReadOnlyOption (Safe → ReadOnlySafe, LeaseBased →
    /// ReadOnlyLeaseBased, which etcd accepts only with CheckQuorum, so LeaseBased turns CheckQuorum on
    /// in every configuration). No equivalent: LeaseDriftTicks (etcd's lease has no drift bound) and
    /// NoOpOnElection (etcd's new leader always appends an empty entry).
    /// </summary>
    public EtcdNodeConfig Config(int clusterSize, RaftOptions options)
    {
        bool lease = options.ReadOnly == ReadOnlyOption.LeaseBased;
        return new(
            ClusterSize: clusterSize, ElectionTick: options.ElectionTicks, HeartbeatTick: options.HeartbeatTicks,
            PreVote: PreVote, CheckQuorum: CheckQuorum || lease, MaxSizePerMsg: (ulong)Math.Max(1, options.MaxBytesPerAppend), MaxInflightMsgs: 256,
            LeaseBased: lease);
    }

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new EtcdNode(id, clusterSize, seed, options, state, Config(clusterSize, options), EtcdShimBinary.Locate(Bug));
}

/// <summary>etcd raft 3.4 with PreVote and CheckQuorum on (as etcd's server runs it by default since 3.4's --pre-vote).</summary>
public class EtcdRaftPreVote : EtcdRaft
{
    public override string Name => "etcd-3.4-prevote";
    protected override bool PreVote => true;
    protected override bool CheckQuorum => true;
}

/// <summary>A marshalled raftpb.Message: only the receiving etcd node reads it.</summary>
public sealed class EtcdPayload(byte[] bytes, EtcdMessageType type) : IMessagePayload
{
    public byte[] Bytes { get; } = bytes;
    public EtcdMessageType Type { get; } = type;

    /// <summary>FNV-1a over the marshalled bytes (gogo-protobuf marshals deterministically).</summary>
    public ulong Digest()
    {
        ulong h = 0xCBF29CE484222325UL;
        ReadOnlySpan<byte> b = Bytes;
        while (b.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(b)) * 0x100000001B3UL;
            b = b[8..];
        }
        foreach (byte x in b) h = (h ^ x) * 0x100000001B3UL;
        return h;
    }

    public int EncodedSize => Bytes.Length;

    public override string ToString() => $"{Type} ({Bytes.Length} B)";

    public static MessageKind Kind(EtcdMessageType t) => t switch
    {
        EtcdMessageType.MsgApp => MessageKind.AppendEntries,
        EtcdMessageType.MsgAppResp => MessageKind.AppendEntriesResponse,
        EtcdMessageType.MsgVote => MessageKind.RequestVote,
        EtcdMessageType.MsgVoteResp => MessageKind.RequestVoteResponse,
        EtcdMessageType.MsgPreVote => MessageKind.PreVote,
        EtcdMessageType.MsgPreVoteResp => MessageKind.PreVoteResponse,
        EtcdMessageType.MsgSnap => MessageKind.InstallSnapshot,
        EtcdMessageType.MsgHeartbeat => MessageKind.Heartbeat,
        EtcdMessageType.MsgHeartbeatResp => MessageKind.HeartbeatResponse,
        EtcdMessageType.MsgTimeoutNow => MessageKind.TimeoutNow,
        EtcdMessageType.MsgReadIndex => MessageKind.ReadIndex,
        EtcdMessageType.MsgReadIndexResp => MessageKind.ReadIndexResponse,
        _ => MessageKind.Other,
    };

    private static readonly string[] Names = Enum.GetNames<EtcdMessageType>();

    public static Envelope Wrap(EtcdMessage m) => new()
    {
        Type = Kind(m.Type),
        Name = (int)m.Type < Names.Length ? Names[(int)m.Type] : m.Type.ToString(),
        From = m.From,
        To = m.To,
        Term = (long)m.Term,
        Index = m.Type == EtcdMessageType.MsgSnap ? (long)m.SnapshotIndex : (long)m.Index,
        LogTerm = (long)m.LogTerm,
        Commit = (long)m.Commit,
        Reject = m.Reject,
        Hint = (long)m.RejectHint,
        EntryCount = m.EntryCount,
        Bytes = m.SnapshotSize,
        Payload = new EtcdPayload(m.Bytes, m.Type),
    };
}

/// <summary>etcd built with Raft.Etcd/shim/bugs/vote-no-log-check.patch: grants votes without §5.4.1's up-to-date check.</summary>
public sealed class EtcdRaftVoteNoLogCheck : EtcdRaft
{
    public override string Name => "etcd-3.4+vote-no-log-check";
    public override string? Bug => "vote-no-log-check";
}

/// <summary>etcd built with Raft.Etcd/shim/bugs/commit-old-term.patch: commits an earlier term's entry by counting replicas (Figure 8).</summary>
public sealed class EtcdRaftCommitOldTerm : EtcdRaft
{
    public override string Name => "etcd-3.4+commit-old-term";
    public override string? Bug => "commit-old-term";
}

/// <summary>etcd built with Raft.Etcd/shim/bugs/double-vote.patch: grants a second vote in a term it already voted in.</summary>
public sealed class EtcdRaftDoubleVote : EtcdRaft
{
    public override string Name => "etcd-3.4+double-vote";
    public override string? Bug => "double-vote";
}

/// <summary>etcd built with Raft.Etcd/shim/bugs/accept-stale-append.patch: handles a MsgApp from a lower term.</summary>
public sealed class EtcdRaftAcceptStaleAppend : EtcdRaft
{
    public override string Name => "etcd-3.4+accept-stale-append";
    public override string? Bug => "accept-stale-append";
}
