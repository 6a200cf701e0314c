using Raft.Core.Messages;

namespace Raft.Model.Simulation;

public enum SimEventKind : byte { Tick, Deliver, Callback }

/// <summary>One scheduled event. Ordered by (time, sequence number), so ties break in scheduling order.</summary>
internal readonly struct SimEvent
{
    public SimEventKind Kind { get; init; }
    public int Node { get; init; }
    public int Incarnation { get; init; }
    public Message Message { get; init; }
    public Action? Callback { get; init; }
}
