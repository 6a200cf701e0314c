using Raft.Model.Simulation;
using System.Globalization;
using System.Text.Json;
using Raft.Core.Node;
using Raft.Model.Exploration;
using Raft.Model.Invariants;

namespace Raft.Model.Traces;

/// <summary>
/// Reads a trace written by <see cref="TraceWriter"/>. Anything else (not JSON, a missing or
/// mistyped field, an unknown version, steps out of order, a missing outcome line) is a
/// <see cref="TraceFormatException"/> naming the file and line, never a crash.
/// </summary>
public static class TraceReader
{
    public static TraceFile Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}");
        }
        return Parse(lines, path);
    }

    public static TraceFile Parse(IReadOnlyList<string> lines, string name = "trace")
    {
        var content = lines.Select((text, i) => (Text: text, Line: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (content.Count == 0) throw new TraceFormatException($"{name}: empty file, not a trace");
        var (settings, iteration, seed, swarm) = ParseHeader(Json(name, content[0]), name, content[0].Line);
        if (content.Count < 2) throw new TraceFormatException($"{name}: has a header but no outcome line (truncated?)");
        var steps = new List<TraceStep>();
        for (int k = 1; k < content.Count - 1; k++)
        {
            JsonElement e = Json(name, content[k]);
            string where = $"{name}:{content[k].Line}";
            if (e.TryGetProperty("outcome", out _)) throw new TraceFormatException($"{where}: outcome line before the end of the trace");
            int step = Int(e, "step", where);
            if (step != steps.Count) throw new TraceFormatException($"{where}: step {step} out of order (expected {steps.Count})");
            WorldControl? control = ParseControl(e, where, settings);
            if (!e.TryGetProperty("decisions", out JsonElement d) || d.ValueKind != JsonValueKind.Array || (d.GetArrayLength() == 0) != (control is not null))
                throw new TraceFormatException($"{where}: 'decisions' must be a non-empty array of integers (empty only on a control step)");
            var decisions = new int[d.GetArrayLength()];
            int i = 0;
            foreach (JsonElement x in d.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out decisions[i]) || decisions[i] < 0)
                    throw new TraceFormatException($"{where}: 'decisions' must hold non-negative integers");
                i++;
            }
            steps.Add(new TraceStep(step, decisions, Str(e, "event", where), OptStr(e, "detail", where) ?? "", Str(e, "nodes", where), ParseSent(e, where), control));
        }
        if (steps.Count > settings.MaxSteps) throw new TraceFormatException($"{name}: {steps.Count} steps but maxSteps is {settings.MaxSteps}");
        var last = content[^1];
        TraceOutcome outcome = ParseOutcome(Json(name, last), $"{name}:{last.Line}");
        return new TraceFile { Settings = settings, Iteration = iteration, ScheduleSeed = seed, Swarm = swarm, Steps = steps, Outcome = outcome };
    }

    private static (ExploreSettings, int, ulong, SwarmParameters) ParseHeader(JsonElement h, string name, int line)
    {
        string where = $"{name}:{line}";
        if (OptStr(h, "format", where) != TraceFile.FormatName) throw new TraceFormatException($"{where}: not a RaftVerify trace (no \"format\":\"{TraceFile.FormatName}\" header)");
        int version = Int(h, "version", where);
        if (version < TraceFile.OldestReadableVersion || version > TraceFile.FormatVersion)
            throw new TraceFormatException($"{where}: trace format version {version} is not supported (this raftverify reads versions {TraceFile.OldestReadableVersion}–{TraceFile.FormatVersion})");
        string mode = Str(h, "mode", where);
        if (mode is not ("timed" or "adversarial" or "lab")) throw new TraceFormatException($"{where}: unknown mode '{mode}'");
        LabWorldSettings? lab = null;
        if (mode == "lab")
        {
            JsonElement l = Obj(h, "lab", where);
            lab = new LabWorldSettings(Bool(l, "snapshotService", where), Int(l, "snapshotInterval", where), Bool(l, "reliable", where),
                Bool(l, "longReordering", where), Int(l, "duplicatePerThousand", where));
            if (lab.SnapshotInterval < 1 || lab.DuplicatePerThousand is < 0 or > 1000)
                throw new TraceFormatException($"{where}: impossible lab settings: snapshotInterval must be positive and duplicatePerThousand within 0..1000");
        }
        JsonElement faults = Obj(h, "faults", where), swarm = Obj(h, "swarm", where), raft = Obj(h, "raft", where);
        int nodes = Int(h, "nodes", where);
        var settings = new ExploreSettings
        {
            Nodes = nodes,
            Mode = mode switch { "timed" => WorldMode.Timed, "lab" => WorldMode.Lab, _ => WorldMode.Adversarial },
            Lab = lab,
            Strategy = Str(h, "strategy", where),
            StrategyParameter = Int(h, "strategyParameter", where),
            Seed = ULong(h, "seed", where),
            MaxSteps = Int(h, "maxSteps", where),
            Proposals = Int(h, "proposals", where),
            Bug = Str(h, "bug", where),
            Liveness = Bool(h, "liveness", where),
            LivenessBoundMs = Int(h, "livenessBoundMs", where),
            TickMs = Int(h, "tickMs", where),
            Faults = new FaultBudget(Int(faults, "crashes", where), Int(faults, "partitions", where), Int(faults, "drops", where), Int(faults, "duplicates", where)),
            Raft = new RaftOptions
            {
                ElectionTicks = Int(raft, "electionTicks", where),
                HeartbeatTicks = Int(raft, "heartbeatTicks", where),
                MaxEntriesPerAppend = Int(raft, "maxEntriesPerAppend", where),
                MaxBytesPerAppend = Long(raft, "maxBytesPerAppend", where),
            },
            Workers = 1,
        };
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new TraceFormatException($"{where}: impossible settings: {e.Message}");
        }
        var sw = new SwarmParameters(nodes, Int(swarm, "faultPerThousand", where), Int(swarm, "timerPerThousand", where), Int(swarm, "proposePerThousand", where),
            Int(swarm, "snapshotPerThousand", where), Int(swarm, "maxDelayMs", where), Int(swarm, "crashWeight", where),
            Int(swarm, "partitionWeight", where), Int(swarm, "dropWeight", where), Int(swarm, "duplicateWeight", where));
        if (version >= 2)
        {
            // what swarm testing drew for this schedule (each optional: absent means the settings' value / the fair liveness phase)
            if (swarm.TryGetProperty("electionTicks", out _))
            {
                var raftOptions = settings.Raft with
                {
                    ElectionTicks = Int(swarm, "electionTicks", where),
                    HeartbeatTicks = Int(swarm, "heartbeatTicks", where),
                    MaxEntriesPerAppend = Int(swarm, "maxEntriesPerAppend", where),
                };
                try { raftOptions.Validate(); }
                catch (ArgumentException e) { throw new TraceFormatException($"{where}: impossible swarm core options: {e.Message}"); }
                sw = sw with { Raft = raftOptions };
            }
            if (swarm.TryGetProperty("proposals", out _))
            {
                int proposals = Int(swarm, "proposals", where);
                if (proposals < 0) throw new TraceFormatException($"{where}: impossible settings: swarm proposals cannot be negative");
                sw = sw with { Proposals = proposals };
            }
            string? liveness = OptStr(swarm, "liveness", where);
            if (liveness is not null)
            {
                if (liveness != "lab") throw new TraceFormatException($"{where}: unknown liveness model '{liveness}'");
                sw = sw with
                {
                    Liveness = LivenessModel.Lab,
                    LiveDelayMs = Int(swarm, "liveDelayMs", where),
                    LiveReorderPerThousand = Int(swarm, "liveReorderPerThousand", where),
                    LiveDropPerThousand = Int(swarm, "liveDropPerThousand", where),
                    LiveDropMs = Int(swarm, "liveDropMs", where),
                };
                if (sw.LiveDelayMs < 1 || sw.LiveReorderPerThousand is < 0 or > 1000 || sw.LiveDropPerThousand is < 0 or > 1000 || sw.LiveDropMs < 0)
                    throw new TraceFormatException($"{where}: impossible liveness parameters");
            }
        }
        if (nodes < 1 || (sw.MaxDelayMs < 1 && lab is null)) throw new TraceFormatException($"{where}: impossible settings: nodes and maxDelayMs must be positive");
        return (settings, Int(h, "iteration", where), ULong(h, "scheduleSeed", where), sw);
    }

    private static SentMessage[]? ParseSent(JsonElement e, string where)
    {
        if (!e.TryGetProperty("sent", out JsonElement sent)) return null;
        if (sent.ValueKind != JsonValueKind.Array) throw new TraceFormatException($"{where}: 'sent' must be an array");
        var list = new List<SentMessage>();
        foreach (JsonElement m in sent.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{where}: 'sent' must hold objects");
            bool lost = m.TryGetProperty("lost", out JsonElement l) && (l.ValueKind == JsonValueKind.True || (l.ValueKind == JsonValueKind.False ? false : throw new TraceFormatException($"{where}: 'lost' must be true or false")));
            list.Add(new SentMessage(Long(m, "id", where), Int(m, "from", where), Int(m, "to", where), Str(m, "type", where), lost));
        }
        return list.ToArray();
    }

    private static WorldControl? ParseControl(JsonElement e, string where, ExploreSettings settings)
    {
        if (!e.TryGetProperty("control", out JsonElement c)) return null;
        if (c.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{where}: 'control' must be an object");
        if (settings.Mode != WorldMode.Lab) throw new TraceFormatException($"{where}: a control step in a trace whose mode is not lab");
        string op = Str(c, "op", where);
        ControlOp kind = op switch
        {
            "start" => ControlOp.Start, "crash" => ControlOp.Crash, "connect" => ControlOp.Connect, "disconnect" => ControlOp.Disconnect,
            "reliable" => ControlOp.Reliable, "longreordering" => ControlOp.LongReordering, "crashafterpersist" => ControlOp.CrashAfterPersist,
            "propose" => ControlOp.Propose,
            _ => throw new TraceFormatException($"{where}: unknown control op '{Printable(op)}'"),
        };
        int node = Int(c, "node", where);
        bool network = kind is ControlOp.Reliable or ControlOp.LongReordering;
        if (network ? node != -1 : node < 0 || node >= settings.Nodes)
            throw new TraceFormatException($"{where}: control node {node} is outside 0..{settings.Nodes - 1}");
        long at = Long(c, "at", where);
        if (at < 0) throw new TraceFormatException($"{where}: control time {at} is negative");
        byte[]? command = null;
        if (kind == ControlOp.Propose)
        {
            string hex = Str(c, "command", where);
            try { command = Convert.FromHexString(hex); }
            catch (FormatException) { throw new TraceFormatException($"{where}: 'command' is not hexadecimal"); }
        }
        bool flag = network && Bool(c, "flag", where);
        return new WorldControl(kind, node, at, command, flag);
    }

    /// <summary>A value safe to echo in a one-line error: control characters escaped, length capped.</summary>
    internal static string Printable(string s)
    {
        var b = new System.Text.StringBuilder();
        foreach (char ch in s.Length > 60 ? s[..60] + "…" : s) b.Append(char.IsControl(ch) ? $"\\u{(int)ch:x4}" : ch.ToString());
        return b.ToString();
    }

    private static TraceOutcome ParseOutcome(JsonElement o, string where)
    {
        string kind = OptStr(o, "outcome", where) ?? throw new TraceFormatException($"{where}: the trace ends without an outcome line (truncated?)");
        string? liveness = OptStr(o, "liveness", where);
        string? tester = OptStr(o, "tester", where);
        if (kind == "pass") return new TraceOutcome(null, -1, liveness, tester);
        if (kind != "violation") throw new TraceFormatException($"{where}: unknown outcome '{kind}'");
        string inv = Str(o, "invariant", where);
        if (!Enum.GetNames<Invariant>().Contains(inv)) throw new TraceFormatException($"{where}: unknown invariant '{inv}'");
        Invariant invariant = Enum.Parse<Invariant>(inv);
        if (!o.TryGetProperty("violationNodes", out JsonElement nodesEl) || nodesEl.ValueKind != JsonValueKind.Array)
            throw new TraceFormatException($"{where}: 'violationNodes' must be an array");
        int[] nodes = nodesEl.EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v) ? v : throw new TraceFormatException($"{where}: 'violationNodes' must hold integers"))
            .ToArray();
        var violation = new Violation(invariant, nodes, Long(o, "index", where), Long(o, "term", where), Long(o, "event", where), Str(o, "detail", where));
        return new TraceOutcome(violation, Int(o, "step", where), liveness, tester);
    }

    private static JsonElement Json(string name, (string Text, int Line) l)
    {
        try
        {
            using var doc = JsonDocument.Parse(l.Text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{name}:{l.Line}: expected a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new TraceFormatException($"{name}:{l.Line}: not valid JSON ({e.Message.Split('.')[0]}); truncated or corrupted?");
        }
    }

    private static JsonElement Get(JsonElement e, string field, string where, JsonValueKind kind)
    {
        if (!e.TryGetProperty(field, out JsonElement v)) throw new TraceFormatException($"{where}: missing field '{field}'");
        if (v.ValueKind != kind && !(kind == JsonValueKind.True && v.ValueKind == JsonValueKind.False))
            throw new TraceFormatException($"{where}: field '{field}' should be {Describe(kind)}");
        return v;
    }

    private static string Describe(JsonValueKind k) => k switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        JsonValueKind.True => "true or false",
        _ => k.ToString(),
    };

    private static int Int(JsonElement e, string f, string where) =>
        Get(e, f, where, JsonValueKind.Number).TryGetInt32(out int v) ? v : throw new TraceFormatException($"{where}: field '{f}' is not a 32-bit integer");

    private static long Long(JsonElement e, string f, string where) =>
        Get(e, f, where, JsonValueKind.Number).TryGetInt64(out long v) ? v : throw new TraceFormatException($"{where}: field '{f}' is not an integer");

    private static ulong ULong(JsonElement e, string f, string where) =>
        ulong.TryParse(Get(e, f, where, JsonValueKind.String).GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
            ? v : throw new TraceFormatException($"{where}: field '{f}' is not an unsigned integer");

    private static bool Bool(JsonElement e, string f, string where) => Get(e, f, where, JsonValueKind.True).GetBoolean();
    private static string Str(JsonElement e, string f, string where) => Get(e, f, where, JsonValueKind.String).GetString()!;
    private static JsonElement Obj(JsonElement e, string f, string where) => Get(e, f, where, JsonValueKind.Object);

    private static string? OptStr(JsonElement e, string f, string where) =>
        e.TryGetProperty(f, out JsonElement v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : throw new TraceFormatException($"{where}: field '{f}' should be a string")) : null;
}
