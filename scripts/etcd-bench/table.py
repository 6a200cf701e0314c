"""Prints the etcd-vs-RaftVerify table of scripts/compare-etcd.sh from its rounds.

usage: table.py RUNS_DIR ETCD_VERSION QUIET_LOAD CPU COMMIT
       table.py --compare RUNS_DIR_1 RUNS_DIR_2   (two runs kept with KEEP_OUTPUT: each row's median ratio in both, and how far apart)
RUNS_DIR holds, per round N: etcd_N.txt (`go test -bench` lines of scripts/etcd-bench/commit_test.go),
ours_N.txt (BenchmarkDotNet's console output of CommitBenchmarks: its summary table, Median if shown,
else Mean), and loads.tsv (round, part, load average before and after the part).
Each row: the median over the rounds of etcd's and our ns per committed entry, the median of the
per-round ratios, and their spread (the highest per-round ratio over the lowest, minus one).
"""
import csv
import os
import re
import statistics
import sys

SPREAD_LIMIT = 0.15


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


def read_etcd(path):
    out = {}
    for line in open(path):
        m = re.match(r"BenchmarkCommit(\d)NodesBatch(\d+)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) msgs/entry\s+(\d+) B/op\s+(\d+) allocs/op", line)
        if m:
            out[(int(m[1]), int(m[2]))] = (float(m[3]), float(m[4]), int(m[5]), int(m[6]))
    return out


def read_ours(path):
    out, head = {}, None
    for line in open(path):
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
        out[key] = (ns(r["Median"] if "Median" in r else r["Mean"]), size(r["Allocated"]), r.get("Msgs/entry", "?"), "Median" in r)
    return out


def read_runs(runs_dir):
    rounds = sorted(int(m[1]) for f in os.listdir(runs_dir) if (m := re.fullmatch(r"etcd_(\d+)\.txt", f)))
    etcd = {r: read_etcd(os.path.join(runs_dir, f"etcd_{r}.txt")) for r in rounds}
    ours = {r: read_ours(os.path.join(runs_dir, f"ours_{r}.txt")) for r in rounds}
    if not rounds or not all(etcd.values()) or not all(ours.values()):
        sys.exit(f"no results to compare in {runs_dir} (see the output above)")
    return rounds, etcd, ours


def median_ratios(runs_dir):
    """(nodes, batch, broadcast) -> the median over the rounds of etcd's ns over ours."""
    rounds, etcd, ours = read_runs(runs_dir)
    return {key: statistics.median(etcd[r][key[:2]][0] / ours[r][key][0] for r in rounds)
            for key in ours[rounds[0]] if all(key[:2] in etcd[r] and key in ours[r] for r in rounds)}


if sys.argv[1] == "--compare":
    first, second = median_ratios(sys.argv[2]), median_ratios(sys.argv[3])
    print("| Nodes, batch | pattern | first run | second run | apart |")
    print("|---|---|---|---|---|")
    for key in sorted(first.keys() & second.keys(), key=lambda k: (k[0], k[1], not k[2])):
        a, b = first[key], second[key]
        apart = abs(a - b) / min(a, b)
        mark = "**" if apart > SPREAD_LIMIT else ""
        print(f"| {key[0]}, {key[1]} | {'etcd' + chr(39) + 's' if key[2] else 'default'} | {a:.1f}× | {b:.1f}× | {mark}{apart:.1%}{mark} |")
    sys.exit(0)

runs_dir, version, quiet_load, cpu, commit = sys.argv[1:6]
quiet_load = float(quiet_load)
rounds, etcd, ours = read_runs(runs_dir)
loads = list(csv.DictReader(open(os.path.join(runs_dir, "loads.tsv")), delimiter="\t"))


def fmt(x):
    return f"{x:,.0f} ns" if x >= 100 else f"{x:.1f} ns"


print()
print(f"| Nodes | Batch | etcd {version} | etcd B, allocs / entry | etcd msgs/entry | RaftVerify message pattern | RaftVerify | RaftVerify B/entry | msgs/entry | etcd / RaftVerify | per round | spread |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
worst_spread, lowest_ratio = 0.0, None
for nodes in (3, 5):
    for batch in (1, 64):
        if any((nodes, batch) not in etcd[r] for r in rounds):
            continue
        e = [etcd[r][(nodes, batch)] for r in rounds]
        for broadcast in (True, False):
            if any((nodes, batch, broadcast) not in ours[r] for r in rounds):
                continue
            o = [ours[r][(nodes, batch, broadcast)] for r in rounds]
            ratios = [ei[0] / oi[0] for ei, oi in zip(e, o)]
            spread = max(ratios) / min(ratios) - 1
            worst_spread = max(worst_spread, spread)
            ratio = statistics.median(ratios)
            lowest_ratio = ratio if lowest_ratio is None else min(lowest_ratio, ratio)
            pattern = "commit broadcast (etcd's)" if broadcast else "commit on next append (default)"
            label = "1" if batch == 1 else "64 (one proposal)"
            print(f"| {nodes} | {label} | {fmt(statistics.median(x[0] for x in e))} | {statistics.median(x[2] for x in e):,.0f} B, "
                  f"{statistics.median(x[3] for x in e):g} | {e[0][1]:.2f} | {pattern} | {fmt(statistics.median(x[0] for x in o))} | "
                  f"{max(x[1] for x in o):.0f} B | {o[0][2]} | **{ratio:.0f}×** | {', '.join(f'{x:.0f}' for x in ratios)} | {spread:.0%} |")
print()
stat = "median" if all(v[3] for r in rounds for v in ours[r].values()) else "mean"
highest = max(max(float(l["load_before"]), float(l["load_after"])) for l in loads)
parts = "; ".join(f"{l['round']} {l['part']} {l['load_before']}→{l['load_after']}" for l in loads)
print(f"{len(rounds)} rounds (etcd, then ours, each round), commit {commit}, both on CPU {cpu} (GOMAXPROCS=1; .NET workstation non-concurrent GC). "
      f"etcd: go test -benchtime, one run per variant per round; RaftVerify: BenchmarkDotNet {stat}. Columns: medians over the rounds; "
      f"per round: each round's ratio; spread: highest over lowest per-round ratio, minus one. Per committed entry.")
print()
print(f"Load average (1 minute) before→after each part: {parts}.")
print(f"Quiet: {'yes' if highest < quiet_load else 'no'} (highest load {highest:.2f}, limit {quiet_load:g}). "
      f"Ratios within {SPREAD_LIMIT:.0%} across rounds: {'yes' if worst_spread <= SPREAD_LIMIT else 'no'} (widest spread {worst_spread:.0%}). "
      f"Lowest median ratio {lowest_ratio:.0f}×.")
