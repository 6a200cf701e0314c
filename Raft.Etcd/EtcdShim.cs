using System.Buffers.Binary;
using System.Diagnostics;

namespace Raft.Etcd;

/// <summary>
/// One etcd-shim process holding the RawNodes of one cluster. Commands are queued by the methods
/// below and sent as one frame by <see cref="Flush"/>, which returns one result per command, in
/// order. Not thread-safe. Every failure is an <see cref="EtcdShimException"/>; no call waits longer
/// than the response timeout.
/// </summary>
public sealed class EtcdShim : IDisposable
{
    public const int ProtocolVersion = 3;
    private const int MaxFrame = 256 << 20;

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly TimeSpan _timeout;
    private readonly Timer _watchdog;
    private readonly RequestWriter _request = new();
    private readonly List<(EtcdOp Op, int Node)> _pending = [];
    private readonly List<EtcdResult> _results = [];
    private readonly Queue<string> _stderr = new();
    private byte[] _body = new byte[1 << 16];
    private int _bodyLength;
    private volatile bool _timedOut;
    private bool _dead;

    private EtcdShim(Process process, TimeSpan timeout)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        _timeout = timeout;
        _watchdog = new Timer(_ => { _timedOut = true; TryKill(); });
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                if (_stderr.Count > 20) _stderr.Dequeue();
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Starts a shim process: <paramref name="binaryPath"/>, else <see cref="EtcdShimBinary.Locate"/>.</summary>
    public static EtcdShim Launch(string? binaryPath = null, TimeSpan? responseTimeout = null)
    {
        binaryPath ??= EtcdShimBinary.Locate();
        if (!File.Exists(binaryPath))
            throw new EtcdShimException(EtcdShimFailure.Missing, $"etcd shim binary not found: {binaryPath}");
        var psi = new ProcessStartInfo(binaryPath)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is not EtcdShimException)
        {
            throw new EtcdShimException(EtcdShimFailure.Missing, $"cannot start etcd shim {binaryPath}: {e.Message}");
        }
        return new EtcdShim(process, responseTimeout ?? TimeSpan.FromSeconds(60));
    }

    public int ProcessId => _process.Id;

    /// <summary>Commands queued since the last flush.</summary>
    public int PendingCommands => _pending.Count;

    private RequestWriter Add(EtcdOp op, int node)
    {
        _pending.Add((op, node));
        _request.Command(op, node);
        return _request;
    }

    public void Hello() => Add(EtcdOp.Hello, -1);

    /// <summary>Fresh start or restart after a crash, from what the node's disk holds.</summary>
    public void Start(int node, EtcdNodeConfig config, ulong seed, EtcdDurableState? durable = null)
    {
        durable ??= EtcdDurableState.Empty;
        var w = Add(EtcdOp.Start, node);
        w.U32((uint)config.ClusterSize);
        w.U32((uint)config.ElectionTick);
        w.U32((uint)config.HeartbeatTick);
        w.U8(config.Flags);
        w.U64(config.MaxSizePerMsg);
        w.U32((uint)config.MaxInflightMsgs);
        w.U64(seed);
        w.U64(durable.HardState.Term);
        w.I32(durable.HardState.Vote);
        w.U64(durable.HardState.Commit);
        w.U64(durable.Snapshot?.Index ?? 0);
        w.U64(durable.Snapshot?.Term ?? 0);
        w.Bytes(durable.Snapshot?.Data ?? []);
        w.U32((uint)durable.Entries.Count);
        foreach (var e in durable.Entries) w.Entry(e);
    }

    /// <summary>Forgets the node's RawNode and storage (the host keeps its disk).</summary>
    public void Crash(int node) => Add(EtcdOp.Crash, node);

    /// <summary>Delivers a message (the <see cref="EtcdMessage.Bytes"/> another node sent) to <paramref name="node"/>.</summary>
    public void Step(int node, ReadOnlySpan<byte> message) => Add(EtcdOp.Step, node).Bytes(message);

    public void Tick(int node) => Add(EtcdOp.Tick, node);

    public void Propose(int node, ReadOnlySpan<byte> data) => Add(EtcdOp.Propose, node).Bytes(data);

    /// <summary>The service compacted up to <paramref name="index"/> (applied): CreateSnapshot + Compact.</summary>
    public void Snapshot(int node, ulong index, ReadOnlySpan<byte> data)
    {
        var w = Add(EtcdOp.Snapshot, node);
        w.U64(index);
        w.Bytes(data);
    }

    /// <summary>Takes the node's Ready, if any; its messages come with <see cref="Persist"/>.</summary>
    public void Ready(int node) => Add(EtcdOp.Ready, node);

    /// <summary>Writes the taken Ready's snapshot, hard state and entries to the node's storage; returns its messages.</summary>
    public void Persist(int node) => Add(EtcdOp.Persist, node);

    /// <summary>Tells etcd the taken, persisted Ready is handled (its committed entries applied).</summary>
    public void Advance(int node) => Add(EtcdOp.Advance, node);

    /// <summary>ready + persist + advance in one: the whole Ready, messages included, or nothing.</summary>
    public void Handle(int node) => Add(EtcdOp.Handle, node);

    /// <summary>ready + persist in one: the whole Ready, messages included, or nothing; <see cref="Advance"/> later.</summary>
    public void Take(int node) => Add(EtcdOp.Take, node);

    public void Status(int node) => Add(EtcdOp.Status, node);

    /// <summary>A read without the log: on a leader, RawNode.ReadIndex with <paramref name="requestId"/> as its 8-byte context (<see cref="EtcdReadIndexResult"/>).</summary>
    public void ReadIndex(int node, ulong requestId) => Add(EtcdOp.ReadIndex, node).U64(requestId);

    /// <summary>The node's state and its log's change since the previous view (<see cref="EtcdView"/>).</summary>
    public void View(int node) => Add(EtcdOp.View, node);

    /// <summary>A command's node number in group <paramref name="group"/> (one process holds many independent clusters).</summary>
    public static int InGroup(int group, int node) => group << 16 | node;

    public void ReportSnapshot(int node, int peer, bool succeeded)
    {
        var w = Add(EtcdOp.ReportSnapshot, node);
        w.U32((uint)peer);
        w.Bool(succeeded);
    }

    public void ReportUnreachable(int node, int peer) => Add(EtcdOp.ReportUnreachable, node).U32((uint)peer);

    /// <summary>
    /// Sends the queued commands as one frame and returns their results, in order. The list is reused
    /// by the next flush. An error result throws (CommandFailed) after the commands before it ran.
    /// </summary>
    public IReadOnlyList<EtcdResult> Flush()
    {
        _results.Clear();
        if (_pending.Count == 0) return _results;
        try
        {
            _bodyLength = Exchange(_request.Frame());
            ParseResults();
            return _results;
        }
        finally
        {
            _pending.Clear();
            _request.Reset();
        }
    }

    /// <summary>Test hook: queues a command whose payload bytes are given as they are.</summary>
    internal void AddRaw(EtcdOp op, int node, ReadOnlySpan<byte> payload)
    {
        var w = Add(op, node);
        foreach (var b in payload) w.U8(b);
    }

    /// <summary>Test hook: sends bytes as they are and reads one response body back.</summary>
    internal ReadOnlySpan<byte> ExchangeRaw(ReadOnlySpan<byte> bytes)
    {
        int n = Exchange(bytes);
        return _body.AsSpan(0, n);
    }

    private int Exchange(ReadOnlySpan<byte> frame)
    {
        if (_dead) throw new EtcdShimException(EtcdShimFailure.Exited, "etcd shim is no longer usable after an earlier failure");
        _watchdog.Change(_timeout, Timeout.InfiniteTimeSpan);
        try
        {
            try
            {
                _stdin.Write(frame);
                _stdin.Flush();
            }
            catch (IOException) { throw Died("writing a request"); }
            Span<byte> header = stackalloc byte[4];
            ReadExactly(header, "response header");
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (n > MaxFrame) throw Broken(new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: frame of {n} bytes"));
            if (_body.Length < n) _body = new byte[Math.Max(n, _body.Length * 2)];
            ReadExactly(_body.AsSpan(0, (int)n), "response body");
            return (int)n;
        }
        finally
        {
            _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReadExactly(Span<byte> into, string what)
    {
        int got = 0;
        while (got < into.Length)
        {
            int r;
            try { r = _stdout.Read(into[got..]); }
            catch (IOException) { r = 0; }
            if (r == 0)
                throw got == 0 && what == "response header" ? Died("reading a response") : Died($"reading the {what} ({got} of {into.Length} bytes)");
            got += r;
        }
    }

    private void ParseResults()
    {
        var r = new ResponseReader(_body.AsSpan(0, _bodyLength));
        int count = r.Count(1);
        if (count > _pending.Count)
            throw Broken(new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: {count} results for {_pending.Count} commands"));
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (op, node) = _pending[i];
                byte status = r.U8();
                if (status == 1)
                {
                    string message = r.String();
                    if (i != count - 1 || !r.AtEnd) throw new EtcdShimException(EtcdShimFailure.Protocol, "malformed shim response: an error result that is not the last");
                    throw new EtcdShimException(EtcdShimFailure.CommandFailed, $"etcd shim: {message}", i);
                }
                if (status != 0) throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: status byte {status} for command {i}");
                _results.Add(ReadResult(ref r, op, node));
            }
            if (count < _pending.Count) throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: {count} results for {_pending.Count} commands and no error");
            if (!r.AtEnd) throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: {_bodyLength - r.Position} bytes after the last result");
        }
        catch (EtcdShimException e) when (e.Failure == EtcdShimFailure.Protocol)
        {
            throw Broken(e);
        }
    }

    private static EtcdResult ReadResult(ref ResponseReader r, EtcdOp op, int node) => op switch
    {
        EtcdOp.Hello => new EtcdHelloResult((int)r.U32(), r.String()),
        EtcdOp.Step => new EtcdStepResult(node, r.Enum<EtcdStepOutcome>(3)),
        EtcdOp.Propose => ProposeResult(ref r, node),
        EtcdOp.Snapshot => new EtcdSnapshotResult(node, r.U64()),
        EtcdOp.Ready or EtcdOp.Handle or EtcdOp.Take => new EtcdReadyResult(op, node, r.Bool() ? r.Ready(op != EtcdOp.Ready) : null),
        EtcdOp.Persist => new EtcdPersistResult(node, r.Messages()),
        EtcdOp.Status => new EtcdStatusResult(node, r.Status()),
        EtcdOp.View => new EtcdViewResult(node, r.View()),
        EtcdOp.ReadIndex => new EtcdReadIndexResult(node, r.U8() switch
        {
            1 => true,
            2 => false,
            var o => throw new EtcdShimException(EtcdShimFailure.Protocol, $"malformed shim response: read-index outcome {o}"),
        }),
        _ => new EtcdDone(op, node),
    };

    private static EtcdProposeResult ProposeResult(ref ResponseReader r, int node)
    {
        bool accepted = r.Bool();
        ulong index = r.U64(), term = r.U64();
        return new EtcdProposeResult(node, accepted, index, term, r.Bool());
    }

    private EtcdShimException Broken(EtcdShimException e)
    {
        _dead = true;
        TryKill();
        return e;
    }

    private EtcdShimException Died(string doing)
    {
        _dead = true;
        if (_timedOut)
            return new EtcdShimException(EtcdShimFailure.Timeout, $"etcd shim gave no response within {_timeout.TotalSeconds:0.#} s ({doing}); killed it");
        TryKill();
        string exit = _process.WaitForExit(5000) ? $"exited with code {_process.ExitCode}" : "stopped answering";
        _process.WaitForExit(); // drains stderr (the process is gone, so this returns)
        string? last;
        lock (_stderr) last = _stderr.LastOrDefault(l => l.Length > 0);
        return new EtcdShimException(EtcdShimFailure.Exited, $"etcd shim {exit} while {doing}" + (last is null ? "" : $": {last}"));
    }

    private void TryKill()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        try { _stdin.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(2000)) TryKill();
        _process.Dispose();
    }
}
