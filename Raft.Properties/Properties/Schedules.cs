using Raft.Model.Simulation;
using FsCheck;
using FsCheck.Fluent;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Traces;
using Raft.Model.Events;
using Raft.Model.Network;
using Raft.Core.Node;

namespace Raft.Properties.Properties;

public enum OpKind { Propose, Crash, Restart, Partition, Cut, Heal, Drop, Duplicate, Deliver, Timeout, Snapshot, Advance, Ready, Retake }

/// <summary>
/// One step of a fault schedule, by what it does. Node numbers and K are reduced modulo what
/// exists when the step runs (the cluster size, the pending messages), so an operation keeps a
/// meaning when the schedule around it shrinks. Partition isolates Node, or, with Sides, splits
/// the cluster into the nodes marked 0 and those marked 1; Cut drops the link Node→K only.
/// </summary>
public sealed record ScheduleOp(OpKind Kind, int Node = 0, int K = 0, int[]? Sides = null)
{
    public override string ToString() => Kind switch
    {
        OpKind.Propose => $"propose {Node}",
        OpKind.Crash => $"crash {Node}",
        OpKind.Restart => $"restart {Node}",
        OpKind.Partition => Sides is null ? $"isolate {Node}" : $"split {string.Concat(Sides.Select(s => s == 0 ? 'a' : 'b'))}",
        OpKind.Cut => $"cut {Node}->{K}",
        OpKind.Heal => "heal",
        OpKind.Drop => $"drop #{K}",
        OpKind.Duplicate => $"duplicate #{K}",
        OpKind.Deliver => $"deliver #{K}",
        OpKind.Timeout => $"timeout {Node}",
        OpKind.Snapshot => $"snapshot {Node}",
        OpKind.Ready => $"ready {Node}",
        OpKind.Retake => $"retake {Node}",
        _ => "advance",
    };
}

/// <summary>
/// A generated fault schedule: cluster size (3, 5 or 7), the world's seed, one operation per step,
/// and the world's options: asynchronous Ready handling (a Ready's persist, send and apply are
/// steps of their own, run by <see cref="OpKind.Ready"/>) and pooled entry arrays.
/// </summary>
public sealed record Schedule(int Nodes, ulong Seed, ScheduleOp[] Ops, bool AsyncReady = false, bool PooledArrays = false)
{
    public int Count(OpKind kind) => Ops.Count(o => o.Kind == kind);

    public override string ToString() =>
        $"{Nodes} nodes, seed {Seed}{(AsyncReady ? ", async Ready" : "")}{(PooledArrays ? ", pooled arrays" : "")}, {Ops.Length} ops: [{string.Join(", ", Ops.Select(o => o.ToString()))}]";
}

/// <summary>The generator and shrinker of fault schedules.</summary>
internal static class ScheduleGen
{
    public const int MaxOps = 80;
    private const int MaxNode = 7;

    private static readonly Gen<int> Node = Gen.Choose(0, MaxNode - 1);
    private static readonly Gen<int> K = Gen.Frequency((4, Gen.Constant(0)), (3, Gen.Choose(1, 3)), (1, Gen.Choose(4, 30)));

    /// <summary>Mostly the system's own progress (deliveries, a Ready's parts, timers), then the workload, then faults.</summary>
    public static readonly Gen<ScheduleOp> Op = Gen.Frequency(
        (20, K.Select(k => new ScheduleOp(OpKind.Deliver, K: k))),
        (12, Node.Select(n => new ScheduleOp(OpKind.Ready, n))),
        (1, Node.Select(n => new ScheduleOp(OpKind.Retake, n))),
        (5, Node.Select(n => new ScheduleOp(OpKind.Timeout, n))),
        (5, Node.Select(n => new ScheduleOp(OpKind.Propose, n))),
        (3, Gen.Constant(new ScheduleOp(OpKind.Advance))),
        (2, Node.Select(n => new ScheduleOp(OpKind.Snapshot, n))),
        (1, Node.Select(n => new ScheduleOp(OpKind.Crash, n))),
        (1, Node.Select(n => new ScheduleOp(OpKind.Restart, n))),
        (1, Node.Select(n => new ScheduleOp(OpKind.Partition, n))),
        (1, Gen.ArrayOf(Gen.Choose(0, 1), MaxNode).Select(s => new ScheduleOp(OpKind.Partition, Sides: s))),
        (1, Gen.Zip(Node, Node, (a, b) => new ScheduleOp(OpKind.Cut, a, b))),
        (1, Gen.Constant(new ScheduleOp(OpKind.Heal))),
        (1, K.Select(k => new ScheduleOp(OpKind.Drop, K: k))),
        (1, K.Select(k => new ScheduleOp(OpKind.Duplicate, K: k))));

    /// <summary>3, 5 or 7 nodes, 1..80 operations (growing with FsCheck's size), asynchronous Ready handling and pooled arrays each in half the schedules.</summary>
    public static readonly Gen<Schedule> Schedule =
        from nodes in Gen.Frequency((5, Gen.Constant(3)), (3, Gen.Constant(5)), (2, Gen.Constant(7)))
        from seed in Gen.Choose(1, 1_000_000)
        from count in Gen.Sized(size => Gen.Choose(1, Math.Clamp(size, 1, MaxOps)))
        from ops in Gen.ArrayOf(Op, count)
        from asyncReady in Gen.Elements(false, true)
        from pooled in Gen.Elements(false, true)
        select new Schedule(nodes, (ulong)seed, ops, asyncReady, pooled);

    /// <summary>
    /// Smaller schedules first: fewer nodes (7→5→3), then without whole chunks of operations
    /// (halves down to single operations), then with simpler operations (deliver the oldest
    /// message, node 0). Never empty: a schedule needs at least one step.
    /// </summary>
    public static IEnumerable<Schedule> Shrink(Schedule s)
    {
        if (s.AsyncReady) yield return s with { AsyncReady = false };
        if (s.PooledArrays) yield return s with { PooledArrays = false };
        if (s.Nodes > 3) yield return s with { Nodes = s.Nodes - 2 };
        if (s.Nodes > 5) yield return s with { Nodes = 3 };
        for (int size = s.Ops.Length / 2; size >= 1; size /= 2)
            for (int start = 0; start + size <= s.Ops.Length; start += size)
                if (s.Ops.Length > size) yield return s with { Ops = [.. s.Ops.Take(start), .. s.Ops.Skip(start + size)] };
        for (int k = 0; k < s.Ops.Length; k++)
        {
            ScheduleOp op = s.Ops[k];
            ScheduleOp? simpler = op switch
            {
                { Kind: OpKind.Deliver or OpKind.Drop or OpKind.Duplicate, K: > 0 } => op with { K = 0 },
                { Kind: OpKind.Retake } => op with { Kind = OpKind.Ready },
                { Kind: OpKind.Partition, Sides: not null } => op with { Sides = null },
                { Node: > 0 } => op with { Node = 0 },
                _ => null,
            };
            if (simpler is not null) yield return s with { Ops = s.Ops.Select((o, j) => j == k ? simpler : o).ToArray() };
        }
    }

    public static Arbitrary<Schedule> Arbitrary() => Arb.From(Schedule, Shrink);
}

/// <summary>
/// Runs a <see cref="Schedule"/> on the exploration engine, one operation per
/// <see cref="ScheduleRunner"/> step: the operation picks the first enabled event of its kind for
/// its node (propose, restart and snapshot: of any node if not of that one; deliver/drop/duplicate:
/// the K-th pending message, oldest first; advance: the oldest message; ready: the next part of its node's Ready in hand, else of
/// any node's; retake: taking its node's Ready again, else any node's); when that is not enabled the step falls back to
/// a Ready's next part, else the oldest delivery, else to the first enabled event. A partition's shape comes from the operation through <see cref="Choose"/>.
/// It never ends a schedule early, so the trace has one step per operation and replays as is.
/// </summary>
internal sealed class ScriptedStrategy(Schedule schedule) : IStrategy
{
    private int[] _data = [];
    private int _dataNext;

    public string Name => "scripted";

    /// <summary>Steps whose operation was not enabled and fell back.</summary>
    public int Fallbacks { get; private set; }

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm)
    {
        _data = [];
        _dataNext = 0;
        Fallbacks = 0;
    }

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        _data = [];
        _dataNext = 0;
        if (step >= schedule.Ops.Length) return -1;
        ScheduleOp op = schedule.Ops[step];
        int n = schedule.Nodes, node = op.Node % n;
        int chosen = op.Kind switch
        {
            OpKind.Propose => First(enabled, EventKind.Propose, node) is var p and >= 0 ? p : First(enabled, EventKind.Propose),
            OpKind.Crash => First(enabled, EventKind.Crash, node),
            OpKind.Restart => First(enabled, EventKind.Restart, node) is var r and >= 0 ? r : First(enabled, EventKind.Restart),
            OpKind.Partition or OpKind.Cut => First(enabled, EventKind.Partition),
            OpKind.Heal => First(enabled, EventKind.Heal),
            OpKind.Drop => Nth(enabled, EventKind.Drop, op.K),
            OpKind.Duplicate => Nth(enabled, EventKind.Duplicate, op.K),
            OpKind.Deliver => Nth(enabled, EventKind.Deliver, op.K),
            OpKind.Timeout => First(enabled, EventKind.Timeout, node),
            OpKind.Snapshot => First(enabled, EventKind.Snapshot, node) is var n2 and >= 0 ? n2 : First(enabled, EventKind.Snapshot),
            OpKind.Ready => FirstPart(enabled, node) is var p2 and >= 0 ? p2 : FirstPart(enabled),
            OpKind.Retake => First(enabled, EventKind.Retake, node) is var t and >= 0 ? t : First(enabled, EventKind.Retake),
            _ => First(enabled, EventKind.Deliver),
        };
        if (chosen < 0)
        {
            Fallbacks++;
            chosen = FirstPart(enabled);
            if (chosen < 0) chosen = First(enabled, EventKind.Deliver);
            return chosen >= 0 ? chosen : 0;
        }
        if (op.Kind == OpKind.Partition)
            _data = op.Sides is null ? [0, node] : [1, .. Enumerable.Range(0, n).Select(j => op.Sides[j % op.Sides.Length])];
        else if (op.Kind == OpKind.Cut)
        {
            int from = node, to = op.K % n;
            if (to == from) to = (from + 1) % n;
            _data = [2, from, to > from ? to - 1 : to]; // World numbers the target among the n-1 others
        }
        return chosen;
    }

    public int Choose(int n)
    {
        int v = _dataNext < _data.Length ? _data[_dataNext++] : 0;
        return n <= 1 ? 0 : v % n;
    }

    private static int First(IReadOnlyList<EnabledEvent> enabled, EventKind kind, int node = int.MinValue)
    {
        for (int i = 0; i < enabled.Count; i++)
            if (enabled[i].Kind == kind && (node == int.MinValue || enabled[i].Node == node)) return i;
        return -1;
    }

    /// <summary>The first part (persist, send or apply) of a Ready in hand, of <paramref name="node"/> or of any node.</summary>
    private static int FirstPart(IReadOnlyList<EnabledEvent> enabled, int node = int.MinValue)
    {
        for (int i = 0; i < enabled.Count; i++)
            if (enabled[i].Kind is EventKind.Persist or EventKind.Send or EventKind.Apply && (node == int.MinValue || enabled[i].Node == node)) return i;
        return -1;
    }

    private static int Nth(IReadOnlyList<EnabledEvent> enabled, EventKind kind, int k)
    {
        int count = 0;
        for (int i = 0; i < enabled.Count; i++) if (enabled[i].Kind == kind) count++;
        if (count == 0) return -1;
        int want = k % count;
        for (int i = 0; i < enabled.Count; i++)
            if (enabled[i].Kind == kind && want-- == 0) return i;
        return -1;
    }
}

/// <summary>Turns a schedule into exploration settings and runs it with <see cref="ScriptedStrategy"/>.</summary>
internal static class ScheduleExecutor
{
    /// <summary>
    /// Adversarial mode, one step per operation, the liveness phase after the final heal, as many
    /// proposals and faults as the schedule asks for, and the fixed (non-swarm) weights, all 1.
    /// </summary>
    public static ExploreSettings SettingsFor(Schedule s, string bug) => new()
    {
        Nodes = s.Nodes,
        Mode = WorldMode.Adversarial,
        Strategy = "random", // what the trace header names; the steps themselves are the scripted ones
        Iterations = 1,
        MaxSteps = s.Ops.Length,
        Seed = s.Seed,
        Proposals = s.Count(OpKind.Propose),
        Faults = new FaultBudget(s.Count(OpKind.Crash), s.Count(OpKind.Partition) + s.Count(OpKind.Cut), s.Count(OpKind.Drop), s.Count(OpKind.Duplicate)),
        Swarm = false,
        AsyncReady = s.AsyncReady,
        Raft = s.PooledArrays ? RaftOptions.Default with { EntryArrayPool = EntryPool.WorldOwned } : RaftOptions.Default,
        Liveness = true,
        Bug = bug,
        Workers = 1,
    };

    public static ScheduleResult Run(Schedule s, string bug = "none", bool record = true)
    {
        ExploreSettings settings = SettingsFor(s, bug);
        settings.Validate();
        SwarmParameters swarm = SwarmParameters.Draw(settings, s.Seed); // Swarm = false: fixed rates, every fault weight 1
        return ScheduleRunner.Run(settings, 0, s.Seed, new ScriptedStrategy(s), record, swarm);
    }

    public static byte[] TraceBytes(ScheduleResult r) => TraceWriter.ToBytes(TraceFile.From(r));

    /// <summary>Where a failing schedule's trace goes: the repository's TestResults/properties, else the temp directory.</summary>
    public static string TraceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RaftVerify.sln")))
                return Path.Combine(dir.FullName, "TestResults", "properties");
        return Path.Combine(Path.GetTempPath(), "raftverify-properties");
    }

    /// <summary>Re-runs <paramref name="s"/> recorded, writes its trace under <paramref name="directory"/> and returns the path.</summary>
    public static string WriteTrace(Schedule s, string bug, string directory, string name)
    {
        ScheduleResult r = Run(s, bug, record: true);
        string path = Path.Combine(directory, $"{name}-{s.Nodes}n-seed{s.Seed}-{s.Ops.Length}ops.trace.jsonl");
        try
        {
            TraceWriter.Write(TraceFile.From(r), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            path = Path.Combine(Path.GetTempPath(), Path.GetFileName(path));
            TraceWriter.Write(TraceFile.From(r), path);
        }
        return path;
    }
}
