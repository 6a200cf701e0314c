// Runs RaftVerify on MyRaft from C#: the 6.824 lab tests, the explorer, and on a violation the
// trace, its replay and its shrinking.
//   dotnet run -c Release                         a short check of everything (as below, small budgets)
//   dotnet run -c Release -- lab [2A|2B|2C|2D|TestName]... [--seed N] [--impl NAME]
//   dotnet run -c Release -- explore [--strategy S] [--iterations N] [--seed N] [--mode timed] [--impl NAME]
//   dotnet run -c Release -- find [--impl NAME]     explore a broken MyRaft to a violation, replay it, shrink it
// NAME is myraft (the default), myraft-votes-for-stale-logs or myraft-forgets-vote.
using Raft.Model.Contract;
using Raft.Model.Exploration;
using Raft.Model.Lab;
using Raft.Model.Shrinking;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using MyRaft;

IRaftImplementation correct = new MyRaftImplementation();
IRaftImplementation broken = new VotesForStaleLogs();
IRaftImplementation[] all = [correct, broken, new ForgetsVoteOnRestart()];

string command = args.Length > 0 ? args[0] : "check";
string? Option(string name) => Array.IndexOf(args, name) is int k and >= 0 && k + 1 < args.Length ? args[k + 1] : null;
IRaftImplementation chosen = all.FirstOrDefault(i => i.Name == (Option("--impl") ?? "myraft"))
    ?? throw new ArgumentException($"no implementation named {Option("--impl")}: {string.Join(", ", all.Select(i => i.Name))}");

switch (command)
{
    case "lab":
    {
        ulong seed = ulong.Parse(Option("--seed") ?? "1");
        string[] names = args.Skip(1).Where(a => !a.StartsWith("--") && a != Option("--seed") && a != Option("--impl")).ToArray();
        bool passed = RunLab(chosen, names.Length == 0 ? ["2A", "2B", "2C", "2D"] : names, seed);
        return passed ? 0 : 1;
    }
    case "explore":
    {
        var settings = new ExploreSettings
        {
            Factory = chosen.AsFactory(),
            Strategy = Option("--strategy") ?? "random",
            Iterations = int.Parse(Option("--iterations") ?? "10000"),
            Seed = ulong.Parse(Option("--seed") ?? "1"),
            Mode = Option("--mode") == "timed" ? WorldMode.Timed : WorldMode.Adversarial,
        };
        return Explore(chosen, settings) is null ? 0 : 1;
    }
    case "find":
        return FindReplayShrink(Option("--impl") is null ? broken : chosen) ? 0 : 1;
    case "check":
    {
        // A bounded budget: a few lab tests, a short explore of the correct MyRaft with no violation,
        // and the broken one found, its trace replayed and shrunk.
        bool ok = RunLab(correct, ["TestReElection2A", "TestFigure82C", "TestSnapshotInstallCrash2D"], seed: 1);
        foreach (string strategy in new[] { "random", "pct", "delay-bounded", "guided" })
            ok &= Explore(correct, new ExploreSettings { Factory = correct.AsFactory(), Strategy = strategy, Iterations = 500 }) is null;
        ok &= FindReplayShrink(broken);
        Console.WriteLine(ok ? "MyRaft: all checks passed" : "MyRaft: a check failed");
        return ok ? 0 : 1;
    }
    default:
        Console.Error.WriteLine($"unknown command {command}: use lab, explore, find or check");
        return 2;
}

static bool RunLab(IRaftImplementation raft, string[] names, ulong seed)
{
    bool passed = true;
    foreach (LabTest test in LabSuite.All.Where(t => names.Contains(t.Name) || names.Contains(t.Part)))
        passed &= LabSuite.RunVerbose(test, seed, Console.WriteLine, raft.AsFactory()).Passed;
    return passed;
}

static ScheduleResult? Explore(IRaftImplementation raft, ExploreSettings settings)
{
    ExploreReport report = Explorer.Run(settings);
    Console.WriteLine($"{raft.Name}, {settings.Strategy}: {report.Coverage.Schedules} schedules, "
        + $"{report.ViolatingSchedules} violating, {report.Seconds:0.0}s");
    Coverage c = report.Coverage;
    Console.WriteLine($"  {c.Steps} steps, {c.Elections} leaders elected, {c.Commits} entries committed, "
        + $"{c.Crashes} crashes, {c.SnapshotsInstalled} snapshots installed, {c.LivenessChecked} liveness phases");
    if (report.FirstViolation is { Violation: { } v } found)
        Console.WriteLine($"  first: schedule {found.Iteration}, step {found.ViolationStep}: {v.Invariant} violated: {v.Detail}");
    return report.FirstViolation;
}

static bool FindReplayShrink(IRaftImplementation raft)
{
    ScheduleResult? found = Explore(raft, new ExploreSettings { Factory = raft.AsFactory(), Strategy = "delay-bounded" });
    if (found?.Violation is not { } violation) { Console.WriteLine($"{raft.Name}: no violation found"); return false; }

    // A trace records the schedule; replaying or shrinking it needs the same implementation again.
    TraceFile trace = TraceFile.From(found).WithFactory(raft.AsFactory());
    ReplayReport replay = Replayer.Replay(trace);
    Console.WriteLine($"  replay: {replay.Status}");
    ShrinkReport shrunk = Shrinker.Shrink(trace, budget: TimeSpan.FromSeconds(30));
    Console.WriteLine($"  shrunk: {shrunk.OriginalSteps} -> {shrunk.ShrunkSteps} steps, {shrunk.OriginalNodes} -> {shrunk.ShrunkNodes} nodes: "
        + shrunk.Shrunk.Outcome.Violation?.Invariant);
    return replay.Status == ReplayStatus.Reproduced && Shrinker.SameViolation(violation, shrunk.Shrunk.Outcome.Violation);
}
