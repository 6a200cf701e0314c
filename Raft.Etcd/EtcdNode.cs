using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Etcd;

/// <summary>
/// etcd raft 3.4's RawNode behind the node contract (docs/etcd.md). The node lives in a shim
/// process shared with the other nodes of its world (<see cref="EtcdShimPool"/>); inputs are
/// queued and sent in one frame with the commands that read the node's output and state.
/// <list type="bullet">
/// <item><b>Batching.</b> Step, Tick, Advance and a deferred Snapshot only queue. A read (the
/// view, <see cref="TryGetReady"/>, <see cref="Propose"/>'s answer) flushes the queue together with
/// <c>take</c> (etcd's Ready, persisted into the shim's storage, messages included; not advanced)
/// when no Ready is in hand, and <c>view</c> (status and the log's change).</item>
/// <item><b>Async Ready.</b> 3.4 refuses a second Ready before Advance. A second
/// <see cref="TryGetReady"/> before Advance returns the same Ready: what came since stays in etcd,
/// pending, and arrives in the first Ready after Advance (the contract allows it).</item>
/// <item><b>The mirror.</b> Term, vote, commit, applied, role, leader, snapshot and last index
/// come from the last view; the log is mirrored entry by entry from the view's log changes, so
/// <see cref="TryGetEntry"/> sees exactly etcd's log, unstable entries included.</item>
/// <item><b>Service snapshots.</b> <see cref="Snapshot"/> compacts etcd's storage at once (or after
/// the Ready in hand is advanced, since etcd compacts only applied indexes) and the next Ready
/// carries it for the world's disk (HasSnapshot, not to apply).</item>
/// <item><b>A dropped MsgSnap.</b> 3.4 pauses a follower in snapshot state until
/// <c>ReportSnapshot</c>; etcd's server reports a failed send. Here a leader reports failure for a
/// peer still in snapshot state after <see cref="SnapshotRetryTicks"/> of its ticks (then etcd probes and sends it again).</item>
/// </list>
/// Any failure at the shim boundary (process died, garbage, an etcd panic) throws
/// <see cref="EtcdShimException"/>, which the world reports as a CoreError.
/// </summary>
public sealed class EtcdNode : IRaftNode, IRaftNodeStatus, IDisposable
{
    private readonly ShimHost _host;
    private readonly int _group, _slot;
    private readonly int _size;
    private readonly List<Entry> _log = [];
    private long _logBase = 1;                 // the index of _log[0]
    private EtcdView? _view;
    private bool _dirty = true;                // inputs went to etcd since the last view
    private bool _etcdInHand;                  // etcd's Ready was taken and not advanced
    private Ready? _hand;                      // the Ready handed to the world, until Advance
    private EtcdProposeResult? _proposed;
    private EtcdReadIndexResult? _readAnswer;
    private long _applied;                     // etcd's applied index, ahead of the view right after Advance
    private (long Index, long Term, byte[] Data)? _local;      // a service snapshot for the next Ready
    private (long Index, byte[] Data)? _queuedSnapshot, _deferred;
    private long _snapIndex, _snapTerm;        // the snapshot handed to the world's disk
    private byte[]? _snapData;
    private long _hsTerm;
    private int _hsVote;
    private readonly int[] _snapTicks;
    private bool _disposed;

    public EtcdNode(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state, EtcdNodeConfig config, string? binary = null)
    {
        Id = id;
        _size = clusterSize;
        SnapshotRetryTicks = options.SnapshotRetryTicks > 0 ? options.SnapshotRetryTicks : 2 * options.HeartbeatTicks;
        _snapTicks = new int[clusterSize];
        _host = EtcdShimPool.ForThisThread(binary ?? EtcdShimBinary.Locate());
        _group = _host.Join(this, id, clusterSize);
        _slot = EtcdShim.InGroup(_group, id);
        _hsTerm = state.Term;
        _hsVote = state.VotedFor;
        _snapIndex = state.SnapshotIndex;
        _snapTerm = state.SnapshotTerm;
        _snapData = state.SnapshotData;
        _applied = state.SnapshotIndex;
        var entries = new EtcdEntry[state.Entries.Length];
        for (int k = 0; k < entries.Length; k++)
        {
            Entry e = state.Entries[k];
            entries[k] = new EtcdEntry((ulong)(state.SnapshotIndex + 1 + k), (ulong)e.Term, EtcdEntryType.Normal, e.Command);
        }
        var durable = new EtcdDurableState(
            new EtcdHardState((ulong)state.Term, state.VotedFor, (ulong)state.SnapshotIndex), // commit is not on our disk: the snapshot's is durable
            state.SnapshotIndex > 0 ? new EtcdSnapshot((ulong)state.SnapshotIndex, (ulong)state.SnapshotTerm, state.SnapshotData ?? []) : null,
            entries);
        try
        {
            _host.Shim.Start(_slot, config with { ClusterSize = clusterSize }, seed, durable);
            _host.Queued(this);
            Refresh();
        }
        catch
        {
            _disposed = true;
            _host.Leave(_group, id);
            throw;
        }
    }

    /// <summary>The shim process this node runs in (tests kill it).</summary>
    internal int ShimProcessId => _host.Shim.ProcessId;

    /// <summary>Ticks a leader waits for an answer to a MsgSnap before it reports the snapshot failed.</summary>
    public int SnapshotRetryTicks { get; }

    public int Id { get; }
    public long Term => (long)View.HardState.Term;
    public int VotedFor => View.HardState.Vote;
    public Role Role => View.Role switch
    {
        EtcdRole.Leader => Role.Leader,
        EtcdRole.Candidate => Role.Candidate,
        EtcdRole.PreCandidate => Role.PreCandidate,
        _ => Role.Follower,
    };
    public long CommitIndex => (long)View.HardState.Commit;
    public long Applied => (long)View.Applied;
    public long SnapshotIndex => (long)View.SnapshotIndex;
    public long SnapshotTerm => (long)View.SnapshotTerm;
    public long LastIndex => (long)View.LastIndex;

    public bool TryGetEntry(long index, out Entry entry)
    {
        EtcdView v = View;
        long k = index - _logBase;
        if (index <= (long)v.SnapshotIndex || index > (long)v.LastIndex || k < 0 || k >= _log.Count)
        {
            entry = default;
            return false;
        }
        entry = _log[(int)k];
        return true;
    }

    /// <summary>
    /// The node's state as of the last view, refreshed first when inputs went in since. Once the
    /// shim failed (the failure was thrown to whoever drove the node, and the world reported it),
    /// or after Dispose, the view stays as it was last reported: reading a view never throws then.
    /// </summary>
    private EtcdView View
    {
        get
        {
            if ((_host.Broken || _disposed) && _view is not null) return _view;
            Refresh();
            return _view!;
        }
    }

    public void Step(in Envelope message)
    {
        if (message.Payload is not EtcdPayload p)
            throw new ArgumentException($"node {Id} was handed a message that is not etcd's ({message.Payload?.GetType().Name ?? "no payload"})", nameof(message));
        Use();
        _host.Shim.Step(_slot, p.Bytes);
        Queued();
    }

    public void Tick()
    {
        Use();
        if (_view is { Role: EtcdRole.Leader } v)
        {
            foreach (EtcdProgress pr in v.Progress)
            {
                if (pr.Peer == Id || pr.Peer < 0 || pr.Peer >= _size) continue;
                if (pr.State != EtcdProgressState.Snapshot) { _snapTicks[pr.Peer] = 0; continue; }
                if (++_snapTicks[pr.Peer] < SnapshotRetryTicks) continue;
                _snapTicks[pr.Peer] = 0;
                _host.Shim.ReportSnapshot(_slot, pr.Peer, succeeded: false);
                Queued();
            }
        }
        _host.Shim.Tick(_slot);
        Queued();
    }

    public ProposeResult Propose(byte[] command)
    {
        Use();
        _proposed = null;
        _host.Shim.Propose(_slot, command);
        Queued();
        Refresh();
        EtcdProposeResult r = _proposed ?? throw new EtcdShimException(EtcdShimFailure.Protocol, "propose got no answer");
        return r.Accepted ? new ProposeResult((long)r.Index, (long)r.Term, true) : new ProposeResult(-1, (long)r.Term, r.IsLeader);
    }

    /// <summary>
    /// etcd's RawNode.ReadIndex on a leader (its status says so when the command runs), with the
    /// request id as the 8-byte context; the id comes back in a later Ready's read states (Safe:
    /// after a heartbeat round a majority acknowledged, and not before the leader committed an entry
    /// of its term; LeaseBased: at once). A follower answers NotLeader: etcd would forward the
    /// request to the leader it knows, which the world does not model (its client tries another
    /// node). One round trip: the command goes with the take and view of <see cref="Refresh"/>.
    /// </summary>
    public ReadRequest ReadIndex(long requestId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestId);
        Use();
        _readAnswer = null;
        _host.Shim.ReadIndex(_slot, (ulong)requestId);
        Queued();
        Refresh();
        EtcdReadIndexResult r = _readAnswer ?? throw new EtcdShimException(EtcdShimFailure.Protocol, "read-index got no answer");
        return r.Accepted ? ReadRequest.Accepted : ReadRequest.NotLeader;
    }

    public void Snapshot(long index, byte[] data)
    {
        Use();
        long covered = Math.Max(_snapIndex, Math.Max(_local?.Index ?? 0, Math.Max(_queuedSnapshot?.Index ?? 0, (long)(_view?.SnapshotIndex ?? 0))));
        if (index <= covered) return; // the service is behind what the node holds already: nothing to do (as Raft.Core)
        if (_etcdInHand || index > _applied)
        {
            // etcd compacts only what it has applied, which it learns at Advance
            if (_deferred is null || _deferred.Value.Index < index) _deferred = (index, data);
            return;
        }
        QueueSnapshot(index, data);
    }

    private void QueueSnapshot(long index, byte[] data)
    {
        _queuedSnapshot = (index, data);
        _host.Shim.Snapshot(_slot, (ulong)index, data);
        Queued();
    }

    public bool TryGetReady(out Ready ready)
    {
        Use();
        Refresh();
        if (_hand is null && _local is not null) _hand = Build(null, []);
        ready = _hand ?? Empty;
        return _hand is not null;
    }

    private static readonly Ready Empty = new() { EntriesToPersist = ArraySegment<Entry>.Empty, CommittedEntries = ArraySegment<Entry>.Empty };

    public void Advance()
    {
        Use();
        if (_hand is not { } r) return;
        _hand = null;
        // whatever etcd produced while this Ready was out (also when it was only the service's
        // compaction, with no etcd Ready in hand) is taken at the next read, not at the next input
        _dirty = true;
        if (r.SnapshotToApply) _applied = Math.Max(_applied, r.SnapshotIndex);
        if (r.CommittedEntries.Count > 0) _applied = Math.Max(_applied, r.FirstCommittedIndex + r.CommittedEntries.Count - 1);
        if (_etcdInHand)
        {
            _etcdInHand = false;
            _host.Shim.Advance(_slot);
            Queued();
        }
        if (_deferred is { } d && d.Index <= _applied)
        {
            _deferred = null;
            if (d.Index > Math.Max(_snapIndex, _local?.Index ?? 0)) QueueSnapshot(d.Index, d.Data);
        }
    }

    public IRaftNodeStatus Status => this;

    public int Leader => View.Leader;

    public PeerProgress Progress(int peer)
    {
        foreach (EtcdProgress p in View.Progress)
            if (p.Peer == peer) return new PeerProgress((long)p.Match, (long)p.Next, (int)p.State, p.State == EtcdProgressState.Snapshot);
        return default;
    }

    public VoteTally Vote(int peer)
    {
        foreach (EtcdVote v in View.Votes)
            if (v.Peer == peer) return new VoteTally(true, v.Granted);
        return default;
    }

    public byte[]? HeldSnapshot => _snapData;

    /// <summary>Frees the node's slot in its shim process (the world disposes a node at a crash and when it is done).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_host.Broken)
        {
            try
            {
                _host.Shim.Crash(_slot);
                _host.Queued(this);
                _host.Flush();
            }
            catch (EtcdShimException) { } // the process is gone: nothing to free in it
        }
        _host.Leave(_group, Id);
    }

    public override string ToString() => $"etcd node {Id}";

    private void Use() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void Queued()
    {
        _host.Queued(this);
        _dirty = true;
    }

    /// <summary>Flushes this node's inputs with take (when no Ready is in hand) and view.</summary>
    private void Refresh()
    {
        if (!_dirty && _view is not null) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_etcdInHand && _hand is null)
        {
            _host.Shim.Take(_slot);
            _host.Queued(this);
        }
        _host.Shim.View(_slot);
        _host.Queued(this);
        _dirty = false;
        try
        {
            _host.Flush();
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    /// <summary>A result of a command this node queued, in order.</summary>
    internal void OnResult(EtcdResult result)
    {
        switch (result)
        {
            case EtcdReadyResult { Ready: { } r }:
                _etcdInHand = true;
                _hand = Build(r, r.Messages);
                break;
            case EtcdProposeResult p:
                _proposed = p;
                break;
            case EtcdReadIndexResult read:
                _readAnswer = read;
                break;
            case EtcdSnapshotResult s when _queuedSnapshot is { } q:
                _queuedSnapshot = null;
                if (q.Index > (_local?.Index ?? 0)) _local = (q.Index, (long)s.Term, q.Data);
                break;
            case EtcdViewResult v:
                Mirror(v.View);
                break;
        }
    }

    private void Mirror(EtcdView v)
    {
        _view = v;
        long from = (long)v.From;
        if (from < _logBase || from > _logBase + _log.Count)
        {
            _log.Clear();
            _logBase = from;
        }
        else _log.RemoveRange((int)(from - _logBase), _log.Count - (int)(from - _logBase));
        foreach (EtcdEntry e in v.Entries) _log.Add(new Entry((long)e.Term, e.Data));
        _applied = Math.Max(_applied, (long)v.Applied);
    }

    /// <summary>The contract's Ready for etcd's <paramref name="r"/> (null: only the service snapshot in <see cref="_local"/>).</summary>
    private Ready Build(EtcdReady? r, IReadOnlyList<EtcdMessage> messages)
    {
        var ready = new Ready { EntriesToPersist = ArraySegment<Entry>.Empty, CommittedEntries = ArraySegment<Entry>.Empty };
        if (r is not null && r.HardStateChanged && ((long)r.HardState.Term != _hsTerm || r.HardState.Vote != _hsVote))
        {
            ready.HardStateChanged = true;
            _hsTerm = (long)r.HardState.Term;
            _hsVote = r.HardState.Vote;
        }
        ready.Term = _hsTerm;
        ready.VotedFor = _hsVote;
        if (r?.Snapshot is { } s)
        {
            ready.HasSnapshot = true;
            ready.SnapshotToApply = true;
            (_snapIndex, _snapTerm, _snapData) = ((long)s.Index, (long)s.Term, s.Data);
            ready.SnapshotData = s.Data;
            if (_local is { } l && l.Index <= _snapIndex) _local = null;
        }
        else if (_local is { } l)
        {
            _local = null;
            ready.HasSnapshot = true;
            (_snapIndex, _snapTerm, _snapData) = (l.Index, l.Term, l.Data);
            ready.SnapshotData = l.Data;
        }
        ready.SnapshotIndex = _snapIndex;
        ready.SnapshotTerm = _snapTerm;
        if (r is not null && r.Entries.Count > 0)
        {
            ready.PersistFrom = (long)r.Entries[0].Index;
            ready.EntriesToPersist = Convert(r.Entries);
        }
        // a leader's snapshot replaces the whole durable log (etcd's MemoryStorage.ApplySnapshot keeps
        // nothing after it): the world's disk must drop what it held beyond the snapshot too, or it
        // would keep entries etcd no longer has (a compaction by the service, above, keeps them)
        if (r?.Snapshot is not null && (ready.PersistFrom == 0 || ready.PersistFrom > _snapIndex + 1))
        {
            if (ready.PersistFrom > _snapIndex + 1)
                throw new EtcdShimException(EtcdShimFailure.Protocol, $"etcd's Ready holds a snapshot through {_snapIndex} and entries from {ready.PersistFrom}: a gap");
            ready.PersistFrom = _snapIndex + 1;
        }
        if (r is not null && r.CommittedEntries.Count > 0)
        {
            ready.FirstCommittedIndex = (long)r.CommittedEntries[0].Index;
            ready.CommittedEntries = Convert(r.CommittedEntries);
        }
        else ready.FirstCommittedIndex = _applied + 1;
        foreach (EtcdMessage m in messages) ready.MessageBuffer.Add(EtcdPayload.Wrap(m));
        if (r is not null)
            foreach (EtcdReadState rs in r.ReadStates) ready.ReadStateBuffer.Add(new ReadState((long)rs.RequestId, (long)rs.Index));
        return ready;
    }

    private static Entry[] Convert(IReadOnlyList<EtcdEntry> entries)
    {
        var a = new Entry[entries.Count];
        for (int k = 0; k < a.Length; k++)
        {
            EtcdEntry e = entries[k];
            if (e.Type != EtcdEntryType.Normal)
                throw new EtcdShimException(EtcdShimFailure.Protocol, $"etcd produced a conf change entry at {e.Index}; membership is fixed");
            a[k] = new Entry((long)e.Term, e.Data);
        }
        return a;
    }
}
