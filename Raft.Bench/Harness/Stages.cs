using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Raft.Bench.Harness;

/// <summary>The stages of the commit cycle that <see cref="InMemoryCluster"/> marks (the breakdown, docs/benchmarks.md).</summary>
public enum Stage
{
    /// <summary>The harness between stages: the round loop, the commit check, the payload ring, swapping the queues.</summary>
    Harness,
    /// <summary>The leader's <c>Propose</c>: the log append and the AppendEntries it sends.</summary>
    Propose,
    /// <summary><c>TryGetReady</c>, including the calls that find nothing to hand out.</summary>
    Ready,
    /// <summary>Persisting a Ready into the node's store: hard state, snapshot, entries copied.</summary>
    Persist,
    /// <summary>Queueing a Ready's messages for delivery.</summary>
    Send,
    /// <summary>Applying a Ready's committed entries, each checked against what was proposed.</summary>
    Apply,
    /// <summary><c>Advance</c>, and the compaction every 100,000 entries.</summary>
    Advance,
    /// <summary>A follower's <c>Step</c> of an AppendEntries (and the harness returning its entry array).</summary>
    StepAppend,
    /// <summary>The leader's <c>Step</c> of a reply: match index, commit, and the messages that sends.</summary>
    StepReply,
}

/// <summary>
/// Stage markers for the breakdown, off unless <c>RAFT_BENCH_STAGES=1</c> is set before the harness
/// first runs. <see cref="Enabled"/> is a static readonly field, so with the markers off the JIT
/// drops every <see cref="Mark"/> from the optimized code and the benchmarks run the code they
/// always ran. With them on, a mark is one store to a static field.
/// </summary>
public static class Stages
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("RAFT_BENCH_STAGES") == "1";
    public static readonly int Count = Enum.GetValues<Stage>().Length;
    private static int _current;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mark(Stage stage)
    {
        if (Enabled) Volatile.Write(ref _current, (int)stage);
    }

    public static Stage Current => (Stage)Volatile.Read(ref _current);
}

/// <summary>
/// Samples the current <see cref="Stage"/> from another thread at a fixed interval while the
/// harness runs: the share of samples in a stage is its share of the time. It reads the marker
/// only once per interval (10 µs by default), so the cache line the harness writes moves between
/// cores rarely and the markers cost the harness about one store each.
/// </summary>
public sealed class StageSampler : IDisposable
{
    private readonly long[] _samples = new long[Stages.Count];
    private readonly Thread _thread;
    private readonly long _interval;
    private volatile bool _sampling, _stop;

    public StageSampler(TimeSpan interval)
    {
        if (!Stages.Enabled) throw new InvalidOperationException("stage markers are off: set RAFT_BENCH_STAGES=1 before the harness first runs");
        _interval = Math.Max(1, (long)(interval.TotalSeconds * Stopwatch.Frequency));
        _thread = new Thread(Run) { IsBackground = true, Name = "stage sampler" };
        _thread.Start();
    }

    /// <summary>Samples are counted only between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public void Start() => _sampling = true;
    public void Stop() => _sampling = false;

    /// <summary>Samples per stage (index: <see cref="Stage"/>).</summary>
    public long[] Samples
    {
        get
        {
            var copy = new long[_samples.Length];
            for (int i = 0; i < copy.Length; i++) copy[i] = Interlocked.Read(ref _samples[i]);
            return copy;
        }
    }

    /// <summary>Sampling instants that passed while the sampler was not running (descheduled): skipped, not taken late.</summary>
    public long Missed => Interlocked.Read(ref _missed);

    private long _missed;

    private void Run()
    {
        long next = Stopwatch.GetTimestamp();
        while (!_stop)
        {
            next += _interval;
            long now;
            while ((now = Stopwatch.GetTimestamp()) < next) Thread.SpinWait(8);
            if (now - next >= _interval)
            {
                // descheduled for a while: taking the missed samples now would put them all on the
                // stage current at wake-up, so they are skipped (and counted)
                long missed = (now - next) / _interval;
                if (_sampling) Interlocked.Add(ref _missed, missed);
                next += missed * _interval;
            }
            if (_sampling) Interlocked.Increment(ref _samples[(int)Stages.Current]);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
