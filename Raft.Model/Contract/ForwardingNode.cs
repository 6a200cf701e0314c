using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Model.Contract;

/// <summary>
/// A node that owns another and forwards every call to it: derive from it and override what you
/// change (break a rule on purpose, count what the world does, wrap another implementation). Its
/// status (<see cref="IRaftNodeStatus"/>) is the inner node's.
/// </summary>
public class ForwardingNode(IRaftNode inner) : IRaftNode
{
    protected IRaftNode Inner { get; } = inner;

    public virtual int Id => Inner.Id;
    public virtual long Term => Inner.Term;
    public virtual int VotedFor => Inner.VotedFor;
    public virtual Role Role => Inner.Role;
    public virtual long CommitIndex => Inner.CommitIndex;
    public virtual long Applied => Inner.Applied;
    public virtual long SnapshotIndex => Inner.SnapshotIndex;
    public virtual long SnapshotTerm => Inner.SnapshotTerm;
    public virtual long LastIndex => Inner.LastIndex;
    public virtual bool TryGetEntry(long index, out Entry entry) => Inner.TryGetEntry(index, out entry);
    public virtual void Step(in Envelope message) => Inner.Step(message);
    public virtual void Tick() => Inner.Tick();
    public virtual ProposeResult Propose(byte[] command) => Inner.Propose(command);
    public virtual void Snapshot(long index, byte[] data) => Inner.Snapshot(index, data);
    public virtual ReadRequest ReadIndex(long requestId) => Inner.ReadIndex(requestId);
    public virtual bool TryGetReady(out Ready ready) => Inner.TryGetReady(out ready);
    public virtual void Advance() => Inner.Advance();
    public virtual IRaftNodeStatus? Status => Inner.Status;
}
