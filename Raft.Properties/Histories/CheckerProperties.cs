using FsCheck;
using FsCheck.Fluent;
using Raft.Model.Histories;
using OpKind = Raft.Model.Histories.OpKind;
using Raft.Properties.Properties;
using Xunit.Abstractions;

namespace Raft.Properties.Histories;

/// <summary>
/// The checker against the brute force (<see cref="BruteForce"/>) on small generated histories
/// (<see cref="HistoryGen"/>), and its failure report's claims checked one by one. Cases come from
/// the suite's fixed FsCheck seed (printed), so every run checks the same histories.
/// </summary>
public sealed class CheckerProperties : IClassFixture<FsCheckKnobs<CheckerProperties>>
{
    public CheckerProperties(ITestOutputHelper output) => output.WriteLine(PropertyConfig.RerunHint(typeof(CheckerProperties)));

    public static class Arbitraries
    {
        /// <summary>Up to 8 operations on 1 or 2 keys.</summary>
        public static Arbitrary<HistoryCase> Histories() =>
            Arb.From(Gen.Choose(0, int.MaxValue).Select(seed => HistoryGen.Build(seed, maxOps: 8, maxKeys: 2)), HistoryGen.Shrink);
    }

    [RaftProperty(500, Arbitrary = [typeof(Arbitraries)])]
    public void TheChecker_AgreesWithTheBruteForce(HistoryCase c)
    {
        CheckResult r = LinearizabilityChecker.Check(c.History);
        bool expected = BruteForce.IsLinearizable(c.History);
        Assert.True((r.Verdict == Verdict.Linearizable) == expected, $"checker: {r.Headline()}, brute force: {(expected ? "linearizable" : "not")}\n{r.Text()}");
        Assert.NotEqual(Verdict.Unknown, r.Verdict);
        if (expected)
        {
            // each key's order is a real linearization of that key's operations
            foreach (KeyVerdict k in r.Keys)
            {
                int[] ops = c.History.IndicesOf(k.Key).Where(i => !(c.History[i].Kind == OpKind.Get && c.History[i].Status == OpStatus.Ambiguous)).ToArray();
                Assert.Null(BruteForce.OrderProblem(c.History, ops, k.Order));
                Assert.Equal(ops.Order(), k.Order.Concat(k.Unplaced).Order());
            }
        }
    }

    [RaftProperty(500, Arbitrary = [typeof(Arbitraries)])]
    public void TheFailureReport_HoldsWhatItClaims(HistoryCase c)
    {
        CheckResult r = LinearizabilityChecker.Check(c.History);
        if (r.Verdict != Verdict.NotLinearizable) return;
        History h = c.History;
        FailureReport f = r.Failure!;
        int[] keyOps = h.IndicesOf(f.Key);
        Assert.All(f.SubHistory, i => Assert.Contains(i, keyOps));
        Assert.Equal(f.SubHistory.Order(), f.SubHistory);

        // the sub-history is not linearizable, and (when claimed) dropping any one operation makes it so
        Assert.False(BruteForce.IsLinearizable(h, f.SubHistory), "the reported sub-history is linearizable");
        // every further deletion makes it linearizable, or takes away a write that a read of the
        // sub-history needs (some of the sub-history's writes could explain the read, the rest cannot)
        if (f.OneMinimal)
            foreach (int drop in f.SubHistory)
            {
                int[] rest = f.SubHistory.Where(i => i != drop).ToArray();
                if (BruteForce.IsLinearizable(h, rest)) continue;
                Assert.True(h[drop].Kind != OpKind.Get, $"dropping read #{drop} leaves it non-linearizable: not 1-minimal");
                Assert.True(f.SubHistory.Any(r => r != drop && BruteForce.Explains(h, r, f.SubHistory) && !BruteForce.Explains(h, r, rest)),
                    $"dropping write #{drop} leaves it non-linearizable and every read as explained as before: not 1-minimal");
            }
        Assert.True(f.OneMinimal, "a history this small should be minimised fully");

        // the prefix: the first Length operations by invocation, linearizable as they stood at the cut,
        // with the order given; one more operation (cut at the one after it) is not linearizable
        int[] byInvoke = keyOps.OrderBy(i => h[i].Invoke).ThenBy(i => i).ToArray();
        LinearizablePrefix p = f.Prefix;
        Assert.Equal(byInvoke[..p.Length], p.Operations);
        Assert.Equal(byInvoke[p.Length], p.NextOperation);
        Assert.Equal(h[byInvoke[p.Length]].Invoke, p.CutTime);
        History cut = BruteForce.Cut(h, p.CutTime!.Value);
        int[] placeable = p.Operations.Where(i => !(cut[i].Kind == OpKind.Get && cut[i].Status == OpStatus.Ambiguous)).ToArray();
        Assert.Null(BruteForce.OrderProblem(cut, placeable, p.Order));
        Assert.Equal(placeable.Order(), p.Order.Concat(p.Unplaced).Order());
        long nextCut = p.Length + 1 < byInvoke.Length ? h[byInvoke[p.Length + 1]].Invoke : long.MaxValue;
        Assert.False(BruteForce.IsLinearizable(BruteForce.Cut(h, nextCut), byInvoke[..(p.Length + 1)]), "a longer prefix is linearizable");
    }

    [RaftProperty(100, Arbitrary = [typeof(Arbitraries)])]
    public void TheText_IsTheSameForTheSameHistory(HistoryCase c)
    {
        string a = LinearizabilityChecker.Check(c.History).Text(), b = LinearizabilityChecker.Check(new History(c.History.Operations)).Text();
        Assert.Equal(a, b);
    }
}
