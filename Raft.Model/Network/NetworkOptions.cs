namespace Raft.Model.Network;

/// <summary>
/// One parameter set of the world's one network (<see cref="SimNetwork"/>): what becomes of a
/// message between its sending and its delivery. Every world uses a preset of it: the explorer's
/// <see cref="Adversarial"/> and <see cref="Timed"/> modes, the 6.824 tester's <see cref="Labrpc"/>,
/// and the liveness phase's <see cref="Unstable"/> then <see cref="Stable"/> network (as
/// TigerBeetle's simulator switches its one packet simulator to benign settings for liveness).
/// Delays are virtual milliseconds and probabilities per thousand, drawn from the world's
/// network seed stream. The fault model is labrpc's (6.824 labrpc.go) plus duplication.
/// </summary>
public sealed record NetworkOptions
{
    /// <summary>Reliable: no delay and no loss. Otherwise requests wait 0 to UnreliableMaxDelayMs−1 ms and requests and replies are dropped at their rates (labrpc: 0–26 ms, 10%, 10%).</summary>
    public bool Reliable { get; set; } = true;

    /// <summary>Long reordering: a share of replies (labrpc: 2/3) arrives 200–2199 ms late.</summary>
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

    /// <summary>
    /// Timed mode: every message is delivered within this many ms of its sending (the strategy
    /// orders deliveries within the bound); <see cref="long.MaxValue"/> for no bound.
    /// </summary>
    public long DeliveryBoundMs { get; init; } = long.MaxValue;

    /// <summary>Whether to keep labrpc's RPC counts and byte totals (the tester's thresholds read them; the explorer does not need them).</summary>
    public bool Accounting { get; init; } = true;

    /// <summary>The explorer's adversarial mode: the network adds nothing; the strategy chooses every delivery, drop and duplicate.</summary>
    public static NetworkOptions Adversarial() => new() { Reliable = true, Accounting = false };

    /// <summary>The explorer's timed mode: the strategy orders deliveries, each within <paramref name="maxDelayMs"/> of its sending.</summary>
    public static NetworkOptions Timed(int maxDelayMs) => new() { Reliable = true, Accounting = false, DeliveryBoundMs = maxDelayMs };

    /// <summary>The 6.824 tester's network (make_config and its setunreliable/setlongreordering calls).</summary>
    public static NetworkOptions Labrpc(bool reliable, bool longReordering = false, int duplicatePerThousand = 0) =>
        new() { Reliable = reliable, LongReordering = longReordering, DuplicatePerThousand = duplicatePerThousand, LabrpcDelivery = true };

    /// <summary>
    /// The liveness phase before it stabilises: the adversary may still delay requests by up to
    /// <paramref name="requestDelayMs"/>−1 ms, drop requests and replies, and hold replies back
    /// 200–2199 ms, never beyond labrpc's own rates.
    /// </summary>
    public static NetworkOptions Unstable(int requestDelayMs, int dropPerThousand, int reorderPerThousand) => new()
    {
        Reliable = false,
        UnreliableMaxDelayMs = Math.Max(1, requestDelayMs),
        RequestDropPerThousand = dropPerThousand,
        ReplyDropPerThousand = dropPerThousand,
        LongReordering = reorderPerThousand > 0,
        LongReorderPerThousand = reorderPerThousand,
        LabrpcDelivery = true,
        Accounting = false,
    };

    /// <summary>
    /// The liveness phase once stable: nothing is lost and every request arrives within
    /// <paramref name="maxDelayMs"/> ms, far below the election timeout (the paper's
    /// broadcastTime ≪ electionTimeout, §5.6); replies are not delayed, as in labrpc.
    /// </summary>
    public static NetworkOptions Stable(int maxDelayMs) => new()
    {
        Reliable = false,
        UnreliableMaxDelayMs = maxDelayMs + 1,
        RequestDropPerThousand = 0,
        ReplyDropPerThousand = 0,
        LongReordering = false,
        LabrpcDelivery = true,
        Accounting = false,
    };
}
