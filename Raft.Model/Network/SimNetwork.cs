using Raft.Core.Determinism;
using Raft.Model.Contract;

namespace Raft.Model.Network;

/// <summary>
/// Links between nodes and the RPC accounting of labrpc. A link from a to b is usable when it
/// is enabled; <see cref="Connect"/>/<see cref="Disconnect"/> act per node and symmetrically as
/// config.go does, while <see cref="SetLink"/> cuts or restores one direction (arbitrary and
/// one-way partitions). A message needs its link when sent (for a reply: when its handler
/// returns) and, unless <see cref="NetworkOptions.LabrpcDelivery"/>, also when delivered.
/// <para>labrpc's LongDelays (a call to a disabled end fails after 0–7 s instead of 0–100 ms) is
/// not modelled: a message-passing core never learns that a call failed, so the failure's timing
/// cannot affect it (docs/lab.md).</para>
/// </summary>
public sealed class SimNetwork
{
    private readonly LinkMatrix _links;
    private readonly bool[] _connected;
    private readonly long[] _rpcCount;

    public SimNetwork(int nodes, NetworkOptions options)
    {
        Nodes = nodes;
        Options = options;
        _links = new LinkMatrix(nodes, up: false);
        _connected = new bool[nodes];
        _rpcCount = new long[nodes];
    }

    public int Nodes { get; }

    /// <summary>The parameter set in force (<see cref="Use"/> switches it, e.g. when the liveness phase stabilises).</summary>
    public NetworkOptions Options { get; private set; }

    /// <summary>Switches to another parameter set; messages already in flight keep their fates unless the caller re-times them.</summary>
    public void Use(NetworkOptions options) => Options = options;

    /// <summary>Every link up and every node connected (the liveness phase's heal).</summary>
    public void HealAll()
    {
        for (int i = 0; i < Nodes; i++) _connected[i] = true;
        _links.SetAll(true);
    }

    /// <summary>Every request that entered the network, delivered or not (labrpc rpcTotal).</summary>
    public long RpcTotal { get; private set; }

    /// <summary>Encoded bytes of every request plus every reply actually delivered (labrpc bytesTotal).</summary>
    public long BytesTotal { get; private set; }

    public long MessagesDropped { get; private set; }
    public long MessagesDuplicated { get; private set; }
    public long MessagesDelivered { get; private set; }

    /// <summary>Requests that reached node i's handler since it last (re)started (labrpc GetCount).</summary>
    public long RpcCount(int node) => _rpcCount[node];

    public void ResetRpcCount(int node) => _rpcCount[node] = 0;

    public bool IsConnected(int node) => _connected[node];

    public bool LinkUp(int from, int to) => _links.Up(from, to);

    /// <summary>The directed links (partitions and one-way cuts act on them directly).</summary>
    public LinkMatrix Links => _links;

    /// <summary>config.go connect(i): enable i's links to and from every connected node.</summary>
    public void Connect(int node)
    {
        _connected[node] = true;
        for (int j = 0; j < Nodes; j++)
        {
            if (_connected[j]) _links.SetBoth(node, j, true);
        }
    }

    /// <summary>config.go disconnect(i): disable every link to and from i.</summary>
    public void Disconnect(int node)
    {
        _connected[node] = false;
        for (int j = 0; j < Nodes; j++) _links.SetBoth(node, j, false);
    }

    /// <summary>Enables or cuts one direction of one link (one-way partitions).</summary>
    public void SetLink(int from, int to, bool up) => _links.Set(from, to, up);

    /// <summary>Arbitrary partition: nodes talk only within their own group (group ids per node).</summary>
    public void Partition(ReadOnlySpan<int> groupOf)
    {
        if (groupOf.Length != Nodes) throw new ArgumentException($"partition needs a group for each of {Nodes} nodes");
        for (int a = 0; a < Nodes; a++)
        for (int b = 0; b < Nodes; b++)
            _links.Set(a, b, groupOf[a] == groupOf[b]);
        for (int a = 0; a < Nodes; a++) _connected[a] = true;
    }

    /// <summary>
    /// Decides the fate of a message at send time: -1 if lost, else its delay in ms. Counts the
    /// request RPC and its bytes whether or not it gets through, as labrpc does. A reply is sent
    /// when the core handles the request (its handler returns), so the link check here is
    /// labrpc's dead-server check, then the unreliable drop, then long reordering, in labrpc's order.
    /// </summary>
    public long Admit(in Envelope m, ref Rng rng)
    {
        bool request = m.Type.IsRequest();
        if (request && Options.Accounting)
        {
            RpcTotal++;
            BytesTotal += EncodedSize(m);
        }
        if (!LinkUp(m.From, m.To)) { MessagesDropped++; return -1; }
        return Fate(m, ref rng);
    }

    /// <summary>
    /// The random part of a message's fate under the parameters in force: -1 if lost, else its
    /// delay (requests delayed and dropped, replies dropped, then maybe long-reordered, in labrpc's
    /// order). Also used to give messages already in flight a fate when the parameters change.
    /// </summary>
    public long Fate(in Envelope m, ref Rng rng)
    {
        if (!m.Type.IsRequest()) return ReplyFate(ref rng);
        (bool delivered, long delay) = RequestFate(ref rng);
        return delivered ? delay : -1;
    }

    /// <summary>
    /// labrpc's fate of a request under the parameters in force: when unreliable it waits 0–26 ms
    /// and is then dropped 10% of the time. The delay is drawn first, so a dropped call fails after it.
    /// </summary>
    public (bool Delivered, long Delay) RequestFate(ref Rng rng)
    {
        if (Options.Reliable) return (true, 0);
        long delay = rng.Next(Options.UnreliableMaxDelayMs);
        if (rng.Chance(Options.RequestDropPerThousand)) { MessagesDropped++; return (false, delay); }
        return (true, delay);
    }

    /// <summary>labrpc's fate of a reply when its handler returns: -1 if dropped (unreliable), else its delay (maybe long-reordered).</summary>
    public long ReplyFate(ref Rng rng)
    {
        if (!Options.Reliable && rng.Chance(Options.ReplyDropPerThousand)) { MessagesDropped++; return -1; }
        return Options.LongReordering && rng.Chance(Options.LongReorderPerThousand) ? 200 + rng.Next(1 + rng.Next(2000)) : 0;
    }

    // ---- clerks (Lab 3): labrpc ends from a clerk to each server, enabled one by one by the tester ----

    private readonly List<bool[]> _clerkEnds = new();

    /// <summary>How long a call to a disabled end (or a dead server) takes to fail, without LongDelays: 0 to 99 ms (labrpc).</summary>
    public const int DisabledCallMaxMs = 100;

    /// <summary>Clerks made so far (clerk ids 0 .. Clerks − 1).</summary>
    public int Clerks => _clerkEnds.Count;

    /// <summary>Sets which of clerk <paramref name="clerk"/>'s ends are enabled (one flag per server); the next clerk id makes a new clerk.</summary>
    public void SetClerkEnds(int clerk, ReadOnlySpan<bool> enabled)
    {
        if (clerk < 0 || clerk > _clerkEnds.Count) throw new ArgumentOutOfRangeException(nameof(clerk), $"clerk {clerk} does not exist and is not the next one ({_clerkEnds.Count})");
        if (enabled.Length != Nodes) throw new ArgumentException($"a clerk has an end to each of {Nodes} servers");
        if (clerk == _clerkEnds.Count) _clerkEnds.Add(new bool[Nodes]);
        enabled.CopyTo(_clerkEnds[clerk]);
    }

    /// <summary>Whether clerk <paramref name="clerk"/>'s end to <paramref name="server"/> is enabled.</summary>
    public bool ClerkEndEnabled(int clerk, int server) => clerk >= 0 && clerk < _clerkEnds.Count && _clerkEnds[clerk][server];

    /// <summary>A clerk's call enters the network: counted in rpcTotal and bytesTotal whatever becomes of it (labrpc).</summary>
    public void CountClerkRequest(int bytes)
    {
        if (!Options.Accounting) return;
        RpcTotal++;
        BytesTotal += bytes;
    }

    /// <summary>A server's answer reached its clerk: its bytes count then (labrpc).</summary>
    public void CountClerkReply(int bytes)
    {
        MessagesDelivered++;
        if (Options.Accounting) BytesTotal += bytes;
    }

    /// <summary>Whether to deliver a second copy (beyond labrpc); returns its delay or -1.</summary>
    public long MaybeDuplicate(ref Rng rng, long delay)
    {
        if (Options.DuplicatePerThousand <= 0 || !rng.Chance(Options.DuplicatePerThousand)) return -1;
        MessagesDuplicated++;
        return delay + rng.Next(1 + Math.Max(1, Options.UnreliableMaxDelayMs));
    }

    /// <summary>A message's size on the wire as its payload reports it (<see cref="IMessagePayload"/>), else its header's (labrpc's byte counts).</summary>
    private static long EncodedSize(in Envelope m) => m.Payload is IMessagePayload p ? p.EncodedSize : HeaderBytes;

    /// <summary>What a message without a size of its own counts: a header of ten fields.</summary>
    public const int HeaderBytes = 40;

    /// <summary>
    /// At delivery: unless <see cref="NetworkOptions.LabrpcDelivery"/>, the link must still be up.
    /// Counts what arrives: a request reaches the handler (labrpc GetCount), a reply's bytes count.
    /// </summary>
    public bool Deliverable(in Envelope m)
    {
        if (!Options.LabrpcDelivery && !LinkUp(m.From, m.To)) { MessagesDropped++; return false; }
        MessagesDelivered++;
        if (!Options.Accounting) return true;
        if (m.Type.IsRequest()) _rpcCount[m.To]++;
        else BytesTotal += EncodedSize(m);
        return true;
    }
}
