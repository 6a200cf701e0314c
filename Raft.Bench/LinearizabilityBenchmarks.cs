using BenchmarkDotNet.Attributes;
using Raft.Model.Histories;

namespace Raft.Bench;

/// <summary>
/// The linearizability checker on a linearizable 10,000-operation key-value history (8 keys, 16
/// clients one request at a time, latencies 1..20 virtual ms, 1% timed out), from
/// <see cref="SyntheticHistory"/> with a fixed seed. docs/linearizability.md has the figures.
/// </summary>
[MemoryDiagnoser]
public class LinearizabilityBenchmarks
{
    private History _history = null!;

    [Params(10_000)] public int Operations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _history = SyntheticHistory.Generate(new SyntheticHistoryOptions { Operations = Operations, Keys = 8, Clients = 16, MaxLatency = 20, MaxThink = 5, AmbiguousPercent = 1, Seed = 1 });
        if (LinearizabilityChecker.Check(_history).Verdict != Verdict.Linearizable) throw new InvalidOperationException("the benchmark history should be linearizable");
    }

    [Benchmark]
    public Verdict CheckLinearizableHistory() => LinearizabilityChecker.Check(_history).Verdict;
}
