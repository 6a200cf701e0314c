using System.Globalization;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Model.Testing;

/// <summary>
/// What the liveness phase runs on: the network before it stabilises (the adversary's last
/// delays, reordering and drops, for <see cref="UnstableMs"/>), the stable network after, and
/// the bound after stabilisation within which the tester's one() must reach agreement.
/// </summary>
/// <param name="ElectionWindowMs">The election-progress window once stable (<see cref="ElectionWindow"/>); 0 turns that oracle off.</param>
public sealed record LivenessPlan(NetworkOptions Unstable, int UnstableMs, NetworkOptions Stable, long StableBoundMs, long ElectionWindowMs = 0)
{
    /// <summary>
    /// The longest a stable, leaderless cluster may go without a RequestVote from a node whose log
    /// could win: the longest randomized election timeout (2·ElectionTicks ticks, §5.2), plus a
    /// heartbeat (a deposed leader's last AppendEntries may restart a follower's timer) and a
    /// round trip, plus two ticks of clock phase.
    /// </summary>
    public static long ElectionWindow(RaftOptions raft, int tickMs, int stableDelayMs) =>
        (2L * raft.ElectionTicks + raft.HeartbeatTicks + 2) * tickMs + 2L * stableDelayMs;

    /// <summary>
    /// The bound after stabilisation, derived from the core's timers and the cluster size rather
    /// than a constant. Once every message arrives within d ms (d ≪ the election timeout, §5.6),
    /// an election round lasts at most one longest randomized timeout (2·ElectionTicks ticks) plus
    /// a vote's round trip, and a round fails only when another node times out within that round
    /// trip of the first candidate, or a node whose log is behind times out first (it cannot win,
    /// but its higher term starts a new round): <see cref="Rounds"/> rounds allow for that, growing
    /// with the cluster. Then the leader commits and every follower applies within a few
    /// heartbeats, and one() may first be waiting out an attempt on a deposed leader (2 s) and
    /// polls every 20–50 ms.
    /// </summary>
    public static long DeriveStableBoundMs(RaftOptions raft, int tickMs, int nodes, int stableDelayMs)
    {
        long electionMax = 2L * raft.ElectionTicks * tickMs;
        long heartbeat = (long)raft.HeartbeatTicks * tickMs;
        long roundTrip = 2L * stableDelayMs + 2L * tickMs;
        long elections = Rounds(nodes) * (electionMax + roundTrip);
        long commit = 3 * heartbeat + 2 * roundTrip;
        return Tester.AttemptMs + elections + commit + 100;
    }

    /// <summary>Election rounds the bound allows for: 6, plus one for every node.</summary>
    public static int Rounds(int nodes) => 6 + nodes;
}

/// <summary>What the liveness phase found (a violation, if any, is on the world's checker).</summary>
/// <param name="AgreedAfterStableMs">Virtual ms from stabilisation to one()'s agreement (0 when agreed before it), or -1.</param>
public sealed record LivenessOutcome(string Summary, long AgreedAfterStableMs, long StableBoundMs);

/// <summary>
/// The liveness phase, checked as TigerBeetle's VOPR does once faults stop: a recorded heal
/// (every link up, no more faults), a recorded start of every crashed node, labrpc timing on the
/// one network with the adversary's unstable parameters until a recorded stabilisation, then a
/// stable network; the oracle is the tester's own one() (<see cref="Tester.One"/>), given the
/// unstable time plus the derived bound. If it gives up, a recorded deadline step decides from
/// the services' applied commands whether the command reached every node; if not, that is a
/// Liveness violation. Every event of the phase is a step (silent ticks folded), so show, the
/// pictures and replay --verbose display the elections and messages that led to the verdict.
/// </summary>
public static class LivenessPhase
{
    /// <summary>The probe command: distinct from every workload command (those count up from 1).</summary>
    public static byte[] ProbeCommand => Commands.Int(-1_000_000);

    public static LivenessOutcome Run(World world, LivenessPlan plan)
    {
        world.FoldSilentTicks = true;
        world.Control(new WorldControl(ControlOp.Heal, -1, world.Now, Network: plan.Unstable));
        for (int i = 0; i < world.Size && world.Violation is null; i++)
            if (!world.IsUp(i)) world.Start(i);
        if (world.Violation is not null) return Safety(world, plan);
        long healedAt = world.Now;
        world.Schedule(plan.UnstableMs, () => world.Control(new WorldControl(ControlOp.Stabilise, -1, world.Now, Network: plan.Stable, BoundMs: plan.ElectionWindowMs)));

        var tester = new Tester(world);
        byte[] cmd = ProbeCommand;
        long limit = plan.UnstableMs + plan.StableBoundMs;
        string? gaveUp = null;
        long index = -1;
        try
        {
            LabRuntime.Run(async () => index = await tester.One(cmd, world.Size, retry: true, limit), () => world, healedAt + limit + Tester.AttemptMs + 1_000);
        }
        catch (LabFailure f)
        {
            gaveUp = f.Message;
        }
        world.FlushSilentTicks();
        if (world.Violation is not null) return Safety(world, plan);
        if (gaveUp is not null)
        {
            world.Control(new WorldControl(ControlOp.Deadline, -1, world.Now, Command: cmd, BoundMs: plan.StableBoundMs));
            if (world.Violation is not null)
                return new LivenessOutcome(string.Create(CultureInfo.InvariantCulture, $"one() failed: {gaveUp}"), -1, plan.StableBoundMs);
        }
        long stable = world.StabilisedAt >= 0 ? world.StabilisedAt : world.Now;
        long after = Math.Max(0, world.Now - stable);
        return new LivenessOutcome(string.Create(CultureInfo.InvariantCulture,
            $"one() agreed at index {index} {world.Now - healedAt} ms after the heal ({(world.StabilisedAt >= 0 ? $"{after} ms after the network stabilised" : "before the network stabilised")}; bound {plan.StableBoundMs} ms after it)"),
            after, plan.StableBoundMs);
    }

    private static LivenessOutcome Safety(World world, LivenessPlan plan) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{world.Violation?.Invariant} at step {world.ViolationStep}, in the liveness phase"), -1, plan.StableBoundMs);
}
