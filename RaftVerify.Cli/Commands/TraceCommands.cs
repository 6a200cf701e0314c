using Raft.Model.Variants;
using System.CommandLine;
using System.Globalization;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Traces;
using Raft.Model.Traces.Pictures;

namespace RaftVerify.Cli.Commands;

/// <summary>raftverify replay TRACE, raftverify show TRACE and raftverify bugs.</summary>
public static class TraceCommands
{
    public const int ExitDiverged = 3;

    public static Command Replay()
    {
        var file = new Argument<string>("trace") { Description = "A trace file written by explore" };
        var verbose = new Option<bool>("--verbose") { Description = "Print every step as it replays" };
        var byEvents = new Option<bool>("--by-events")
        {
            Description = "Run the recorded events by what they do (as CorpusTests and shrink do) instead of by their decisions, so a trace can be tried on a changed core: exit 1 if the invariant breaks again, 0 if the run passes",
        };
        var node = NodeOption.Create("Replay on this implementation instead of the one the trace records (e.g. it moved)");
        var cmd = new Command("replay", "Re-run a recorded schedule step for step: exit 1 if its violation reproduces, 0 if it passes, 3 if the run diverges from the recording") { file, verbose, byEvents, node };
        cmd.SetAction(r =>
        {
            TraceFile trace = NodeOption.Resolve(Load(r.GetValue(file)!), r.GetValue(node));
            if (r.GetValue(byEvents))
            {
                var (run, eventsRun) = Raft.Model.Shrinking.Shrinker.RunEventsOn(trace, trace.Settings.Bug);
                Console.WriteLine($"ran {eventsRun} of {trace.Steps.Count} recorded events by what they do ({DescribeTrace(trace)})");
                if (run.Violation is { } found)
                {
                    Console.WriteLine($"VIOLATION at step {run.ViolationStep}: {found}");
                    return Program.ExitFailed;
                }
                Console.WriteLine($"passed: no violation{(run.LivenessSummary is { } s ? $" (liveness: {s})" : "")}");
                return Program.ExitOk;
            }
            bool v = r.GetValue(verbose);
            ReplayReport report = Replayer.Replay(trace, v ? (actual, _) => Console.WriteLine(Line(actual, null)) : null);
            Console.WriteLine($"replayed {trace.Steps.Count} recorded steps of schedule {trace.Iteration} ({DescribeTrace(trace)})");
            switch (report.Status)
            {
                case ReplayStatus.Reproduced when report.Run!.Violation is null:
                    Console.WriteLine($"REPRODUCED every step up to the tester's failed check: {trace.Outcome.Tester}");
                    Console.WriteLine("(the tester's checks are not part of the trace: replay re-ran the world exactly as recorded)");
                    return Program.ExitFailed;
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
        var format = new Option<string>("--format")
        {
            Description = "text: a timeline, one line per step (default); svg: a space-time diagram; html: the diagram and a table of the steps; shiviz: a vector-clock log for the ShiViz visualizer",
            DefaultValueFactory = _ => "text",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (through a temporary file, so a failure never leaves half a file) instead of stdout" };
        var cmd = new Command("show", "Show a recorded schedule: a readable timeline (default), or a picture (svg, html) or a ShiViz log of it; see docs/pictures.md") { file, format, output };
        cmd.SetAction(r =>
        {
            string fmt = (r.GetValue(format) ?? "text").Trim().ToLowerInvariant();
            Func<TraceFile, string> render = fmt switch
            {
                "text" => ShowText,
                "svg" => SpaceTimeSvg.Render,
                "html" => t => HtmlPage.Render(t, r.GetValue(file)!),
                "shiviz" => ShiVizLog.Render,
                _ => throw new UsageException($"unknown format '{r.GetValue(format)}' for show (expected text, svg, html or shiviz)"),
            };
            TraceFile t = Load(r.GetValue(file)!);
            string content = render(t);
            string? path = r.GetValue(output);
            if (string.IsNullOrWhiteSpace(path))
            {
                Console.Out.Write(content);
                Console.Out.Flush();
                return Program.ExitOk;
            }
            WriteThroughTemp(path, content);
            Console.WriteLine($"wrote {path} ({fmt})");
            return Program.ExitOk;
        });
        return cmd;
    }

    /// <summary>The timeline: a header, one line per step (the violating one marked with ">>"), and the outcome.</summary>
    private static string ShowText(TraceFile t)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"schedule {t.Iteration} (schedule seed {t.ScheduleSeed}): {DescribeTrace(t)}");
        w.WriteLine($"swarm: {t.Swarm.Describe()}");
        w.WriteLine("step  event                                                          | nodes after (role term/commit/last index)");
        int marked = t.Outcome.Violation is not null ? t.Outcome.ViolationStep : -1;
        foreach (TraceStep s in t.Steps) w.WriteLine(Line(s, s.Step == marked ? ">>" : "  "));
        if (t.Outcome.Violation is { } v)
        {
            string when = t.Outcome.ViolationStep >= t.Steps.Count
                ? $"at step {t.Outcome.ViolationStep} (the liveness phase, after the {t.Steps.Count} recorded steps)"
                : $"at step {t.Outcome.ViolationStep}";
            w.WriteLine($">> {v.Invariant} violated {when}: {v.Detail}{v.Where}");
        }
        else w.WriteLine($"outcome: pass{(t.Outcome.Liveness is { } l ? $"; liveness: {l}" : "")}");
        return w.ToString();
    }

    /// <summary>
    /// Writes <paramref name="content"/> (UTF-8, no byte order mark) to a temporary file next to
    /// <paramref name="path"/>, then moves it into place: a failure leaves the old file (or none), never half a file.
    /// </summary>
    private static void WriteThroughTemp(string path, string content)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"--output {path} is a directory; give a file name");
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        try
        {
            File.WriteAllText(tmp, content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static Command Bugs()
    {
        var cmd = new Command("bugs", "List the deliberately broken variants of the core that explore --bug accepts");
        cmd.SetAction(_ =>
        {
            int width = BugCatalog.Listed.Max(b => b.Name.Length);
            foreach (BugVariant b in BugCatalog.Listed) Console.WriteLine($"{b.Name.PadRight(width)}  {b.Description} (breaks {b.Breaks})");
            return Program.ExitOk;
        });
        return cmd;
    }

    private static string DescribeTrace(TraceFile t)
    {
        ExploreSettings s = t.Settings;
        return string.Create(CultureInfo.InvariantCulture,
            $"nodes={t.Swarm.Nodes} mode={Raft.Model.Traces.TraceWriter.ModeName(s.Mode)} strategy={s.Strategy} seed={s.Seed} max-steps={s.MaxSteps} faults={s.Faults} proposals={s.Proposals} {(s.Node is { } impl ? "node=" + impl.Name : "bug=" + s.Bug)}");
    }

    private static string Line(TraceStep s, string? mark)
    {
        // display text is made from the typed step in one place (EventText) and only printed
        string ev = EventText.EventAndOutcome(s);
        return string.Create(CultureInfo.InvariantCulture, $"{mark}{s.Step,4}  {Limits.Printable(ev, 2000),-62} | {EventText.Nodes(s.Nodes)}");
    }

    internal static TraceFile Load(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{Limits.Printable(path, 200)} is a directory, not a trace file");
        if (!File.Exists(path)) throw new UsageException($"no such trace file: {Limits.Printable(path, 200)}");
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
