using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Model.Network;

/// <summary>
/// The world's pool of AppendEntries entry arrays (<see cref="IEntryArrayPool"/>): every node of a
/// world rents from it, and the world's transport (the in-flight list of <c>World</c>) returns an
/// array when it is done with the message that carries it, as the pool's contract asks. That is
/// late and asynchronous, never at the send: when the message (its last copy, if the network
/// duplicated it) is delivered and its receiver's <c>Step</c> has returned, or is dropped, lost at
/// sending or on arrival, or discarded because its receiver crashed. A returned array is cleared
/// (its entries become <c>default</c>, a null command), so a node that still reads it fails at once,
/// and the most recently returned array of a length is the next one rented, so a node that still
/// holds it sees it reused at once.
/// <para>The pool also checks the contract from what the transport observes, never from the
/// node's claims. Each array it hands out is in one of three states: free, rented (by a node, not
/// yet in a message), or in flight (carried by a message the network holds). A node breaks the
/// contract when it sends an array that is in flight in another message (it put one array in two
/// messages, or reused one it had sent), or one that came back to the pool (it kept an array after
/// sending it); and the entries of a message must be, when it arrives, exactly those it left with
/// (a node wrote into an array in flight). <see cref="OnSent"/> and <see cref="Intact"/> return a
/// description of such a breach, which the world reports as a <c>CoreError</c> violation.</para>
/// <para>Allocation-light: an array and a copy of what it carried are allocated once and reused;
/// returning, renting and checking allocate nothing. Deterministic: the free lists are stacks, and
/// the array-to-slot map is only looked up, never enumerated.</para>
/// </summary>
public sealed class EntryPool : IEntryArrayPool
{
    /// <summary>
    /// Put in <see cref="RaftOptions.EntryArrayPool"/> to ask a world for pooled entry arrays: the
    /// world (the only transport that knows when a message is consumed) replaces it with its own
    /// <see cref="EntryPool"/>. Any other non-null pool in a world's options means the same. Used
    /// outside a world it allocates a fresh array per message, which is always safe.
    /// </summary>
    public static IEntryArrayPool WorldOwned { get; } = new WorldOwnedRequest();

    /// <summary>Whether <paramref name="options"/> ask for pooled entry arrays.</summary>
    public static bool IsRequested(RaftOptions options) => options.EntryArrayPool is not null;

    private enum State : byte { Free, Rented, InFlight }

    private sealed class Slot(Entry[] array)
    {
        public readonly Entry[] Array = array;
        public readonly Entry[] Sent = new Entry[array.Length]; // what the message carried when it left
        public State State;
        public int Copies;   // copies of the message the network holds (a duplicate adds one)
        public long Message; // the message that carries (or last carried) the array
        public int Sender;
    }

    private readonly List<Slot> _slots = new();
    private readonly Dictionary<Entry[], int> _slotOf = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, Stack<int>> _free = new();

    /// <summary>Arrays handed out (rents).</summary>
    public long Rents { get; private set; }

    /// <summary>Arrays allocated (rents that found no free array of their length).</summary>
    public int Allocated => _slots.Count;

    /// <summary>Arrays returned to the pool.</summary>
    public long Returns { get; private set; }

    public Entry[] Rent(int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"an entry array needs at least one entry (asked for {length})");
        Rents++;
        int slot;
        if (_free.TryGetValue(length, out Stack<int>? free) && free.Count > 0) slot = free.Pop();
        else
        {
            slot = _slots.Count;
            var s = new Slot(new Entry[length]);
            _slots.Add(s);
            _slotOf.Add(s.Array, slot);
        }
        _slots[slot].State = State.Rented;
        return _slots[slot].Array;
    }

    /// <summary>
    /// Node <paramref name="from"/> sent <paramref name="entries"/> as message <paramref name="id"/>:
    /// the array is in flight from now on (with no copy held yet: <see cref="AddCopy"/> for each the
    /// network keeps). Returns the array's slot, or -1 when it is not this pool's (an empty array, or
    /// one the node allocated itself). <paramref name="breach"/> names a breach of the contract.
    /// </summary>
    public int OnSent(Entry[]? entries, int from, long id, out string? breach)
    {
        breach = null;
        if (entries is null || entries.Length == 0 || !_slotOf.TryGetValue(entries, out int slot)) return -1;
        Slot s = _slots[slot];
        if (s.State == State.InFlight)
        {
            breach = $"node {from} put the entry array of message #{s.Message} (from node {s.Sender}), still in flight, into message #{id} as well: a pooled array belongs to exactly one message until the transport returns it";
            return -1;
        }
        if (s.State == State.Free)
        {
            breach = $"node {from} sent message #{id} with an entry array it no longer held: the transport had returned it to the pool after message #{s.Message}";
            return -1;
        }
        s.State = State.InFlight;
        s.Copies = 0;
        s.Message = id;
        s.Sender = from;
        System.Array.Copy(s.Array, s.Sent, s.Array.Length);
        return slot;
    }

    /// <summary>The network holds one more copy of the message in <paramref name="slot"/> (it was admitted, or duplicated).</summary>
    public void AddCopy(int slot) => _slots[slot].Copies++;

    /// <summary>
    /// Null when the message in <paramref name="slot"/> still carries exactly the entries it left
    /// with (same terms, same command arrays); otherwise what changed, naming the first entry.
    /// </summary>
    public string? Intact(int slot)
    {
        Slot s = _slots[slot];
        Entry[] now = s.Array, sent = s.Sent;
        for (int k = 0; k < now.Length; k++)
        {
            if (now[k].Term == sent[k].Term && ReferenceEquals(now[k].Command, sent[k].Command)) continue;
            return $"the entries of message #{s.Message} (from node {s.Sender}) changed while it was in flight: entry {k + 1} of {now.Length} left as {Describe(sent[k])} and arrives as {Describe(now[k])}; a node wrote into a pooled array it had handed to the transport";
        }
        return null;
    }

    /// <summary>The network is done with one copy of the message in <paramref name="slot"/>; the last one returns the array, cleared.</summary>
    public void Release(int slot)
    {
        Slot s = _slots[slot];
        if (s.State != State.InFlight || s.Copies < 1)
            throw new InvalidOperationException($"the transport returned the entry array of message #{s.Message} more often than the network held it");
        if (--s.Copies > 0) return;
        s.State = State.Free;
        System.Array.Clear(s.Array);
        Returns++;
        if (!_free.TryGetValue(s.Array.Length, out Stack<int>? free)) _free[s.Array.Length] = free = new Stack<int>();
        free.Push(slot);
    }

    /// <summary>Arrays in flight now (for tests).</summary>
    public int InFlight
    {
        get
        {
            int n = 0;
            foreach (Slot s in _slots) if (s.State == State.InFlight) n++;
            return n;
        }
    }

    private static string Describe(in Entry e) => e.Command is null ? "a cleared entry" : $"term {e.Term} with a {e.Command.Length}-byte command";

    /// <summary>The request for a world's pool; outside a world it allocates, as no pool does.</summary>
    private sealed class WorldOwnedRequest : IEntryArrayPool
    {
        public Entry[] Rent(int length) => new Entry[length];
    }
}
