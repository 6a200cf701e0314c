using System.Globalization;
using Raft.Core.Messages;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Contract;

namespace Raft.Model.Traces.Pictures;

/// <summary>What a recorded step did, as the pictures draw it.</summary>
internal enum StepAction { Deliver, Drop, Duplicate, Timeout, Advance, Propose, Snapshot, Crash, Restart, Partition, Heal, Stabilise, Other }

/// <summary>
/// A step's typed event (<see cref="Raft.Model.Events.StepEvent"/>) as the pictures use it: the
/// action, the node it happens on (-1 for a message event, drawn as an arrow), the message. Built
/// from the record's fields and the step's outcome; nothing is parsed.
/// </summary>
/// <remarks>
/// Labrpc timing (the lab, and the explorer's liveness phase) has no timeout event: a node's timer
/// fires inside a <see cref="EventKind.Tick"/>. A tick after which its node sent a message, or
/// changed role or term, is drawn as a <see cref="StepAction.Timeout"/> (an election, or a leader's
/// heartbeat); a tick that did nothing visible, and the folded <see cref="EventKind.Ticks"/>, are
/// <see cref="StepAction.Other"/>. A tester's proposal (control step) that a leader accepted is a
/// <see cref="StepAction.Propose"/> with its command in <see cref="Command"/>. The liveness phase's
/// heal (every link up, faults stop) and stabilisation are network changes across all lanes. Other
/// control steps (start, connect, the deadline, the guard) are <see cref="StepAction.Other"/>.
/// </remarks>
internal sealed record PictureEvent(StepAction Action, int Node, MessageInfo? Message, long Proposal, string? Command = null)
{
    public bool IsMessage => Action is StepAction.Deliver or StepAction.Drop or StepAction.Duplicate && Message is not null;
    public long MessageId => Message?.Id ?? -1;

    /// <summary>"propose cmd=3", or for a tester's proposal its command in hex ("propose cmd=01ff887a").</summary>
    public string ProposeText => "propose cmd=" + (Command ?? Proposal.ToString(CultureInfo.InvariantCulture));

    /// <param name="step">The recorded step.</param>
    /// <param name="before">Every node's state before the step (null: the initial state).</param>
    public static PictureEvent Of(TraceStep step, NodeState[]? before)
    {
        StepEvent e = step.Event;
        if (e.Kind == EventKind.Tick) return TickOf(step, before);
        if (e.Kind == EventKind.Control && e.Control is { } c)
            return c.Op switch
            {
                ControlOp.Propose when step.Outcome.Kind == OutcomeKind.Proposed =>
                    new PictureEvent(StepAction.Propose, c.Node, null, 0, Convert.ToHexString(c.Command ?? []).ToLowerInvariant()),
                ControlOp.Heal => new PictureEvent(StepAction.Heal, -1, null, 0),
                ControlOp.Stabilise => new PictureEvent(StepAction.Stabilise, -1, null, 0),
                _ => new PictureEvent(StepAction.Other, -1, null, 0),
            };
        StepAction action = e.Kind switch
        {
            EventKind.Deliver => StepAction.Deliver,
            EventKind.Drop => StepAction.Drop,
            EventKind.Duplicate => StepAction.Duplicate,
            EventKind.Timeout => StepAction.Timeout,
            EventKind.Advance => StepAction.Advance,
            EventKind.Propose => StepAction.Propose,
            EventKind.Snapshot => StepAction.Snapshot,
            EventKind.Crash => StepAction.Crash,
            EventKind.Restart => StepAction.Restart,
            EventKind.Partition or EventKind.IsolateLeader => StepAction.Partition,
            EventKind.Heal => StepAction.Heal,
            _ => StepAction.Other,
        };
        int node = action is StepAction.Timeout or StepAction.Propose or StepAction.Snapshot or StepAction.Crash or StepAction.Restart ? e.Node : -1;
        return new PictureEvent(action, node, e.Message, e.Proposal);
    }

    /// <summary>A tick whose node's timer fired (it sent something, or changed role or term) is a timeout; any other tick draws nothing.</summary>
    private static PictureEvent TickOf(TraceStep step, NodeState[]? before)
    {
        int i = step.Event.Node;
        bool sent = (step.Sent ?? []).Any(m => m.From == i);
        bool changed = false;
        if (i >= 0 && i < step.Nodes.Length)
        {
            NodeState was = before is not null && i < before.Length ? before[i] : NodeState.Initial;
            NodeState now = step.Nodes[i];
            changed = was.Up && now.Up && (was.Role != now.Role || was.Term != now.Term);
        }
        return sent || changed ? new PictureEvent(StepAction.Timeout, i, null, 0) : new PictureEvent(StepAction.Other, -1, null, 0);
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
    /// <summary>The step whose "sent" list holds it; -1 if no step records its sending.</summary>
    public required int SentStep { get; init; }
    public required MessageKind Type { get; init; }
    /// <summary>The message's fields, from its sending or its first delivery, drop or duplicate; null if neither is recorded.</summary>
    public MessageInfo? Info { get; set; }
    public List<Arrival> Arrivals { get; } = new();
    public MessageEnd End { get; set; } = MessageEnd.InFlight;
    /// <summary>The step that ended it (delivery, drop, the receiver's crash, or the sending step for a message lost at sending); -1 while in flight.</summary>
    public int EndStep { get; set; } = -1;
    /// <summary>In flight at the end, but addressed to an incarnation of the receiver that is gone (it restarted since, or is down and restarts in the liveness phase): it will be lost on arrival.</summary>
    public bool Stale { get; set; }

    /// <summary>The type in the words of the display (RequestVoteResponse is "Vote", and so on).</summary>
    public string ShortType => EventText.ShortType(Type);

    /// <summary>The RPC family, for colours: vote, append, snapshot or other.</summary>
    public string Family => Type switch
    {
        MessageKind.RequestVote or MessageKind.RequestVoteResponse => "vote",
        MessageKind.AppendEntries or MessageKind.AppendEntriesResponse => "append",
        MessageKind.InstallSnapshot or MessageKind.InstallSnapshotResponse => "snapshot",
        _ => "other",
    };

    /// <summary>The whole message: "#12 AppendEntries 0->1 t2 prev=3/t2 n=1 commit=3".</summary>
    public string FullText => Info is { } m
        ? "#" + Id.ToString(CultureInfo.InvariantCulture) + " " + EventText.Message(m)
        : TraceAnalysis.Inv($"#{Id} {ShortType} {From}->{To}");

    /// <summary>A short label: "#12 AppendEntries t2 n=1", "#2 Vote t1 granted", "#5 AppendReply t3 match=2".</summary>
    public string Label => Info is { } m ? EventText.Label(m) : "#" + Id.ToString(CultureInfo.InvariantCulture) + " " + ShortType;
}

/// <summary>A partition or a heal, at a step; <paramref name="Liveness"/> for the liveness phase's heal and stabilisation (<paramref name="Shape"/> is then the band's text).</summary>
internal sealed record NetworkChange(int Step, bool Heal, string Shape, bool Liveness = false);

/// <summary>An interval of steps [From, To] (To = -1: to the end of the trace).</summary>
internal readonly record struct StepSpan(int Node, int From, int To);

/// <summary>
/// A trace read for drawing: each node's state after each step, every message's story (sent,
/// duplicated, delivered, dropped, lost, discarded by a crash, still in flight), crashes and
/// restarts, partitions and heals, and where the violation is. Pure: built from the trace alone.
/// </summary>
internal sealed class TraceAnalysis
{

    public required TraceFile Trace { get; init; }
    public required int NodeCount { get; init; }
    public required IReadOnlyList<PictureEvent> Events { get; init; }
    /// <summary>[step][node]: each node's state after the step.</summary>
    public required NodeState[][] States { get; init; }
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
    public NodeState StateAfter(int step, int node) => step < 0 ? NodeState.Initial : States[step][node];

    /// <summary>"L3" for a leader in term 3; null for a node that is down.</summary>
    public static string? RoleTerm(NodeState state) => EventText.RoleTerm(state);

    public static bool IsDown(NodeState state) => !state.Up;

    public static TraceAnalysis Of(TraceFile trace)
    {
        IReadOnlyList<TraceStep> steps = trace.Steps;
        int n = Math.Max(1, trace.Swarm.Nodes);
        foreach (TraceStep step in steps) n = Math.Max(n, step.Nodes.Length);
        var states = new NodeState[steps.Count][];
        for (int s = 0; s < steps.Count; s++)
        {
            NodeState[] given = steps[s].Nodes;
            states[s] = given.Length == n ? given : Enumerable.Range(0, n).Select(i => i < given.Length ? given[i] : NodeState.Down).ToArray();
        }

        var events = steps.Select((s, i) => PictureEvent.Of(s, i == 0 ? null : states[i - 1])).ToList();
        var byId = new Dictionary<long, MessageStory>();
        var messages = new List<MessageStory>();
        var pending = new List<MessageStory>();
        var changes = new List<NetworkChange>();
        var linksDown = new List<StepSpan>();
        int linksDownSince = -1;

        for (int s = 0; s < steps.Count; s++)
        {
            TraceStep step = steps[s];
            PictureEvent e = events[s];
            if (e.IsMessage)
            {
                MessageInfo info = e.Message!.Value;
                if (!byId.TryGetValue(info.Id, out MessageStory? m))
                {
                    // Not in any step's "sent" list (sent before the recording began).
                    m = new MessageStory { Id = info.Id, From = info.From, To = info.To, SentStep = -1, Type = info.Type };
                    byId.Add(m.Id, m);
                    messages.Add(m);
                }
                m.Info ??= info;
                switch (e.Action)
                {
                    case StepAction.Deliver:
                        m.Arrivals.Add(new Arrival(s, ArrivalKind.Deliver, LostReason(step.Outcome)));
                        m.End = MessageEnd.Delivered;
                        m.EndStep = s;
                        pending.Remove(m);
                        break;
                    case StepAction.Duplicate:
                        m.Arrivals.Add(new Arrival(s, ArrivalKind.Copy, LostReason(step.Outcome)));
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
                changes.Add(new NetworkChange(s, false, step.Outcome.Partition is { } shape ? EventText.Partition(shape) : ""));
                if (linksDownSince < 0) linksDownSince = s;
            }
            else if (e.Action == StepAction.Stabilise)
            {
                changes.Add(new NetworkChange(s, true, "network stable", Liveness: true));
            }
            else if (e.Action == StepAction.Heal)
            {
                bool liveness = step.Event.Kind == EventKind.Control;
                changes.Add(new NetworkChange(s, true, liveness ? "liveness: faults stop" : "", liveness));
                if (linksDownSince >= 0) linksDown.Add(new StepSpan(-1, linksDownSince, s));
                linksDownSince = -1;
            }

            foreach (SentMessage sent in step.Sent ?? [])
            {
                if (byId.ContainsKey(sent.Id)) continue; // ids are unique; a malformed trace must not break the picture
                var m = new MessageStory { Id = sent.Id, From = sent.From, To = sent.To, SentStep = s, Type = sent.Type, Info = sent.Message };
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

    /// <summary>Why a delivery did not reach the node ("link down", "target restarted"), or null.</summary>
    private static string? LostReason(in StepOutcome o) => o.Kind switch
    {
        OutcomeKind.LostLinkDown => "link down",
        OutcomeKind.LostTargetRestarted => "target restarted",
        _ => null,
    };

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
            string when = ViolationAfterSteps ? Inv($"at step {o.ViolationStep}, in the liveness phase after the recorded steps") : Inv($"at step {o.ViolationStep}");
            return Inv($"{v.Invariant} violated {when}: {v.Detail}{v.Where}");
        }
        return o.Liveness is { } l ? $"passed; liveness: {l}" : "passed";
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
