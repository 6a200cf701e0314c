namespace Raft.Model.Lab;

/// <summary>Lab 2A: leader election and heartbeats (test_test.go, 2A section).</summary>
public static class Tests2A
{
    public static async Task InitialElection(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2A): initial election");
        await cfg.CheckOneLeader();
        // sleep a bit to avoid racing with followers learning of the election, then check all peers agree on the term
        await cfg.Sleep(50);
        long term1 = cfg.CheckTerms();
        if (term1 < 1) LabConfig.Fail($"term is {term1}, but should be at least 1");
        // does the leader+term stay the same if there is no network failure?
        await cfg.Sleep(2 * LabConfig.ElectionTimeoutMs);
        long term2 = cfg.CheckTerms();
        if (term1 != term2) cfg.Warn("term changed even though there were no failures");
        await cfg.CheckOneLeader();
        cfg.End();
    }

    public static async Task ReElection(LabContext ctx)
    {
        const int servers = 3;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2A): election after network failure");
        int leader1 = await cfg.CheckOneLeader();
        // if the leader disconnects, a new one should be elected
        cfg.Disconnect(leader1);
        await cfg.CheckOneLeader();
        // if the old leader rejoins, that shouldn't disturb the new leader
        cfg.Connect(leader1);
        int leader2 = await cfg.CheckOneLeader();
        // if there's no quorum, no new leader should be elected
        cfg.Disconnect(leader2);
        cfg.Disconnect((leader2 + 1) % servers);
        await cfg.Sleep(2 * LabConfig.ElectionTimeoutMs);
        cfg.CheckNoLeader();
        // if a quorum arises, it should elect a leader
        cfg.Connect((leader2 + 1) % servers);
        await cfg.CheckOneLeader();
        // re-join of last node shouldn't prevent leader from existing
        cfg.Connect(leader2);
        await cfg.CheckOneLeader();
        cfg.End();
    }

    public static async Task ManyElections(LabContext ctx)
    {
        const int servers = 7;
        var cfg = ctx.MakeConfig(servers, false, false);
        cfg.Begin("Test (2A): multiple elections");
        await cfg.CheckOneLeader();
        for (int ii = 1; ii < 10; ii++)
        {
            // disconnect three nodes
            int i1 = cfg.Rand(servers), i2 = cfg.Rand(servers), i3 = cfg.Rand(servers);
            cfg.Disconnect(i1);
            cfg.Disconnect(i2);
            cfg.Disconnect(i3);
            // either the current leader should still be alive, or the remaining four should elect a new one
            await cfg.CheckOneLeader();
            cfg.Connect(i1);
            cfg.Connect(i2);
            cfg.Connect(i3);
        }
        await cfg.CheckOneLeader();
        cfg.End();
    }
}
