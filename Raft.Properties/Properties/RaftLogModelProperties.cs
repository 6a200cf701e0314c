using FsCheck;
using FsCheck.Fluent;
using Raft.Core.Log;
using Raft.Core.Messages;
using Xunit.Abstractions;

namespace Raft.Properties.Properties;

public enum LogOpKind { Append, MaybeAppend, CompactTo, RestoreSnapshot, CommitTo, Persist }

/// <summary>
/// One operation on a log, with its arguments given relative to the state it meets (so that any
/// subsequence of operations is still meaningful, which is what makes shrinking work):
/// selectors are reduced modulo the range that makes sense at that point, and entry terms are
/// codes. Realistic by construction: a leader appends terms that never decrease, compaction goes
/// no further than the commit index, and no AppendEntries conflicts with a committed entry
/// (Leader Completeness guarantees that of a real leader; the node also skips that prefix).
/// </summary>
public sealed record LogOp(LogOpKind Kind, int A, int B, int C, int[] Codes)
{
    public override string ToString() => Kind switch
    {
        LogOpKind.Append => $"Append(+{A})",
        LogOpKind.MaybeAppend => $"MaybeAppend(prev#{A}, {(B == 0 ? "match" : B == 1 ? "term+1" : "term-1")}, commit#{C}, [{string.Join(",", Codes)}])",
        LogOpKind.CompactTo => $"CompactTo(#{A})",
        LogOpKind.RestoreSnapshot => $"RestoreSnapshot(#{A}, {(B == 0 ? "match" : "other term")})",
        LogOpKind.CommitTo => $"CommitTo(#{A})",
        _ => "Persist",
    };
}

/// <summary>A log restored from disk (snapshot plus entries, all durable) and the operations to run on it.</summary>
public sealed record LogCase(long SnapshotIndex, long SnapshotTerm, int[] InitialTermSteps, LogOp[] Ops)
{
    public override string ToString() =>
        $"log(snapshot {SnapshotIndex}/t{SnapshotTerm}, +[{string.Join(",", InitialTermSteps)}]): {string.Join("; ", Ops.Select(o => o.ToString()))}";
}

/// <summary>
/// The reference log, written straight from Figure 2 and Figure 13 with lists: entries after the
/// snapshot, the snapshot's index and term, and the commit index (which never decreases).
/// </summary>
internal sealed class LogModel
{
    public long SnapshotIndex;
    public long SnapshotTerm;
    public long Committed;
    public readonly List<(long Term, byte[] Command)> Entries = new();

    public long LastIndex => SnapshotIndex + Entries.Count;
    public long LastTerm => Entries.Count == 0 ? SnapshotTerm : Entries[^1].Term;

    /// <summary>The term at <paramref name="i"/>, or null when it is compacted away or beyond the end.</summary>
    public long? Term(long i) =>
        i == SnapshotIndex ? SnapshotTerm : i > SnapshotIndex && i <= LastIndex ? Entries[(int)(i - SnapshotIndex - 1)].Term : null;

    public byte[] Command(long i) => Entries[(int)(i - SnapshotIndex - 1)].Command;

    /// <summary>AppendEntries receiver steps 2–5.</summary>
    public bool MaybeAppend(long prev, long prevTerm, Entry[] entries, long leaderCommit, out long lastNew)
    {
        lastNew = 0;
        // 2. reply false if the log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm
        if (Term(prev) != prevTerm) return false;
        for (int j = 0; j < entries.Length; j++)
        {
            long index = prev + 1 + j;
            if (index > LastIndex)
            {
                // 4. append any new entries not already in the log
                foreach (Entry e in entries[j..]) Entries.Add((e.Term, e.Command));
                break;
            }
            if (Term(index) != entries[j].Term)
            {
                // 3. an existing entry conflicts with a new one (same index, different term): delete it and all that follow
                Entries.RemoveRange((int)(index - SnapshotIndex - 1), (int)(LastIndex - index + 1));
                foreach (Entry e in entries[j..]) Entries.Add((e.Term, e.Command));
                break;
            }
            // same index and term: the same entry; nothing is deleted
        }
        lastNew = prev + entries.Length;
        // 5. if leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry) (never backwards)
        if (leaderCommit > Committed) Committed = Math.Max(Committed, Math.Min(leaderCommit, lastNew));
        return true;
    }

    /// <summary>§7: the service snapshotted through <paramref name="index"/>; drop the entries it covers.</summary>
    public void CompactTo(long index)
    {
        if (index <= SnapshotIndex) return;
        long term = Term(index)!.Value;
        Entries.RemoveRange(0, (int)(index - SnapshotIndex));
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Figure 13 receiver steps 6–7: keep the entries after a matching entry, else discard the whole log.</summary>
    public void RestoreSnapshot(long index, long term)
    {
        if (index <= LastIndex && Term(index) == term && index >= SnapshotIndex)
        {
            CompactTo(index);
        }
        else
        {
            Entries.Clear();
            SnapshotIndex = index;
            SnapshotTerm = term;
        }
        Committed = Math.Max(Committed, index);
    }
}

/// <summary>
/// <see cref="RaftLog"/> against <see cref="LogModel"/> under generated sequences of Append,
/// MaybeAppend, CompactTo, RestoreSnapshot, CommitTo and Persist: after every operation the two
/// agree on LastIndex, the term at every retained index, the commands, the commit index and
/// the snapshot; the log's own invariants hold; and writing from DirtyFrom as the Ready does
/// makes a disk copy equal to the log.
/// </summary>
public sealed class RaftLogModelProperties : IClassFixture<FsCheckKnobs<RaftLogModelProperties>>
{
    public RaftLogModelProperties(ITestOutputHelper output) => output.WriteLine(PropertyConfig.RerunHint(typeof(RaftLogModelProperties)));

    /// <summary>One unconstrained call on a <see cref="RaftLog"/>: 0 Append, 1 MaybeAppend, 2 CommitTo, 3 RestoreSnapshot.</summary>
    public sealed record UnconstrainedOp(int Kind, int A, int B, int[] Terms)
    {
        public override string ToString() => $"({Kind}, {A}, {B}, [{string.Join(",", Terms)}])";
    }

    /// <summary>A sequence of unconstrained calls.</summary>
    public sealed record UnconstrainedCalls(UnconstrainedOp[] Ops)
    {
        public override string ToString() => string.Join("; ", Ops.Select(o => o.ToString()));
    }

    /// <summary>The generators and shrinkers of these properties, as FsCheck.Xunit's Arbitrary class.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<LogCase> Cases() => Arb.From(CaseGen, Shrink);

        public static Arbitrary<UnconstrainedCalls> Calls()
        {
            Gen<UnconstrainedOp> op =
                from kind in Gen.Choose(0, 3)
                from a in Gen.Choose(0, 12)
                from b in Gen.Choose(0, 12)
                from terms in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 4), n))
                select new UnconstrainedOp(kind, a, b, terms.Order().ToArray());
            return Arb.From(Gen.Choose(1, 20).SelectMany(n => Gen.ArrayOf(op, n)).Select(ops => new UnconstrainedCalls(ops)));
        }
    }

    private static readonly Gen<int> Selector = Gen.Choose(0, 1000);

    private static readonly Gen<LogOp> OpGen = Gen.Frequency(
        (4, Gen.Choose(0, 2).Select(a => new LogOp(LogOpKind.Append, a, 0, 0, []))),
        (6, from a in Selector
            from b in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
            from c in Selector
            from n in Gen.Choose(0, 5)
            from codes in Gen.ArrayOf(Gen.Choose(0, 3), n)
            select new LogOp(LogOpKind.MaybeAppend, a, b, c, codes)),
        (2, Selector.Select(a => new LogOp(LogOpKind.CompactTo, a, 0, 0, []))),
        (1, Gen.Zip(Selector, Gen.Choose(0, 2), (a, b) => new LogOp(LogOpKind.RestoreSnapshot, a, b, 0, []))),
        (2, Selector.Select(a => new LogOp(LogOpKind.CommitTo, a, 0, 0, []))),
        (2, Gen.Constant(new LogOp(LogOpKind.Persist, 0, 0, 0, []))));

    private static readonly Gen<LogCase> CaseGen =
        from snapshot in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 6)))
        from snapshotTerm in Gen.Choose(1, 3)
        from initialCount in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 6)))
        from steps in Gen.ArrayOf(Gen.Choose(0, 1), initialCount)
        from n in Gen.Sized(size => Gen.Choose(1, Math.Max(1, Math.Min(40, size))))
        from ops in Gen.ArrayOf(OpGen, n)
        select new LogCase(snapshot, snapshot == 0 ? 0 : snapshotTerm, steps, ops);

    private static IEnumerable<LogCase> Shrink(LogCase c)
    {
        for (int size = Math.Max(1, c.Ops.Length / 2); size >= 1; size /= 2)
        {
            for (int start = 0; start + size <= c.Ops.Length; start += size)
                if (c.Ops.Length > size) yield return c with { Ops = c.Ops.Take(start).Concat(c.Ops.Skip(start + size)).ToArray() };
            if (size == 1) break;
        }
        if (c.InitialTermSteps.Length > 0) yield return c with { InitialTermSteps = [] };
        if (c.SnapshotIndex > 0) yield return c with { SnapshotIndex = 0, SnapshotTerm = 0 };
        for (int k = 0; k < c.Ops.Length; k++)
            if (c.Ops[k].Codes.Length > 0)
                yield return c with { Ops = c.Ops.Select((o, j) => j == k ? o with { Codes = o.Codes[..^1] } : o).ToArray() };
    }

    /// <summary>A disk holding what was written: the snapshot's index and term and the entries after it.</summary>
    private sealed class DiskModel
    {
        public long SnapshotIndex, SnapshotTerm;
        public readonly List<Entry> Entries = new();
    }

    [RaftProperty(400, Arbitrary = [typeof(Arbitraries)])]
    public void RaftLog_MatchesTheFigure2Model_UnderAnyOperations(LogCase c) => Run(c);

    private static void Run(LogCase c)
    {
        int commands = 0;
        byte[] NextCommand() => BitConverter.GetBytes(++commands);

        // a restarted node's log: snapshot plus durable entries (terms never decrease)
        var initial = new List<Entry>();
        long term = Math.Max(1, c.SnapshotTerm);
        foreach (int step in c.InitialTermSteps)
        {
            term += step;
            initial.Add(new Entry(term, NextCommand()));
        }
        var log = new RaftLog(c.SnapshotIndex, c.SnapshotTerm, initial.ToArray());
        var model = new LogModel { SnapshotIndex = c.SnapshotIndex, SnapshotTerm = c.SnapshotTerm, Committed = c.SnapshotIndex };
        foreach (Entry e in initial) model.Entries.Add((e.Term, e.Command));
        var disk = new DiskModel { SnapshotIndex = c.SnapshotIndex, SnapshotTerm = c.SnapshotTerm };
        disk.Entries.AddRange(initial);
        bool snapshotChanged = false;

        Compare(log, model, "the restored log");
        for (int k = 0; k < c.Ops.Length; k++)
        {
            LogOp op = c.Ops[k];
            string what = $"op {k} {op}";
            switch (op.Kind)
            {
                case LogOpKind.Append:
                {
                    var e = new Entry(Math.Max(1, model.LastTerm + op.A), NextCommand());
                    long index = log.Append(e);
                    model.Entries.Add((e.Term, e.Command));
                    Assert.True(index == model.LastIndex, $"{what}: Append returned {index}, expected {model.LastIndex}");
                    what += $" = Append(t{e.Term}) at {index}";
                    break;
                }
                case LogOpKind.MaybeAppend:
                {
                    long low = Math.Max(0, model.SnapshotIndex - 1), high = model.LastIndex + 1;
                    long prev = low + op.A % (high - low + 1);
                    long? actual = model.Term(prev);
                    long prevTerm = op.B switch
                    {
                        0 => actual ?? model.LastTerm,
                        1 => (actual ?? 0) + 1,
                        _ => Math.Max(0, (actual ?? 1) - 1),
                    };
                    var entries = new Entry[op.Codes.Length];
                    long t = prevTerm;
                    for (int j = 0; j < entries.Length; j++)
                    {
                        long index = prev + 1 + j;
                        long? existing = model.Term(index);
                        if (index <= model.Committed && existing is { } committedTerm) t = committedTerm; // never conflict with a committed entry
                        else t = op.Codes[j] switch { 0 => Math.Max(t, existing ?? t), 1 => t, 2 => t + 1, _ => t + 2 };
                        t = Math.Max(t, 1);
                        entries[j] = new Entry(t, NextCommand());
                    }
                    long leaderCommit = op.C % (prev + entries.Length + 3);
                    what += $" = MaybeAppend({prev}, t{prevTerm}, [{string.Join(",", entries.Select(e => e.Term))}], commit {leaderCommit})";
                    bool expected = model.MaybeAppend(prev, prevTerm, entries, leaderCommit, out long expectedLastNew);
                    bool ok = log.MaybeAppend(prev, prevTerm, entries, leaderCommit, out long lastNew);
                    Assert.True(ok == expected, $"{what}: returned {ok}, the model says {expected}");
                    Assert.True(lastNew == expectedLastNew, $"{what}: lastNewIndex {lastNew}, the model says {expectedLastNew}");
                    break;
                }
                case LogOpKind.CompactTo:
                {
                    long low = Math.Max(0, model.SnapshotIndex - 1);
                    long index = low + op.A % (model.Committed - low + 1); // only what is committed (the service applied it)
                    what += $" = CompactTo({index})";
                    if (index > model.SnapshotIndex) snapshotChanged = true;
                    model.CompactTo(index);
                    log.CompactTo(index);
                    break;
                }
                case LogOpKind.RestoreSnapshot:
                {
                    // a leader's snapshot the node installs: beyond its commit index (the node ignores others)
                    long index = model.Committed + 1 + op.A % (model.LastIndex - model.Committed + 3);
                    long? existing = model.Term(index);
                    long snapshotTerm = op.B == 0 && existing is { } same ? same : (existing ?? model.LastTerm) + 1 + op.B % 2;
                    what += $" = RestoreSnapshot({index}, t{snapshotTerm})";
                    snapshotChanged = true;
                    model.RestoreSnapshot(index, snapshotTerm);
                    log.RestoreSnapshot(index, snapshotTerm);
                    break;
                }
                case LogOpKind.CommitTo:
                {
                    long low = Math.Max(0, model.Committed - 1);
                    long index = low + op.A % (model.LastIndex + 2 - low);
                    what += $" = CommitTo({index})";
                    if (index > model.Committed && index > model.LastIndex)
                    {
                        Exception? e = Record.Exception(() => log.CommitTo(index));
                        Assert.True(e is InvalidOperationException, $"{what}: committing beyond the last index {model.LastIndex} should throw InvalidOperationException, got {e?.GetType().Name ?? "nothing"}");
                    }
                    else
                    {
                        log.CommitTo(index);
                        model.Committed = Math.Max(model.Committed, index);
                    }
                    break;
                }
                case LogOpKind.Persist:
                    Persist(log, disk, snapshotChanged, what);
                    snapshotChanged = false;
                    break;
            }
            Compare(log, model, what);
        }
        Persist(log, disk, snapshotChanged, "final persist");
    }

    /// <summary>
    /// Finding (API-level; the node guards both call sites): <see cref="RaftLog"/> does not defend
    /// its own invariant SnapshotIndex ≤ Committed ≤ LastIndex. MaybeAppend accepts an
    /// AppendEntries that conflicts with a committed entry and truncates it (shrunk: log t1,t1,t1
    /// committed through 3; MaybeAppend(1, t1, [t2]) returns true with LastIndex 2, Committed 3),
    /// where etcd's raftLog panics ("entry conflicts with committed entry"). RestoreSnapshot with
    /// an index below the current snapshot moves SnapshotIndex backwards (snapshot 5, then
    /// RestoreSnapshot(3, t1): SnapshotIndex 3, Committed 5, LastIndex 3). RaftNode avoids both:
    /// HandleAppendEntries skips the committed prefix and HandleInstallSnapshot only installs
    /// snapshots beyond its commit index.
    /// </summary>
    [RaftProperty(300, Arbitrary = [typeof(Arbitraries)])]
    public void RaftLog_UnderUnconstrainedCalls_KeepsSnapshotIndexBelowCommittedBelowLastIndex(UnconstrainedCalls list)
    {
        var log = new RaftLog();
        foreach ((int kind, int a, int b, int[] terms) in list.Ops)
        {
            string what = kind switch { 0 => "Append", 1 => $"MaybeAppend({a}, [{string.Join(",", terms)}], commit {b})", 2 => $"CommitTo({a})", _ => $"RestoreSnapshot({a}, t{b % 4 + 1})" };
            switch (kind)
            {
                case 0: log.Append(new Entry(Math.Max(1, log.LastTerm), [])); break;
                case 1:
                    long prev = Math.Min(a, log.LastIndex);
                    log.MaybeAppend(prev, log.TermAt(prev), terms.Select(t => new Entry(Math.Max(t, log.TermAt(prev)), [])).ToArray(), b, out _);
                    break;
                case 2: log.CommitTo(Math.Min(a, log.LastIndex)); break;
                default: log.RestoreSnapshot(a, b % 4 + 1); break;
            }
            Assert.True(log.SnapshotIndex <= log.Committed && log.Committed <= log.LastIndex,
                $"after {what}: SnapshotIndex {log.SnapshotIndex}, Committed {log.Committed}, LastIndex {log.LastIndex}");
        }
    }

    /// <summary>Writes the log the way Cluster/Disk do with a Ready (snapshot, then truncate at DirtyFrom and append) and checks the disk now equals the log.</summary>
    private static void Persist(RaftLog log, DiskModel disk, bool snapshotChanged, string what)
    {
        if (snapshotChanged)
        {
            long drop = Math.Min(disk.Entries.Count, Math.Max(0, log.SnapshotIndex - disk.SnapshotIndex));
            disk.Entries.RemoveRange(0, (int)drop);
            disk.SnapshotIndex = log.SnapshotIndex;
            disk.SnapshotTerm = log.SnapshotTerm;
        }
        long dirty = log.DirtyFrom;
        if (dirty != long.MaxValue)
        {
            long keep = dirty - disk.SnapshotIndex - 1;
            Assert.True(keep >= 0 && keep <= disk.Entries.Count,
                $"{what}: DirtyFrom {dirty} cannot be written to a disk holding {disk.SnapshotIndex + 1}..{disk.SnapshotIndex + disk.Entries.Count} (below the snapshot or leaving a gap)");
            disk.Entries.RemoveRange((int)keep, disk.Entries.Count - (int)keep);
            disk.Entries.AddRange(log.Segment(dirty, log.LastIndex));
        }
        Assert.True(disk.SnapshotIndex == log.SnapshotIndex && disk.SnapshotTerm == log.SnapshotTerm,
            $"{what}: the disk's snapshot {disk.SnapshotIndex}/t{disk.SnapshotTerm} differs from the log's {log.SnapshotIndex}/t{log.SnapshotTerm}");
        long diskLast = disk.SnapshotIndex + disk.Entries.Count;
        Assert.True(diskLast == log.LastIndex,
            $"{what}: written from DirtyFrom {(dirty == long.MaxValue ? "(clean)" : dirty.ToString(System.Globalization.CultureInfo.InvariantCulture))}, the disk ends at {diskLast} but the log at {log.LastIndex}");
        for (long i = log.FirstIndex; i <= log.LastIndex; i++)
        {
            Entry d = disk.Entries[(int)(i - disk.SnapshotIndex - 1)];
            Assert.True(d.Term == log.TermAt(i) && ReferenceEquals(d.Command, log.At(i).Command),
                $"{what}: after writing from DirtyFrom {dirty}, the disk holds t{d.Term} at {i} but the log t{log.TermAt(i)}");
        }
        log.MarkStable();
        Assert.Equal(long.MaxValue, log.DirtyFrom);
    }

    private static void Compare(RaftLog log, LogModel model, string what)
    {
        string Both() => $"{what}: log snapshot {log.SnapshotIndex}/t{log.SnapshotTerm} commit {log.Committed} terms [{string.Join(",", Enumerable.Range(0, log.Count).Select(j => log.TermAt(log.FirstIndex + j)))}]; " +
                         $"model snapshot {model.SnapshotIndex}/t{model.SnapshotTerm} commit {model.Committed} terms [{string.Join(",", model.Entries.Select(e => e.Term))}]";
        Assert.True(log.SnapshotIndex == model.SnapshotIndex && log.SnapshotTerm == model.SnapshotTerm, $"snapshot differs. {Both()}");
        Assert.True(log.LastIndex == model.LastIndex && log.Count == model.Entries.Count && log.FirstIndex == model.SnapshotIndex + 1, $"LastIndex differs. {Both()}");
        Assert.True(log.LastTerm == model.LastTerm, $"LastTerm differs. {Both()}");
        Assert.True(log.Committed == model.Committed, $"Committed differs. {Both()}");
        for (long i = Math.Max(0, model.SnapshotIndex - 1); i <= model.LastIndex + 1; i++)
        {
            long? expected = model.Term(i);
            bool known = log.TryTerm(i, out long t);
            Assert.True(known == expected.HasValue && log.TermAt(i) == (expected ?? 0), $"TermAt({i}) = {log.TermAt(i)} (known {known}), the model says {expected?.ToString() ?? "unknown"}. {Both()}");
            if (i > model.SnapshotIndex && i <= model.LastIndex)
                Assert.True(ReferenceEquals(log.At(i).Command, model.Command(i)), $"the command at {i} is not the one appended there. {Both()}");
        }
        // the log's own invariants
        Assert.True(log.SnapshotIndex <= log.Committed && log.Committed <= log.LastIndex, $"SnapshotIndex <= Committed <= LastIndex broken. {Both()}");
        for (long i = log.FirstIndex + 1; i <= log.LastIndex; i++)
            Assert.True(log.TermAt(i - 1) <= log.TermAt(i), $"terms decrease at {i}. {Both()}");
        // queries, against naive scans of the model
        long maxTerm = model.Entries.Count == 0 ? model.SnapshotTerm : Math.Max(model.SnapshotTerm, model.Entries.Max(e => e.Term));
        for (long term = 0; term <= maxTerm + 1; term++)
        {
            long expected = 0;
            for (long i = model.LastIndex; i > model.SnapshotIndex; i--)
                if (model.Term(i) == term) { expected = i; break; }
            if (expected == 0 && model.SnapshotIndex > 0 && model.SnapshotTerm == term) expected = model.SnapshotIndex;
            Assert.True(log.LastIndexOfTerm(term) == expected, $"LastIndexOfTerm({term}) = {log.LastIndexOfTerm(term)}, expected {expected}. {Both()}");
        }
        for (long prev = model.SnapshotIndex; prev <= model.LastIndex + 1; prev++)
        {
            (long Index, long Term) expected;
            if (prev > model.LastIndex) expected = (model.LastIndex + 1, 0);
            else
            {
                long term = model.Term(prev) ?? 0;
                long first = prev;
                while (first - 1 > model.SnapshotIndex && model.Term(first - 1) == term) first--;
                expected = (first, term);
            }
            Assert.True(log.ConflictHint(prev) == expected, $"ConflictHint({prev}) = {log.ConflictHint(prev)}, expected {expected}. {Both()}");
        }
        foreach (long dt in new long[] { -1, 0, 1 })
            foreach (long di in new long[] { -1, 0, 1 })
            {
                long lt = model.LastTerm + dt, li = model.LastIndex + di;
                bool expected = lt > model.LastTerm || (lt == model.LastTerm && li >= model.LastIndex); // §5.4.1
                Assert.True(log.IsUpToDate(li, lt) == expected, $"IsUpToDate({li}, t{lt}) wrong. {Both()}");
            }
    }
}
