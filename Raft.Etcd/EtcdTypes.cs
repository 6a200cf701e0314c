namespace Raft.Etcd;

// Typed values exchanged with the shim. Node numbers are the host's (0-based); the shim uses etcd id
// node + 1. A vote or leader of -1 means none (etcd's 0).

/// <summary>etcd's StateType, including 3.4's pre-candidate.</summary>
public enum EtcdRole : byte { Follower = 0, Candidate = 1, Leader = 2, PreCandidate = 3 }

/// <summary>etcd's raftpb.MessageType values.</summary>
public enum EtcdMessageType : byte
{
    MsgHup = 0, MsgBeat = 1, MsgProp = 2, MsgApp = 3, MsgAppResp = 4, MsgVote = 5, MsgVoteResp = 6,
    MsgSnap = 7, MsgHeartbeat = 8, MsgHeartbeatResp = 9, MsgUnreachable = 10, MsgSnapStatus = 11,
    MsgCheckQuorum = 12, MsgTransferLeader = 13, MsgTimeoutNow = 14, MsgReadIndex = 15,
    MsgReadIndexResp = 16, MsgPreVote = 17, MsgPreVoteResp = 18,
}

/// <summary>etcd's raftpb.EntryType.</summary>
public enum EtcdEntryType : byte { Normal = 0, ConfChange = 1, ConfChangeV2 = 2 }

/// <summary>What a host's service does with an entry: apply a command, or only note the index.</summary>
public enum EtcdEntryKind { Command, Empty, ConfChange }

/// <summary>etcd's tracker.StateType of a follower's progress at the leader.</summary>
public enum EtcdProgressState : byte { Probe = 0, Replicate = 1, Snapshot = 2 }

/// <summary>What etcd said to a delivered message (its own refusals, not host errors).</summary>
public enum EtcdStepOutcome : byte { Stepped = 0, ProposalDropped = 1, PeerNotFound = 2, LocalMessage = 3 }

/// <summary>Where a node is in 3.4's Ready cycle.</summary>
public enum EtcdReadyPhase : byte { Idle = 0, Taken = 1, Persisted = 2 }

public sealed record EtcdNodeConfig(
    int ClusterSize,
    int ElectionTick = 10,
    int HeartbeatTick = 1,
    bool PreVote = false,
    bool CheckQuorum = false,
    ulong MaxSizePerMsg = 1 << 20,
    int MaxInflightMsgs = 256,
    bool LeaseBased = false)
{
    /// <summary>The start command's flags: 1 PreVote, 2 CheckQuorum, 4 ReadOnlyLeaseBased (etcd refuses it without CheckQuorum).</summary>
    public byte Flags => (byte)((PreVote ? 1 : 0) | (CheckQuorum ? 2 : 0) | (LeaseBased ? 4 : 0));
}

/// <summary>A read etcd confirmed: the request id the host gave read-index, and the index its service must have applied before it serves the read.</summary>
public readonly record struct EtcdReadState(ulong RequestId, ulong Index);

public readonly record struct EtcdHardState(ulong Term, int Vote, ulong Commit)
{
    public static EtcdHardState Empty => new(0, -1, 0);
}

public sealed record EtcdEntry(ulong Index, ulong Term, EtcdEntryType Type, byte[] Data)
{
    /// <summary>Command: a normal entry with data; Empty: a normal entry without (a new leader's entry).</summary>
    public EtcdEntryKind Kind => Type != EtcdEntryType.Normal ? EtcdEntryKind.ConfChange
        : Data.Length > 0 ? EtcdEntryKind.Command : EtcdEntryKind.Empty;
}

/// <summary>A snapshot's metadata and the service's data (membership is fixed: all nodes vote).</summary>
public sealed record EtcdSnapshot(ulong Index, ulong Term, byte[] Data);

/// <summary>What a node's disk holds; a fresh node starts from <see cref="Empty"/>.</summary>
public sealed record EtcdDurableState(EtcdHardState HardState, EtcdSnapshot? Snapshot, IReadOnlyList<EtcdEntry> Entries)
{
    public static EtcdDurableState Empty { get; } = new(EtcdHardState.Empty, null, []);
}

/// <summary>A message as etcd sent it: classification for the host plus the opaque marshalled raftpb.Message.</summary>
public sealed record EtcdMessage(
    EtcdMessageType Type, bool IsResponse, int From, int To, ulong Term, ulong LogTerm, ulong Index,
    ulong Commit, int EntryCount, bool Reject, ulong RejectHint, ulong SnapshotIndex, int SnapshotSize,
    byte[] Bytes)
{
    public string TypeName => Type.ToString();

    public override string ToString() =>
        $"{Type} {From}->{To} term {Term} index {Index} logTerm {LogTerm} commit {Commit} entries {EntryCount}" +
        (Reject ? $" reject (hint {RejectHint})" : "") + (SnapshotIndex > 0 ? $" snapshot {SnapshotIndex} ({SnapshotSize} B)" : "");
}

/// <summary>
/// One 3.4 Ready. Role/Leader and HardState are the node's current values; the flags say whether they
/// changed in this Ready (a changed hard state must be written). <see cref="Messages"/> is empty for
/// <c>ready</c> (they come with <c>persist</c>) and filled for <c>handle</c>. <see cref="ReadStates"/>
/// are the reads etcd confirmed since the last Ready.
/// </summary>
public sealed record EtcdReady(
    bool SoftStateChanged, EtcdRole Role, int Leader, bool HardStateChanged, EtcdHardState HardState,
    bool MustSync, IReadOnlyList<EtcdEntry> Entries, EtcdSnapshot? Snapshot,
    IReadOnlyList<EtcdEntry> CommittedEntries, IReadOnlyList<EtcdReadState> ReadStates, IReadOnlyList<EtcdMessage> Messages);

public readonly record struct EtcdProgress(int Peer, ulong Match, ulong Next, EtcdProgressState State, bool RecentActive);

public readonly record struct EtcdVote(int Peer, bool Granted);

public sealed record EtcdStatus(
    EtcdHardState HardState, ulong Applied, EtcdRole Role, int Leader, ulong LastIndex, ulong LastTerm,
    ulong SnapshotIndex, ulong SnapshotTerm, EtcdReadyPhase ReadyPhase,
    IReadOnlyList<EtcdProgress> Progress, IReadOnlyList<EtcdVote> Votes);

/// <summary>
/// A node's state as the view op reports it, with the change of its log since the previous view:
/// the host drops what it holds at indexes &gt;= <see cref="From"/> and appends <see cref="Entries"/>
/// (From .. LastIndex). SnapshotIndex is the log's (first index − 1), whether or not in storage yet.
/// </summary>
public sealed record EtcdView(
    EtcdHardState HardState, ulong Applied, EtcdRole Role, int Leader, ulong SnapshotIndex, ulong SnapshotTerm,
    ulong LastIndex, IReadOnlyList<EtcdProgress> Progress, IReadOnlyList<EtcdVote> Votes, ulong From,
    IReadOnlyList<EtcdEntry> Entries);
