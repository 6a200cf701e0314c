namespace Raft.Model.Exploration;

public enum EventKind : byte
{
    Deliver, Advance, Timeout,          // normal: the system's own progress
    Propose, Snapshot,                  // client: the workload
    Drop, Duplicate, Crash, Restart, Partition, Heal, // faults
    Tick,                               // labrpc timing: one tick of one node's clock
}

public enum EventClass : byte { Normal, Timer, Client, Fault }

/// <summary>One event the world could run next: its kind, the node it concerns, and for messages the message id.</summary>
public readonly record struct EnabledEvent(EventKind Kind, int Node, long MessageId = -1)
{
    public EventClass Class => Kind switch
    {
        EventKind.Deliver or EventKind.Advance or EventKind.Tick => EventClass.Normal,
        EventKind.Timeout => EventClass.Timer,
        EventKind.Propose or EventKind.Snapshot => EventClass.Client,
        _ => EventClass.Fault,
    };
}
