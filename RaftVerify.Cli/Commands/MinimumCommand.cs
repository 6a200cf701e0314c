using Raft.Model.Shrinking;
using Raft.Model.Simulation;
using System.CommandLine;
using System.Globalization;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Traces;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// raftverify minimum --bug NAME: the shortest schedule (fewest steps, then fewest nodes) that
/// breaks the bug's invariant, by exhaustive breadth-first search on 1-, 2- and 3-node clusters
/// (<see cref="MinimumSearch"/>). Prints one "minimum: ..." line (scripts read it), the schedule,
/// and writes it as a trace that replay reproduces. Exit 0 whenever the search ran (found, not
/// found within the bounds, or n/a for a liveness bug); 2 on bad input.
/// </summary>
public static class MinimumCommand
{
    public static Command Create()
    {
        var defaults = new MinimumSettings { Bug = "none" };
        var bug = new Option<string>("--bug") { Description = "The catalog bug (see dotnet raftverify bugs), or none for the correct core (any violation counts)", Required = true };
        var maxDepth = new Option<int>("--max-depth") { Description = $"Search schedules of at most this many steps (default {defaults.MaxDepth})", DefaultValueFactory = _ => defaults.MaxDepth };
        var nodes = new Option<int>("--nodes") { Description = "Search only this cluster size (default 0: 1, 2 and 3 nodes, in lock-step)", DefaultValueFactory = _ => 0 };
        var maxStates = new Option<int>("--max-states") { Description = $"Distinct states each cluster size may visit (default {defaults.MaxStates})", DefaultValueFactory = _ => defaults.MaxStates };
        var faults = new Option<string>("--faults") { Description = $"Fault budget, any subset of crashes=,partitions=,drops=,duplicates= over the default {defaults.Faults}, or none", DefaultValueFactory = _ => defaults.Faults.ToString() };
        var proposals = new Option<int>("--proposals") { Description = $"Client commands a schedule may propose (default {defaults.Proposals})", DefaultValueFactory = _ => defaults.Proposals };
        var maxTerm = new Option<int>("--max-term") { Description = "Candidates may not go past this term (default 0: no bound)", DefaultValueFactory = _ => 0 };
        var noSnapshots = new Option<bool>("--no-snapshots") { Description = "Never take a service snapshot (fewer states; the snapshot bugs need them)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the minimum as a trace (default raftverify-out/minimum-BUG.trace.jsonl)" };
        var like = new Option<string?>("--like")
        {
            Description = "Search the world of this trace instead: its seed, drawn core options, fault budget, proposals and liveness phase after every schedule (the unit shrink minimises); --faults, --proposals, --max-term and --no-snapshots do not apply",
        };
        var sameNodes = new Option<bool>("--same-nodes") { Description = "With --like: count only the trace's own violation as shrink does (the same invariant and the same nodes), not just the same invariant" };
        var verbose = new Option<bool>("--verbose") { Description = "Print each layer of the search as it completes" };
        var cmd = new Command("minimum", "The shortest schedule that breaks a bug's invariant: exhaustive breadth-first search over schedules on 1-3 nodes, with the canonical state hash")
        {
            bug, maxDepth, nodes, maxStates, faults, proposals, maxTerm, noSnapshots, like, sameNodes, output, verbose,
        };
        cmd.SetAction(r =>
        {
            int n = r.GetValue(nodes);
            TraceFile? likeTrace = r.GetValue(like) is { } likePath ? TraceCommands.Load(likePath) : null;
            var settings = new MinimumSettings
            {
                Bug = r.GetValue(bug)!,
                MaxDepth = r.GetValue(maxDepth),
                Sizes = n == 0 ? [1, 2, 3] : [n],
                MaxStates = r.GetValue(maxStates),
                Faults = ParseFaults(r.GetValue(faults)!, defaults.Faults),
                Proposals = r.GetValue(proposals),
                MaxTerm = r.GetValue(maxTerm),
                Snapshots = !r.GetValue(noSnapshots),
                Like = likeTrace,
                SameNodes = r.GetValue(sameNodes),
            };

            try { settings.Validate(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            string outPath = r.GetValue(output) ?? Path.Combine("raftverify-out", $"minimum-{settings.Bug}.trace.jsonl");
            if (Directory.Exists(outPath)) throw new UsageException($"--output {Limits.Printable(outPath, 200)} is a directory; give a file name");

            string target = MinimumSearch.TargetOf(settings.Bug)?.ToString() ?? "any invariant";
            if (likeTrace is not null) Console.WriteLine($"like {Limits.Printable(r.GetValue(like), 200)}: {likeTrace.FaultSteps} steps before its liveness phase on {likeTrace.Swarm.Nodes} nodes, {likeTrace.Outcome.Violation?.Invariant.ToString() ?? "no violation"}");
            Console.WriteLine($"searching: bug={settings.Bug} breaks={target} nodes={string.Join(",", settings.Sizes)} max-depth={settings.MaxDepth} max-states={settings.MaxStates} {settings.DescribeBudget()}");
            MinimumResult result = MinimumSearch.Run(settings, r.GetValue(verbose) ? Console.WriteLine : null);
            foreach (MinimumSizeOutcome o in result.Sizes) Console.WriteLine($"  {o.Describe()}");
            if (result.OtherViolations > 0) Console.WriteLine($"  ({result.OtherViolations} schedules ended in another invariant's violation and were not extended)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"minimum: {result.Summary}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"searched {result.States} states in {result.Seconds:0.00} s"));
            if (result.Status == MinimumStatus.NotApplicable)
            {
                Console.WriteLine("a liveness violation is found after the fault phase (the healed world's liveness phase), so it has no minimum in steps");
                return Program.ExitOk;
            }
            if (result.Status != MinimumStatus.Found) return Program.ExitOk;

            ScheduleResult run = MinimumSearch.Record(result);
            foreach (TraceStep s in run.Trace!)
            {
                string detail = EventText.Outcome(s.Event.Kind, s.Outcome);
                string ev = detail.Length > 0 ? $"{EventText.Event(s.Event)} [{detail}]" : EventText.Event(s.Event);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Step,4}  {Limits.Printable(ev, 2000)}"));
            }
            Console.WriteLine($"violates: {run.Violation}");
            try { TraceWriter.Write(TraceFile.From(run), outPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write the trace to {outPath} ({e.Message}); choose another --output");
            }
            Console.WriteLine($"wrote {outPath}");
            Console.WriteLine($"replay: {ToolCommand.Replay(outPath)}");
            return Program.ExitOk;
        });
        return cmd;
    }

    /// <summary>A fault budget: the keys given override <paramref name="defaults"/> (not explore's defaults); "none" for no faults.</summary>
    private static FaultBudget ParseFaults(string text, FaultBudget defaults)
    {
        try { return text.Trim() == "none" ? FaultBudget.NoFaults : FaultBudget.Parse(defaults + "," + text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }
}
