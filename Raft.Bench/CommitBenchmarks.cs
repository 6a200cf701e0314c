using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Raft.Bench.Harness;

namespace Raft.Bench;

/// <summary>
/// Commit throughput on the work etcd's raft benchmark does (../shared/reference/etcd-commit-bench.md):
/// ns per committed entry, one proposal at a time (Batch = 1) or 64 entries in one proposal.
/// After timing, every node must have applied exactly the entries committed, so a fast wrong
/// answer cannot pass.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class CommitBenchmarks
{
    private InMemoryCluster _cluster = null!;
    private byte[][] _batch = [];
    private long _committed;

    [Params(3, 5)] public int Nodes { get; set; }
    [Params(1, 64)] public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new InMemoryCluster(Nodes);
        _batch = new byte[Batch][];
        for (int i = 0; i < Batch; i++) _batch[i] = new byte[8];
        _committed = 0;
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public void Commit()
    {
        // 64 entries per invocation either way, so both variants report ns per committed entry
        if (Batch == 1)
            for (int i = 0; i < 64; i++) _cluster.CommitOne(_batch[0]);
        else
            _cluster.CommitBatch(_batch);
        _committed += 64;
    }

    [GlobalCleanup]
    public void Check() => _cluster.Verify(_committed);

    /// <summary>Messages delivered per committed entry, measured on a fixed run of the same work.</summary>
    public sealed class MessagesPerEntry : IColumn
    {
        public string Id => nameof(MessagesPerEntry);
        public string ColumnName => "Msgs/entry";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Messages delivered per committed entry";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            int nodes = (int)benchmarkCase.Parameters["Nodes"];
            int batch = (int)benchmarkCase.Parameters["Batch"];
            return Measure(nodes, batch).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        public static double Measure(int nodes, int batch)
        {
            var c = new InMemoryCluster(nodes);
            long before = c.MessagesDelivered;
            var commands = Enumerable.Range(0, batch).Select(_ => new byte[8]).ToArray();
            const int entries = 6400;
            for (int i = 0; i < entries / batch; i++)
            {
                if (batch == 1) c.CommitOne(commands[0]);
                else c.CommitBatch(commands);
            }
            c.Verify(entries);
            return (c.MessagesDelivered - before) / (double)entries;
        }
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new MessagesPerEntry());
    }
}
