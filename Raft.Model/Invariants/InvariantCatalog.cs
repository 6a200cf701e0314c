namespace Raft.Model.Invariants;

/// <summary>When the explorer checks an invariant.</summary>
public enum CheckedWhen
{
    /// <summary>After every event of a schedule, fault phase and liveness phase alike.</summary>
    EveryStep,
    /// <summary>Once per schedule with key-value clients, on their history, at the end of the fault phase.</summary>
    ClientHistory,
    /// <summary>In the liveness phase, after every fault has been healed.</summary>
    AfterTheHeal,
}

/// <summary>One invariant as a user reads about it: its name, when it is checked, and what it says.</summary>
public sealed record InvariantInfo(Invariant Invariant, CheckedWhen When, string Meaning)
{
    public string Name => Invariant.ToString();
}

/// <summary>
/// What each <see cref="Invariant"/> says, in one line, and when the explorer checks it: the
/// explore summary lists the invariants it checked from this, and <c>explore --legend</c> explains them.
/// </summary>
public static class InvariantCatalog
{
    /// <summary>Every invariant, in the enum's order.</summary>
    public static IReadOnlyList<InvariantInfo> All { get; } = Enum.GetValues<Invariant>().Select(Info).ToList();

    public static InvariantInfo Info(Invariant invariant) => invariant switch
    {
        Invariant.ElectionSafety => new(invariant, CheckedWhen.EveryStep, "at most one leader is elected in a term, over the whole history (Raft §5.2)"),
        Invariant.LeaderAppendOnly => new(invariant, CheckedWhen.EveryStep, "a leader never overwrites or deletes entries in its log, it only appends (§5.3)"),
        Invariant.LogMatching => new(invariant, CheckedWhen.EveryStep, "two entries with the same index and term hold the same command, and so do the entries before them (§5.3)"),
        Invariant.LeaderCompleteness => new(invariant, CheckedWhen.EveryStep, "an entry committed in a term is in the log of every leader of a later term (§5.4)"),
        Invariant.StateMachineSafety => new(invariant, CheckedWhen.EveryStep, "no two nodes commit or apply different entries at the same index (§5.4.3)"),
        Invariant.TermMonotonic => new(invariant, CheckedWhen.EveryStep, "a node's current term never decreases, across crashes too (it is persistent state)"),
        Invariant.CommitMonotonic => new(invariant, CheckedWhen.EveryStep, "a node's commit index never decreases while it runs"),
        Invariant.AppliedWithinCommitted => new(invariant, CheckedWhen.EveryStep, "no node applies an entry beyond its commit index"),
        Invariant.ServiceApply => new(invariant, CheckedWhen.EveryStep, "the service is handed entries and snapshots in order, each once, as they were committed"),
        Invariant.CoreError => new(invariant, CheckedWhen.EveryStep, "the node (or the world, on the node's output) never throws"),
        Invariant.Liveness => new(invariant, CheckedWhen.AfterTheHeal, "once every fault is healed and the network stabilises, a leader emerges and one() commits a fresh command on every node within the bound"),
        Invariant.CommittedDurablyOnMajority => new(invariant, CheckedWhen.EveryStep, "when a node first treats an entry as committed, a majority of the disks hold it durably"),
        Invariant.LeaderHasDurableVotes => new(invariant, CheckedWhen.EveryStep, "when a leader first shows its leadership, a majority of the disks have durably recorded a vote for it in its term"),
        Invariant.DurableLogContiguous => new(invariant, CheckedWhen.EveryStep, "a write extends a node's durable log without a hole"),
        Invariant.Linearizability => new(invariant, CheckedWhen.ClientHistory, "the key-value clients' history of requests and answers is linearizable (an undecided history is not a violation)"),
        _ => throw new ArgumentOutOfRangeException(nameof(invariant), invariant, null),
    };
}
