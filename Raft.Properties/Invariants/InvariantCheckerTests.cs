using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;
using Raft.Model.Invariants;
using Raft.Model.Services;

namespace Raft.Properties.Invariants;

/// <summary>Specifications of <see cref="InvariantChecker"/>: for each invariant, a hand-built violating
/// history is caught (with the right nodes, position and event) and the closest legal history is not.
/// Histories are fed the way the world does: ObserveCommit and ObservePersist for a Ready before it is
/// persisted and applied, Observe after each event, ObserveApply per applied entry, ObserveCrash when a node dies.</summary>
public sealed class InvariantCheckerTests
{
    private readonly InvariantChecker _checker = new(4); // xunit builds a fresh instance per test

    /// <summary>The command of the entry at (index, term): entries agree exactly when index and term do.
    /// Every call allocates a new array, so equality is by content, never by reference.</summary>
    private static byte[] Cmd(long index, long term) => Commands.Int(index * 1000 + term);

    private static Entry E(long index, long term) => new(term, Cmd(index, term));

    /// <summary>A log holding entries 1..n of the given terms, with the canonical commands.</summary>
    private static ViewLog LogOf(params long[] terms) =>
        new(0, 0, terms.Select((t, k) => E(k + 1, t)).ToArray());

    /// <summary>Observes a node after an event; its commit index is the log's unless given.</summary>
    private void See(int node, long term, Role role, ViewLog log, long? commit = null, long applied = 0)
    {
        (log.Id, log.Term, log.Role, log.ShownCommit, log.Applied) = (node, term, role, commit, applied);
        _checker.Observe(node, log);
    }

    /// <summary>Hands the checker a Ready for the log's writes from <paramref name="from"/> (default: its dirty
    /// suffix, as the node builds it), then marks the log stable as the world does after persisting.</summary>
    private void Persist(int node, ViewLog log, Role role, long term, long from = 0)
    {
        if (from == 0) from = log.DirtyFrom;
        var ready = new Ready { PersistFrom = from, EntriesToPersist = log.Segment(from, log.LastIndex) };
        (log.Id, log.Term, log.Role, log.ShownCommit) = (node, term, role, null);
        _checker.ObservePersist(node, ready, log);
        log.MarkStable();
    }

    private static ViewLog Committed(ViewLog log, long index) { log.CommitTo(index); return log; }

    private void AssertViolation(Invariant invariant, int[] nodes, long index, long term, long ev)
    {
        Violation v = Assert.IsType<Violation>(_checker.Violation);
        Assert.Equal((invariant, index, term, ev), (v.Invariant, v.Index, v.Term, v.Step));
        Assert.Equal(nodes, v.Nodes);
    }

    // ---- ElectionSafety ----
    [Fact]
    public void ElectionSafety_FiresWhenTwoNodesLeadTheSameTerm()
    {
        _checker.Step = 1; See(0, 2, Role.Leader, LogOf(1));
        _checker.Step = 2; See(2, 2, Role.Candidate, LogOf(1));
        Assert.Null(_checker.Violation);
        _checker.Step = 3; See(2, 2, Role.Leader, LogOf(1));
        AssertViolation(Invariant.ElectionSafety, [0, 2], 0, 2, 3);
    }

    [Fact]
    public void ElectionSafety_FiresEvenAfterTheFirstLeaderOfTheTermHasSteppedDown()
    {
        _checker.Step = 1; See(0, 2, Role.Leader, LogOf(1));
        _checker.Step = 2; See(0, 3, Role.Follower, LogOf(1));
        _checker.Step = 3; _checker.ObserveCrash(0);
        _checker.Step = 4; See(1, 2, Role.Leader, LogOf(1));
        AssertViolation(Invariant.ElectionSafety, [0, 1], 0, 2, 4);
    }

    [Fact]
    public void ElectionSafety_QuietWhenLeadersHaveDifferentTerms()
    {
        ViewLog log0 = LogOf(1);
        _checker.Step = 1; See(0, 2, Role.Leader, log0);
        _checker.Step = 2; See(1, 3, Role.Leader, LogOf(1));
        _checker.Step = 3; See(0, 2, Role.Leader, log0); // the deposed leader has not heard of term 3 yet
        _checker.Step = 4; See(0, 4, Role.Leader, log0);
        Assert.Null(_checker.Violation);
        Assert.Equal(3, _checker.LeadersElected);
    }

    // ---- LeaderAppendOnly: the in-memory log (Observe) ----
    [Fact]
    public void LeaderAppendOnly_FiresWhenALeaderDeletesEntriesFromItsLog()
    {
        ViewLog log = LogOf(1, 2, 2);
        _checker.Step = 1; See(0, 2, Role.Leader, log);
        Assert.True(log.MaybeAppend(1, 1, [E(2, 3)], 0, out _)); // truncates 2..3 while still leading term 2
        _checker.Step = 2; See(0, 2, Role.Leader, log);
        AssertViolation(Invariant.LeaderAppendOnly, [0], 3, 2, 2);
    }

    [Fact]
    public void LeaderAppendOnly_FiresWhenALeaderOverwritesItsLastEntryWithinTheSameTerm()
    {
        _checker.Step = 1; See(0, 2, Role.Leader, LogOf(1, 2));
        var rewritten = new ViewLog(0, 0, [E(1, 1), new Entry(2, Commands.Int(-7))]);
        _checker.Step = 2; See(0, 2, Role.Leader, rewritten);
        AssertViolation(Invariant.LeaderAppendOnly, [0], 2, 2, 2);
    }

    [Fact]
    public void LeaderAppendOnly_QuietWhenALeaderAppendsAndAFormerLeaderTruncatesUnderALaterTerm()
    {
        ViewLog log = LogOf(1, 2);
        _checker.Step = 1; See(0, 2, Role.Leader, log);
        log.Append(E(3, 2));
        _checker.Step = 2; See(0, 2, Role.Leader, log);
        Assert.True(log.MaybeAppend(1, 1, [E(2, 3)], 0, out _)); // deposed: the term-3 leader's log wins
        _checker.Step = 3; See(0, 3, Role.Follower, log);
        log.Append(E(3, 4));
        _checker.Step = 4; See(0, 4, Role.Leader, log);
        Assert.Null(_checker.Violation);
    }

    // ---- LeaderAppendOnly: the durable log (ObservePersist) ----
    [Fact]
    public void LeaderAppendOnly_FiresWhenALeaderRewritesItsDurableLog()
    {
        ViewLog log = LogOf(1, 2, 2);
        _checker.Step = 1; See(0, 2, Role.Leader, log);
        _checker.Step = 2; Persist(0, log, Role.Leader, 2, from: 2);
        AssertViolation(Invariant.LeaderAppendOnly, [0], 2, 2, 2);
    }

    [Fact]
    public void LeaderAppendOnly_QuietWhenALeaderPersistsOnlyNewEntriesAndADeposedLeaderTruncates()
    {
        ViewLog log = LogOf(1);
        log.Append(E(2, 2)); // elected in term 2: its first entry is persisted before it is first observed leading
        _checker.Step = 1; Persist(0, log, Role.Leader, 2); See(0, 2, Role.Leader, log);
        log.Append(E(3, 2));
        _checker.Step = 2; Persist(0, log, Role.Leader, 2); See(0, 2, Role.Leader, log);
        Assert.True(log.MaybeAppend(1, 1, [E(2, 3)], 0, out _)); // steps down to term 3 and truncates
        _checker.Step = 3; Persist(0, log, Role.Follower, 3); See(0, 3, Role.Follower, log);
        Assert.Null(_checker.Violation);
    }

    // ---- LogMatching (durable writes) ----
    [Fact]
    public void LogMatching_FiresWhenTwoNodesHoldDifferentCommandsAtTheSameIndexAndTerm()
    {
        _checker.Step = 1; Persist(0, LogOf(1, 2), Role.Leader, 2, from: 1);
        var other = new ViewLog(0, 0, [E(1, 1), new Entry(2, Commands.Int(-7))]);
        _checker.Step = 2; Persist(1, other, Role.Follower, 2, from: 1);
        AssertViolation(Invariant.LogMatching, [0, 1], 2, 2, 2);
    }

    [Fact]
    public void LogMatching_FiresWhenTwoNodesAgreeOnAnEntryButNotOnThePreviousTerm()
    {
        _checker.Step = 1; Persist(0, LogOf(1, 2), Role.Leader, 2, from: 1);
        // node 1 holds the very same entry 2 (term 2), but after a snapshot ending at 1 with term 2
        var other = new ViewLog(1, 2, [E(2, 2)]);
        _checker.Step = 2; Persist(1, other, Role.Follower, 2, from: 2);
        AssertViolation(Invariant.LogMatching, [0, 1], 2, 2, 2);
    }

    [Fact]
    public void LogMatching_TwoNodes_AreNamedAsTwo()
    {
        _checker.Step = 1; Persist(0, LogOf(1, 2), Role.Leader, 2, from: 1);
        _checker.Step = 2; Persist(1, new ViewLog(1, 2, [E(2, 2)]), Role.Follower, 2, from: 2);
        Violation v = Assert.IsType<Violation>(_checker.Violation);
        Assert.Equal("nodes 0 and 1 agree on entry 2 (term 2) but not on entry 1 (terms 1 and 2)", v.Detail);
        Assert.Equal(" (nodes 0,1; index 2; term 2)", v.Where);
    }

    [Fact]
    public void LogMatching_OneNodeThatChangedItsOwnLog_IsNamedOnce()
    {
        // node 2 first holds entry 2 (term 2) after an entry 1 of term 1, then the same entry after a snapshot ending at 1 in term 2
        _checker.Step = 1; Persist(2, LogOf(1, 2), Role.Follower, 2, from: 1);
        _checker.Step = 2; Persist(2, new ViewLog(1, 2, [E(2, 2)]), Role.Follower, 2, from: 2);
        AssertViolation(Invariant.LogMatching, [2, 2], 2, 2, 2);
        Violation v = _checker.Violation!;
        Assert.Equal("node 2 holds entry 2 (term 2) after an entry 1 of term 2, but held the same entry after an entry 1 of term 1 before", v.Detail);
        Assert.Equal(" (nodes 2; index 2; term 2)", v.Where);
        Assert.DoesNotContain("nodes 2 and 2", v.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LogMatching_OneNodeWithAnotherCommandAtTheSameIndexAndTerm_IsNamedOnce()
    {
        _checker.Step = 1; Persist(1, LogOf(1, 2), Role.Follower, 2, from: 1);
        _checker.Step = 2; Persist(1, new ViewLog(0, 0, [E(1, 1), new Entry(2, Commands.Int(-7))]), Role.Follower, 2, from: 2);
        AssertViolation(Invariant.LogMatching, [1, 1], 2, 2, 2);
        Assert.Equal("node 1 holds a different command at index 2 in term 2 than it held there before", _checker.Violation!.Detail);
    }

    [Fact]
    public void LogMatching_QuietWhenAFollowerTruncatesAConflictingUncommittedSuffix()
    {
        _checker.Step = 1; Persist(0, LogOf(1, 2, 2), Role.Leader, 2, from: 1);
        ViewLog follower = LogOf(1);
        Assert.True(follower.MaybeAppend(1, 1, [E(2, 2), E(3, 2)], 0, out _));
        _checker.Step = 2; Persist(1, follower, Role.Follower, 2);
        ViewLog leader3 = LogOf(1);
        leader3.Append(E(2, 3));
        _checker.Step = 3; Persist(2, leader3, Role.Leader, 3, from: 2);
        Assert.True(follower.MaybeAppend(1, 1, [E(2, 3)], 0, out _)); // conflict at 2: drop 2..3, take (2, t3)
        _checker.Step = 4; Persist(1, follower, Role.Follower, 3);
        Assert.Equal(2, follower.LastIndex);
        // a node behind a snapshot persists the same entry with the same predecessor term
        _checker.Step = 5; Persist(0, new ViewLog(1, 1, [E(2, 3)]), Role.Follower, 3, from: 2);
        Assert.Null(_checker.Violation);
    }

    // ---- LeaderCompleteness ----
    [Fact]
    public void LeaderCompleteness_FiresWhenANewLeaderLacksAnEntryCommittedInAnEarlierTerm()
    {
        _checker.Step = 1; See(0, 2, Role.Leader, Committed(LogOf(1, 2), 2));
        _checker.Step = 2; See(1, 3, Role.Leader, LogOf(1, 1));
        AssertViolation(Invariant.LeaderCompleteness, [1, 0], 2, 2, 2);
    }

    [Fact]
    public void LeaderCompleteness_QuietWhenANewLeaderHoldsEveryEarlierCommittedEntryEvenBehindASnapshot()
    {
        _checker.Step = 1; See(0, 2, Role.Leader, Committed(LogOf(1, 2, 2), 3));
        _checker.Step = 2; See(1, 3, Role.Leader, LogOf(1, 2, 2));
        _checker.Step = 3; See(2, 4, Role.Leader, new ViewLog(2, 2, [E(3, 2)]));
        Assert.Null(_checker.Violation);
    }

    [Fact]
    public void LeaderCompleteness_QuietWhenALateElectedLeaderOfAStaleTermLacksAnEntryCommittedInALaterTerm()
    {
        _checker.Step = 1; See(1, 3, Role.Leader, Committed(LogOf(1, 3), 2));
        _checker.Step = 2; See(0, 2, Role.Leader, LogOf(1, 2)); // votes of term 2 arrived late
        ViewLog follower = Committed(LogOf(1, 3, 3), 3);
        _checker.Step = 3; See(2, 3, Role.Follower, follower); // committed in term 3 while that stale leader is in office
        Assert.Null(_checker.Violation);
    }

    [Fact]
    public void LeaderCompleteness_FiresWhenAnEntryIsCommittedBelowTheTermOfALeaderInOfficeThatLacksIt()
    {
        _checker.Step = 1; See(2, 3, Role.Leader, LogOf(1));
        _checker.Step = 2; See(0, 2, Role.Follower, Committed(LogOf(1, 2), 2)); // learned from the term-2 leader
        AssertViolation(Invariant.LeaderCompleteness, [2, 0], 2, 2, 2);
    }

    [Fact]
    public void LeaderCompleteness_QuietWhenAnEntryIsCommittedBelowTheTermOfLeadersThatHoldItOrCompactedIt()
    {
        _checker.Step = 1; See(2, 3, Role.Leader, LogOf(1, 2, 3));
        _checker.Step = 2; See(3, 4, Role.Leader, new ViewLog(2, 2, [E(3, 3)]));
        _checker.Step = 3; See(0, 2, Role.Follower, Committed(LogOf(1, 2), 2));
        Assert.Null(_checker.Violation);
        Assert.Equal(2, _checker.MaxCommitted);
    }

    // ---- StateMachineSafety ----
    [Fact]
    public void StateMachineSafety_FiresWhenTwoNodesCommitEntriesOfDifferentTermsAtTheSameIndex()
    {
        _checker.Step = 1; See(0, 2, Role.Follower, Committed(LogOf(1, 2), 2));
        _checker.Step = 2; See(1, 3, Role.Follower, Committed(LogOf(1, 3), 1));
        Assert.Null(_checker.Violation);
        _checker.Step = 3; See(1, 3, Role.Follower, Committed(LogOf(1, 3), 2));
        AssertViolation(Invariant.StateMachineSafety, [0, 1], 2, 3, 3);
    }

    [Fact]
    public void StateMachineSafety_FiresWhenTwoNodesCommitDifferentCommandsAtTheSameIndexAndTerm()
    {
        _checker.Step = 1; See(0, 2, Role.Follower, Committed(LogOf(1, 2), 2));
        var other = Committed(new ViewLog(0, 0, [E(1, 1), new Entry(2, Commands.Int(-7))]), 2);
        _checker.Step = 2; See(2, 2, Role.Follower, other);
        AssertViolation(Invariant.StateMachineSafety, [0, 2], 2, 2, 2);
    }

    [Fact]
    public void StateMachineSafety_QuietWhenNodesCommitTheSamePrefixWhateverTheirUncommittedSuffix()
    {
        ViewLog a = LogOf(1, 2, 3);
        _checker.Step = 1; See(0, 3, Role.Leader, Committed(a, 1));
        _checker.Step = 2; See(0, 3, Role.Leader, Committed(a, 3));
        _checker.Step = 3; See(1, 3, Role.Follower, Committed(LogOf(1, 2, 2), 2)); // its entry 3 is not committed
        _checker.Step = 4; See(2, 3, Role.Follower, Committed(new ViewLog(1, 1, [E(2, 2), E(3, 3)]), 3));
        Assert.Null(_checker.Violation);
        Assert.Equal(3, _checker.MaxCommitted);
    }

    [Fact]
    public void StateMachineSafety_FiresWhenTwoNodesApplyDifferentCommandsAtTheSameIndex()
    {
        _checker.Step = 1; _checker.ObserveApply(0, 1, Cmd(1, 1)); _checker.ObserveApply(0, 2, Cmd(2, 1));
        _checker.Step = 2; _checker.ObserveApply(2, 1, Cmd(1, 1));
        Assert.Null(_checker.Violation);
        _checker.Step = 3; _checker.ObserveApply(2, 2, Cmd(2, 2));
        AssertViolation(Invariant.StateMachineSafety, [0, 2], 2, 0, 3);
    }

    [Fact]
    public void StateMachineSafety_QuietWhenNodesApplyTheSameCommandsIncludingAfterARestart()
    {
        _checker.Step = 1; _checker.ObserveApply(0, 1, Cmd(1, 1)); _checker.ObserveApply(0, 2, Cmd(2, 1));
        _checker.Step = 2; _checker.ObserveApply(1, 2, Cmd(2, 1)); // after installing a snapshot ending at 1
        _checker.Step = 3; _checker.ObserveCrash(0);
        _checker.Step = 4; _checker.ObserveApply(0, 1, Cmd(1, 1)); _checker.ObserveApply(0, 2, Cmd(2, 1)); _checker.ObserveApply(0, 3, Cmd(3, 2));
        Assert.Null(_checker.Violation);
    }

    // ---- TermMonotonic ----
    [Fact]
    public void TermMonotonic_FiresWhenARunningNodesTermDecreases()
    {
        _checker.Step = 1; See(1, 3, Role.Follower, LogOf(1));
        _checker.Step = 2; See(1, 2, Role.Follower, LogOf(1));
        AssertViolation(Invariant.TermMonotonic, [1], 0, 2, 2);
    }

    [Fact]
    public void TermMonotonic_FiresWhenANodeRestartsWithAnOlderTerm()
    {
        _checker.Step = 1; See(1, 3, Role.Candidate, LogOf(1));
        _checker.Step = 2; _checker.ObserveCrash(1);
        _checker.Step = 3; See(1, 2, Role.Follower, LogOf(1));
        AssertViolation(Invariant.TermMonotonic, [1], 0, 2, 3);
    }

    [Fact]
    public void TermMonotonic_QuietWhenTermsRiseAndARestartedNodeKeepsItsTerm()
    {
        _checker.Step = 1; See(1, 2, Role.Follower, LogOf(1));
        _checker.Step = 2; See(1, 3, Role.Candidate, LogOf(1));
        _checker.Step = 3; _checker.ObserveCrash(1);
        _checker.Step = 4; See(1, 3, Role.Follower, LogOf(1));
        _checker.Step = 5; See(1, 4, Role.Candidate, LogOf(1));
        Assert.Null(_checker.Violation);
    }

    // ---- CommitMonotonic ----
    [Fact]
    public void CommitMonotonic_FiresWhenARunningNodesCommitIndexDecreases()
    {
        ViewLog log = Committed(LogOf(1, 1, 1), 3);
        _checker.Step = 1; See(2, 1, Role.Follower, log);
        _checker.Step = 2; See(2, 1, Role.Follower, log, commit: 1);
        AssertViolation(Invariant.CommitMonotonic, [2], 1, 1, 2);
    }

    [Fact]
    public void CommitMonotonic_QuietWhenTheCommitIndexRestartsFromTheSnapshotAfterACrash()
    {
        _checker.Step = 1; See(2, 1, Role.Follower, Committed(LogOf(1, 1, 1), 3), applied: 3);
        _checker.Step = 2; _checker.ObserveCrash(2);
        ViewLog reloaded = new(2, 1, [E(3, 1)]); // commit index restarts at the snapshot
        _checker.Step = 3; See(2, 1, Role.Follower, reloaded, applied: 2);
        _checker.Step = 4; See(2, 1, Role.Follower, Committed(reloaded, 3), applied: 3);
        _checker.Step = 5; _checker.ObserveCrash(2);
        _checker.Step = 6; See(2, 1, Role.Follower, LogOf(1, 1, 1)); // no snapshot: back to 0
        Assert.Null(_checker.Violation);
    }

    // ---- AppliedWithinCommitted ----
    [Fact]
    public void AppliedWithinCommitted_FiresWhenANodeAppliesBeyondItsCommitIndex()
    {
        ViewLog log = Committed(LogOf(1, 1, 2), 1);
        _checker.Step = 1; See(0, 2, Role.Follower, log, applied: 1);
        _checker.Step = 2; See(0, 2, Role.Follower, log, applied: 2);
        AssertViolation(Invariant.AppliedWithinCommitted, [0], 2, 2, 2);
    }

    [Fact]
    public void AppliedWithinCommitted_QuietWhileAppliedTrailsOrEqualsTheCommitIndex()
    {
        ViewLog log = Committed(LogOf(1, 1, 2), 2);
        _checker.Step = 1; See(0, 2, Role.Follower, log, applied: 0);
        _checker.Step = 2; See(0, 2, Role.Follower, log, applied: 2);
        _checker.Step = 3; See(0, 2, Role.Follower, Committed(log, 3), applied: 3);
        Assert.Null(_checker.Violation);
    }

    // ---- ServiceApply ----
    [Fact]
    public void ServiceApply_FiresWhenAServiceReportsAnError()
    {
        _checker.Step = 9; _checker.ObserveServiceError(2, "server 2 apply out of order 5");
        AssertViolation(Invariant.ServiceApply, [2], 0, 0, 9);
        Assert.Equal("server 2 apply out of order 5", _checker.Violation!.Detail);
    }

    [Fact]
    public void ServiceApply_QuietWhileServicesApplyWithoutError()
    {
        for (int n = 0; n < 3; n++)
            for (long i = 1; i <= 3; i++) { _checker.Step = n * 3 + i; _checker.ObserveApply(n, i, Cmd(i, 1)); }
        Assert.Null(_checker.Violation);
    }

    // ---- the first violation is kept ----
    [Fact]
    public void Violation_KeepsOnlyTheFirstViolation()
    {
        _checker.Step = 1; See(0, 3, Role.Leader, LogOf(1));
        _checker.Step = 2; See(0, 2, Role.Follower, LogOf(1)); // TermMonotonic
        _checker.Step = 3; See(1, 3, Role.Leader, LogOf(1));   // ElectionSafety
        _checker.Step = 4; _checker.ObserveServiceError(1, "boom");       // ServiceApply
        AssertViolation(Invariant.TermMonotonic, [0], 0, 2, 2);
    }

    // ---- commits hidden by compaction, and the earliest commit term (regressions of defects found here) ----
    [Fact]
    public void StateMachineSafety_QuietWhenANodeCommitsEntriesThatAnotherCompactedInTheEventItCommittedThem()
    {
        // one event: leader 0 commits 1..3, applies them, and its service snapshots at 2; seen only after the event
        ViewLog compacted = Committed(LogOf(1, 1, 1), 3);
        compacted.CompactTo(2);
        _checker.Step = 1; See(0, 1, Role.Leader, compacted, applied: 3);
        _checker.Step = 2; See(1, 1, Role.Follower, Committed(LogOf(1, 1, 1), 1), applied: 1);
        Assert.Null(_checker.Violation); // formerly: StateMachineSafety against placeholder node -1
    }

    [Fact]
    public void LeaderCompleteness_FiresWhenANewLeaderLacksAnEntryCommittedAndCompactedInOneEvent()
    {
        // one event: leader 0 of term 2 commits 1..2 (seen via ObserveCommit before its Ready is applied),
        // then applies them and its service snapshots at 2
        ViewLog log = Committed(LogOf(1, 2), 2);
        _checker.Step = 1; log.Term = 2; _checker.ObserveCommit(0, log);
        log.CompactTo(2);
        See(0, 2, Role.Leader, log, applied: 2);
        _checker.Step = 2; See(1, 3, Role.Leader, LogOf(1, 1));
        AssertViolation(Invariant.LeaderCompleteness, [1, 0], 2, 2, 2);
    }

    [Fact]
    public void LeaderCompleteness_FiresWhenTheEarliestCommitTermIsObservedAfterALaterOne()
    {
        _checker.Step = 1; See(1, 5, Role.Follower, Committed(LogOf(1, 2), 2)); // learned in term 5
        _checker.Step = 2; See(0, 2, Role.Follower, Committed(LogOf(1, 2), 2)); // committed in term 2
        _checker.Step = 3; See(3, 3, Role.Leader, LogOf(1));                    // term-3 leader without entry 2
        AssertViolation(Invariant.LeaderCompleteness, [3, 0], 2, 2, 3);
    }
}
