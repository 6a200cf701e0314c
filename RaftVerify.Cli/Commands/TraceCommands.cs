using System.CommandLine;
using System.Globalization;
using Raft.Model.Exploration;
using Raft.Model.Traces;

namespace RaftVerify.Cli.Commands;

/// <summary>raftverify replay TRACE, raftverify show TRACE and raftverify bugs.</summary>
public static class TraceCommands
{
    public const int ExitDiverged = 3;

    public static Command Replay()
    {
        var file = new Argument<string>("trace") { Description = "A trace file written by explore" };
        var verbose = new Option<bool>("--verbose") { Description = "Print every step as it replays" };
        var cmd = new Command("replay", "Re-run a recorded schedule step for step: exit 1 if its violation reproduces, 0 if it passes, 3 if the run diverges from the recording") { file, verbose };
        cmd.SetAction(r =>
        {
            TraceFile trace = Load(r.GetValue(file)!);
            bool v = r.GetValue(verbose);
            ReplayReport report = Replayer.Replay(trace, v ? (actual, _) => Console.WriteLine(Line(actual, null)) : null);
            Console.WriteLine($"replayed {trace.Steps.Count} recorded steps of schedule {trace.Iteration} ({DescribeTrace(trace)})");
            switch (report.Status)
            {
                case ReplayStatus.Reproduced:
                    Console.WriteLine($"REPRODUCED at step {report.Run!.ViolationStep}: {report.Run.Violation}");
                    return Program.ExitFailed;
                case ReplayStatus.Passed:
                    Console.WriteLine($"passed: no violation{(report.Run!.LivenessSummary is { } l ? $" (liveness: {l})" : "")}");
                    return Program.ExitOk;
                default:
                    Console.WriteLine($"DIVERGED at step {report.DivergedAtStep}: {report.Divergence}");
                    Console.WriteLine("the core or the world changed since this trace was recorded; re-run explore to record a new one");
                    return ExitDiverged;
            }
        });
        return cmd;
    }

    public static Command Show()
    {
        var file = new Argument<string>("trace") { Description = "A trace file written by explore" };
        var cmd = new Command("show", "Print a recorded schedule as a readable timeline, one line per step, with the violating step marked") { file };
        cmd.SetAction(r =>
        {
            TraceFile t = Load(r.GetValue(file)!);
            Console.WriteLine($"schedule {t.Iteration} (schedule seed {t.ScheduleSeed}): {DescribeTrace(t)}");
            Console.WriteLine($"swarm: {t.Swarm.Describe()}");
            Console.WriteLine("step  event                                                          | nodes after (role term/commit/last index)");
            int marked = t.Outcome.Violation is not null ? t.Outcome.ViolationStep : -1;
            foreach (TraceStep s in t.Steps) Console.WriteLine(Line(s, s.Step == marked ? ">>" : "  "));
            if (t.Outcome.Violation is { } v)
            {
                string when = t.Outcome.ViolationStep >= t.Steps.Count ? "in the liveness phase" : $"at step {t.Outcome.ViolationStep}";
                Console.WriteLine($">> {v.Invariant} violated {when}: {v.Detail} (nodes {string.Join(",", v.Nodes)}; index {v.Index}; term {v.Term})");
            }
            else Console.WriteLine($"outcome: pass{(t.Outcome.Liveness is { } l ? $"; liveness: {l}" : "")}");
            return Program.ExitOk;
        });
        return cmd;
    }

    public static Command Bugs()
    {
        var cmd = new Command("bugs", "List the deliberately broken variants of the core that explore --bug accepts");
        cmd.SetAction(_ =>
        {
            int width = BugCatalog.All.Max(b => b.Name.Length);
            foreach (BugVariant b in BugCatalog.All) Console.WriteLine($"{b.Name.PadRight(width)}  {b.Description} (breaks {b.Breaks})");
            return Program.ExitOk;
        });
        return cmd;
    }

    private static string DescribeTrace(TraceFile t)
    {
        ExploreSettings s = t.Settings;
        return string.Create(CultureInfo.InvariantCulture,
            $"nodes={t.Swarm.Nodes} mode={(s.Mode == WorldMode.Timed ? "timed" : "adversarial")} strategy={s.Strategy} seed={s.Seed} max-steps={s.MaxSteps} faults={s.Faults} proposals={s.Proposals} bug={s.Bug}");
    }

    private static string Line(TraceStep s, string? mark)
    {
        string ev = s.Detail.Length > 0 ? $"{s.Event} [{s.Detail}]" : s.Event;
        return string.Create(CultureInfo.InvariantCulture, $"{mark}{s.Step,4}  {ev,-62} | {s.Nodes}");
    }

    private static TraceFile Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"no such trace file: {path}");
        try
        {
            return TraceReader.Read(path);
        }
        catch (TraceFormatException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
