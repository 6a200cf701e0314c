using System.Globalization;
using static Raft.Model.Lab.KvHelpers;

namespace Raft.Model.Lab;

/// <summary>Lab 3A: the key-value service without snapshots (kvraft's test_test.go, 3A section).</summary>
public static class Tests3A
{
    public static Task Basic(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 1, 5, false, false, false, -1, false);

    public static Task Speed(LabContext ctx) => KvGeneric.GenericTestSpeed(ctx, "3A", -1);

    public static Task Concurrent(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, false, false, false, -1, false);

    public static Task Unreliable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, true, false, false, -1, false);

    /// <summary>Five clerks append to one key over an unreliable network: every append once, each clerk's in order.</summary>
    public static async Task UnreliableOneKey(LabContext ctx)
    {
        const int nservers = 3;
        KvConfig cfg = ctx.MakeKvConfig(nservers, true, -1);
        Clerk ck = cfg.MakeClient(cfg.All());
        cfg.Begin("Test: concurrent append to same key, unreliable (3A)");
        await Put(cfg, ck, "k", "");
        const int nclient = 5;
        const int upto = 10;
        await SpawnClientsAndWait(cfg, nclient, async (me, myck) =>
        {
            for (int n = 0; n < upto; n++)
                await Append(cfg, myck, "k", string.Create(CultureInfo.InvariantCulture, $"x {me} {n} y"));
            return true;
        });
        var counts = new int[nclient];
        Array.Fill(counts, upto);
        string vx = await Get(cfg, ck, "k");
        CheckConcurrentAppends(vx, counts);
        cfg.End();
    }

    /// <summary>
    /// A request in the minority partition must not complete until the partition heals; the leader of
    /// the original network ends up in the minority.
    /// </summary>
    public static async Task OnePartition(LabContext ctx)
    {
        const int nservers = 5;
        KvConfig cfg = ctx.MakeKvConfig(nservers, false, -1);
        Clerk ck = cfg.MakeClient(cfg.All());
        await Put(cfg, ck, "1", "13");

        cfg.Begin("Test: progress in majority (3A)");
        var (p1, p2) = cfg.MakePartition();
        cfg.Partition(p1, p2);
        Clerk ckp1 = cfg.MakeClient(p1); // connect ckp1 to p1
        Clerk ckp2a = cfg.MakeClient(p2); // connect ckp2a to p2
        Clerk ckp2b = cfg.MakeClient(p2); // connect ckp2b to p2
        await Put(cfg, ckp1, "1", "14");
        await Check(cfg, ckp1, "1", "14");
        cfg.End();

        cfg.Begin("Test: no progress in minority (3A)");
        Task done0 = Put(cfg, ckp2a, "1", "15");
        Task done1 = Get(cfg, ckp2b, "1"); // different clerk in p2
        await cfg.Sleep(1000);
        if (done0.IsCompleted) LabConfig.Fail("Put in minority completed");
        if (done1.IsCompleted) LabConfig.Fail("Get in minority completed");
        await Check(cfg, ckp1, "1", "14");
        await Put(cfg, ckp1, "1", "16");
        await Check(cfg, ckp1, "1", "16");
        cfg.End();

        cfg.Begin("Test: completion after heal (3A)");
        cfg.ConnectAll();
        cfg.ConnectClient(ckp2a, cfg.All());
        cfg.ConnectClient(ckp2b, cfg.All());
        await cfg.Sleep(KvConfig.ElectionTimeoutMs);
        if (await Task.WhenAny(done0, cfg.Sleep(30 * 100)) != done0) LabConfig.Fail("Put did not complete");
        await done0;
        // Go's select here has a default case: a Get not yet done is not waited for
        if (done1.IsFaulted) await done1;
        await Check(cfg, ck, "1", "15");
        cfg.End();
    }

    public static Task ManyPartitionsOneClient(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 1, 5, false, false, true, -1, false);

    public static Task ManyPartitionsManyClients(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, false, false, true, -1, false);

    public static Task PersistOneClient(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 1, 5, false, true, false, -1, false);

    public static Task PersistConcurrent(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, false, true, false, -1, false);

    public static Task PersistConcurrentUnreliable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, true, true, false, -1, false);

    public static Task PersistPartition(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, false, true, true, -1, false);

    public static Task PersistPartitionUnreliable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 5, 5, true, true, true, -1, false);

    public static Task PersistPartitionUnreliableLinearizable(LabContext ctx) => KvGeneric.GenericTest(ctx, "3A", 15, 7, true, true, true, -1, true);
}
