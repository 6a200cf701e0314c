namespace Raft.Model.Events;

/// <summary>The kinds of step the world runs. The numeric values of the first twelve are used as codes (coverage, strategy weights): append new kinds at the end.</summary>
public enum EventKind : byte
{
    Deliver, Advance, Timeout,          // normal: the system's own progress
    Propose, Snapshot,                  // client: the workload
    Drop, Duplicate, Crash, Restart, Partition, Heal, // faults
    Tick,                               // labrpc timing: one tick of one node's clock
    Control,                            // the lab tester's action (a <see cref="WorldControl"/>), run as recorded
    Ticks,                              // the liveness phase: silent ticks folded into one step (nothing sent, nothing shown changed)
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
