using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Contract;
using Raft.Model.Histories;
using Raft.Model.Services;
using Raft.Model.Simulation;
using Raft.Model.Testing;

namespace Raft.Model.Lab;

/// <summary>
/// The kvraft tester's config.go (6.824 Lab 3), in virtual time: n servers, each a node with its
/// KV server (World.Kv.cs), clerks whose labrpc ends the tester enables server by server, the
/// helpers the tests use (partition, ConnectAll, ShutdownServer/StartServer, Leader,
/// make_partition, LogSize, SnapshotSize) and the Go-style result line
/// "  ... Passed --  time  peers  rpcs  ops". Every action on the world is a recorded control step.
/// </summary>
public sealed class KvConfig
{
    /// <summary>The tester's electionTimeout (1 s).</summary>
    public const int ElectionTimeoutMs = 1000;

    private readonly Action<string> _log;
    private readonly Dictionary<long, TaskCompletionSource<ClerkAnswer>> _calls = new();
    private Rng _rand;
    private long _t0, _rpcs0;
    private int _ops;
    private string _description = "";

    /// <summary>make_config(n, unreliable, maxraftstate): every server started and connected; maxraftstate -1 means no snapshots.</summary>
    public KvConfig(int n, bool unreliable, int maxRaftState, ulong seed, Action<string> log, NodeFactory? factory = null, bool record = false,
        RaftOptions? raft = null, bool duplicateDetection = true)
    {
        N = n;
        MaxRaftState = maxRaftState;
        _log = log;
        _rand = new Rng(Rng.Derive(seed, SeedStream.Tester));
        World = new World(LabConfig.WorldOf(n, unreliable, seed, factory, raft) with
        {
            KvServers = true,
            MaxRaftState = maxRaftState,
            KvDuplicateDetection = duplicateDetection,
        });
        Tester = new Tester(World);
        if (record) World.Recording = new List<Events.TraceStep>();
        World.OnClerkAnswer = Answered;
        for (int i = 0; i < n; i++) StartServer(i);
        ConnectAll();
    }

    public int N { get; }
    public int MaxRaftState { get; }
    public World World { get; }
    public Tester Tester { get; }
    public long Now => World.Now;

    /// <summary>The operations the Get/Put/Append helpers logged (porcupine's opLog), with virtual invocation and response times.</summary>
    public HistoryRecorder OpLog { get; } = new();

    /// <summary>The last result line printed by <see cref="End"/>.</summary>
    public LabResult? Result { get; private set; }

    // ---- the tests' rand ----

    public int Rand(int maxExclusive) => _rand.Next(maxExclusive);

    public Task Sleep(long ms) => Tester.Sleep(ms);

    // ---- servers and network ----

    public int[] All()
    {
        var all = new int[N];
        for (int i = 0; i < N; i++) all[i] = i;
        return all;
    }

    /// <summary>partition(p1, p2): servers talk only within their own group (every server is in one of them).</summary>
    public void Partition(int[] p1, int[] p2)
    {
        var groups = new int[N];
        Array.Fill(groups, -1);
        foreach (int i in p1) groups[i] = 0;
        foreach (int i in p2) groups[i] = 1;
        if (Array.IndexOf(groups, -1) >= 0) throw new ArgumentException("a partition puts every server in one of its two groups");
        World.PartitionServers(groups);
    }

    public void ConnectAll() => Partition(All(), []);

    /// <summary>ShutdownServer: isolate the server from the others, then kill it (its calls in progress fail; only its disk survives).</summary>
    public void ShutdownServer(int i)
    {
        World.Disconnect(i);
        World.Crash(i);
    }

    /// <summary>StartServer: a new server from the disk (its KV state from the snapshot), not yet connected to the others.</summary>
    public void StartServer(int i) => World.Start(i);

    /// <summary>Leader(): whether some server thinks it leads, and the lowest such.</summary>
    public (bool Ok, int Leader) Leader()
    {
        for (int i = 0; i < N; i++)
            if (World.GetState(i).IsLeader) return (true, i);
        return (false, 0);
    }

    /// <summary>make_partition: a majority and a minority, the current leader in the minority.</summary>
    public (int[] P1, int[] P2) MakePartition()
    {
        int l = Leader().Leader;
        var p1 = new int[N / 2 + 1];
        var p2 = new int[N / 2];
        int j = 0;
        for (int i = 0; i < N; i++)
        {
            if (i == l) continue;
            if (j < p1.Length) p1[j] = i;
            else p2[j - p1.Length] = i;
            j++;
        }
        p2[^1] = l;
        return (p1, p2);
    }

    /// <summary>LogSize: the largest persisted raft state, in our encoding (the size the servers compare with maxraftstate).</summary>
    public int LogSize()
    {
        int max = 0;
        foreach (var d in World.Disks) max = Math.Max(max, d.RaftStateSize());
        return max;
    }

    /// <summary>SnapshotSize: the largest persisted snapshot, in bytes.</summary>
    public int SnapshotSize()
    {
        int max = 0;
        foreach (var d in World.Disks) max = Math.Max(max, d.SnapshotSize);
        return max;
    }

    // ---- clerks ----

    /// <summary>makeClient(to): a clerk with an end to every server (in a random order), those to <paramref name="to"/> enabled.</summary>
    public Clerk MakeClient(int[] to)
    {
        int id = World.Network.Clerks;
        var enabled = new bool[N];
        foreach (int i in to) enabled[i] = true;
        World.SetClerkEnds(id, enabled);
        var servers = All();
        for (int i = 0; i < servers.Length; i++)
        {
            int j = _rand.Next(i + 1);
            (servers[i], servers[j]) = (servers[j], servers[i]);
        }
        return new Clerk(this, id, servers, enabled);
    }

    /// <summary>ConnectClient(ck, to): enables the clerk's ends to <paramref name="to"/>.</summary>
    public void ConnectClient(Clerk ck, int[] to)
    {
        foreach (int i in to) ck.Ends[i] = true;
        World.SetClerkEnds(ck.Id, ck.Ends);
    }

    /// <summary>One call of a clerk to a server, as labrpc's Call: the answer, or CallFailed (Go: false).</summary>
    public Task<ClerkAnswer> Call(int server, in KvOp op)
    {
        Tester.ThrowIfWorldFailed();
        long id = World.ClerkCall(server, op);
        var tcs = new TaskCompletionSource<ClerkAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls.Add(id, tcs);
        return tcs.Task;
    }

    private void Answered(long id, ClerkAnswer answer)
    {
        if (_calls.Remove(id, out var tcs)) tcs.SetResult(answer);
    }

    // ---- begin / end ----

    public void Begin(string description)
    {
        _description = description;
        _log($"{description} ...");
        _t0 = Now;
        _rpcs0 = World.Network.RpcTotal;
        _ops = 0;
    }

    /// <summary>cfg.op(): a Get, Put or Append through the helpers finished.</summary>
    public void Op() => _ops++;

    /// <summary>Checks the 120 s limit (from make_config) and prints "  ... Passed --" with time, peers, RPCs and ops.</summary>
    public void End()
    {
        Tester.ThrowIfWorldFailed();
        if (Now > LabConfig.TestLimitMs) LabConfig.Fail($"test took longer than {LabConfig.TestLimitMs / 1000} seconds");
        Result = new LabResult(_description, (Now - _t0) / 1000.0, N, World.Network.RpcTotal - _rpcs0, 0, 0, _ops);
        _log(Result.PassedLine);
    }

    public void Info(string message) => _log($"info: {message}");
}
