using System.Globalization;

namespace Raft.Model.Invariants;

/// <summary>The properties checked after every event (Raft paper Figure 3, plus sanity rules).</summary>
public enum Invariant
{
    /// <summary>At most one leader can be elected in a given term (§5.2), over the whole history.</summary>
    ElectionSafety,
    /// <summary>A leader never overwrites or deletes entries in its log; it only appends (§5.3).</summary>
    LeaderAppendOnly,
    /// <summary>Two entries with the same index and term hold the same command and identical preceding logs (§5.3).</summary>
    LogMatching,
    /// <summary>An entry committed in a term is present in the logs of the leaders of all higher terms (§5.4).</summary>
    LeaderCompleteness,
    /// <summary>No two servers commit or apply different entries at the same index (§5.4.3).</summary>
    StateMachineSafety,
    /// <summary>A node's currentTerm never decreases, even across crashes (it is persistent state). With asynchronous
    /// Ready handling a crash may take it back to the term its disk holds: a term not yet written was never revealed.</summary>
    TermMonotonic,
    /// <summary>A node's commitIndex never decreases while it runs.</summary>
    CommitMonotonic,
    /// <summary>lastApplied ≤ commitIndex on every node.</summary>
    AppliedWithinCommitted,
    /// <summary>The service (the lab's applier) saw an inconsistent apply: mismatch, gap, duplicate, bad snapshot.</summary>
    ServiceApply,
    /// <summary>The core (or the world, on the core's output) threw: a broken core can fail this way before any invariant does.</summary>
    CoreError,
    /// <summary>After every fault was healed, no leader emerged, or a command did not reach every node, within the bound.</summary>
    Liveness,
    /// <summary>When a node first treats an entry as committed, a majority of the cluster's disks hold it
    /// durably (that index with that term, or a durable snapshot covering it): decided from the disks, never
    /// from a node's matchIndex.</summary>
    CommittedDurablyOnMajority,
    /// <summary>When a leader of term T first makes its leadership visible (its first Ready in office is
    /// persisted), a majority of the disks have durably recorded a vote for it in T.</summary>
    LeaderHasDurableVotes,
    /// <summary>A Ready's write extends the node's durable log without a hole: it starts at most one past the
    /// last entry the disk holds (or its new snapshot). A write past a hole means the node took entries it never
    /// wrote for durable (an Advance that acknowledged more than its Ready carried).</summary>
    DurableLogContiguous,
    /// <summary>The key-value clients' history (invocations and answers, World.Clients.cs) is linearizable: checked
    /// by <see cref="Histories.LinearizabilityChecker"/> at the end of the fault phase. An undecided (Unknown) verdict is not a violation.</summary>
    Linearizability,
}

/// <summary>A broken invariant: which one, the nodes involved, the log position and the step (from 0) at which it broke.</summary>
public sealed record Violation(Invariant Invariant, int[] Nodes, long Index, long Term, long Step, string Detail)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Invariant} violated at step {Step}: {Detail}{Where}");

    /// <summary>" (nodes …; index …; term …)", each node once, or nothing for a violation that names no node and no log position (a client history's).</summary>
    public string Where => Nodes.Length == 0 && Index == 0 && Term == 0 ? ""
        : string.Create(CultureInfo.InvariantCulture, $" (nodes {string.Join(",", Nodes.Distinct().Select(n => n.ToString(CultureInfo.InvariantCulture)))}; index {Index}; term {Term})");
}
