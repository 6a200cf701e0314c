namespace Raft.Core.Messages;

/// <summary>
/// Where a leader takes the <see cref="Entry"/> arrays its AppendEntries messages carry, when the
/// caller supplies one (<see cref="Node.RaftOptions.EntryArrayPool"/>). Only the transport knows
/// when a message is consumed (delivered and stepped, encoded, or dropped; the lab's network
/// delays, duplicates and reorders them), so it is the transport that returns an array to its
/// pool, and only then. The node never returns, reads back or keeps an array it rented: it fills
/// it and puts it in exactly one message. A follower copies the entries it accepts into its own
/// log, so an array can be reused as soon as <c>Step</c> on the receiver has returned.
/// <para>Without a pool (the default) every message gets a fresh array, which is always safe.</para>
/// </summary>
public interface IEntryArrayPool
{
    /// <summary>An array of exactly <paramref name="length"/> entries (length ≥ 1) that nothing else uses until it is returned.</summary>
    Entry[] Rent(int length);
}
