using BenchmarkDotNet.Attributes;
using Raft.Core.Determinism;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Bench;

/// <summary>
/// The world: simulated events per second with every invariant checker on (a 3-node lab world,
/// unreliable network, a proposal every 20 ms, 10 virtual seconds), and explored schedules per
/// second (3 nodes, 200 steps, default random strategy, one worker).
/// </summary>
[MemoryDiagnoser]
public class WorldBenchmarks
{
    private long _events;
    private int _schedule;

    [GlobalSetup]
    public void Setup() => _events = RunWorld(); // the same seed gives the same event count every time

    private static long RunWorld()
    {
        var w = new World(new WorldOptions { Nodes = 3, Seed = 42, Network = new Raft.Model.Network.NetworkOptions { Reliable = false } });
        for (int i = 0; i < 3; i++) w.Start(i);
        for (int i = 0; i < 3; i++) w.Network.Connect(i);
        long k = 0;
        for (long t = 20; t <= 10_000; t += 20)
        {
            w.RunUntil(t);
            for (int i = 0; i < 3; i++)
                if (w.GetState(i).IsLeader) { w.Propose(i, Commands.Int(k++)); break; }
        }
        if (w.Violation is not null) throw new InvalidOperationException(w.Violation.ToString());
        if (w.Checker.MaxCommitted < 100) throw new InvalidOperationException($"only {w.Checker.MaxCommitted} entries committed");
        return w.EventCount;
    }

    /// <summary>ns per simulated event (divide 10^9 by it for events/s).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public long SimulatedEvents()
    {
        long events = RunWorld();
        if (events != _events) throw new InvalidOperationException("the world is not deterministic");
        return events;
    }

    [Benchmark]
    public int ExploreSchedule()
    {
        var settings = new ExploreSettings { Nodes = 3, MaxSteps = 200 };
        ScheduleResult r = ScheduleRunner.Run(settings, _schedule, ScheduleRunner.ScheduleSeed(1, _schedule), new RandomStrategy(), record: false);
        _schedule++;
        if (r.Violation is not null) throw new InvalidOperationException(r.Violation.ToString());
        return r.Steps;
    }

    [GlobalCleanup]
    public void Report() => Console.WriteLine($"// world: {_events} simulated events per 10 virtual seconds");
}
