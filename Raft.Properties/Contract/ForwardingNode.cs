using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Properties.Contract;

/// <summary>
/// A test-only implementation of the node contract that owns another node and forwards every call
/// to it; subclasses override what they change (another implementation, a livelocking core, ...).
/// </summary>
internal class ForwardingNode(IRaftNode inner) : IRaftNode
{
    protected IRaftNode Inner { get; } = inner;
    public int Id => Inner.Id;
    public long Term => Inner.Term;
    public int VotedFor => Inner.VotedFor;
    public Role Role => Inner.Role;
    public long CommitIndex => Inner.CommitIndex;
    public long Applied => Inner.Applied;
    public long SnapshotIndex => Inner.SnapshotIndex;
    public long SnapshotTerm => Inner.SnapshotTerm;
    public long LastIndex => Inner.LastIndex;
    public bool TryGetEntry(long index, out Entry entry) => Inner.TryGetEntry(index, out entry);
    public virtual void Step(in Message m) => Inner.Step(m);
    public virtual void Tick() => Inner.Tick();
    public virtual ProposeResult Propose(byte[] command) => Inner.Propose(command);
    public virtual void Snapshot(long index, byte[] data) => Inner.Snapshot(index, data);
    public virtual bool TryGetReady(out Ready ready) => Inner.TryGetReady(out ready);
    public virtual void Advance() => Inner.Advance();
}
