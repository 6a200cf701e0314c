using Raft.Core.Messages;

namespace Raft.Bench.Harness;

/// <summary>
/// Messages waiting for delivery, as etcd's harness keeps them in a slice: a Ready's messages are
/// appended in one block copy (Go's <c>append(queue, rd.Messages...)</c>), delivered in place,
/// and the queue is emptied by resetting its length (Go's <c>queue[:0]</c>), without clearing the
/// slots: they are overwritten by the next round's messages. The array only grows.
/// </summary>
public sealed class MessageQueue
{
    private Message[] _items = new Message[64];

    public int Count { get; private set; }

    public void AddRange(ReadOnlySpan<Message> messages)
    {
        int needed = Count + messages.Length;
        if (needed > _items.Length) Array.Resize(ref _items, Math.Max(needed, _items.Length * 2));
        messages.CopyTo(_items.AsSpan(Count));
        Count = needed;
    }

    /// <summary>The queued messages, valid until the next <see cref="AddRange"/>.</summary>
    public ReadOnlySpan<Message> Items => new(_items, 0, Count);

    public void Reset() => Count = 0;
}
