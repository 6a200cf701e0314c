using Raft.Model.Contract;
using Raft.Model.Nodes;
using Ready = Raft.Model.Contract.Ready;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Contract;

/// <summary>
/// Counts what the world does to a node between <see cref="IRaftNode.TryGetReady"/> and
/// <see cref="IRaftNode.Advance"/>: the inputs asynchronous Ready handling lets in, and a second
/// TryGetReady. Thread-safe counters, shared by every node a factory builds.
/// </summary>
internal sealed class InterleavingProbe(IRaftNode inner, InterleavingProbe.Counts counts) : ForwardingNode(inner)
{
    public sealed class Counts
    {
        public long Steps, Ticks, Proposals, Snapshots, SecondReadies, Readies;
    }

    private bool _out;

    public override void Step(in Envelope m)
    {
        if (_out) Interlocked.Increment(ref counts.Steps);
        base.Step(m);
    }

    public override void Tick()
    {
        if (_out) Interlocked.Increment(ref counts.Ticks);
        base.Tick();
    }

    public override ProposeResult Propose(byte[] command)
    {
        if (_out) Interlocked.Increment(ref counts.Proposals);
        return base.Propose(command);
    }

    public override void Snapshot(long index, byte[] data)
    {
        if (_out) Interlocked.Increment(ref counts.Snapshots);
        base.Snapshot(index, data);
    }

    public override bool TryGetReady(out Ready ready)
    {
        bool got = base.TryGetReady(out ready);
        if (got && _out) Interlocked.Increment(ref counts.SecondReadies);
        else if (got) Interlocked.Increment(ref counts.Readies);
        _out |= got;
        return got;
    }

    public override void Advance()
    {
        _out = false;
        base.Advance();
    }
}

/// <summary>
/// A core whose Advance acknowledges more than its Ready carried: it marks its log durable
/// through its current last index, entries appended between TryGetReady and Advance included (as
/// if RaftNode.Advance called StableTo with LastIndex instead of what it handed out). Emulated
/// around the correct core: its next Ready does not write the entries it wrongly believes durable
/// (those still as they were at Advance). Handling each Ready at once hides the bug, since nothing
/// is appended in between; asynchronous handling exposes it.
/// </summary>
internal sealed class OverAcknowledgingNode(IRaftNode inner) : ForwardingNode(inner)
{
    private readonly List<(long Index, long Term, byte[] Command)> _believedDurable = new();

    public override bool TryGetReady(out Ready ready)
    {
        if (!base.TryGetReady(out ready)) return false;
        if (ready.PersistFrom == 0 || _believedDurable.Count == 0) return true;
        // skip the leading entries the last Advance wrongly marked durable, unless rewritten since
        long from = ready.PersistFrom;
        ArraySegment<Entry> entries = ready.EntriesToPersist;
        int skip = 0;
        while (skip < entries.Count && Believed(from + skip, entries[skip])) skip++;
        if (skip == 0) return true;
        if (skip == entries.Count)
        {
            ready.PersistFrom = 0;
            ready.EntriesToPersist = ArraySegment<Entry>.Empty;
        }
        else
        {
            ready.PersistFrom = from + skip;
            ready.EntriesToPersist = entries.Slice(skip);
        }
        return true;
    }

    private bool Believed(long index, in Entry e)
    {
        foreach (var (i, term, command) in _believedDurable)
            if (i == index) return term == e.Term && ReferenceEquals(command, e.Command);
        return false;
    }

    public override void Advance()
    {
        base.Advance();
        // the bug: everything in the log now counts as durable, whatever the Ready carried
        _believedDurable.Clear();
        for (long i = SnapshotIndex + 1; i <= LastIndex; i++)
            if (TryGetEntry(i, out Entry e)) _believedDurable.Add((i, e.Term, e.Command));
    }
}

/// <summary>
/// A core that reuses the pooled entry array of the AppendEntries it sent last for its next one of
/// the same length (copying the new entries into it) instead of the array it rented: the array may
/// still be in flight, or already back in the pool.
/// </summary>
internal sealed class ReusesSentArrayNode(IRaftNode inner) : ForwardingNode(inner)
{
    private Entry[]? _sent;

    public override bool TryGetReady(out Ready ready)
    {
        if (!base.TryGetReady(out ready)) return false;
        List<Envelope> messages = ready.MessageBuffer;
        for (int k = 0; k < messages.Count; k++)
        {
            Message m = ((CoreMessage)messages[k].Payload!).Message;
            if (m.Type != MessageType.AppendEntries || m.Entries is not { Length: > 0 } entries || ReferenceEquals(entries, _sent)) continue;
            if (_sent is not null && _sent.Length == entries.Length)
            {
                entries.CopyTo(_sent, 0);
                messages[k] = CoreMessage.Wrap(m with { Entries = _sent });
            }
            else _sent = entries;
        }
        return true;
    }
}

/// <summary>
/// A core that writes into the entry array of an AppendEntries it already handed out (it changes
/// the first entry's command the next time it takes a Ready), as a core that kept and refilled
/// its last array would.
/// </summary>
internal sealed class WritesIntoSentArrayNode(IRaftNode inner) : ForwardingNode(inner)
{
    private static readonly byte[] Scribble = [0xBA, 0xD0];
    private Entry[]? _sent;

    public override bool TryGetReady(out Ready ready)
    {
        if (!base.TryGetReady(out ready)) return false;
        if (_sent is { } old && old[0].Command is not null)
        {
            old[0] = new Entry(old[0].Term, Scribble);
            _sent = null;
        }
        foreach (Envelope m in ready.Messages)
            if (m.Type == MessageKind.AppendEntries && m.Lent is { Length: > 0 } entries) _sent = entries;
        return true;
    }
}
