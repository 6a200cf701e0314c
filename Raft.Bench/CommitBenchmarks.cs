using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Raft.Bench.Harness;

namespace Raft.Bench;

/// <summary>
/// Commit throughput on the work etcd's raft benchmark does (docs/benchmarks.md, "The work"),
/// like for like: every Ready persisted into a per-node in-memory store, distinct payloads, every
/// applied entry checked against what was proposed at its index. ns per committed entry, one
/// proposal at a time (Batch = 1) or 64 entries in one proposal; with the commit index riding the
/// next append (BroadcastCommit = false, our default) or broadcast as soon as it advances (etcd's
/// pattern). After timing, every node's log, store and applied sequence are checked per index.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class CommitBenchmarks
{
    private InMemoryCluster _cluster = null!;
    private long _committed;

    [Params(3, 5)] public int Nodes { get; set; }
    [Params(1, 64)] public int Batch { get; set; }
    [Params(false, true)] public bool BroadcastCommit { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new InMemoryCluster(Nodes, BroadcastCommit);
        _committed = 0;
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public void Commit()
    {
        // 64 entries per invocation either way, so both variants report ns per committed entry
        if (Batch == 1)
            for (int i = 0; i < 64; i++) _cluster.CommitOne();
        else
            _cluster.CommitBatch(64);
        _committed += 64;
    }

    [GlobalCleanup]
    public void Check() => _cluster.Verify(_committed);

    /// <summary>Printed after a run's tables: what the Commit rows measure.</summary>
    public const string Note =
        "CommitBenchmarks: one operation is one committed entry (64 entries per invocation, OperationsPerInvoke = 64): " +
        "Mean, Error, StdDev and Median are ns per committed entry, Entries/s is 1 s / Mean, Allocated is bytes per committed entry.";

    /// <summary>A numeric column of the Commit rows, with its header and its legend line.</summary>
    public abstract class CommitColumn(string columnName, string legend) : IColumn
    {
        public string Id => GetType().Name;
        public string ColumnName => columnName;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => legend;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style);
    }

    /// <summary>Committed entries per second: 1 s / Mean, since one operation is one committed entry.</summary>
    public sealed class EntriesPerSecond() : CommitColumn("Entries/s", "Committed entries per second: 1 s / Mean (one operation is one committed entry)")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            summary[benchmarkCase]?.ResultStatistics is { Mean: > 0 } s ? Format(1e9 / s.Mean) : "-";

        /// <summary>"2.41 M", "33.4 M", "950 k".</summary>
        public static string Format(double perSecond) => perSecond >= 1e6
            ? (perSecond / 1e6).ToString(perSecond >= 1e8 ? "0" : perSecond >= 1e7 ? "0.0" : "0.00", System.Globalization.CultureInfo.InvariantCulture) + " M"
            : (perSecond / 1e3).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " k";
    }

    /// <summary>Messages delivered per committed entry, measured on a fixed run of the same work.</summary>
    public sealed class MessagesPerEntry() : CommitColumn("Msgs/entry", "Messages delivered per committed entry")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (!benchmarkCase.Parameters.Items.Any(p => p.Name == "Nodes")) return "-";
            int nodes = (int)benchmarkCase.Parameters["Nodes"];
            int batch = (int)benchmarkCase.Parameters["Batch"];
            bool broadcast = (bool)benchmarkCase.Parameters["BroadcastCommit"];
            return Measure(nodes, batch, broadcast).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        public static double Measure(int nodes, int batch, bool broadcastCommit)
        {
            var c = new InMemoryCluster(nodes, broadcastCommit);
            long before = c.MessagesDelivered;
            const int entries = 6400;
            for (int i = 0; i < entries / batch; i++) c.Commit(batch);
            long delivered = c.MessagesDelivered - before; // before Verify's heartbeat
            c.Verify(entries);
            return delivered / (double)entries;
        }
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new EntriesPerSecond(), new MessagesPerEntry());
    }
}
