using System.Text;
using static Raft.Model.Histories.HistoryText;

namespace Raft.Model.Histories;

/// <summary>What the checker concluded about a history (or one key of it).</summary>
public enum Verdict
{
    /// <summary>Some order of the operations respects real time and the sequential key-value model.</summary>
    Linearizable,

    /// <summary>No such order exists: the search covered every one.</summary>
    NotLinearizable,

    /// <summary>The step budget ran out before the search could tell (<see cref="CheckOptions.MaxStepsPerKey"/>).</summary>
    Unknown,
}

/// <summary>How hard the checker may work.</summary>
public sealed record CheckOptions
{
    /// <summary>The default: 20 million steps per key, minimisation on.</summary>
    public static readonly CheckOptions Default = new();

    /// <summary>
    /// The search steps one key may take (a step is one look at an invocation or response in the
    /// search's event list). A key that needs more is <see cref="Verdict.Unknown"/>. The same budget
    /// holds for each search the failure report runs.
    /// </summary>
    public long MaxStepsPerKey { get; init; } = 20_000_000;

    /// <summary>When a key is not linearizable, look for a short non-linearizable sub-history and the longest linearizable prefix.</summary>
    public bool Report { get; init; } = true;

    /// <summary>The most searches the minimisation of the failing sub-history may run; past it the sub-history is returned as far as it got (not claimed 1-minimal).</summary>
    public int MaxMinimiseSearches { get; init; } = 4_000;

    /// <summary>
    /// The search steps all of the minimisation's searches may take together (each also gets at
    /// most four times the steps of the search that showed its starting set non-linearizable, and at
    /// least 100,000). Past it the sub-history is returned as far as it got (not claimed 1-minimal).
    /// </summary>
    public long ReportMaxSteps { get; init; } = 50_000_000;
}

/// <summary>The checker's verdict on one key's operations.</summary>
/// <param name="Key">The key.</param>
/// <param name="Verdict">Its verdict.</param>
/// <param name="Operations">How many operations of the history touch it.</param>
/// <param name="Steps">Search steps the verdict took.</param>
/// <param name="States">Distinct (linearized set, value) pairs the search memoised.</param>
/// <param name="Order">When linearizable: the key's operations (history indices) in one linearization order; ambiguous ones left out are in <paramref name="Unplaced"/>.</param>
/// <param name="Unplaced">When linearizable: the ambiguous operations that order leaves out (no effect, or after everything).</param>
public sealed record KeyVerdict(string Key, Verdict Verdict, int Operations, long Steps, long States, IReadOnlyList<int> Order, IReadOnlyList<int> Unplaced)
{
    public string Text => $"key {HistoryText.Key(Key)}: {VerdictText(Verdict)} ({I(Operations)} operations, {I(Steps)} steps, {I(States)} states)";

    public override string ToString() => Text;

    internal static string VerdictText(Verdict v) => v switch
    {
        Verdict.Linearizable => "linearizable",
        Verdict.NotLinearizable => "NOT linearizable",
        _ => "unknown (step budget exhausted)",
    };
}

/// <summary>
/// The longest linearizable prefix of the failing key's operations: the first <see cref="Length"/>
/// of them in invocation order (ties by index), as the history stood when the next one was invoked
/// (at <see cref="CutTime"/>): an operation that had not responded by then counts as ambiguous.
/// <see cref="Order"/> is a linearization of it; <see cref="Unplaced"/> are its ambiguous operations
/// that order leaves out. <see cref="NextOperation"/> is the operation whose invocation the prefix
/// stops before: with it the prefix is no longer linearizable.
/// </summary>
public sealed record LinearizablePrefix(int Length, IReadOnlyList<int> Operations, long? CutTime, int? NextOperation, IReadOnlyList<int> Order, IReadOnlyList<int> Unplaced)
{
    public string Text(History history)
    {
        var sb = new StringBuilder();
        sb.Append("longest linearizable prefix: ").Append(I(Length)).Append(" operations");
        if (CutTime is { } cut) sb.Append(", up to time ").Append(I(cut)).Append(" (operations still running then count as timed out)");
        sb.Append('\n');
        sb.Append("a linearization of it:\n");
        for (int i = 0; i < Order.Count; i++) sb.Append("  ").Append(I(i + 1)).Append(". #").Append(I(Order[i])).Append(' ').Append(history[Order[i]].Text).Append('\n');
        foreach (int u in Unplaced) sb.Append("  not placed (no effect, or after all the above): #").Append(I(u)).Append(' ').Append(history[u].Text).Append('\n');
        if (NextOperation is { } next) sb.Append("the prefix stops before #").Append(I(next)).Append(' ').Append(history[next].Text).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// Why a key is not linearizable. <see cref="SubHistory"/> is a non-linearizable sub-history
/// of the key's operations (history indices, ascending), made small by dropping operations while
/// it stays non-linearizable, never dropping a write that a read which the writes could explain
/// needs (docs/linearizability.md); <see cref="OneMinimal"/> says whether every single further
/// deletion was checked to fail that test. <see cref="Prefix"/> is the longest linearizable prefix.
/// <see cref="Searches"/> counts the searches the report ran.
/// </summary>
public sealed record FailureReport(string Key, IReadOnlyList<int> SubHistory, bool OneMinimal, LinearizablePrefix Prefix, int Searches)
{
    public string Text(History history)
    {
        var sb = new StringBuilder();
        sb.Append("key ").Append(HistoryText.Key(Key)).Append(" is not linearizable.\n");
        sb.Append(OneMinimal
            ? $"a smallest-by-deletion non-linearizable sub-history ({I(SubHistory.Count)} operations; dropping any one of them makes it linearizable, or leaves a read that the writes could explain unexplained):\n"
            : $"a non-linearizable sub-history ({I(SubHistory.Count)} operations; not checked to be minimal):\n");
        foreach (int i in SubHistory) sb.Append("  #").Append(I(i)).Append(' ').Append(history[i].Text).Append('\n');
        sb.Append(Prefix.Text(history));
        return sb.ToString();
    }
}

/// <summary>
/// The checker's answer for a whole history: <see cref="Verdict"/> is NotLinearizable when some key
/// is, else Unknown when some key is, else Linearizable. <see cref="Keys"/> holds each key's verdict
/// in ordinal key order; <see cref="Failure"/> explains the first key (in that order) that is not
/// linearizable, when <see cref="CheckOptions.Report"/> is on.
/// </summary>
public sealed record CheckResult(History History, Verdict Verdict, IReadOnlyList<KeyVerdict> Keys, FailureReport? Failure)
{
    /// <summary>Search steps over every key (the failure report's searches not included).</summary>
    public long Steps
    {
        get
        {
            long s = 0;
            foreach (KeyVerdict k in Keys) s += k.Steps;
            return s;
        }
    }

    /// <summary>One line: the verdict, the number of operations and keys, and the failing or unknown key.</summary>
    public string Headline()
    {
        string what = $"{I(History.Count)} operations on {I(History.Keys.Count)} keys";
        return Verdict switch
        {
            Verdict.Linearizable => $"linearizable: {what}, {I(Steps)} search steps",
            Verdict.NotLinearizable => $"NOT linearizable: key {HistoryText.Key(First(Verdict.NotLinearizable)!.Key)} ({what})",
            _ => $"unknown: key {HistoryText.Key(First(Verdict.Unknown)!.Key)} ran out of its budget of search steps ({what}); raise CheckOptions.MaxStepsPerKey",
        };
    }

    /// <summary>The headline, each key's verdict, and the failure report.</summary>
    public string Text()
    {
        var sb = new StringBuilder();
        sb.Append(Headline()).Append('\n');
        foreach (KeyVerdict k in Keys) sb.Append("  ").Append(k.Text).Append('\n');
        if (Failure is not null) sb.Append(Failure.Text(History));
        return sb.ToString();
    }

    public override string ToString() => Headline();

    private KeyVerdict? First(Verdict v)
    {
        foreach (KeyVerdict k in Keys)
            if (k.Verdict == v) return k;
        return null;
    }
}
