using Raft.Model.Services;

namespace Raft.Model.Lab;

/// <summary>Lab 2B: log replication (test_test.go, 2B section, with the two tests 2023 enabled).</summary>
public static class Tests2B
{
    private const int ET = LabConfig.ElectionTimeoutMs;

    public static async Task BasicAgree(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): basic agreement");
        for (long index = 1; index <= 3; index++)
        {
            if (cfg.NCommitted(index).Count > 0) LabConfig.Fail("some have committed before Start()");
            long xindex = await cfg.One(index * 100, servers, false);
            if (xindex != index) LabConfig.Fail($"got index {xindex} but expected {index}");
        }
        cfg.End();
    }

    /// <summary>Each command should be sent to each peer only once.</summary>
    public static async Task RpcBytes(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): RPC byte count");
        await cfg.One(99, servers, false);
        long bytes0 = cfg.BytesTotal;
        long sent = 0;
        for (long index = 2; index < 12; index++)
        {
            byte[] cmd = Commands.String(cfg.RandString(5000));
            long xindex = await cfg.One(cmd, servers, false);
            if (xindex != index) LabConfig.Fail($"got index {xindex} but expected {index}");
            sent += cmd.Length;
        }
        long got = cfg.BytesTotal - bytes0;
        long expected = servers * sent;
        if (got > expected + 50_000) LabConfig.Fail($"too many RPC bytes; got {got}, expected {expected}");
        cfg.End();
    }

    public static async Task FollowerFailure(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): test progressive failure of followers");
        await cfg.One(101, servers, false);
        // disconnect one follower from the network
        int leader1 = await cfg.CheckOneLeader();
        cfg.Disconnect((leader1 + 1) % servers);
        // the leader and remaining follower should be able to agree despite the disconnected follower
        await cfg.One(102, servers - 1, false);
        await cfg.Sleep(ET);
        await cfg.One(103, servers - 1, false);
        // disconnect the remaining follower
        int leader2 = await cfg.CheckOneLeader();
        cfg.Disconnect((leader2 + 1) % servers);
        cfg.Disconnect((leader2 + 2) % servers);
        // submit a command
        var r = cfg.Start(leader2, 104);
        if (!r.IsLeader) LabConfig.Fail("leader rejected Start()");
        if (r.Index != 4) LabConfig.Fail($"expected index 4, got {r.Index}");
        await cfg.Sleep(2 * ET);
        // check that command 104 did not commit
        int n = cfg.NCommitted(r.Index).Count;
        if (n > 0) LabConfig.Fail($"{n} committed but no majority");
        cfg.End();
    }

    public static async Task LeaderFailure(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): test failure of leaders");
        await cfg.One(101, servers, false);
        // disconnect the first leader
        int leader1 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader1);
        // the remaining followers should elect a new leader
        await cfg.One(102, servers - 1, false);
        await cfg.Sleep(ET);
        await cfg.One(103, servers - 1, false);
        // disconnect the new leader
        int leader2 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader2);
        // submit a command to each server
        for (int i = 0; i < servers; i++) cfg.Start(i, 104);
        await cfg.Sleep(2 * ET);
        // check that command 104 did not commit
        int n = cfg.NCommitted(4).Count;
        if (n > 0) LabConfig.Fail($"{n} committed but no majority");
        cfg.End();
    }

    /// <summary>Agreement after follower reconnects.</summary>
    public static async Task FailAgree(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): agreement after follower reconnects");
        await cfg.One(101, servers, false);
        // disconnect one follower from the network
        int leader = await cfg.CheckOneLeader();
        cfg.Disconnect((leader + 1) % servers);
        // the leader and remaining follower should be able to agree despite the disconnected follower
        await cfg.One(102, servers - 1, false);
        await cfg.One(103, servers - 1, false);
        await cfg.Sleep(ET);
        await cfg.One(104, servers - 1, false);
        await cfg.One(105, servers - 1, false);
        // re-connect
        cfg.Connect((leader + 1) % servers);
        // the full set of servers should preserve previous agreements, and be able to agree on new commands
        await cfg.One(106, servers, true);
        await cfg.Sleep(ET);
        await cfg.One(107, servers, true);
        cfg.End();
    }

    /// <summary>No agreement if too many followers disconnect.</summary>
    public static async Task FailNoAgree(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): no agreement if too many followers disconnect");
        await cfg.One(10, servers, false);
        // 3 of 5 followers disconnect
        int leader = await cfg.CheckOneLeader();
        cfg.Disconnect((leader + 1) % servers);
        cfg.Disconnect((leader + 2) % servers);
        cfg.Disconnect((leader + 3) % servers);
        var r = cfg.Start(leader, 20);
        if (!r.IsLeader) LabConfig.Fail("leader rejected Start()");
        if (r.Index != 2) LabConfig.Fail($"expected index 2, got {r.Index}");
        await cfg.Sleep(2 * ET);
        int n = cfg.NCommitted(r.Index).Count;
        if (n > 0) LabConfig.Fail($"{n} committed but no majority");
        // repair
        cfg.Connect((leader + 1) % servers);
        cfg.Connect((leader + 2) % servers);
        cfg.Connect((leader + 3) % servers);
        // the disconnected majority may have chosen a leader from among their own ranks, forgetting index 2
        int leader2 = await cfg.CheckOneLeader();
        var r2 = cfg.Start(leader2, 30);
        if (!r2.IsLeader) LabConfig.Fail("leader2 rejected Start()");
        if (r2.Index < 2 || r2.Index > 3) LabConfig.Fail($"unexpected index {r2.Index}");
        await cfg.One(1000, servers, true);
        cfg.End();
    }

    public static async Task ConcurrentStarts(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): concurrent Start()s");
        bool success = false;
        for (int attempt = 0; attempt < 5 && !success; attempt++)
        {
            if (attempt > 0) await cfg.Sleep(3000); // give solution some time to settle
            int leader = await cfg.CheckOneLeader();
            var first = cfg.Start(leader, 1);
            if (!first.IsLeader) continue; // leader moved on really quickly
            long term = first.Term;
            const int iters = 5;
            // the Go test starts these from 5 goroutines at once: here they all happen at the same virtual instant
            var indexes = new List<long>();
            for (int ii = 0; ii < iters; ii++)
            {
                var r = cfg.Start(leader, 100 + ii);
                if (r.Term != term || !r.IsLeader) continue;
                indexes.Add(r.Index);
            }
            bool termChanged = false;
            for (int j = 0; j < servers; j++)
                if (cfg.GetState(j).Term != term) termChanged = true; // term changed -- can't expect low RPC counts
            if (termChanged) continue;

            bool failed = false;
            var cmds = new List<long>();
            foreach (long index in indexes)
            {
                byte[]? cmd = await cfg.Wait(index, servers, term);
                if (cmd is null) { failed = true; break; } // peers have moved on to later terms
                if (!Commands.TryGetInt(cmd, out long v)) LabConfig.Fail($"value {Commands.Show(cmd)} is not an int");
                cmds.Add(v);
            }
            if (failed) continue; // avoid leaking goroutines
            for (int ii = 0; ii < iters; ii++)
                if (!cmds.Contains(100 + ii)) LabConfig.Fail($"cmd {100 + ii} missing in [{string.Join(" ", cmds)}]");
            success = true;
        }
        if (!success) LabConfig.Fail("term changed too often");
        cfg.End();
    }

    public static async Task Rejoin(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): rejoin of partitioned leader");
        await cfg.One(101, servers, true);
        // leader network failure
        int leader1 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader1);
        // make old leader try to agree on some entries
        cfg.Start(leader1, 102);
        cfg.Start(leader1, 103);
        cfg.Start(leader1, 104);
        // new leader commits, also for index=2
        await cfg.One(103, 2, true);
        // new leader network failure
        int leader2 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader2);
        // old leader connected again
        cfg.Connect(leader1);
        await cfg.One(104, 2, true);
        // all together now
        cfg.Connect(leader2);
        await cfg.One(105, servers, true);
        cfg.End();
    }

    /// <summary>Leader backs up quickly over incorrect follower logs (needs the fast backup).</summary>
    public static async Task Backup(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): leader backs up quickly over incorrect follower logs");
        await cfg.One(cfg.RandInt(), servers, true);
        // put leader and one follower in a partition
        int leader1 = await cfg.CheckOneLeader();
        cfg.Disconnect((leader1 + 2) % servers);
        cfg.Disconnect((leader1 + 3) % servers);
        cfg.Disconnect((leader1 + 4) % servers);
        // submit lots of commands that won't commit
        for (int i = 0; i < 50; i++) cfg.Start(leader1, cfg.RandInt());
        await cfg.Sleep(ET / 2);
        cfg.Disconnect((leader1 + 0) % servers);
        cfg.Disconnect((leader1 + 1) % servers);
        // allow other partition to recover
        cfg.Connect((leader1 + 2) % servers);
        cfg.Connect((leader1 + 3) % servers);
        cfg.Connect((leader1 + 4) % servers);
        // lots of successful commands to new group
        for (int i = 0; i < 50; i++) await cfg.One(cfg.RandInt(), 3, true);
        // now another partitioned leader and one follower
        int leader2 = await cfg.CheckOneLeader();
        int other = (leader1 + 2) % servers;
        if (leader2 == other) other = (leader2 + 1) % servers;
        cfg.Disconnect(other);
        // lots more commands that won't commit
        for (int i = 0; i < 50; i++) cfg.Start(leader2, cfg.RandInt());
        await cfg.Sleep(ET / 2);
        // bring original leader back to life
        for (int i = 0; i < servers; i++) cfg.Disconnect(i);
        cfg.Connect((leader1 + 0) % servers);
        cfg.Connect((leader1 + 1) % servers);
        cfg.Connect(other);
        // lots of successful commands to new group
        for (int i = 0; i < 50; i++) await cfg.One(cfg.RandInt(), 3, true);
        // now everyone
        for (int i = 0; i < servers; i++) cfg.Connect(i);
        await cfg.One(cfg.RandInt(), servers, true);
        cfg.End();
    }

    public static async Task Count(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2B): RPC counts aren't too high");
        long Rpcs()
        {
            long n = 0;
            for (int j = 0; j < servers; j++) n += cfg.RpcCount(j);
            return n;
        }
        int leader = await cfg.CheckOneLeader();
        long total1 = Rpcs();
        if (total1 > 30 || total1 < 1) LabConfig.Fail($"too many or few RPCs ({total1}) to elect initial leader");

        long total2 = 0;
        bool success = false;
        for (int attempt = 0; attempt < 5 && !success; attempt++)
        {
            if (attempt > 0) await cfg.Sleep(3000); // give solution some time to settle
            leader = await cfg.CheckOneLeader();
            total1 = Rpcs();
            const int iters = 10;
            var first = cfg.Start(leader, 1);
            if (!first.IsLeader) continue; // leader moved on really quickly
            long starti = first.Index, term = first.Term;
            var cmds = new List<long>();
            bool restart = false;
            for (int i = 1; i < iters + 2 && !restart; i++)
            {
                long x = cfg.Rand(int.MaxValue);
                cmds.Add(x);
                var r = cfg.Start(leader, x);
                if (r.Term != term || !r.IsLeader) { restart = true; break; } // term or leadership changed while starting
                if (starti + i != r.Index) LabConfig.Fail("Start() failed");
            }
            if (restart) continue;
            for (int i = 1; i < iters + 1 && !restart; i++)
            {
                byte[]? cmd = await cfg.Wait(starti + i, servers, term);
                if (cmd is null) { restart = true; break; } // term changed -- try again
                if (!Commands.TryGetInt(cmd, out long v) || v != cmds[i - 1])
                    LabConfig.Fail($"wrong value {Commands.Show(cmd)} committed for index {starti + i}; expected {cmds[i - 1]}");
            }
            if (restart) continue;
            bool failed = false;
            total2 = 0;
            for (int j = 0; j < servers; j++)
            {
                if (cfg.GetState(j).Term != term) failed = true; // term changed -- can't expect low RPC counts
                total2 += cfg.RpcCount(j);
            }
            if (failed) continue;
            if (total2 - total1 > (iters + 1 + 3) * 3) LabConfig.Fail($"too many RPCs ({total2 - total1}) for {iters} entries");
            success = true;
        }
        if (!success) LabConfig.Fail("term changed too often");

        await cfg.Sleep(ET);
        long total3 = Rpcs();
        if (total3 - total2 > 3 * 20) LabConfig.Fail($"too many RPCs ({total3 - total2}) for 1 second of idleness");
        cfg.End();
    }
}
