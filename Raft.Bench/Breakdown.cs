using System.Globalization;
using System.Text;
using Raft.Bench.Harness;

namespace Raft.Bench;

/// <summary>
/// <c>breakdown NODES BATCH BROADCAST ENTRIES</c>: where the commit cycle's time goes, stage by
/// stage (docs/benchmarks.md, "Where the time goes"). The <c>loop</c> work with the harness's
/// stage markers on (<see cref="Stages"/>) and a thread on another core sampling the current
/// stage every 10 µs during the timed runs: a stage's share of the samples is its share of the
/// time, and that share of the measured ns per entry is its cost per entry. Needs a second
/// processor for the sampler.
/// </summary>
public static class Breakdown
{
    public static readonly TimeSpan Interval = TimeSpan.FromMicroseconds(10);

    public static string Run(int nodes, int batch, bool broadcast, long entries)
    {
        var counts = new Counts();
        var sampler = new StageSampler(Interval);
        LoopResult loop;
        using (sampler) loop = Program.Loop(nodes, batch, broadcast, entries, sampler, counts); // stopped before the samples are read
        long[] samples = sampler.Samples;
        long total = samples.Sum();
        double ns = loop.Median, perEntry = 1.0 / (loop.EntriesPerRun * Program.TimedRuns);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{loop} [stage markers on]");
        double expected = loop.NsPerEntry.Sum() * loop.EntriesPerRun / (Interval.TotalMicroseconds * 1000);
        text.AppendLine(CultureInfo.InvariantCulture, $"{total:#,0} samples, one every {Interval.TotalMicroseconds:0} µs of the timed runs " +
            $"({expected:#,0} expected from their duration; {sampler.Missed:#,0} skipped while the sampler was descheduled); per committed entry: " +
            $"{counts.Proposals * perEntry:0.###} proposals, {counts.ReadyCalls * perEntry:0.##} TryGetReady calls, {counts.Readies * perEntry:0.##} Readies handled, " +
            $"{counts.Appends * perEntry:0.##} AppendEntries and {counts.Replies * perEntry:0.##} replies stepped");
        if (total < 1000) text.AppendLine("warning: fewer than 1,000 samples; the shares are rough (time more entries)");
        if (sampler.Missed > total / 10) text.AppendLine("warning: more than a tenth of the sampling instants were skipped: the machine is busy, the shares may be biased");
        text.AppendLine();
        text.AppendLine("| stage | share of the time | ns per entry | per | ns each |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (Stage stage in Enum.GetValues<Stage>())
        {
            double share = total == 0 ? 0 : samples[(int)stage] / (double)total;
            (string per, long count) = stage switch
            {
                Stage.Propose => ("proposal", counts.Proposals),
                Stage.Ready => ("TryGetReady call (average: those that hand out a Ready and those that find nothing)", counts.ReadyCalls),
                Stage.Persist or Stage.Send or Stage.Apply or Stage.Advance => ("Ready handled", counts.Readies),
                Stage.StepAppend => ("AppendEntries", counts.Appends),
                Stage.StepReply => ("reply", counts.Replies),
                _ => ("", 0),
            };
            string each = count == 0 ? "" : (share * ns / (count * perEntry)).ToString("0.0", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Describe(stage)} | {share:0.0%} | {share * ns:0.0} | {per} | {each} |");
        }
        return text.ToString();
    }

    public static string Describe(Stage stage) => stage switch
    {
        Stage.Harness => "harness (round loop, commit check, payload ring)",
        Stage.Propose => "propose (log append, AppendEntries out)",
        Stage.Ready => "TryGetReady",
        Stage.Persist => "persist (store copy)",
        Stage.Send => "send (queue messages)",
        Stage.Apply => "apply (check entries)",
        Stage.Advance => "Advance (and the compaction every 100,000 entries)",
        Stage.StepAppend => "follower steps AppendEntries",
        Stage.StepReply => "leader steps reply (commit, messages out)",
        _ => stage.ToString(),
    };

    /// <summary>What the timed runs did, from the harness's counters.</summary>
    public sealed class Counts
    {
        public long Proposals, ReadyCalls, Readies, Appends, Replies;
    }
}
