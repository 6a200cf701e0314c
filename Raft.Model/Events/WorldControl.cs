using Raft.Model.Network;

namespace Raft.Model.Events;

/// <summary>What the tester (or a recorded lab trace) does to the world between events.</summary>
/// <remarks>
/// Heal, Stabilise and Deadline are the explorer's liveness phase: faults stop and the network
/// heals, the network becomes stable, the tester's one() gives up; Guard is a livelock guard's verdict.
/// <para>ClerkEnds, ClerkCall and Partition are the kvraft tester's (Lab 3): ClerkEnds sets which ends
/// of a clerk are enabled (makeClient, ConnectClient, DisconnectClient; <see cref="WorldControl.Command"/>
/// holds the clerk id as two bytes, big-endian, then one byte per server, 1 for enabled); ClerkCall is a
/// clerk's RPC to server <see cref="WorldControl.Node"/> (the command is the operation, with the clerk id
/// as its client); Partition connects servers within groups only (one group byte per server).</para>
/// </remarks>
public enum ControlOp : byte { Start, Crash, Connect, Disconnect, Reliable, LongReordering, CrashAfterPersist, Propose, Heal, Stabilise, Deadline, Guard, ClerkEnds, ClerkCall, Partition }

/// <summary>
/// One control step: the operation, the node it concerns (-1 for the network), the virtual time
/// it happened at, and its argument (a command's bytes, or on/off).
/// </summary>
/// <param name="Network">Heal and Stabilise: the network's parameters from this step on (not written to traces: the swarm parameters in the header give them).</param>
/// <param name="BoundMs">Deadline: the bound after stabilisation that one() was given; Stabilise: the election-progress window.</param>
public sealed record WorldControl(ControlOp Op, int Node, long At, byte[]? Command = null, bool Flag = false, NetworkOptions? Network = null, long BoundMs = 0)
{
    public bool Equals(WorldControl? other) =>
        other is not null && Op == other.Op && Node == other.Node && At == other.At && Flag == other.Flag && BoundMs == other.BoundMs
        && (Command is null) == (other.Command is null) && (Command ?? []).AsSpan().SequenceEqual(other.Command ?? []);

    public override int GetHashCode() => HashCode.Combine(Op, Node, At, Flag, BoundMs, Command?.Length ?? -1);

    /// <summary>The network-wide operations (node -1).</summary>
    public bool IsNetwork => Op is ControlOp.Reliable or ControlOp.LongReordering or ControlOp.ClerkEnds or ControlOp.Partition;

    /// <summary>The liveness phase's operations (an explored trace's steps after its fault phase).</summary>
    public bool IsLiveness => Op is ControlOp.Heal or ControlOp.Stabilise or ControlOp.Deadline or ControlOp.Guard;
}
