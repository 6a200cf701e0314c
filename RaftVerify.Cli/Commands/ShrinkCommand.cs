using Raft.Model.Exploration;
using System.CommandLine;
using System.Globalization;
using Raft.Model.Shrinking;
using Raft.Model.Traces;

namespace RaftVerify.Cli.Commands;

/// <summary>raftverify shrink TRACE [-o OUT]: the smallest schedule that still breaks the same invariant.</summary>
public static class ShrinkCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("trace") { Description = "A trace with a violation (from explore or from an FsCheck property)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the shrunk trace (default: next to the input, .shrunk.trace.jsonl)" };
        var timeLimit = new Option<double>("--time-limit")
        {
            Description = "Wall-clock budget in seconds (default 120); when it runs out, the smallest failing schedule found so far is written and the output says the shrink was cut",
            DefaultValueFactory = _ => Shrinker.DefaultBudget.TotalSeconds,
        };
        var node = NodeOption.Create("Shrink on this implementation instead of the one the trace records (e.g. it moved)");
        var cmd = new Command("shrink", "Shrink a failing schedule to the few steps that matter, keeping the same violation (invariant and the nodes it names)") { file, output, timeLimit, node };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            double seconds = r.GetValue(timeLimit);
            if (double.IsNaN(seconds) || seconds <= 0 || seconds > Raft.Model.Exploration.Limits.MaxTimeLimitSeconds)
                throw new UsageException($"--time-limit must be more than 0 and at most {Raft.Model.Exploration.Limits.MaxTimeLimitSeconds} seconds (got {seconds.ToString(CultureInfo.InvariantCulture)})");
            TraceFile trace = NodeOption.Resolve(TraceCommands.Load(path), r.GetValue(node));
            if (trace.Outcome.Violation is null) throw new UsageException($"{Limits.Printable(path, 200)} records no violation: there is nothing to shrink");
            string outPath = r.GetValue(output) ?? DefaultOutput(path);
            if (Directory.Exists(outPath)) throw new UsageException($"--output {Limits.Printable(outPath, 200)} is a directory; give a file name");

            ShrinkReport report;
            try { report = Shrinker.Shrink(trace, budget: TimeSpan.FromSeconds(seconds)); }
            catch (InvalidOperationException e)
            {
                Console.WriteLine($"cannot shrink: {e.Message}");
                return TraceCommands.ExitDiverged;
            }
            TraceWriter.Write(report.Shrunk, outPath);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {report.OriginalSteps} steps to {report.ShrunkSteps}, {report.OriginalNodes} nodes to {report.ShrunkNodes}, in {report.Seconds:0.00} s ({report.Runs} runs; the fault phase {report.OriginalFaultSteps} steps to {report.ShrunkFaultSteps}, then the liveness phase {report.ShrunkSteps - report.ShrunkFaultSteps})"));
            var (before, after) = (trace.Swarm.Raft ?? trace.Settings.Raft, report.Shrunk.Swarm.Raft ?? report.Shrunk.Settings.Raft);
            var shorter = new List<string>();
            if (before.ElectionTicks != after.ElectionTicks) shorter.Add($"election {before.ElectionTicks} to {after.ElectionTicks} ticks");
            if (before.HeartbeatTicks != after.HeartbeatTicks) shorter.Add($"heartbeat {before.HeartbeatTicks} to {after.HeartbeatTicks} ticks");
            if (trace.Swarm.MaxDelayMs != report.Shrunk.Swarm.MaxDelayMs) shorter.Add($"max delay {trace.Swarm.MaxDelayMs} to {report.Shrunk.Swarm.MaxDelayMs} ms");
            if (shorter.Count > 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timers: {string.Join(", ", shorter)}"));
            if (report.CutByBudget)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CUT by the time limit ({seconds:0.###} s): this is the smallest failing schedule found so far, not a finished shrink (raise --time-limit to go on)"));
            Console.WriteLine($"still violates: {report.Shrunk.Outcome.Violation}");
            Console.WriteLine($"wrote {outPath}");
            Console.WriteLine($"replay: {ToolCommand.Replay(outPath)}");
            return Program.ExitOk;
        });
        return cmd;
    }

    private static string DefaultOutput(string path)
    {
        const string suffix = ".trace.jsonl";
        string stem = path.EndsWith(suffix, StringComparison.Ordinal) ? path[..^suffix.Length] : path;
        return stem + ".shrunk" + suffix;
    }
}
