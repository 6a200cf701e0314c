using System.Globalization;
using Raft.Model.Exploration;

namespace Raft.Model.Traces.Pictures;

/// <summary>What a recorded step did, read back from its event text (see <c>World.Describe</c>).</summary>
internal enum StepAction { Deliver, Drop, Duplicate, Timeout, Advance, Propose, Snapshot, Crash, Restart, Partition, Heal, Other }

/// <summary>
/// A step's event, parsed: "deliver #12 AppendEntries 0->1 t2 ...", "drop #12 ...", "duplicate #12 ...",
/// "timeout 1", "propose 0 cmd=3", "snapshot 1", "crash 1", "restart 1", "advance to 130ms", "partition", "heal".
/// Anything else is <see cref="StepAction.Other"/>: pictures never fail on an event they do not know.
/// </summary>
internal sealed record StepEvent(StepAction Action, int Node, long MessageId, int From, int To, string MessageText)
{
    private static readonly StepEvent Unknown = new(StepAction.Other, -1, -1, -1, -1, "");

    public bool IsMessage => Action is StepAction.Deliver or StepAction.Drop or StepAction.Duplicate && MessageId >= 0;

    public static StepEvent Parse(string ev)
    {
        string[] w = ev.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0) return Unknown;
        switch (w[0])
        {
            case "deliver" or "drop" or "duplicate":
            {
                if (w.Length < 2 || !w[1].StartsWith('#') || !long.TryParse(w[1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                    return Unknown;
                StepAction action = w[0] switch { "deliver" => StepAction.Deliver, "drop" => StepAction.Drop, _ => StepAction.Duplicate };
                int at = ev.IndexOf(w[1], StringComparison.Ordinal) + w[1].Length;
                (int from, int to) = w.Length >= 4 ? ParseEnds(w[3]) : (-1, -1);
                return new StepEvent(action, -1, id, from, to, ev[at..].Trim());
            }
            case "timeout" or "propose" or "snapshot" or "crash" or "restart":
            {
                if (w.Length < 2 || !int.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out int node)) return Unknown;
                StepAction action = w[0] switch
                {
                    "timeout" => StepAction.Timeout,
                    "propose" => StepAction.Propose,
                    "snapshot" => StepAction.Snapshot,
                    "crash" => StepAction.Crash,
                    _ => StepAction.Restart,
                };
                return new StepEvent(action, node, -1, -1, -1, "");
            }
            case "advance": return Unknown with { Action = StepAction.Advance };
            case "partition": return Unknown with { Action = StepAction.Partition };
            case "heal": return Unknown with { Action = StepAction.Heal };
            default: return Unknown;
        }
    }

    /// <summary>"0->1" as (0, 1); (-1, -1) if it is not that shape.</summary>
    internal static (int From, int To) ParseEnds(string token)
    {
        int arrow = token.IndexOf("->", StringComparison.Ordinal);
        if (arrow > 0
            && int.TryParse(token.AsSpan(0, arrow), NumberStyles.None, CultureInfo.InvariantCulture, out int from)
            && int.TryParse(token.AsSpan(arrow + 2), NumberStyles.None, CultureInfo.InvariantCulture, out int to))
            return (from, to);
        return (-1, -1);
    }
}

internal enum ArrivalKind { Deliver, Copy, Drop }

/// <summary>A message reaching the end of the network at <paramref name="Step"/>: delivered, a copy delivered (duplicate), or dropped. <paramref name="Lost"/> says why a delivery did not reach the node ("link down", "target restarted").</summary>
internal sealed record Arrival(int Step, ArrivalKind Kind, string? Lost);

/// <summary>How a message's story ends within the recorded steps.</summary>
internal enum MessageEnd { InFlight, Delivered, Dropped, DiscardedByCrash, LostAtSend }

/// <summary>One message: where and when it was sent, and every time it reached (or failed to reach) its receiver.</summary>
internal sealed class MessageStory
{
    public required long Id { get; init; }
    public required int From { get; init; }
    public required int To { get; init; }
    /// <summary>The step whose "sent" list holds it; -1 if the trace does not record it (an older trace).</summary>
    public required int SentStep { get; init; }
    /// <summary>The type as recorded at sending (MessageType name), or the first word of the delivery text.</summary>
    public required string Type { get; init; }
    /// <summary>The message as the first deliver/drop/duplicate event described it ("Vote 1->0 t1 granted"), or null.</summary>
    public string? Text { get; set; }
    public List<Arrival> Arrivals { get; } = new();
    public MessageEnd End { get; set; } = MessageEnd.InFlight;
    /// <summary>The step that ended it (delivery, drop, the receiver's crash, or the sending step for a message lost at sending); -1 while in flight.</summary>
    public int EndStep { get; set; } = -1;
    /// <summary>In flight at the end, but addressed to an incarnation of the receiver that is gone (it restarted since, or is down and restarts in the liveness phase): it will be lost on arrival.</summary>
    public bool Stale { get; set; }

    /// <summary>The type in the words of the delivery events (RequestVoteResponse is "Vote", and so on).</summary>
    public string ShortType => Type switch
    {
        "RequestVoteResponse" => "Vote",
        "AppendEntriesResponse" => "AppendReply",
        "InstallSnapshotResponse" => "SnapshotReply",
        _ => Type,
    };

    /// <summary>The RPC family, for colours: vote, append, snapshot or other.</summary>
    public string Family => ShortType switch
    {
        "RequestVote" or "Vote" => "vote",
        "AppendEntries" or "AppendReply" => "append",
        "InstallSnapshot" or "SnapshotReply" => "snapshot",
        _ => "other",
    };

    /// <summary>A short label: "#12 AppendEntries t2 n=1", "#2 Vote t1 granted", "#5 AppendReply t3 match=2".</summary>
    public string Label
    {
        get
        {
            string id = "#" + Id.ToString(CultureInfo.InvariantCulture) + " ";
            if (Text is null) return id + ShortType;
            string[] w = Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < 3) return id + Text;
            string type = w[0], term = w[2];
            string extra = type switch
            {
                "Vote" or "AppendReply" or "InstallSnapshot" or "SnapshotReply" when w.Length > 3 => " " + w[3],
                "AppendEntries" => w.FirstOrDefault(x => x.StartsWith("n=", StringComparison.Ordinal)) is { } n ? " " + n : "",
                _ => "",
            };
            return id + type + " " + term + extra;
        }
    }
}

/// <summary>A partition or a heal, at a step.</summary>
internal sealed record NetworkChange(int Step, bool Heal, string Shape);

/// <summary>An interval of steps [From, To] (To = -1: to the end of the trace).</summary>
internal readonly record struct StepSpan(int Node, int From, int To);

/// <summary>
/// A trace read for drawing: each node's state after each step, every message's story (sent,
/// duplicated, delivered, dropped, lost, discarded by a crash, still in flight), crashes and
/// restarts, partitions and heals, and where the violation is. Pure: built from the trace alone.
/// </summary>
internal sealed class TraceAnalysis
{
    /// <summary>A fresh node: follower, term 0, nothing committed, empty log.</summary>
    public const string InitialState = "F0/c0/l0";

    public required TraceFile Trace { get; init; }
    public required int NodeCount { get; init; }
    public required IReadOnlyList<StepEvent> Events { get; init; }
    /// <summary>[step][node]: "L3/c2/l4" or "down" after the step.</summary>
    public required string[][] States { get; init; }
    /// <summary>Ordered by sending step, then id.</summary>
    public required IReadOnlyList<MessageStory> Messages { get; init; }
    public required IReadOnlyList<NetworkChange> NetworkChanges { get; init; }
    /// <summary>Steps during which some link is down (Node is -1).</summary>
    public required IReadOnlyList<StepSpan> LinksDown { get; init; }
    /// <summary>Per node, the steps from its crash to its restart.</summary>
    public required IReadOnlyList<StepSpan> Down { get; init; }

    public int StepCount => Trace.Steps.Count;
    public int ViolationStep => Trace.Outcome.Violation is null ? -1 : Trace.Outcome.ViolationStep;
    /// <summary>The violation came after the recorded steps (in the liveness phase).</summary>
    public bool ViolationAfterSteps => Trace.Outcome.Violation is not null && Trace.Outcome.ViolationStep >= Trace.Steps.Count;

    /// <summary>The state of <paramref name="node"/> before step 0 (step = -1) or after a step.</summary>
    public string StateAfter(int step, int node) => step < 0 ? InitialState : States[step][node];

    /// <summary>"L3" for "L3/c2/l4"; null for "down".</summary>
    public static string? RoleTerm(string state) => state == "down" ? null : state.Split('/')[0];

    public static bool IsDown(string state) => state == "down";

    public static TraceAnalysis Of(TraceFile trace)
    {
        IReadOnlyList<TraceStep> steps = trace.Steps;
        int n = Math.Max(1, trace.Swarm.Nodes);
        var states = new string[steps.Count][];
        for (int s = 0; s < steps.Count; s++)
        {
            string[] parts = steps[s].Nodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            n = Math.Max(n, parts.Length);
            states[s] = parts;
        }
        for (int s = 0; s < steps.Count; s++)
        {
            if (states[s].Length == n) continue;
            var full = new string[n];
            for (int i = 0; i < n; i++) full[i] = i < states[s].Length ? states[s][i] : "?";
            states[s] = full;
        }

        var events = steps.Select(s => StepEvent.Parse(s.Event)).ToList();
        var byId = new Dictionary<long, MessageStory>();
        var messages = new List<MessageStory>();
        var pending = new List<MessageStory>();
        var changes = new List<NetworkChange>();
        var linksDown = new List<StepSpan>();
        int linksDownSince = -1;

        for (int s = 0; s < steps.Count; s++)
        {
            TraceStep step = steps[s];
            StepEvent e = events[s];
            if (e.IsMessage)
            {
                if (!byId.TryGetValue(e.MessageId, out MessageStory? m))
                {
                    // Not in any step's "sent" list (a trace written before sends were recorded).
                    string first = e.MessageText.Split(' ', 2)[0];
                    m = new MessageStory { Id = e.MessageId, From = e.From, To = e.To, SentStep = -1, Type = first.Length > 0 ? first : "message" };
                    byId.Add(m.Id, m);
                    messages.Add(m);
                }
                m.Text ??= e.MessageText;
                switch (e.Action)
                {
                    case StepAction.Deliver:
                        m.Arrivals.Add(new Arrival(s, ArrivalKind.Deliver, LostReason(step.Detail)));
                        m.End = MessageEnd.Delivered;
                        m.EndStep = s;
                        pending.Remove(m);
                        break;
                    case StepAction.Duplicate:
                        string copy = step.Detail.StartsWith("copy:", StringComparison.Ordinal) ? step.Detail[5..].Trim() : step.Detail;
                        m.Arrivals.Add(new Arrival(s, ArrivalKind.Copy, LostReason(copy)));
                        break;
                    default:
                        m.Arrivals.Add(new Arrival(s, ArrivalKind.Drop, null));
                        m.End = MessageEnd.Dropped;
                        m.EndStep = s;
                        pending.Remove(m);
                        break;
                }
            }
            else if (e.Action == StepAction.Crash)
            {
                // The world forgets every message on its way to a crashed node.
                foreach (MessageStory m in pending.Where(p => p.To == e.Node).ToList())
                {
                    m.End = MessageEnd.DiscardedByCrash;
                    m.EndStep = s;
                    pending.Remove(m);
                }
            }
            else if (e.Action == StepAction.Partition)
            {
                changes.Add(new NetworkChange(s, false, step.Detail));
                if (linksDownSince < 0) linksDownSince = s;
            }
            else if (e.Action == StepAction.Heal)
            {
                changes.Add(new NetworkChange(s, true, step.Detail));
                if (linksDownSince >= 0) linksDown.Add(new StepSpan(-1, linksDownSince, s));
                linksDownSince = -1;
            }

            foreach (SentMessage sent in step.Sent ?? [])
            {
                if (byId.ContainsKey(sent.Id)) continue; // ids are unique; a malformed trace must not break the picture
                var m = new MessageStory { Id = sent.Id, From = sent.From, To = sent.To, SentStep = s, Type = sent.Type };
                if (sent.Lost)
                {
                    m.End = MessageEnd.LostAtSend;
                    m.EndStep = s;
                }
                else pending.Add(m);
                byId.Add(m.Id, m);
                messages.Add(m);
            }
        }
        if (linksDownSince >= 0) linksDown.Add(new StepSpan(-1, linksDownSince, -1));

        foreach (MessageStory m in pending.Where(m => m.To >= 0 && m.To < n))
        {
            // Messages are addressed to the receiver's incarnation at sending; a restart makes them undeliverable.
            bool restartedSince = Enumerable.Range(Math.Max(1, m.SentStep + 1), Math.Max(0, steps.Count - Math.Max(1, m.SentStep + 1)))
                .Any(s => IsDown(states[s - 1][m.To]) && !IsDown(states[s][m.To]));
            bool downAtEnd = steps.Count > 0 && IsDown(states[^1][m.To]);
            m.Stale = restartedSince || downAtEnd;
        }

        var down = new List<StepSpan>();
        for (int i = 0; i < n; i++)
        {
            int since = -1;
            for (int s = 0; s < steps.Count; s++)
            {
                bool isDown = IsDown(states[s][i]);
                if (isDown && since < 0) since = s;
                else if (!isDown && since >= 0)
                {
                    down.Add(new StepSpan(i, since, s));
                    since = -1;
                }
            }
            if (since >= 0) down.Add(new StepSpan(i, since, -1));
        }

        return new TraceAnalysis
        {
            Trace = trace,
            NodeCount = n,
            Events = events,
            States = states,
            Messages = messages.OrderBy(m => m.SentStep).ThenBy(m => m.Id).ToList(),
            NetworkChanges = changes,
            LinksDown = linksDown,
            Down = down,
        };
    }

    /// <summary>"lost: link down" gives "link down"; anything else null.</summary>
    private static string? LostReason(string detail) =>
        detail.StartsWith("lost:", StringComparison.Ordinal) ? detail[5..].Trim() : null;

    /// <summary>The headline: bug, strategy, seed, schedule.</summary>
    public string Title()
    {
        ExploreSettings s = Trace.Settings;
        string what = Trace.Outcome.Violation is not null ? "Counterexample" : "Schedule";
        return Inv($"{what}: bug {s.Bug}, strategy {s.Strategy}, seed {s.Seed}, schedule {Trace.Iteration}");
    }

    /// <summary>The settings in one line.</summary>
    public string SettingsLine()
    {
        ExploreSettings s = Trace.Settings;
        string mode = TraceWriter.ModeName(s.Mode);
        return Inv($"{NodeCount} nodes, {mode} mode, {StepCount} recorded steps (max {s.MaxSteps}); faults {s.Faults}; proposals {s.Proposals}; schedule seed {Trace.ScheduleSeed}");
    }

    /// <summary>The outcome in one line.</summary>
    public string OutcomeLine()
    {
        TraceOutcome o = Trace.Outcome;
        if (o.Violation is { } v)
        {
            string when = ViolationAfterSteps ? "in the liveness phase, after the recorded steps" : Inv($"at step {o.ViolationStep}");
            return Inv($"{v.Invariant} violated {when}: {v.Detail} (nodes {string.Join(",", v.Nodes)}; index {v.Index}; term {v.Term})");
        }
        return o.Liveness is { } l ? $"passed; liveness: {l}" : "passed";
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
