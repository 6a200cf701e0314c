using System.Globalization;

namespace Raft.Model.Events;

/// <summary>
/// Compares two recorded steps field by field and names the first field that differs, e.g.
/// "event.message.term: recorded 2, the run had 3". Replay uses it; display text plays no part.
/// </summary>
public static class StepDiff
{
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first differing field of <paramref name="recorded"/> and <paramref name="actual"/>, or null when they agree.</summary>
    public static string? First(TraceStep recorded, TraceStep actual)
    {
        string? d = Event(recorded.Event, actual.Event);
        if (d is not null) return d;
        if (!recorded.Decisions.AsSpan().SequenceEqual(actual.Decisions))
            return $"decisions: recorded [{string.Join(",", recorded.Decisions)}], the run took [{string.Join(",", actual.Decisions)}]";
        d = Outcome(recorded.Outcome, actual.Outcome);
        if (d is not null) return d;
        d = Nodes(recorded.Nodes, actual.Nodes);
        if (d is not null) return d;
        return Sent(recorded.Sent ?? [], actual.Sent ?? []);
    }

    private static string Differs(string field, string recorded, string actual) => $"{field}: recorded {recorded}, the run had {actual}";
    private static string Differs(string field, long recorded, long actual) => Differs(field, I(recorded), I(actual));

    public static string? Event(StepEvent r, StepEvent a)
    {
        if (r.Kind != a.Kind) return Differs("event.kind", Name(r.Kind), Name(a.Kind));
        if (r.Node != a.Node) return Differs("event.node", r.Node, a.Node);
        if (r.At != a.At) return Differs("event.at", r.At, a.At);
        if (r.Proposal != a.Proposal) return Differs("event.proposal", r.Proposal, a.Proposal);
        if (r.AdvanceTo != a.AdvanceTo) return Differs("event.advanceTo", r.AdvanceTo, a.AdvanceTo);
        if (r.Message.HasValue != a.Message.HasValue)
            return Differs("event.message", r.Message.HasValue ? "a message" : "none", a.Message.HasValue ? "a message" : "none");
        if (r.Message is { } rm && a.Message is { } am && Message("event.message", rm, am) is { } md) return md;
        if ((r.Control is null) != (a.Control is null))
            return Differs("event.control", r.Control is null ? "none" : "a control", a.Control is null ? "none" : "a control");
        if (r.Control is { } rc && a.Control is { } ac)
        {
            if (rc.Op != ac.Op) return Differs("event.control.op", rc.Op.ToString(), ac.Op.ToString());
            if (rc.Node != ac.Node) return Differs("event.control.node", rc.Node, ac.Node);
            if (rc.At != ac.At) return Differs("event.control.at", rc.At, ac.At);
            if (rc.Flag != ac.Flag) return Differs("event.control.flag", rc.Flag.ToString(), ac.Flag.ToString());
            if (!(rc.Command ?? []).AsSpan().SequenceEqual(ac.Command ?? []))
                return Differs("event.control.command", Convert.ToHexString(rc.Command ?? []), Convert.ToHexString(ac.Command ?? []));
        }
        if (r.Request != a.Request)
            return Differs("event.request", RequestText(r.Request), RequestText(a.Request));
        return null;
    }

    private static string RequestText(ClientRequest? q) =>
        q is null ? "none" : $"client {I(q.Client)} {EventText.Request(q)} #{I(q.Seq)}" + (q.Output is { } o ? " = " + o : "");

    public static string? Message(string field, in MessageInfo r, in MessageInfo a)
    {
        if (r.Id != a.Id) return Differs(field + ".id", r.Id, a.Id);
        if (r.Type != a.Type) return Differs(field + ".type", r.Type.ToString(), a.Type.ToString());
        if (r.From != a.From) return Differs(field + ".from", r.From, a.From);
        if (r.To != a.To) return Differs(field + ".to", r.To, a.To);
        if (r.Term != a.Term) return Differs(field + ".term", r.Term, a.Term);
        if (r.Index != a.Index) return Differs(field + ".index", r.Index, a.Index);
        if (r.LogTerm != a.LogTerm) return Differs(field + ".logTerm", r.LogTerm, a.LogTerm);
        if (r.Commit != a.Commit) return Differs(field + ".commit", r.Commit, a.Commit);
        if (r.Entries != a.Entries) return Differs(field + ".entries", r.Entries, a.Entries);
        if (r.Reject != a.Reject) return Differs(field + ".reject", r.Reject.ToString(), a.Reject.ToString());
        if (r.Hint != a.Hint) return Differs(field + ".hint", r.Hint, a.Hint);
        if (r.Bytes != a.Bytes) return Differs(field + ".bytes", r.Bytes, a.Bytes);
        return null;
    }

    public static string? Outcome(in StepOutcome r, in StepOutcome a)
    {
        if (r.Kind != a.Kind) return Differs("outcome.kind", Name(r.Kind), Name(a.Kind));
        if (r.Index != a.Index) return Differs("outcome.index", r.Index, a.Index);
        if (r.Term != a.Term) return Differs("outcome.term", r.Term, a.Term);
        if (r.Count != a.Count) return Differs("outcome.count", r.Count, a.Count);
        if (!Equals(r.Partition, a.Partition))
            return Differs("outcome.partition", r.Partition is { } rp ? EventText.Partition(rp) : "none", a.Partition is { } ap ? EventText.Partition(ap) : "none");
        return null;
    }

    public static string? Nodes(NodeState[] r, NodeState[] a)
    {
        if (r.Length != a.Length) return Differs("nodes (count)", r.Length, a.Length);
        for (int i = 0; i < r.Length; i++)
        {
            NodeState x = r[i], y = a[i];
            string f = $"nodes[{I(i)}]";
            if (x.Up != y.Up) return Differs(f + ".up", x.Up.ToString(), y.Up.ToString());
            if (!x.Up) continue;
            if (x.Role != y.Role) return Differs(f + ".role", x.Role.ToString(), y.Role.ToString());
            if (x.Term != y.Term) return Differs(f + ".term", x.Term, y.Term);
            if (x.Commit != y.Commit) return Differs(f + ".commit", x.Commit, y.Commit);
            if (x.Last != y.Last) return Differs(f + ".last", x.Last, y.Last);
        }
        return null;
    }

    public static string? Sent(SentMessage[] r, SentMessage[] a)
    {
        for (int i = 0; i < Math.Min(r.Length, a.Length); i++)
        {
            string f = $"sent[{I(i)}]";
            if (Message(f, r[i].Message, a[i].Message) is { } d) return d;
            if (r[i].Lost != a[i].Lost) return Differs(f + ".lost", r[i].Lost.ToString(), a[i].Lost.ToString());
        }
        return r.Length != a.Length ? Differs("sent (count)", r.Length, a.Length) : null;
    }

    /// <summary>The name a kind has in traces: "deliver", "timeout", "control", ….</summary>
    public static string Name(EventKind k) => k.ToString().ToLowerInvariant();

    public static string Name(OutcomeKind k) => k switch
    {
        OutcomeKind.LostTargetRestarted => "lostTargetRestarted",
        OutcomeKind.LostLinkDown => "lostLinkDown",
        OutcomeKind.NotLeader => "notLeader",
        OutcomeKind.ReadAccepted => "readAccepted",
        _ => k.ToString().ToLowerInvariant(),
    };
}
