namespace Raft.Model.Events;

/// <summary>What the tester (or a recorded lab trace) does to the world between events.</summary>
public enum ControlOp : byte { Start, Crash, Connect, Disconnect, Reliable, LongReordering, CrashAfterPersist, Propose }

/// <summary>
/// One control step: the operation, the node it concerns (-1 for the network), the virtual time
/// it happened at, and its argument (a command's bytes, or on/off).
/// </summary>
public sealed record WorldControl(ControlOp Op, int Node, long At, byte[]? Command = null, bool Flag = false)
{
    public bool Equals(WorldControl? other) =>
        other is not null && Op == other.Op && Node == other.Node && At == other.At && Flag == other.Flag
        && (Command is null) == (other.Command is null) && (Command ?? []).AsSpan().SequenceEqual(other.Command ?? []);

    public override int GetHashCode() => HashCode.Combine(Op, Node, At, Flag, Command?.Length ?? -1);

    /// <summary>The network-wide operations (node -1).</summary>
    public bool IsNetwork => Op is ControlOp.Reliable or ControlOp.LongReordering;
}
