using Raft.Core.Node;
using Raft.Model.Contract;
using Raft.Model.Events;
using Raft.Model.Network;
using Raft.Model.Nodes;
using Raft.Model.Simulation;

namespace Raft.Properties.Clients;

/// <summary>
/// Clocks with bounded drift (World.Clocks.cs), the world's side of lease reads: every clock keeps
/// within 1 ± ρ of real time, and a leader the adversary cut off has the slowest clock while every
/// other runs fastest, the pattern a lease must survive (thesis §6.4.1).
/// </summary>
public sealed class ClockTests
{
    private const int Drift = 300; // per mille
    private const int ElectionTicks = 40;

    /// <summary>Counts the ticks each node gets (indexed by node id; a restart keeps counting).</summary>
    private sealed class TickCounter
    {
        public readonly long[] Ticks = new long[3];

        public NodeFactory Factory => (id, n, seed, options, state) => new Counting(CoreNodes.Standard(id, n, seed, options, state), this, id);

        private sealed class Counting(IRaftNode inner, TickCounter counter, int id) : ForwardingNode(inner)
        {
            public override void Tick()
            {
                counter.Ticks[id]++;
                base.Tick();
            }
        }
    }

    private static World LeaseWorld(WorldMode mode, TickCounter counter) => new(new WorldOptions
    {
        Mode = mode,
        Nodes = 3,
        Seed = 7,
        Network = mode == WorldMode.Adversarial ? NetworkOptions.Adversarial() : NetworkOptions.Timed(5),
        Proposals = 0,
        Faults = FaultBudget.Default,
        Raft = new RaftOptions
        {
            ElectionTicks = ElectionTicks,
            HeartbeatTicks = 10,
            ReadOnly = ReadOnlyOption.LeaseBased,
            LeaseDriftTicks = WorldOptions.DriftTicksFor(ElectionTicks, Drift),
        },
        ClockDriftPerMille = Drift,
        Factory = counter.Factory,
    });

    /// <summary>Adversarial mode: fires node 0's timer and delivers every message until node 0 leads.</summary>
    private static void ElectNodeZero(World w)
    {
        var enabled = new List<EnabledEvent>();
        for (int guard = 0; guard < 200 && w.Node(0)!.Role != Role.Leader; guard++)
        {
            w.ListEnabled(enabled);
            int d = enabled.FindIndex(e => e.Kind == EventKind.Deliver);
            w.Execute(d >= 0 ? enabled[d] : new EnabledEvent(EventKind.Timeout, 0), _ => 0);
        }
        Assert.Equal(Role.Leader, w.Node(0)!.Role);
    }

    /// <summary>Fires node 1's timer <paramref name="times"/> times (dropping what is sent); returns each node's ticks over them.</summary>
    private static long[] FireFollowerTimer(World w, TickCounter counter, int times)
    {
        long[] before = (long[])counter.Ticks.Clone();
        var enabled = new List<EnabledEvent>();
        for (int k = 0; k < times; k++)
        {
            w.Execute(new EnabledEvent(EventKind.Timeout, 1), _ => 0);
            w.ListEnabled(enabled);
            foreach (EnabledEvent d in enabled.Where(e => e.Kind == EventKind.Deliver).ToList()) w.Execute(d, _ => 0); // lost where a link is down
        }
        return [.. counter.Ticks.Select((t, i) => t - before[i])];
    }

    [Fact]
    public void SharedClock_TheTimerEventsNodeRunsFast_EveryOtherSlow()
    {
        var counter = new TickCounter();
        using World w = LeaseWorld(WorldMode.Adversarial, counter);
        ElectNodeZero(w);
        long[] ticks = FireFollowerTimer(w, counter, 20);
        // node 1 at 1.3, nodes 0 and 2 at 0.7 of real time: node 2 keeps pace with the leader, not with node 1
        Assert.InRange(ticks[2], ticks[0] - 1, ticks[0] + 1);
        Assert.InRange(ticks[0] * 1000.0 / ticks[1], 500, 580); // 0.7 / 1.3 = 0.54
    }

    [Fact]
    public void SharedClock_AnIsolatedLeader_RunsSlowest_AndEveryOtherClockFastest()
    {
        var counter = new TickCounter();
        using World w = LeaseWorld(WorldMode.Adversarial, counter);
        ElectNodeZero(w);
        w.Execute(new EnabledEvent(EventKind.IsolateLeader, 0), _ => 0);
        long[] ticks = FireFollowerTimer(w, counter, 20);
        // whichever timer passes the time, both followers run at 1.3 and the cut-off leader at 0.7
        Assert.InRange(ticks[2], ticks[1] - 1, ticks[1] + 1);
        Assert.InRange(ticks[0] * 1000.0 / ticks[1], 500, 580);

        w.Execute(new EnabledEvent(EventKind.Heal, -1), _ => 0); // the network changed: the timer event's node is fast again
        ticks = FireFollowerTimer(w, counter, 20);
        Assert.InRange(ticks[2], ticks[0] - 1, ticks[0] + 1);
    }

    /// <summary>Timed mode: runs the world's own events (deliveries first, else the clock) until <paramref name="until"/> ms or <paramref name="stop"/>.</summary>
    private static void RunTimed(World w, long until, Func<bool>? stop = null)
    {
        var enabled = new List<EnabledEvent>();
        while (w.Now < until && !(stop?.Invoke() ?? false))
        {
            w.ListEnabled(enabled);
            int d = enabled.FindIndex(e => e.Kind == EventKind.Deliver);
            w.Execute(d >= 0 ? enabled[d] : enabled.Find(e => e.Kind == EventKind.Advance), _ => 0);
            Assert.Null(w.Violation);
        }
    }

    [Fact]
    public void TimedMode_ClocksKeepRealTime_UntilALeaderIsCutOff_ThenItsRunsSlowest()
    {
        var counter = new TickCounter();
        using World w = LeaseWorld(WorldMode.Timed, counter);
        int Leader() => Enumerable.Range(0, 3).FirstOrDefault(i => w.Node(i)?.Role == Role.Leader, -1);
        RunTimed(w, 20_000, () => Leader() >= 0);
        int leader = Leader();
        Assert.True(leader >= 0);
        // ticks over a second of real time, at the rate expected (per mille of real time)
        void ExpectTicks(params int[] ratePerMille)
        {
            long[] before = (long[])counter.Ticks.Clone();
            long from = w.Now;
            RunTimed(w, from + 1000);
            for (int i = 0; i < 3; i++)
            {
                double expected = (w.Now - from) * ratePerMille[i] / 10_000.0; // 10 ms ticks
                Assert.InRange(counter.Ticks[i] - before[i], expected - 1.5, expected + 1.5);
            }
        }
        ExpectTicks(1000, 1000, 1000); // no drift while the network is whole

        w.Execute(new EnabledEvent(EventKind.IsolateLeader, leader), _ => 0);
        int[] rates = [1300, 1300, 1300];
        rates[leader] = 700;
        ExpectTicks(rates);
    }
}
