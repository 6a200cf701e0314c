using System.Globalization;
using Raft.Core.Determinism;
using Raft.Core.Node;
using Raft.Model.Network;
using Raft.Model.Services;
using Raft.Model.Simulation;
using Raft.Model.Testing;
using Raft.Model.Contract;

namespace Raft.Model.Lab;

/// <summary>
/// The 6.824 tester's config.go, in virtual time: one world of n servers, the helpers the tests
/// use (checkOneLeader, one, wait, nCommitted, crash/restart, connect/disconnect, RPC counts and
/// bytes, log size) with the tester's exact time constants, and the Go-style result line.
/// Times are virtual milliseconds; "sleeping" advances the world's clock.
/// </summary>
public sealed class LabConfig
{
    /// <summary>The tester's RaftElectionTimeout (1000 ms).</summary>
    public const int ElectionTimeoutMs = 1000;
    /// <summary>The tester's MAXLOGSIZE: persisted raft state must stay below this many bytes (2D).</summary>
    public const int MaxLogSize = 2000;
    /// <summary>The tester's SnapShotInterval.</summary>
    public const int SnapshotInterval = 10;
    /// <summary>The per-test limit the tester checks at the end (120 s).</summary>
    public const int TestLimitMs = 120_000;

    private readonly Action<string> _log;
    private Rng _rand;
    private long _t0, _rpcs0, _bytes0, _maxIndex0;
    private string _description = "";

    /// <summary>
    /// make_config(n, unreliable, snapshot). <paramref name="factory"/> builds each server's node
    /// (the correct core when null; see <see cref="LabVariants"/> for broken ones).
    /// </summary>
    public LabConfig(int n, bool unreliable, bool snapshot, ulong seed, Action<string> log, NodeFactory? factory = null, bool record = false,
        global::Raft.Core.Node.RaftOptions? raft = null)
    {
        N = n;
        _log = log;
        _rand = new Rng(Rng.Derive(seed, SeedStream.Tester));
        World = new World(WorldOf(n, unreliable, seed, factory, raft) with { SnapshotService = snapshot, SnapshotInterval = SnapshotInterval });
        Tester = new Tester(World);
        if (record) World.Recording = new List<Events.TraceStep>();
        for (int i = 0; i < n; i++) Start1(i);
        for (int i = 0; i < n; i++) Connect(i);
    }

    /// <summary>The world make_config builds (Lab 2 and Lab 3 alike): n servers on labrpc's network, reliable or not.</summary>
    internal static WorldOptions WorldOf(int n, bool unreliable, ulong seed, NodeFactory? factory, global::Raft.Core.Node.RaftOptions? raft) => new()
    {
        Nodes = n,
        Seed = seed,
        Raft = raft ?? global::Raft.Core.Node.RaftOptions.Default,
        Network = new NetworkOptions { Reliable = !unreliable, LabrpcDelivery = true },
        Factory = factory,
    };

    public int N { get; }
    public World World { get; }

    /// <summary>The tester's checks over this world (one(), nCommitted).</summary>
    public Tester Tester { get; }
    public long Now => World.Now;

    /// <summary>The last result line printed by <see cref="End"/>.</summary>
    public LabResult? Result { get; private set; }

    // ---- randomness for the tests (the Go tests' rand) ----

    /// <summary>A non-negative random integer (Go's rand.Int()).</summary>
    public long RandInt() => (long)(_rand.NextUInt64() >> 1);
    public int Rand(int maxExclusive) => _rand.Next(maxExclusive);

    public string RandString(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = alphabet[_rand.Next(alphabet.Length)];
        return new string(chars);
    }

    // ---- time ----

    /// <summary>Sleeps for <paramref name="ms"/> virtual milliseconds (time.Sleep).</summary>
    public Task Sleep(long ms) => Tester.Sleep(ms);

    // ---- servers and network ----

    public bool IsConnected(int i) => Tester.IsConnected(i);
    public bool IsAlive(int i) => Tester.IsAlive(i);

    /// <summary>config.go crash1: disconnect and kill, keeping only what was persisted.</summary>
    public void Crash1(int i)
    {
        Disconnect(i);
        World.Crash(i);
    }

    /// <summary>config.go start1: (re)start from the persister, not yet connected; the service reloads its snapshot.</summary>
    public void Start1(int i)
    {
        Crash1(i);
        World.Start(i);
    }

    public void Connect(int i) => World.Connect(i);
    public void Disconnect(int i) => World.Disconnect(i);
    public void SetUnreliable(bool unreliable) => World.SetReliable(!unreliable);
    public void SetLongReordering(bool on) => World.SetLongReordering(on);

    /// <summary>rf.Start(cmd) on server i; a crashed server answers (-1, 0, false).</summary>
    public ProposeResult Start(int i, byte[] command) => World.Propose(i, command);
    public ProposeResult Start(int i, long command) => World.Propose(i, Commands.Int(command));

    public (long Term, bool IsLeader) GetState(int i) => World.GetState(i);

    public long RpcCount(int i) => World.Network.RpcCount(i);
    public long RpcTotal => World.Network.RpcTotal;
    public long BytesTotal => World.Network.BytesTotal;

    /// <summary>
    /// The largest persisted raft-state size over all servers (config.go LogSize), counted as
    /// labgob would encode a Go Raft's state (<see cref="Labgob.RaftStateSize"/>), so that
    /// <see cref="MaxLogSize"/> admits as many entries as in Go.
    /// </summary>
    public int LogSize()
    {
        int max = 0;
        foreach (var d in World.Disks) max = Math.Max(max, Labgob.RaftStateSize(d));
        return max;
    }

    /// <summary>The same, in our own encoding (<see cref="Storage.Disk.RaftStateSize"/>), for comparison.</summary>
    public int LogSizeOwnEncoding()
    {
        int max = 0;
        foreach (var d in World.Disks) max = Math.Max(max, d.RaftStateSize());
        return max;
    }

    // ---- checks ----

    public async Task<int> CheckOneLeader()
    {
        for (int iters = 0; iters < 10; iters++)
        {
            await Sleep(450 + Rand(100));
            var leaders = new SortedDictionary<long, List<int>>();
            for (int i = 0; i < N; i++)
            {
                if (!IsConnected(i)) continue;
                var (term, isLeader) = GetState(i);
                if (!isLeader) continue;
                if (!leaders.TryGetValue(term, out var list)) leaders[term] = list = new List<int>();
                list.Add(i);
            }
            long lastTermWithLeader = -1;
            foreach (var (term, list) in leaders)
            {
                if (list.Count > 1) Fail($"term {term} has {list.Count} (>1) leaders");
                if (term > lastTermWithLeader) lastTermWithLeader = term;
            }
            if (leaders.Count != 0) return leaders[lastTermWithLeader][0];
        }
        Fail("expected one leader, got none");
        return -1;
    }

    public long CheckTerms()
    {
        long term = -1;
        for (int i = 0; i < N; i++)
        {
            if (!IsConnected(i)) continue;
            long xterm = GetState(i).Term;
            if (term == -1) term = xterm;
            else if (term != xterm) Fail("servers disagree on term");
        }
        return term;
    }

    public void CheckNoLeader()
    {
        for (int i = 0; i < N; i++)
            if (IsConnected(i) && GetState(i).IsLeader)
                Fail($"expected no leader among connected servers, but {i} claims to be leader");
    }

    /// <summary>How many servers think index is committed, and the value (all must agree).</summary>
    public (int Count, byte[]? Command) NCommitted(long index) => Tester.NCommitted(index);

    /// <summary>config.go wait: until at least n servers commit index; null if the term moved past startTerm.</summary>
    public async Task<byte[]?> Wait(long index, int n, long startTerm)
    {
        long to = 10;
        for (int iters = 0; iters < 30; iters++)
        {
            if (NCommitted(index).Count >= n) break;
            await Sleep(to);
            if (to < 1000) to *= 2;
            if (startTerm > -1)
                for (int i = 0; i < N; i++)
                    if (IsAlive(i) && GetState(i).Term > startTerm) return null;
        }
        var (nd, cmd) = NCommitted(index);
        if (nd < n) Fail($"only {nd} decided for index {index}; wanted {n}");
        return cmd;
    }

    /// <summary>config.go one (the tester's one(), shared with the explorer's liveness phase).</summary>
    public Task<long> One(byte[] cmd, int expectedServers, bool retry) => Tester.One(cmd, expectedServers, retry);

    public Task<long> One(long cmd, int expectedServers, bool retry) => One(Commands.Int(cmd), expectedServers, retry);

    // ---- begin / end ----

    public void Begin(string description)
    {
        _description = description;
        _log($"{description} ...");
        _t0 = Now;
        _rpcs0 = RpcTotal;
        _bytes0 = BytesTotal;
        _maxIndex0 = MaxIndex();
    }

    /// <summary>Checks the 120 s limit and prints "  ... Passed --" with time, peers, RPCs, bytes, commits.</summary>
    public void End()
    {
        ThrowIfWorldFailed();
        if (Now > TestLimitMs) Fail($"test took longer than {TestLimitMs / 1000} seconds");
        var result = new LabResult(_description, (Now - _t0) / 1000.0, N, RpcTotal - _rpcs0, BytesTotal - _bytes0, MaxIndex() - _maxIndex0);
        Result = result;
        _log(result.PassedLine);
    }

    public void Warn(string message) => _log($"warning: {message}");

    public void ThrowIfWorldFailed() => Tester.ThrowIfWorldFailed();

    public static void Fail(string message) => Tester.Fail(message);

    private long MaxIndex()
    {
        long max = 0;
        foreach (var a in World.Appliers) max = Math.Max(max, a.HighestRecorded);
        return max;
    }
}

/// <summary>What the tester prints at the end of a test: Lab 2's time, peers, RPCs, bytes and commits, or (with <paramref name="Ops"/>) kvraft's time, peers, RPCs and clerk operations.</summary>
public sealed record LabResult(string Description, double Seconds, int Peers, long Rpcs, long Bytes, long Commits, long? Ops = null)
{
    public string PassedLine => Ops is { } ops
        ? string.Create(CultureInfo.InvariantCulture, $"  ... Passed --  {Seconds,4:0.0}  {Peers} {Rpcs,5} {ops,4}")
        : string.Create(CultureInfo.InvariantCulture, $"  ... Passed --  {Seconds,4:0.0}  {Peers} {Rpcs,4} {Bytes,7} {Commits,4}");
}
