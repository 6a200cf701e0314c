using Raft.Core.Determinism;
using Raft.Core.Tracking;

namespace Raft.Properties.Core;

/// <summary>Specifications of majority arithmetic (§5.2, §5.3) and of the leader's per-follower
/// replication state (Figure 2's nextIndex/matchIndex with probe, replicate and snapshot flow).</summary>
public sealed class ProgressAndQuorumTests
{
    // ---- Quorum ----

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(7, 4)]
    public void Majority_IsMoreThanHalfOfTheVoters_5_2(int voters, int majority) =>
        Assert.Equal(majority, Quorum.Majority(voters));

    [Theory]
    [InlineData(new long[] { 7 }, 7)]
    [InlineData(new long[] { 5, 3, 1 }, 3)]
    [InlineData(new long[] { 1, 5, 3 }, 3)]
    [InlineData(new long[] { 5, 5, 1 }, 5)]
    [InlineData(new long[] { 9, 7, 5, 3 }, 5)]      // 4 voters need 3 replicas
    [InlineData(new long[] { 9, 9, 1, 1 }, 1)]      // half is not a majority
    [InlineData(new long[] { 2, 10, 6, 8, 4 }, 6)]
    [InlineData(new long[] { 10, 10, 0, 0, 0 }, 0)]
    [InlineData(new long[] { 1, 7, 2, 6, 3, 5, 4 }, 4)]
    [InlineData(new long[] { 9, 9, 9, 0, 0, 0, 0 }, 0)]
    [InlineData(new long[] { 9, 9, 9, 9, 0, 0, 0 }, 9)]
    public void CommittedIndex_IsTheHighestIndexStoredOnAMajority_5_3(long[] matches, long expected)
    {
        long[] copy = (long[])matches.Clone();
        Assert.Equal(expected, Quorum.CommittedIndex(matches));
        Assert.Equal(copy, matches); // the caller's span is not reordered
    }

    [Fact]
    public void CommittedIndex_AgreesWithABruteForceMajorityCountOnRandomInputs()
    {
        var rng = new Rng(7);
        foreach (int n in new[] { 1, 2, 3, 4, 5, 6, 7, 9 })
        {
            for (int trial = 0; trial < 300; trial++)
            {
                var matches = new long[n];
                for (int i = 0; i < n; i++) matches[i] = rng.Next(0, 12);
                long expected = matches.Where(v => matches.Count(m => m >= v) >= Quorum.Majority(n)).DefaultIfEmpty(0).Max();
                Assert.Equal(expected, Quorum.CommittedIndex(matches));
            }
        }
        Assert.Equal(0, Quorum.CommittedIndex(ReadOnlySpan<long>.Empty));
    }

    [Theory]
    [InlineData(1, 1, 0, Quorum.VoteOutcome.Won)]
    [InlineData(1, 0, 0, Quorum.VoteOutcome.Pending)]
    [InlineData(3, 2, 0, Quorum.VoteOutcome.Won)]
    [InlineData(3, 1, 1, Quorum.VoteOutcome.Pending)]
    [InlineData(3, 1, 2, Quorum.VoteOutcome.Lost)]
    [InlineData(4, 2, 2, Quorum.VoteOutcome.Pending)]
    [InlineData(4, 2, 1, Quorum.VoteOutcome.Pending)]
    [InlineData(4, 3, 1, Quorum.VoteOutcome.Won)]
    [InlineData(4, 1, 3, Quorum.VoteOutcome.Lost)]
    [InlineData(5, 2, 2, Quorum.VoteOutcome.Pending)]
    [InlineData(5, 3, 0, Quorum.VoteOutcome.Won)]
    [InlineData(5, 2, 3, Quorum.VoteOutcome.Lost)]
    [InlineData(7, 3, 3, Quorum.VoteOutcome.Pending)]
    [InlineData(7, 4, 3, Quorum.VoteOutcome.Won)]
    public void Tally_CandidateWinsOnlyWithVotesFromAMajority_5_2(int voters, int granted, int rejected, Quorum.VoteOutcome expected) =>
        Assert.Equal(expected, Quorum.Tally(granted, rejected, voters));

    // ---- Progress ----

    private static Progress Fresh(long lastIndex, long match = 0)
    {
        var pr = new Progress();
        pr.Reset(lastIndex, match);
        return pr;
    }

    [Fact]
    public void Reset_InitialisesNextIndexToLeaderLastLogIndexPlusOne_Figure2()
    {
        Progress pr = Fresh(lastIndex: 9);
        Assert.Equal(10, pr.Next);
        Assert.Equal(0, pr.Match);
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.False(pr.IsPaused);
    }

    [Fact]
    public void Probe_PausesAfterOneAppendUntilAReplyArrives_5_3()
    {
        Progress pr = Fresh(9);
        pr.SentAppend(9);
        Assert.True(pr.ProbeSent);
        Assert.True(pr.IsPaused);
        Assert.Equal(10, pr.Next); // a probe does not advance Next optimistically
        Assert.True(pr.MaybeUpdate(9));
        Assert.False(pr.IsPaused);
        Assert.Equal(9, pr.Match);
        Assert.Equal(10, pr.Next);
    }

    [Fact]
    public void Probe_RejectionDecrementsNextIndexUsingTheHintAndUnpauses_5_3()
    {
        Progress pr = Fresh(9);
        pr.SentAppend(9);
        Assert.True(pr.MaybeDecreaseTo(rejected: 9, suggestedNext: 4));
        Assert.Equal(4, pr.Next);
        Assert.False(pr.IsPaused);

        // a hint above the rejected index is capped: Next must go down by at least one
        pr.SentAppend(3);
        Assert.True(pr.MaybeDecreaseTo(rejected: 3, suggestedNext: 50));
        Assert.Equal(3, pr.Next);
    }

    [Fact]
    public void Probe_StaleRejectionForAnEarlierPrevIndexIsIgnored()
    {
        Progress pr = Fresh(9);
        pr.SentAppend(9);
        Assert.True(pr.MaybeDecreaseTo(9, 5)); // Next = 5
        pr.SentAppend(4);
        Assert.False(pr.MaybeDecreaseTo(9, 1)); // a duplicate of the first rejection
        Assert.Equal(5, pr.Next);
        Assert.True(pr.IsPaused);
    }

    [Fact]
    public void Rejection_NeverMovesNextIndexToOrBelowMatchIndex()
    {
        Progress pr = Fresh(9);
        pr.MaybeUpdate(4);
        pr.BecomeProbe();
        Assert.Equal(5, pr.Next);
        pr.SentAppend(4);
        Assert.True(pr.MaybeDecreaseTo(4, 1));
        Assert.Equal(5, pr.Next);
        Assert.Equal(4, pr.Match);
    }

    [Fact]
    public void Replicate_StreamsOptimisticallyWithoutPausing_5_3()
    {
        Progress pr = Fresh(9);
        pr.MaybeUpdate(9);
        pr.BecomeReplicate();
        Assert.Equal(ProgressState.Replicate, pr.State);
        Assert.Equal(10, pr.Next);
        pr.SentAppend(12);
        pr.SentAppend(15);
        Assert.Equal(16, pr.Next);
        Assert.False(pr.IsPaused);
        Assert.Equal(9, pr.Match);
    }

    [Fact]
    public void Replicate_StaleRejectionAtOrBelowMatchIsIgnored()
    {
        Progress pr = Fresh(9);
        pr.MaybeUpdate(9);
        pr.BecomeReplicate();
        pr.SentAppend(15);
        Assert.False(pr.MaybeDecreaseTo(rejected: 7, suggestedNext: 2));
        Assert.False(pr.MaybeDecreaseTo(rejected: 9, suggestedNext: 2));
        Assert.Equal(16, pr.Next);
        Assert.Equal(ProgressState.Replicate, pr.State);
    }

    [Fact]
    public void Replicate_RealRejectionRewindsNextAndProbeRestartsAfterMatch()
    {
        Progress pr = Fresh(9);
        pr.MaybeUpdate(9);
        pr.BecomeReplicate();
        pr.SentAppend(15);
        Assert.True(pr.MaybeDecreaseTo(rejected: 12, suggestedNext: 11));
        Assert.Equal(11, pr.Next);
        pr.BecomeProbe();
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(10, pr.Next);
        Assert.False(pr.IsPaused);
    }

    [Fact]
    public void StaleSuccessReplyDoesNotLowerMatchOrNext()
    {
        Progress pr = Fresh(9);
        pr.MaybeUpdate(9);
        pr.BecomeReplicate();
        pr.SentAppend(12);
        Assert.False(pr.MaybeUpdate(5));
        Assert.Equal(9, pr.Match);
        Assert.Equal(13, pr.Next);
        Assert.True(pr.MaybeUpdate(12));
        Assert.Equal(12, pr.Match);
        Assert.Equal(13, pr.Next);
    }

    [Fact]
    public void Snapshot_PausesAppendsUntilTheSnapshotIsAcknowledged_7()
    {
        Progress pr = Fresh(20);
        pr.MaybeUpdate(2);
        pr.BecomeSnapshot(15);
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(15, pr.PendingSnapshot);
        Assert.True(pr.IsPaused);
        long next = pr.Next;
        pr.SentAppend(30);
        Assert.Equal(next, pr.Next);
        Assert.True(pr.IsPaused);
    }

    [Fact]
    public void Snapshot_ToProbeResumesAfterThePendingSnapshot_7()
    {
        Progress pr = Fresh(20);
        pr.MaybeUpdate(2);
        pr.BecomeSnapshot(15);
        pr.BecomeProbe();
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(16, pr.Next);
        Assert.Equal(0, pr.PendingSnapshot);
        Assert.False(pr.IsPaused);
    }

    [Fact]
    public void Snapshot_AcknowledgedThenReplicateContinuesAfterTheSnapshot_7()
    {
        Progress pr = Fresh(20);
        pr.BecomeSnapshot(15);
        Assert.True(pr.MaybeUpdate(15));
        pr.BecomeReplicate();
        Assert.Equal(ProgressState.Replicate, pr.State);
        Assert.Equal(15, pr.Match);
        Assert.Equal(16, pr.Next);
        Assert.Equal(0, pr.PendingSnapshot);
        Assert.False(pr.IsPaused);
    }
}
