using Raft.Core.Node;
using Raft.Model.Network;
using Raft.Model.Simulation;

namespace Raft.Properties.Model;

/// <summary>Small helpers for driving a <see cref="World"/> directly in tests.</summary>
internal static class WorldHarness
{
    public static World Started(int nodes, ulong seed, bool reliable = true, bool snapshot = false, int duplicatePerThousand = 0)
    {
        var world = new World(new WorldOptions
        {
            Nodes = nodes,
            Seed = seed,
            SnapshotService = snapshot,
            Network = new NetworkOptions { Reliable = reliable, DuplicatePerThousand = duplicatePerThousand },
        });
        for (int i = 0; i < nodes; i++) world.Start(i);
        for (int i = 0; i < nodes; i++) world.Network.Connect(i);
        return world;
    }

    /// <summary>Runs until some node among <paramref name="among"/> is leader; returns it, or -1 after <paramref name="limitMs"/>.</summary>
    public static int RunUntilLeader(World world, long limitMs = 10_000, Func<int, bool>? among = null)
    {
        long deadline = world.Now + limitMs;
        while (world.Now < deadline)
        {
            for (int i = 0; i < world.Size; i++)
                if ((among?.Invoke(i) ?? true) && world.Node(i)?.Role == Role.Leader) return i;
            world.RunUntil(world.Now + 1);
            Assert.Null(world.Violation);
        }
        return -1;
    }

    /// <summary>A digest of everything observable, to compare runs.</summary>
    public static string Fingerprint(World w)
    {
        var parts = new List<string> { $"now={w.Now} events={w.EventCount} rpc={w.Network.RpcTotal} bytes={w.Network.BytesTotal}" };
        for (int i = 0; i < w.Size; i++)
        {
            var n = w.Node(i);
            parts.Add(n is null ? $"{i}:down" : $"{i}:{n.Role}/t{n.Term}/c{n.CommitIndex}/l{n.LastIndex}");
        }
        return string.Join(" ", parts);
    }
}
