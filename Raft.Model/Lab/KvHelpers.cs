using System.Globalization;
using Raft.Model.Histories;

namespace Raft.Model.Lab;

/// <summary>
/// The helpers of kvraft's test_test.go: Get/Put/Append that count the operation and log it with
/// its virtual invocation and response times (porcupine's opLog), check, checkClntAppends and
/// checkConcurrentAppends, spawn_clients_and_wait, and the final linearizability check.
/// </summary>
public static class KvHelpers
{
    /// <summary>Get through the clerk; counted, and logged as client <paramref name="cli"/> when <paramref name="log"/> is set.</summary>
    public static async Task<string> Get(KvConfig cfg, Clerk ck, string key, bool log = false, int cli = -1)
    {
        long start = cfg.Now;
        string v = await ck.Get(key);
        cfg.Op();
        if (log) Record(cfg, cli, key, OpKind.Get, "", v, start);
        return v;
    }

    public static async Task Put(KvConfig cfg, Clerk ck, string key, string value, bool log = false, int cli = -1)
    {
        long start = cfg.Now;
        await ck.Put(key, value);
        cfg.Op();
        if (log) Record(cfg, cli, key, OpKind.Put, value, null, start);
    }

    public static async Task Append(KvConfig cfg, Clerk ck, string key, string value, bool log = false, int cli = -1)
    {
        long start = cfg.Now;
        await ck.Append(key, value);
        cfg.Op();
        if (log) Record(cfg, cli, key, OpKind.Append, value, null, start);
    }

    /// <summary>A finished operation into the log (only finished ones: porcupine's history has no open calls).</summary>
    private static void Record(KvConfig cfg, int cli, string key, OpKind kind, string input, string? output, long start)
    {
        int handle = cfg.OpLog.Invoke(Math.Max(0, cli), key, kind, input, start);
        cfg.OpLog.Respond(handle, output, cfg.Now);
    }

    /// <summary>check(): Get must return <paramref name="value"/>.</summary>
    public static async Task Check(KvConfig cfg, Clerk ck, string key, string value)
    {
        string v = await Get(cfg, ck, key);
        if (v != value) LabConfig.Fail($"Get({key}): expected:\n{value}\nreceived:\n{v}");
    }

    private static string Element(int clnt, int j) =>
        string.Create(CultureInfo.InvariantCulture, $"x {clnt} {j} y");

    /// <summary>checkClntAppends: every known append of client <paramref name="clnt"/> is in <paramref name="v"/> once, in order.</summary>
    public static void CheckClntAppends(int clnt, string v, int count)
    {
        int lastoff = -1;
        for (int j = 0; j < count; j++)
        {
            string wanted = Element(clnt, j);
            int off = v.IndexOf(wanted, StringComparison.Ordinal);
            if (off < 0) LabConfig.Fail($"{clnt} missing element {wanted} in Append result {v}");
            if (v.LastIndexOf(wanted, StringComparison.Ordinal) != off) LabConfig.Fail($"duplicate element {wanted} in Append result");
            if (off <= lastoff) LabConfig.Fail($"wrong order for element {wanted} in Append result");
            lastoff = off;
        }
    }

    /// <summary>checkConcurrentAppends: the same for every client, each with its own count.</summary>
    public static void CheckConcurrentAppends(string v, int[] counts)
    {
        for (int i = 0; i < counts.Length; i++) CheckClntAppends(i, v, counts[i]);
    }

    /// <summary>
    /// spawn_clients_and_wait: <paramref name="ncli"/> clients, each with a fresh clerk connected to
    /// every server, run <paramref name="fn"/> concurrently; returns each one's result once all are
    /// done. A client that fails fails the test with its own message (Go prints it, then "failure").
    /// </summary>
    public static async Task<T[]> SpawnClientsAndWait<T>(KvConfig cfg, int ncli, Func<int, Clerk, Task<T>> fn)
    {
        var clients = new Task<T>[ncli];
        for (int cli = 0; cli < ncli; cli++) clients[cli] = RunClient(cfg, cli, fn);
        var results = new T[ncli];
        for (int cli = 0; cli < ncli; cli++) results[cli] = await clients[cli];
        return results;
    }

    /// <summary>run_client: a fresh clerk connected to every server runs <paramref name="fn"/>.</summary>
    public static Task<T> RunClient<T>(KvConfig cfg, int cli, Func<int, Clerk, Task<T>> fn) => fn(cli, cfg.MakeClient(cfg.All()));

    /// <summary>GenericTest's and the 3B tests' maxraftstate check: the persisted raft state must stay within 8 × maxraftstate.</summary>
    public static void CheckLogTrimmed(KvConfig cfg, int maxraftstate)
    {
        int sz = cfg.LogSize();
        if (sz > 8 * maxraftstate) LabConfig.Fail($"logs were not trimmed ({sz} > 8*{maxraftstate})");
    }

    /// <summary>GenericTest with maxraftstate -1: no server may have made a snapshot.</summary>
    public static void CheckNoSnapshots(KvConfig cfg, int maxraftstate)
    {
        int ssz = cfg.SnapshotSize();
        if (ssz > 0) LabConfig.Fail($"snapshot too large ({ssz}), should not be used when maxraftstate = {maxraftstate}");
    }

    /// <summary>TestSnapshotSize3B: every snapshot within <paramref name="maxsnapshotstate"/> bytes.</summary>
    public static void CheckSnapshotSize(KvConfig cfg, int maxsnapshotstate)
    {
        int ssz = cfg.SnapshotSize();
        if (ssz > maxsnapshotstate) LabConfig.Fail($"snapshot too large ({ssz} > {maxsnapshotstate})");
    }

    /// <summary>GenericTestSpeed's bound: at least 3 operations per 100 ms heartbeat interval, so at most 33⅓ ms each on average.</summary>
    public static void CheckSpeed(long durationMs, int numOps)
    {
        const double timePerOpMs = 100.0 / 3;
        if (durationMs > numOps * timePerOpMs)
            LabConfig.Fail(string.Create(CultureInfo.InvariantCulture, $"Operations completed too slowly {(double)durationMs / numOps:0.######}ms/op > {timePerOpMs:0.######}ms/op\n"));
    }

    /// <summary>
    /// The end of GenericTest: the logged history checked for linearizability (porcupine's KvModel
    /// there, our checker here). Not linearizable fails the test as Go does; a check that ran out of
    /// budget passes with Go's info line.
    /// </summary>
    public static void CheckLinearizable(KvConfig cfg, CheckOptions? options = null)
    {
        History history = cfg.OpLog.ToHistory();
        CheckResult result = LinearizabilityChecker.Check(history, options);
        if (result.Verdict == Verdict.NotLinearizable)
        {
            string detail = result.Failure is { } f ? "\n" + f.Text(history) : "";
            LabConfig.Fail("history is not linearizable" + detail);
        }
        else if (result.Verdict == Verdict.Unknown)
        {
            cfg.Info("linearizability check timed out, assuming history is ok");
        }
    }
}
