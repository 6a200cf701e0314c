namespace Raft.Core.Tracking;

/// <summary>Majority arithmetic for a fixed set of voters.</summary>
public static class Quorum
{
    /// <summary>The number of votes that make a majority of <paramref name="voters"/> (§5.2).</summary>
    public static int Majority(int voters) => voters / 2 + 1;

    /// <summary>
    /// The highest index stored on a majority: the (n/2+1)-th largest of <paramref name="matches"/>.
    /// </summary>
    public static long CommittedIndex(ReadOnlySpan<long> matches) => CommittedIndex(matches, Majority(matches.Length));

    /// <summary>
    /// The highest index stored on <paramref name="quorum"/> of the voters: the
    /// <paramref name="quorum"/>-th largest of <paramref name="matches"/>, that is the largest
    /// value that at least <paramref name="quorum"/> of them reach. Counted in place (n² comparisons
    /// for a handful of voters), so nothing is copied or allocated.
    /// </summary>
    public static long CommittedIndex(ReadOnlySpan<long> matches, int quorum)
    {
        int n = matches.Length;
        if (n == 0) return 0;
        int q = Math.Clamp(quorum, 1, n);
        long best = long.MinValue; // the smallest value is reached by all n >= q, so best is always set
        for (int i = 0; i < n; i++)
        {
            long v = matches[i];
            if (v <= best) continue;
            int reached = 0;
            for (int j = 0; j < n; j++)
                if (matches[j] >= v) reached++;
            if (reached >= q) best = v;
        }
        return best;
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
