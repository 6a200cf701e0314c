namespace Raft.Core.Node;

/// <summary>
/// Timing and flow-control options, in ticks. The world decides how long a tick is; with the
/// lab world's 10 ms tick the defaults give heartbeats every 100 ms (at most 10 per second, as
/// the 6.824 tester requires) and election timeouts drawn from 300–599 ms, so a new leader
/// appears well within the tester's 5 s window.
/// </summary>
public sealed record RaftOptions
{
    /// <summary>Minimum election timeout; each timeout is drawn from [ElectionTicks, 2·ElectionTicks) (§5.2).</summary>
    public int ElectionTicks { get; init; } = 30;

    /// <summary>Ticks between a leader's heartbeats; must be smaller than <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; init; } = 10;

    /// <summary>Most entries carried by one AppendEntries.</summary>
    public int MaxEntriesPerAppend { get; init; } = 256;

    /// <summary>Soft cap on command bytes in one AppendEntries (always at least one entry).</summary>
    public long MaxBytesPerAppend { get; init; } = 1 << 20;

    public static RaftOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public void Validate()
    {
        if (HeartbeatTicks < 1) throw new ArgumentException($"HeartbeatTicks must be at least 1 (got {HeartbeatTicks})");
        if (ElectionTicks <= HeartbeatTicks) throw new ArgumentException($"ElectionTicks ({ElectionTicks}) must exceed HeartbeatTicks ({HeartbeatTicks})");
        if (MaxEntriesPerAppend < 1) throw new ArgumentException($"MaxEntriesPerAppend must be at least 1 (got {MaxEntriesPerAppend})");
        if (MaxBytesPerAppend < 1) throw new ArgumentException($"MaxBytesPerAppend must be at least 1 (got {MaxBytesPerAppend})");
    }
}
