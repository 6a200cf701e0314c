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
        var cmd = new Command("shrink", "Shrink a failing schedule to the few steps that matter, keeping the same violated invariant") { file, output };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new UsageException($"no such trace file: {path}");
            TraceFile trace;
            try { trace = TraceReader.Read(path); }
            catch (TraceFormatException e) { throw new UsageException(e.Message); }
            if (trace.Outcome.Violation is null) throw new UsageException($"{path} records no violation: there is nothing to shrink");
            string outPath = r.GetValue(output) ?? DefaultOutput(path);

            ShrinkReport report;
            try { report = Shrinker.Shrink(trace); }
            catch (InvalidOperationException e)
            {
                Console.WriteLine($"cannot shrink: {e.Message}");
                return TraceCommands.ExitDiverged;
            }
            TraceWriter.Write(report.Shrunk, outPath);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {report.OriginalSteps} steps to {report.ShrunkSteps}, {report.OriginalNodes} nodes to {report.ShrunkNodes}, in {report.Seconds:0.00} s ({report.Runs} runs)"));
            Console.WriteLine($"still violates: {report.Shrunk.Outcome.Violation}");
            Console.WriteLine($"wrote {outPath}");
            Console.WriteLine($"replay: raftverify replay {outPath}");
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
