using Raft.Core.Node;
using Raft.Model.Contract;
using Raft.Model.Exploration;
using Raft.Model.Nodes;
using Raft.Model.Traces;
using Raft.Properties.Hardening;

namespace Raft.Properties.Contract;

/// <summary>Raft.Core behind a forwarding node: another implementation the command line can load (--node).</summary>
public sealed class ForwardedCore : IRaftImplementation
{
    public string Name => "forwarded-core";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new ForwardingNode(CoreNodes.Standard(id, clusterSize, seed, options, state));
}

/// <summary>The same, broken: at every start it forgets whom it voted for (its disk's vote is not read).</summary>
public sealed class ForgetsItsVote : IRaftImplementation
{
    public string Name => "forgets-its-vote";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new ForwardingNode(CoreNodes.Standard(id, clusterSize, seed, options, new PersistedState
        {
            Term = state.Term, VotedFor = RaftNode.None, SnapshotIndex = state.SnapshotIndex, SnapshotTerm = state.SnapshotTerm,
            SnapshotData = state.SnapshotData, Entries = state.Entries,
        }));
}

/// <summary>Raft.Core that answers every Start() with "not leader": the lab's agreement tests fail at once.</summary>
public sealed class RefusesProposals : IRaftImplementation
{
    public string Name => "refuses-proposals";

    public IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state) =>
        new Refusing(CoreNodes.Standard(id, clusterSize, seed, options, state));

    private sealed class Refusing(IRaftNode inner) : ForwardingNode(inner)
    {
        public override ProposeResult Propose(byte[] command) => new(-1, Term, false);
    }
}

/// <summary>
/// <c>--node PATH.dll[:TYPE]</c>: explore, lab, replay and shrink run an implementation loaded from an
/// assembly; its traces name it, so replay and shrink need no option; every way the option can be
/// wrong is one line and exit code 2.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class NodeOptionTests : IDisposable
{
    private static readonly string Assembly = typeof(ForgetsItsVote).Assembly.Location;
    private static string Spec<T>() => Assembly + ":" + typeof(T).FullName;
    private readonly string _dir = Directory.CreateTempSubdirectory("raftverify-node-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ABrokenImplementation_IsExplored_AndItsTraceReplaysAndShrinks_WithoutTheOption()
    {
        Cli.Result explore = Cli.Run("explore", "--node", Spec<ForgetsItsVote>(), "--workers", "1", "--out", _dir);
        Assert.True(explore.Code == 1, explore.Out + explore.Err);
        Assert.Contains("node=forgets-its-vote", explore.Out);
        string trace = Assert.Single(Directory.GetFiles(_dir, "forgets-its-vote-*.trace.jsonl"));
        TraceFile read = TraceReader.Read(trace);
        Assert.Equal(new NodeSource(Assembly, typeof(ForgetsItsVote).FullName!, "forgets-its-vote"), read.Settings.Node);

        Cli.Result replay = Cli.Run("replay", trace);
        Assert.True(replay.Code == 1, replay.Out + replay.Err);
        Assert.Contains("REPRODUCED", replay.Out);
        Assert.Contains("node=forgets-its-vote", replay.Out);

        string shrunk = Path.Combine(_dir, "shrunk.trace.jsonl");
        Cli.Result shrink = Cli.Run("shrink", trace, "-o", shrunk, "--time-limit", "30");
        Assert.True(shrink.Code == 0, shrink.Out + shrink.Err);
        Assert.Equal(read.Settings.Node, TraceReader.Read(shrunk).Settings.Node);
        Assert.Equal(1, Cli.Run("replay", shrunk).Code);
    }

    [Fact]
    public void TheCorrectImplementation_ExploresClean()
    {
        Cli.Result r = Cli.Run("explore", "--node", Spec<ForwardedCore>(), "--iterations", "300", "--workers", "1", "--out", _dir);
        Assert.True(r.Code == 0, r.Out + r.Err);
    }

    [Fact]
    public void TheLab_RunsAnImplementation_AndItsReproduceLineNamesIt()
    {
        Cli.Result r = Cli.Run("lab", "2B", "--test", "TestBasicAgree2B", "--node", Spec<RefusesProposals>());
        Assert.Equal(1, r.Code);
        string reproduce = r.Out.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("reproduce:", StringComparison.Ordinal));
        Assert.Equal($"reproduce: dotnet raftverify lab 2B --test TestBasicAgree2B --seed 1 --node {Spec<RefusesProposals>()}", reproduce);
        // the line, run as printed (without the tool's name), fails the same way
        string[] args = reproduce["reproduce: dotnet raftverify ".Length..].Split(' ');
        Cli.Result again = Cli.Run(args);
        Assert.Equal(1, again.Code);
        Assert.Equal(r.Out.Split('\n').First(l => l.Contains("failed with seed", StringComparison.Ordinal)), again.Out.Split('\n').First(l => l.Contains("failed with seed", StringComparison.Ordinal)));
        Assert.Equal(0, Cli.Run("lab", "2B", "--test", "TestBasicAgree2B", "--node", Spec<ForwardedCore>()).Code);
    }

    [Fact]
    public void ATraceMadeByACSharpFactory_SaysSo_InsteadOfReplayingRaftCore()
    {
        ExploreReport report = Explorer.Run(new ExploreSettings { Iterations = 10_000, Workers = 1, Factory = new ForgetsItsVote().AsFactory() });
        string path = Path.Combine(_dir, "csharp.trace.jsonl");
        TraceWriter.Write(TraceFile.From(report.FirstViolation!), path);
        Assert.Equal(NodeSource.FromCSharp, TraceReader.Read(path).Settings.Node);
        Cli.Result replay = Cli.Run("replay", path);
        Assert.Equal(2, replay.Code);
        Assert.Single(replay.ErrLines);
        Assert.Contains("a node factory given in C#", replay.Err);
        // given the implementation, it replays
        Assert.Equal(1, Cli.Run("replay", path, "--node", Spec<ForgetsItsVote>()).Code);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("directory")]
    [InlineData("not-dotnet")]
    [InlineData("no-implementation")]
    [InlineData("two-implementations")]
    [InlineData("unknown-type")]
    [InlineData("with-bug")]
    public void EveryWrongNode_IsOneLine_AndExitCode2(string how)
    {
        string notDotnet = Path.Combine(_dir, "garbage.dll");
        File.WriteAllText(notDotnet, "not an assembly");
        string[] args = how switch
        {
            "missing" => ["explore", "--node", Path.Combine(_dir, "nope.dll")],
            "directory" => ["explore", "--node", _dir],
            "not-dotnet" => ["explore", "--node", notDotnet],
            "no-implementation" => ["explore", "--node", typeof(RaftNode).Assembly.Location],
            "two-implementations" => ["explore", "--node", Assembly],
            "unknown-type" => ["lab", "--node", Assembly + ":No.Such.Type"],
            _ => ["explore", "--bug", "vote-not-durable", "--node", Spec<ForwardedCore>()],
        };
        Cli.Result r = Cli.Run(args);
        Assert.True(r.Code == 2, $"{how}: exit {r.Code}\n{r.Out}\n{r.Err}");
        Assert.Single(r.ErrLines);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
