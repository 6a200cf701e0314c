using Raft.Model.Contract;
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
    Persist, Send, Apply,               // asynchronous Ready handling: the parts of a node's Ready in hand, in this order (Cluster.Ready.cs)
    Retake,                             // asynchronous Ready handling: take a node's output again before Advance
    ClientSend, ClientReply,            // key-value clients (World.Clients.cs): a request sent (or retried) to a node, its answer taken
    ClerkRequest, ClerkReply,           // the lab's clerks (World.Kv.cs): a clerk's call reaches a server's KV handler; an answer (or labrpc's failure) reaches the clerk
    IsolateLeader,                      // a fault in schedules with leases: cut off a node that believes it leads (the partition a lease must survive)
}

public enum EventClass : byte { Normal, Timer, Client, Fault }

/// <summary>
/// One event the world could run next: its kind, the node it concerns, and for messages the
/// message id. For a part of a Ready in hand (persist, send, apply, retake) <see cref="MessageId"/>
/// is the Ready's age instead: the id the world's next message had when the Ready was taken, so
/// that parts and messages order by age (oldest first) in one comparison. For a client's event
/// (<see cref="EventKind.ClientSend"/>, <see cref="EventKind.ClientReply"/>) <see cref="Node"/> is the
/// node it sends to or hears from and <see cref="MessageId"/> the client.
/// </summary>
public readonly record struct EnabledEvent(EventKind Kind, int Node, long MessageId = -1)
{
    /// <summary>Whether this is a part of a node's Ready in hand (asynchronous Ready handling), taking it again included.</summary>
    public bool IsReadyPart => Kind is EventKind.Persist or EventKind.Send or EventKind.Apply or EventKind.Retake;

    public EventClass Class => Kind switch
    {
        EventKind.Deliver or EventKind.Advance or EventKind.Tick => EventClass.Normal,
        EventKind.Persist or EventKind.Send or EventKind.Apply or EventKind.Retake => EventClass.Normal, // the node's own work, as deliveries are
        EventKind.Timeout => EventClass.Timer,
        EventKind.Propose or EventKind.Snapshot or EventKind.ClientSend or EventKind.ClientReply or EventKind.ClerkRequest or EventKind.ClerkReply => EventClass.Client,
        _ => EventClass.Fault,
    };
}
