using Raft.Core.Determinism;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Core;

/// <summary>
/// A durable store fed only from <see cref="Ready"/>s, in the order the Ready contract gives:
/// hard state, then snapshot (dropping covered entries), then truncate at PersistFrom and append.
/// Restarting a node from it checks that the Ready said everything that had to be persisted.
/// </summary>
internal sealed class TestDisk
{
    public long Term { get; private set; }
    public int VotedFor { get; private set; } = RaftNode.None;
    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public byte[]? SnapshotData { get; private set; }
    public List<Entry> Entries { get; } = new();

    public TestDisk(PersistedState? initial = null)
    {
        if (initial is null) return;
        Term = initial.Term;
        VotedFor = initial.VotedFor;
        SnapshotIndex = initial.SnapshotIndex;
        SnapshotTerm = initial.SnapshotTerm;
        SnapshotData = initial.SnapshotData;
        Entries.AddRange(initial.Entries);
    }

    public void Persist(Ready r)
    {
        if (r.HardStateChanged) { Term = r.Term; VotedFor = r.VotedFor; }
        if (r.HasSnapshot)
        {
            long drop = Math.Clamp(r.SnapshotIndex - SnapshotIndex, 0, Entries.Count);
            Entries.RemoveRange(0, (int)drop);
            SnapshotIndex = r.SnapshotIndex;
            SnapshotTerm = r.SnapshotTerm;
            SnapshotData = r.SnapshotData ?? throw new InvalidOperationException("Ready.HasSnapshot without data");
        }
        if (r.PersistFrom != 0)
        {
            long lastDurable = SnapshotIndex + Entries.Count;
            if (r.PersistFrom > lastDurable + 1 || r.PersistFrom <= SnapshotIndex)
                throw new InvalidOperationException($"Ready.PersistFrom {r.PersistFrom} leaves a gap after durable {SnapshotIndex}..{lastDurable}");
            int keep = (int)(r.PersistFrom - SnapshotIndex - 1);
            Entries.RemoveRange(keep, Entries.Count - keep);
            Entries.AddRange(r.EntriesToPersist);
        }
    }

    public PersistedState ToPersistedState() => new()
    {
        Term = Term, VotedFor = VotedFor, SnapshotIndex = SnapshotIndex, SnapshotTerm = SnapshotTerm,
        SnapshotData = SnapshotData, Entries = Entries.ToArray(),
    };
}

/// <summary>
/// Drives <see cref="RaftNode"/>s directly and synchronously: Ready output is persisted to a
/// <see cref="TestDisk"/>, its messages queued (and recorded in <see cref="History"/>), its
/// committed entries applied; <see cref="DeliverAll"/> steps queued messages until quiet.
/// </summary>
internal sealed class TestCluster
{
    private readonly ulong _seed;
    private readonly RaftOptions _options;

    public TestCluster(int size, ulong seed = 1, RaftOptions? options = null, PersistedState?[]? states = null)
    {
        _seed = seed;
        _options = options ?? new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 3 };
        Nodes = new RaftNode[size];
        Disks = new TestDisk[size];
        Applied = new List<(long Index, Entry Entry)>[size];
        AppliedIndex = new long[size];
        SnapshotsApplied = new List<long>[size];
        Down = new bool[size];
        for (int i = 0; i < size; i++)
        {
            PersistedState? s = states?[i];
            Disks[i] = new TestDisk(s);
            Nodes[i] = new RaftNode(i, size, Rng.Derive(seed, (ulong)i), _options, s);
            Applied[i] = new();
            SnapshotsApplied[i] = new();
            AppliedIndex[i] = s?.SnapshotIndex ?? 0;
        }
    }

    public RaftNode[] Nodes { get; }
    public TestDisk[] Disks { get; }
    public List<(long Index, Entry Entry)>[] Applied { get; }
    public long[] AppliedIndex { get; }
    public List<long>[] SnapshotsApplied { get; }
    public bool[] Down { get; }
    public List<Message> Pending { get; } = new();
    public List<Message> History { get; } = new();

    /// <summary>Every read a node confirmed (its Ready's ReadStates), in order.</summary>
    public List<(int Node, ReadState State)> Reads { get; } = new();

    /// <summary>Sees a copy of every Ready handled, before it is persisted.</summary>
    public Action<int, ReadyView>? OnReady { get; set; }

    /// <summary>Return true to drop a message in flight.</summary>
    public Func<Message, bool>? Drop { get; set; }

    public RaftOptions Options => _options;
    public int Size => Nodes.Length;

    /// <summary>Handles node <paramref name="id"/>'s Ready (if any) and returns the messages it sent.</summary>
    public List<Message> Collect(int id, Action<Ready>? inspect = null)
    {
        var sent = new List<Message>();
        RaftNode node = Nodes[id];
        for (int guard = 0; node.TryGetReady(out Ready r); guard++)
        {
            if (guard > 10) throw new InvalidOperationException($"node {id} keeps producing Ready after Advance");
            inspect?.Invoke(r);
            OnReady?.Invoke(id, ReadyView.Of(r));
            Disks[id].Persist(r);
            foreach (Message m in r.Messages)
            {
                Assert.Equal(id, m.From);
                sent.Add(m);
            }
            if (r.SnapshotToApply)
            {
                Assert.True(r.SnapshotIndex > AppliedIndex[id], "a snapshot must never move the service backwards");
                SnapshotsApplied[id].Add(r.SnapshotIndex);
                AppliedIndex[id] = r.SnapshotIndex;
            }
            for (int i = 0; i < r.CommittedEntries.Count; i++)
            {
                long index = r.FirstCommittedIndex + i;
                Assert.Equal(AppliedIndex[id] + 1, index); // each exactly once, in order
                Applied[id].Add((index, r.CommittedEntries[i]));
                AppliedIndex[id] = index;
            }
            foreach (ReadState rs in r.ReadStates) Reads.Add((id, rs));
            node.Advance();
        }
        if (Down[id]) return sent; // a crashed node's output never leaves it
        History.AddRange(sent);
        Pending.AddRange(sent);
        return sent;
    }

    public void CollectAll()
    {
        for (int i = 0; i < Size; i++) Collect(i);
    }

    /// <summary>Delivers queued messages, and the replies they cause, until nothing is in flight.</summary>
    public int DeliverAll(int maxMessages = 100_000)
    {
        int delivered = 0;
        CollectAll();
        while (Pending.Count > 0)
        {
            Message[] batch = Pending.ToArray();
            Pending.Clear();
            foreach (Message m in batch)
            {
                if (Down[m.From] || Down[m.To] || (Drop?.Invoke(m) ?? false)) continue;
                Nodes[m.To].Step(m);
                Collect(m.To);
                if (++delivered > maxMessages) throw new InvalidOperationException("message storm: the cluster never went quiet");
            }
            CollectAll();
        }
        return delivered;
    }

    public void Tick(int id, int times = 1)
    {
        for (int i = 0; i < times; i++) Nodes[id].Tick();
    }

    /// <summary>Ticks only <paramref name="id"/> until it campaigns, then delivers the election; returns the ticks taken.</summary>
    public int Campaign(int id)
    {
        long term = Nodes[id].Term;
        int ticks = 0;
        while (Nodes[id].Term == term)
        {
            Nodes[id].Tick();
            if (++ticks > 2 * _options.ElectionTicks) throw new InvalidOperationException($"node {id} never campaigned");
        }
        DeliverAll();
        return ticks;
    }

    public RaftNode ElectLeader(int id)
    {
        Campaign(id);
        Assert.Equal(Role.Leader, Nodes[id].Role);
        return Nodes[id];
    }

    /// <summary>Ticks every live node once, delivering after each.</summary>
    public void TickAll(int times = 1)
    {
        for (int t = 0; t < times; t++)
        {
            for (int i = 0; i < Size; i++)
            {
                if (Down[i]) continue;
                Nodes[i].Tick();
                DeliverAll();
            }
        }
    }

    /// <summary>Replaces node <paramref name="id"/> with one rebuilt from its disk, as after a crash.</summary>
    public RaftNode Restart(int id, ulong? seed = null)
    {
        PersistedState s = Disks[id].ToPersistedState();
        Nodes[id] = new RaftNode(id, Size, seed ?? Rng.Derive(_seed ^ 0xABCDEF, (ulong)id), _options, s);
        AppliedIndex[id] = s.SnapshotIndex;
        return Nodes[id];
    }

    public int? Leader()
    {
        int? leader = null;
        for (int i = 0; i < Size; i++)
            if (!Down[i] && Nodes[i].Role == Role.Leader && (leader is null || Nodes[i].Term > Nodes[leader.Value].Term))
                leader = i;
        return leader;
    }

    public static byte[] Cmd(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static string Text(Entry e) => System.Text.Encoding.UTF8.GetString(e.Command);
}

/// <summary>A copy of a <see cref="Ready"/> (whose instance and segments are reused after Advance).</summary>
internal sealed record ReadyView(
    bool HardStateChanged, long Term, int VotedFor,
    bool HasSnapshot, long SnapshotIndex, long SnapshotTerm, byte[]? SnapshotData,
    long PersistFrom, Entry[] EntriesToPersist, Message[] Messages,
    bool SnapshotToApply, long FirstCommittedIndex, Entry[] CommittedEntries, bool MustPersist)
{
    public static ReadyView Of(Ready r) => new(
        r.HardStateChanged, r.Term, r.VotedFor, r.HasSnapshot, r.SnapshotIndex, r.SnapshotTerm, r.SnapshotData,
        r.PersistFrom, r.EntriesToPersist.ToArray(), r.Messages.ToArray(), r.SnapshotToApply, r.FirstCommittedIndex,
        r.CommittedEntries.ToArray(), r.MustPersist);

    /// <summary>Takes and acknowledges the Ready of a node driven by hand; fails if there is none.</summary>
    public static ReadyView Take(RaftNode node)
    {
        Assert.True(node.TryGetReady(out Ready r), $"node {node.Id} has no Ready");
        ReadyView view = Of(r);
        node.Advance();
        return view;
    }
}

/// <summary>Hand-built messages.</summary>
internal static class Msg
{
    public static Message Vote(int from, int to, long term, long lastIndex = 0, long lastTerm = 0) =>
        new() { Type = MessageType.RequestVote, From = from, To = to, Term = term, Index = lastIndex, LogTerm = lastTerm };

    public static Message VoteReply(int from, int to, long term, bool granted) =>
        new() { Type = MessageType.RequestVoteResponse, From = from, To = to, Term = term, Reject = !granted };

    public static Message Append(int from, int to, long term, long prev, long prevTerm, Entry[]? entries = null, long commit = 0) =>
        new() { Type = MessageType.AppendEntries, From = from, To = to, Term = term, Index = prev, LogTerm = prevTerm, Entries = entries ?? [], Commit = commit };

    public static Message AppendReply(int from, int to, long term, long index, bool reject = false) =>
        new() { Type = MessageType.AppendEntriesResponse, From = from, To = to, Term = term, Index = index, Reject = reject };

    public static Entry[] Entries(params long[] terms) =>
        terms.Select((t, i) => new Entry(t, TestCluster.Cmd($"e{i + 1}t{t}"))).ToArray();
}
