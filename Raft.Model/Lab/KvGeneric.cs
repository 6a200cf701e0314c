using System.Globalization;
using System.Runtime.CompilerServices;
using static Raft.Model.Lab.KvHelpers;

namespace Raft.Model.Lab;

/// <summary>kvraft's GenericTest and GenericTestSpeed, which most of the 3A and 3B tests are.</summary>
public static class KvGeneric
{
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// GenericTest: <paramref name="nclients"/> clients Append and Get (and with random keys Put) for
    /// 5 s, three times; then every client's appends must be present and in order. Unreliable: RPCs
    /// may be lost. Crash: every server is shut down and restarted after each round. Partitions: the
    /// servers are repartitioned about every second while the clients run. maxraftstate ≥ 0: the raft
    /// state must stay within 8 × maxraftstate; -1: no snapshot may be made. Finally the logged
    /// history must be linearizable.
    /// </summary>
    public static async Task GenericTest(LabContext ctx, string part, int nclients, int nservers, bool unreliable, bool crash, bool partitions,
        int maxraftstate, bool randomkeys)
    {
        string title = "Test: ";
        if (unreliable) title += "unreliable net, "; // the network drops RPC requests and replies
        if (crash) title += "restarts, "; // peers re-start, and thus persistence must work
        if (partitions) title += "partitions, "; // the network may partition
        if (maxraftstate != -1) title += "snapshots, ";
        if (randomkeys) title += "random keys, ";
        title += nclients > 1 ? "many clients" : "one client";
        title += " (" + part + ")";

        KvConfig cfg = ctx.MakeKvConfig(nservers, unreliable, maxraftstate);
        cfg.Begin(title);
        Clerk ck = cfg.MakeClient(cfg.All());
        for (int i = 0; i < 3; i++)
        {
            var doneClients = new StrongBox<bool>(false);
            var donePartitioner = new StrongBox<bool>(false);
            Task<int[]> clients = SpawnClientsAndWait(cfg, nclients, (cli, myck) => Client(cfg, cli, myck, nclients, randomkeys, doneClients));
            Task? partitioner = null;
            if (partitions)
            {
                // allow the clients to perform some operations without interruption
                await cfg.Sleep(1000);
                partitioner = Partitioner(cfg, donePartitioner);
            }
            await cfg.Sleep(5000);
            doneClients.Value = true; // tell clients to quit
            donePartitioner.Value = true; // tell partitioner to quit
            if (partitioner is not null)
            {
                await partitioner;
                // reconnect network and submit a request; a client may have submitted a request in a
                // minority, which won't return until that server discovers a new term has started
                cfg.ConnectAll();
                await cfg.Sleep(KvConfig.ElectionTimeoutMs); // wait for a while so that we have a new term
            }
            if (crash)
            {
                for (int s = 0; s < nservers; s++) cfg.ShutdownServer(s);
                // wait for a while for servers to shutdown, since shutdown isn't a real crash and isn't instantaneous
                await cfg.Sleep(KvConfig.ElectionTimeoutMs);
                // crash and re-start all
                for (int s = 0; s < nservers; s++) cfg.StartServer(s);
                cfg.ConnectAll();
            }
            int[] counts = await clients;
            for (int c = 0; c < nclients; c++)
            {
                string v = await Get(cfg, ck, S(c), log: true, cli: 0);
                if (!randomkeys) CheckClntAppends(c, v, counts[c]);
            }
            // check maximum after the servers have processed all client requests and had time to checkpoint
            if (maxraftstate > 0) CheckLogTrimmed(cfg, maxraftstate);
            // check that snapshots are not used
            if (maxraftstate < 0) CheckNoSnapshots(cfg, maxraftstate);
        }
        CheckLinearizable(cfg);
        cfg.End();
    }

    /// <summary>One GenericTest client: appends "x cli j y" (and with random keys sometimes Puts) or Gets, until told to quit; returns how many it wrote.</summary>
    private static async Task<int> Client(KvConfig cfg, int cli, Clerk myck, int nclients, bool randomkeys, StrongBox<bool> done)
    {
        int j = 0;
        string last = ""; // only used when not randomkeys
        if (!randomkeys) await Put(cfg, myck, S(cli), last, log: true, cli);
        while (!done.Value)
        {
            string key = randomkeys ? S(cfg.Rand(nclients)) : S(cli);
            string nv = "x " + S(cli) + " " + S(j) + " y";
            if (cfg.Rand(1000) < 500)
            {
                await Append(cfg, myck, key, nv, log: true, cli);
                if (!randomkeys) last += nv;
                j++;
            }
            else if (randomkeys && cfg.Rand(1000) < 100)
            {
                // only with random keys: it would break the check done after Get()
                await Put(cfg, myck, key, nv, log: true, cli);
                j++;
            }
            else
            {
                string v = await Get(cfg, myck, key, log: true, cli);
                // the check only makes sense when we're not using random keys
                if (!randomkeys && v != last) LabConfig.Fail($"get wrong value, key {key}, wanted:\n{last}\n, got\n{v}\n");
            }
        }
        return j;
    }

    /// <summary>partitioner: repartition the servers at random every electionTimeout + 0–199 ms until told to stop.</summary>
    private static async Task Partitioner(KvConfig cfg, StrongBox<bool> done)
    {
        while (!done.Value)
        {
            var a = new int[cfg.N];
            for (int i = 0; i < cfg.N; i++) a[i] = cfg.Rand(2);
            var pa = new List<int>[] { new(), new() };
            for (int j = 0; j < cfg.N; j++) pa[a[j]].Add(j);
            cfg.Partition(pa[0].ToArray(), pa[1].ToArray());
            await cfg.Sleep(KvConfig.ElectionTimeoutMs + cfg.Rand(200));
        }
    }

    /// <summary>
    /// GenericTestSpeed: 1000 Appends by one clerk, one after another, must take at most 33⅓ ms each on
    /// average (at least three per 100 ms heartbeat interval).
    /// </summary>
    public static async Task GenericTestSpeed(LabContext ctx, string part, int maxraftstate)
    {
        const int nservers = 3;
        const int numOps = 1000;
        KvConfig cfg = ctx.MakeKvConfig(nservers, false, maxraftstate);
        Clerk ck = cfg.MakeClient(cfg.All());
        cfg.Begin($"Test: ops complete fast enough ({part})");
        // wait until first op completes, so we know a leader is elected and KV servers are ready to process client requests
        await ck.Get("x");
        long start = cfg.Now;
        for (int i = 0; i < numOps; i++) await ck.Append("x", "x 0 " + S(i) + " y");
        long dur = cfg.Now - start;
        string v = await ck.Get("x");
        CheckClntAppends(0, v, numOps);
        // heartbeat interval should be ~100 ms; require at least 3 ops per interval
        CheckSpeed(dur, numOps);
        cfg.End();
    }
}
