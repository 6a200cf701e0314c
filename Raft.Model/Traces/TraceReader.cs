using Raft.Model.Simulation;
using System.Globalization;
using System.Text.Json;
using Raft.Core.Node;
using Raft.Core.Messages;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Contract;

namespace Raft.Model.Traces;

/// <summary>
/// Reads a trace written by <see cref="TraceWriter"/>. Anything else (not JSON, a missing or
/// mistyped field, an unknown version, steps out of order, a missing outcome line) is a
/// <see cref="TraceFormatException"/> naming the file and line, never a crash.
/// </summary>
public static class TraceReader
{
    /// <summary>The largest trace file read (bytes): the largest lab trace (TestReliableChurn2C, seed 1) is 19 MB.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>The longest line read (characters): a step with its sent messages is well under a kilobyte.</summary>
    public const int MaxLineChars = 1 << 20;

    /// <summary>The most decisions one step may hold (an event index plus a partition's shape: at most 11).</summary>
    public const int MaxDecisionsPerStep = 64;

    /// <summary>The latest virtual time a control step may name (ms; about 31 years; lab runs last minutes).</summary>
    public const long MaxControlTimeMs = 1_000_000_000_000;

    public static TraceFile Read(string path)
    {
        string name = Limits.Printable(path, 200);
        if (Directory.Exists(path)) throw new TraceFormatException($"{name}: is a directory, not a trace file");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new TraceFormatException($"{name}: cannot read: {Limits.Printable(e.Message, 200)}");
        }
        using (stream)
        {
            try
            {
                if (stream.CanSeek && stream.Length > MaxFileBytes)
                    throw new TraceFormatException($"{name}: {stream.Length} bytes is larger than a trace may be ({MaxFileBytes} bytes)");
                using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
                return Parse(Lines(reader, name), name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TraceFormatException($"{name}: cannot read: {Limits.Printable(e.Message, 200)}");
            }
        }
    }

    /// <summary>The lines of a stream, each capped at <see cref="MaxLineChars"/> and all together at <see cref="MaxFileBytes"/> characters, read as they are needed.</summary>
    private static IEnumerable<string> Lines(TextReader reader, string name)
    {
        var line = new System.Text.StringBuilder();
        var buffer = new char[1 << 16];
        long total = 0;
        int lineNo = 1;
        while (true)
        {
            int n = reader.Read(buffer, 0, buffer.Length);
            if (n == 0) break;
            total += n;
            if (total > MaxFileBytes) throw new TraceFormatException($"{name}: longer than a trace may be ({MaxFileBytes} characters)");
            int from = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != '\n') continue;
                if (line.Length + (i - from) > MaxLineChars) throw TooLong(name, lineNo);
                line.Append(buffer, from, i - from);
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                yield return line.ToString();
                line.Clear();
                lineNo++;
                from = i + 1;
            }
            if (line.Length + (n - from) > MaxLineChars) throw TooLong(name, lineNo);
            line.Append(buffer, from, n - from);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    private static TraceFormatException TooLong(string name, int line) =>
        new($"{name}:{line}: line longer than {MaxLineChars} characters; not a trace (corrupted?)");

    public static TraceFile Parse(IEnumerable<string> lines, string name = "trace")
    {
        name = Limits.Printable(name, 200);
        using IEnumerator<(string Text, int Line)> content = lines.Select((text, i) => (Text: text, Line: i + 1))
            .Where(l => l.Text.Length > MaxLineChars ? throw TooLong(name, l.Line) : !string.IsNullOrWhiteSpace(l.Text)).GetEnumerator();
        if (!content.MoveNext()) throw new TraceFormatException($"{name}: empty file, not a trace");
        var first = content.Current;
        var (settings, iteration, seed, swarm) = ParseHeader(Json(name, first), name, first.Line);
        if (!content.MoveNext()) throw new TraceFormatException($"{name}: has a header but no outcome line (truncated?)");
        var steps = new List<TraceStep>();
        (string Text, int Line) last = content.Current;
        bool inLiveness = false;
        while (content.MoveNext())
        {
            // the line before the last one is a step; the last one is the outcome
            (string Text, int Line) line = last;
            last = content.Current;
            string where = $"{name}:{line.Line}";
            if (steps.Count >= Limits.MaxSteps) throw new TraceFormatException($"{where}: more than {Limits.MaxSteps} steps");
            TraceStep parsed = ParseStep(Json(name, line), where, steps.Count, settings, inLiveness);
            inLiveness |= parsed.Control?.Op == ControlOp.Heal;
            // maxSteps bounds the fault phase; the liveness phase after the heal runs until one() agrees or gives up
            if (!inLiveness && steps.Count >= settings.MaxSteps) throw new TraceFormatException($"{where}: more than maxSteps ({settings.MaxSteps}) steps before the liveness phase");
            steps.Add(parsed);
        }
        TraceOutcome outcome = ParseOutcome(Json(name, last), $"{name}:{last.Line}", settings, steps.Count);
        return new TraceFile { Settings = settings, Iteration = iteration, ScheduleSeed = seed, Swarm = swarm, Steps = steps, Outcome = outcome };
    }

    private static TraceStep ParseStep(JsonElement e, string where, int expected, ExploreSettings settings, bool inLiveness)
    {
        if (e.TryGetProperty("outcome", out JsonElement maybeOutcome) && maybeOutcome.ValueKind == JsonValueKind.String)
            throw new TraceFormatException($"{where}: outcome line before the end of the trace");
        int step = Int(e, "step", where);
        if (step != expected) throw new TraceFormatException($"{where}: step {step} out of order (expected {expected})");
        StepEvent ev = ParseEvent(Obj(e, "event", where), where, settings);
        bool control = ev.Kind == EventKind.Control;
        if (ev.Kind == EventKind.Ticks && !inLiveness) throw new TraceFormatException($"{where}: folded ticks outside the liveness phase");
        // a control step has no decision, nor does the liveness phase's step of silent ticks (its scheduler ran them)
        bool noDecision = control || ev.Kind == EventKind.Ticks;
        if (!e.TryGetProperty("decisions", out JsonElement d) || d.ValueKind != JsonValueKind.Array || (d.GetArrayLength() == 0) != noDecision)
            throw new TraceFormatException($"{where}: 'decisions' must be a non-empty array of integers (empty only on a control step or folded ticks)");
        if (d.GetArrayLength() > MaxDecisionsPerStep) throw new TraceFormatException($"{where}: more than {MaxDecisionsPerStep} decisions in one step");
        var decisions = new int[d.GetArrayLength()];
        int i = 0;
        foreach (JsonElement x in d.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out decisions[i]) || decisions[i] < 0)
                throw new TraceFormatException($"{where}: 'decisions' must hold non-negative integers");
            i++;
        }
        StepOutcome outcome = e.TryGetProperty("outcome", out _) ? ParseStepOutcome(Obj(e, "outcome", where), where, settings.Nodes) : StepOutcome.Done;
        return new TraceStep(step, decisions, ev, outcome, ParseNodes(e, where, settings.Nodes), ParseSent(e, where, settings.Nodes));
    }

    private static readonly Dictionary<string, EventKind> EventKinds =
        Enum.GetValues<EventKind>().ToDictionary(StepDiff.Name, k => k, StringComparer.Ordinal);

    private static readonly Dictionary<string, OutcomeKind> OutcomeKinds =
        Enum.GetValues<OutcomeKind>().ToDictionary(StepDiff.Name, k => k, StringComparer.Ordinal);

    private static readonly Dictionary<string, ControlOp> ControlOps =
        Enum.GetValues<ControlOp>().ToDictionary(TraceWriter.ControlName, k => k, StringComparer.Ordinal);

    private static StepEvent ParseEvent(JsonElement e, string where, ExploreSettings settings)
    {
        string kindName = Str(e, "kind", where);
        if (!EventKinds.TryGetValue(kindName, out EventKind kind)) throw new TraceFormatException($"{where}: unknown event kind '{Limits.Printable(kindName)}'");
        int node = Bounded(e, "node", where, -1, settings.Nodes - 1);
        long at = Long(e, "at", where);
        if (at < 0 || at > MaxControlTimeMs) throw new TraceFormatException($"{where}: event time {at} is outside 0..{MaxControlTimeMs} ms");
        MessageInfo? message = null;
        bool isMessage = kind is EventKind.Deliver or EventKind.Drop or EventKind.Duplicate;
        if (e.TryGetProperty("message", out _) || isMessage)
        {
            if (!isMessage) throw new TraceFormatException($"{where}: a '{kindName}' event carries no message");
            message = ParseMessage(Obj(e, "message", where), where, settings.Nodes);
        }
        long proposal = kind == EventKind.Propose ? Long(e, "proposal", where) : 0;
        long advanceTo = kind is EventKind.Advance or EventKind.Ticks ? Long(e, "advanceTo", where) : 0;
        if (proposal < 0 || advanceTo < 0) throw new TraceFormatException($"{where}: a proposal number or clock time is negative");
        WorldControl? control = null;
        if (kind == EventKind.Control) control = ParseControl(Obj(e, "control", where), where, settings, node, at);
        else if (e.TryGetProperty("control", out _)) throw new TraceFormatException($"{where}: only a 'control' event carries a control");
        ClientRequest? request = null;
        bool isClient = kind is EventKind.ClientSend or EventKind.ClientReply or EventKind.ClerkRequest or EventKind.ClerkReply;
        if (isClient) request = ParseRequest(Obj(e, "request", where), where);
        else if (e.TryGetProperty("request", out _)) throw new TraceFormatException($"{where}: only a client's event carries a request");
        return new StepEvent(kind, node, at, message, proposal, advanceTo, control, request);
    }

    private static readonly Dictionary<string, Histories.OpKind> OpKinds =
        Enum.GetValues<Histories.OpKind>().ToDictionary(k => k.ToString().ToLowerInvariant(), k => k, StringComparer.Ordinal);

    /// <summary>A key-value client's request: client, sequence number, operation, key, value, and a Get's answer (output).</summary>
    private static ClientRequest ParseRequest(JsonElement r, string where)
    {
        int client = Bounded(r, "client", where, 0, Limits.MaxClerks - 1);
        long seq = Long(r, "seq", where);
        if (seq < 1) throw new TraceFormatException($"{where}: a request's seq must be at least 1 (got {seq})");
        string op = Str(r, "op", where);
        if (!OpKinds.TryGetValue(op, out Histories.OpKind kind)) throw new TraceFormatException($"{where}: unknown request op '{Limits.Printable(op)}'");
        string key = Str(r, "key", where), value = Str(r, "value", where);
        string? output = r.TryGetProperty("output", out _) ? Str(r, "output", where) : null;
        return new ClientRequest(client, seq, kind, key, value, output);
    }

    private static readonly Dictionary<string, MessageKind> MessageTypes =
        Enum.GetValues<MessageKind>().ToDictionary(t => t.ToString(), t => t, StringComparer.Ordinal);

    /// <summary>The implementation a trace ran: its name, and the assembly and type it was loaded from (both, or neither for a C# factory).</summary>
    private static NodeSource ParseNode(JsonElement n, string where)
    {
        string name = Limits.Printable(Str(n, "name", where), 200);
        bool hasAssembly = n.TryGetProperty("assembly", out _), hasType = n.TryGetProperty("type", out _);
        if (hasAssembly != hasType) throw new TraceFormatException($"{where}: 'node' names an assembly and a type, or neither");
        if (!hasAssembly) return NodeSource.FromCSharp with { Name = name };
        string assembly = Str(n, "assembly", where), type = Str(n, "type", where);
        if (assembly.Length == 0 || type.Length == 0) throw new TraceFormatException($"{where}: 'node' has an empty assembly or type");
        return new NodeSource(assembly, type, name);
    }

    private static MessageInfo ParseMessage(JsonElement m, string where, int nodes)
    {
        long id = Long(m, "id", where);
        if (id < 0) throw new TraceFormatException($"{where}: message id {id} is negative");
        string typeName = Str(m, "type", where);
        if (!MessageTypes.TryGetValue(typeName, out MessageKind type)) throw new TraceFormatException($"{where}: unknown message type '{Limits.Printable(typeName)}'");
        long OptLong(string f) => m.TryGetProperty(f, out _) ? Long(m, f, where) : 0;
        bool reject = m.TryGetProperty("reject", out JsonElement r) && (r.ValueKind == JsonValueKind.True || (r.ValueKind == JsonValueKind.False ? false : throw new TraceFormatException($"{where}: 'reject' must be true or false")));
        var info = new MessageInfo(id, type, Bounded(m, "from", where, 0, nodes - 1), Bounded(m, "to", where, 0, nodes - 1), Long(m, "term", where), Long(m, "index", where),
            OptLong("logTerm"), OptLong("commit"), m.TryGetProperty("entries", out _) ? Bounded(m, "entries", where, 0, int.MaxValue) : 0, reject,
            OptLong("hint"), m.TryGetProperty("bytes", out _) ? Bounded(m, "bytes", where, 0, int.MaxValue) : 0,
            m.TryGetProperty("name", out _) ? Limits.Printable(Str(m, "name", where), 64) : null);
        if (info.Term < 0 || info.Index < 0 || info.LogTerm < 0 || info.Commit < 0 || info.Hint < 0)
            throw new TraceFormatException($"{where}: a message's term, index, log term, commit or hint is negative");
        return info;
    }

    /// <summary>The core's read options in <paramref name="o"/> (each absent in traces from before them: the defaults, as those ran).</summary>
    private static RaftOptions ReadOptions(JsonElement o, RaftOptions r, string where)
    {
        if (o.TryGetProperty("noOpOnElection", out _)) r = r with { NoOpOnElection = Bool(o, "noOpOnElection", where) };
        if (!o.TryGetProperty("readOnly", out _)) return r;
        return Str(o, "readOnly", where) switch
        {
            "safe" => r with { ReadOnly = ReadOnlyOption.Safe },
            "lease" => r with { ReadOnly = ReadOnlyOption.LeaseBased, LeaseDriftTicks = Bounded(o, "leaseDriftTicks", where, 0, Limits.MaxElectionTicks) },
            var other => throw new TraceFormatException($"{where}: unknown readOnly '{Limits.Printable(other)}': expected safe or lease"),
        };
    }

    private static StepOutcome ParseStepOutcome(JsonElement o, string where, int nodes)
    {
        string kindName = Str(o, "kind", where);
        if (!OutcomeKinds.TryGetValue(kindName, out OutcomeKind kind)) throw new TraceFormatException($"{where}: unknown outcome kind '{Limits.Printable(kindName)}'");
        long NonNegative(string f)
        {
            long v = Long(o, f, where);
            return v >= 0 ? v : throw new TraceFormatException($"{where}: outcome field '{f}' is negative");
        }
        switch (kind)
        {
            case OutcomeKind.Proposed: return StepOutcome.Proposed(NonNegative("index"), NonNegative("term"));
            case OutcomeKind.Ticks: return StepOutcome.Ticked(NonNegative("ticks"));
            case OutcomeKind.Clock: return StepOutcome.ClockMovedTo(NonNegative("now"), NonNegative("by"));
            case OutcomeKind.Snapshot: return StepOutcome.SnapshotThrough(Long(o, "through", where));
            case OutcomeKind.Healed: return StepOutcome.Healed(NonNegative("inFlight"), NonNegative("lost"));
            case OutcomeKind.Retimed: return StepOutcome.Retimed(NonNegative("retimed"));
            case OutcomeKind.NotApplied: return new StepOutcome(OutcomeKind.NotApplied, Count: NonNegative("missing"));
            case OutcomeKind.Persisted: return StepOutcome.PersistedFrom(NonNegative("from"), NonNegative("entries"));
            case OutcomeKind.Sent: return StepOutcome.SentMessages(NonNegative("messages"));
            case OutcomeKind.Applied: return StepOutcome.AppliedThrough(NonNegative("through"), NonNegative("applied"));
            case OutcomeKind.ReadAccepted: return StepOutcome.ReadAccepted(NonNegative("read"));
            case OutcomeKind.Partitioned:
            {
                JsonElement p = Obj(o, "partition", where);
                string shape = Str(p, "shape", where);
                return StepOutcome.Partitioned(shape switch
                {
                    "isolate" => new PartitionShape(PartitionKind.Isolate, Bounded(p, "node", where, 0, nodes - 1)),
                    "cut" => new PartitionShape(PartitionKind.Cut, Bounded(p, "from", where, 0, nodes - 1), Bounded(p, "to", where, 0, nodes - 1)),
                    "split" => new PartitionShape(PartitionKind.Split, Sides: Sides(p, where, nodes)),
                    _ => throw new TraceFormatException($"{where}: unknown partition shape '{Limits.Printable(shape)}'"),
                });
            }
            default: return new StepOutcome(kind);
        }
    }

    private static int[] Sides(JsonElement p, string where, int nodes)
    {
        if (!p.TryGetProperty("sides", out JsonElement s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() != nodes)
            throw new TraceFormatException($"{where}: a split's 'sides' must be an array of one 0 or 1 per node");
        return s.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v) && v is 0 or 1
            ? v : throw new TraceFormatException($"{where}: a split's 'sides' must hold 0 or 1")).ToArray();
    }

    private static NodeState[] ParseNodes(JsonElement e, string where, int nodes)
    {
        if (!e.TryGetProperty("nodes", out JsonElement a) || a.ValueKind != JsonValueKind.Array || a.GetArrayLength() != nodes)
            throw new TraceFormatException($"{where}: 'nodes' must be an array of one state (or null for a node that is down) per node ({nodes})");
        var states = new NodeState[nodes];
        int i = 0;
        foreach (JsonElement n in a.EnumerateArray())
        {
            if (n.ValueKind == JsonValueKind.Null) { states[i++] = NodeState.Down; continue; }
            if (n.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{where}: a node's state must be an object or null");
            Role role = Str(n, "role", where) switch
            {
                "leader" => Role.Leader,
                "candidate" => Role.Candidate,
                "precandidate" => Role.PreCandidate,
                "follower" => Role.Follower,
                var other => throw new TraceFormatException($"{where}: unknown role '{Limits.Printable(other)}'"),
            };
            long term = Long(n, "term", where), commit = Long(n, "commit", where), last = Long(n, "last", where);
            if (term < 0 || commit < 0 || last < 0) throw new TraceFormatException($"{where}: a node's term, commit or last index is negative");
            states[i++] = new NodeState(true, role, term, commit, last);
        }
        return states;
    }

    /// <summary>An integer field that must lie in [min, max]; the message names the field and the range.</summary>
    private static int Bounded(JsonElement e, string f, string where, int min, int max)
    {
        int v = Int(e, f, where);
        if (v < min || v > max) throw new TraceFormatException($"{where}: field '{f}' is {v}, outside {min}..{max}");
        return v;
    }

    /// <summary>Reads a header object written by <see cref="TraceWriter.WriteHeaderObject"/>: the settings, the schedule's seed and its swarm draw; a <see cref="TraceFormatException"/> naming <paramref name="name"/> when it is not one.</summary>
    public static (ExploreSettings Settings, ulong ScheduleSeed, SwarmParameters Swarm) ReadHeader(JsonElement header, string name)
    {
        if (header.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{Limits.Printable(name, 200)}: the header must be an object");
        var (settings, _, seed, swarm) = ParseHeader(header, Limits.Printable(name, 200), 1);
        return (settings, seed, swarm);
    }

    private static (ExploreSettings, int, ulong, SwarmParameters) ParseHeader(JsonElement h, string name, int line)
    {
        string where = $"{name}:{line}";
        if (h.TryGetProperty("format", out JsonElement fmt) && fmt.ValueKind == JsonValueKind.String && fmt.GetString() == TraceFile.FormatName) { }
        else throw new TraceFormatException($"{where}: not a RaftVerify trace (no \"format\":\"{TraceFile.FormatName}\" header)");
        int version = Int(h, "version", where);
        if (version is >= 1 and < TraceFile.OldestReadableVersion)
            throw new TraceFormatException($"{where}: trace format version {version} is no longer read (this raftverify reads version {TraceFile.FormatVersion}); re-record it: run the explore or lab command that wrote it again (the corpus: scripts/build-corpus.sh)");
        if (version is not (4 or TraceFile.FormatVersion))
            throw new TraceFormatException($"{where}: trace format version {version} is not supported (this raftverify reads version {TraceFile.FormatVersion})");
        string mode = Str(h, "mode", where);
        if (mode is not ("timed" or "adversarial" or "lab")) throw new TraceFormatException($"{where}: unknown mode '{Limits.Printable(mode)}'");
        LabWorldSettings? lab = null;
        if (mode == "lab")
        {
            JsonElement l = Obj(h, "lab", where);
            lab = new LabWorldSettings(Bool(l, "snapshotService", where), Bounded(l, "snapshotInterval", where, 1, Limits.MaxSnapshotInterval), Bool(l, "reliable", where),
                Bool(l, "longReordering", where), Bounded(l, "duplicatePerThousand", where, 0, 1000));
            if (l.TryGetProperty("kv", out _))
            {
                JsonElement kv = Obj(l, "kv", where);
                lab = lab with { KvServers = true, MaxRaftState = Bounded(kv, "maxRaftState", where, -1, int.MaxValue), KvDuplicateDetection = Bool(kv, "duplicateDetection", where) };
            }
        }
        JsonElement faults = Obj(h, "faults", where), swarm = Obj(h, "swarm", where), raft = Obj(h, "raft", where);
        int nodes = Bounded(h, "nodes", where, 1, Limits.MaxNodes);
        var settings = new ExploreSettings
        {
            Nodes = nodes,
            Mode = mode switch { "timed" => WorldMode.Timed, "lab" => WorldMode.Lab, _ => WorldMode.Adversarial },
            Lab = lab,
            Strategy = Str(h, "strategy", where),
            StrategyParameter = Int(h, "strategyParameter", where),
            Seed = ULong(h, "seed", where),
            MaxSteps = Int(h, "maxSteps", where),
            ClientStepScaling = false, // the header holds the bound the schedule ran with
            Proposals = Int(h, "proposals", where),
            Bug = Str(h, "bug", where),
            Node = h.TryGetProperty("node", out _) ? ParseNode(Obj(h, "node", where), where) : null,
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
                // added later: absent (older traces) means off, as those traces ran
                BroadcastCommit = raft.TryGetProperty("broadcastCommit", out _) && Bool(raft, "broadcastCommit", where),
                SnapshotRetryTicks = raft.TryGetProperty("snapshotRetryTicks", out _) ? Bounded(raft, "snapshotRetryTicks", where, 0, Limits.MaxSnapshotRetryTicks) : 0,
                EntryArrayPool = OptBool(raft, "entryArrayPool", where) ? Network.EntryPool.WorldOwned : null,
            },
            AsyncReady = OptBool(h, "asyncReady", where),
            Workers = 1,
        };
        settings = settings with { Raft = ReadOptions(raft, settings.Raft, where) };
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new TraceFormatException($"{where}: impossible settings: {e.Message}");
        }
        int PerThousand(string f) => Bounded(swarm, f, where, 0, 1000);
        int Weight(string f) => Bounded(swarm, f, where, 0, Limits.MaxWeight);
        var sw = new SwarmParameters(nodes, PerThousand("faultPerThousand"), PerThousand("timerPerThousand"), PerThousand("proposePerThousand"),
            PerThousand("snapshotPerThousand"), Bounded(swarm, "maxDelayMs", where, lab is null ? 1 : 0, Limits.MaxDelayMs), Weight("crashWeight"),
            Weight("partitionWeight"), Weight("dropWeight"), Weight("duplicateWeight")) { AsyncReady = settings.AsyncReady };
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
                // drawn since: each absent in older traces (the header's raft value, i.e. off, as those schedules ran)
                if (swarm.TryGetProperty("maxBytesPerAppend", out _)) raftOptions = raftOptions with { MaxBytesPerAppend = Long(swarm, "maxBytesPerAppend", where) };
                if (swarm.TryGetProperty("broadcastCommit", out _)) raftOptions = raftOptions with { BroadcastCommit = Bool(swarm, "broadcastCommit", where) };
                if (swarm.TryGetProperty("snapshotRetryTicks", out _))
                    raftOptions = raftOptions with { SnapshotRetryTicks = Bounded(swarm, "snapshotRetryTicks", where, 0, Limits.MaxSnapshotRetryTicks) };
                if (swarm.TryGetProperty("entryArrayPool", out _))
                    raftOptions = raftOptions with { EntryArrayPool = Bool(swarm, "entryArrayPool", where) ? Network.EntryPool.WorldOwned : null };
                if (swarm.TryGetProperty("asyncReady", out _)) sw = sw with { AsyncReady = Bool(swarm, "asyncReady", where) };
                raftOptions = ReadOptions(swarm, raftOptions, where);
                try { Limits.CheckRaft(raftOptions, settings.TickMs); }
                catch (ArgumentException e) { throw new TraceFormatException($"{where}: impossible swarm core options: {e.Message}"); }
                sw = sw with { Raft = raftOptions };
            }
            if (swarm.TryGetProperty("clockDriftPerMille", out _)) sw = sw with { ClockDriftPerMille = Bounded(swarm, "clockDriftPerMille", where, 0, 500) };
            if (swarm.TryGetProperty("proposals", out _))
                sw = sw with { Proposals = Bounded(swarm, "proposals", where, 0, Limits.MaxProposals) };
            if (swarm.TryGetProperty("clients", out _))
            {
                if (version < 5) throw new TraceFormatException($"{where}: key-value clients need trace format version 5");
                sw = sw with
                {
                    Clients = Bounded(swarm, "clients", where, 1, 16),
                    ClientOps = Bounded(swarm, "clientOps", where, 1, 100),
                    ClientTimeout = Bounded(swarm, "clientTimeout", where, 1, 1_000_000),
                    ClientReads = !swarm.TryGetProperty("clientReads", out _) ? ClientReads.Log
                        : Str(swarm, "clientReads", where) switch
                        {
                            "log" => ClientReads.Log,
                            "readIndex" => ClientReads.ReadIndex,
                            var other => throw new TraceFormatException($"{where}: unknown clientReads '{Limits.Printable(other)}': expected log or readIndex"),
                        },
                    ClientWorkload = !swarm.TryGetProperty("clientWorkload", out _) ? ClientWorkload.Mixed
                        : Str(swarm, "clientWorkload", where) switch
                        {
                            "mixed" => ClientWorkload.Mixed,
                            "register" => ClientWorkload.Register,
                            var other => throw new TraceFormatException($"{where}: unknown clientWorkload '{Limits.Printable(other)}': expected mixed or register"),
                        },
                };
            }
            if (swarm.TryGetProperty("liveUnstableMs", out _))
            {
                sw = sw with
                {
                    LiveUnstableMs = Bounded(swarm, "liveUnstableMs", where, 0, Limits.MaxDelayMs),
                    LiveDelayMs = Bounded(swarm, "liveDelayMs", where, 1, Limits.MaxDelayMs),
                    LiveReorderPerThousand = PerThousand("liveReorderPerThousand"),
                    LiveDropPerThousand = PerThousand("liveDropPerThousand"),
                    LiveStableDelayMs = Bounded(swarm, "liveStableDelayMs", where, 0, Limits.MaxDelayMs),
                };
            }
        }
        return (settings, Bounded(h, "iteration", where, 0, int.MaxValue), ULong(h, "scheduleSeed", where), sw);
    }

    private static SentMessage[]? ParseSent(JsonElement e, string where, int nodes)
    {
        if (!e.TryGetProperty("sent", out JsonElement sent)) return null;
        if (sent.ValueKind != JsonValueKind.Array) throw new TraceFormatException($"{where}: 'sent' must be an array");
        var list = new List<SentMessage>();
        foreach (JsonElement m in sent.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new TraceFormatException($"{where}: 'sent' must hold objects");
            bool lost = m.TryGetProperty("lost", out JsonElement l) && (l.ValueKind == JsonValueKind.True || (l.ValueKind == JsonValueKind.False ? false : throw new TraceFormatException($"{where}: 'lost' must be true or false")));
            list.Add(new SentMessage(ParseMessage(m, where, nodes), lost));
        }
        return list.ToArray();
    }

    private static WorldControl ParseControl(JsonElement c, string where, ExploreSettings settings, int node, long at)
    {
        string op = Str(c, "op", where);
        if (!ControlOps.TryGetValue(op, out ControlOp kind)) throw new TraceFormatException($"{where}: unknown control op '{Limits.Printable(op)}'");
        bool liveness = kind is ControlOp.Heal or ControlOp.Stabilise or ControlOp.Deadline or ControlOp.Guard;
        // the lab's tester acts in lab traces; an explored trace's liveness phase has its own steps, and starts crashed nodes and proposes the probe
        if (settings.Mode != WorldMode.Lab && !liveness && kind is not (ControlOp.Start or ControlOp.Propose))
            throw new TraceFormatException($"{where}: a lab control step in a trace whose mode is not lab");
        if (liveness && !settings.Liveness) throw new TraceFormatException($"{where}: a liveness-phase step in a trace without a liveness phase");
        bool network = kind is ControlOp.Reliable or ControlOp.LongReordering or ControlOp.ClerkEnds or ControlOp.Partition || liveness;
        if (network ? node != -1 : node < 0 || node >= settings.Nodes)
            throw new TraceFormatException($"{where}: control node {node} is outside 0..{settings.Nodes - 1}");
        byte[]? command = null;
        if (kind is ControlOp.Propose or ControlOp.Deadline or ControlOp.ClerkEnds or ControlOp.ClerkCall or ControlOp.Partition)
        {
            string hex = Str(c, "command", where);
            try { command = Convert.FromHexString(hex); }
            catch (FormatException) { throw new TraceFormatException($"{where}: 'command' is not hexadecimal"); }
        }
        if (kind is ControlOp.ClerkEnds or ControlOp.ClerkCall or ControlOp.Partition) CheckKvControl(kind, command!, settings.Nodes, where);
        bool flag = kind is ControlOp.Reliable or ControlOp.LongReordering && Bool(c, "flag", where);
        long bound = kind is ControlOp.Deadline or ControlOp.Stabilise ? Long(c, "boundMs", where) : 0;
        if (bound < 0) throw new TraceFormatException($"{where}: 'boundMs' {bound} is negative");
        return new WorldControl(kind, node, at, command, flag, BoundMs: bound);
    }

    /// <summary>A kvraft control's argument: a clerk's ends (clerk id, then a 0/1 byte per server), a call's operation, or a partition's 0/1 group per server.</summary>
    private static void CheckKvControl(ControlOp kind, byte[] command, int nodes, string where)
    {
        bool Flags(ReadOnlySpan<byte> b)
        {
            foreach (byte x in b) if (x > 1) return false;
            return b.Length == nodes;
        }
        bool ok = kind switch
        {
            ControlOp.ClerkEnds => command.Length == 2 + nodes && ((command[0] << 8) | command[1]) < Limits.MaxClerks && Flags(command.AsSpan(2)),
            ControlOp.Partition => Flags(command),
            _ => Services.KvCommands.TryDecode(command, out Services.KvOp op) && op.Client < Limits.MaxClerks && op.Seq >= 1,
        };
        if (!ok) throw new TraceFormatException($"{where}: a '{TraceWriter.ControlName(kind)}' control with a malformed command");
    }

    private static TraceOutcome ParseOutcome(JsonElement o, string where, ExploreSettings settings, int steps)
    {
        string kind = o.TryGetProperty("outcome", out JsonElement k) && k.ValueKind == JsonValueKind.String
            ? k.GetString()! : throw new TraceFormatException($"{where}: the trace ends without an outcome line (truncated?)");
        string? liveness = OptStr(o, "liveness", where);
        string? tester = OptStr(o, "tester", where);
        if (kind == "pass") return new TraceOutcome(null, -1, liveness, tester);
        if (kind != "violation") throw new TraceFormatException($"{where}: unknown outcome '{Limits.Printable(kind)}'");
        string inv = Str(o, "invariant", where);
        if (!Enum.TryParse(inv, ignoreCase: false, out Invariant invariant) || !Enum.GetNames<Invariant>().Contains(inv))
            throw new TraceFormatException($"{where}: unknown invariant '{Limits.Printable(inv)}'");
        if (!o.TryGetProperty("violationNodes", out JsonElement nodesEl) || nodesEl.ValueKind != JsonValueKind.Array)
            throw new TraceFormatException($"{where}: 'violationNodes' must be an array");
        // a violation may name one node twice (node 0 against itself in a one-node cluster), never more nodes than there are
        if (nodesEl.GetArrayLength() > 2 * settings.Nodes) throw new TraceFormatException($"{where}: 'violationNodes' names more nodes than the cluster has ({settings.Nodes})");
        int[] nodes = nodesEl.EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v) ? v : throw new TraceFormatException($"{where}: 'violationNodes' must hold integers"))
            .ToArray();
        foreach (int n in nodes)
            if (n < 0 || n >= settings.Nodes) throw new TraceFormatException($"{where}: violation node {n} is outside 0..{settings.Nodes - 1}");
        long index = Long(o, "index", where), term = Long(o, "term", where);
        if (index < -1 || term < -1) throw new TraceFormatException($"{where}: the violation's index or term is below -1");
        // a violation lies at a recorded step (recordings end there), or in the liveness phase after them (step = the number of recorded steps)
        int step = Int(o, "step", where);
        bool atLastStep = step >= 0 && step < steps;
        bool inLiveness = settings.Liveness && step == steps;
        if (!atLastStep && !inLiveness)
            throw new TraceFormatException($"{where}: violation step {step} is neither a recorded step (0..{steps - 1}) nor the liveness phase{(settings.Liveness ? $" (step {steps})" : " (which this trace does not run)")}");
        var violation = new Violation(invariant, nodes, index, term, step, Str(o, "detail", where));
        return new TraceOutcome(violation, step, liveness, tester);
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
            throw new TraceFormatException($"{name}:{l.Line}: not valid JSON ({Limits.Printable(e.Message.Split('.')[0], 120)}); truncated or corrupted?");
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

    /// <summary>An optional boolean field: absent is false.</summary>
    private static bool OptBool(JsonElement e, string f, string where) => e.TryGetProperty(f, out _) && Bool(e, f, where);

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
