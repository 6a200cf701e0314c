namespace Raft.Etcd;

/// <summary>The shim's operation codes (the first byte of each command).</summary>
public enum EtcdOp : byte
{
    Hello = 0, Start = 1, Crash = 2, Step = 3, Tick = 4, Propose = 5, Snapshot = 6, Ready = 7,
    Persist = 8, Advance = 9, Handle = 10, Status = 11, ReportSnapshot = 12, ReportUnreachable = 13, View = 14, Take = 15, ReadIndex = 16,
}

/// <summary>The result of one command of a batch, in command order.</summary>
public abstract record EtcdResult(EtcdOp Op, int Node);

/// <summary>start, crash, tick, advance, report-*: nothing to say beyond success.</summary>
public sealed record EtcdDone(EtcdOp Op, int Node) : EtcdResult(Op, Node);

public sealed record EtcdHelloResult(int ProtocolVersion, string EtcdVersion) : EtcdResult(EtcdOp.Hello, -1);

public sealed record EtcdStepResult(int Node, EtcdStepOutcome Outcome) : EtcdResult(EtcdOp.Step, Node);

/// <summary>As the lab's Start(): index and term of the new entry, and whether the node leads. Index is 0 when dropped.</summary>
public sealed record EtcdProposeResult(int Node, bool Accepted, ulong Index, ulong Term, bool IsLeader) : EtcdResult(EtcdOp.Propose, Node);

/// <summary>The term of the entry at the snapshot's index (for the host's disk).</summary>
public sealed record EtcdSnapshotResult(int Node, ulong Term) : EtcdResult(EtcdOp.Snapshot, Node);

/// <summary>ready or handle: null when the node had nothing to do.</summary>
public sealed record EtcdReadyResult(EtcdOp Op, int Node, EtcdReady? Ready) : EtcdResult(Op, Node);

/// <summary>persist: the Ready's messages, sendable now that its writes are durable.</summary>
public sealed record EtcdPersistResult(int Node, IReadOnlyList<EtcdMessage> Messages) : EtcdResult(EtcdOp.Persist, Node);

/// <summary>read-index: Accepted when the node leads and etcd took the request (a later Ready's <see cref="EtcdReady.ReadStates"/> confirm it); else the node is not leader and nothing was asked.</summary>
public sealed record EtcdReadIndexResult(int Node, bool Accepted) : EtcdResult(EtcdOp.ReadIndex, Node);

public sealed record EtcdStatusResult(int Node, EtcdStatus Status) : EtcdResult(EtcdOp.Status, Node);

public sealed record EtcdViewResult(int Node, EtcdView View) : EtcdResult(EtcdOp.View, Node);

public enum EtcdShimFailure
{
    /// <summary>The shim binary is missing or could not be built or started.</summary>
    Missing,
    /// <summary>The shim process ended (crashed, killed, or refused a garbage frame).</summary>
    Exited,
    /// <summary>The shim's response did not parse: garbage or truncated.</summary>
    Protocol,
    /// <summary>The shim answered a command with an error result; the shim is still usable.</summary>
    CommandFailed,
    /// <summary>No response within the timeout; the shim was killed.</summary>
    Timeout,
}

/// <summary>Any failure at the shim boundary, with a one-line message.</summary>
public sealed class EtcdShimException(EtcdShimFailure failure, string message, int commandIndex = -1)
    : Exception(message)
{
    public EtcdShimFailure Failure { get; } = failure;

    /// <summary>For CommandFailed: the failing command's position in its batch; the ones before it ran, the ones after did not.</summary>
    public int CommandIndex { get; } = commandIndex;
}
