using Raft.Core.Node;
using Raft.Model.Contract;
using Raft.Model.Events;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Histories;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Properties.Etcd;

/// <summary>
/// A scripted schedule of the world (docs/etcd.md, finding 9) that walks etcd's lease gap: elect a
/// leader L, cut L off (an Isolate partition), let time pass on the shared clock (no drift: every
/// rate is 1) until the others elect N and N commits its entry, then stop the clock (no more timer
/// events) while a client writes through N and another client, whose node is L, reads by ReadIndex.
/// L still leads (its CheckQuorum has not come round), confirms the read at once and serves it.
/// The strategy sees the world (ScheduleRunner's onWorld) and ends the schedule (-1) when the read
/// is answered or when the seed's draws do not fit the script.
/// </summary>
internal sealed class EtcdLeaseScript : IStrategy
{
    private World? _world;
    private KvOp[][] _ops = [];
    private int[] _next = [], _target = [];
    private readonly Queue<int> _choices = new();
    private int _phase, _leader = -1, _newLeader = -1, _writer = -1, _reader = -1;

    public string Name => "etcd-lease-script";

    /// <summary>Why the script gave up, or null.</summary>
    public string? GaveUp { get; private set; }

    public bool ReadServed { get; private set; }

    public void Attach(World world, ulong scheduleSeed, int clients, int ops)
    {
        _world = world;
        _ops = World.DrawClientOps(scheduleSeed, clients, ops);
        _next = new int[clients];
        _target = Enumerable.Range(0, clients).Select(c => c % world.Size).ToArray();
    }

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) { }

    public int Choose(int n) => _choices.Count > 0 ? _choices.Dequeue() : 0;

    private int Stop(string why)
    {
        GaveUp = why;
        return -1;
    }

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        World w = _world!;
        IRaftNode? Node(int i) => w.Cluster.Node(i);
        int Find(Func<EnabledEvent, bool> p)
        {
            for (int k = 0; k < enabled.Count; k++) if (p(enabled[k])) return k;
            return -1;
        }
        int deliver = Find(e => e.Kind == EventKind.Deliver);
        int timeout = Find(e => e.Kind == EventKind.Timeout);
        switch (_phase)
        {
            case 0: // elect a leader and commit its entry everywhere
            {
                int l = Enumerable.Range(0, w.Size).FirstOrDefault(i => Node(i)?.Role == Role.Leader, -1);
                if (l >= 0 && deliver < 0 && Enumerable.Range(0, w.Size).All(i => Node(i)!.CommitIndex == Node(l)!.LastIndex))
                {
                    _leader = l;
                    _phase = 1;
                    _choices.Enqueue(0); // Isolate
                    _choices.Enqueue(l);
                    int partition = Find(e => e.Kind == EventKind.Partition);
                    return partition >= 0 ? partition : Stop("no partition event");
                }
                return deliver >= 0 ? deliver : timeout >= 0 ? timeout : Stop("nothing to run while electing");
            }
            case 1: // time passes until another node leads with its entry committed
            {
                if (Node(_leader)?.Role != Role.Leader) return Stop("the old leader stepped down first");
                int n = Enumerable.Range(0, w.Size).FirstOrDefault(i => i != _leader && Node(i)?.Role == Role.Leader, -1);
                int useful = Find(e => e.Kind == EventKind.Deliver && w.MessageOf(e.MessageId).From != _leader && e.Node != _leader);
                if (n >= 0 && useful < 0 && Node(n)!.CommitIndex == Node(n)!.LastIndex)
                {
                    _newLeader = n;
                    if (!PickClients()) return Stop("no writer and reader on one key that fit the roles");
                    _phase = 2;
                    return Pick(enabled, step);
                }
                return useful >= 0 ? useful : deliver >= 0 ? deliver : timeout >= 0 ? timeout : Stop("nothing to run while electing anew");
            }
            case 2: // no more timer events: the writer's op goes through the new leader
            {
                int reply = Find(e => e.Kind == EventKind.ClientReply && e.MessageId == _writer);
                if (reply >= 0) { _next[_writer]++; _phase = 3; return reply; }
                int useful = Find(e => e.Kind == EventKind.Deliver && w.MessageOf(e.MessageId).From != _leader && e.Node != _leader);
                if (useful >= 0) return useful;
                int send = Find(e => e.Kind == EventKind.ClientSend && e.MessageId == _writer);
                if (send >= 0) { _target[_writer] = enabled[send].Node; return send; }
                return Stop("the write did not go through");
            }
            case 3: // the reader asks the old leader
            {
                if (Node(_leader)?.Role != Role.Leader) return Stop("the old leader stepped down before the read");
                int reply = Find(e => e.Kind == EventKind.ClientReply && e.MessageId == _reader);
                if (reply >= 0) { ReadServed = true; _phase = 4; return reply; }
                int send = Find(e => e.Kind == EventKind.ClientSend && e.MessageId == _reader && e.Node == _leader);
                if (send >= 0) return send;
                return Stop("the old leader did not answer the read");
            }
            default:
                return -1; // done: the history is checked now
        }
    }

    /// <summary>A writer whose next op writes key k and whose node is the new leader (or the node before it, which says NotLeader); a reader whose node is the old leader and whose next op reads k.</summary>
    private bool PickClients()
    {
        for (int r = 0; r < _ops.Length; r++)
        {
            if (_target[r] != _leader || _next[r] >= _ops[r].Length || _ops[r][_next[r]].Kind != OpKind.Get) continue;
            string key = _ops[r][_next[r]].Key;
            for (int c = 0; c < _ops.Length; c++)
            {
                if (c == r || _next[c] >= _ops[c].Length) continue;
                KvOp op = _ops[c][_next[c]];
                if (op.Kind == OpKind.Get || op.Key != key) continue;
                bool reaches = _target[c] == _newLeader; // a follower's NotLeader would send it on to target + 1, perhaps the old leader
                if (!reaches) continue;
                (_writer, _reader) = (c, r);
                return true;
            }
        }
        return false;
    }
}
