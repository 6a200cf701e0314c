using Raft.Model.Contract;
using Raft.Model.Exploration;
using Raft.Model.Lab;
using Raft.Model.Nodes;
using Raft.Model.Simulation;

namespace Raft.Properties.Contract;

/// <summary>
/// A node that holds resources (a process, a slot in one) implements <see cref="IDisposable"/>, and
/// the world disposes every node it built exactly once: when it crashes, or when the world is done
/// (a schedule, a lab test, a dfs path). Without that, a long run would leak what its nodes hold.
/// </summary>
public sealed class NodeLifetimeTests
{
    private sealed class Counts
    {
        public int Built, Disposed, Twice;
    }

    private sealed class Tracked(IRaftNode inner, Counts counts) : ForwardingNode(inner), IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) Interlocked.Increment(ref counts.Twice);
            else Interlocked.Increment(ref counts.Disposed);
        }
    }

    private static NodeFactory Tracking(Counts counts) => (id, n, seed, o, st) =>
    {
        Interlocked.Increment(ref counts.Built);
        return new Tracked(CoreNodes.Standard(id, n, seed, o, st), counts);
    };

    [Fact]
    public void TheExplorer_DisposesEveryNodeItBuilt_Once_CrashedOrNot()
    {
        var counts = new Counts();
        ExploreReport r = Explorer.Run(new ExploreSettings { Iterations = 200, Workers = 2, Factory = Tracking(counts) });
        Assert.True(r.Coverage.Crashes > 0, "the schedules crash nodes");
        Assert.True(counts.Built > 200 * 3);
        Assert.Equal(counts.Built, counts.Disposed);
        Assert.Equal(0, counts.Twice);
    }

    [Fact]
    public void TheLab_DisposesEveryNodeItBuilt_Once()
    {
        var counts = new Counts();
        LabSuite.Run(LabSuite.Get("TestFigure82C"), seed: 1, factory: Tracking(counts));
        Assert.True(counts.Built > 5);
        Assert.Equal(counts.Built, counts.Disposed);
        Assert.Equal(0, counts.Twice);
    }

    [Fact]
    public void Dfs_DisposesEveryNodeItBuilt_Once()
    {
        var counts = new Counts();
        Explorer.Run(new ExploreSettings { Strategy = "dfs", Nodes = 3, MaxSteps = 6, Proposals = 1, Faults = FaultBudget.NoFaults, Iterations = 300, Workers = 1, Factory = Tracking(counts) });
        Assert.Equal(counts.Built, counts.Disposed);
    }
}
