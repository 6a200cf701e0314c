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

    /// <summary>Clerks one lab run may make (Lab 3's GenericTest makes one per client per iteration: at most 61).</summary>
    public const int MaxClerks = 1000;
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
    /// <summary>RaftOptions.SnapshotRetryTicks (swarm testing draws 0 or 1–60).</summary>
    public const int MaxSnapshotRetryTicks = 1_000_000;
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
        if (r.SnapshotRetryTicks > MaxSnapshotRetryTicks) throw new ArgumentException($"SnapshotRetryTicks must be at most {MaxSnapshotRetryTicks} (got {r.SnapshotRetryTicks})");
        if ((long)r.ElectionTicks * tickMs > MaxElectionTimeoutMs)
            throw new ArgumentException($"an election timeout of {r.ElectionTicks} ticks of {tickMs} ms is longer than {MaxElectionTimeoutMs} ms");
    }

    /// <summary>
    /// A value safe to echo in a one-line error: control characters (newlines, ESC of terminal
    /// sequences, C1 controls), line and paragraph separators, bidirectional overrides and lone
    /// surrogates escaped as \\uXXXX; length capped at <paramref name="max"/> characters.
    /// </summary>
    public static string Printable(string? s, int max = 60)
    {
        if (s is null) return "";
        var b = new System.Text.StringBuilder(Math.Min(s.Length, max) + 8);
        int n = Math.Min(s.Length, max);
        for (int i = 0; i < n; i++)
        {
            char ch = s[i];
            bool pair = char.IsHighSurrogate(ch) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            if (pair) { b.Append(ch).Append(s[++i]); continue; }
            System.Globalization.UnicodeCategory cat = char.GetUnicodeCategory(ch);
            bool unsafeChar = char.IsControl(ch) || char.IsSurrogate(ch) || cat is System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator or System.Globalization.UnicodeCategory.Format;
            if (unsafeChar) b.Append("\\u").Append(((int)ch).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else b.Append(ch);
        }
        if (s.Length > n) b.Append('…');
        return b.ToString();
    }
}
