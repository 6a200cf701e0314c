using Raft.Model.Services;

namespace Raft.Model.Lab;

/// <summary>Lab 2C: persistence, Figure 8, unreliable networks and churn (test_test.go, 2C section).</summary>
public static class Tests2C
{
    private const int ET = LabConfig.ElectionTimeoutMs;

    public static async Task Persist1(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2C): basic persistence");
        await cfg.One(11, servers, true);
        // crash and re-start all
        for (int i = 0; i < servers; i++) cfg.Start1(i);
        for (int i = 0; i < servers; i++)
        {
            cfg.Disconnect(i);
            cfg.Connect(i);
        }
        await cfg.One(12, servers, true);

        int leader1 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader1);
        cfg.Start1(leader1);
        cfg.Connect(leader1);
        await cfg.One(13, servers, true);

        int leader2 = await cfg.CheckOneLeader();
        cfg.Disconnect(leader2);
        await cfg.One(14, servers - 1, true);
        cfg.Start1(leader2);
        cfg.Connect(leader2);
        await cfg.Wait(4, servers, -1); // wait for leader2 to join before killing i3

        int i3 = (await cfg.CheckOneLeader() + 1) % servers;
        cfg.Disconnect(i3);
        await cfg.One(15, servers - 1, true);
        cfg.Start1(i3);
        cfg.Connect(i3);
        await cfg.One(16, servers, true);
        cfg.End();
    }

    public static async Task Persist2(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2C): more persistence");
        int index = 1;
        for (int iters = 0; iters < 5; iters++)
        {
            await cfg.One(10 + index, servers, true);
            index++;
            int leader1 = await cfg.CheckOneLeader();
            cfg.Disconnect((leader1 + 1) % servers);
            cfg.Disconnect((leader1 + 2) % servers);
            await cfg.One(10 + index, servers - 2, true);
            index++;
            cfg.Disconnect((leader1 + 0) % servers);
            cfg.Disconnect((leader1 + 3) % servers);
            cfg.Disconnect((leader1 + 4) % servers);
            cfg.Start1((leader1 + 1) % servers);
            cfg.Start1((leader1 + 2) % servers);
            cfg.Connect((leader1 + 1) % servers);
            cfg.Connect((leader1 + 2) % servers);
            await cfg.Sleep(ET);
            cfg.Start1((leader1 + 3) % servers);
            cfg.Connect((leader1 + 3) % servers);
            await cfg.One(10 + index, servers - 2, true);
            index++;
            cfg.Connect((leader1 + 4) % servers);
            cfg.Connect((leader1 + 0) % servers);
        }
        await cfg.One(1000, servers, true);
        cfg.End();
    }

    public static async Task Persist3(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2C): partitioned leader and one follower crash, leader restarts");
        await cfg.One(101, 3, true);
        int leader = await cfg.CheckOneLeader();
        cfg.Disconnect((leader + 2) % servers);
        await cfg.One(102, 2, true);
        cfg.Crash1((leader + 0) % servers);
        cfg.Crash1((leader + 1) % servers);
        cfg.Connect((leader + 2) % servers);
        cfg.Start1((leader + 0) % servers);
        cfg.Connect((leader + 0) % servers);
        await cfg.One(103, 2, true);
        cfg.Start1((leader + 1) % servers);
        cfg.Connect((leader + 1) % servers);
        await cfg.One(104, servers, true);
        cfg.End();
    }

    /// <summary>
    /// The scenarios of the paper's Figure 8: leaders crash right after appending, often before
    /// replicating, while new leaders come and go.
    /// </summary>
    public static async Task Figure8(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2C): Figure 8");
        await cfg.One(cfg.RandInt(), 1, true);
        int nup = servers;
        for (int iters = 0; iters < 1000; iters++)
        {
            int leader = -1;
            for (int i = 0; i < servers; i++)
            {
                if (!cfg.IsAlive(i)) continue;
                if (cfg.Start(i, cfg.RandInt()).IsLeader) leader = i;
            }
            int ms = cfg.Rand(1000) < 100 ? cfg.Rand(ET / 2) : cfg.Rand(13);
            await cfg.Sleep(ms);
            if (leader != -1)
            {
                cfg.Crash1(leader);
                nup--;
            }
            if (nup < 3)
            {
                int s = cfg.Rand(servers);
                if (!cfg.IsAlive(s))
                {
                    cfg.Start1(s);
                    cfg.Connect(s);
                    nup++;
                }
            }
        }
        for (int i = 0; i < servers; i++)
        {
            if (cfg.IsAlive(i)) continue;
            cfg.Start1(i);
            cfg.Connect(i);
        }
        await cfg.One(cfg.RandInt(), servers, true);
        cfg.End();
    }

    public static async Task UnreliableAgree(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, true, false);
        cfg.Begin("Test (2C): unreliable agreement");
        var clients = new List<Task>();
        for (int iters = 1; iters < 50; iters++)
        {
            for (int j = 0; j < 4; j++)
                clients.Add(cfg.One(100 * iters + j, 1, true)); // the Go test's goroutines
            await cfg.One(iters, 1, true);
        }
        cfg.SetUnreliable(false);
        await Task.WhenAll(clients);
        await cfg.One(100, servers, true);
        cfg.End();
    }

    public static async Task Figure8Unreliable(LabContext ctx)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, true, false);
        cfg.Begin("Test (2C): Figure 8 (unreliable)");
        await cfg.One(cfg.Rand(10000), 1, true);
        int nup = servers;
        for (int iters = 0; iters < 1000; iters++)
        {
            if (iters == 200) cfg.SetLongReordering(true);
            int leader = -1;
            for (int i = 0; i < servers; i++)
            {
                var r = cfg.Start(i, cfg.Rand(10000));
                if (r.IsLeader && cfg.IsConnected(i)) leader = i;
            }
            int ms = cfg.Rand(1000) < 100 ? cfg.Rand(ET / 2) : cfg.Rand(13);
            await cfg.Sleep(ms);
            if (leader != -1 && cfg.Rand(1000) < ET / 2)
            {
                cfg.Disconnect(leader);
                nup--;
            }
            if (nup < 3)
            {
                int s = cfg.Rand(servers);
                if (!cfg.IsConnected(s))
                {
                    cfg.Connect(s);
                    nup++;
                }
            }
        }
        for (int i = 0; i < servers; i++)
            if (!cfg.IsConnected(i)) cfg.Connect(i);
        await cfg.One(cfg.Rand(10000), servers, true);
        cfg.End();
    }

    public static Task ReliableChurn(LabContext ctx) => Churn(ctx, unreliable: false);

    public static Task UnreliableChurn(LabContext ctx) => Churn(ctx, unreliable: true);

    private static async Task Churn(LabContext ctx, bool unreliable)
    {
        const int servers = 5;
        var cfg = ctx.MakeConfig(servers, unreliable, false);
        cfg.Begin(unreliable ? "Test (2C): unreliable churn" : "Test (2C): churn");
        bool stop = false;

        async Task<List<long>> Client(int me)
        {
            var values = new List<long>();
            while (!stop)
            {
                long x = cfg.RandInt();
                long index = -1;
                bool ok = false;
                for (int i = 0; i < servers; i++)
                {
                    // try them all, maybe one of them is a leader
                    var r = cfg.Start(i, x);
                    if (r.IsLeader) { ok = true; index = r.Index; }
                }
                if (ok)
                {
                    // maybe leader will commit our value, maybe not; but don't wait forever
                    foreach (int to in new[] { 10, 20, 50, 100, 200 })
                    {
                        var (nd, cmd) = cfg.NCommitted(index);
                        if (nd > 0)
                        {
                            if (!Commands.TryGetInt(cmd, out long xx)) LabConfig.Fail("wrong command type");
                            if (xx == x) values.Add(x);
                            break;
                        }
                        await cfg.Sleep(to);
                    }
                }
                else
                {
                    await cfg.Sleep(79 + me * 17);
                }
            }
            return values;
        }

        const int ncli = 3;
        var clients = new List<Task<List<long>>>();
        for (int i = 0; i < ncli; i++) clients.Add(Client(i));

        for (int iters = 0; iters < 20; iters++)
        {
            if (cfg.Rand(1000) < 200) cfg.Disconnect(cfg.Rand(servers));
            if (cfg.Rand(1000) < 500)
            {
                int i = cfg.Rand(servers);
                if (!cfg.IsAlive(i)) cfg.Start1(i);
                cfg.Connect(i);
            }
            if (cfg.Rand(1000) < 200)
            {
                int i = cfg.Rand(servers);
                if (cfg.IsAlive(i)) cfg.Crash1(i);
            }
            // Make crash/restart infrequent enough that the peers can often keep up,
            // but not so infrequent that everything has settled down from one change to the next.
            await cfg.Sleep(ET * 7 / 10);
        }
        await cfg.Sleep(ET);
        cfg.SetUnreliable(false);
        for (int i = 0; i < servers; i++)
        {
            if (!cfg.IsAlive(i)) cfg.Start1(i);
            cfg.Connect(i);
        }
        stop = true;
        var values = new List<long>();
        foreach (var c in clients)
        {
            var vv = await c;
            if (vv is null) LabConfig.Fail("client failed");
            values.AddRange(vv!);
        }
        await cfg.Sleep(ET);
        long lastIndex = await cfg.One(cfg.RandInt(), servers, true);
        var really = new List<long>();
        for (long index = 1; index <= lastIndex; index++)
        {
            byte[]? v = await cfg.Wait(index, servers, -1);
            if (!Commands.TryGetInt(v, out long vi)) LabConfig.Fail("not an int");
            really.Add(vi);
        }
        var reallySet = new HashSet<long>(really);
        foreach (long v1 in values)
            if (!reallySet.Contains(v1)) LabConfig.Fail("didn't find a value");
        cfg.End();
    }
}
