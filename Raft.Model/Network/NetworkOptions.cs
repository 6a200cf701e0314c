namespace Raft.Model.Network;

/// <summary>
/// The labrpc fault model (6.824 labrpc.go) plus duplication. All delays are virtual
/// milliseconds and all probabilities per thousand, drawn from the world's seeded source.
/// </summary>
public sealed record NetworkOptions
{
    /// <summary>Unreliable: requests wait 0–26 ms, 10% of requests and 10% of replies are dropped.</summary>
    public bool Reliable { get; set; } = true;

    /// <summary>Long reordering: 2/3 of replies arrive 200–2199 ms late.</summary>
    public bool LongReordering { get; set; }

    public int UnreliableMaxDelayMs { get; init; } = 27;
    public int RequestDropPerThousand { get; init; } = 100;
    public int ReplyDropPerThousand { get; init; } = 100;
    public int LongReorderPerThousand { get; init; } = 667;

    /// <summary>
    /// labrpc's delivery rule: a message's fate is decided when it enters the network (a request:
    /// its end must be enabled then) or when its handler returns (a reply: dropped if the link is
    /// down then, labrpc's "dead server" check); once admitted it is delivered whatever the link
    /// state when it arrives. So a request delayed 0–26 ms still runs its handler if the link went
    /// down meanwhile, and a long-reordered reply arrives even across a partition. When false (the
    /// default outside the lab) the link must also be up at arrival: a partition cuts what is in flight.
    /// A crashed or restarted receiver never gets a message sent to its earlier incarnation either way.
    /// </summary>
    public bool LabrpcDelivery { get; init; }

    /// <summary>Beyond labrpc: probability that a delivered message is also delivered a second time.</summary>
    public int DuplicatePerThousand { get; set; }
}
