using System.Globalization;
using Raft.Model.Exploration;
using Spectre.Console;

namespace RaftVerify.Cli.Commands;

/// <summary>A live progress bar on a terminal; plain lines when output is redirected or CI=true.</summary>
public static class ProgressReporter
{
    public static bool Interactive =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) && AnsiConsole.Profile.Capabilities.Interactive;

    public static ExploreReport Run(ExploreSettings settings, CancellationToken cancellation = default)
    {
        if (!Interactive)
        {
            double lastPrinted = -10;
            return Explorer.Run(settings, p =>
            {
                if (p.Seconds - lastPrinted < 5 && p.Done != p.Total) return;
                lastPrinted = p.Seconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {p.Done}/{p.Total} schedules, {Rate(p):0} schedules/s, {p.Violations} violating"));
            }, cancellation);
        }
        ExploreReport? report = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("schedules", maxValue: Math.Max(1, settings.Iterations / settings.ShardCount));
                report = Explorer.Run(settings, p =>
                {
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{p.Total} schedules, {Rate(p):0}/s, {p.Violations} violating");
                }, cancellation);
                if (!report.Interrupted && !report.CutByTimeLimit) task.Value = task.MaxValue; // a cut run does not show 100%
            });
        return report!;
    }

    private static double Rate(ExploreProgress p) => p.Seconds > 0 ? p.Done / p.Seconds : 0;
}
