using Raft.Core.Messages;
using Raft.Model.Services;

namespace Raft.Properties.Model;

/// <summary>The lab applier's checks (config.go applier and applierSnap).</summary>
public sealed class ApplierTests
{
    private static (Applier A, Applier B) Pair(bool snapshot = false)
    {
        var all = new Applier[2];
        all[0] = new Applier(0, all, snapshot, 10);
        all[1] = new Applier(1, all, snapshot, 10);
        return (all[0], all[1]);
    }

    private static Entry E(long v) => new(1, Commands.Int(v));

    [Fact]
    public void DifferentCommandsAtOneIndex_AreACommitMismatch()
    {
        var (a, b) = Pair();
        a.Apply(1, E(10));
        b.Apply(1, E(11));
        Assert.Null(a.Error);
        Assert.Equal("commit index=1 server=1 11 != server=0 10", b.Error);
    }

    [Fact]
    public void SameCommandsOnEveryServer_AreFine()
    {
        var (a, b) = Pair();
        for (int i = 1; i <= 5; i++) { a.Apply(i, E(i)); b.Apply(i, E(i)); }
        Assert.Null(a.Error);
        Assert.Null(b.Error);
        Assert.Equal(5, b.LastApplied);
    }

    [Fact]
    public void AGap_IsAnOutOfOrderApply()
    {
        var (a, _) = Pair();
        a.Apply(1, E(1));
        a.Apply(3, E(3));
        Assert.Equal("server 0 apply out of order, expected index 2, got 3", a.Error);
    }

    [Fact]
    public void ApplyingAnIndexTwice_IsReported()
    {
        var (a, _) = Pair();
        a.Apply(1, E(1));
        a.Apply(1, E(1));
        Assert.Contains("applied index 1 twice", a.Error);
    }

    [Fact]
    public void AfterRestart_ReapplyingTheSameValuesIsFine()
    {
        var (a, b) = Pair();
        a.Apply(1, E(1)); b.Apply(1, E(1));
        a.Restart();
        a.Apply(1, E(1));
        Assert.Null(a.Error);
    }

    [Fact]
    public void SnapshotMode_AsksForASnapshotAtIndex9_AndItInstallsElsewhere()
    {
        var (a, b) = Pair(snapshot: true);
        for (int i = 1; i <= 8; i++) a.Apply(i, E(i));
        Assert.Null(a.PendingSnapshot);
        a.Apply(9, E(9));
        var snap = Assert.NotNull(a.PendingSnapshot);
        Assert.Equal(9, snap.Index);
        b.Install(9, snap.Data);
        Assert.Null(b.Error);
        Assert.Equal(9, b.LastApplied);
        Assert.True(Commands.Same(Commands.Int(7), b.CommandAt(7)));
    }

    [Fact]
    public void SnapshotWhoseIndexDisagreesWithItsData_IsReported()
    {
        var (a, b) = Pair(snapshot: true);
        for (int i = 1; i <= 9; i++) a.Apply(i, E(i));
        b.Install(12, a.PendingSnapshot!.Value.Data);
        Assert.Equal("server 1 snapshot index mismatch: message says 12, data holds 9", b.Error);
    }

    [Fact]
    public void SnapshotThatMovesStateBackwards_IsReported()
    {
        var (a, b) = Pair(snapshot: true);
        for (int i = 1; i <= 9; i++) a.Apply(i, E(i));
        for (int i = 1; i <= 12; i++) b.Apply(i, E(i));
        b.Install(9, a.PendingSnapshot!.Value.Data);
        Assert.Contains("would move service state back from 12", b.Error);
    }

    [Fact]
    public void CorruptSnapshot_IsReportedNotThrown()
    {
        var (_, b) = Pair(snapshot: true);
        b.Install(3, [0x03, 0x05]);
        Assert.StartsWith("server 1 cannot decode snapshot", b.Error);
    }
}
