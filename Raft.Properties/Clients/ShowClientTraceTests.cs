using Raft.Model.Exploration;
using Raft.Model.Traces;
using Raft.Properties.Hardening;

namespace Raft.Properties.Clients;

/// <summary>`show` on a client-history violation: the last line names the key and its operations, and no empty node list.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ShowClientTraceTests
{
    [Fact]
    public void Show_ALinearizabilityViolation_EndsWithItsDetail_AndNoEmptyNodeList()
    {
        ScheduleResult found = Explorer.Run(new ExploreSettings { Bug = "read-before-term-commit", Seed = 1, Iterations = 2_000, Workers = 1 }).FirstViolation!;
        string path = Path.Combine(Path.GetTempPath(), $"raftverify-show-{Environment.ProcessId}.trace.jsonl");
        try
        {
            TraceWriter.Write(TraceFile.From(found), path);
            Cli.Result r = Cli.Run("show", path);
            string last = r.Out.TrimEnd().Split('\n')[^1];
            Assert.StartsWith(">> Linearizability violated at step", last);
            Assert.Contains("is not linearizable", last);
            Assert.DoesNotContain("(nodes ;", last);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
