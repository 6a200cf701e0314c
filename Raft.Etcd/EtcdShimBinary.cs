using System.Diagnostics;

namespace Raft.Etcd;

/// <summary>Finds the shim binary: $RAFTVERIFY_ETCD_SHIM, else what scripts/etcd-shim.sh builds (cached).</summary>
public static class EtcdShimBinary
{
    public const string EnvironmentVariable = "RAFTVERIFY_ETCD_SHIM";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> Located = new();

    /// <summary>
    /// The shim's path; builds it at most once per process (the script reuses a cached build).
    /// <paramref name="bug"/> names a broken build (Raft.Etcd/shim/bugs/BUG.patch, ETCD_SHIM_BUG=BUG for the script).
    /// </summary>
    public static string Locate(string? bug = null) =>
        Located.GetOrAdd(bug ?? "", b => new Lazy<string>(() => LocateOnce(b.Length == 0 ? null : b))).Value;

    private static string LocateOnce(string? bug)
    {
        var fromEnv = Environment.GetEnvironmentVariable(bug is null ? EnvironmentVariable : $"{EnvironmentVariable}_{bug.ToUpperInvariant().Replace('-', '_')}");
        if (!string.IsNullOrEmpty(fromEnv))
            return File.Exists(fromEnv) ? fromEnv
                : throw new EtcdShimException(EtcdShimFailure.Missing, $"{EnvironmentVariable}={fromEnv}: no such file");
        var script = FindScript()
            ?? throw new EtcdShimException(EtcdShimFailure.Missing, $"scripts/etcd-shim.sh not found above {AppContext.BaseDirectory}; set {EnvironmentVariable}");
        var psi = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (bug is not null) psi.Environment["ETCD_SHIM_BUG"] = bug;
        using var p = Process.Start(psi) ?? throw new EtcdShimException(EtcdShimFailure.Missing, "cannot run bash");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            throw new EtcdShimException(EtcdShimFailure.Missing, "scripts/etcd-shim.sh took over 20 minutes; killed it");
        }
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (p.ExitCode != 0 || lines.Length == 0)
        {
            var why = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            throw new EtcdShimException(EtcdShimFailure.Missing, $"scripts/etcd-shim.sh failed (exit {p.ExitCode}): {why}");
        }
        return lines[^1];
    }

    private static string? FindScript()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scripts", "etcd-shim.sh");
                if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "RaftVerify.sln"))) return candidate;
            }
        }
        return null;
    }
}

/// <summary>Per-node, per-incarnation seeds from one cluster seed, so a restart draws fresh but reproducible jitter.</summary>
public static class EtcdSeeds
{
    public static ulong ForNode(ulong clusterSeed, int node, int incarnation)
    {
        ulong z = clusterSeed ^ ((ulong)(uint)node << 32 | (uint)incarnation) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
