using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Raft.Bench.Harness;

namespace Raft.Bench;

/// <summary>
/// dotnet run -c Release --project Raft.Bench -- --filter '*Commit*'  (see docs/benchmarks.md)
/// <para>dotnet run -c Release --project Raft.Bench -- loop NODES BATCH BROADCAST ENTRIES: the commit
/// work in a plain timed loop (no BenchmarkDotNet), for profilers such as perf.</para>
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length == 5 && args[0] == "loop")
        {
            Loop(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture),
                bool.Parse(args[3]), long.Parse(args[4], CultureInfo.InvariantCulture));
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Loop(int nodes, int batch, bool broadcast, long entries)
    {
        var c = new InMemoryCluster(nodes, broadcast);
        long rounds = entries / batch;
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < rounds; i++)
        {
            if (batch == 1) c.CommitOne();
            else c.CommitBatch(batch);
        }
        sw.Stop();
        c.Verify(rounds * batch);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{nodes} nodes, batch {batch}, broadcast {broadcast}: {sw.Elapsed.TotalNanoseconds / (rounds * batch):0.0} ns/entry over {rounds * batch} entries, {c.MessagesDelivered / (double)(rounds * batch):0.00} msgs/entry"));
    }
}
