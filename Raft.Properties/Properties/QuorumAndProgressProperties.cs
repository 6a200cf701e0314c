using FsCheck;
using FsCheck.Fluent;
using Raft.Core.Tracking;
using Xunit.Abstractions;

namespace Raft.Properties.Properties;

/// <summary>Match indexes of a set of voters (printed for FsCheck).</summary>
public sealed record MatchesCase(long[] Matches)
{
    public override string ToString() => $"matches [{string.Join(", ", Matches)}]";
}

public enum ProgressOpKind { SentAppend, MaybeUpdate, MaybeDecreaseTo, BecomeProbe, BecomeReplicate, BecomeSnapshot }

/// <summary>One call on a <see cref="Progress"/>; A and B are its index arguments where it has any.</summary>
public sealed record ProgressOp(ProgressOpKind Kind, long A, long B)
{
    public override string ToString() => Kind switch
    {
        ProgressOpKind.SentAppend => $"SentAppend({A})",
        ProgressOpKind.MaybeUpdate => $"MaybeUpdate({A})",
        ProgressOpKind.MaybeDecreaseTo => $"MaybeDecreaseTo({A}, {B})",
        ProgressOpKind.BecomeSnapshot => $"BecomeSnapshot({A})",
        _ => $"{Kind}()",
    };
}

/// <summary>A progress started with Reset(LastIndex, Match) and then driven through the operations.</summary>
public sealed record ProgressCase(long LastIndex, bool Self, ProgressOp[] Ops)
{
    public override string ToString() => $"Reset({LastIndex}, {(Self ? LastIndex : 0)}); {string.Join("; ", Ops.Select(o => o.ToString()))}";
}

/// <summary>
/// Model-based properties of the leader's tracking (as etcd checks its quorum code against a
/// naive reference): <see cref="Quorum.CommittedIndex"/> against "the largest x such that a
/// majority of matches are ≥ x", <see cref="Quorum.Tally"/> against counting, and
/// <see cref="Progress"/> under any sequence of calls keeping Match &lt; Next with Match never
/// decreasing.
/// </summary>
public sealed class QuorumAndProgressProperties : IClassFixture<FsCheckKnobs<QuorumAndProgressProperties>>
{
    public QuorumAndProgressProperties(ITestOutputHelper output) => output.WriteLine(PropertyConfig.RerunHint(typeof(QuorumAndProgressProperties)));

    /// <summary>Voters, and how many granted and rejected a vote.</summary>
    public sealed record TallyCase(int Voters, int Granted, int Rejected);

    /// <summary>The generators and shrinkers of these properties, as FsCheck.Xunit's Arbitrary class.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<MatchesCase> Matches() => Arb.From(MatchArrays.Select(m => new MatchesCase(m)), ShrinkMatches);

        public static Arbitrary<ProgressCase> Progresses() => Arb.From(ProgressCases, ShrinkProgress);

        public static Arbitrary<TallyCase> Tallies() => Arb.From(
            from voters in Gen.Choose(1, 9)
            from granted in Gen.Choose(0, voters)
            from rejected in Gen.Choose(0, voters - granted)
            select new TallyCase(voters, granted, rejected));
    }

    /// <summary>The reference: the largest x (among 0 and the matches) held by at least a majority; 0 for no voters.</summary>
    private static long NaiveCommitted(long[] matches)
    {
        int majority = matches.Length / 2 + 1;
        long best = 0;
        foreach (long x in matches.Append(0))
            if (matches.Count(m => m >= x) >= majority && x > best) best = x;
        return best;
    }

    private static readonly Gen<long> MatchValue = Gen.Frequency(
        (6, Gen.Choose(0, 12).Select(i => (long)i)),
        (1, Gen.Elements(0L, 1L, long.MaxValue, long.MaxValue - 1, int.MaxValue)),
        (1, Gen.Choose(0, int.MaxValue).Select(i => (long)i * 3)));

    private static readonly Gen<long[]> MatchArrays = Gen.Frequency(
        (8, Gen.Choose(1, 9).SelectMany(n => Gen.ArrayOf(MatchValue, n))),
        (1, Gen.Constant(Array.Empty<long>())),
        (1, Gen.Choose(60, 70).SelectMany(n => Gen.ArrayOf(MatchValue, n)))); // past the stackalloc limit of 64

    private static IEnumerable<MatchesCase> ShrinkMatches(MatchesCase c)
    {
        long[] m = c.Matches;
        for (int i = 0; i < m.Length; i++) yield return new MatchesCase(m.Where((_, j) => j != i).ToArray());
        for (int i = 0; i < m.Length; i++)
            if (m[i] > 0) yield return new MatchesCase(m.Select((v, j) => j == i ? v / 2 : v).ToArray());
    }

    [RaftProperty(500, Arbitrary = [typeof(Arbitraries)])]
    public void CommittedIndex_IsTheLargestIndexAMajorityHolds(MatchesCase c)
    {
        long[] copy = (long[])c.Matches.Clone();
        long actual = Quorum.CommittedIndex(c.Matches);
        Assert.Equal(NaiveCommitted(copy), actual);
        Assert.Equal(copy, c.Matches); // the caller's matches are not reordered
    }

    [RaftProperty(200, Arbitrary = [typeof(Arbitraries)])]
    public void Tally_WinsWithAMajorityGranted_LosesWithAMajorityRejected(TallyCase c)
    {
        // naive: a majority is more than half of the voters
        bool won = 2 * c.Granted > c.Voters, lost = 2 * c.Rejected > c.Voters;
        Quorum.VoteOutcome expected = won ? Quorum.VoteOutcome.Won : lost ? Quorum.VoteOutcome.Lost : Quorum.VoteOutcome.Pending;
        Assert.Equal(expected, Quorum.Tally(c.Granted, c.Rejected, c.Voters));
    }

    private static readonly Gen<long> Index = Gen.Frequency((8, Gen.Choose(0, 25).Select(i => (long)i)), (1, Gen.Choose(26, 1000).Select(i => (long)i)));

    private static readonly Gen<ProgressOp> ProgressOpGen = Gen.Frequency(
        (3, Index.Select(a => new ProgressOp(ProgressOpKind.SentAppend, a, 0))),
        (3, Index.Select(a => new ProgressOp(ProgressOpKind.MaybeUpdate, a, 0))),
        (3, Gen.Zip(Index, Index, (a, b) => new ProgressOp(ProgressOpKind.MaybeDecreaseTo, a, b))),
        (1, Gen.Constant(new ProgressOp(ProgressOpKind.BecomeProbe, 0, 0))),
        (1, Gen.Constant(new ProgressOp(ProgressOpKind.BecomeReplicate, 0, 0))),
        (1, Index.Select(a => new ProgressOp(ProgressOpKind.BecomeSnapshot, a, 0))));

    private static readonly Gen<ProgressCase> ProgressCases =
        from last in Gen.Choose(0, 20)
        from self in Gen.Elements(false, true)
        from n in Gen.Choose(1, 40)
        from ops in Gen.ArrayOf(ProgressOpGen, n)
        select new ProgressCase(last, self, ops);

    private static IEnumerable<ProgressCase> ShrinkProgress(ProgressCase c)
    {
        for (int size = c.Ops.Length / 2; size >= 1; size /= 2)
            for (int start = 0; start + size <= c.Ops.Length; start += size)
                yield return c with { Ops = c.Ops.Take(start).Concat(c.Ops.Skip(start + size)).ToArray() };
        if (c.LastIndex > 0) yield return c with { LastIndex = c.LastIndex / 2 };
    }

    /// <summary>
    /// Finding (not a safety bug): in Replicate, <see cref="Progress.MaybeDecreaseTo"/> sets
    /// Next = max(Match+1, min(rejected, hint)) whenever rejected &gt; Match, so a rejection whose
    /// prevLogIndex is at or beyond Next (one sent before the last BecomeReplicate reset Next to
    /// Match+1) moves Next forward past entries never sent in this phase. Shrunk counterexample:
    /// Reset(0, 0); BecomeReplicate(); MaybeDecreaseTo(7, 9) takes Next from 1 to 7. etcd's
    /// MaybeDecrTo sets Next = Match+1 in Replicate instead. The node normally streams to
    /// LastIndex+1 right after BecomeReplicate, which makes this hard to reach; the AppendEntries
    /// consistency check then repairs it with one more round trip.
    /// </summary>
    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void Progress_ARejection_NeverMovesNextForward(ProgressCase c)
    {
        var pr = new Progress();
        pr.Reset(c.LastIndex, c.Self ? c.LastIndex : 0);
        foreach (ProgressOp op in c.Ops)
        {
            long next = pr.Next;
            switch (op.Kind)
            {
                case ProgressOpKind.SentAppend: pr.SentAppend(op.A); break;
                case ProgressOpKind.MaybeUpdate: pr.MaybeUpdate(op.A); break;
                case ProgressOpKind.MaybeDecreaseTo:
                    if (pr.MaybeDecreaseTo(op.A, op.B)) Assert.True(pr.Next <= next, $"{op} moved Next from {next} to {pr.Next}");
                    break;
                case ProgressOpKind.BecomeProbe: pr.BecomeProbe(); break;
                case ProgressOpKind.BecomeReplicate: pr.BecomeReplicate(); break;
                case ProgressOpKind.BecomeSnapshot: pr.BecomeSnapshot(op.A); break;
            }
        }
    }

    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void Progress_UnderAnyCalls_KeepsMatchBelowNext_AndMatchNeverDecreases(ProgressCase c)
    {
        var pr = new Progress();
        pr.Reset(c.LastIndex, c.Self ? c.LastIndex : 0);
        Assert.True(pr.Match < pr.Next, $"after Reset: {pr}");
        for (int k = 0; k < c.Ops.Length; k++)
        {
            ProgressOp op = c.Ops[k];
            long match = pr.Match, next = pr.Next;
            ProgressState state = pr.State;
            string before = pr.ToString();
            switch (op.Kind)
            {
                case ProgressOpKind.SentAppend:
                    pr.SentAppend(op.A);
                    break;
                case ProgressOpKind.MaybeUpdate:
                    bool grew = pr.MaybeUpdate(op.A);
                    Assert.True(grew == op.A > match, $"op {k} {op} on {before}: MaybeUpdate returned {grew}");
                    Assert.True(pr.Match == Math.Max(match, op.A), $"op {k} {op} on {before}: Match is {pr.Match}");
                    Assert.False(pr.ProbeSent, $"op {k} {op}: a reply must unpause a probe");
                    break;
                case ProgressOpKind.MaybeDecreaseTo:
                    bool moved = pr.MaybeDecreaseTo(op.A, op.B);
                    if (!moved) Assert.True(pr.Next == next && pr.State == state, $"op {k} {op} on {before}: a stale rejection changed {pr}");
                    // a rejection of an append that was sent (its prevLogIndex is below Next) never moves Next forward
                    else if (op.A < next) Assert.True(pr.Next <= next, $"op {k} {op} on {before}: a rejection moved Next forward to {pr.Next}");
                    break;
                case ProgressOpKind.BecomeProbe:
                    pr.BecomeProbe();
                    Assert.Equal(ProgressState.Probe, pr.State);
                    break;
                case ProgressOpKind.BecomeReplicate:
                    pr.BecomeReplicate();
                    Assert.True(pr.State == ProgressState.Replicate && pr.Next == pr.Match + 1, $"op {k} {op}: {pr}");
                    break;
                case ProgressOpKind.BecomeSnapshot:
                    pr.BecomeSnapshot(op.A);
                    Assert.True(pr.State == ProgressState.Snapshot && pr.PendingSnapshot == op.A && pr.IsPaused, $"op {k} {op}: {pr}");
                    break;
            }
            Assert.True(pr.Match < pr.Next, $"op {k} {op} on {before} broke Match < Next: {pr}");
            Assert.True(pr.Match >= match, $"op {k} {op} on {before} lowered Match from {match} to {pr.Match}");
            Assert.True(pr.IsPaused == (pr.State == ProgressState.Snapshot || (pr.State == ProgressState.Probe && pr.ProbeSent)), $"op {k} {op}: IsPaused wrong for {pr} (probeSent={pr.ProbeSent})");
        }
    }
}
