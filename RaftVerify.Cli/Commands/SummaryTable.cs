using System.Globalization;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Spectre.Console;

namespace RaftVerify.Cli.Commands;

/// <summary>A measure the explore summary can show, and what it means (one entry of <c>explore --legend</c>).</summary>
public sealed record SummaryMeasure(string Name, string Meaning);

/// <summary>
/// One row of the explore summary: its measure, the row's label (the measure's name, or for a
/// situation or a guided mutation the name with it filled in), its value, and whether the value
/// depends on the machine (the wall clock), which a golden test masks.
/// </summary>
public sealed record SummaryRow(SummaryMeasure Measure, string Label, string Value, bool Timing = false);

/// <summary>One line under the table: the invariants checked at one point of a schedule, and how often.</summary>
public sealed record InvariantsChecked(CheckedWhen When, IReadOnlyList<InvariantInfo> Invariants, long Times)
{
    public override string ToString() => When switch
    {
        CheckedWhen.EveryStep => $"invariants checked after every step: {Names}",
        CheckedWhen.ClientHistory => string.Create(CultureInfo.InvariantCulture, $"checked on each client history ({Times} histories): {Names}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"checked after the heal ({Times} liveness phases): {Names}"),
    };

    private string Names => string.Join(", ", Invariants.Select(i => i.Name));
}

/// <summary>
/// The end-of-run summary: a table of measures (throughput, what was exercised, how often the
/// step bound was hit), the invariants checked, and where each row is explained
/// (<c>explore --legend</c>, <see cref="Legend"/>). Every row is built from a
/// <see cref="SummaryMeasure"/> of the legend, so no row goes unexplained.
/// </summary>
public static class SummaryTable
{
    private static readonly SummaryMeasure Schedules = new("schedules", "Schedules run, of those planned (--iterations, or this shard's share); '(interrupted)' or '(time limit)' when Ctrl-C or --time-limit cut the run short.");
    private static readonly SummaryMeasure Steps = new("steps", "Events run in all schedules, fault and liveness phases: each delivery, timer, proposal, crash, restart, partition, drop, duplicate and (with asynchronous Readies) each persist, send and apply is one step.");
    private static readonly SummaryMeasure WallTime = new("wall time", "Seconds of wall-clock time the run took. This row, schedules/s and steps/s differ from run to run; the others depend only on the options (unless --time-limit or Ctrl-C cut the run short).");
    private static readonly SummaryMeasure SchedulesPerSecond = new("schedules/s", "Schedules per wall-clock second, all workers together.");
    private static readonly SummaryMeasure StepsPerSecond = new("steps/s", "Steps per wall-clock second, all workers together.");
    private static readonly SummaryMeasure HitStepBound = new("hit the step bound", "Schedules whose fault phase reached --max-steps before its workload was done (every proposal made, every node up, connected and caught up). A bound that cuts many schedules short hides bugs: raise --max-steps.");
    private static readonly SummaryMeasure LivenessPhases = new("liveness phases run", "Schedules that ran the liveness phase: after the fault phase every fault is healed, the network stabilises, and one() must commit a fresh command on every node within a bound.");
    private static readonly SummaryMeasure Transitions = new("distinct (role, event) transitions", "Distinct pairs of a node's role (follower, pre-candidate, candidate, leader) and the kind of event it handled (a timer, a crash, a delivery of each message type, each part of a Ready, ...), over all schedules: a coarse measure of which of the node's code paths ran.");
    private static readonly SummaryMeasure AbstractStates = new("abstract states", "Distinct abstract states of the cluster in the fault phases: per node its role, its term, log, commit and applied index relative to the leader's, and the kinds of message in flight to it, concrete terms and indexes forgotten (docs/exploration.md, 'Abstract-state coverage'). '≥1048576' when the count reached its cap of 2^20.");
    private static readonly SummaryMeasure AbstractTransitions = new("abstract transitions", "Distinct ordered pairs of consecutive, different abstract states.");
    private static readonly SummaryMeasure Situation = new("situation NAME", "Schedules that reached the named situation of the Raft paper at least once; each situation is listed below.");
    private static readonly SummaryMeasure MaxTerm = new("max term", "The highest term any node reached in any schedule.");
    private static readonly SummaryMeasure SlowestAgreement = new("slowest one() after stabilisation", "Over the liveness phases: the longest one() took, in virtual ms after the network stabilised, to commit a fresh command on every node; the largest share of its bound any one() took (the oracle's margin); and how many took more than half of their bound.");
    private static readonly SummaryMeasure MostLivenessSteps = new("most steps in one liveness phase", "The most steps any single liveness phase took.");
    private static readonly SummaryMeasure Leaders = new("leaders elected", "Leaders elected, summed over the schedules (at most one per term).");
    private static readonly SummaryMeasure Committed = new("entries committed (max in one schedule)", "Entries committed, summed over the schedules (each schedule's highest committed index), and in brackets the most in one schedule.");
    private static readonly SummaryMeasure Proposals = new("proposals accepted", "Client commands a leader accepted, over all schedules.");
    private static readonly SummaryMeasure Histories = new("client histories checked (unknown)", "Schedules with key-value clients whose history was checked for linearizability, in brackets those the checker could not decide within its budget (not violations), and the clients' operations.");
    private static readonly SummaryMeasure ReadIndex = new("ReadIndex histories: Gets served (with leases)", "Of those histories, the ones whose clients read by ReadIndex; the Gets answered by ReadIndex rather than through the log, and in brackets those answered under a lease.");
    private static readonly SummaryMeasure CrashesRestarts = new("crashes / restarts", "Node crashes and restarts, over all schedules.");
    private static readonly SummaryMeasure Partitions = new("partitions", "Network partitions made, over all schedules.");
    private static readonly SummaryMeasure Snapshots = new("snapshots installed", "Snapshots a node installed from its leader (InstallSnapshot), over all schedules.");
    private static readonly SummaryMeasure StatesVisited = new("states visited (dfs)", "dfs: distinct concrete states of the bounded space it visited.");
    private static readonly SummaryMeasure Exhausted = new("bounded space exhausted", "dfs: 'yes' when every path of the bounded space (--max-steps, terms up to --strategy-parameter) was explored.");
    private static readonly SummaryMeasure GuidedCorpus = new("guided: corpus (schedules)", "guided: schedules kept in the corpus because they reached something new.");
    private static readonly SummaryMeasure GuidedFeatures = new("guided: features reached", "guided: distinct guidance features (coarse abstract states and other features) reached.");
    private static readonly SummaryMeasure GuidedOrigin = new("guided: MUTATION (new / made)", "guided: per way of making a schedule (fresh, fork, havoc, splice, fault, delete; corpus: a schedule loaded with --corpus, run again), how many of its schedules reached something new, and how many it made.");
    private static readonly SummaryMeasure GuidedLoaded = new("guided: corpus loaded", "guided with --corpus DIR: schedules read from this world's subdirectory of DIR, and how many of them ran again (first, before any other schedule; fewer when the run is shorter).");
    private static readonly SummaryMeasure GuidedSaved = new("guided: corpus saved", "guided with --corpus DIR: schedule files in this world's subdirectory of DIR after the run, with the files the run wrote (new) and removed (loaded schedules that ran again, broke nothing and no longer reach anything new; none after a violation).");
    private static readonly SummaryMeasure Violating = new("violating schedules", "Schedules that broke an invariant (with the default stop at the first violation, at most one).");

    /// <summary>Every measure the summary can show, in its order: <c>explore --legend</c>.</summary>
    public static IReadOnlyList<SummaryMeasure> Legend { get; } =
    [
        Schedules, Steps, WallTime, SchedulesPerSecond, StepsPerSecond, HitStepBound, LivenessPhases, Transitions, AbstractStates, AbstractTransitions,
        Situation, MaxTerm, SlowestAgreement, MostLivenessSteps, Leaders, Committed, Proposals, Histories, ReadIndex, CrashesRestarts, Partitions,
        Snapshots, StatesVisited, Exhausted, GuidedCorpus, GuidedFeatures, GuidedOrigin, GuidedLoaded, GuidedSaved, Violating,
    ];

    /// <summary>Where the rows and invariants are explained: the line that ends the summary.</summary>
    public static string LegendPointer => $"what each row and invariant means: {ToolCommand.Of("explore --legend")}";

    public static IReadOnlyList<SummaryRow> Rows(ExploreReport r)
    {
        Coverage c = r.Coverage;
        var rows = new List<SummaryRow>();
        void Row(SummaryMeasure m, string v, string? label = null, bool timing = false) => rows.Add(new SummaryRow(m, label ?? m.Name, v, timing));
        string N(long x) => x.ToString(CultureInfo.InvariantCulture);
        string F(double x, string fmt = "0") => x.ToString(fmt, CultureInfo.InvariantCulture);
        Row(Schedules, $"{c.Schedules} of {r.Planned}{(r.Interrupted ? " (interrupted)" : r.CutByTimeLimit ? " (time limit)" : "")}");
        Row(Steps, N(c.Steps));
        Row(WallTime, F(r.Seconds, "0.00") + " s", timing: true);
        Row(SchedulesPerSecond, F(r.SchedulesPerSecond), timing: true);
        Row(StepsPerSecond, F(r.StepsPerSecond), timing: true);
        Row(HitStepBound, c.Schedules == 0 ? "-" : $"{c.HitStepBound} ({F(100.0 * c.HitStepBound / c.Schedules, "0.0")}%)");
        Row(LivenessPhases, N(c.LivenessChecked));
        Row(Transitions, N(c.DistinctTransitions));
        if (c.Abstract.Schedules > 0)
        {
            Row(AbstractStates, AbstractCoverage.Format(c.Abstract.States, c.Abstract.StatesCapped));
            Row(AbstractTransitions, AbstractCoverage.Format(c.Abstract.Transitions, c.Abstract.TransitionsCapped));
        }
        if (c.Schedules > 0 && r.Exhausted is null) // dfs does not count them (docs/exploration.md)
            for (int k = 0; k < Situations.Count; k++)
                Row(Situation, N(c.SituationSchedules[k]), $"situation {Situations.Name((Situation)k)}");
        Row(MaxTerm, N(c.MaxTerm));
        if (c.LivenessChecked > 0)
        {
            Row(SlowestAgreement, string.Create(CultureInfo.InvariantCulture, $"{c.SlowestAgreementMs} ms ({c.MostOfBoundUsedPercent}% of its bound; {c.AgreementsOverHalfBound} over half)"));
            Row(MostLivenessSteps, N(c.MostLivenessSteps));
        }
        Row(Leaders, N(c.Elections));
        Row(Committed, $"{c.Commits} ({c.MaxCommitted})");
        Row(Proposals, N(c.ProposalsAccepted));
        if (c.HistoriesChecked > 0)
            Row(Histories, string.Create(CultureInfo.InvariantCulture, $"{c.HistoriesChecked} ({c.HistoriesUnknown}), {c.ClientOperations} operations"));
        if (c.ReadIndexHistories > 0)
            Row(ReadIndex, string.Create(CultureInfo.InvariantCulture, $"{c.ReadIndexHistories}: {c.ReadIndexReads} ({c.LeaseReads})"));
        Row(CrashesRestarts, $"{c.Crashes} / {c.Restarts}");
        Row(Partitions, N(c.Partitions));
        Row(Snapshots, N(c.SnapshotsInstalled));
        if (r.Exhausted is { } ex)
        {
            Row(StatesVisited, N(r.StatesVisited));
            Row(Exhausted, ex ? "yes" : r.PartialStateHash ? "not claimed (the node reports no status, or its messages cannot hash themselves: states may have been merged)" : "no");
        }
        if (r.Guidance is { } g)
        {
            Row(GuidedCorpus, N(g.CorpusSize));
            Row(GuidedFeatures, N(g.Features));
            foreach (var o in g.Origins)
                Row(GuidedOrigin, $"{o.New} / {o.Made}", $"guided: {o.Origin} (new / made)");
            if (g.Files is { } f)
            {
                Row(GuidedLoaded, $"{N(f.Loaded)} ({N(f.RunAgain)} run again)");
                Row(GuidedSaved, f.SaveError is not null ? "NOT saved" : f.Saved is { } sv ? $"{N(sv.Files)} files (+{N(sv.Written)}, -{N(sv.Removed)})" : "not saved");
            }
        }
        Row(Violating, N(r.ViolatingSchedules));
        return rows;
    }

    /// <summary>The invariants the run checked, grouped by when: each group only when it ran at least once.</summary>
    public static IReadOnlyList<InvariantsChecked> Checked(ExploreReport r)
    {
        Coverage c = r.Coverage;
        var lines = new List<InvariantsChecked>();
        void Add(CheckedWhen when, long times)
        {
            if (times > 0) lines.Add(new InvariantsChecked(when, InvariantCatalog.All.Where(i => i.When == when).ToList(), times));
        }
        Add(CheckedWhen.EveryStep, c.Steps);
        Add(CheckedWhen.ClientHistory, c.HistoriesChecked);
        Add(CheckedWhen.AfterTheHeal, c.LivenessChecked);
        return lines;
    }

    public static void Print(ExploreReport r)
    {
        // a console on the Console.Out of this call, not Spectre's static one, which keeps the writer it first saw
        // (a host that redirects Console.Out between runs, as the tests' in-process CLI does, would lose the table)
        Write(Console.Out, Rows(r), Checked(r), wrapAt: ProgressReporter.Interactive ? null : int.MaxValue);
    }

    /// <summary>
    /// The table, then a line per <see cref="InvariantsChecked"/> and <see cref="LegendPointer"/>.
    /// <paramref name="wrapAt"/>: the console width the table may take (null: the terminal's);
    /// output that is not a terminal is never wrapped, so each row is one line.
    /// </summary>
    public static void Write(TextWriter output, IReadOnlyList<SummaryRow> rows, IReadOnlyList<InvariantsChecked> invariants, int? wrapAt)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        foreach (SummaryRow row in rows) table.AddRow(Markup.Escape(row.Label), Markup.Escape(row.Value));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (wrapAt is { } width)
            console.Profile.Width = Math.Min(width, 7 + Math.Max("measure".Length, rows.Max(x => x.Label.Length)) + Math.Max("value".Length, rows.Max(x => x.Value.Length)));
        console.Write(table);
        foreach (InvariantsChecked line in invariants) output.WriteLine(line);
        output.WriteLine(LegendPointer);
    }

    /// <summary><c>explore --legend</c>: every row of the summary and every invariant, each with what it means.</summary>
    public static void WriteLegend(TextWriter output)
    {
        output.WriteLine("The rows of the explore summary (counts are over the run's schedules):");
        foreach (SummaryMeasure m in Legend)
        {
            output.WriteLine();
            output.WriteLine(m.Name);
            output.WriteLine("    " + m.Meaning);
            if (m == Situation)
                for (int k = 0; k < Situations.Count; k++)
                    output.WriteLine($"    situation {Situations.Name((Situation)k)}: {Situations.Describe((Situation)k)}");
        }
        output.WriteLine();
        output.WriteLine("The invariants (the lines under the table name those the run checked):");
        foreach (InvariantInfo i in InvariantCatalog.All)
        {
            output.WriteLine();
            output.WriteLine(i.Name + i.When switch
            {
                CheckedWhen.EveryStep => " (after every step)",
                CheckedWhen.ClientHistory => " (on each client history, at the end of the fault phase)",
                _ => " (in the liveness phase, after the heal)",
            });
            output.WriteLine("    " + i.Meaning);
        }
    }
}
