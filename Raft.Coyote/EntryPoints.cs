using Microsoft.Coyote.Actors;
using Microsoft.Coyote.SystematicTesting;
using Raft.Model.Traces;

namespace Raft.Coyote;

/// <summary>
/// Coyote test methods for the <c>dotnet coyote test</c> command-line tool (docs/coyote.md): one per
/// harness, on the variant named by RAFTVERIFY_COYOTE_BUG (default the correct core). A finding is
/// also written as a RaftVerify trace under RAFTVERIFY_COYOTE_TRACES (default the temp directory's
/// raftverify-coyote), and its path and replay command are printed.
/// </summary>
public static class CoyoteEntryPoints
{
    public const string BugVariable = "RAFTVERIFY_COYOTE_BUG";
    public const string TracesVariable = "RAFTVERIFY_COYOTE_TRACES";

    /// <summary>One actor drives the world; every event is a Coyote controlled choice.</summary>
    [Test]
    public static void Serial(IActorRuntime runtime) => Start(runtime, CoyoteHarnessKind.Serial);

    /// <summary>An actor per node and one for the environment; Coyote's scheduler orders their steps.</summary>
    [Test]
    public static void PerNode(IActorRuntime runtime) => Start(runtime, CoyoteHarnessKind.PerNode);

    private static void Start(IActorRuntime runtime, CoyoteHarnessKind harness)
    {
        var options = new CoyoteHarnessOptions
        {
            Bug = Environment.GetEnvironmentVariable(BugVariable) is { Length: > 0 } bug ? bug : "none",
            Harness = harness,
            TraceDirectory = Environment.GetEnvironmentVariable(TracesVariable),
        };
        RaftCoyoteTest.Start(runtime, options, f =>
            Console.WriteLine($"RaftVerify trace of the violation: {f.TracePath} ({ToolCommand.Replay(Path.GetFullPath(f.TracePath))})"));
    }
}
