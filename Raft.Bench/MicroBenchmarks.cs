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
