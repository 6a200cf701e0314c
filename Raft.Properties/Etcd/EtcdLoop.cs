using System.Text;
using Raft.Etcd;

namespace Raft.Properties.Etcd;

/// <summary>
/// A tiny hand-written driver for the etcd tests: every round delivers every message sent in the
/// previous round, ticks every live node, and handles every live node's Ready (ready + persist +
/// advance). It keeps each node's disk (hard state and entries) the way a host would, so a node can
/// crash and restart from it.
/// </summary>
internal sealed class EtcdLoop : IDisposable
{
    public readonly EtcdShim Shim;
    public readonly int Size;
    public readonly EtcdNodeConfig Config;
    private readonly ulong _seed;
    private readonly int[] _incarnation;
    private readonly bool[] _up;
    private List<EtcdMessage> _inFlight = [];
    public readonly List<byte[]> Sent = [];
    public readonly List<EtcdEntry>[] Applied;
    public readonly EtcdHardState[] DiskHardState;
    public readonly List<EtcdEntry>[] DiskEntries;
    public readonly EtcdSnapshot?[] DiskSnapshot;
    public readonly EtcdRole[] Role;
    public long Events;

    public EtcdLoop(int size, ulong seed, EtcdNodeConfig? config = null)
    {
        Size = size;
        _seed = seed;
        Config = config ?? new EtcdNodeConfig(size, ElectionTick: 10, HeartbeatTick: 1, PreVote: true, CheckQuorum: true);
        Shim = EtcdShim.Launch();
        _incarnation = new int[size];
        _up = new bool[size];
        Applied = Enumerable.Range(0, size).Select(_ => new List<EtcdEntry>()).ToArray();
        DiskEntries = Enumerable.Range(0, size).Select(_ => new List<EtcdEntry>()).ToArray();
        DiskSnapshot = new EtcdSnapshot?[size];
        DiskHardState = Enumerable.Repeat(EtcdHardState.Empty, size).ToArray();
        Role = new EtcdRole[size];
        for (var i = 0; i < size; i++) Start(i);
        Shim.Flush();
    }

    private void Start(int node)
    {
        var disk = new EtcdDurableState(DiskHardState[node], DiskSnapshot[node], DiskEntries[node].ToArray());
        Shim.Start(node, Config, EtcdSeeds.ForNode(_seed, node, _incarnation[node]++), disk);
        _up[node] = true;
        Restore(node, DiskSnapshot[node]); // the service restarts from its snapshot, or from scratch
    }

    // The test's service state is the list of applied entries; a snapshot holds their data, one per line.
    private void Restore(int node, EtcdSnapshot? snap)
    {
        Applied[node].Clear();
        if (snap is null) return;
        foreach (var line in Encoding.UTF8.GetString(snap.Data).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Applied[node].Add(new EtcdEntry(0, 0, EtcdEntryType.Normal, Encoding.UTF8.GetBytes(line)));
    }

    /// <summary>The service compacts: a snapshot at its last applied index.</summary>
    public ulong Compact(int node)
    {
        ulong index = Applied[node].Max(e => e.Index);
        var data = Encoding.UTF8.GetBytes(string.Join('\n',
            Applied[node].Where(e => e.Kind == EtcdEntryKind.Command).Select(e => Encoding.UTF8.GetString(e.Data))));
        Shim.Snapshot(node, index, data);
        var term = ((EtcdSnapshotResult)Shim.Flush()[0]).Term;
        DiskSnapshot[node] = new EtcdSnapshot(index, term, data);
        DiskEntries[node].RemoveAll(e => e.Index <= index);
        return index;
    }

    public void Crash(int node)
    {
        Shim.Crash(node);
        Shim.Flush();
        _up[node] = false;
        Role[node] = EtcdRole.Follower;
    }

    public void Restart(int node)
    {
        Start(node);
        Shim.Flush();
    }

    public bool IsUp(int node) => _up[node];

    public int Leader() => Array.IndexOf(Role, EtcdRole.Leader);

    public void Round()
    {
        foreach (var m in _inFlight)
            if (_up[m.To]) { Shim.Step(m.To, m.Bytes); Events++; }
        for (var i = 0; i < Size; i++)
            if (_up[i]) { Shim.Tick(i); Events++; }
        for (var i = 0; i < Size; i++)
            if (_up[i]) Shim.Handle(i);
        var next = new List<EtcdMessage>();
        foreach (var r in Shim.Flush())
        {
            if (r is not EtcdReadyResult { Ready: { } rd } ready) continue;
            int n = ready.Node;
            Role[n] = rd.Role;
            if (rd.HardStateChanged) DiskHardState[n] = rd.HardState;
            if (rd.Snapshot is { } snap)
            {
                DiskSnapshot[n] = snap;
                DiskEntries[n].RemoveAll(e => e.Index <= snap.Index);
                Restore(n, snap);
            }
            if (rd.Entries.Count > 0)
            {
                var disk = DiskEntries[n];
                disk.RemoveAll(e => e.Index >= rd.Entries[0].Index);
                disk.AddRange(rd.Entries);
            }
            Applied[n].AddRange(rd.CommittedEntries);
            foreach (var m in rd.Messages) { next.Add(m); Sent.Add(m.Bytes); }
        }
        _inFlight = next;
    }

    /// <summary>Runs rounds until the condition holds; false if it did not within the bound.</summary>
    public bool RunUntil(Func<bool> done, int maxRounds)
    {
        for (var i = 0; i < maxRounds; i++)
        {
            if (done()) return true;
            Round();
        }
        return done();
    }

    public EtcdProposeResult Propose(int node, byte[] data)
    {
        Shim.Propose(node, data);
        Events++;
        return (EtcdProposeResult)Shim.Flush()[0];
    }

    public void Dispose() => Shim.Dispose();
}
