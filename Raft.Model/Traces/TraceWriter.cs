using Raft.Model.Simulation;
using System.Text;
using System.Text.Json;
using Raft.Model.Exploration;

namespace Raft.Model.Traces;

/// <summary>
/// Writes a trace as JSON Lines: a header line, one line per step, an outcome line. Output is a
/// pure function of the trace (fixed field order, invariant formatting, "\n" line ends), so the
/// same schedule gives a byte-identical file in any process.
/// </summary>
public static class TraceWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] ToBytes(TraceFile t)
    {
        using var ms = new MemoryStream();
        Line(ms, w => WriteHeader(w, t));
        foreach (TraceStep s in t.Steps) Line(ms, w => WriteStep(w, s));
        Line(ms, w => WriteOutcome(w, t.Outcome));
        return ms.ToArray();
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary file, so a failure never leaves half a trace.</summary>
    public static void Write(TraceFile t, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        File.WriteAllBytes(tmp, ToBytes(t));
        File.Move(tmp, path, overwrite: true);
    }

    private static void Line(MemoryStream ms, Action<Utf8JsonWriter> body)
    {
        using (var w = new Utf8JsonWriter(ms, Options)) body(w);
        ms.WriteByte((byte)'\n');
    }

    private static void WriteHeader(Utf8JsonWriter w, TraceFile t)
    {
        ExploreSettings s = t.Settings;
        w.WriteStartObject();
        w.WriteString("format", TraceFile.FormatName);
        w.WriteNumber("version", TraceFile.FormatVersion);
        w.WriteString("tool", TraceFile.ToolVersion);
        w.WriteNumber("nodes", t.Swarm.Nodes);
        w.WriteString("mode", ModeName(s.Mode));
        w.WriteString("strategy", s.Strategy);
        w.WriteNumber("strategyParameter", s.StrategyParameter);
        w.WriteString("seed", s.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("iteration", t.Iteration);
        w.WriteString("scheduleSeed", t.ScheduleSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("maxSteps", s.MaxSteps);
        w.WriteNumber("proposals", s.Proposals);
        w.WriteString("bug", s.Bug);
        w.WriteBoolean("liveness", s.Liveness);
        w.WriteNumber("livenessBoundMs", s.LivenessBoundMs);
        w.WriteNumber("tickMs", s.TickMs);
        w.WriteStartObject("faults");
        w.WriteNumber("crashes", s.Faults.Crashes);
        w.WriteNumber("partitions", s.Faults.Partitions);
        w.WriteNumber("drops", s.Faults.Drops);
        w.WriteNumber("duplicates", s.Faults.Duplicates);
        w.WriteEndObject();
        w.WriteStartObject("swarm");
        w.WriteNumber("faultPerThousand", t.Swarm.FaultPerThousand);
        w.WriteNumber("timerPerThousand", t.Swarm.TimerPerThousand);
        w.WriteNumber("proposePerThousand", t.Swarm.ProposePerThousand);
        w.WriteNumber("snapshotPerThousand", t.Swarm.SnapshotPerThousand);
        w.WriteNumber("maxDelayMs", t.Swarm.MaxDelayMs);
        w.WriteNumber("crashWeight", t.Swarm.CrashWeight);
        w.WriteNumber("partitionWeight", t.Swarm.PartitionWeight);
        w.WriteNumber("dropWeight", t.Swarm.DropWeight);
        w.WriteNumber("duplicateWeight", t.Swarm.DuplicateWeight);
        if (t.Swarm.Raft is { } r)
        {
            w.WriteNumber("electionTicks", r.ElectionTicks);
            w.WriteNumber("heartbeatTicks", r.HeartbeatTicks);
            w.WriteNumber("maxEntriesPerAppend", r.MaxEntriesPerAppend);
        }
        if (t.Swarm.Proposals is { } n) w.WriteNumber("proposals", n);
        if (s.Liveness)
        {
            w.WriteNumber("liveUnstableMs", t.Swarm.LiveUnstableMs);
            w.WriteNumber("liveDelayMs", t.Swarm.LiveDelayMs);
            w.WriteNumber("liveReorderPerThousand", t.Swarm.LiveReorderPerThousand);
            w.WriteNumber("liveDropPerThousand", t.Swarm.LiveDropPerThousand);
            w.WriteNumber("liveStableDelayMs", t.Swarm.LiveStableDelayMs);
        }
        w.WriteEndObject();
        w.WriteStartObject("raft");
        w.WriteNumber("electionTicks", s.Raft.ElectionTicks);
        w.WriteNumber("heartbeatTicks", s.Raft.HeartbeatTicks);
        w.WriteNumber("maxEntriesPerAppend", s.Raft.MaxEntriesPerAppend);
        w.WriteNumber("maxBytesPerAppend", s.Raft.MaxBytesPerAppend);
        w.WriteEndObject();
        if (s.Lab is { } lab)
        {
            w.WriteStartObject("lab");
            w.WriteBoolean("snapshotService", lab.SnapshotService);
            w.WriteNumber("snapshotInterval", lab.SnapshotInterval);
            w.WriteBoolean("reliable", lab.Reliable);
            w.WriteBoolean("longReordering", lab.LongReordering);
            w.WriteNumber("duplicatePerThousand", lab.DuplicatePerThousand);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>The mode's name in traces and summaries.</summary>
    public static string ModeName(WorldMode m) => m switch
    {
        WorldMode.Timed => "timed",
        WorldMode.Lab => "lab",
        _ => "adversarial",
    };

    private static void WriteStep(Utf8JsonWriter w, TraceStep s)
    {
        w.WriteStartObject();
        w.WriteNumber("step", s.Step);
        w.WriteStartArray("decisions");
        foreach (int d in s.Decisions) w.WriteNumberValue(d);
        w.WriteEndArray();
        w.WriteString("event", s.Event);
        if (s.Control is { } c)
        {
            w.WriteStartObject("control");
            w.WriteString("op", c.Op.ToString().ToLowerInvariant());
            w.WriteNumber("node", c.Node);
            w.WriteNumber("at", c.At);
            if (c.Command is not null) w.WriteString("command", Convert.ToHexString(c.Command).ToLowerInvariant());
            if (c.Op is ControlOp.Reliable or ControlOp.LongReordering) w.WriteBoolean("flag", c.Flag);
            if (c.Op == ControlOp.Deadline) w.WriteNumber("boundMs", c.BoundMs);
            w.WriteEndObject();
        }
        if (s.Detail.Length > 0) w.WriteString("detail", s.Detail);
        w.WriteString("nodes", s.Nodes);
        if (s.Sent is { Length: > 0 } sent)
        {
            w.WriteStartArray("sent");
            foreach (SentMessage m in sent)
            {
                w.WriteStartObject();
                w.WriteNumber("id", m.Id);
                w.WriteNumber("from", m.From);
                w.WriteNumber("to", m.To);
                w.WriteString("type", m.Type);
                if (m.Lost) w.WriteBoolean("lost", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteOutcome(Utf8JsonWriter w, TraceOutcome o)
    {
        w.WriteStartObject();
        if (o.Violation is { } v)
        {
            w.WriteString("outcome", "violation");
            w.WriteString("invariant", v.Invariant.ToString());
            w.WriteStartArray("violationNodes");
            foreach (int n in v.Nodes) w.WriteNumberValue(n);
            w.WriteEndArray();
            w.WriteNumber("index", v.Index);
            w.WriteNumber("term", v.Term);
            w.WriteNumber("step", o.ViolationStep);
            w.WriteNumber("event", v.Event);
            w.WriteString("detail", v.Detail);
        }
        else
        {
            w.WriteString("outcome", "pass");
        }
        if (o.Liveness is not null) w.WriteString("liveness", o.Liveness);
        if (o.Tester is not null) w.WriteString("tester", o.Tester);
        w.WriteEndObject();
    }
}
