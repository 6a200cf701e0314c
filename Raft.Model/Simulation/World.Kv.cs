using System.Globalization;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Histories;
using Raft.Model.Network;
using Raft.Model.Services;

namespace Raft.Model.Simulation;

/// <summary>How a clerk's call ended: the server's answer, or labrpc's false (the call failed: dropped, disabled end, dead server).</summary>
public enum ClerkErr : byte { OK, ErrWrongLeader, CallFailed }

/// <summary>What a clerk's call returned: <see cref="ClerkErr.OK"/> with a Get's value ("" for Put and Append), or an error.</summary>
public readonly record struct ClerkAnswer(ClerkErr Err, string Value);

/// <summary>
/// The lab's key-value servers (6.824 Lab 3's KVServer) and the clerks' calls to them, on the one
/// network. A clerk's call is a control step (<see cref="ClerkCall"/>); labrpc decides its fate as
/// for any request: a disabled end or a dead server fails it after 0–99 ms, an unreliable network
/// delays it 0–26 ms and drops 10%. Its arrival at a server is a step (<see cref="EventKind.ClerkRequest"/>):
/// the server Starts the operation and waits for it to come out of apply, answering ErrWrongLeader at
/// once when not leader, when another command took the index, when its term or leadership changes, or
/// after <see cref="KvHandlerTimeoutMs"/>. The answer goes back under labrpc's rules (dropped if the
/// clerk's end is disabled or the server died meanwhile, 10% dropped when unreliable), and its arrival
/// is another step (<see cref="EventKind.ClerkReply"/>); so is a failed call's false. Handlers are
/// settled at the end of every step, so a trace replays them exactly. Duplicate detection is the
/// service's (<see cref="KvService"/>): the answer is the result its table holds for the clerk's
/// sequence number.
/// </summary>
public sealed partial class World
{
    /// <summary>How long a KV server's handler waits for its operation before answering ErrWrongLeader (a typical Lab 3 server's timeout).</summary>
    public const int KvHandlerTimeoutMs = 500;

    /// <summary>
    /// What a clerk's call costs before its handler runs, on any network: labrpc adds no delay on a
    /// reliable network, but in Go a call takes real time (encoding, goroutines, the handler's
    /// wake-up), while here nothing else makes virtual time pass, and a clerk would otherwise issue
    /// operations without end at one virtual instant. 5 ms puts one clerk at about 200 operations a
    /// second on a healthy cluster, the order of a Go solution's (docs/lab.md, Lab 3).
    /// </summary>
    public const int ClerkCallMs = 5;

    /// <summary>labrpc checks every 100 ms whether the server of a waiting handler died; the call then fails.</summary>
    public const int DeadServerCheckMs = 100;

    /// <summary>A clerk's call in flight: the request on its way to the server, or the answer (or the failure) on its way back.</summary>
    private sealed class ClerkRpc(long id, KvOp op, byte[] command, int server, int incarnation)
    {
        public readonly long Id = id;
        public readonly KvOp Op = op;
        public readonly byte[] Command = command;
        public readonly int Server = server, Incarnation = incarnation;
        public bool IsAnswer;
        public ClerkAnswer Answer;
        public long Due, Seq;
    }

    /// <summary>A KV server's handler waiting for its operation to be applied (index and term from its Start).</summary>
    private readonly record struct KvHandler(ClerkRpc Rpc, long Index, long Term, long Started);

    private readonly List<ClerkRpc> _rpcs = new();
    private readonly List<KvHandler> _handlers = new();
    private long _nextRpcId;

    /// <summary>The tester's side of an answer: called (as a tester wake-up, after the step) when a call's answer reaches its clerk.</summary>
    public Action<long, ClerkAnswer>? OnClerkAnswer { get; set; }

    // ---- the tester's control calls ----

    /// <summary>makeClient / ConnectClient / DisconnectClient: which of clerk <paramref name="clerk"/>'s ends are enabled (the next id makes a new clerk).</summary>
    public void SetClerkEnds(int clerk, ReadOnlySpan<bool> enabled)
    {
        var bytes = new byte[2 + enabled.Length];
        bytes[0] = (byte)(clerk >> 8);
        bytes[1] = (byte)clerk;
        for (int i = 0; i < enabled.Length; i++) bytes[2 + i] = enabled[i] ? (byte)1 : (byte)0;
        Control(new WorldControl(ControlOp.ClerkEnds, -1, Now, Command: bytes));
    }

    /// <summary>config.go partition(p1, p2): servers talk only within their group (<paramref name="groupOf"/>[i] is 0 or 1).</summary>
    public void PartitionServers(ReadOnlySpan<int> groupOf)
    {
        var bytes = new byte[groupOf.Length];
        for (int i = 0; i < groupOf.Length; i++) bytes[i] = (byte)groupOf[i];
        Control(new WorldControl(ControlOp.Partition, -1, Now, Command: bytes));
    }

    /// <summary>A clerk calls server <paramref name="server"/> with <paramref name="op"/> (its client is the clerk): returns the call's id, which its answer names.</summary>
    public long ClerkCall(int server, in KvOp op)
    {
        Control(new WorldControl(ControlOp.ClerkCall, server, Now, Command: KvCommands.Encode(op)));
        return _nextRpcId - 1;
    }

    private StepOutcome ExecuteKvControl(WorldControl c)
    {
        byte[] arg = c.Command ?? throw new ArgumentException($"a {c.Op} control needs its argument");
        switch (c.Op)
        {
            case ControlOp.ClerkEnds:
            {
                var enabled = new bool[arg.Length - 2];
                for (int i = 0; i < enabled.Length; i++) enabled[i] = arg[2 + i] != 0;
                Network.SetClerkEnds((arg[0] << 8) | arg[1], enabled);
                return StepOutcome.Done;
            }
            case ControlOp.Partition:
            {
                var groups = new int[arg.Length];
                for (int i = 0; i < groups.Length; i++) groups[i] = arg[i];
                Network.Partition(groups);
                return StepOutcome.Done;
            }
            default:
                return StartClerkCall(c.Node, arg);
        }
    }

    /// <summary>labrpc's processReq for a clerk's call: counted, then failed (disabled end, dead server, dropped) or on its way.</summary>
    private StepOutcome StartClerkCall(int server, byte[] command)
    {
        if (!KvCommands.TryDecode(command, out KvOp op)) throw new ArgumentException("a clerk call carries a key-value operation");
        var rpc = new ClerkRpc(_nextRpcId++, op, command, server, Cluster.Incarnation(server));
        Network.CountClerkRequest(command.Length);
        if (!Network.ClerkEndEnabled(op.Client, server) || !Cluster.IsUp(server))
        {
            Answer(rpc, new ClerkAnswer(ClerkErr.CallFailed, ""), _netRng.Next(SimNetwork.DisabledCallMaxMs));
            return StepOutcome.LostLinkDown;
        }
        (bool delivered, long delay) = Network.RequestFate(ref _netRng);
        if (!delivered)
        {
            Answer(rpc, new ClerkAnswer(ClerkErr.CallFailed, ""), delay);
            return StepOutcome.LostLinkDown;
        }
        rpc.Due = Now + ClerkCallMs + delay;
        rpc.Seq = _seq++;
        _rpcs.Add(rpc);
        return StepOutcome.Done;
    }

    /// <summary>Puts an answer (or a failure) on its way back to the clerk, due <paramref name="delay"/> ms from now.</summary>
    private void Answer(ClerkRpc rpc, ClerkAnswer answer, long delay)
    {
        rpc.IsAnswer = true;
        rpc.Answer = answer;
        rpc.Due = Now + delay;
        rpc.Seq = _seq++;
        _rpcs.Add(rpc);
    }

    /// <summary>A handler returns: labrpc drops the reply if the clerk's end is disabled or the server died, then (unreliable) 10% of replies.</summary>
    private void Reply(ClerkRpc rpc, ClerkErr err, string value)
    {
        if (!Network.ClerkEndEnabled(rpc.Op.Client, rpc.Server) || Cluster.Incarnation(rpc.Server) != rpc.Incarnation || !Cluster.IsUp(rpc.Server))
        {
            Answer(rpc, new ClerkAnswer(ClerkErr.CallFailed, ""), 0);
            return;
        }
        long delay = Network.ReplyFate(ref _netRng);
        Answer(rpc, delay < 0 ? new ClerkAnswer(ClerkErr.CallFailed, "") : new ClerkAnswer(err, value), Math.Max(0, delay));
    }

    // ---- the steps ----

    /// <summary>A request reaches its server's KV handler: Start, then wait; or ErrWrongLeader at once. A request to a dead server fails.</summary>
    private StepOutcome DeliverClerkRequest(ClerkRpc rpc)
    {
        if (rpc.Due > Now) Now = rpc.Due;
        if (!Cluster.IsUp(rpc.Server) || Cluster.Incarnation(rpc.Server) != rpc.Incarnation)
        {
            Answer(rpc, new ClerkAnswer(ClerkErr.CallFailed, ""), 0);
            return StepOutcome.LostTargetRestarted;
        }
        ProposeResult r = Cluster.Propose(rpc.Server, rpc.Command);
        if (!r.IsLeader)
        {
            Reply(rpc, ClerkErr.ErrWrongLeader, "");
            return StepOutcome.NotLeader;
        }
        _handlers.Add(new KvHandler(rpc, r.Index, r.Term, Now));
        return StepOutcome.Proposed(r.Index, r.Term);
    }

    /// <summary>An answer (or labrpc's false) reaches the clerk; the tester hears of it after the step.</summary>
    private StepOutcome DeliverClerkAnswer(ClerkRpc rpc)
    {
        if (rpc.Due > Now) Now = rpc.Due;
        ClerkAnswer answer = rpc.Answer;
        if (answer.Err != ClerkErr.CallFailed) Network.CountClerkReply(answer.Value.Length + 2);
        if (OnClerkAnswer is { } hear) Schedule(0, () => hear(rpc.Id, answer));
        return answer.Err switch
        {
            ClerkErr.OK => StepOutcome.Delivered,
            ClerkErr.ErrWrongLeader => StepOutcome.NotLeader,
            _ => StepOutcome.LostLinkDown,
        };
    }

    /// <summary>
    /// Settles the waiting handlers after a step, in the order they started: answered once their index
    /// is applied (OK with the service's result when their operation is there, else ErrWrongLeader), on a
    /// change of term or leadership or after the timeout (ErrWrongLeader); a handler whose server died
    /// fails at labrpc's next 100 ms check.
    /// </summary>
    private void SettleKvHandlers()
    {
        int kept = 0;
        for (int k = 0; k < _handlers.Count; k++)
        {
            KvHandler h = _handlers[k];
            if (!Settle(h)) _handlers[kept++] = h;
        }
        _handlers.RemoveRange(kept, _handlers.Count - kept);
    }

    private bool Settle(in KvHandler h)
    {
        ClerkRpc rpc = h.Rpc;
        int server = rpc.Server;
        if (!Cluster.IsUp(server) || Cluster.Incarnation(server) != rpc.Incarnation)
        {
            long waited = Math.Max(1, (Now - h.Started + DeadServerCheckMs - 1) / DeadServerCheckMs);
            Answer(rpc, new ClerkAnswer(ClerkErr.CallFailed, ""), h.Started + waited * DeadServerCheckMs - Now);
            return true;
        }
        Applier applier = Cluster.Appliers[server];
        if (applier.LastApplied >= h.Index)
        {
            byte[]? there = applier.CommandAt(h.Index);
            if (there is not null && Commands.Same(there, rpc.Command) && Cluster.KvServices![server].TryGetResult(rpc.Op.Client, rpc.Op.Seq, out string result))
                Reply(rpc, ClerkErr.OK, rpc.Op.Kind == OpKind.Get ? result : "");
            else
                Reply(rpc, ClerkErr.ErrWrongLeader, "");
            return true;
        }
        var node = Cluster.Node(server)!;
        if (node.Term != h.Term || node.Role != Role.Leader || Now - h.Started >= KvHandlerTimeoutMs)
        {
            Reply(rpc, ClerkErr.ErrWrongLeader, "");
            return true;
        }
        return false;
    }

    // ---- labrpc timing's view of the calls ----

    private int FindRpc(long id)
    {
        for (int k = 0; k < _rpcs.Count; k++) if (_rpcs[k].Id == id) return k;
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"no clerk call #{id} in flight"));
    }

    private StepOutcome ExecuteClerkEvent(in EnabledEvent e)
    {
        int k = FindRpc(e.MessageId);
        ClerkRpc rpc = _rpcs[k];
        _rpcs.RemoveAt(k);
        return rpc.IsAnswer ? DeliverClerkAnswer(rpc) : DeliverClerkRequest(rpc);
    }

    private StepEvent ClerkEventOf(in EnabledEvent e)
    {
        ClerkRpc rpc = _rpcs[FindRpc(e.MessageId)];
        KvOp op = rpc.Op;
        string? output = rpc.IsAnswer && rpc.Answer.Err == ClerkErr.OK && op.Kind == OpKind.Get ? rpc.Answer.Value : null;
        return new StepEvent(e.Kind, e.Node, Math.Max(Now, rpc.Due), Request: new ClientRequest(op.Client, op.Seq, op.Kind, op.Key, op.Value, output));
    }

    /// <summary>The earliest clerk call due (its index in the list), for labrpc timing's scan.</summary>
    private void EarliestRpc(ref long bestTime, ref long bestSeq, ref int index)
    {
        for (int k = 0; k < _rpcs.Count; k++)
        {
            ClerkRpc r = _rpcs[k];
            if (r.Due < bestTime || (r.Due == bestTime && r.Seq < bestSeq)) { bestTime = r.Due; bestSeq = r.Seq; index = k; }
        }
    }

    private EnabledEvent RpcEvent(int k) => new(_rpcs[k].IsAnswer ? EventKind.ClerkReply : EventKind.ClerkRequest, _rpcs[k].Server, _rpcs[k].Id);

    /// <summary>The clerk calls in flight as enabled events, after the messages and the ticks (lab mode).</summary>
    private void ListClerkEvents(List<EnabledEvent> into)
    {
        for (int k = 0; k < _rpcs.Count; k++) into.Add(RpcEvent(k));
    }

    private int UpCount()
    {
        int up = 0;
        for (int i = 0; i < Size; i++) if (Cluster.IsUp(i)) up++;
        return up;
    }
}
