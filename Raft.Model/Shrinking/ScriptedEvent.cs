using Raft.Model.Events;
using Raft.Model.Contract;

namespace Raft.Model.Shrinking;

/// <summary>
/// A step of a recorded schedule by what it does rather than by its index in the enabled list:
/// its typed <see cref="StepEvent"/> without message id, proposal number or clock target, so the
/// event still means the same thing after earlier steps are removed. Data choices (a partition's
/// shape) are kept.
/// </summary>
/// <remarks>
/// Matching (<see cref="ScriptedStrategy"/>): the very event if it is still enabled (every field
/// but the ids equal, <see cref="IsExactly"/>); otherwise the oldest enabled event of the same kind
/// and, for a message, the same type and direction (<see cref="IsLike"/>): once earlier steps are
/// gone its term and indexes differ, but the oldest such message plays the same part. A lab trace's
/// control step (the tester's action) keeps its <see cref="Control"/> and runs as recorded, at its turn.
/// A part of a Ready in hand (persist, send, apply, retake: asynchronous handling) is named by its
/// kind and node alone, so it is renumbered, merged and matched as its node is; in a world that
/// handles Readies at once it is never enabled and is skipped.
/// </remarks>
/// <param name="MessageId">The recorded message's id, a hint only: among several enabled messages that are
/// exactly alike (two identical rejections in flight), the one with this id if there is one, so an unchanged
/// script re-runs its recording exactly; ids shift once earlier steps are removed, and then the oldest is taken.</param>
public sealed record ScriptedEvent(StepEvent Exact, int[] Data, long MessageId = -1)
{
    public EventKind Kind => Exact.Kind;
    public WorldControl? Control => Exact.Control;

    /// <summary>The node the event concerns (a message's receiver; -1 for the network).</summary>
    public int Node => Exact.Node;

    public static ScriptedEvent From(TraceStep step) =>
        new(step.Event.WithoutIds(), step.Control is null && step.Decisions.Length > 1 ? step.Decisions[1..] : [], step.Event.Message?.Id ?? -1);

    /// <summary>The same event, exactly (ids aside).</summary>
    public bool IsExactly(StepEvent candidate) => candidate.WithoutIds() == Exact;

    /// <summary>An event of the same kind and, for a message, the same type and direction; otherwise the same event.</summary>
    public bool IsLike(StepEvent candidate)
    {
        if (candidate.Kind != Kind) return false;
        if (Exact.Request is { } asked) // a client's request: the same client (its operations shift once earlier ones are gone)
            return candidate.Request is { } r && r.Client == asked.Client;
        if (Exact.Message is { } want)
            return candidate.Message is { } m && m.Type == want.Type && m.From == want.From && m.To == want.To;
        return IsExactly(candidate);
    }

    /// <summary>A crash or a (re)start of a node, by the explorer or the tester.</summary>
    public bool IsCrashOrRestart => Kind is EventKind.Crash or EventKind.Restart || Control?.Op is ControlOp.Crash or ControlOp.Start;

    /// <summary>A change of the links: partition, heal, the tester's connect and disconnect.</summary>
    public bool IsNetworkChange => Kind is EventKind.Partition or EventKind.IsolateLeader or EventKind.Heal || Control?.Op is ControlOp.Connect or ControlOp.Disconnect;

    /// <summary>A proposal, by the explorer or the tester.</summary>
    public bool IsProposal => Kind == EventKind.Propose || Control?.Op == ControlOp.Propose;

    /// <summary>A crash, by the explorer or the tester.</summary>
    public bool IsCrash => Kind == EventKind.Crash || Control?.Op == ControlOp.Crash;

    /// <summary>Whether this event concerns <paramref name="node"/>, as sender, receiver or subject (a partition's isolated node or cut link).</summary>
    public bool Touches(int node) => Renumber(node) is null;

    /// <summary>
    /// The same event in a cluster without node <paramref name="gone"/>, the nodes above it numbered one lower
    /// (<see cref="Renumbered"/>); null when the event concerns <paramref name="gone"/> (as sender, receiver or
    /// subject, the node a partition isolates or an end of the link it cuts). A split keeps its shape without
    /// the node's side; a network-wide event is unchanged.
    /// </summary>
    public ScriptedEvent? Renumber(int gone) => Merge(gone, -1);

    /// <summary>
    /// As <see cref="Renumber"/>, but what <paramref name="gone"/> did, node <paramref name="into"/> does
    /// (its timeouts, its messages, its crashes; a message between the two is dropped): the schedule keeps
    /// the part the removed node played. <paramref name="into"/> -1 drops the node's events instead.
    /// </summary>
    public ScriptedEvent? Merge(int gone, int into)
    {
        int Map(int node) => node == gone ? into : node;
        int node = Exact.Node, controlNode = Control?.Node ?? -1;
        if ((node == gone || controlNode == gone) && into < 0) return null;
        MessageInfo? message = Exact.Message;
        if (message is { } m)
        {
            int from = Map(m.From), to = Map(m.To);
            if (from < 0 || to < 0 || from == to) return null;
            message = m with { From = Renumbered(from, gone), To = Renumbered(to, gone) };
        }
        int[] data = Data;
        if (Kind == EventKind.Partition && Data.Length > 0)
        {
            // the world's choices for a partition (World.MakePartition): shape, then the isolated node,
            // a side per node, or a cut link's sender and its receiver among the other nodes
            switch (Data[0])
            {
                case 0 when Data.Length >= 2:
                    int isolated = Map(Data[1]);
                    if (isolated < 0) return null;
                    data = [0, Renumbered(isolated, gone)];
                    break;
                case 1:
                    data = Data.Where((_, i) => i != gone + 1).ToArray();
                    break;
                case 2 when Data.Length >= 3:
                    int from = Map(Data[1]), to = Map(Data[2] >= Data[1] ? Data[2] + 1 : Data[2]);
                    if (from < 0 || to < 0 || from == to) return null;
                    int f = Renumbered(from, gone), t = Renumbered(to, gone);
                    data = [2, f, t > f ? t - 1 : t];
                    break;
            }
        }
        StepEvent exact = Exact with
        {
            Node = node < 0 ? node : Renumbered(Map(node), gone),
            Message = message,
            Control = Control is { } c ? c with { Node = c.Node < 0 ? c.Node : Renumbered(Map(c.Node), gone) } : null,
        };
        return new ScriptedEvent(exact, data, MessageId);
    }

    /// <summary>Node <paramref name="node"/>'s number once <paramref name="gone"/> is removed: the nodes above it move down by one (-1, the network, stays).</summary>
    public static int Renumbered(int node, int gone) => node > gone ? node - 1 : node;
}
