using System.Globalization;
using Raft.Model.Exploration;
using Spectre.Console;

namespace RaftVerify.Cli.Commands;

/// <summary>The end-of-run summary: throughput, what was exercised, and how often the step bound was hit.</summary>
public static class SummaryTable
{
    public static void Print(ExploreReport r)
    {
        Coverage c = r.Coverage;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        string F(double x, string fmt = "0") => x.ToString(fmt, CultureInfo.InvariantCulture);
        Row("schedules", $"{c.Schedules} of {r.Planned}{(r.Interrupted ? " (interrupted)" : r.CutByTimeLimit ? " (time limit)" : "")}");
        Row("steps", c.Steps.ToString(CultureInfo.InvariantCulture));
        Row("wall time", F(r.Seconds, "0.00") + " s");
        Row("schedules/s", F(r.SchedulesPerSecond));
        Row("steps/s", F(r.StepsPerSecond));
        Row("hit the step bound", c.Schedules == 0 ? "-" : $"{c.HitStepBound} ({F(100.0 * c.HitStepBound / c.Schedules, "0.0")}%)");
        Row("liveness phases run", c.LivenessChecked.ToString(CultureInfo.InvariantCulture));
        Row("distinct (role, event) transitions", c.DistinctTransitions.ToString(CultureInfo.InvariantCulture));
        if (c.Abstract.Schedules > 0)
        {
            Row("abstract states", AbstractCoverage.Format(c.Abstract.States, c.Abstract.StatesCapped));
            Row("abstract transitions", AbstractCoverage.Format(c.Abstract.Transitions, c.Abstract.TransitionsCapped));
        }
        if (c.Schedules > 0 && r.Exhausted is null) // dfs does not count them (docs/exploration.md)
            for (int k = 0; k < Situations.Count; k++)
                Row($"situation {Situations.Name((Situation)k)}", c.SituationSchedules[k].ToString(CultureInfo.InvariantCulture));
        Row("max term", c.MaxTerm.ToString(CultureInfo.InvariantCulture));
        if (c.LivenessChecked > 0) Row("slowest one() after stabilisation", string.Create(CultureInfo.InvariantCulture, $"{c.SlowestAgreementMs} ms ({c.MostOfBoundUsedPercent}% of its bound; {c.AgreementsOverHalfBound} over half)"));
        if (c.LivenessChecked > 0) Row("most steps in one liveness phase", c.MostLivenessSteps.ToString(CultureInfo.InvariantCulture));
        Row("leaders elected", c.Elections.ToString(CultureInfo.InvariantCulture));
        Row("entries committed (max in one schedule)", $"{c.Commits} ({c.MaxCommitted})");
        Row("proposals accepted", c.ProposalsAccepted.ToString(CultureInfo.InvariantCulture));
        if (c.HistoriesChecked > 0)
            Row("client histories checked (unknown)", string.Create(CultureInfo.InvariantCulture, $"{c.HistoriesChecked} ({c.HistoriesUnknown}), {c.ClientOperations} operations"));
        if (c.ReadIndexHistories > 0)
            Row("ReadIndex histories: Gets served (with leases)", string.Create(CultureInfo.InvariantCulture, $"{c.ReadIndexHistories}: {c.ReadIndexReads} ({c.LeaseReads})"));
        Row("crashes / restarts", $"{c.Crashes} / {c.Restarts}");
        Row("partitions", c.Partitions.ToString(CultureInfo.InvariantCulture));
        Row("snapshots installed", c.SnapshotsInstalled.ToString(CultureInfo.InvariantCulture));
        if (r.Exhausted is { } ex)
        {
            Row("states visited (dfs)", r.StatesVisited.ToString(CultureInfo.InvariantCulture));
            Row("bounded space exhausted", ex ? "yes" : r.PartialStateHash ? "not claimed (the node reports no status, or its messages cannot hash themselves: states may have been merged)" : "no");
        }
        if (r.Guidance is { } g)
        {
            Row("guided: corpus (schedules)", g.CorpusSize.ToString(CultureInfo.InvariantCulture));
            Row("guided: features reached", g.Features.ToString(CultureInfo.InvariantCulture));
            foreach (var o in g.Origins)
                Row($"guided: {o.Origin} (new / made)", $"{o.New} / {o.Made}");
        }
        Row("violating schedules", r.ViolatingSchedules.ToString(CultureInfo.InvariantCulture));
        // a console on the Console.Out of this call, not Spectre's static one, which keeps the writer it first saw
        // (a host that redirects Console.Out between runs, as the tests' in-process CLI does, would lose the table)
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Write(table);
    }
}
