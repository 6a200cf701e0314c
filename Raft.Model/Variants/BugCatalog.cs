using Raft.Core.Node;
using Raft.Core.Rules;
using Raft.Model.Invariants;
using Raft.Model.Simulation;
using Raft.Model.Contract;

namespace Raft.Model.Variants;

/// <summary>A deliberately broken variant of the core, for testing the tester.</summary>
public sealed record BugVariant(string Name, string Description, Invariant Breaks, NodeFactory Factory)
{
    /// <summary>The variant breaks the key-value service (World.Clients.cs), not the core: its schedules always have clients, on the correct core.</summary>
    public bool BreaksService { get; init; }

    /// <summary>The variant breaks reads outside the log: its schedules always have clients that read with ReadIndex (and leases, for <see cref="ReadsNeeded.Lease"/>).</summary>
    public ReadsNeeded Reads { get; init; }

    /// <summary>Whether only clients can show what the variant breaks.</summary>
    public bool NeedsClients => BreaksService || Reads != ReadsNeeded.None;
}

/// <summary>What reads a variant's schedules need.</summary>
public enum ReadsNeeded : byte { None, ReadIndex, Lease }

/// <summary>The catalog of broken variants that <c>--bug NAME</c> selects.</summary>
public static class BugCatalog
{
    /// <summary>A factory building <see cref="RaftNode{TRules}"/> with the rule set <typeparamref name="TRules"/> (see Raft.Model/Variants), behind the node contract.</summary>
    public static NodeFactory With<TRules>() where TRules : struct, IRaftRules => Nodes.CoreNodes.With<TRules>();

    public static IReadOnlyList<BugVariant> All { get; } =
    [
        new("vote-without-log-check", "grants RequestVote without the §5.4.1 up-to-date check on the candidate's log",
            Invariant.LeaderCompleteness, With<VoteWithoutLogCheck>()),
        new("commit-previous-term", "a leader commits entries of earlier terms by counting replicas (Figure 8)",
            Invariant.LeaderCompleteness, With<CommitPreviousTerm>()),
        new("vote-not-durable", "replies to RequestVote before the vote is durable, so a restarted node can vote twice in a term",
            Invariant.LeaderHasDurableVotes, With<VoteNotDurable>()),
        new("truncate-without-conflict", "a follower deletes every entry after prevLogIndex on AppendEntries, even without a conflict",
            Invariant.Liveness, With<TruncateWithoutConflict>()),
        new("term-not-durable", "currentTerm is not made durable when it changes, so a restart goes back to an older term",
            Invariant.LeaderHasDurableVotes, With<TermNotDurable>()),
        new("voted-for-ignored", "votedFor is ignored, so a node can vote for two candidates in one term",
            Invariant.ElectionSafety, With<VotedForIgnored>()),
        new("stale-reply-applied", "a leader applies an AppendEntries reply to its progress as if it answered the latest request (matchIndex = nextIndex-1)",
            Invariant.CommittedDurablyOnMajority, With<StaleReplyApplied>()),
        new("older-snapshot-installed", "InstallSnapshot older than the commit index is installed, moving service state backwards",
            Invariant.ServiceApply, With<OlderSnapshotInstalled>()),
        new("append-ack-before-durable", "AppendEntries is acknowledged before the entries are durable",
            Invariant.CommittedDurablyOnMajority, With<AppendAckBeforeDurable>()),
        new("lower-term-append-accepted", "AppendEntries with a lower term is accepted instead of rejected",
            Invariant.LeaderCompleteness, With<LowerTermAppendAccepted>()),
        new("quorum-off-by-one", "a majority is taken to be n/2 rather than n/2+1, for votes and for commitment",
            Invariant.LeaderHasDurableVotes, With<QuorumOffByOne>()),
        new("stale-votes-counted", "a candidate counts vote replies granted in an earlier term",
            Invariant.LeaderHasDurableVotes, With<StaleVotesCounted>()),
        new("forgets-snapshot-on-restart", "a restarted node reads its raft state but not its snapshot, so its next write erases the durable snapshot (Go's Save(state, nil))",
            Invariant.CoreError, ForgetsSnapshotOnRestart.Factory),
        new("timer-reset-on-step-down", "stepping down to a higher term restarts the election timer, so losing candidates keep silencing the node that could win (a livelock)",
            Invariant.Liveness, With<TimerResetOnStepDown>()),
    ];

    /// <summary>The correct core, as a factory of its own: a service variant is told apart by its factory (the lab's --variant), never by the correct core's. Declared before the lists, which read it.</summary>
    private static readonly NodeFactory CorrectCoreForAService = static (id, n, seed, options, state) => Nodes.CoreNodes.Standard(id, n, seed, options, state);

    /// <summary>
    /// Broken variants only clients can show: of the key-value service (World.Clients.cs), or of the
    /// core's reads outside the log (ReadIndex, leases). Selected
    /// with <c>--bug NAME</c> and listed by <c>raftverify bugs</c> like those in <see cref="All"/>, which
    /// is the list the trace corpus (traces/, docs/bugs.md) and the Coyote engine's tests cover. They are
    /// not in it yet: their corpus trace must first be shrunk to at most 30 fault steps and the corpus
    /// rebuilt (scripts/build-corpus.sh), and the Coyote harness drives no clients.
    /// </summary>
    public static IReadOnlyList<BugVariant> Services { get; } =
    [
        new("duplicate-detection-missing", "the key-value service applies a retried Put or Append again instead of answering it from its duplicate table: client id and sequence number ignored",
            Invariant.Linearizability, CorrectCoreForAService) { BreaksService = true },
        new("read-without-leadership-check", "a leader serves a ReadIndex read at once, without the round of heartbeats that confirms it is still leader (thesis §6.4 step 3)",
            Invariant.Linearizability, With<ReadWithoutLeadershipCheck>()) { Reads = ReadsNeeded.ReadIndex },
        new("read-before-term-commit", "a new leader serves reads before an entry of its term is committed, at a commit index that may lag its predecessor's (thesis §6.4 step 1)",
            Invariant.Linearizability, With<ReadBeforeTermCommit>()) { Reads = ReadsNeeded.ReadIndex },
        new("lease-ignores-drift", "a leader's read lease lasts a whole election timeout by its own clock, ignoring how far other clocks may drift (thesis §6.4.1)",
            Invariant.Linearizability, With<LeaseIgnoresDrift>()) { Reads = ReadsNeeded.Lease },
    ];

    /// <summary>Every variant <c>raftverify bugs</c> lists: <see cref="All"/>, then <see cref="Services"/>.</summary>
    public static IReadOnlyList<BugVariant> Listed { get; } = [.. All, .. Services];

    /// <summary>
    /// Broken variants that exist but are not (yet) in <see cref="All"/>: selectable by name
    /// through <see cref="FactoryFor"/> like any other. To put one in the catalog, move its entry
    /// into <see cref="All"/> (and add its trace to traces/).
    /// </summary>
    public static IReadOnlyList<BugVariant> Uncatalogued { get; } =
    [
        new("commit-beyond-last-new-entry", "a follower advances its commit index to leaderCommit bounded by its last index, not by the last new entry",
            Invariant.StateMachineSafety, With<CommitBeyondLastNewEntry>()),
    ];

    /// <summary>The variant called <paramref name="name"/>, in the catalog or not, or null.</summary>
    public static BugVariant? Find(string name) =>
        All.FirstOrDefault(b => b.Name == name) ?? Services.FirstOrDefault(b => b.Name == name) ?? Uncatalogued.FirstOrDefault(b => b.Name == name);

    public static bool IsKnown(string name) => name == "none" || Find(name) is not null;

    /// <summary>The factory for <paramref name="name"/>, or null for the correct core ("none").</summary>
    public static NodeFactory? FactoryFor(string name) =>
        name == "none" ? null : (Find(name) ?? throw new ArgumentException($"unknown bug '{name}'")).Factory;
}
