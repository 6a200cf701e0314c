using Raft.Core.Messages;

namespace Raft.Bench.Harness;

/// <summary>
/// The harness's pool of AppendEntries entry arrays (one stack per length). The harness is the
/// transport, so it knows when a message is consumed: it returns the array right after the
/// receiver's Step, which has copied the entries into the receiver's log by then.
/// </summary>
public sealed class EntryArrayPool : IEntryArrayPool
{
    private readonly Stack<Entry[]>[] _free;

    public EntryArrayPool(int maxLength)
    {
        _free = new Stack<Entry[]>[maxLength + 1];
        for (int i = 1; i <= maxLength; i++) _free[i] = new Stack<Entry[]>();
    }

    public long Rented { get; private set; }
    public long Allocated { get; private set; }

    public Entry[] Rent(int length)
    {
        Rented++;
        if (_free[length].TryPop(out Entry[]? a)) return a;
        Allocated++;
        return new Entry[length];
    }

    public void Return(Entry[] array)
    {
        if (array.Length == 0) return; // Array.Empty: never rented
        _free[array.Length].Push(array); // not cleared: the next Rent overwrites every slot, and the payloads it still references live in the harness's ring anyway

    }
}
