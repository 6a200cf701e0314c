namespace Raft.Core.Messages;

/// <summary>
/// One log entry. Its index is implied by its position in a log or message (Figure 2 stores
/// "command for state machine, and term when entry was received by leader"). The command bytes
/// are opaque to Raft and must never be mutated once proposed: entries are shared, not copied.
/// </summary>
public readonly struct Entry
{
    public Entry(long term, byte[] command)
    {
        Term = term;
        Command = command;
    }

    public long Term { get; }
    public byte[] Command { get; }

    public override string ToString() => $"t{Term}:{Command.Length}B";
}
