using Microsoft.Coyote.Actors;
using Microsoft.Coyote.SystematicTesting;

namespace Raft.Coyote;

/// <summary>
/// Coyote test methods for the <c>coyote test</c> command-line tool (docs/coyote.md): the harness
/// on the variant named by RAFTVERIFY_COYOTE_BUG (default the correct core). Violations are also
/// written as RaftVerify traces under RAFTVERIFY_COYOTE_TRACES (default the temp directory).
/// </summary>
public static class CoyoteEntryPoints
{
    public const string BugVariable = "RAFTVERIFY_COYOTE_BUG";
    public const string TracesVariable = "RAFTVERIFY_COYOTE_TRACES";

    [Test]
    public static void Harness(IActorRuntime runtime)
    {
        var options = new CoyoteHarnessOptions
        {
            Bug = Environment.GetEnvironmentVariable(BugVariable) is { Length: > 0 } bug ? bug : "none",
            TraceDirectory = Environment.GetEnvironmentVariable(TracesVariable),
        };
        RaftCoyoteTest.Start(runtime, options, f => Console.WriteLine($"RaftVerify trace of the violation: {f.TracePath} ({Raft.Model.Traces.ToolCommand.Replay(Path.GetFullPath(f.TracePath))})"));
    }
}
