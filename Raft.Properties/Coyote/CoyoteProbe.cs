using Raft.Coyote;
using Raft.Model.Exploration;
using Xunit.Abstractions;

namespace Raft.Properties.Coyote;

[Trait("Engine", "CoyoteProbe")]
public sealed class CoyoteProbe(ITestOutputHelper output)
{
    private void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("PROBE_LOG") is { } file) File.AppendAllText(file, line + Environment.NewLine);
    }

    [Fact]
    public void Probe()
    {
        string bugs = Environment.GetEnvironmentVariable("PROBE_BUGS") ?? "none";
        string[] strategies = (Environment.GetEnvironmentVariable("PROBE_STRATEGIES") ?? "random").Split(',');
        foreach (string bug in bugs == "all" ? ["none", .. BugCatalog.All.Select(b => b.Name)] : bugs.Split(','))
            foreach (string s in strategies)
            {
                HarnessState? last = null;
                var budget = CoyoteBudget.FromEnvironment(new CoyoteBudget { Strategy = s, Iterations = 200 });
                CoyoteOutcome o = CoyoteRunner.Run(new CoyoteHarnessOptions { Bug = bug, OnIteration = h => last = h }, budget);
                if (last is not null)
                {
                    output.WriteLine($"last iteration: {last.Recorder.Steps.Count} steps, faultsStopped={last.FaultsStopped} ended={last.Recorder.Ended} done={last.Recorder.WorkloadDone} proposalsLeft={last.Recorder.World.ProposalsLeft} nodes={last.Recorder.World.DescribeNodes()}");
                    if (o.Bugs.Any(b => b.Contains("liveness"))) foreach (var st in last.Recorder.Steps.TakeLast(8)) output.WriteLine($"   {st.Step} {st.Event} {st.Detail} | {st.Nodes}");
                }
                Log($"{bug,-28} {s,-20} found={o.FoundBug} iters={o.Iterations} {o.Seconds:F1}s {o.IterationsPerSecond:F0}/s bugs={string.Join(" | ", o.Bugs).Replace("\n", " ")[..Math.Min(200, string.Join(" | ", o.Bugs).Length)]} findings={o.Findings.Count} fairSteps={o.Report.TotalExploredFairSteps} unfairSteps={o.Report.TotalExploredUnfairSteps} hitMax={o.Report.MaxUnfairStepsHitInUnfairTests}/{o.Report.MaxFairStepsHitInFairTests}");
            }
    }
}
