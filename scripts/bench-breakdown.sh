#!/usr/bin/env bash
# Where the commit cycle's time goes, stage by stage, for the eight CommitBenchmarks cases (3 and 5
# nodes, batch 1 and 64, with and without the commit broadcast). See docs/benchmarks.md ("Where the
# time goes").
#
#   bash scripts/bench-breakdown.sh            # the eight cases, then one table of ns per entry by stage
#   CASES="3 1 true" bash scripts/bench-breakdown.sh   # one case (NODES BATCH BROADCAST; several: separate with commas)
#   RUNS=1 bash scripts/bench-breakdown.sh      # one process per case instead of 3
#
# Each case runs `Raft.Bench breakdown NODES BATCH BROADCAST ENTRIES`: the loop work (warm-up, then
# 5 timed runs) with the harness's stage markers on, and a thread on the other CPU reading the
# current stage every 10 µs. A stage's share of the samples times the measured ns per entry is its
# cost per entry. ENTRIES is 2,000,000 at batch 1 and 10,000,000 at batch 64. Needs two CPUs and
# is not pinned (the sampler runs on the second CPU). A process can land 20-50% higher than the next
# one of the same code, so each case runs in RUNS processes (default 3) and the one with the median
# total is kept. Prints each kept table with every process's total, then the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(nproc)" -ge 2 ] || { echo "bench-breakdown.sh: needs two CPUs (the sampler runs on the second)" >&2; exit 2; }
RUNS=${RUNS:-3}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "bench-breakdown.sh: RUNS='$RUNS': expected a whole number of processes per case" >&2; exit 2; }
CASES=${CASES-3 1 false,3 1 true,3 64 false,3 64 true,5 1 false,5 1 true,5 64 false,5 64 true}
[ -n "$CASES" ] || { echo "bench-breakdown.sh: CASES is empty: give NODES BATCH true|false, several separated by commas" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
IFS=',' read -ra cases <<< "$CASES"
for c in "${cases[@]}"; do
  read -r nodes batch broadcast extra <<< "$c"
  [[ "$nodes" =~ ^[1-9][0-9]*$ && "$nodes" -ge 2 && "$batch" =~ ^[1-9][0-9]*$ && "$batch" -le 64 && "$broadcast" =~ ^(true|false)$ && -z "${extra:-}" ]] ||
    { echo "bench-breakdown.sh: CASES entry '$c': expected NODES BATCH true|false (NODES >= 2, BATCH 1..64)" >&2; exit 2; }
done
dotnet build -c Release Raft.Bench -v q -nologo >&2
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC'), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
for c in "${cases[@]}"; do
  read -r nodes batch broadcast <<< "$c"
  entries=$([ "$batch" = 1 ] && echo 2000000 || echo 10000000)
  i=$((i + 1))
  echo
  echo "### $nodes nodes, batch $batch, broadcast $broadcast (load $(cut -d' ' -f1 /proc/loadavg))"
  echo
  totals=()
  for r in $(seq 1 "$RUNS"); do
    dotnet Raft.Bench/bin/Release/net10.0/Raft.Bench.dll breakdown "$nodes" "$batch" "$broadcast" "$entries" > "$WORK/$i.$r.txt"
    totals+=("$(sed -nE '1s/.*: ([0-9.,]+) ns per committed entry.*/\1/p' "$WORK/$i.$r.txt" | tr -d ,) $r")
  done
  kept=$(printf '%s\n' "${totals[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p" | cut -d' ' -f2)
  cp "$WORK/$i.$kept.txt" "$WORK/$i.txt"
  cat "$WORK/$i.txt"
  echo
  echo "ns per entry in the $RUNS processes: $(printf '%s\n' "${totals[@]}" | cut -d' ' -f1 | paste -sd' ' | sed 's/ /, /g'); the table is the median one's"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$WORK" "${#cases[@]}" <<'PY'
import re, sys
work, n = sys.argv[1], int(sys.argv[2])
rows, stages = [], []
for i in range(1, n + 1):
    text = open(f"{work}/{i}.txt").read()
    head = re.match(r"(\d+) nodes, batch (\d+), broadcast (\w+): ([\d.,]+) ns", text)
    cells = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) == 5 and parts[0] not in ("stage", "---") and not parts[0].startswith("-"):
            name = parts[0].split(" (")[0]
            if name not in stages: stages.append(name)
            cells[name] = parts[2]
    rows.append((head.group(1), head.group(2), "etcd's (broadcast)" if head.group(3) == "True" else "default", head.group(4), cells))
print("ns per committed entry, by stage:")
print()
print("| nodes | batch | pattern | total | " + " | ".join(stages) + " |")
print("|---" * (4 + len(stages)) + "|")
for nodes, batch, pattern, total, cells in rows:
    print(f"| {nodes} | {batch} | {pattern} | {total} | " + " | ".join(cells.get(s, "") for s in stages) + " |")
PY
