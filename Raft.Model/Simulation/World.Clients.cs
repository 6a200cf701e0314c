using System.Globalization;
using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Histories;
using Raft.Model.Services;
using Raft.Model.Contract;

namespace Raft.Model.Simulation;

/// <summary>
/// Key-value clients as world participants (6.824 Lab 3's clerks), in the explorer's modes: each
/// client issues its own operations (drawn from the schedule's seed) one at a time to the node it
/// believes leads. A request is a recorded step (<see cref="EventKind.ClientSend"/>): the node
/// proposes it; a node that is not leader (or is down) answers at once and the client tries the
/// next node. Once the node's key-value service has applied it, taking the answer is another step
/// (<see cref="EventKind.ClientReply"/>). A client that waited <see cref="WorldOptions.ClientTimeout"/>
/// retries the same request (same sequence number) with the next node. The history of invocations
/// and answers (by step number) is kept in a <see cref="HistoryRecorder"/>; a request never answered
/// is ambiguous. Clients reach every node whatever the partitions (they are not on the Raft network).
/// With <see cref="ClientReads.ReadIndex"/> a Get asks the node for a read index instead of going
/// through the log, and is answered once the node confirmed it and its service applied that far.
/// </summary>
public sealed partial class World
{
    private Client[]? _clients;
    private HistoryRecorder? _history;
    private int _clientTimeout;
    private ClientReads _clientReads;
    private long _readIds;

    private sealed class Client(KvOp[] ops, int target)
    {
        public readonly KvOp[] Ops = ops;
        public int Next;            // the operation in hand (or Ops.Length when done)
        public bool Outstanding;    // sent and not yet answered
        public bool Retry;          // the last node said it is not leader: send again at once
        public int Handle = -1;     // the request's handle in the history
        public int Target = target; // the node it believes leads (the last it sent to)
        public long SentStep, SentMs;
        public long ReadId;         // a Get sent by ReadIndex: the read's id (0: through the log)
    }

    /// <summary>The keys the clients use.</summary>
    public static readonly string[] ClientKeys = ["x", "y"];

    /// <summary>Whether this world has key-value clients.</summary>
    public bool HasClients => _clients is not null;

    /// <summary>The clients' history so far (null without clients); open requests are ambiguous.</summary>
    public History? ClientHistory => _history?.ToHistory();

    /// <summary>Every client has had every operation answered (true without clients).</summary>
    public bool ClientsDone
    {
        get
        {
            if (_clients is null) return true;
            foreach (Client c in _clients) if (c.Next < c.Ops.Length) return false;
            return true;
        }
    }

    /// <summary>The clients' operations, drawn from the schedule's seed (<see cref="ClientWorkload"/>), each value unique ("a0" is client 0's first).</summary>
    public static KvOp[][] DrawClientOps(ulong seed, int clients, int ops, ClientWorkload workload = ClientWorkload.Mixed)
    {
        var rng = new Rng(Rng.Derive(seed, SeedStream.Clients));
        var all = new KvOp[clients][];
        for (int c = 0; c < clients; c++)
        {
            all[c] = new KvOp[ops];
            for (int k = 0; k < ops; k++)
            {
                int roll = rng.Next(6);
                OpKind kind = roll < 2 ? OpKind.Get : roll == 2 ? OpKind.Put : OpKind.Append;
                string key = ClientKeys[rng.Next(ClientKeys.Length)];
                if (workload == ClientWorkload.Register)
                {
                    kind = k % 2 == 1 ? OpKind.Get : roll % 2 == 0 ? OpKind.Put : OpKind.Append;
                    key = ClientKeys[0];
                }
                string value = kind == OpKind.Get ? "" : (char)('a' + c % 26) + k.ToString(CultureInfo.InvariantCulture);
                all[c][k] = new KvOp(kind, key, value, c, k + 1);
            }
        }
        return all;
    }

    private void StartClients(WorldOptions options)
    {
        Cluster.EnableKv(options.KvDuplicateDetection);
        KvOp[][] ops = DrawClientOps(options.Seed, options.Clients, options.ClientOps, options.ClientWorkload);
        _clients = new Client[options.Clients];
        for (int c = 0; c < _clients.Length; c++) _clients[c] = new Client(ops[c], c % Size);
        _history = new HistoryRecorder();
        _clientTimeout = options.ClientTimeout;
        _clientReads = options.ClientReads;
    }

    private bool TimedOut(Client c) => Mode == WorldMode.Timed
        ? Now - c.SentMs >= (long)_clientTimeout * _tickMs
        : StepsRun - c.SentStep >= _clientTimeout;

    private bool AnswerReady(Client c, out string result)
    {
        result = "";
        KvOp op = c.Ops[c.Next];
        if (!c.Outstanding || c.Retry || !Cluster.IsUp(c.Target)) return false;
        KvService service = Cluster.KvServices![c.Target];
        return c.ReadId != 0
            ? service.TryRead(c.ReadId, Cluster.Appliers[c.Target].LastApplied, op.Key, out result)
            : service.TryGetResult(op.Client, op.Seq, out result);
    }

    /// <summary>
    /// Where a client may send next. A 6.824 clerk sends to the server it last found leading and,
    /// told "not leader" or timed out, tries the next, round and round, sleeping between rounds.
    /// A "not leader" answer changes nothing on the server, so the world folds a clerk's round into
    /// one step: while any node believes it is leader, the client's request may go to any of them
    /// (the adversary chooses; that is how a client meets a deposed leader that does not know it
    /// yet); while none does, a new request goes to the node it last used, a timed-out one to the
    /// next node, and a client told "not leader" sleeps until some node is leader.
    /// </summary>
    private void ListClientEvents(List<EnabledEvent> into)
    {
        int leaders = CountLeaders();
        for (int k = 0; k < _clients!.Length; k++)
        {
            Client c = _clients[k];
            if (c.Next >= c.Ops.Length) continue;
            bool send = !c.Outstanding;
            int fallback = c.Target;
            if (c.Outstanding)
            {
                if (AnswerReady(c, out _)) into.Add(new EnabledEvent(EventKind.ClientReply, c.Target, k));
                bool timedOut = TimedOut(c);
                send = timedOut || (c.Retry && leaders > 0);
                fallback = timedOut ? (c.Target + 1) % Size : -1;
            }
            if (!send) continue;
            if (leaders == 0)
            {
                if (fallback >= 0) into.Add(new EnabledEvent(EventKind.ClientSend, fallback, k));
                continue;
            }
            for (int i = 0; i < Size; i++)
                if (Cluster.Node(i) is { Role: Role.Leader }) into.Add(new EnabledEvent(EventKind.ClientSend, i, k));
        }
    }

    private int CountLeaders()
    {
        int n = 0;
        for (int i = 0; i < Size; i++) if (Cluster.Node(i) is { Role: Role.Leader }) n++;
        return n;
    }

    private ClientRequest RequestOf(in EnabledEvent e)
    {
        Client c = _clients![(int)e.MessageId];
        KvOp op = c.Ops[c.Next];
        string? output = null;
        if (e.Kind == EventKind.ClientReply && op.Kind == OpKind.Get && AnswerReady(c, out string result)) output = result;
        return new ClientRequest(op.Client, op.Seq, op.Kind, op.Key, op.Value, output);
    }

    private StepOutcome ClientSend(int client, int node)
    {
        Client c = _clients![client];
        KvOp op = c.Ops[c.Next];
        if (!c.Outstanding)
        {
            c.Handle = _history!.Invoke(client, op.Key, op.Kind, op.Value, StepsRun);
            c.Outstanding = true;
        }
        c.Target = node;
        c.SentStep = StepsRun;
        c.SentMs = Now;
        c.Retry = false;
        c.ReadId = 0;
        if (op.Kind == OpKind.Get && _clientReads == ClientReads.ReadIndex)
        {
            long id = ++_readIds;
            switch (Cluster.ReadIndex(node, id))
            {
                case ReadRequest.Accepted:
                    c.ReadId = id;
                    return StepOutcome.ReadAccepted(id);
                case ReadRequest.NotLeader:
                    c.Retry = true;
                    return StepOutcome.NotLeader;
                default:
                    break; // the node does not serve reads outside the log: the Get goes through it
            }
        }
        ProposeResult r = Cluster.Propose(node, KvCommands.Encode(op));
        if (!r.IsLeader)
        {
            c.Retry = true;
            return StepOutcome.NotLeader;
        }
        return StepOutcome.Proposed(r.Index, r.Term);
    }

    private StepOutcome ClientReply(int client, int node)
    {
        Client c = _clients![client];
        if (node != c.Target || !AnswerReady(c, out string result)) throw new InvalidOperationException($"client {client} has no answer from node {node}");
        KvOp op = c.Ops[c.Next];
        _history!.Respond(c.Handle, op.Kind == OpKind.Get ? result : null, StepsRun);
        if (c.ReadId != 0) ReadIndexReadsServed++;
        c.Outstanding = false;
        c.Next++;
        return StepOutcome.Done;
    }

    /// <summary>
    /// Checks the clients' history so far (ambiguous: every request still open) for linearizability;
    /// a key that is not is reported to the checker as <see cref="Invariants.Invariant.Linearizability"/>
    /// at step <paramref name="step"/>. Returns the verdict, or null without clients.
    /// </summary>
    public Verdict? CheckLinearizability(int step)
    {
        if (_history is null) return null;
        History history = _history.ToHistory();
        CheckResult result = LinearizabilityChecker.Check(history);
        LastLinearizability = result;
        if (result.Verdict == Verdict.NotLinearizable && result.Failure is { } f && Cluster.CheckInvariants)
        {
            Cluster.Checker.Step = step;
            string Op(int i) => "#" + i.ToString(CultureInfo.InvariantCulture) + " " + history[i].Text;
            string detail = $"key {HistoryText.Key(f.Key)} is not linearizable: {string.Join("; ", f.SubHistory.Select(Op))}";
            int[] writes = history.IndicesOf(f.Key).Where(i => history[i].Kind != OpKind.Get && !f.SubHistory.Contains(i)).ToArray();
            if (writes.Length > 0) detail += $" (the key's other writes: {string.Join("; ", writes.Select(Op))})";
            Cluster.Checker.ObserveLinearizability(f.Key, detail);
        }
        return result.Verdict;
    }

    /// <summary>Whether this world's clients read with ReadIndex (<see cref="ClientReads.ReadIndex"/>).</summary>
    public bool ClientsReadByReadIndex => _history is not null && _clientReads == ClientReads.ReadIndex;

    /// <summary>Gets answered by ReadIndex (a read the node confirmed, served from the service), not through the log.</summary>
    public int ReadIndexReadsServed { get; private set; }

    /// <summary>The last <see cref="CheckLinearizability"/> result (null before).</summary>
    public CheckResult? LastLinearizability { get; private set; }
}
