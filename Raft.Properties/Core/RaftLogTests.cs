using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Properties.Core;

/// <summary>Specifications of <see cref="RaftLog"/>: Figure 2's AppendEntries receiver rules, the
/// fast-backup hint, compaction and snapshot installation (§7), and persistence bookkeeping.</summary>
public sealed class RaftLogTests
{
    private static int s_next;

    /// <summary>An entry of <paramref name="term"/> whose command is unique, so identity can be checked.</summary>
    private static Entry E(long term) => new(term, BitConverter.GetBytes(Interlocked.Increment(ref s_next)));

    private static Entry[] Es(params long[] terms) => terms.Select(E).ToArray();

    /// <summary>A log holding entries 1..n of the given terms, all durable (as if loaded from disk).</summary>
    private static RaftLog LogOf(params long[] terms) => new(0, 0, Es(terms));

    private static long[] Terms(RaftLog log) =>
        Enumerable.Range((int)log.FirstIndex, log.Count).Select(i => log.TermAt(i)).ToArray();

    // ---- MaybeAppend: Figure 2, AppendEntries receiver steps 2-5 ----

    [Fact]
    public void AppendEntries_RejectedWhenLogHasNoEntryAtPrevLogIndexWithPrevLogTerm_Figure2Step2()
    {
        RaftLog log = LogOf(1, 1, 2);
        Assert.False(log.MaybeAppend(3, 1, Es(3), 0, out long lastNew));
        Assert.Equal(0, lastNew);
        Assert.Equal(new long[] { 1, 1, 2 }, Terms(log));
        Assert.Equal(long.MaxValue, log.DirtyFrom);
    }

    [Fact]
    public void AppendEntries_RejectedWhenPrevLogIndexIsBeyondTheEndOfTheLog_Figure2Step2()
    {
        RaftLog log = LogOf(1, 1);
        Assert.False(log.MaybeAppend(3, 1, Es(1), 3, out _));
        Assert.Equal(2, log.LastIndex);
        Assert.Equal(0, log.Committed);
    }

    [Fact]
    public void AppendEntries_AppendsNewEntriesAfterAMatchingPrevEntry_Figure2Step4()
    {
        RaftLog log = LogOf(1, 1);
        Entry[] incoming = Es(2, 2);
        Assert.True(log.MaybeAppend(2, 1, incoming, 0, out long lastNew));
        Assert.Equal(4, lastNew);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, Terms(log));
        Assert.Same(incoming[0].Command, log.At(3).Command);
        Assert.Same(incoming[1].Command, log.At(4).Command);
    }

    [Fact]
    public void AppendEntries_DeletesConflictingEntryAndAllThatFollow_Figure2Step3()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 2);
        Entry[] incoming = Es(1, 3);
        Assert.True(log.MaybeAppend(1, 1, incoming, 0, out long lastNew));
        Assert.Equal(3, lastNew);
        // index 2 matches (term 1), index 3 conflicts (2 vs 3): 3, 4 and 5 are gone
        Assert.Equal(new long[] { 1, 1, 3 }, Terms(log));
        Assert.Same(incoming[1].Command, log.At(3).Command);
        Assert.Equal(3, log.DirtyFrom);
    }

    [Fact]
    public void AppendEntries_StaleShorterRequestDoesNotTruncateLaterMatchingEntries_Figure2Step3()
    {
        RaftLog log = LogOf(1, 1, 1, 2, 2);
        byte[] fourth = log.At(4).Command;
        // A delayed AppendEntries that carries only a prefix of what we already hold.
        Assert.True(log.MaybeAppend(1, 1, Es(1, 1), 0, out long lastNew));
        Assert.Equal(3, lastNew);
        Assert.Equal(new long[] { 1, 1, 1, 2, 2 }, Terms(log));
        Assert.Same(fourth, log.At(4).Command);
        Assert.Equal(long.MaxValue, log.DirtyFrom); // nothing was rewritten
    }

    [Fact]
    public void AppendEntries_CommitIndexBecomesMinOfLeaderCommitAndIndexOfLastNewEntry_Figure2Step5()
    {
        RaftLog log = LogOf(1, 1, 1, 2, 2);
        Assert.True(log.MaybeAppend(1, 1, Es(1, 1), leaderCommit: 5, out long lastNew));
        Assert.Equal(3, lastNew);
        Assert.Equal(3, log.Committed); // not 5: entries 4-5 were not vouched for by this request

        RaftLog other = LogOf(1, 1, 1, 2, 2);
        Assert.True(other.MaybeAppend(1, 1, Es(1, 1), leaderCommit: 2, out _));
        Assert.Equal(2, other.Committed);
    }

    [Fact]
    public void AppendEntries_HeartbeatCommitsUpToPrevLogIndexOnly_Figure2Step5()
    {
        RaftLog log = LogOf(1, 1, 1, 1);
        Assert.True(log.MaybeAppend(2, 1, ReadOnlySpan<Entry>.Empty, leaderCommit: 4, out long lastNew));
        Assert.Equal(2, lastNew);
        Assert.Equal(2, log.Committed);
    }

    [Fact]
    public void AppendEntries_CommitIndexNeverDecreases_Figure2()
    {
        RaftLog log = LogOf(1, 1, 1);
        Assert.True(log.MaybeAppend(3, 1, ReadOnlySpan<Entry>.Empty, 3, out _));
        Assert.Equal(3, log.Committed);
        Assert.True(log.MaybeAppend(1, 1, ReadOnlySpan<Entry>.Empty, 1, out _));
        Assert.Equal(3, log.Committed);
    }

    [Fact]
    public void AppendEntries_PrevAtSnapshotBoundaryMatchesSnapshotTerm_7()
    {
        var log = new RaftLog(snapshotIndex: 5, snapshotTerm: 2, Es(2, 3));
        Assert.False(log.MaybeAppend(5, 1, Es(3), 0, out _));
        Assert.True(log.MaybeAppend(5, 2, Es(2, 4), 7, out long lastNew));
        Assert.Equal(7, lastNew);
        Assert.Equal(new long[] { 2, 4 }, Terms(log));
        Assert.Equal(7, log.Committed);
    }

    [Fact]
    public void CommitTo_BeyondLastIndexThrows()
    {
        RaftLog log = LogOf(1, 1);
        Assert.Throws<InvalidOperationException>(() => log.CommitTo(3));
        log.CommitTo(2);
        log.CommitTo(1);
        Assert.Equal(2, log.Committed);
    }

    // ---- ConflictHint (fast backup) ----

    [Fact]
    public void ConflictHint_LogTooShort_ReportsLengthPlusOneAndTermZero()
    {
        RaftLog log = LogOf(1, 1, 2);
        Assert.Equal((4L, 0L), log.ConflictHint(7));
    }

    [Fact]
    public void ConflictHint_ReportsTermAtPrevIndexAndFirstIndexOfThatTerm()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 2, 3);
        Assert.Equal((3L, 2L), log.ConflictHint(5));
        Assert.Equal((3L, 2L), log.ConflictHint(3));
        Assert.Equal((6L, 3L), log.ConflictHint(6));
        Assert.Equal((1L, 1L), log.ConflictHint(2));
    }

    [Fact]
    public void ConflictHint_StopsAtTheFirstRetainedEntryAfterASnapshot_7()
    {
        var log = new RaftLog(snapshotIndex: 2, snapshotTerm: 2, Es(2, 2, 2));
        Assert.Equal((3L, 2L), log.ConflictHint(5));
    }

    // ---- LastIndexOfTerm ----

    [Fact]
    public void LastIndexOfTerm_FindsTheLastEntryOfEachTermAndZeroForAbsentTerms()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 2, 3, 5);
        Assert.Equal(2, log.LastIndexOfTerm(1));
        Assert.Equal(5, log.LastIndexOfTerm(2));
        Assert.Equal(6, log.LastIndexOfTerm(3));
        Assert.Equal(0, log.LastIndexOfTerm(4));
        Assert.Equal(7, log.LastIndexOfTerm(5));
        Assert.Equal(0, log.LastIndexOfTerm(6));
        Assert.Equal(0, new RaftLog().LastIndexOfTerm(1));
    }

    [Fact]
    public void LastIndexOfTerm_AgreesWithALinearScanOnRandomLogs()
    {
        var rng = new Raft.Core.Determinism.Rng(42);
        for (int trial = 0; trial < 200; trial++)
        {
            var terms = new List<long>();
            long t = 1;
            int n = rng.Next(0, 30);
            for (int i = 0; i < n; i++) { t += rng.Next(0, 3); terms.Add(t); }
            RaftLog log = LogOf(terms.ToArray());
            for (long q = 0; q <= t + 1; q++)
            {
                int last = terms.LastIndexOf(q);
                Assert.Equal(last < 0 ? 0 : last + 1, log.LastIndexOfTerm(q));
            }
        }
    }

    [Fact]
    public void LastIndexOfTerm_UsesTheSnapshotTermWhenNoRetainedEntryHasIt_7()
    {
        var log = new RaftLog(snapshotIndex: 4, snapshotTerm: 2, Es(3, 3));
        Assert.Equal(4, log.LastIndexOfTerm(2));
        Assert.Equal(6, log.LastIndexOfTerm(3));
        Assert.Equal(0, log.LastIndexOfTerm(1));

        var sameTerm = new RaftLog(snapshotIndex: 4, snapshotTerm: 3, Es(3, 3));
        Assert.Equal(6, sameTerm.LastIndexOfTerm(3));
    }

    // ---- CompactTo (§7) ----

    [Fact]
    public void CompactTo_DiscardsPrefixAndKeepsLastIncludedIndexAndTerm_7()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 3);
        byte[] fourth = log.At(4).Command;
        log.CompactTo(3);
        Assert.Equal(3, log.SnapshotIndex);
        Assert.Equal(2, log.SnapshotTerm);
        Assert.Equal(4, log.FirstIndex);
        Assert.Equal(5, log.LastIndex);
        Assert.Equal(2, log.Count);
        Assert.Same(fourth, log.At(4).Command);
        Assert.Equal(3, log.TermAt(5));
        Assert.True(log.TryTerm(3, out long t3) && t3 == 2);
        Assert.False(log.TryTerm(2, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.At(3));
        Assert.Equal(3, log.Committed);
    }

    [Fact]
    public void CompactTo_AtOrBelowSnapshotIsANoOpAndBeyondLastThrows_7()
    {
        RaftLog log = LogOf(1, 2, 3);
        log.CompactTo(2);
        log.CompactTo(1);
        Assert.Equal(2, log.SnapshotIndex);
        Assert.Equal(2, log.SnapshotTerm);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.CompactTo(4));
    }

    [Fact]
    public void CompactTo_WholeLogLeavesOnlyTheSnapshotAndAppendsContinueAfterIt_7()
    {
        RaftLog log = LogOf(1, 2, 3);
        log.CompactTo(3);
        Assert.Equal(0, log.Count);
        Assert.Equal(3, log.LastIndex);
        Assert.Equal(3, log.LastTerm);
        Assert.Equal(4, log.Append(E(4)));
        Assert.Equal(4, log.TermAt(4));
    }

    [Fact]
    public void CompactTo_MovesDirtyFromPastTheSnapshot()
    {
        var log = new RaftLog();
        for (int i = 0; i < 5; i++) log.Append(E(1));
        Assert.Equal(1, log.DirtyFrom);
        log.CompactTo(3);
        Assert.Equal(4, log.DirtyFrom);

        RaftLog stable = LogOf(1, 1, 1);
        stable.CompactTo(2);
        Assert.Equal(long.MaxValue, stable.DirtyFrom);
    }

    // ---- RestoreSnapshot (Figure 13, receiver steps 6-7) ----

    [Fact]
    public void InstallSnapshot_RetainsEntriesFollowingAMatchingSnapshotEntry_Figure13Step6()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 3);
        byte[] fifth = log.At(5).Command;
        log.RestoreSnapshot(3, 2);
        Assert.Equal(3, log.SnapshotIndex);
        Assert.Equal(2, log.SnapshotTerm);
        Assert.Equal(5, log.LastIndex);
        Assert.Same(fifth, log.At(5).Command);
        Assert.Equal(3, log.Committed);
        Assert.Equal(long.MaxValue, log.DirtyFrom); // the retained suffix is already durable
    }

    [Fact]
    public void InstallSnapshot_DiscardsTheWholeLogWhenTheSnapshotEntryDoesNotMatch_Figure13Step7()
    {
        RaftLog log = LogOf(1, 1, 2, 2, 3);
        log.RestoreSnapshot(3, 3);
        Assert.Equal(0, log.Count);
        Assert.Equal(3, log.SnapshotIndex);
        Assert.Equal(3, log.LastIndex);
        Assert.Equal(3, log.LastTerm);
        Assert.Equal(3, log.Committed);
        Assert.Equal(4, log.DirtyFrom); // the disk must drop entries 4 and 5
    }

    [Fact]
    public void InstallSnapshot_BeyondTheEndOfTheLogDiscardsEverything_Figure13Step7()
    {
        RaftLog log = LogOf(1, 1);
        log.RestoreSnapshot(10, 4);
        Assert.Equal(10, log.LastIndex);
        Assert.Equal(4, log.LastTerm);
        Assert.Equal(0, log.Count);
        Assert.Equal(10, log.Committed);
        Assert.Equal(11, log.Append(E(4)));
    }

    // ---- DirtyFrom bookkeeping ----

    [Fact]
    public void DirtyFrom_TracksTheLowestIndexChangedSinceTheLastPersist()
    {
        RaftLog log = LogOf(1, 1);
        Assert.Equal(long.MaxValue, log.DirtyFrom);
        log.Append(E(2));
        log.Append(E(2));
        Assert.Equal(3, log.DirtyFrom);
        log.MarkStable();
        Assert.Equal(long.MaxValue, log.DirtyFrom);

        Assert.True(log.MaybeAppend(4, 2, Es(2), 0, out _));
        Assert.Equal(5, log.DirtyFrom);
        Assert.True(log.MaybeAppend(1, 1, Es(3), 0, out _)); // conflict at 2 truncates
        Assert.Equal(2, log.DirtyFrom);
        log.MarkStable();
        Assert.True(log.MaybeAppend(1, 1, Es(3), 0, out _)); // identical replay changes nothing
        Assert.Equal(long.MaxValue, log.DirtyFrom);
    }

    // ---- IsUpToDate (§5.4.1) ----

    [Theory]
    [InlineData(3, 3, true)]   // higher last term wins even with a shorter log
    [InlineData(5, 2, true)]   // same last term, same length
    [InlineData(6, 2, true)]   // same last term, longer
    [InlineData(4, 2, false)]  // same last term, shorter
    [InlineData(10, 1, false)] // longer but lower last term
    [InlineData(0, 0, false)]
    public void IsUpToDate_ComparesLastTermThenLength_5_4_1(long lastIndex, long lastTerm, bool expected)
    {
        RaftLog log = LogOf(1, 1, 2, 2, 2);
        Assert.Equal(expected, log.IsUpToDate(lastIndex, lastTerm));
    }

    [Fact]
    public void IsUpToDate_UsesTheSnapshotTermWhenTheLogIsCompacted_5_4_1()
    {
        var log = new RaftLog(snapshotIndex: 7, snapshotTerm: 3);
        Assert.False(log.IsUpToDate(9, 2));
        Assert.False(log.IsUpToDate(6, 3));
        Assert.True(log.IsUpToDate(7, 3));
        Assert.True(new RaftLog().IsUpToDate(0, 0));
    }

    // ---- Slice ----

    [Fact]
    public void Slice_IsBoundedByCountAndBytesButCarriesAtLeastOneEntry()
    {
        var log = new RaftLog();
        for (int i = 0; i < 10; i++) log.Append(new Entry(1, new byte[100]));
        Assert.Equal(4, log.Slice(3, 4, long.MaxValue).Length);
        Assert.Equal(2, log.Slice(1, 100, 2 * 108).Length);
        Assert.Single(log.Slice(1, 100, 1));
        Assert.Empty(log.Slice(11, 100, long.MaxValue));
        Assert.Equal(3, log.Slice(8, 100, long.MaxValue).Length);
    }
}
