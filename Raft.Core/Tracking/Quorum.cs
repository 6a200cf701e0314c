namespace Raft.Core.Tracking;

/// <summary>Majority arithmetic for a fixed set of voters.</summary>
public static class Quorum
{
    /// <summary>The number of votes that make a majority of <paramref name="voters"/> (§5.2).</summary>
    public static int Majority(int voters) => voters / 2 + 1;

    /// <summary>
    /// The highest index stored on a majority: the (n/2+1)-th largest of <paramref name="matches"/>.
    /// Sorts a stack copy, so the caller's span is untouched and nothing is allocated.
    /// </summary>
    public static long CommittedIndex(ReadOnlySpan<long> matches) => CommittedIndex(matches, Majority(matches.Length));

    /// <summary>
    /// The highest index stored on <paramref name="quorum"/> of the voters: the
    /// <paramref name="quorum"/>-th largest of <paramref name="matches"/>.
    /// </summary>
    public static long CommittedIndex(ReadOnlySpan<long> matches, int quorum)
    {
        int n = matches.Length;
        if (n == 0) return 0;
        Span<long> sorted = n <= 64 ? stackalloc long[n] : new long[n];
        matches.CopyTo(sorted);
        // insertion sort, descending: n is a handful of voters
        for (int i = 1; i < n; i++)
        {
            long v = sorted[i];
            int j = i - 1;
            while (j >= 0 && sorted[j] < v) { sorted[j + 1] = sorted[j]; j--; }
            sorted[j + 1] = v;
        }
        return sorted[Math.Clamp(quorum, 1, n) - 1];
    }

    public enum VoteOutcome { Pending, Won, Lost }

    /// <summary>The outcome of an election with the given granted and rejected counts.</summary>
    public static VoteOutcome Tally(int granted, int rejected, int voters) => TallyWithQuorum(granted, rejected, Majority(voters));

    /// <summary>The outcome of an election that needs <paramref name="quorum"/> votes to be won (or rejections to be lost).</summary>
    public static VoteOutcome TallyWithQuorum(int granted, int rejected, int quorum)
    {
        int q = quorum;
        if (granted >= q) return VoteOutcome.Won;
        if (rejected >= q) return VoteOutcome.Lost;
        return VoteOutcome.Pending;
    }
}
