using Raft.Model.Simulation;
using System.Text;
using System.Text.Json;
using Raft.Model.Events;
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

    /// <summary>Writes <paramref name="t"/>'s header line as a JSON object (the guided corpus embeds it to record a schedule's world: <see cref="CorpusDirectory"/>).</summary>
    public static void WriteHeaderObject(Utf8JsonWriter w, TraceFile t) => WriteHeader(w, t);

    private static void WriteHeader(Utf8JsonWriter w, TraceFile t)
    {
        ExploreSettings s = t.Settings;
        w.WriteStartObject();
        w.WriteString("format", TraceFile.FormatName);
        w.WriteNumber("version", TraceFile.VersionOf(t));
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
        if (s.NodeRecord is { } node)
        {
            w.WriteStartObject("node");
            w.WriteString("name", node.Name);
            if (node.IsLoadable)
            {
                w.WriteString("assembly", node.Assembly);
                w.WriteString("type", node.Type);
            }
            w.WriteEndObject();
        }
        w.WriteBoolean("liveness", s.Liveness);
        w.WriteNumber("livenessBoundMs", s.LivenessBoundMs);
        w.WriteNumber("tickMs", s.TickMs);
        w.WriteBoolean("asyncReady", s.AsyncReady);
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
            w.WriteNumber("maxBytesPerAppend", r.MaxBytesPerAppend);
            w.WriteBoolean("broadcastCommit", r.BroadcastCommit);
            w.WriteNumber("snapshotRetryTicks", r.SnapshotRetryTicks);
            w.WriteBoolean("entryArrayPool", r.EntryArrayPool is not null);
            w.WriteBoolean("asyncReady", t.Swarm.AsyncReady);
            WriteReadOptions(w, r);
        }
        if (t.Swarm.ClockDriftPerMille != 0) w.WriteNumber("clockDriftPerMille", t.Swarm.ClockDriftPerMille);
        if (t.Swarm.Proposals is { } n) w.WriteNumber("proposals", n);
        if (t.Swarm.Clients > 0)
        {
            w.WriteNumber("clients", t.Swarm.Clients);
            w.WriteNumber("clientOps", t.Swarm.ClientOps);
            w.WriteNumber("clientTimeout", t.Swarm.ClientTimeout);
            if (t.Swarm.ClientReads != ClientReads.Log) w.WriteString("clientReads", "readIndex");
            if (t.Swarm.ClientWorkload != ClientWorkload.Mixed) w.WriteString("clientWorkload", "register");
        }
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
        w.WriteBoolean("broadcastCommit", s.Raft.BroadcastCommit);
        w.WriteNumber("snapshotRetryTicks", s.Raft.SnapshotRetryTicks);
        w.WriteBoolean("entryArrayPool", s.Raft.EntryArrayPool is not null);
        WriteReadOptions(w, s.Raft);
        w.WriteEndObject();
        if (s.Lab is { } lab)
        {
            w.WriteStartObject("lab");
            w.WriteBoolean("snapshotService", lab.SnapshotService);
            w.WriteNumber("snapshotInterval", lab.SnapshotInterval);
            w.WriteBoolean("reliable", lab.Reliable);
            w.WriteBoolean("longReordering", lab.LongReordering);
            w.WriteNumber("duplicatePerThousand", lab.DuplicatePerThousand);
            if (lab.KvServers)
            {
                // Lab 3's KV servers (older readers never see this object in a Lab 2 trace)
                w.WriteStartObject("kv");
                w.WriteNumber("maxRaftState", lab.MaxRaftState);
                w.WriteBoolean("duplicateDetection", lab.KvDuplicateDetection);
                w.WriteEndObject();
            }
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
        WriteEvent(w, s.Event);
        if (s.Outcome.Kind != OutcomeKind.Done) WriteStepOutcome(w, s.Outcome);
        w.WriteStartArray("nodes");
        foreach (NodeState n in s.Nodes)
        {
            if (!n.Up) { w.WriteNullValue(); continue; }
            w.WriteStartObject();
            w.WriteString("role", RoleName(n.Role));
            w.WriteNumber("term", n.Term);
            w.WriteNumber("commit", n.Commit);
            w.WriteNumber("last", n.Last);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.Sent is { Length: > 0 } sent)
        {
            w.WriteStartArray("sent");
            foreach (SentMessage m in sent)
            {
                w.WriteStartObject();
                WriteMessageFields(w, m.Message);
                if (m.Lost) w.WriteBoolean("lost", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter w, StepEvent e)
    {
        w.WriteStartObject("event");
        w.WriteString("kind", StepDiff.Name(e.Kind));
        w.WriteNumber("node", e.Node);
        w.WriteNumber("at", e.At);
        if (e.Message is { } m)
        {
            w.WriteStartObject("message");
            WriteMessageFields(w, m);
            w.WriteEndObject();
        }
        if (e.Kind == EventKind.Propose) w.WriteNumber("proposal", e.Proposal);
        if (e.Kind is EventKind.Advance or EventKind.Ticks) w.WriteNumber("advanceTo", e.AdvanceTo);
        if (e.Request is { } r)
        {
            w.WriteStartObject("request");
            w.WriteNumber("client", r.Client);
            w.WriteNumber("seq", r.Seq);
            w.WriteString("op", r.Op.ToString().ToLowerInvariant());
            w.WriteString("key", r.Key);
            w.WriteString("value", r.Value);
            if (r.Output is not null) w.WriteString("output", r.Output);
            w.WriteEndObject();
        }
        if (e.Control is { } c)
        {
            w.WriteStartObject("control");
            w.WriteString("op", ControlName(c.Op));
            if (c.Command is not null) w.WriteString("command", Convert.ToHexString(c.Command).ToLowerInvariant());
            if (c.Op is ControlOp.Reliable or ControlOp.LongReordering) w.WriteBoolean("flag", c.Flag);
            if (c.Op is ControlOp.Deadline or ControlOp.Stabilise) w.WriteNumber("boundMs", c.BoundMs);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>A message's fields: id, type, from, to, term and index always; the rest only when not zero.</summary>
    private static void WriteMessageFields(Utf8JsonWriter w, in MessageInfo m)
    {
        w.WriteNumber("id", m.Id);
        w.WriteString("type", m.Type.ToString());
        w.WriteNumber("from", m.From);
        w.WriteNumber("to", m.To);
        w.WriteNumber("term", m.Term);
        w.WriteNumber("index", m.Index);
        if (m.LogTerm != 0) w.WriteNumber("logTerm", m.LogTerm);
        if (m.Commit != 0) w.WriteNumber("commit", m.Commit);
        if (m.Entries != 0) w.WriteNumber("entries", m.Entries);
        if (m.Reject) w.WriteBoolean("reject", true);
        if (m.Hint != 0) w.WriteNumber("hint", m.Hint);
        if (m.Bytes != 0) w.WriteNumber("bytes", m.Bytes);
        if (m.Name is { } name) w.WriteString("name", name);
    }

    /// <summary>The core's read options, written only when not the defaults (so traces from before them read the same).</summary>
    private static void WriteReadOptions(Utf8JsonWriter w, Raft.Core.Node.RaftOptions r)
    {
        if (r.NoOpOnElection) w.WriteBoolean("noOpOnElection", true);
        if (r.ReadOnly == Raft.Core.Node.ReadOnlyOption.LeaseBased)
        {
            w.WriteString("readOnly", "lease");
            w.WriteNumber("leaseDriftTicks", r.LeaseDriftTicks);
        }
    }

    private static void WriteStepOutcome(Utf8JsonWriter w, in StepOutcome o)
    {
        w.WriteStartObject("outcome");
        w.WriteString("kind", StepDiff.Name(o.Kind));
        switch (o.Kind)
        {
            case OutcomeKind.Proposed: w.WriteNumber("index", o.Index); w.WriteNumber("term", o.Term); break;
            case OutcomeKind.Ticks: w.WriteNumber("ticks", o.Count); break;
            case OutcomeKind.Clock: w.WriteNumber("now", o.Index); w.WriteNumber("by", o.Count); break;
            case OutcomeKind.Snapshot: w.WriteNumber("through", o.Index); break;
            case OutcomeKind.Healed: w.WriteNumber("inFlight", o.Count); w.WriteNumber("lost", o.Index); break;
            case OutcomeKind.Retimed: w.WriteNumber("retimed", o.Count); break;
            case OutcomeKind.NotApplied: w.WriteNumber("missing", o.Count); break;
            case OutcomeKind.Persisted: w.WriteNumber("from", o.Index); w.WriteNumber("entries", o.Count); break;
            case OutcomeKind.Sent: w.WriteNumber("messages", o.Count); break;
            case OutcomeKind.Applied: w.WriteNumber("through", o.Index); w.WriteNumber("applied", o.Count); break;
            case OutcomeKind.ReadAccepted: w.WriteNumber("read", o.Index); break;
            case OutcomeKind.Partitioned when o.Partition is { } p:
                w.WriteStartObject("partition");
                w.WriteString("shape", p.Kind.ToString().ToLowerInvariant());
                switch (p.Kind)
                {
                    case PartitionKind.Isolate: w.WriteNumber("node", p.Node); break;
                    case PartitionKind.Cut: w.WriteNumber("from", p.Node); w.WriteNumber("to", p.To); break;
                    default:
                        w.WriteStartArray("sides");
                        foreach (int side in p.Sides ?? []) w.WriteNumberValue(side);
                        w.WriteEndArray();
                        break;
                }
                w.WriteEndObject();
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>A role's name in traces.</summary>
    public static string RoleName(Raft.Core.Node.Role r) => r switch
    {
        Raft.Core.Node.Role.Leader => "leader",
        Raft.Core.Node.Role.Candidate => "candidate",
        Raft.Core.Node.Role.PreCandidate => "precandidate",
        _ => "follower",
    };

    /// <summary>A control op's name in traces.</summary>
    public static string ControlName(ControlOp op) => op switch
    {
        ControlOp.LongReordering => "long-reordering",
        ControlOp.CrashAfterPersist => "crash-after-persist",
        _ => op.ToString().ToLowerInvariant(),
    };

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
