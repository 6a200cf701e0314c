using Raft.Model.Simulation;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Exploration;

/// <summary>
/// What a set of schedules exercised, so a user sees more than "nothing failed": schedules and
/// steps, how many hit the step bound, the distinct (role, event) transitions seen, and the
/// Raft-level events (elections, commits, crashes, snapshots, partitions). Merging is
/// commutative, so totals do not depend on which worker ran which schedule.
/// </summary>
public sealed class Coverage
{
    /// <summary>Codes per role: the event kinds up to Heal (0–10), a delivery by message type (11–17), a Ready's part (18–21).</summary>
    private const int KindCodes = 32; // event kinds, then 11 + each message kind, then the Ready parts
    private const int ReadyPartCode = 11 + MessageKinds.Count;

    public long Schedules { get; private set; }
    public long Steps { get; private set; }
    public long HitStepBound { get; private set; }
    public long LivenessChecked { get; private set; }
    /// <summary>One bit per (role, event) transition seen (4 roles × <see cref="KindCodes"/> codes).</summary>
    public UInt128 Transitions { get; private set; }
    public long MaxTerm { get; private set; }
    public long Elections { get; private set; }
    public long MaxCommitted { get; private set; }
    public long Commits { get; private set; }
    public long Crashes { get; private set; }
    public long Restarts { get; private set; }
    public long SnapshotsInstalled { get; private set; }
    public long Partitions { get; private set; }
    public long ProposalsAccepted { get; private set; }
    /// <summary>Schedules with key-value clients whose history was checked, and those of them the checker could not decide (Unknown: not a violation).</summary>
    public long HistoriesChecked { get; private set; }
    public long HistoriesUnknown { get; private set; }
    public long ClientOperations { get; private set; }
    /// <summary>Of those histories, the ones whose clients read by ReadIndex; of their operations, the Gets answered by ReadIndex (not through the log), and how many of them under leases.</summary>
    public long ReadIndexHistories { get; private set; }
    public long ReadIndexReads { get; private set; }
    public long LeaseReads { get; private set; }
    /// <summary>The slowest one() agreement after the liveness phase's network stabilised (virtual ms).</summary>
    public long SlowestAgreementMs { get; private set; }
    /// <summary>The largest share of its derived bound any agreement took (percent): the oracle's margin.</summary>
    public int MostOfBoundUsedPercent { get; private set; }
    /// <summary>The most steps any liveness phase took (a measure of how busy the healed world gets; its storm guard is per virtual second).</summary>
    public int MostLivenessSteps { get; private set; }
    /// <summary>Agreements that took more than half their bound.</summary>
    public long AgreementsOverHalfBound { get; private set; }

    /// <summary>Abstract-state coverage: distinct abstract states and transitions of the fault phase, and their growth with schedules.</summary>
    public AbstractCoverage Abstract { get; } = new();

    /// <summary>Named situations (<see cref="Situation"/>): in how many schedules each was reached.</summary>
    public long[] SituationSchedules { get; } = new long[Situations.Count];

    /// <summary>Counts one schedule's reached situations (bits of <see cref="Situation"/>).</summary>
    public void AddSituations(uint reached)
    {
        for (int k = 0; k < Situations.Count; k++)
            if ((reached & (1u << k)) != 0) SituationSchedules[k]++;
    }

    public int DistinctTransitions => (int)UInt128.PopCount(Transitions);

    /// <summary>Records that a node in <paramref name="role"/> saw <paramref name="kind"/> (and for deliveries, which message type).</summary>
    public void Transition(Role role, EventKind kind, MessageKind delivered = default)
    {
        int code = kind switch
        {
            EventKind.Deliver => 11 + (int)delivered,
            EventKind.IsolateLeader => (int)EventKind.Partition, // a partition the adversary aimed
            >= EventKind.ClerkRequest => ReadyPartCode + (EventKind.ClientSend - EventKind.Persist) + (kind - EventKind.ClerkRequest), // the lab's clerks count as the clients they are
            >= EventKind.Persist => ReadyPartCode + (kind - EventKind.Persist),
            _ => (int)kind,
        };
        Transitions |= UInt128.One << ((int)role * KindCodes + code);
    }

    /// <summary>Adds a finished schedule's world.</summary>
    public void AddSchedule(World world, int steps, bool hitBound, bool livenessChecked, long agreedAfterStableMs = -1, long stableBoundMs = 0, int livenessSteps = 0)
    {
        MostLivenessSteps = Math.Max(MostLivenessSteps, livenessSteps);
        Schedules++;
        Steps += steps;
        if (hitBound) HitStepBound++;
        if (livenessChecked) LivenessChecked++;
        MaxTerm = Math.Max(MaxTerm, world.MaxTerm());
        Elections += world.Cluster.Checker.LeadersElected;
        MaxCommitted = Math.Max(MaxCommitted, world.Cluster.Checker.MaxCommitted);
        Commits += world.Cluster.Checker.MaxCommitted;
        Crashes += world.Cluster.Crashes;
        Restarts += world.Cluster.Restarts;
        foreach (var a in world.Cluster.Appliers) SnapshotsInstalled += a.SnapshotsInstalled;
        Partitions += world.PartitionsMade;
        ProposalsAccepted += world.ProposalsAccepted;
        if (agreedAfterStableMs >= 0 && stableBoundMs > 0)
        {
            SlowestAgreementMs = Math.Max(SlowestAgreementMs, agreedAfterStableMs);
            int share = (int)Math.Min(100, 100 * agreedAfterStableMs / stableBoundMs);
            MostOfBoundUsedPercent = Math.Max(MostOfBoundUsedPercent, share);
            if (2 * agreedAfterStableMs > stableBoundMs) AgreementsOverHalfBound++;
        }
    }

    /// <summary>Adds a schedule's verdict on its clients' history of <paramref name="operations"/> operations.</summary>
    public void AddHistory(Histories.Verdict verdict, int operations, bool readIndex = false, int readIndexReads = 0, bool leases = false)
    {
        if (readIndex) ReadIndexHistories++;
        HistoriesChecked++;
        if (verdict == Histories.Verdict.Unknown) HistoriesUnknown++;
        ClientOperations += operations;
        ReadIndexReads += readIndexReads;
        if (leases) LeaseReads += readIndexReads;
    }

    public void Merge(Coverage other)
    {
        HistoriesChecked += other.HistoriesChecked;
        HistoriesUnknown += other.HistoriesUnknown;
        ClientOperations += other.ClientOperations;
        ReadIndexHistories += other.ReadIndexHistories;
        ReadIndexReads += other.ReadIndexReads;
        LeaseReads += other.LeaseReads;
        Schedules += other.Schedules;
        Steps += other.Steps;
        HitStepBound += other.HitStepBound;
        LivenessChecked += other.LivenessChecked;
        Transitions |= other.Transitions;
        Abstract.Merge(other.Abstract);
        for (int k = 0; k < Situations.Count; k++) SituationSchedules[k] += other.SituationSchedules[k];
        MaxTerm = Math.Max(MaxTerm, other.MaxTerm);
        Elections += other.Elections;
        MaxCommitted = Math.Max(MaxCommitted, other.MaxCommitted);
        Commits += other.Commits;
        Crashes += other.Crashes;
        Restarts += other.Restarts;
        SnapshotsInstalled += other.SnapshotsInstalled;
        Partitions += other.Partitions;
        ProposalsAccepted += other.ProposalsAccepted;
        SlowestAgreementMs = Math.Max(SlowestAgreementMs, other.SlowestAgreementMs);
        MostOfBoundUsedPercent = Math.Max(MostOfBoundUsedPercent, other.MostOfBoundUsedPercent);
        MostLivenessSteps = Math.Max(MostLivenessSteps, other.MostLivenessSteps);
        AgreementsOverHalfBound += other.AgreementsOverHalfBound;
    }

    /// <summary>The transitions seen, as "Role:event" names in a fixed order.</summary>
    public IEnumerable<string> TransitionNames()
    {
        for (int bit = 0; bit < 4 * KindCodes; bit++)
        {
            if ((Transitions & (UInt128.One << bit)) == UInt128.Zero) continue;
            var role = (Role)(bit / KindCodes);
            int code = bit % KindCodes;
            string kind = code >= ReadyPartCode ? ((EventKind)((int)EventKind.Persist + code - ReadyPartCode)).ToString()
                : code >= 11 ? "deliver " + (MessageKind)(code - 11) : ((EventKind)code).ToString();
            yield return $"{role}:{kind}";
        }
    }
}
