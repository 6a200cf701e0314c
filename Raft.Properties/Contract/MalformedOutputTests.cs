using Raft.Model.Contract;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Nodes;
using Raft.Model.Traces;

namespace Raft.Properties.Contract;

/// <summary>
/// A node that breaks the contract in what it hands out (a message to a node that does not exist,
/// a write that leaves a gap on disk) or throws is reported as a violation (CoreError, or the
/// storage oracle's own) with a one-line reason and a trace that replays, never a crash of the world.
/// </summary>
public sealed class MalformedOutputTests
{
    /// <summary>Once it has sent a few messages, addresses one to a node beyond the cluster.</summary>
    private sealed class MisaddressedNode(IRaftNode inner) : ForwardingNode(inner)
    {
        private int _sent;

        public override bool TryGetReady(out Ready ready)
        {
            if (!base.TryGetReady(out ready)) return false;
            List<Envelope> ms = ready.MessageBuffer;
            for (int k = 0; k < ms.Count; k++)
                if (++_sent == 5) ms[k] = ms[k] with { To = 9 };
            return true;
        }
    }

    /// <summary>Its first write of entries claims to start one index past where the disk ends.</summary>
    private sealed class GapWriter(IRaftNode inner) : ForwardingNode(inner)
    {
        public override bool TryGetReady(out Ready ready)
        {
            if (!base.TryGetReady(out ready)) return false;
            if (ready.PersistFrom > 0) ready.PersistFrom += 1;
            return true;
        }
    }

    /// <summary>Throws from its tenth Step.</summary>
    private sealed class Thrower(IRaftNode inner) : ForwardingNode(inner)
    {
        private int _steps;

        public override void Step(in Envelope message)
        {
            if (++_steps == 10) throw new FormatException("cannot decode the payload");
            base.Step(message);
        }
    }

    [Theory]
    [InlineData("misaddressed", Invariant.CoreError, "handed out a malformed message")]
    [InlineData("gap", Invariant.DurableLogContiguous, "")] // the storage oracle sees the write before the disk would refuse it
    [InlineData("throws", Invariant.CoreError, "FormatException: cannot decode the payload")]
    public void ABrokenNode_IsReported_WithItsReason_AndItsTraceReplays(string how, Invariant expected, string reason)
    {
        NodeFactory factory = how switch
        {
            "misaddressed" => (id, n, seed, o, st) => new MisaddressedNode(CoreNodes.Standard(id, n, seed, o, st)),
            "gap" => (id, n, seed, o, st) => new GapWriter(CoreNodes.Standard(id, n, seed, o, st)),
            _ => (id, n, seed, o, st) => new Thrower(CoreNodes.Standard(id, n, seed, o, st)),
        };
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 200, Workers = 1, Factory = factory });
        ScheduleResult found = Assert.IsType<ScheduleResult>(r.FirstViolation);
        Assert.Equal(expected, found.Violation!.Invariant);
        Assert.Contains(reason, found.Violation.Detail);
        Assert.DoesNotContain('\n', found.Violation.Detail);
        Assert.Equal(ReplayStatus.Reproduced, Replayer.Replay(TraceFile.From(found).WithFactory(factory)).Status);
    }
}
