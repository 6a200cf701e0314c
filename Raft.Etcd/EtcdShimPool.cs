using System.Collections.Concurrent;

namespace Raft.Etcd;

/// <summary>
/// Shim processes shared by <see cref="EtcdNode"/>s. One process holds many independent groups
/// (clusters; a command's node number is <c>group &lt;&lt; 16 | node</c>), and a group holds the
/// nodes of one world. The etcd nodes in a process never talk to each other (the host carries
/// every message), so a group is only bookkeeping: a node slot that is free.
/// <para>A thread uses one process at a time (<see cref="ForThisThread"/>): a world runs on one
/// thread, so its nodes share that process and every frame carries only its own commands. When the
/// last node on a process is disposed, the process goes back to a pool any thread may take it
/// from; a process that failed is killed instead. So an exploration spawns at most one process per
/// worker thread, whatever the number of schedules.</para>
/// </summary>
public static class EtcdShimPool
{
    private static readonly ConcurrentBag<ShimHost> Idle = [];
    [ThreadStatic] private static ShimHost? _current;
    private static int _launched;

    /// <summary>Processes started so far in this process (tests check the pool reuses them).</summary>
    public static int Launched => Volatile.Read(ref _launched);

    /// <summary>The calling thread's process for shim binary <paramref name="binary"/> (started, or taken from the pool).</summary>
    internal static ShimHost ForThisThread(string binary)
    {
        if (_current is { } c && c.Binary == binary && !c.Broken && c.Owner == Environment.CurrentManagedThreadId) return c;
        ShimHost? host = null;
        var skipped = new List<ShimHost>();
        while (Idle.TryTake(out var h))
        {
            if (h.Binary == binary && !h.Broken) { host = h; break; }
            skipped.Add(h);
        }
        foreach (var h in skipped) Idle.Add(h);
        if (host is null)
        {
            Interlocked.Increment(ref _launched);
            host = new ShimHost(EtcdShim.Launch(binary), binary);
        }
        host.Owner = Environment.CurrentManagedThreadId;
        _current = host;
        return host;
    }

    /// <summary>The last node on <paramref name="host"/> left: pool it, or kill it if it failed.</summary>
    internal static void Release(ShimHost host)
    {
        host.Owner = -1;
        if (ReferenceEquals(_current, host)) _current = null;
        if (host.Broken) host.Shim.Dispose();
        else Idle.Add(host);
    }

    /// <summary>Ends every pooled process (tests; the processes also end with this one, when their stdin closes).</summary>
    public static void DisposeIdle()
    {
        while (Idle.TryTake(out var h)) h.Shim.Dispose();
    }
}

/// <summary>One shim process, its groups, and whose command each queued command is.</summary>
internal sealed class ShimHost(EtcdShim shim, string binary)
{
    private readonly List<EtcdNode> _owners = [];
    private readonly Dictionary<int, Group> _groups = [];
    private Group? _current;
    private int _live;

    public EtcdShim Shim { get; } = shim;
    public string Binary { get; } = binary;
    public bool Broken { get; private set; }
    public int Owner { get; set; } = -1;

    private sealed class Group(int id, int size)
    {
        public int Id { get; } = id;
        public int Size { get; } = size;
        public EtcdNode?[] Slots { get; } = new EtcdNode?[size];
        public int Live;
    }

    /// <summary>Gives <paramref name="node"/> slot <paramref name="id"/> of a group of <paramref name="size"/>; returns the group.</summary>
    public int Join(EtcdNode node, int id, int size)
    {
        Group? g = _current;
        if (g is null || g.Size != size || g.Slots[id] is not null)
        {
            int gid = 0;
            while (_groups.ContainsKey(gid)) gid++;
            g = new Group(gid, size);
            _groups[gid] = g;
            _current = g;
        }
        g.Slots[id] = node;
        g.Live++;
        _live++;
        return g.Id;
    }

    /// <summary>The node was disposed: its slot (and, when it was the last, its group and this process) is free.</summary>
    public void Leave(int group, int id)
    {
        if (!_groups.TryGetValue(group, out var g) || g.Slots[id] is null) return;
        g.Slots[id] = null;
        if (--g.Live == 0)
        {
            _groups.Remove(group);
            if (ReferenceEquals(_current, g)) _current = null;
        }
        if (--_live == 0) EtcdShimPool.Release(this);
    }

    /// <summary>Records who queued the command just added to <see cref="Shim"/>.</summary>
    public void Queued(EtcdNode owner) => _owners.Add(owner);

    /// <summary>Sends every queued command (any node's) and hands each result to the node that queued it.</summary>
    public void Flush()
    {
        if (Broken) throw new EtcdShimException(EtcdShimFailure.Exited, "etcd shim is no longer usable after an earlier failure");
        IReadOnlyList<EtcdResult> results;
        try
        {
            results = Shim.Flush();
        }
        catch (EtcdShimException)
        {
            Broken = true; // commands after a failed one did not run: no node of this process can trust its state
            _owners.Clear();
            throw;
        }
        for (int i = 0; i < results.Count; i++) _owners[i].OnResult(results[i]);
        _owners.Clear();
    }

    /// <summary>Marks the process unusable (a node saw garbage it could not map).</summary>
    public void Poison() => Broken = true;
}
