using Raft.Core.Node;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Model.Testing;

/// <summary>
/// The 6.824 tester's checks that act on a world (config.go's nCommitted and one), in virtual
/// time under <see cref="LabRuntime"/>: written once, used by the lab's <c>LabConfig</c> and by the
/// explorer's liveness phase (<see cref="LivenessPhase"/>). They decide from what the world
/// observes (each service's applied commands), never from what a node claims about itself.
/// </summary>
public sealed class Tester(World world)
{
    /// <summary>config.go one()'s overall limit (10 s).</summary>
    public const long OneLimitMs = 10_000;

    /// <summary>How long one() waits on one attempt before retrying another leader (2 s).</summary>
    public const long AttemptMs = 2_000;

    public World World { get; } = world;
    public int N => World.Size;
    public long Now => World.Now;

    /// <summary>Sleeps for <paramref name="ms"/> virtual milliseconds (time.Sleep).</summary>
    public Task Sleep(long ms)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        World.Schedule(ms, tcs.SetResult);
        return tcs.Task;
    }

    public bool IsConnected(int i) => World.Network.IsConnected(i);
    public bool IsAlive(int i) => World.IsUp(i);

    /// <summary>A tester check failed (the Go tester's t.Fatalf).</summary>
    public static void Fail(string message) => throw new LabFailure(message);

    public void ThrowIfWorldFailed()
    {
        if (World.Violation is { } v) throw new LabFailure(v.ToString());
    }

    /// <summary>How many servers think index is committed, and the value (all must agree).</summary>
    public (int Count, byte[]? Command) NCommitted(long index)
    {
        ThrowIfWorldFailed();
        int count = 0;
        byte[]? cmd = null;
        for (int i = 0; i < N; i++)
        {
            byte[]? cmd1 = World.Appliers[i].CommandAt(index);
            if (cmd1 is null) continue;
            if (count > 0 && !Commands.Same(cmd, cmd1))
                Fail($"committed values do not match: index {index}, {Commands.Show(cmd)}, {Commands.Show(cmd1)}");
            count++;
            cmd = cmd1;
        }
        return (count, cmd);
    }

    /// <summary>
    /// config.go one: submit cmd to a leader (round-robin over connected live servers) and wait
    /// until at least expectedServers commit it at the returned index; retry if asked. At most
    /// <paramref name="limitMs"/> in all (the tester's 10 s unless the caller derives its own),
    /// 2 s per attempt, polling every 20 ms; 50 ms between rounds that found no leader.
    /// </summary>
    public async Task<long> One(byte[] cmd, int expectedServers, bool retry, long limitMs = OneLimitMs)
    {
        long t0 = Now;
        int starts = 0;
        while (Now - t0 < limitMs)
        {
            long index = -1;
            for (int si = 0; si < N; si++)
            {
                starts = (starts + 1) % N;
                if (!IsConnected(starts) || !IsAlive(starts)) continue;
                ProposeResult r = World.Propose(starts, cmd);
                if (r.IsLeader) { index = r.Index; break; }
            }
            if (index != -1)
            {
                long t1 = Now;
                while (Now - t1 < AttemptMs)
                {
                    var (nd, cmd1) = NCommitted(index);
                    if (nd > 0 && nd >= expectedServers && Commands.Same(cmd1, cmd)) return index;
                    await Sleep(20);
                }
                if (!retry) Fail($"one({Commands.Show(cmd)}) failed to reach agreement");
            }
            else
            {
                await Sleep(50);
            }
        }
        Fail($"one({Commands.Show(cmd)}) failed to reach agreement");
        return -1;
    }
}
