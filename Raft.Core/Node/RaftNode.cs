using Raft.Core.Determinism;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Rules;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>
/// One Raft server as a pure, single-threaded, deterministic state machine (the paper's
/// Figure 2, in the shape of MIT 6.824 Lab 2). Inputs: <see cref="Step"/> (a message from a
/// peer), <see cref="Tick"/> (time), <see cref="Propose"/> (the lab's Start), <see cref="Snapshot"/>
/// (the service compacting, 2D). Outputs: a <see cref="Ready"/> taken with <see cref="TryGetReady"/>
/// and acknowledged with <see cref="Advance"/>. Nothing here reads a clock, a thread, global
/// randomness or I/O: the same inputs in the same order give the same outputs.
/// <para>Peers are numbered 0..N-1 and always iterated in that order.</para>
/// <para>The protocol decisions come from <typeparamref name="TRules"/>, a struct, so the JIT
/// compiles each rule set into its own copy of the node; <see cref="RaftNode"/> is the node with
/// <see cref="StandardRules"/>, the paper's.</para>
/// </summary>
public partial class RaftNode<TRules> where TRules : struct, IRaftRules
{
    /// <summary>"No node": used for votedFor and the leader hint.</summary>
    public const int None = -1;

    private readonly RaftOptions _options;
    private readonly Progress[] _progress;
    private readonly bool[] _votes;
    private readonly bool[] _voteResponded;
    private readonly long[] _matchScratch;
    private readonly Ready _ready = new();
    private List<Message> _outbox = new();
    private readonly long _termAtStart;
    private Rng _rng;

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;

    // Hard state as last acknowledged by Advance (what the disk holds), compared by value.
    private long _stableTerm;
    private int _stableVote;
    private bool _snapshotDirty;
    private bool _snapshotToApply;
    private int _snapshotVersion; // bumped whenever the snapshot changes, so Advance knows whether it handed out the current one
    private byte[]? _snapshotData;

    // What the last TryGetReady handed out, so that Advance acknowledges exactly that.
    private bool _readyOut;
    private long _readyTerm;
    private int _readyVote;
    private long _readyPersistFrom;
    private long _readyLastIndex;
    private long _readyLastTerm;
    private bool _readyHasSnapshot;
    private bool _readySnapshotToApply;
    private int _readySnapshotVersion;
    private long _readySnapshotIndex;
    private long _readyAppliedTo;

    /// <summary>Creates a node with empty state, or restores one from what it persisted (2C).</summary>
    public RaftNode(int id, int clusterSize, ulong seed, RaftOptions? options = null, PersistedState? persisted = null)
    {
        if (clusterSize < 1) throw new ArgumentOutOfRangeException(nameof(clusterSize), $"cluster size must be at least 1 (got {clusterSize})");
        if (id < 0 || id >= clusterSize) throw new ArgumentOutOfRangeException(nameof(id), $"id {id} outside 0..{clusterSize - 1}");
        _options = options ?? RaftOptions.Default;
        _options.Validate();
        Id = id;
        ClusterSize = clusterSize;
        _rng = new Rng(seed);
        _progress = new Progress[clusterSize];
        for (int i = 0; i < clusterSize; i++) _progress[i] = new Progress();
        _votes = new bool[clusterSize];
        _voteResponded = new bool[clusterSize];
        _matchScratch = new long[clusterSize];

        persisted ??= PersistedState.Empty;
        Term = persisted.Term;
        _termAtStart = persisted.Term;
        VotedFor = persisted.VotedFor;
        _stableTerm = Term;
        _stableVote = TRules.RecordedVote(VotedFor, id);
        Log = new RaftLog(persisted.SnapshotIndex, persisted.SnapshotTerm, persisted.Entries);
        _snapshotData = persisted.SnapshotData;
        Applied = persisted.SnapshotIndex; // the service restores its own snapshot on restart
        LeaderId = None;
        Role = Role.Follower;
        ResetRandomizedElectionTimeout();
    }

    public int Id { get; }
    public int ClusterSize { get; }
    public RaftOptions Options => _options;

    /// <summary>Figure 2 currentTerm: latest term this server has seen; never decreases.</summary>
    public long Term { get; private set; }

    /// <summary>Figure 2 votedFor: the candidate that received our vote in <see cref="Term"/>.</summary>
    public int VotedFor { get; private set; }

    public Role Role { get; private set; }

    /// <summary>The leader of <see cref="Term"/> as far as this node knows, or <see cref="None"/>.</summary>
    public int LeaderId { get; private set; }

    /// <summary>The log (its mutators are internal to the core: read-only use outside it).</summary>
    public RaftLog Log { get; }

    /// <summary>Figure 2 commitIndex.</summary>
    public long CommitIndex => Log.Committed;

    /// <summary>Figure 2 lastApplied: highest index handed to the service (and acknowledged by Advance).</summary>
    public long Applied { get; private set; }

    public long SnapshotIndex => Log.SnapshotIndex;
    public long SnapshotTerm => Log.SnapshotTerm;
    public long LastIndex => Log.LastIndex;

    public bool TryGetEntry(long index, out Entry entry)
    {
        if (index <= Log.SnapshotIndex || index > Log.LastIndex) { entry = default; return false; }
        entry = Log.At(index);
        return true;
    }

    /// <summary>The latest snapshot's data (what InstallSnapshot sends).</summary>
    public byte[]? SnapshotData => _snapshotData;

    /// <summary>The lab's GetState().</summary>
    public (long Term, bool IsLeader) GetState() => (Term, Role == Role.Leader);

    /// <summary>The leader's view of <paramref name="peer"/> (meaningful only on a leader).</summary>
    internal Progress ProgressOf(int peer) => _progress[peer];

    /// <summary>
    /// What a leader knows of <paramref name="peer"/>'s log (etcd's <c>Status().Progress</c>):
    /// Figure 2's matchIndex and nextIndex and the flow state. Meaningful only on a leader.
    /// </summary>
    public PeerStatus StatusOf(int peer)
    {
        Progress p = _progress[peer];
        return new PeerStatus(p.Match, p.Next, p.State, p.ProbeSent, p.PendingSnapshot);
    }

    /// <summary>
    /// The lab's Start(command): on a leader, appends the command to the log and starts
    /// replicating it; returns at once with the index it will occupy if ever committed.
    /// On any other node returns IsLeader = false and changes nothing.
    /// </summary>
    public ProposeResult Propose(byte[] command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Role != Role.Leader) return new ProposeResult(-1, Term, false);
        long index = Log.Append(new Entry(Term, command));
        _progress[Id].MaybeUpdate(index);
        BroadcastAppend();
        MaybeCommit();
        return new ProposeResult(index, Term, true);
    }

    /// <summary>
    /// Proposes several commands at once (one log append and one round of AppendEntries, as
    /// etcd's multi-entry MsgProp). Returns the index of the first, or IsLeader = false.
    /// </summary>
    public ProposeResult Propose(ReadOnlySpan<byte[]> commands)
    {
        if (Role != Role.Leader || commands.Length == 0) return new ProposeResult(-1, Term, Role == Role.Leader);
        long first = Log.LastIndex + 1;
        foreach (byte[] command in commands)
        {
            ArgumentNullException.ThrowIfNull(command);
            Log.Append(new Entry(Term, command));
        }
        _progress[Id].MaybeUpdate(Log.LastIndex);
        BroadcastAppend();
        MaybeCommit();
        return new ProposeResult(first, Term, true);
    }

    /// <summary>
    /// Advances logical time by one tick: followers and candidates count towards their
    /// randomized election timeout (§5.2); leaders towards their next heartbeat.
    /// </summary>
    public void Tick()
    {
        _ticks++;
        if (Role == Role.Leader)
        {
            if (_options.SnapshotRetryTicks > 0)
                for (int peer = 0; peer < ClusterSize; peer++) _progress[peer].Tick();
            if (++_heartbeatElapsed >= _options.HeartbeatTicks)
            {
                _heartbeatElapsed = 0;
                if (LeaseReads) StartRound(); // each heartbeat renews the lease
                BroadcastHeartbeat();
            }
            return;
        }
        if (++_electionElapsed >= _randomizedElectionTimeout) Campaign();
    }

    /// <summary>
    /// Handles a message from a peer. First what is common to every role (Figure 2 "Rules for
    /// Servers"): a higher term makes us a follower of that term; a message from a lower term is
    /// stale and, if it is a request, answered with our term so its sender steps down. Then the
    /// handler of the current role.
    /// </summary>
    public void Step(in Message m)
    {
        if (m.To != Id) throw new ArgumentException($"message for node {m.To} stepped on node {Id}");
        if (m.From < 0 || m.From >= ClusterSize || m.From == Id) throw new ArgumentException($"message from invalid peer {m.From}");
        if (IgnoresVoteRequest(m)) return;

        if (m.Term > Term)
        {
            bool fromLeader = m.Type is MessageType.AppendEntries or MessageType.InstallSnapshot;
            BecomeFollower(m.Term, fromLeader ? m.From : None);
        }
        else if (m.Term < Term)
        {
            switch (TRules.OnLowerTerm(m.Type, Role))
            {
                case LowerTermAction.Respond:
                    RespondToStale(m);
                    return;
                case LowerTermAction.FollowSenderAndHandle:
                    if (Role != Role.Follower) BecomeFollower(Term, m.From);
                    break;
                default:
                    break; // handled below as if it carried our term
            }
        }

        switch (m.Type)
        {
            case MessageType.RequestVote: HandleRequestVote(m); return;
            case MessageType.AppendEntries:
            case MessageType.InstallSnapshot:
                if (Role == Role.Candidate) BecomeFollower(Term, m.From); // §5.2: a legitimate leader exists
                if (Role == Role.Leader) return; // only possible if Election Safety is already broken; the checkers report it
                if (m.Type == MessageType.AppendEntries) HandleAppendEntries(m); else HandleInstallSnapshot(m);
                return;
        }

        switch (Role)
        {
            case Role.Candidate: StepCandidate(m); return;
            case Role.Leader: StepLeader(m); return;
            default: return; // replies to a role we no longer hold are stale
        }
    }

    /// <summary>Whether the hard state differs from what the last acknowledged Ready persisted.</summary>
    private bool HardStateDirty => Term != _stableTerm || TRules.RecordedVote(VotedFor, Id) != _stableVote;

    /// <summary>Whether changed entries are left out of the next Ready (never, under the paper's rules).</summary>
    private bool DefersAppendWrite => TRules.DefersEntryWrite(Role, HardStateDirty || _snapshotDirty);

    /// <summary>Whether there is output to handle.</summary>
    public bool HasReady =>
        HardStateDirty || _snapshotDirty || (Log.DirtyFrom != long.MaxValue && !DefersAppendWrite) || _outbox.Count > 0
        || _ready.MessageBuffer.Count > 0 || _readStates.Count > 0 || _ready.ReadStateBuffer.Count > 0 || _snapshotToApply || Applied < Log.Committed;

    /// <summary>
    /// Fills the node's <see cref="Ready"/> with everything produced since the last
    /// <see cref="Advance"/> and returns it (see <see cref="Ready"/> for the order of handling).
    /// What it hands out is recorded, so that <see cref="Advance"/> acknowledges exactly that
    /// and whatever changes in between stays pending for the next Ready.
    /// </summary>
    public bool TryGetReady(out Ready ready)
    {
        ready = _ready;
        if (!HasReady) return false;
        int vote = TRules.RecordedVote(VotedFor, Id);
        ready.HardStateChanged = Term != _stableTerm || vote != _stableVote;
        ready.Term = TRules.PersistedTerm(Term, _termAtStart);
        ready.VotedFor = vote;
        _readyTerm = Term;
        _readyVote = vote;

        ready.HasSnapshot = _snapshotDirty;
        ready.SnapshotIndex = Log.SnapshotIndex;
        ready.SnapshotTerm = Log.SnapshotTerm;
        ready.SnapshotData = _snapshotDirty ? _snapshotData : null;
        ready.SnapshotToApply = _snapshotToApply;
        _readyHasSnapshot = _snapshotDirty;
        _readySnapshotToApply = _snapshotToApply;
        _readySnapshotVersion = _snapshotVersion;
        _readySnapshotIndex = Log.SnapshotIndex;

        long dirty = Log.DirtyFrom;
        if (dirty != long.MaxValue && !DefersAppendWrite)
        {
            ready.PersistFrom = dirty;
            ready.EntriesToPersist = Log.Segment(dirty, Log.LastIndex);
            _readyPersistFrom = dirty;
            _readyLastIndex = Log.LastIndex;
            _readyLastTerm = Log.LastTerm;
            Log.NoteWriteHandedOut();
        }
        else
        {
            ready.PersistFrom = 0;
            ready.EntriesToPersist = ArraySegment<Entry>.Empty;
            _readyPersistFrom = 0;
        }

        // Messages: the outbox becomes the Ready's buffer; later sends go to the (emptied) outbox.
        if (_ready.MessageBuffer.Count == 0) _outbox = _ready.SwapMessageBuffer(_outbox);
        else
        {
            _ready.MessageBuffer.AddRange(_outbox); // a second TryGetReady before Advance: hand out both
            _outbox.Clear();
        }

        if (_ready.ReadStateBuffer.Count == 0) _readStates = _ready.SwapReadStateBuffer(_readStates);
        else
        {
            _ready.ReadStateBuffer.AddRange(_readStates);
            _readStates.Clear();
        }

        long applyFrom = Math.Max(Applied, Log.SnapshotIndex) + 1;
        ready.FirstCommittedIndex = applyFrom;
        ready.CommittedEntries = Log.Segment(applyFrom, Log.Committed);
        _readyAppliedTo = Math.Max(applyFrom - 1, Log.Committed);
        _readyOut = true;
        Log.Share(); // the segments stay as handed out until Advance, whatever the node does in between
        return true;
    }

    /// <summary>
    /// Acknowledges that the last Ready was persisted, sent and applied, in that order: exactly
    /// what it carried (as etcd's stableTo/appliedTo). The hard state on disk becomes the values
    /// it carried; the log is durable through the last entry it carried if that entry is still
    /// there with the same term (and not rewritten since); its messages are gone; applied moves
    /// to what it handed for applying. Anything produced after <see cref="TryGetReady"/> stays
    /// for the next Ready.
    /// </summary>
    public void Advance()
    {
        if (!_readyOut) return;
        _readyOut = false;
        _stableTerm = _readyTerm;
        _stableVote = _readyVote;
        bool sameSnapshot = _snapshotVersion == _readySnapshotVersion;
        if (_readyHasSnapshot && sameSnapshot) _snapshotDirty = false;
        if (_readySnapshotToApply && sameSnapshot) _snapshotToApply = false;
        if (_readyPersistFrom != 0) Log.StableTo(_readyPersistFrom, _readyLastIndex, _readyLastTerm);
        _ready.MessageBuffer.Clear();
        _ready.ReadStateBuffer.Clear();
        long appliedTo = _readyAppliedTo;
        if (_readySnapshotToApply && _readySnapshotIndex > appliedTo) appliedTo = _readySnapshotIndex;
        if (appliedTo > Applied) Applied = appliedTo;
        _ready.CommittedEntries = ArraySegment<Entry>.Empty;
        _ready.EntriesToPersist = ArraySegment<Entry>.Empty;
        _ready.FirstCommittedIndex = Applied + 1;
        Log.Unshare();
    }

    private void Send(Message m) => _outbox.Add(m);

    private void RespondToStale(in Message m)
    {
        switch (m.Type)
        {
            case MessageType.RequestVote:
                Send(new Message { Type = MessageType.RequestVoteResponse, From = Id, To = m.From, Term = Term, Reject = true });
                break;
            case MessageType.AppendEntries:
                // Only our term matters to the stale leader. Not a rejection: if that node has meanwhile
                // become leader of our term, a reject would wrongly send its progress back (etcd does the same).
                Send(new Message { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = Term });
                break;
            case MessageType.InstallSnapshot:
                Send(new Message { Type = MessageType.InstallSnapshotResponse, From = Id, To = m.From, Term = Term, Index = 0 });
                break;
            default:
                break; // a stale reply: ignore (Figure 2 "stale replies")
        }
    }

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _options.ElectionTicks + _rng.Next(_options.ElectionTicks);

    /// <summary>Changes the hard state; whether it must be persisted follows from comparing it with what was (see <see cref="HardStateDirty"/>).</summary>
    private void SetTermAndVote(long term, int vote)
    {
        if (term < Term) throw new InvalidOperationException($"term must never decrease ({Term} -> {term})");
        Term = term;
        VotedFor = vote;
    }
}
