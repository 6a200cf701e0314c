using Raft.Core.Node;

namespace Raft.Model.Exploration;

/// <summary>
/// The bounds on every value a trace or the command line can set (docs/trace-format.md, "Limits").
/// Each is far above what the tools themselves write (swarm testing draws election timeouts of
/// 25–60 ticks, the lab's traces have some 60,000 steps), and low enough that no accepted value
/// can overflow the world's or the core's arithmetic or make one schedule run for minutes.
/// </summary>
public static class Limits
{
    public const int MaxNodes = 9;
    /// <summary>Steps of one schedule (the lab's longest traces: about 60,000).</summary>
    public const int MaxSteps = 1_000_000;
    public const int MaxProposals = 10_000;
    /// <summary>Each fault budget (crashes, partitions, drops, duplicates).</summary>
    public const int MaxFaults = 10_000;
    public const int MaxStrategyParameter = 1_000;
    public const int MaxTickMs = 1_000;
    public const int MaxElectionTicks = 1_000_000;
    /// <summary>An election timeout in virtual time: electionTicks × tickMs (checked in 64-bit arithmetic).</summary>
    public const long MaxElectionTimeoutMs = 10_000_000;
    public const int MaxEntriesPerAppend = 1_000_000;
    public const long MaxBytesPerAppend = 1L << 30;
    public const int MinLivenessBoundMs = 100;
    /// <summary>The liveness phase's bound (the tester's one(): 10 s).</summary>
    public const int MaxLivenessBoundMs = 120_000;
    /// <summary>A message delay (swarm maxDelayMs and liveDelayMs).</summary>
    public const int MaxDelayMs = 60_000;
    public const int MaxWeight = 1_000;
    public const int MaxSnapshotInterval = 1_000_000;
    public const int MaxWorkers = 1_024;
    /// <summary>A wall-clock budget (explore --time-limit, shrink --time-limit): a week.</summary>
    public const double MaxTimeLimitSeconds = 7 * 24 * 3600;

    /// <summary>The core's options within the limits, with election timeouts that cannot overflow at <paramref name="tickMs"/>.</summary>
    public static void CheckRaft(RaftOptions r, int tickMs)
    {
        if (r.HeartbeatTicks < 1 || r.ElectionTicks > MaxElectionTicks)
            throw new ArgumentException($"heartbeat ticks must be at least 1 and election ticks at most {MaxElectionTicks} (got heartbeat {r.HeartbeatTicks}, election {r.ElectionTicks})");
        r.Validate();
        if (r.MaxEntriesPerAppend > MaxEntriesPerAppend) throw new ArgumentException($"MaxEntriesPerAppend must be at most {MaxEntriesPerAppend} (got {r.MaxEntriesPerAppend})");
        if (r.MaxBytesPerAppend > MaxBytesPerAppend) throw new ArgumentException($"MaxBytesPerAppend must be at most {MaxBytesPerAppend} (got {r.MaxBytesPerAppend})");
        if ((long)r.ElectionTicks * tickMs > MaxElectionTimeoutMs)
            throw new ArgumentException($"an election timeout of {r.ElectionTicks} ticks of {tickMs} ms is longer than {MaxElectionTimeoutMs} ms");
    }
}
