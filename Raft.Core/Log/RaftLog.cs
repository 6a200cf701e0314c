using Raft.Core.Messages;

namespace Raft.Core.Log;

/// <summary>
/// The replicated log of one node: a snapshot prefix (everything up to <see cref="SnapshotIndex"/>,
/// §7) followed by entries <c>SnapshotIndex+1 .. LastIndex</c>, plus the commit point and the
/// bookkeeping of what is not yet durable.
/// <para>Invariants: <c>SnapshotIndex ≤ Committed ≤ LastIndex</c> once entries are known;
/// terms never decrease along the log (a leader only appends entries of its own term, §5.3);
/// the durable copy equals this log below <see cref="DirtyFrom"/>.</para>
/// <para>Segments handed out for a Ready (<see cref="Share"/>) stay as they were until the Ready is
/// acknowledged (<see cref="Unshare"/>), even when the node compacts or truncates its log in between:
/// while shared, such a change copies the entries to a new array first (copy-on-write; etcd's
/// unstable log never rewrites a slice it handed out either). Appends never touch a handed-out
/// position, and a log whose Readies are handled at once is never copied.</para>
/// </summary>
public sealed class RaftLog
{
    private Entry[] _entries;
    private int _count;
    private long _rewrittenFrom = long.MaxValue; // lowest index truncated or discarded since a Ready last carried the entries
    private bool _shared; // a Ready holds segments of _entries: copy before changing any position in place

    public RaftLog(long snapshotIndex = 0, long snapshotTerm = 0, ReadOnlySpan<Entry> entries = default)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        _entries = new Entry[Math.Max(16, entries.Length * 2)];
        entries.CopyTo(_entries);
        _count = entries.Length;
        Committed = snapshotIndex;
        DirtyFrom = long.MaxValue;
    }

    /// <summary>Index of the last entry covered by the snapshot (0 when there is none).</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>Term of the entry at <see cref="SnapshotIndex"/> (0 when there is none).</summary>
    public long SnapshotTerm { get; private set; }

    /// <summary>Highest index known to be committed (Figure 2: commitIndex).</summary>
    public long Committed { get; private set; }

    /// <summary>Lowest index changed since the last persist, or <see cref="long.MaxValue"/>.</summary>
    public long DirtyFrom { get; private set; }

    public long FirstIndex => SnapshotIndex + 1;
    public long LastIndex => SnapshotIndex + _count;
    public long LastTerm => _count == 0 ? SnapshotTerm : _entries[_count - 1].Term;
    public int Count => _count;

    /// <summary>The term of the entry at <paramref name="index"/>, if it is still known.</summary>
    public bool TryTerm(long index, out long term)
    {
        if (index == SnapshotIndex) { term = SnapshotTerm; return true; }
        if (index < SnapshotIndex || index > LastIndex) { term = 0; return false; }
        term = _entries[index - SnapshotIndex - 1].Term;
        return true;
    }

    /// <summary>The term at <paramref name="index"/>, or 0 when compacted away or beyond the end.</summary>
    public long TermAt(long index) => TryTerm(index, out long t) ? t : 0;

    public bool MatchTerm(long index, long term) => TryTerm(index, out long t) && t == term;

    /// <summary>The entry at <paramref name="index"/>; it must lie in FirstIndex..LastIndex.</summary>
    public ref readonly Entry At(long index)
    {
        if (index <= SnapshotIndex || index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index} outside {FirstIndex}..{LastIndex}");
        return ref _entries[index - SnapshotIndex - 1];
    }

    /// <summary>Entries from <paramref name="from"/> to the end, without copying.</summary>
    public ReadOnlySpan<Entry> From(long from) =>
        from > LastIndex ? ReadOnlySpan<Entry>.Empty : new ReadOnlySpan<Entry>(_entries, (int)(from - SnapshotIndex - 1), (int)(LastIndex - from + 1));

    /// <summary>Entries <paramref name="from"/>..<paramref name="to"/> inclusive, as a segment valid until the log next changes (until <see cref="Unshare"/> when <see cref="Share"/> was called).</summary>
    public ArraySegment<Entry> Segment(long from, long to) =>
        to < from ? ArraySegment<Entry>.Empty : new ArraySegment<Entry>(_entries, (int)(from - SnapshotIndex - 1), (int)(to - from + 1));

    /// <summary>Segments were handed out (in a Ready): keep them valid, copying on the next in-place change, until <see cref="Unshare"/>.</summary>
    internal void Share() => _shared = true;

    /// <summary>The Ready holding segments was acknowledged: the log may change its array in place again.</summary>
    internal void Unshare() => _shared = false;

    /// <summary>Before changing positions in place: if a Ready holds segments of the array, move to a copy of it (the Ready keeps the old one).</summary>
    private void CopyIfShared()
    {
        if (!_shared) return;
        _entries = (Entry[])_entries.Clone();
        _shared = false;
    }

    /// <summary>
    /// §5.4.1: a candidate's log is at least as up-to-date as ours if its last term is higher,
    /// or the terms are equal and its log is at least as long.
    /// </summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Leader append (§5.3 "Leader Append-Only": never overwrites or deletes).</summary>
    internal long Append(in Entry entry)
    {
        EnsureCapacity(_count + 1);
        _entries[_count++] = entry;
        long index = LastIndex;
        if (index < DirtyFrom) DirtyFrom = index;
        return index;
    }

    /// <summary>
    /// Figure 2, AppendEntries receiver steps 2–5. Returns false when the log does not contain
    /// an entry at <paramref name="prevIndex"/> whose term is <paramref name="prevTerm"/>.
    /// Otherwise deletes an existing entry only on a real conflict (same index, different term)
    /// together with all that follow, appends any new entries, and advances the commit index to
    /// min(leaderCommit, index of last new entry). Entries at or below the commit index are never
    /// deleted, so SnapshotIndex ≤ Committed ≤ LastIndex always holds.
    /// </summary>
    internal bool MaybeAppend(long prevIndex, long prevTerm, ReadOnlySpan<Entry> entries, long leaderCommit, out long lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(prevIndex, prevTerm)) return false;
        lastNewIndex = prevIndex + entries.Length;
        for (int j = 0; j < entries.Length; j++)
        {
            long index = prevIndex + 1 + j;
            if (index <= Committed) continue; // committed here, so it matches the leader's (§5.4): never truncated
            if (index > LastIndex)
            {
                AppendRange(entries[j..]);
                break;
            }
            if (_entries[index - SnapshotIndex - 1].Term != entries[j].Term)
            {
                TruncateFrom(index);
                AppendRange(entries[j..]);
                break;
            }
        }
        if (leaderCommit > Committed) CommitTo(Math.Min(leaderCommit, lastNewIndex));
        return true;
    }

    /// <summary>
    /// The fast-backup hint for a rejected AppendEntries at <paramref name="prevIndex"/>:
    /// if our log is too short, (LastIndex+1, term 0); otherwise the term we hold at prevIndex
    /// and the first index we hold with that term.
    /// </summary>
    public (long Index, long Term) ConflictHint(long prevIndex)
    {
        if (prevIndex > LastIndex) return (LastIndex + 1, 0);
        long term = TermAt(prevIndex);
        long first = prevIndex;
        while (first - 1 > SnapshotIndex && _entries[first - 1 - SnapshotIndex - 1].Term == term) first--;
        return (first, term);
    }

    /// <summary>Largest index holding <paramref name="term"/>, or 0 if no retained entry has it. Binary search: terms never decrease along the log.</summary>
    public long LastIndexOfTerm(long term)
    {
        int lo = 0, hi = _count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long t = _entries[mid].Term;
            if (t <= term) { if (t == term) found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found >= 0) return SnapshotIndex + 1 + found;
        return SnapshotTerm == term && SnapshotIndex > 0 ? SnapshotIndex : 0;
    }

    /// <summary>Raises the commit index; it never decreases.</summary>
    internal void CommitTo(long index)
    {
        if (index <= Committed) return;
        if (index > LastIndex)
            throw new InvalidOperationException($"commit index {index} beyond last index {LastIndex}");
        Committed = index;
    }

    /// <summary>Copies entries from <paramref name="from"/> for a message, bounded by count and bytes (at least one entry if any).</summary>
    public Entry[] Slice(long from, int maxCount, long maxBytes) => Slice(from, maxCount, maxBytes, null);

    /// <summary>As <see cref="Slice(long, int, long)"/>, taking the array from <paramref name="pool"/> when one is given.</summary>
    public Entry[] Slice(long from, int maxCount, long maxBytes, IEntryArrayPool? pool)
    {
        if (from > LastIndex) return Array.Empty<Entry>();
        int start = (int)(from - SnapshotIndex - 1);
        int n = 0;
        long bytes = 0;
        while (start + n < _count && n < maxCount)
        {
            bytes += _entries[start + n].Command.Length + 8;
            if (n > 0 && bytes > maxBytes) break;
            n++;
        }
        if (n == 0) return Array.Empty<Entry>();
        Entry[] result = pool is null ? new Entry[n] : pool.Rent(n);
        if (result.Length != n) throw new InvalidOperationException($"the entry array pool returned {result.Length} entries for {n}");
        Array.Copy(_entries, start, result, 0, n);
        return result;
    }

    /// <summary>
    /// Discards entries up to <paramref name="index"/> after the service snapshotted them (§7).
    /// The entry at <paramref name="index"/> must be retained; its term becomes the snapshot term.
    /// </summary>
    internal void CompactTo(long index)
    {
        if (index <= SnapshotIndex) return;
        if (index > LastIndex) throw new ArgumentOutOfRangeException(nameof(index), $"cannot compact to {index} beyond last index {LastIndex}");
        long term = TermAt(index);
        int drop = (int)(index - SnapshotIndex);
        CopyIfShared();
        Array.Copy(_entries, drop, _entries, 0, _count - drop);
        Array.Clear(_entries, _count - drop, drop);
        _count -= drop;
        SnapshotIndex = index;
        SnapshotTerm = term;
        if (Committed < index) Committed = index;
        if (DirtyFrom <= index) DirtyFrom = index + 1; // the snapshot now covers the dirty prefix
    }

    /// <summary>
    /// Installs a leader's snapshot (Figure 13, receiver steps 6–7): if we hold an entry with the
    /// snapshot's index and term, keep the entries after it; otherwise discard the whole log.
    /// A snapshot at or below the commit index is ignored.
    /// </summary>
    internal void RestoreSnapshot(long index, long term)
    {
        if (index <= Committed) return; // never move back: everything up to the commit index is already settled
        if (MatchTerm(index, term) && index <= LastIndex)
        {
            CompactTo(index);
        }
        else
        {
            CopyIfShared();
            Array.Clear(_entries, 0, _count);
            _count = 0;
            SnapshotIndex = index;
            SnapshotTerm = term;
            DirtyFrom = index + 1; // tell the disk to drop everything it holds after the snapshot
            _rewrittenFrom = index + 1;
        }
        if (Committed < index) Committed = index;
    }

    /// <summary>
    /// Like <see cref="MaybeAppend"/> without the commit, but drops every entry after
    /// <paramref name="prevIndex"/> and appends <paramref name="entries"/>, whether or not they
    /// conflict. Used only by rules that do not truncate only on conflict (Figure 2 allows
    /// deleting entries only on a real conflict).
    /// </summary>
    internal bool ReplaceAfter(long prevIndex, long prevTerm, ReadOnlySpan<Entry> entries, out long lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(prevIndex, prevTerm)) return false;
        lastNewIndex = prevIndex + entries.Length;
        ReplaceAfter(prevIndex, entries);
        return true;
    }

    private void ReplaceAfter(long prevIndex, ReadOnlySpan<Entry> entries)
    {
        long from = Math.Max(prevIndex + 1, SnapshotIndex + 1);
        int skip = (int)(from - prevIndex - 1);
        if (from <= LastIndex) TruncateFrom(from);
        if (skip < entries.Length) AppendRange(entries[skip..]);
    }

    /// <summary>Marks everything as durable (called once the world has persisted the Ready).</summary>
    internal void MarkStable()
    {
        DirtyFrom = long.MaxValue;
        _rewrittenFrom = long.MaxValue;
    }

    /// <summary>A Ready now carries the dirty entries: rewrites are tracked from here for <see cref="StableTo"/>.</summary>
    internal void NoteWriteHandedOut() => _rewrittenFrom = long.MaxValue;

    /// <summary>
    /// The entries <paramref name="from"/>..<paramref name="through"/> (the last with
    /// <paramref name="term"/>) that a Ready carried are now durable (etcd's stableTo). They stay
    /// dirty if the log was rewritten below <paramref name="from"/> since, and only the part
    /// before a rewrite inside them becomes durable; entries appended after them stay dirty.
    /// </summary>
    internal void StableTo(long from, long through, long term)
    {
        long rewritten = _rewrittenFrom;
        _rewrittenFrom = long.MaxValue;
        if (DirtyFrom < from) return; // rewritten below what was written: the disk must be rewritten from there
        long durable = Math.Min(through, rewritten - 1);
        if (durable == through && !MatchTerm(through, term)) return; // not the entry that was written (defensive)
        if (durable + 1 < DirtyFrom) return; // e.g. compacted since: DirtyFrom already lies past what was written
        DirtyFrom = durable + 1 > LastIndex ? long.MaxValue : durable + 1;
    }

    private void TruncateFrom(long index)
    {
        int keep = (int)(index - SnapshotIndex - 1);
        CopyIfShared();
        Array.Clear(_entries, keep, _count - keep);
        _count = keep;
        if (index < DirtyFrom) DirtyFrom = index;
        if (index < _rewrittenFrom) _rewrittenFrom = index;
    }

    private void AppendRange(ReadOnlySpan<Entry> entries)
    {
        if (entries.Length == 0) return;
        EnsureCapacity(_count + entries.Length);
        long first = LastIndex + 1;
        entries.CopyTo(_entries.AsSpan(_count));
        _count += entries.Length;
        if (first < DirtyFrom) DirtyFrom = first;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _entries.Length) return;
        int size = _entries.Length * 2;
        while (size < needed) size *= 2;
        Array.Resize(ref _entries, size);
    }
}
