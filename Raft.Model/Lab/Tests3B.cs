using System.Globalization;
using static Raft.Model.Lab.KvHelpers;

namespace Raft.Model.Lab;

/// <summary>Lab 3B: the key-value service with snapshots, maxraftstate 1000 (kvraft's test_test.go, 3B section).</summary>
public static class Tests3B
{
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A server that falls behind and rejoins must catch up through InstallSnapshot; the majority must
    /// discard committed log entries even when the minority does not respond.
    /// </summary>
    public static async Task SnapshotRpc(LabContext ctx)
    {
        const int nservers = 3;
        const int maxraftstate = 1000;
        KvConfig cfg = ctx.MakeKvConfig(nservers, false, maxraftstate);
        Clerk ck = cfg.MakeClient(cfg.All());
        cfg.Begin("Test: InstallSnapshot RPC (3B)");
        await Put(cfg, ck, "a", "A");
        await Check(cfg, ck, "a", "A");

        // a bunch of puts into the majority partition
        cfg.Partition([0, 1], [2]);
        {
            Clerk ck1 = cfg.MakeClient([0, 1]);
            for (int i = 0; i < 50; i++) await Put(cfg, ck1, S(i), S(i));
            await cfg.Sleep(KvConfig.ElectionTimeoutMs);
            await Put(cfg, ck1, "b", "B");
        }

        // check that the majority partition has thrown away most of its log entries
        CheckLogTrimmed(cfg, maxraftstate);

        // now make a group that requires participation of the lagging server, so that it has to catch up
        cfg.Partition([0, 2], [1]);
        {
            Clerk ck1 = cfg.MakeClient([0, 2]);
            await Put(cfg, ck1, "c", "C");
            await Put(cfg, ck1, "d", "D");
            await Check(cfg, ck1, "a", "A");
            await Check(cfg, ck1, "b", "B");
            await Check(cfg, ck1, "1", "1");
            await Check(cfg, ck1, "49", "49");
        }

        // now everybody
        cfg.Partition([0, 1, 2], []);
        await Put(cfg, ck, "e", "E");
        await Check(cfg, ck, "c", "C");
        await Check(cfg, ck, "e", "E");
        await Check(cfg, ck, "1", "1");
        cfg.End();
    }

    /// <summary>The snapshots must stay small: 500 bytes is a generous bound for these operations.</summary>
    public static async Task SnapshotSize(LabContext ctx)
    {
        const int nservers = 3;
        const int maxraftstate = 1000;
        const int maxsnapshotstate = 500;
        KvConfig cfg = ctx.MakeKvConfig(nservers, false, maxraftstate);
        Clerk ck = cfg.MakeClient(cfg.All());
        cfg.Begin("Test: snapshot size is reasonable (3B)");
        for (int i = 0; i < 200; i++)
        {
            await Put(cfg, ck, "x", "0");
            await Check(cfg, ck, "x", "0");
            await Put(cfg, ck, "x", "1");
            await Check(cfg, ck, "x", "1");
        }
        // check that servers have thrown away most of their log entries
        CheckLogTrimmed(cfg, maxraftstate);
        // check that the snapshots are not unreasonably large
        CheckSnapshotSize(cfg, maxsnapshotstate);
        cfg.End();
    }

    public static Task Speed(LabContext ctx) => KvGeneric.GenericTestSpeed(ctx, "3B", 1000);

    public static Task SnapshotRecover(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 1, 5, false, true, false, 1000, false);

    public static Task SnapshotRecoverManyClients(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 20, 5, false, true, false, 1000, false);

    public static Task SnapshotUnreliable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 5, 5, true, false, false, 1000, false);

    public static Task SnapshotUnreliableRecover(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 5, 5, true, true, false, 1000, false);

    public static Task SnapshotUnreliableRecoverConcurrentPartition(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 5, 5, true, true, true, 1000, false);

    public static Task SnapshotUnreliableRecoverConcurrentPartitionLinearizable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3B", 15, 7, true, true, true, 1000, true);
}
