namespace Raft.Model.Lab;

/// <summary>Lab 2D: snapshots and log compaction (test_test.go, 2D section, plus SnapshotInit from 2023).</summary>
public static class Tests2D
{
    public static Task SnapshotBasic(LabContext ctx) =>
        SnapCommon(ctx, "Test (2D): snapshots basic", disconnect: false, reliable: true, crash: false);

    public static Task SnapshotInstall(LabContext ctx) =>
        SnapCommon(ctx, "Test (2D): install snapshots (disconnect)", disconnect: true, reliable: true, crash: false);

    public static Task SnapshotInstallUnreliable(LabContext ctx) =>
        SnapCommon(ctx, "Test (2D): install snapshots (disconnect+unreliable)", disconnect: true, reliable: false, crash: false);

    public static Task SnapshotInstallCrash(LabContext ctx) =>
        SnapCommon(ctx, "Test (2D): install snapshots (crash)", disconnect: false, reliable: true, crash: true);

    public static Task SnapshotInstallUnCrash(LabContext ctx) =>
        SnapCommon(ctx, "Test (2D): install snapshots (unreliable+crash)", disconnect: false, reliable: false, crash: true);

    private static async Task SnapCommon(LabContext ctx, string name, bool disconnect, bool reliable, bool crash)
    {
        const int iters = 30;
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, !reliable, true);
        cfg.Begin(name);
        await cfg.One(cfg.RandInt(), servers, true);
        int leader1 = await cfg.CheckOneLeader();
        for (int i = 0; i < iters; i++)
        {
            int victim = (leader1 + 1) % servers;
            int sender = leader1;
            if (i % 3 == 1)
            {
                sender = (leader1 + 1) % servers;
                victim = leader1;
            }
            if (disconnect)
            {
                cfg.Disconnect(victim);
                await cfg.One(cfg.RandInt(), servers - 1, true);
            }
            if (crash)
            {
                cfg.Crash1(victim);
                await cfg.One(cfg.RandInt(), servers - 1, true);
            }
            // perhaps send enough to get a snapshot
            int nn = LabConfig.SnapshotInterval / 2 + cfg.Rand(LabConfig.SnapshotInterval);
            for (int j = 0; j < nn; j++) cfg.Start(sender, cfg.RandInt());
            // let applier threads catch up with the Start()'s
            if (!disconnect && !crash)
                await cfg.One(cfg.RandInt(), servers, true); // make sure all followers have caught up, so that an InstallSnapshot RPC isn't required
            else
                await cfg.One(cfg.RandInt(), servers - 1, true);
            if (cfg.LogSize() >= LabConfig.MaxLogSize) LabConfig.Fail("Log size too large");
            if (disconnect)
            {
                // reconnect a follower, who maybe behind and needs to rceive a snapshot to catch up
                cfg.Connect(victim);
                await cfg.One(cfg.RandInt(), servers, true);
                leader1 = await cfg.CheckOneLeader();
            }
            if (crash)
            {
                cfg.Start1(victim);
                cfg.Connect(victim);
                await cfg.One(cfg.RandInt(), servers, true);
                leader1 = await cfg.CheckOneLeader();
            }
        }
        cfg.End();
    }

    public static async Task SnapshotAllCrash(LabContext ctx)
    {
        const int servers = 3;
        const int iters = 5;
        var cfg = ctx.MakeConfig(servers, false, true);
        cfg.Begin("Test (2D): crash and restart all servers");
        await cfg.One(cfg.RandInt(), servers, true);
        for (int i = 0; i < iters; i++)
        {
            // perhaps enough to get a snapshot
            int nn = LabConfig.SnapshotInterval / 2 + cfg.Rand(LabConfig.SnapshotInterval);
            for (int j = 0; j < nn; j++) await cfg.One(cfg.RandInt(), servers, true);
            long index1 = await cfg.One(cfg.RandInt(), servers, true);
            // crash all
            for (int k = 0; k < servers; k++) cfg.Crash1(k);
            // revive all
            for (int k = 0; k < servers; k++)
            {
                cfg.Start1(k);
                cfg.Connect(k);
            }
            long index2 = await cfg.One(cfg.RandInt(), servers, true);
            if (index2 < index1 + 1) LabConfig.Fail($"index decreased from {index1} to {index2}");
        }
        cfg.End();
    }

    /// <summary>Raft must keep the snapshot it loaded at start-up, so later saves do not erase it.</summary>
    public static async Task SnapshotInit(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, true);
        cfg.Begin("Test (2D): snapshot initialization after crash");
        await cfg.One(cfg.RandInt(), servers, true);
        // enough ops to make a snapshot
        for (int i = 0; i < LabConfig.SnapshotInterval + 1; i++) await cfg.One(cfg.RandInt(), servers, true);
        for (int k = 0; k < servers; k++) cfg.Crash1(k);
        for (int k = 0; k < servers; k++) { cfg.Start1(k); cfg.Connect(k); }
        // a single op, to get something to be written back to persistent storage
        await cfg.One(cfg.RandInt(), servers, true);
        for (int k = 0; k < servers; k++) cfg.Crash1(k);
        for (int k = 0; k < servers; k++) { cfg.Start1(k); cfg.Connect(k); }
        // do another op to trigger potential bug
        await cfg.One(cfg.RandInt(), servers, true);
        cfg.End();
    }
}
