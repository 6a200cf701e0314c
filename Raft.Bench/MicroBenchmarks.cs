using BenchmarkDotNet.Attributes;
using Raft.Core.Encoding;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Tracking;

namespace Raft.Bench;

/// <summary>A follower stepping one AppendEntries carrying 1 or 64 entries, including its Ready.</summary>
[MemoryDiagnoser]
public class FollowerAppendBenchmarks
{
    private RaftNode _follower = null!;
    private Entry[] _entries = [];
    private long _last;

    [Params(1, 64)] public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _follower = new RaftNode(1, 3, 7);
        _entries = Enumerable.Range(0, Entries).Select(_ => new Entry(1, new byte[8])).ToArray();
        _last = 0;
    }

    [Benchmark]
    public void StepAppendEntries()
    {
        var m = new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Term = 1, Index = _last, LogTerm = _last == 0 ? 0 : 1, Entries = _entries, Commit = _last };
        _follower.Step(m);
        while (_follower.TryGetReady(out _)) _follower.Advance();
        _last += Entries;
        if (_last % 100_000 < Entries && _last > 10_000) _follower.Snapshot(_last - 5_000 > _follower.Applied ? _follower.Applied : _last - 5_000, [1]);
    }

    [GlobalCleanup]
    public void Check()
    {
        if (_follower.Log.LastIndex != _last) throw new InvalidOperationException($"follower holds {_follower.Log.LastIndex} entries, expected {_last}");
    }
}

/// <summary>The leader's commit-index computation (the quorum's matched index) for 3, 5 and 7 voters.</summary>
public class QuorumBenchmarks
{
    private long[] _matches = [];

    [Params(3, 5, 7)] public int Voters { get; set; }

    [GlobalSetup]
    public void Setup() => _matches = Enumerable.Range(0, Voters).Select(i => (long)(1000 + i * 37 % 11)).ToArray();

    [Benchmark]
    public long CommittedIndex() => Quorum.CommittedIndex(_matches);
}

/// <summary>Encoding and decoding an AppendEntries with one 8-byte entry.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly Message _message = new()
    {
        Type = MessageType.AppendEntries, From = 0, To = 1, Term = 5, Index = 123_456, LogTerm = 5, Commit = 123_450,
        Entries = [new Entry(5, new byte[8])],
    };
    private readonly byte[] _buffer = new byte[64];
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup() => _encoded = RaftCodec.Encode(_message);

    [Benchmark]
    public int Encode() => RaftCodec.Encode(_message, _buffer);

    [Benchmark]
    public Message Decode() => RaftCodec.Decode(_encoded);
}

/// <summary>
/// What the cheapest part of each stage of the commit cycle costs on its own (the floors of the
/// breakdown, docs/benchmarks.md): asking an idle node for a Ready, a node stepping a message it
/// only reads (a stale reply: Step's common checks and dispatch), and messages handed from a
/// node's outbox to the harness's queue and read in place, one or four per Ready. Each operation
/// is done 64 times per invocation, so the figures are ns per operation (per message for the hand-over).
/// </summary>
public class FloorBenchmarks
{
    private RaftNode _idle = null!;
    private Message _stale;
    private readonly List<Message> _outbox = new();
    private readonly Harness.MessageQueue _queue = new();

    [GlobalSetup]
    public void Setup()
    {
        _idle = new RaftNode(1, 3, 7);
        // a term-2 append makes the follower a term-2 node with output; hand the output over
        _idle.Step(new Message { Type = MessageType.AppendEntries, From = 0, To = 1, Term = 2, Entries = [] });
        while (_idle.TryGetReady(out _)) _idle.Advance();
        _stale = new Message { Type = MessageType.AppendEntriesResponse, From = 2, To = 1, Term = 1, Index = 5 };
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public int TryGetReadyWithNothing()
    {
        int found = 0;
        for (int i = 0; i < 64; i++) if (_idle.TryGetReady(out _)) found++;
        if (found != 0) throw new InvalidOperationException("the idle node had a Ready");
        return found;
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public void StepAStaleReply()
    {
        for (int i = 0; i < 64; i++) _idle.Step(_stale);
        if (_idle.HasReady) throw new InvalidOperationException("a stale reply produced output");
    }

    /// <summary>Messages per Ready in <see cref="HandMessagesOver"/>: the cycle hands 1 to 4 over per Ready at batch 1.</summary>
    [Params(1, 4)] public int PerReady { get; set; }

    /// <summary>
    /// Messages built and added to an outbox, <see cref="PerReady"/> at a time; each batch block-copied to
    /// the harness's queue, the outbox cleared, and every message read in place: ns per message.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public long HandMessagesOver()
    {
        long sum = 0;
        for (int i = 0; i < 64; i += PerReady)
        {
            for (int k = 0; k < PerReady; k++)
                _outbox.Add(new Message { Type = MessageType.AppendEntriesResponse, From = 1, To = 0, Term = 2, Index = i + k, Context = i });
            _queue.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_outbox));
            _outbox.Clear();
            ReadOnlySpan<Message> queued = _queue.Items;
            for (int k = 0; k < queued.Length; k++) sum += queued[k].Index;
            _queue.Reset();
        }
        return sum;
    }
}
