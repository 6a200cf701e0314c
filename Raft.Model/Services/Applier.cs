using System.Globalization;
using Raft.Core.Encoding;
using Raft.Core.Messages;

namespace Raft.Model.Services;

/// <summary>
/// The service on one node, as the lab tester's applier goroutine: it records every applied
/// command by index (the tester's <c>logs[i]</c>, which survives crashes) and reports commit
/// mismatches between servers, out-of-order and duplicate applies, and snapshots whose index
/// does not match their contents or that would move state backwards. In snapshot mode it asks
/// the node to snapshot after every <see cref="SnapshotInterval"/>-th index (9, 19, 29, …).
/// </summary>
public sealed class Applier
{
    private readonly List<byte[]?> _log = new() { null };
    private readonly Applier[] _all;

    public Applier(int id, Applier[] all, bool snapshotMode, int snapshotInterval)
    {
        Id = id;
        _all = all;
        SnapshotMode = snapshotMode;
        SnapshotInterval = snapshotInterval;
    }

    public int Id { get; }
    public bool SnapshotMode { get; }
    public int SnapshotInterval { get; }

    /// <summary>Highest index applied in this incarnation (reset by a restart).</summary>
    public long LastApplied { get; private set; }

    /// <summary>The first error this service saw (the lab makes these process-fatal).</summary>
    public string? Error { get; private set; }

    /// <summary>A Snapshot(index, data) call the service wants to make once the current Ready is done.</summary>
    public (long Index, byte[] Data)? PendingSnapshot { get; set; }

    public long SnapshotsInstalled { get; private set; }

    /// <summary>
    /// The service owns the snapshot's format (Lab 3B's KV server): <see cref="Install"/> checks only
    /// that it is not empty and does not move state backwards, and keeps the record of what was applied.
    /// </summary>
    public bool OpaqueSnapshots { get; set; }

    /// <summary>The command recorded at <paramref name="index"/>, or null.</summary>
    public byte[]? CommandAt(long index) => index < _log.Count ? _log[(int)index] : null;

    public long HighestRecorded => _log.Count - 1;

    /// <summary>The index at which this service holds <paramref name="command"/> (applied, or installed with a snapshot), or -1.</summary>
    public long IndexOf(byte[] command)
    {
        for (int i = _log.Count - 1; i >= 1; i--)
            if (_log[i] is { } c && Commands.Same(c, command)) return i;
        return -1;
    }

    /// <summary>Called at (re)start: apply resumes after <paramref name="snapshotIndex"/>.</summary>
    public void Restart() => LastApplied = 0;

    public void Apply(long index, in Entry entry)
    {
        if (Error is not null) return;
        if (index <= LastApplied)
        {
            Fail($"server {Id} applied index {index} twice (last applied {LastApplied})");
            return;
        }
        if (index != LastApplied + 1)
        {
            Fail($"server {Id} apply out of order, expected index {LastApplied + 1}, got {index}");
            return;
        }
        byte[] command = entry.Command;
        foreach (Applier other in _all)
        {
            if (other is null || ReferenceEquals(other, this)) continue;
            byte[]? old = other.CommandAt(index);
            if (old is not null && !Commands.Same(old, command))
            {
                Fail($"commit index={index} server={Id} {Commands.Show(command)} != server={other.Id} {Commands.Show(old)}");
                return;
            }
        }
        Record(index, command);
        LastApplied = index;
        if (SnapshotMode && (index + 1) % SnapshotInterval == 0)
            PendingSnapshot = (index, EncodeSnapshot(index));
    }

    /// <summary>Asks for a snapshot of everything applied so far (a service compacting on its own schedule).</summary>
    public bool RequestSnapshot()
    {
        if (LastApplied == 0 || Error is not null) return false;
        PendingSnapshot = (LastApplied, EncodeSnapshot(LastApplied));
        return true;
    }

    /// <summary>Replaces the service state with a snapshot (from the leader, or from disk at restart).</summary>
    public void Install(long snapshotIndex, byte[]? data)
    {
        if (Error is not null) return;
        if (data is null || data.Length == 0)
        {
            Fail($"server {Id} was given an empty snapshot for index {snapshotIndex}");
            return;
        }
        if (OpaqueSnapshots)
        {
            if (snapshotIndex < LastApplied)
            {
                Fail($"server {Id} snapshot at {snapshotIndex} would move service state back from {LastApplied}");
                return;
            }
            LastApplied = snapshotIndex;
            SnapshotsInstalled++;
            return;
        }
        long encodedIndex;
        List<byte[]?> commands;
        try
        {
            (encodedIndex, commands) = DecodeSnapshot(data);
        }
        catch (CodecException e)
        {
            Fail($"server {Id} cannot decode snapshot: {e.Message}");
            return;
        }
        if (encodedIndex != snapshotIndex)
        {
            Fail($"server {Id} snapshot index mismatch: message says {snapshotIndex}, data holds {encodedIndex}");
            return;
        }
        if (snapshotIndex < LastApplied)
        {
            Fail($"server {Id} snapshot at {snapshotIndex} would move service state back from {LastApplied}");
            return;
        }
        _log.Clear();
        _log.AddRange(commands);
        LastApplied = snapshotIndex;
        SnapshotsInstalled++;
    }

    private void Record(long index, byte[] command)
    {
        while (_log.Count <= index) _log.Add(null);
        _log[(int)index] = command;
    }

    /// <summary>Records the service's first error (the world reports it as a ServiceApply violation).</summary>
    public void Fail(string message) => Error ??= message;

    /// <summary>The lab's snapshot: the index, then the commands at 1..index (varint length+1, 0 for none), in the core's varint encoding.</summary>
    private byte[] EncodeSnapshot(long index)
    {
        int size = ByteWriter.VarintSize((ulong)index);
        for (long i = 1; i <= index; i++)
        {
            byte[]? c = CommandAt(i);
            size += c is null ? 1 : ByteWriter.VarintSize((ulong)c.Length + 1) + c.Length;
        }
        var bytes = new byte[size];
        var w = new ByteWriter(bytes);
        w.WriteVarint((ulong)index);
        for (long i = 1; i <= index; i++)
        {
            byte[]? c = CommandAt(i);
            if (c is null) { w.WriteVarint(0); continue; }
            w.WriteVarint((ulong)c.Length + 1);
            w.WriteBytes(c);
        }
        return bytes;
    }

    internal static (long Index, List<byte[]?> Commands) DecodeSnapshot(byte[] data)
    {
        var r = new ByteReader(data, "snapshot");
        long index = r.ReadNonNegative("index");
        if (index > data.Length) throw new CodecException($"malformed snapshot: index {index} exceeds its {data.Length} bytes");
        var commands = new List<byte[]?>((int)index + 1) { null };
        for (long i = 1; i <= index; i++)
        {
            string field = "command " + i.ToString(CultureInfo.InvariantCulture);
            ulong tagged = r.ReadVarint(field);
            if (tagged == 0) { commands.Add(null); continue; }
            if (tagged - 1 > (ulong)r.Remaining) throw new CodecException($"truncated snapshot at {field}");
            commands.Add(r.ReadBytes((int)(tagged - 1), field));
        }
        r.ExpectEnd();
        return (index, commands);
    }
}
