using Raft.Core.Node;
using Raft.Model.Simulation;
using System.CommandLine;
using System.Globalization;
using Raft.Model.Exploration;
using Raft.Model.Traces;
using Spectre.Console;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// raftverify explore: systematic exploration of schedules against the invariant checkers, with a
/// liveness phase after each; writes the trace of the first violation and prints its replay command.
/// </summary>
public static class ExploreCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Cluster size (default 0: swarm testing draws 3, 5 or 7 per schedule; N pins it)", DefaultValueFactory = _ => 0 };
        var strategy = new Option<string>("--strategy") { Description = "random | pct | delay-bounded | guided | dfs", DefaultValueFactory = _ => "random" };
        var parameter = new Option<int>("--strategy-parameter") { Description = "pct: bug depth (default 3); delay-bounded: delays (default 4); dfs: maximum term (default 2)" };
        var iterations = new Option<int>("--iterations") { Description = "Schedules to run (dfs: most paths)", DefaultValueFactory = _ => 10_000 };
        var maxSteps = new Option<int>("--max-steps") { Description = "Steps per schedule before the liveness phase", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong>("--seed") { Description = "Run seed; schedule i uses a seed derived from it and i", DefaultValueFactory = _ => 1 };
        var mode = new Option<string>("--mode") { Description = "adversarial (any event may come next) | timed (bounded delays, clocked timers)", DefaultValueFactory = _ => "adversarial" };
        var faults = new Option<string>("--faults") { Description = "Fault budget, e.g. crashes=2,partitions=3,drops=20,duplicates=10, or none", DefaultValueFactory = _ => FaultBudget.Default.ToString() };
        var proposals = new Option<int>("--proposals") { Description = "Client commands per schedule (default: swarm testing draws 1-12; without swarm 6)", DefaultValueFactory = _ => 6 };
        var livenessBound = new Option<int>("--liveness-bound") { Description = "Virtual ms after the liveness phase's network stabilises within which one() must commit a fresh command on every node (0: derived from each schedule's timers and cluster size)", DefaultValueFactory = _ => 0 };
        var workers = new Option<int>("--workers") { Description = "Parallel workers (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shard = new Option<string>("--shard") { Description = "k/N: run only this machine's share of the iterations", DefaultValueFactory = _ => "1/1" };
        var bug = new Option<string>("--bug") { Description = "Explore a deliberately broken core (see dotnet raftverify bugs)", DefaultValueFactory = _ => "none" };
        var outDir = new Option<string>("--out") { Description = "Where to write the violation's trace", DefaultValueFactory = _ => "raftverify-out" };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Run every schedule instead of stopping at the first violation" };
        var timeLimit = new Option<double>("--time-limit") { Description = "Wall-clock budget in seconds (0: none); a run cut short says so" };
        var noLiveness = new Option<bool>("--no-liveness") { Description = "Skip the liveness phase" };
        var corpus = new Option<string?>("--corpus") { Description = "guided: keep the corpus in this directory between runs (its schedules run first; the corpus the run ends with is written back)" };
        var coverage = new Option<string?>("--coverage") { Description = "Write an HTML report of the abstract-state coverage (counts and a growth plot) to this file" };
        var noSwarm = new Option<bool>("--no-swarm") { Description = "Same fault rates for every schedule instead of drawing them per schedule" };
        var lease = new Option<bool>("--lease") { Description = "Lease reads (RaftOptions.ReadOnly = LeaseBased) in every schedule instead of a third of them; the swarm still draws each schedule's clock drift" };
        var asyncReady = new Option<bool>("--async-ready") { Description = "Handle every Ready asynchronously (persist, send and apply as separate steps, input between them) where the swarm does not draw it: with --no-swarm, and dfs" };

        var legend = new Option<bool>("--legend") { Description = "Print what each row of the summary and each invariant means, and explore nothing" };

        var node = NodeOption.Create("Explore another Raft implementation instead of Raft.Core");
        var cmd = new Command("explore", "Explore schedules of a cluster systematically and check every invariant after every step; the summary's rows are explained by --legend")
        {
            nodes, strategy, parameter, iterations, maxSteps, seed, mode, faults, proposals, workers, shard, bug, node, outDir, keepGoing, timeLimit, noLiveness, noSwarm, asyncReady, livenessBound, coverage, corpus, lease, legend,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(legend))
            {
                SummaryTable.WriteLegend(Console.Out);
                return Program.ExitOk;
            }
            var settings = new ExploreSettings
            {
                Nodes = r.GetValue(nodes),
                Strategy = r.GetValue(strategy)!,
                StrategyParameter = r.GetValue(parameter),
                Iterations = r.GetValue(iterations),
                MaxSteps = r.GetValue(maxSteps),
                Seed = r.GetValue(seed),
                Mode = ParseMode(r.GetValue(mode)!),
                Faults = ParseFaults(r.GetValue(faults)!),
                Proposals = r.GetValue(proposals),
                SwarmProposals = r.GetResult(proposals) is null or { Implicit: true },
                LivenessBoundMs = r.GetValue(livenessBound),
                Workers = r.GetValue(workers),
                Bug = r.GetValue(bug)!,
                StopAtFirst = !r.GetValue(keepGoing),
                TimeLimitSeconds = r.GetValue(timeLimit),
                Liveness = !r.GetValue(noLiveness),
                Swarm = !r.GetValue(noSwarm),
                AsyncReady = r.GetValue(asyncReady),
                Corpus = r.GetValue(corpus) is { } corpusDir ? new CorpusDirectory(corpusDir) : null,
            };
            if (r.GetValue(lease)) settings = settings with { Raft = settings.Raft with { ReadOnly = ReadOnlyOption.LeaseBased } };
            (int k, int n) = ParseShard(r.GetValue(shard)!);
            settings = settings with { ShardIndex = k, ShardCount = n };
            if (r.GetValue(node) is { } spec)
            {
                if (settings.Bug != "none") throw new UsageException("--bug breaks Raft.Core; it does not go with --node");
                var (factory, source) = NodeOption.Load(spec);
                settings = settings with { Factory = factory, Node = source };
            }
            return Run(settings, r.GetValue(outDir)!, r.GetValue(coverage));
        });
        return cmd;
    }

    private static int Run(ExploreSettings settings, string outDir, string? coveragePath)
    {
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        // opened before the run, so a bad path fails at once rather than after it
        using FileStream? coverageFile = coveragePath is null ? null : CoverageReport.Open(coveragePath);
        if (settings.Corpus is CorpusDirectory corpusDir)
        {
            try { CorpusDirectory.CheckWritable(corpusDir.Location, settings); } // likewise: a campaign is never run for nothing
            catch (TraceFormatException e) { throw new UsageException($"--corpus: {e.Message}"); }
        }
        // installed until the trace is written: a Ctrl-C after the run has ended changes nothing, a second one quits
        using var interrupt = new Interrupt();
        Console.WriteLine($"exploring: {Describe(settings)}");
        ExploreReport report;
        try
        {
            report = ProgressReporter.Run(settings, interrupt.Token);
        }
        catch (TraceFormatException e)
        {
            throw new UsageException($"--corpus: {e.Message}"); // a corpus file that is not one: before any schedule ran
        }
        // the traces first, then the corpus: a run whose trace cannot be written leaves the corpus as it found it,
        // so the command the error suggests runs the same schedules again
        var written = new List<(ScheduleResult Result, string Path)>();
        if (report.FirstViolation is { } first)
        {
            written.Add((first, WriteTrace(settings, outDir, first)));
            foreach (ScheduleResult other in report.FirstOfOtherInvariants) written.Add((other, WriteTrace(settings, outDir, other)));
        }
        report.SaveCorpus();

        SummaryTable.Print(report);
        if (coverageFile is not null)
        {
            CoverageReport.Write(coverageFile, report, "explore: " + Describe(settings));
            Console.WriteLine($"coverage report: {coveragePath}");
        }
        if (report.Interrupted)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"interrupted: {report.Coverage.Schedules} of {report.Planned} schedules ran; the summary and any violation below cover those"));
        if (!settings.StopAtFirst)
        {
            foreach (var (iteration, violation, swarm) in report.Violations)
                Console.WriteLine($"violating schedule {iteration}: {violation.Invariant}: {Limits.Printable(violation.Detail, 160)} [{swarm.Describe()}]");
            if (report.ViolatingSchedules > report.Violations.Count)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"... and {report.ViolatingSchedules - report.Violations.Count} more violating schedules (only the first {Explorer.MaxKeptViolations} are listed)"));
        }

        bool corpusLost = false;
        if (report.Guidance?.Files is { SaveError: { } saveError } files)
        {
            corpusLost = true;
            Console.Error.WriteLine(Program.OneLine($"raftverify: the corpus was not saved to {files.Directory}: {saveError}"));
        }
        if (written.Count > 0)
        {
            for (int k = 0; k < written.Count; k++)
            {
                (ScheduleResult v, string path) = written[k];
                Console.WriteLine();
                Console.WriteLine(k == 0
                    ? $"VIOLATION in schedule {v.Iteration} at step {v.ViolationStep}: {v.Violation}"
                    : $"also {v.Violation!.Invariant} in schedule {v.Iteration} at step {v.ViolationStep}: {v.Violation}"); // --keep-going: every other invariant broken, with its first schedule's trace
                Console.WriteLine($"trace: {path}");
                Console.WriteLine($"reproduce: {ToolCommand.Replay(path)}");
            }
            return Program.ExitFailed;
        }
        Console.WriteLine(report.Interrupted ? "no violation found (interrupted)"
            : report.CutByTimeLimit ? "no violation found (the time limit cut the run short)" : "no violation found");
        return corpusLost ? Program.ExitUsage : Program.ExitOk;
    }

    /// <summary>
    /// Ctrl-C (SIGINT) while exploring: the first one cancels the run (workers finish their current
    /// schedule, then the summary and any trace found are written as at a normal end); a second one
    /// ends the process at once.
    /// </summary>
    private sealed class Interrupt : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private int _presses;

        public Interrupt() => Console.CancelKeyPress += OnCancelKeyPress;

        public CancellationToken Token => _cts.Token;

        private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            if (Interlocked.Increment(ref _presses) > 1) return; // the second Ctrl-C: let the process end
            e.Cancel = true;
            Console.Error.WriteLine("interrupted: finishing the schedules being run, then the summary (Ctrl-C again to quit at once)");
            _cts.Cancel();
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
            _cts.Dispose();
        }
    }

    /// <summary>
    /// The banner: what actually runs, not the options' raw values. A size or a number of proposals
    /// swarm testing draws per schedule is shown as the range drawn from ("nodes=3|5|7",
    /// "proposals=1-12"), and dfs shows the settings it runs with (3 nodes unless pinned, no swarm,
    /// no liveness phase, terms up to its parameter).
    /// </summary>
    public static string Describe(ExploreSettings settings)
    {
        bool dfs = settings.Strategy == "dfs";
        ExploreSettings s = dfs ? DfsExplorer.Effective(settings) : settings;
        string n(long x) => x.ToString(CultureInfo.InvariantCulture);
        string nodes = s.Nodes != 0 ? n(s.Nodes) : dfs ? "3" : s.Swarm ? string.Join('|', SwarmParameters.SizeChoices.Distinct()) : "3|5";
        string proposals = s.Swarm && s.SwarmProposals ? $"{SwarmParameters.MinProposals}-{SwarmParameters.MaxProposals}" : n(s.Proposals);
        return $"nodes={nodes} mode={TraceWriter.ModeName(s.Mode)} strategy={s.Strategy}{(s.StrategyParameter > 0 ? "(" + n(s.StrategyParameter) + ")" : "")} " +
            $"iterations={n(s.Iterations)} max-steps={n(s.MaxSteps)} seed={s.Seed.ToString(CultureInfo.InvariantCulture)} faults={s.Faults} proposals={proposals} " +
            $"{(s.Node is { } impl ? "node=" + impl.Name : "bug=" + s.Bug)} workers={n(s.Workers)} shard={n(s.ShardIndex)}/{n(s.ShardCount)}" +
            $"{(s.Swarm ? " swarm" : "")}{(s.AsyncReady ? " async-ready" : "")}{(s.Raft.ReadOnly == ReadOnlyOption.LeaseBased ? " lease" : "")}{(s.Liveness ? " liveness" : "")}";
    }

    /// <summary>Writes a violating schedule's trace under <paramref name="outDir"/>; a usage error when it cannot.</summary>
    private static string WriteTrace(ExploreSettings settings, string outDir, ScheduleResult v)
    {
        string name = $"{(settings.Node is { } impl ? FileSafe(impl.Name) : settings.Bug == "none" ? "core" : settings.Bug)}-{settings.Strategy}-seed{settings.Seed}-iter{v.Iteration}.trace.jsonl";
        string path = Path.Combine(outDir, name);
        try
        {
            TraceWriter.Write(TraceFile.From(v), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the trace to {path} ({e.Message}); choose another --out, or re-run this explore command: it is deterministic");
        }
        return path;
    }

    /// <summary>An implementation's name as part of a file name.</summary>
    private static string FileSafe(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').Take(40).ToArray();
        return chars.Length == 0 ? "node" : new string(chars);
    }

    private static WorldMode ParseMode(string m) => m switch
    {
        "timed" => WorldMode.Timed,
        "adversarial" => WorldMode.Adversarial,
        _ => throw new UsageException($"unknown mode '{m}': expected timed or adversarial"),
    };

    private static FaultBudget ParseFaults(string f)
    {
        try { return FaultBudget.Parse(f); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static (int, int) ParseShard(string s)
    {
        string[] p = s.Split('/');
        if (p.Length == 2 && int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && k >= 1 && k <= n)
            return (k, n);
        throw new UsageException($"--shard must be k/N with 1 <= k <= N (got '{s}')");
    }
}
