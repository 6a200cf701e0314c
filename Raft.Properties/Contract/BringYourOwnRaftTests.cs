using Raft.Model.Contract;
using Raft.Model.Nodes;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Lab;
using Raft.Model.Shrinking;
using Raft.Model.Traces;
using Raft.Model.Simulation;

namespace Raft.Properties.Contract;

/// <summary>
/// The world drives nodes only through <see cref="IRaftNode"/>: an implementation that is not
/// <see cref="RaftNode"/> plugs into the lab (and its checkers) through a node factory.
/// </summary>
public sealed class BringYourOwnRaftTests
{
    /// <summary>Another C# implementation of the contract: here it delegates to an inner node it owns, counting calls.</summary>
    private sealed class OtherRaft(IRaftNode inner) : ForwardingNode(inner)
    {
        public int Steps { get; private set; }

        public override void Step(in Envelope m)
        {
            Steps++;
            base.Step(m);
        }
    }

    [Theory]
    [InlineData("TestBasicAgree2B")]
    [InlineData("TestFigure82C")]
    public void AnotherImplementation_RunsTheLabTests_ThroughTheContractAlone(string test)
    {
        var built = new List<OtherRaft>();
        NodeFactory factory = (id, n, seed, options, state) =>
        {
            var node = new OtherRaft(CoreNodes.Standard(id, n, seed, options, state));
            built.Add(node);
            return node;
        };
        LabResult result = LabSuite.Run(LabSuite.Get(test), 1, null, factory);
        Assert.NotNull(result);
        Assert.NotEmpty(built);
        Assert.True(built.Sum(b => b.Steps) > 0);
    }

    /// <summary>The other implementation with a bug of its own: at start it forgets whom it voted for.</summary>
    private static readonly NodeFactory ForgetfulVoter = (id, n, seed, options, state) =>
        new OtherRaft(CoreNodes.Standard(id, n, seed, options, new PersistedState
        {
            Term = state.Term, VotedFor = RaftNode.None, SnapshotIndex = state.SnapshotIndex, SnapshotTerm = state.SnapshotTerm,
            SnapshotData = state.SnapshotData, Entries = state.Entries,
        }));

    [Fact]
    public void AnotherImplementation_IsExplored_Replayed_AndShrunk_ThroughTheContract()
    {
        ExploreSettings correct = new() { Iterations = 300, Workers = 1, Factory = (id, n, seed, o, st) => new OtherRaft(CoreNodes.Standard(id, n, seed, o, st)) };
        Assert.Null(Explorer.Run(correct).FirstViolation);

        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 10_000, Workers = 1, Factory = ForgetfulVoter });
        ScheduleResult found = Assert.IsType<ScheduleResult>(r.FirstViolation);
        TraceFile trace = TraceFile.From(found);
        // the trace names no catalog bug: replaying or shrinking it needs the same factory again
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(trace.WithFactory(ForgetfulVoter)).Status);
        ShrinkReport shrunk = Shrinker.Shrink(trace.WithFactory(ForgetfulVoter));
        Assert.Equal(found.Violation!.Invariant, shrunk.Shrunk.Outcome.Violation!.Invariant);
        Assert.True(shrunk.ShrunkFaultSteps <= shrunk.OriginalFaultSteps);
    }
}
