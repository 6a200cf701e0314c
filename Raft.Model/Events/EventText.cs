using System.Globalization;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;

namespace Raft.Model.Events;

/// <summary>
/// The one place display text is made from the typed records: <c>show</c>, <c>replay --verbose</c>,
/// the pictures and error messages all call these. Nothing parses this text back: traces store the
/// records' fields, and replay and the shrinker compare fields.
/// </summary>
public static class EventText
{
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Tests only: replaces the message text on this thread, to show that nothing but display
    /// depends on it (replay, shrink and the trace files give the same results with any text).
    /// </summary>
    [ThreadStatic] internal static Func<MessageInfo, string>? MessageTextOverride;

    /// <summary>"AppendEntries 0->1 t2 prev=3/t2 n=1 commit=3", "Vote 2->1 t1 granted", …</summary>
    public static string Message(in MessageInfo m) => MessageTextOverride is { } o ? o(m) : MessageText(m);

    /// <summary>The message's name (the implementation's own, e.g. etcd's "MsgApp", else <see cref="ShortType"/>), its ends and term, then what its kind carries.</summary>
    private static string MessageText(in MessageInfo m)
    {
        string head = $"{m.Name ?? ShortType(m.Type)} {I(m.From)}->{I(m.To)} t{I(m.Term)}";
        return m.Type switch
        {
            MessageKind.RequestVote or MessageKind.PreVote => $"{head} last={I(m.Index)}/t{I(m.LogTerm)}",
            MessageKind.RequestVoteResponse or MessageKind.PreVoteResponse => $"{head} {(m.Reject ? "rejected" : "granted")}",
            MessageKind.AppendEntries => $"{head} prev={I(m.Index)}/t{I(m.LogTerm)} n={I(m.Entries)} commit={I(m.Commit)}",
            MessageKind.AppendEntriesResponse => m.Reject
                ? $"{head} reject prev={I(m.Index)} hint={I(m.Hint)}/t{I(m.LogTerm)}"
                : $"{head} match={I(m.Index)}",
            MessageKind.InstallSnapshot => $"{head} last={I(m.Index)}/t{I(m.LogTerm)} {I(m.Bytes)}B",
            MessageKind.InstallSnapshotResponse => $"{head} match={I(m.Index)}",
            MessageKind.Heartbeat => $"{head} commit={I(m.Commit)}",
            _ => head,
        };
    }

    /// <summary>A message type in the words of the display (RequestVoteResponse is "Vote", and so on).</summary>
    public static string ShortType(MessageKind t) => t switch
    {
        MessageKind.RequestVoteResponse => "Vote",
        MessageKind.AppendEntriesResponse => "AppendReply",
        MessageKind.InstallSnapshotResponse => "SnapshotReply",
        MessageKind.PreVoteResponse => "PreVoteReply",
        MessageKind.HeartbeatResponse => "HeartbeatReply",
        MessageKind.ReadIndexResponse => "ReadIndexReply",
        _ => t.ToString(),
    };

    /// <summary>A short label for pictures: "#12 AppendEntries t2 n=1", "#2 Vote t1 granted", "#5 AppendReply t3 match=2".</summary>
    public static string Label(in MessageInfo m)
    {
        string head = "#" + I(m.Id) + " " + (m.Name ?? ShortType(m.Type)) + " t" + I(m.Term);
        return m.Type switch
        {
            MessageKind.RequestVoteResponse or MessageKind.PreVoteResponse => head + (m.Reject ? " rejected" : " granted"),
            MessageKind.AppendEntries => head + " n=" + I(m.Entries),
            MessageKind.AppendEntriesResponse => head + (m.Reject ? " reject" : " match=" + I(m.Index)),
            MessageKind.InstallSnapshot => head + " last=" + I(m.Index) + "/t" + I(m.LogTerm),
            MessageKind.InstallSnapshotResponse => head + " match=" + I(m.Index),
            _ => head,
        };
    }

    /// <summary>The event, e.g. "deliver #10 Vote 2->1 t1 granted", "timeout 1", "propose 0 cmd=3", "at 1200ms crash 1", "persist 2".</summary>
    public static string Event(StepEvent e) => e.Kind switch
    {
        EventKind.Deliver => $"deliver #{I(e.Message?.Id ?? -1)} {MessageOf(e)}",
        EventKind.Drop => $"drop #{I(e.Message?.Id ?? -1)} {MessageOf(e)}",
        EventKind.Duplicate => $"duplicate #{I(e.Message?.Id ?? -1)} {MessageOf(e)}",
        EventKind.Advance => $"advance to {I(e.AdvanceTo)}ms",
        EventKind.Timeout => $"timeout {I(e.Node)}",
        EventKind.Tick => $"tick {I(e.Node)}",
        EventKind.Propose => $"propose {I(e.Node)} cmd={I(e.Proposal)}",
        EventKind.Snapshot => $"snapshot {I(e.Node)}",
        EventKind.Crash => $"crash {I(e.Node)}",
        EventKind.Restart => $"restart {I(e.Node)}",
        EventKind.Partition => "partition",
        EventKind.IsolateLeader => $"isolate leader {I(e.Node)}",
        EventKind.Heal => "heal",
        EventKind.Control when e.Control is { } c => Control(c),
        EventKind.Ticks => $"ticks {I(e.At)}–{I(e.AdvanceTo)}ms",
        EventKind.Persist => $"persist {I(e.Node)}",
        EventKind.Send => $"send {I(e.Node)}",
        EventKind.Apply => $"apply {I(e.Node)}",
        EventKind.Retake => $"retake {I(e.Node)}",
        EventKind.ClientSend when e.Request is { } r => $"client {I(r.Client)} sends {Request(r)} #{I(r.Seq)} to {I(e.Node)}",
        EventKind.ClientReply when e.Request is { } r => $"client {I(r.Client)} hears from {I(e.Node)}: {Request(r)} #{I(r.Seq)}" + (r.Output is { } o ? $" = {Histories.HistoryText.Quote(o)}" : " ok"),
        EventKind.ClerkRequest when e.Request is { } r => $"clerk {I(r.Client)}'s call reaches {I(e.Node)}: {Request(r)} #{I(r.Seq)}",
        EventKind.ClerkReply when e.Request is { } r => $"clerk {I(r.Client)} hears from {I(e.Node)}: {Request(r)} #{I(r.Seq)}" + (r.Output is { } o ? $" = {Histories.HistoryText.Quote(o)}" : ""),
        _ => e.Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>A client's request, e.g. <c>Append(x, "a1")</c>, <c>Get(x)</c>.</summary>
    public static string Request(ClientRequest r) => r.Op == Histories.OpKind.Get
        ? $"Get({Histories.HistoryText.Key(r.Key)})"
        : $"{r.Op}({Histories.HistoryText.Key(r.Key)}, {Histories.HistoryText.Quote(r.Value)})";

    private static string MessageOf(StepEvent e) => e.Message is { } m ? Message(m) : "?";

    /// <summary>A tester's action, e.g. "at 1200ms propose 2 cmd=0a1b", "at 0ms network unreliable".</summary>
    public static string Control(WorldControl c)
    {
        string at = I(c.At);
        return c.Op switch
        {
            ControlOp.Propose => $"at {at}ms propose {I(c.Node)} cmd={Convert.ToHexString(c.Command ?? []).ToLowerInvariant()}",
            ControlOp.Reliable => $"at {at}ms network {(c.Flag ? "reliable" : "unreliable")}",
            ControlOp.LongReordering => $"at {at}ms long-reordering {(c.Flag ? "on" : "off")}",
            ControlOp.CrashAfterPersist => $"at {at}ms crash-after-persist {I(c.Node)}",
            ControlOp.Heal => $"at {at}ms heal: faults stop, network unstable",
            ControlOp.Stabilise => $"at {at}ms stabilise: network stable",
            ControlOp.Deadline => $"at {at}ms deadline: one() gives up on cmd={Convert.ToHexString(c.Command ?? []).ToLowerInvariant()}",
            ControlOp.Guard => $"at {at}ms livelock guard",
            ControlOp.ClerkEnds when c.Command is { Length: >= 2 } b => $"at {at}ms clerk {I((b[0] << 8) | b[1])} ends enabled to [{Servers(b.AsSpan(2), 1)}]",
            ControlOp.ClerkCall when Services.KvCommands.TryDecode(c.Command, out Services.KvOp op) =>
                $"at {at}ms clerk {I(op.Client)} calls {I(c.Node)}: {Request(new ClientRequest(op.Client, op.Seq, op.Kind, op.Key, op.Value))} #{I(op.Seq)}",
            ControlOp.Partition when c.Command is { } g => $"at {at}ms partition [{Servers(g, 0)}] | [{Servers(g, 1)}]",
            _ => $"at {at}ms {c.Op.ToString().ToLowerInvariant()} {I(c.Node)}",
        };
    }

    /// <summary>The servers whose byte in <paramref name="flags"/> is <paramref name="value"/>, e.g. "0 2".</summary>
    private static string Servers(ReadOnlySpan<byte> flags, byte value)
    {
        var b = new System.Text.StringBuilder();
        for (int i = 0; i < flags.Length; i++)
            if (flags[i] == value) b.Append(b.Length == 0 ? "" : " ").Append(I(i));
        return b.ToString();
    }

    /// <summary>What came of an event, e.g. "index 3 term 2", "45 ticks", "lost: link down", "cut 0->2"; "" when there is nothing to say.</summary>
    public static string Outcome(EventKind kind, in StepOutcome o)
    {
        string text = o.Kind switch
        {
            OutcomeKind.Done or OutcomeKind.Delivered => "",
            OutcomeKind.LostTargetRestarted => "lost: target restarted",
            OutcomeKind.LostLinkDown => "lost: link down",
            OutcomeKind.Proposed => $"index {I(o.Index)} term {I(o.Term)}",
            OutcomeKind.NotLeader => "not leader",
            OutcomeKind.Ticks => $"{I(o.Count)} ticks",
            OutcomeKind.Clock => $"now {I(o.Index)}ms (+{I(o.Count)})",
            OutcomeKind.Snapshot => $"through {I(o.Index)}",
            OutcomeKind.Partitioned => o.Partition is { } p ? Partition(p) : "partition",
            OutcomeKind.Threw => "threw",
            OutcomeKind.Healed => $"{I(o.Count)} in flight, {I(o.Index)} lost",
            OutcomeKind.Retimed => $"{I(o.Count)} late message(s) retimed",
            OutcomeKind.AppliedEverywhere => "applied everywhere",
            OutcomeKind.NotApplied => $"not applied on {I(o.Count)} node(s)",
            OutcomeKind.Stopped => "stopped: a livelock",
            OutcomeKind.Persisted => o.Count > 0 ? $"entries {I(o.Index)}–{I(o.Index + o.Count - 1)}" : "hard state",
            OutcomeKind.Sent => $"{I(o.Count)} message(s)",
            OutcomeKind.Applied => $"{I(o.Count)} applied, through {I(o.Index)}",
            OutcomeKind.ReadAccepted => $"read {I(o.Index)} accepted",
            _ => o.Kind.ToString(),
        };
        return kind == EventKind.Duplicate && o.Kind != OutcomeKind.Threw ? "copy: " + text : text;
    }

    /// <summary>"isolate 1", "split abba", "cut 0->2".</summary>
    public static string Partition(PartitionShape p) => p.Kind switch
    {
        PartitionKind.Isolate => $"isolate {I(p.Node)}",
        PartitionKind.Split => "split " + string.Concat((p.Sides ?? []).Select(s => s == 0 ? 'a' : 'b')),
        _ => $"cut {I(p.Node)}->{I(p.To)}",
    };

    /// <summary>"L3/c2/l4" (a leader in term 3, commit index 2, last log index 4) or "down".</summary>
    public static string Node(in NodeState n) =>
        n.Up ? $"{RoleLetter(n.Role)}{I(n.Term)}/c{I(n.Commit)}/l{I(n.Last)}" : "down";

    /// <summary>"L3" for a leader in term 3; null for a node that is down.</summary>
    public static string? RoleTerm(in NodeState n) => n.Up ? RoleLetter(n.Role) + I(n.Term) : null;

    public static char RoleLetter(Role r) => r switch { Role.Leader => 'L', Role.Candidate => 'C', Role.PreCandidate => 'P', _ => 'F' };

    /// <summary>Every node, e.g. "L3/c2/l4 F3/c2/l4 down".</summary>
    public static string Nodes(IReadOnlyList<NodeState> nodes) => string.Join(" ", nodes.Select(n => Node(n)));

    /// <summary>The event and, in brackets, its outcome: "timeout 1 [45 ticks]".</summary>
    public static string EventAndOutcome(TraceStep s)
    {
        string ev = Event(s.Event), outcome = Outcome(s.Event.Kind, s.Outcome);
        return outcome.Length > 0 ? $"{ev} [{outcome}]" : ev;
    }

    /// <summary>A sent message: "#12 AppendEntries 0->1 t2 …", with " (lost at send)" when it never left.</summary>
    public static string Sent(SentMessage m) => "#" + I(m.Id) + " " + Message(m.Message) + (m.Lost ? " (lost at send)" : "");
}
