"""Prints the etcd-vs-RaftVerify table of scripts/compare-etcd.sh from the two raw outputs.

usage: table.py ETCD_OUTPUT BDN_CONSOLE_OUTPUT ETCD_VERSION LOAD
ETCD_OUTPUT: `go test -bench` lines of scripts/etcd-bench/commit_test.go (any number of runs per variant; the median is used).
BDN_CONSOLE_OUTPUT: BenchmarkDotNet's console output of CommitBenchmarks (its summary table; Median if shown, else Mean).
"""
import re
import statistics
import sys

etcd_path, ours_path, version, load = sys.argv[1:5]

etcd = {}
for line in open(etcd_path):
    m = re.match(r"BenchmarkCommit(\d)NodesBatch(\d+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) msgs/entry\s+(\d+) B/op\s+(\d+) allocs/op", line)
    if m:
        etcd.setdefault((int(m[1]), int(m[2])), []).append((float(m[3]), float(m[4]), int(m[5]), int(m[6])))


def ns(cell):
    cell = cell.strip().replace(",", "")
    value, unit = cell.split()
    return float(value) * {"ns": 1, "us": 1e3, "μs": 1e3, "µs": 1e3, "ms": 1e6}[unit]


def size(cell):
    cell = cell.strip()
    if cell in ("-", "0 B"):
        return 0.0
    value, unit = cell.replace(",", "").split()
    return float(value) * {"B": 1, "KB": 1024, "MB": 1024 * 1024}[unit]


ours, head = {}, None
for line in open(ours_path):
    if not line.startswith("|"):
        continue
    cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
    if cells[0] == "Method":
        head = cells
        continue
    if head is None or cells[0] != "Commit":
        continue
    r = dict(zip(head, cells))
    key = (int(r["Nodes"]), int(r["Batch"]), r["BroadcastCommit"] == "True")
    ours[key] = (ns(r["Median"] if "Median" in r else r["Mean"]), size(r["Allocated"]), r.get("Msgs/entry", "?"), "Median" in r)

if not etcd or not ours:
    sys.exit("no results to compare (see the output above)")


def fmt(x):
    return f"{x:,.0f} ns" if x >= 100 else f"{x:.1f} ns"


print()
print(f"| Nodes | Batch | etcd {version} median | etcd B, allocs / entry | etcd msgs/entry | RaftVerify message pattern | RaftVerify median | RaftVerify B/entry | msgs/entry | etcd / RaftVerify |")
print("|---|---|---|---|---|---|---|---|---|---|")
for nodes in (3, 5):
    for batch in (1, 64):
        runs = etcd.get((nodes, batch))
        if not runs:
            continue
        e_ns = statistics.median(r[0] for r in runs)
        e_b = statistics.median(r[2] for r in runs)
        e_a = statistics.median(r[3] for r in runs)
        for broadcast in (True, False):
            o = ours.get((nodes, batch, broadcast))
            if not o:
                continue
            pattern = "commit broadcast (etcd's)" if broadcast else "commit on next append (default)"
            label = "1" if batch == 1 else "64 (one proposal)"
            print(f"| {nodes} | {label} | {fmt(e_ns)} | {e_b:,.0f} B, {e_a:g} | {runs[0][1]:.2f} | {pattern} | {fmt(o[0])} | {o[1]:.0f} B | {o[2]} | **{e_ns / o[0]:.0f}×** |")
print()
n = min(len(v) for v in etcd.values())
stat = "median" if all(o[3] for o in ours.values()) else "mean"
print(f"etcd: median of {n} runs per variant (go test -benchtime); RaftVerify: BenchmarkDotNet {stat}. Per committed entry, same machine, one run. Load average at the end: {load}.")
