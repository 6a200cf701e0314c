// MyRaft: a small Raft written from the paper (Figure 2, and §7's snapshots as Figure 13), in the
// shape 6.824's Lab 2 asks for, behind RaftVerify's node contract (Raft.Model.Contract.IRaftNode).
// One node is a single-threaded state machine: the world calls Step, Tick, Propose and Snapshot,
// then takes the output with TryGetReady and acknowledges it with Advance.
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready; // Raft.Core.Node has a Ready of its own (the core's)

namespace MyRaft;

public class MyRaftNode : IRaftNode, IRaftNodeStatus
{
    private const int NoOne = -1;

    private readonly int _peers;
    private readonly RaftOptions _options;
    private ulong _random; // the only randomness: a SplitMix64 stream from the factory's seed

    // Figure 2, persistent state (as this node holds it; the disk holds what Advance acknowledged).
    private long _term;
    private int _votedFor;
    private readonly List<LogEntry> _log = new(); // entries _snapshotIndex+1 .. LastIndex
    private long _snapshotIndex, _snapshotTerm;
    private byte[]? _snapshotData;

    // Figure 2, volatile state.
    private long _commitIndex, _lastApplied;
    private Role _role = Role.Follower;
    private int _leader = NoOne;
    private readonly long[] _nextIndex, _matchIndex;
    private readonly bool[] _voteAnswered, _voteGranted;
    private int _electionElapsed, _electionTimeout, _heartbeatElapsed;

    // Output not yet acknowledged by Advance, and what the last Ready handed out of it.
    private readonly List<Envelope> _outbox = new();
    private long _durableTerm;
    private int _durableVote;
    private long _unsavedFrom = long.MaxValue;      // first log index the disk may not hold as we do
    private long _changedSinceReady = long.MaxValue; // first log index changed since the last Ready
    private bool _snapshotUnsaved, _snapshotToApply;
    private int _snapshotVersion;
    private Handed? _handed;

    private static readonly Ready NoOutput = new();

    private sealed record Handed(long Term, int Vote, int Messages, bool Log, bool Snapshot, bool SnapshotApply, int SnapshotVersion,
        long SnapshotIndex, long AppliedTo);

    public MyRaftNode(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state)
    {
        Id = id;
        _peers = clusterSize;
        _options = options;
        _random = seed;
        _nextIndex = new long[clusterSize];
        _matchIndex = new long[clusterSize];
        _voteAnswered = new bool[clusterSize];
        _voteGranted = new bool[clusterSize];

        // Restart from what the disk holds (empty at first start).
        _term = _durableTerm = state.Term;
        _votedFor = _durableVote = state.VotedFor;
        _snapshotIndex = state.SnapshotIndex;
        _snapshotTerm = state.SnapshotTerm;
        _snapshotData = state.SnapshotData;
        foreach (Entry e in state.Entries) _log.Add(new LogEntry(e.Term, e.Command));
        _commitIndex = _lastApplied = _snapshotIndex; // the service restores its own snapshot
        ResetElectionTimer();
    }

    // ---- What the world may read (IRaftNodeView) ----

    public int Id { get; }
    public long Term => _term;
    public int VotedFor => _votedFor;
    public Role Role => _role;
    public long CommitIndex => _commitIndex;
    public long Applied => _lastApplied;
    public long SnapshotIndex => _snapshotIndex;
    public long SnapshotTerm => _snapshotTerm;
    public long LastIndex => _snapshotIndex + _log.Count;

    public bool TryGetEntry(long index, out Entry entry)
    {
        if (index <= _snapshotIndex || index > LastIndex) { entry = default; return false; }
        LogEntry e = EntryAt(index);
        entry = new Entry(e.Term, e.Command);
        return true;
    }

    private long LastTerm => _log.Count > 0 ? _log[^1].Term : _snapshotTerm;
    private LogEntry EntryAt(long index) => _log[(int)(index - _snapshotIndex - 1)];
    private long TermAt(long index) => index == _snapshotIndex ? _snapshotTerm : EntryAt(index).Term;

    // ---- Inputs ----

    public void Tick()
    {
        if (_role == Role.Leader)
        {
            if (++_heartbeatElapsed >= _options.HeartbeatTicks)
            {
                _heartbeatElapsed = 0;
                for (int peer = 0; peer < _peers; peer++) if (peer != Id) SendAppend(peer);
            }
        }
        else if (++_electionElapsed >= _electionTimeout)
        {
            StartElection();
        }
    }

    public ProposeResult Propose(byte[] command)
    {
        if (_role != Role.Leader) return new ProposeResult(-1, _term, false);
        AppendToLog(new LogEntry(_term, command));
        _matchIndex[Id] = LastIndex;
        for (int peer = 0; peer < _peers; peer++) if (peer != Id) SendAppend(peer);
        AdvanceCommitIndex();
        return new ProposeResult(LastIndex, _term, true);
    }

    /// <summary>The service has a snapshot of everything through <paramref name="index"/>: drop the log up to it.</summary>
    public void Snapshot(long index, byte[] data)
    {
        if (index <= _snapshotIndex || index > _lastApplied) return;
        long term = TermAt(index);
        _log.RemoveRange(0, (int)(index - _snapshotIndex));
        SetSnapshot(index, term, data);
    }

    public void Step(in Envelope message)
    {
        var m = (RaftMessage)message.Payload!;
        int from = message.From;

        // Rules for all servers: a higher term makes us a follower of it. (The election timer
        // keeps running: only a leader's message or a granted vote restarts it.)
        if (m.Term > _term)
        {
            BecomeFollower(m.Term);
        }

        switch (m)
        {
            case VoteRequest r: HandleVoteRequest(from, r); break;
            case VoteReply r: HandleVoteReply(from, r); break;
            case AppendRequest r: HandleAppendRequest(from, r); break;
            case AppendReply r: HandleAppendReply(from, r); break;
            case SnapshotRequest r: HandleSnapshotRequest(from, r); break;
            case SnapshotReply r: HandleSnapshotReply(from, r); break;
        }
    }

    // ---- Elections (§5.2, §5.4.1) ----

    private void StartElection()
    {
        _term++;
        _role = Role.Candidate;
        _votedFor = Id;
        _leader = NoOne;
        Array.Clear(_voteAnswered);
        Array.Clear(_voteGranted);
        _voteAnswered[Id] = _voteGranted[Id] = true;
        ResetElectionTimer();
        if (Votes() * 2 > _peers) { BecomeLeader(); return; }
        for (int peer = 0; peer < _peers; peer++)
            if (peer != Id) Send(peer, new VoteRequest(_term, Id, LastIndex, LastTerm));
    }

    protected virtual bool CandidateIsUpToDate(VoteRequest r) =>
        r.LastLogTerm > LastTerm || (r.LastLogTerm == LastTerm && r.LastLogIndex >= LastIndex);

    private void HandleVoteRequest(int from, VoteRequest r)
    {
        bool grant = r.Term == _term && (_votedFor == NoOne || _votedFor == r.Candidate) && CandidateIsUpToDate(r);
        if (grant)
        {
            _votedFor = r.Candidate;
            ResetElectionTimer();
        }
        Send(from, new VoteReply(_term, grant));
    }

    private void HandleVoteReply(int from, VoteReply r)
    {
        if (_role != Role.Candidate || r.Term != _term) return; // stale
        _voteAnswered[from] = true;
        _voteGranted[from] = r.Granted;
        if (Votes() * 2 > _peers) BecomeLeader();
    }

    private int Votes() => _voteGranted.Count(g => g);

    private void BecomeFollower(long term)
    {
        _term = term;
        _votedFor = NoOne;
        _role = Role.Follower;
        _leader = NoOne;
    }

    private void BecomeLeader()
    {
        _role = Role.Leader;
        _leader = Id;
        _heartbeatElapsed = 0;
        for (int peer = 0; peer < _peers; peer++)
        {
            _nextIndex[peer] = LastIndex + 1;
            _matchIndex[peer] = 0;
        }
        _matchIndex[Id] = LastIndex;
        for (int peer = 0; peer < _peers; peer++) if (peer != Id) SendAppend(peer);
    }

    // ---- Log replication (§5.3) and commitment (§5.4.2) ----

    /// <summary>AppendEntries from nextIndex, or InstallSnapshot when those entries are compacted away.</summary>
    private void SendAppend(int peer)
    {
        long next = _nextIndex[peer];
        if (next <= _snapshotIndex)
        {
            Send(peer, new SnapshotRequest(_term, Id, _snapshotIndex, _snapshotTerm, _snapshotData ?? []));
            _nextIndex[peer] = _snapshotIndex + 1; // optimistic; a rejected append sends us back
            return;
        }
        int count = (int)Math.Clamp(LastIndex - next + 1, 0, _options.MaxEntriesPerAppend);
        LogEntry[] entries = _log.GetRange((int)(next - _snapshotIndex - 1), count).ToArray();
        Send(peer, new AppendRequest(_term, Id, next - 1, TermAt(next - 1), entries, _commitIndex));
        _nextIndex[peer] = next + count; // optimistic, as above
    }

    private void HandleAppendRequest(int from, AppendRequest r)
    {
        if (r.Term < _term) { Send(from, new AppendReply(_term, false, 0, 0)); return; }
        _role = Role.Follower; // a candidate that hears the leader of its term steps down
        _leader = from;
        ResetElectionTimer();

        // Entries up to our snapshot are committed, so they match the leader's: skip them.
        long prev = r.PrevLogIndex;
        LogEntry[] entries = r.Entries;
        if (prev < _snapshotIndex)
        {
            int skip = (int)Math.Min(entries.Length, _snapshotIndex - prev);
            entries = entries[skip..];
            prev += skip;
            if (prev < _snapshotIndex) { Send(from, new AppendReply(_term, true, _snapshotIndex, 0)); return; }
        }

        if (prev > LastIndex) { Send(from, new AppendReply(_term, false, 0, LastIndex + 1)); return; }
        if (TermAt(prev) != (prev == r.PrevLogIndex ? r.PrevLogTerm : TermOfSkipped(r, prev)))
        {
            // Skip back over the whole conflicting term at once.
            long conflictTerm = TermAt(prev), first = prev;
            while (first - 1 > _snapshotIndex && TermAt(first - 1) == conflictTerm) first--;
            Send(from, new AppendReply(_term, false, 0, Math.Max(first, _commitIndex + 1)));
            return;
        }

        // Append what is new; truncate only at a real conflict (a delayed request must not cut entries off).
        for (int k = 0; k < entries.Length; k++)
        {
            long index = prev + 1 + k;
            if (index <= LastIndex && TermAt(index) == entries[k].Term) continue;
            if (index <= LastIndex) TruncateFrom(index);
            for (int j = k; j < entries.Length; j++) AppendToLog(entries[j]);
            break;
        }

        long lastNew = prev + entries.Length;
        if (r.LeaderCommit > _commitIndex) _commitIndex = Math.Max(_commitIndex, Math.Min(r.LeaderCommit, lastNew));
        Send(from, new AppendReply(_term, true, lastNew, 0));
    }

    /// <summary>The term the leader sent for an entry we skipped to (the entry before the first one we kept).</summary>
    private static long TermOfSkipped(AppendRequest r, long index) => r.Entries[(int)(index - r.PrevLogIndex - 1)].Term;

    private void HandleAppendReply(int from, AppendReply r)
    {
        if (_role != Role.Leader || r.Term != _term) return; // stale
        if (r.Success)
        {
            _matchIndex[from] = Math.Max(_matchIndex[from], r.Match);
            _nextIndex[from] = Math.Max(_nextIndex[from], _matchIndex[from] + 1);
            AdvanceCommitIndex();
            if (_nextIndex[from] <= LastIndex) SendAppend(from);
        }
        else if (r.ConflictIndex > 0)
        {
            _nextIndex[from] = Math.Max(_matchIndex[from] + 1, Math.Min(_nextIndex[from], r.ConflictIndex));
            SendAppend(from);
        }
    }

    /// <summary>Figure 2: commit the highest N a majority holds, if log[N] is of the current term.</summary>
    private void AdvanceCommitIndex()
    {
        for (long n = LastIndex; n > _commitIndex && TermAt(n) == _term; n--)
        {
            int holders = _matchIndex.Count(match => match >= n);
            if (holders * 2 > _peers) { _commitIndex = n; return; }
        }
    }

    // ---- Snapshots (§7, Figure 13) ----

    private void HandleSnapshotRequest(int from, SnapshotRequest r)
    {
        if (r.Term < _term) { Send(from, new SnapshotReply(_term, 0)); return; }
        _role = Role.Follower;
        _leader = from;
        ResetElectionTimer();
        if (r.LastIncludedIndex > _commitIndex) // an older snapshot than what we have would move the service back
        {
            bool keepSuffix = r.LastIncludedIndex < LastIndex && TermAt(r.LastIncludedIndex) == r.LastIncludedTerm;
            if (keepSuffix) _log.RemoveRange(0, (int)(r.LastIncludedIndex - _snapshotIndex));
            else { _log.Clear(); MarkChanged(r.LastIncludedIndex + 1); } // the disk's log after it must go too
            SetSnapshot(r.LastIncludedIndex, r.LastIncludedTerm, r.Data);
            _commitIndex = r.LastIncludedIndex;
            _snapshotToApply = true;
        }
        Send(from, new SnapshotReply(_term, _commitIndex));
    }

    private void HandleSnapshotReply(int from, SnapshotReply r)
    {
        if (_role != Role.Leader || r.Term != _term) return;
        _matchIndex[from] = Math.Max(_matchIndex[from], r.Match);
        _nextIndex[from] = Math.Max(_nextIndex[from], _matchIndex[from] + 1);
        AdvanceCommitIndex();
        if (_nextIndex[from] <= LastIndex) SendAppend(from);
    }

    private void SetSnapshot(long index, long term, byte[] data)
    {
        _snapshotIndex = index;
        _snapshotTerm = term;
        _snapshotData = data;
        _snapshotUnsaved = true;
        _snapshotVersion++;
        // log indexes at or below the snapshot are the snapshot's now, never written as entries
        if (_unsavedFrom != long.MaxValue) _unsavedFrom = Math.Max(_unsavedFrom, index + 1);
        if (_changedSinceReady != long.MaxValue) _changedSinceReady = Math.Max(_changedSinceReady, index + 1);
    }

    // ---- The log, and what must reach the disk ----

    private void AppendToLog(LogEntry e)
    {
        _log.Add(e);
        MarkChanged(LastIndex);
    }

    private void TruncateFrom(long index)
    {
        _log.RemoveRange((int)(index - _snapshotIndex - 1), (int)(LastIndex - index + 1));
        MarkChanged(index);
    }

    private void MarkChanged(long index)
    {
        _unsavedFrom = Math.Min(_unsavedFrom, index);
        _changedSinceReady = Math.Min(_changedSinceReady, index);
    }

    private void Send(int to, RaftMessage m) => _outbox.Add(Classify(to, m));

    /// <summary>The envelope the world carries: our message, and what it means to Raft, for the world's checks and pictures.</summary>
    private Envelope Classify(int to, RaftMessage m) => m switch
    {
        VoteRequest r => new Envelope { Type = MessageKind.RequestVote, From = Id, To = to, Term = r.Term, Index = r.LastLogIndex, LogTerm = r.LastLogTerm, Payload = m },
        VoteReply r => new Envelope { Type = MessageKind.RequestVoteResponse, From = Id, To = to, Term = r.Term, Reject = !r.Granted, Payload = m },
        AppendRequest r => new Envelope
        {
            Type = MessageKind.AppendEntries, From = Id, To = to, Term = r.Term, Index = r.PrevLogIndex, LogTerm = r.PrevLogTerm,
            Commit = r.LeaderCommit, EntryCount = r.Entries.Length, Payload = m,
        },
        AppendReply r => new Envelope
        {
            Type = MessageKind.AppendEntriesResponse, From = Id, To = to, Term = r.Term, Index = r.Match, Reject = !r.Success, Hint = r.ConflictIndex, Payload = m,
        },
        SnapshotRequest r => new Envelope
        {
            Type = MessageKind.InstallSnapshot, From = Id, To = to, Term = r.Term, Index = r.LastIncludedIndex, LogTerm = r.LastIncludedTerm,
            Bytes = r.Data.Length, Payload = m,
        },
        SnapshotReply r => new Envelope { Type = MessageKind.InstallSnapshotResponse, From = Id, To = to, Term = r.Term, Index = r.Match, Payload = m },
        _ => throw new ArgumentException($"unknown message {m}"),
    };

    // ---- Output: Ready and Advance ----

    /// <summary>
    /// Everything since the last Advance, in a new Ready each time (so what an earlier Ready holds
    /// never changes under the world): the hard state and snapshot if the disk lacks them, the
    /// log from the first index the disk may not hold, the messages, and what to apply.
    /// </summary>
    public bool TryGetReady(out Ready ready)
    {
        bool hardState = _term != _durableTerm || _votedFor != _durableVote;
        bool log = _unsavedFrom != long.MaxValue;
        long applyFrom = Math.Max(_lastApplied, _snapshotIndex) + 1;
        if (!hardState && !log && !_snapshotUnsaved && !_snapshotToApply && _outbox.Count == 0 && applyFrom > _commitIndex)
        {
            ready = NoOutput;
            return false;
        }
        ready = new Ready();

        ready.HardStateChanged = hardState;
        ready.Term = _term;
        ready.VotedFor = _votedFor;
        ready.HasSnapshot = _snapshotUnsaved;
        ready.SnapshotIndex = _snapshotIndex;
        ready.SnapshotTerm = _snapshotTerm;
        ready.SnapshotData = _snapshotUnsaved || _snapshotToApply ? _snapshotData : null;
        ready.SnapshotToApply = _snapshotToApply;
        if (log)
        {
            ready.PersistFrom = _unsavedFrom;
            ready.EntriesToPersist = CopyEntries(_unsavedFrom, LastIndex);
        }
        ready.MessageBuffer.AddRange(_outbox);
        ready.FirstCommittedIndex = applyFrom;
        ready.CommittedEntries = CopyEntries(applyFrom, _commitIndex);

        _handed = new Handed(_term, _votedFor, _outbox.Count, log, _snapshotUnsaved, _snapshotToApply, _snapshotVersion,
            _snapshotIndex, Math.Max(applyFrom - 1, _commitIndex));
        _changedSinceReady = long.MaxValue;
        return true;
    }

    private Entry[] CopyEntries(long from, long to)
    {
        if (to < from) return [];
        var copy = new Entry[to - from + 1];
        for (long i = from; i <= to; i++) { LogEntry e = EntryAt(i); copy[i - from] = new Entry(e.Term, e.Command); }
        return copy;
    }

    /// <summary>The last Ready was persisted, sent and applied: exactly what it carried, nothing produced since.</summary>
    public void Advance()
    {
        if (_handed is not { } h) return;
        _handed = null;
        _durableTerm = h.Term;
        _durableVote = h.Vote;
        if (h.Log) _unsavedFrom = _changedSinceReady; // the disk now holds the log as it was at TryGetReady
        bool sameSnapshot = h.SnapshotVersion == _snapshotVersion;
        if (h.Snapshot && sameSnapshot) _snapshotUnsaved = false;
        if (h.SnapshotApply && sameSnapshot) _snapshotToApply = false;
        _outbox.RemoveRange(0, h.Messages);
        _lastApplied = Math.Max(_lastApplied, h.SnapshotApply ? Math.Max(h.AppliedTo, h.SnapshotIndex) : h.AppliedTo);
    }

    // ---- What the node reports beyond the view (IRaftNodeStatus) ----

    public IRaftNodeStatus Status => this;
    public int Leader => _leader;
    public PeerProgress Progress(int peer) => new(_matchIndex[peer], _nextIndex[peer]);
    public VoteTally Vote(int peer) => new(_voteAnswered[peer], _voteGranted[peer]);
    public byte[]? HeldSnapshot => _snapshotData;

    // ---- Time and randomness ----

    /// <summary>§5.2: a fresh timeout drawn from [ElectionTicks, 2·ElectionTicks).</summary>
    private void ResetElectionTimer()
    {
        _electionElapsed = 0;
        _electionTimeout = _options.ElectionTicks + (int)(NextRandom() % (ulong)_options.ElectionTicks);
    }

    private ulong NextRandom()
    {
        ulong z = _random += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public override string ToString() => $"myraft node {Id} ({_role}, term {_term})";
}
