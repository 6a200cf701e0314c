using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Raft.Bench.Harness;

namespace Raft.Bench;

/// <summary>
/// dotnet run -c Release --project Raft.Bench -- --filter '*Commit*'  (see docs/benchmarks.md)
/// <para>dotnet run -c Release --project Raft.Bench -- loop NODES BATCH BROADCAST ENTRIES: the commit
/// work in a plain timed loop (no BenchmarkDotNet), for profilers such as perf. It warms up first,
/// as BenchmarkDotNet does, so its ns per committed entry is the table's.</para>
/// <para>dotnet run -c Release --project Raft.Bench -- breakdown NODES BATCH BROADCAST ENTRIES: the same loop
/// with the harness's stage markers on, and the time per stage (<see cref="Breakdown"/>).</para>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "loop" or "breakdown")
        {
            string usage = $"{args[0]} NODES BATCH BROADCAST ENTRIES (for example: {args[0]} 3 1 true 1000000)";
            if (args.Length != 5
                || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int nodes) || nodes < 2
                || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int batch) || batch < 1 || batch > 64
                || !bool.TryParse(args[3], out bool broadcast)
                || !long.TryParse(args[4], NumberStyles.None, CultureInfo.InvariantCulture, out long entries) || entries < batch || entries % batch != 0)
                return Fail($"usage: {usage}; NODES >= 2, BATCH 1..64, BROADCAST true or false, ENTRIES a multiple of BATCH");
            if (args[0] == "loop")
            {
                Console.WriteLine(Loop(nodes, batch, broadcast, entries));
                return 0;
            }
            if (Environment.ProcessorCount < 2) return Fail("breakdown samples the stages from a second processor; this process sees one (is it pinned with taskset?)");
            Environment.SetEnvironmentVariable("RAFT_BENCH_STAGES", "1"); // before the harness first runs (Stages.Enabled)
            Console.Write(Breakdown.Run(nodes, batch, broadcast, entries));
            return 0;
        }
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        if (summaries.Any(s => s.BenchmarksCases.Any(b => b.Descriptor.Type == typeof(CommitBenchmarks))))
            Console.WriteLine(CommitBenchmarks.Note);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Raft.Bench: {message}");
        return 2;
    }

    /// <summary>
    /// Untimed work before the timed runs: at least this long and this many entries. On one processor
    /// (for example under <c>taskset -c 1</c>) .NET waits longer before it compiles hot methods at
    /// their final tier, and 2 s ended with methods still at their first: 135 ns per entry against 19
    /// (docs/benchmarks.md), so the warm-up is longer there.
    /// </summary>
    public static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(Environment.ProcessorCount == 1 ? 10 : 2);
    public const long WarmUpEntries = 300_000;
    public const int TimedRuns = 5;

    /// <summary>
    /// The commit work in a plain loop. First a warm-up, untimed, like BenchmarkDotNet's pilot and
    /// warm-up stages: at least <see cref="WarmUpTime"/> and <see cref="WarmUpEntries"/> entries,
    /// so the JIT has tiered the hot paths up and the cluster's arrays have grown through
    /// compactions and the payload ring (timing from a cold start measured the JIT, 3–7× the
    /// table). Then <see cref="TimedRuns"/> timed runs of <paramref name="entries"/> entries each
    /// on the same cluster, as BenchmarkDotNet's iterations; the median is reported.
    /// </summary>
    public static LoopResult Loop(int nodes, int batch, bool broadcast, long entries, StageSampler? sampler = null, Breakdown.Counts? counts = null)
    {
        if (nodes < 2 || batch < 1 || batch > 64 || entries < batch) throw new ArgumentException("loop NODES BATCH BROADCAST ENTRIES: NODES >= 2, BATCH 1..64, ENTRIES >= BATCH");
        var c = new InMemoryCluster(nodes, broadcast);
        long rounds = entries / batch, committed = 0;
        void Commit(long n)
        {
            for (long i = 0; i < n; i++) c.Commit(batch);
            committed += n * batch;
        }
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < WarmUpTime || committed < WarmUpEntries) Commit(Math.Max(1, 10_000 / batch));
        long warmUpEntries = committed;
        double warmUpSeconds = warm.Elapsed.TotalSeconds;
        long messagesBefore = c.MessagesDelivered, readiesBefore = c.ReadiesHandled, callsBefore = c.ReadyCalls, appendsBefore = c.AppendsDelivered;
        var perEntry = new double[TimedRuns];
        for (int run = 0; run < TimedRuns; run++)
        {
            sampler?.Start();
            var sw = Stopwatch.StartNew();
            Commit(rounds);
            sw.Stop();
            sampler?.Stop();
            perEntry[run] = sw.Elapsed.TotalNanoseconds / (rounds * batch);
        }
        double messages = (c.MessagesDelivered - messagesBefore) / (double)(TimedRuns * rounds * batch);
        if (counts is not null)
        {
            counts.Proposals = TimedRuns * rounds; // one proposal per Commit(batch)
            counts.ReadyCalls = c.ReadyCalls - callsBefore;
            counts.Readies = c.ReadiesHandled - readiesBefore;
            counts.Appends = c.AppendsDelivered - appendsBefore;
            counts.Replies = c.MessagesDelivered - messagesBefore - counts.Appends;
        }
        c.Verify(committed);
        return new LoopResult(nodes, batch, broadcast, rounds * batch, warmUpEntries, warmUpSeconds, perEntry, messages);
    }
}

/// <summary>What <c>loop</c> measured: per committed entry, each timed run's ns, after the warm-up.</summary>
public sealed record LoopResult(int Nodes, int Batch, bool Broadcast, long EntriesPerRun, long WarmUpEntries, double WarmUpSeconds,
    IReadOnlyList<double> NsPerEntry, double MessagesPerEntry)
{
    public double Median => NsPerEntry.Order().ElementAt(NsPerEntry.Count / 2);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Nodes} nodes, batch {Batch}, broadcast {Broadcast}: {Median:0.0} ns per committed entry, {1e9 / Median:#,0} entries/s " +
        $"(median of {NsPerEntry.Count} timed runs of {EntriesPerRun:#,0} entries, {NsPerEntry.Min():0.0}–{NsPerEntry.Max():0.0} ns; " +
        $"after an untimed warm-up of {WarmUpEntries:#,0} entries in {WarmUpSeconds:0.0} s), {MessagesPerEntry:0.00} msgs/entry");
}
