using Raft.Model.Histories;
using static Raft.Model.Histories.Operation;

namespace Raft.Properties.Histories;

/// <summary>The linearizability checker on hand-written key-value histories (docs/linearizability.md).</summary>
public sealed class CheckerTests
{
    private static CheckResult Check(params Operation[] ops) => LinearizabilityChecker.Check(new History(ops));

    private static void Linearizable(params Operation[] ops)
    {
        CheckResult r = Check(ops);
        Assert.True(r.Verdict == Verdict.Linearizable, r.Text());
        Assert.True(BruteForce.IsLinearizable(r.History), "the brute force disagrees");
        foreach (KeyVerdict k in r.Keys)
            Assert.Null(BruteForce.OrderProblem(r.History, r.History.IndicesOf(k.Key).Where(i => !(r.History[i].Kind == OpKind.Get && r.History[i].Status == OpStatus.Ambiguous)).ToArray(), k.Order));
    }

    private static CheckResult NotLinearizable(params Operation[] ops)
    {
        CheckResult r = Check(ops);
        Assert.True(r.Verdict == Verdict.NotLinearizable, r.Text());
        Assert.False(BruteForce.IsLinearizable(r.History), "the brute force disagrees");
        Assert.NotNull(r.Failure);
        return r;
    }

    [Fact]
    public void AStaleReadAfterACompletedWrite_IsNotLinearizable_AndBothOperationsAreTheConflict()
    {
        CheckResult r = NotLinearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "", 20, 30));
        Assert.Equal("x", r.Failure!.Key);
        Assert.Equal([0, 1], r.Failure.SubHistory);
        Assert.True(r.Failure.OneMinimal);
        // the Put alone is linearizable; the Get that follows it cannot be
        Assert.Equal(1, r.Failure.Prefix.Length);
        Assert.Equal([0], r.Failure.Prefix.Order);
        Assert.Equal(1, r.Failure.Prefix.NextOperation);
        Assert.Equal(20, r.Failure.Prefix.CutTime);
        Assert.StartsWith("NOT linearizable: key x", r.Headline());
    }

    [Fact]
    public void AReadOverlappingAWrite_MaySeeEitherValue()
    {
        Linearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "", 5, 15));
        Linearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "1", 5, 15));
        Linearizable(Get(2, "x", "1", 0, 20), Put(1, "x", "1", 5, 10)); // invoked before the write, answered after
        NotLinearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "2", 5, 15));
    }

    [Fact]
    public void OperationsThatOnlyTouch_AreConcurrent()
    {
        // the Put responds at 10 and the Get is invoked at 10: neither precedes the other
        Linearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "", 10, 20));
        NotLinearizable(Put(1, "x", "1", 0, 10), Get(2, "x", "", 11, 20));
    }

    [Fact]
    public void TwoConcurrentWrites_MayBeOrderedEitherWay_ButReadersMustAgree()
    {
        Linearizable(Put(1, "x", "a", 0, 10), Put(2, "x", "b", 0, 10), Get(3, "x", "a", 20, 30));
        Linearizable(Put(1, "x", "a", 0, 10), Put(2, "x", "b", 0, 10), Get(3, "x", "b", 20, 30));
        // one reader sees b after a, the next a after b: no single order
        CheckResult r = NotLinearizable(Put(1, "x", "a", 0, 10), Put(2, "x", "b", 0, 10), Get(3, "x", "b", 20, 30), Get(3, "x", "a", 40, 50));
        Assert.Equal([0, 1, 2, 3], r.Failure!.SubHistory); // each write explains a read: none may go, and neither read alone fails
    }

    [Fact]
    public void ATimedOutPut_MayBeSeenOrNot_ButOnceSeenItStays()
    {
        Linearizable(TimedOut(1, "x", OpKind.Put, "1", 0), Get(2, "x", "1", 10, 20));
        Linearizable(TimedOut(1, "x", OpKind.Put, "1", 0), Get(2, "x", "", 10, 20));
        Linearizable(TimedOut(1, "x", OpKind.Put, "1", 0), Get(2, "x", "", 10, 20), Get(2, "x", "1", 30, 40));
        CheckResult r = NotLinearizable(TimedOut(1, "x", OpKind.Put, "1", 0), Get(2, "x", "1", 10, 20), Get(2, "x", "", 30, 40));
        Assert.Equal([0, 1, 2], r.Failure!.SubHistory); // the Put explains the first read: it stays
        // but a timed-out Put cannot take effect before it was sent
        NotLinearizable(Get(2, "x", "1", 0, 5), TimedOut(1, "x", OpKind.Put, "1", 10));
    }

    [Fact]
    public void ATimedOutGet_ConstrainsNothing()
    {
        Linearizable(Put(1, "x", "1", 0, 10), TimedOut(2, "x", OpKind.Get, "", 20), Get(3, "x", "1", 30, 40));
        CheckResult r = Check(TimedOut(2, "x", OpKind.Get, "", 20));
        Assert.Equal(Verdict.Linearizable, r.Verdict);
        Assert.Empty(r.Keys[0].Order);
    }

    [Fact]
    public void DuplicateAppends_BothCount()
    {
        Linearizable(Append(1, "x", "a", 0, 10), Append(2, "x", "a", 0, 10), Get(3, "x", "aa", 20, 30));
        CheckResult r = NotLinearizable(Append(1, "x", "a", 0, 10), Append(2, "x", "a", 0, 10), Get(3, "x", "a", 20, 30));
        Assert.True(r.Failure!.OneMinimal);
        Assert.Equal([0, 1, 2], r.Failure.SubHistory);
        // a timed-out duplicate (a retried request whose first copy may or may not have landed) is fine either way
        Linearizable(Append(1, "x", "a", 0, 10), TimedOut(2, "x", OpKind.Append, "a", 0), Get(3, "x", "a", 20, 30));
        Linearizable(Append(1, "x", "a", 0, 10), TimedOut(2, "x", OpKind.Append, "a", 0), Get(3, "x", "aa", 20, 30));
        NotLinearizable(Append(1, "x", "a", 0, 10), TimedOut(2, "x", OpKind.Append, "a", 0), Get(3, "x", "aaa", 20, 30));
    }

    [Fact]
    public void AppendsConcatenateInTheirOrder()
    {
        Linearizable(Put(1, "x", "p", 0, 5), Append(1, "x", "a", 10, 20), Append(2, "x", "b", 10, 20), Get(3, "x", "pba", 30, 40));
        NotLinearizable(Append(1, "x", "a", 0, 5), Append(2, "x", "b", 10, 20), Get(3, "x", "ba", 30, 40));
    }

    [Fact]
    public void AGetOfAMissingKey_ReturnsTheEmptyString()
    {
        Linearizable(Get(1, "y", "", 0, 10));
        Linearizable(Put(1, "x", "1", 0, 10), Get(1, "y", "", 20, 30));
        NotLinearizable(Get(1, "y", "1", 0, 10));
    }

    [Fact]
    public void KeysAreCheckedApart_AndTheFailingOneIsNamed()
    {
        CheckResult r = NotLinearizable(
            Put(1, "a", "1", 0, 10), Get(2, "a", "1", 20, 30),
            Put(1, "b", "1", 0, 10), Get(2, "b", "", 20, 30),
            Put(1, "c", "1", 0, 10), Get(2, "c", "0", 20, 30));
        Assert.Equal(["a", "b", "c"], r.Keys.Select(k => k.Key));
        Assert.Equal([Verdict.Linearizable, Verdict.NotLinearizable, Verdict.NotLinearizable], r.Keys.Select(k => k.Verdict));
        Assert.Equal("b", r.Failure!.Key); // the first failing key in ordinal order
        Assert.Equal([2, 3], r.Failure.SubHistory);
    }

    [Fact]
    public void AnEmptyHistory_IsLinearizable()
    {
        CheckResult r = LinearizabilityChecker.Check(new History([]));
        Assert.Equal(Verdict.Linearizable, r.Verdict);
        Assert.Empty(r.Keys);
        Assert.Equal("linearizable: 0 operations on 0 keys, 0 search steps", r.Headline());
    }

    /// <summary>Many concurrent Appends and a read of a value none of their orders makes: every order must be tried.</summary>
    internal static History Pathological(int appends)
    {
        var ops = Enumerable.Range(0, appends).Select(i => Append(i, "x", ((char)('a' + i)).ToString(), 0, 100)).ToList();
        ops.Add(Get(appends, "x", "never", 0, 100));
        ops.Add(Get(appends, "x", "", 200, 210));
        return new History(ops);
    }

    [Fact]
    public void TheBudget_EndsAPathologicalSearchInUnknown_AfterExactlyItsSteps()
    {
        var options = new CheckOptions { MaxStepsPerKey = 100_000 };
        CheckResult r = LinearizabilityChecker.Check(Pathological(16), options);
        Assert.Equal(Verdict.Unknown, r.Verdict);
        Assert.Equal(100_000, r.Steps);
        Assert.Null(r.Failure);
        Assert.StartsWith("unknown: key x ran out of its budget of search steps", r.Headline());
        Assert.Contains("raise CheckOptions.MaxStepsPerKey", r.Headline());
        // a key that does fail still wins over an unknown one
        var withBad = new History(Pathological(16).Operations.Concat([Put(1, "y", "1", 0, 10), Get(1, "y", "2", 20, 30)]));
        CheckResult both = LinearizabilityChecker.Check(withBad, options);
        Assert.Equal(Verdict.NotLinearizable, both.Verdict);
        Assert.Equal("y", both.Failure!.Key);
    }

    [Fact]
    public void TheBudget_IsEnoughForTheSmallPathologicalCase()
    {
        CheckResult r = LinearizabilityChecker.Check(Pathological(6));
        Assert.Equal(Verdict.NotLinearizable, r.Verdict);
        // the read of a value nobody wrote is the whole conflict
        Assert.Equal([6], r.Failure!.SubHistory);
        Assert.True(r.Failure.OneMinimal);
    }

    [Fact]
    public void TheFailureReport_OnALongHistoryWithOneBadRead_IsSmallMinimalAndChecked()
    {
        History good = SyntheticHistory.Generate(new SyntheticHistoryOptions { Operations = 400, Keys = 3, Clients = 5, AmbiguousPercent = 3, Seed = 7 });
        Assert.Equal(Verdict.Linearizable, LinearizabilityChecker.Check(good).Verdict);
        // a Get late in the history returns a value that was never written
        int bad = Enumerable.Range(0, good.Count).Last(i => good[i].Kind == OpKind.Get && good[i].Status == OpStatus.Completed && i < 300);
        History h = new(good.Operations.Select((op, i) => i == bad ? op with { Output = op.Output + "?" } : op));
        CheckResult r = LinearizabilityChecker.Check(h);
        Assert.Equal(Verdict.NotLinearizable, r.Verdict);
        FailureReport f = r.Failure!;
        Assert.Equal(h[bad].Key, f.Key);
        Assert.Equal([bad], f.SubHistory); // alone it already reads a value nobody wrote
        Assert.True(f.OneMinimal);
        Assert.Equal(Verdict.NotLinearizable, LinearizabilityChecker.CheckOperations(h, f.SubHistory, 1_000_000));
        // the prefix runs until the last invocation at or before the bad read's response: up to
        // then the read had not answered (it counts as timed out); one more operation and it has
        int next = f.Prefix.NextOperation!.Value;
        Assert.Equal(h.IndicesOf(f.Key).Where(i => h[i].Invoke <= h[bad].Response).OrderBy(i => h[i].Invoke).ThenBy(i => i).Last(), next);
        Assert.Equal(h[next].Invoke, f.Prefix.CutTime);
        History cut = BruteForce.Cut(h, f.Prefix.CutTime!.Value);
        Assert.Null(BruteForce.OrderProblem(cut, f.Prefix.Operations.Where(i => !(cut[i].Kind == OpKind.Get && cut[i].Status == OpStatus.Ambiguous)).ToArray(), f.Prefix.Order));
        string text = r.Text();
        Assert.Contains("smallest-by-deletion non-linearizable sub-history (1 operations; dropping any one", text);
        Assert.Contains("longest linearizable prefix: " + f.Prefix.Length, text);
    }

    [Fact]
    public void TheResult_IsTheSameEveryTime()
    {
        History h = SyntheticHistory.Generate(new SyntheticHistoryOptions { Operations = 300, Keys = 2, Clients = 4, Seed = 3 });
        History bad = new(h.Operations.Select((op, i) => i == 150 && op.Kind == OpKind.Get ? op with { Output = "" } : op));
        Assert.Equal(LinearizabilityChecker.Check(h).Text(), LinearizabilityChecker.Check(h).Text());
        Assert.Equal(LinearizabilityChecker.Check(bad).Text(), LinearizabilityChecker.Check(bad).Text());
    }

    [Fact]
    public void SyntheticHistories_AreLinearizable_AndDeterministic()
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var o = new SyntheticHistoryOptions { Operations = 2_000, Keys = 4, Clients = 8, AmbiguousPercent = 2, Seed = seed };
            History h = SyntheticHistory.Generate(o);
            Assert.Equal(h.Text(), SyntheticHistory.Generate(o).Text());
            Assert.Contains(h.Operations, op => op.Status == OpStatus.Ambiguous);
            CheckResult r = LinearizabilityChecker.Check(h);
            Assert.True(r.Verdict == Verdict.Linearizable, r.Text());
        }
    }
}
