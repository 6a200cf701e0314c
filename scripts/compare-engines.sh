#!/usr/bin/env bash
# The engines side by side, fairly: every engine gets the same wall-clock budget per variant and seed
# (BUDGET_S), the same world (raftverify explore's defaults: swarm, fault budget, step bound) and the
# same check (the world's invariants after every step, the clients' histories, the liveness phase).
# Engines: our explorer's strategies (random, pct, delay-bounded, guided; one worker) and Coyote's two
# harnesses with their meaningful strategies (serial: random, q-learning; per-node: prioritization,
# delay-bounding). All runs share one warm process (the opt-in Survey_WhenAskedFor test); Coyote's seeds
# are spaced 1,000,000 apart, further than any run's iterations (Coyote's iteration i of seed s draws
# from Random(s+i)). Reported per variant and engine: the median over the seeds of schedules to the
# first violation and of seconds to it, and how many seeds found it; on the correct core any finding
# is a false positive.
# Usage: scripts/compare-engines.sh [out.md]   (env: BUDGET_S=10 SEEDS=1,2,3,4,5 BUGS=<comma list> ENGINES=<comma list>)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/engines.md}
BUDGET_S=${BUDGET_S:-10}; SEEDS=${SEEDS:-1,2,3,4,5}
[[ "$BUDGET_S" =~ ^[1-9][0-9]*$ ]] || { echo "compare-engines.sh: BUDGET_S='$BUDGET_S': expected a whole number of seconds" >&2; exit 2; }
[[ "$SEEDS" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "compare-engines.sh: SEEDS='$SEEDS': expected comma-separated seeds" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release RaftVerify.sln -warnaserror >/dev/null
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
RAFTVERIFY_COYOTE_SURVEY=$BUDGET_S RAFTVERIFY_COYOTE_SURVEY_SEEDS=$SEEDS RAFTVERIFY_COYOTE_SURVEY_OUT="$work/runs.tsv" \
  RAFTVERIFY_COYOTE_SURVEY_BUGS=${BUGS:-} RAFTVERIFY_COYOTE_SURVEY_ENGINES=${ENGINES:-} \
  dotnet test -c Release Raft.Properties --no-build --filter "FullyQualifiedName~Survey_WhenAskedFor" --blame-hang-timeout 120m > "$work/test.log" 2>&1 \
  || { tail -30 "$work/test.log"; exit 1; }
secs=$(( $(date +%s) - start ))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cp "$work/runs.tsv" "${out%.md}.tsv"

python3 - "$work/runs.tsv" "$out" "$BUDGET_S" "$SEEDS" "$secs" "$load_start" "$load_end" "$(git rev-parse --short HEAD)" <<'PY'
import os, sys, collections
runs, out, budget, seeds, secs, load_start, load_end, commit = sys.argv[1:]
budget = float(budget)
rows = collections.defaultdict(list)   # (bug, engine) -> [(found, schedules, seconds)]
order, engines = [], []
for line in open(runs):
    bug, eng, seed, found, n, s, *_ = line.rstrip("\n").split("\t")
    rows[(bug, eng)].append((int(found), int(n), float(s)))
    if bug not in order: order.append(bug)
    if eng not in engines: engines.append(eng)
INF = float("inf")
def med(values):
    v = sorted(values)
    return v[len(v) // 2]  # the median seed (upper median for an even count)
def medians(bug, eng):
    r = rows[(bug, eng)]
    return (med(n if f else INF for f, n, _ in r), med(s if f else INF for f, _, s in r), sum(f for f, _, _ in r), len(r))
def rate(eng):
    r = rows.get(("none", eng), [])
    n = sum(x[1] for x in r); s = sum(x[2] for x in r)
    return n / s if s > 0 else 0
def cell(bug, eng):
    if (bug, eng) not in rows: return "–"
    n, s, k, total = medians(bug, eng)
    if bug == "none":
        return "no violation" if k == 0 else f"FALSE POSITIVE in {k}/{total} seeds"
    if n == INF: return f"> {budget:.0f} s ({k}/{total})"
    return f"{n} · {s:.2f} s ({k}/{total})"
def name(eng):
    h, s = eng.split(":")
    return f"{s} (ours)" if h == "ours" else f"Coyote {h} {s}"
with open(out, "w") as f:
    f.write("# The engines side by side\n\n")
    cores = os.cpu_count() or 1
    busy = max(float(load_start.split()[0]), float(load_end.split()[0])) >= cores
    f.write(f"Written by one run of `BUDGET_S={budget:.0f} SEEDS={seeds} scripts/compare-engines.sh` at commit {commit} on this {cores}-core machine: "
            f"{secs} s wall clock, load average (1, 5, 15 minutes) {load_start} at the start and {load_end} at the end "
            + ("(the machine was busy: every rate below is lower than on an idle machine, all engines alike).\n\n" if busy else
               "(the 1-minute load stayed below the number of cores at both ends; the engines run one at a time).\n\n"))
    f.write("Every engine gets the same wall-clock budget per variant and seed, the same world (`raftverify explore`'s defaults: "
            "swarm testing draws 3, 5 or 7 nodes, fault rates, proposals and clients per schedule; the default fault budget and step bound) "
            "and the same check (every invariant after every step, the clients' histories, the liveness phase). "
            "Ours: the explorer with one worker. Coyote: the serial harness (one actor; every event a Coyote choice) and the "
            "per-node harness (an actor per node and one for the environment), see [coyote.md](coyote.md). All runs share one warm process "
            "(each engine first runs 2 s on the correct core). Seeds: ours " + seeds + "; Coyote's the same times 1,000,000 (its iteration i "
            "of seed s draws from Random(s+i), so nearby seeds would replay one sequence shifted).\n\n")
    f.write(f"Each cell: median over the seeds of schedules to the first violation · median seconds to it (seeds that found it / seeds); "
            f"\"> {budget:.0f} s\" when the median seed found nothing within the budget. On the correct core (`none`) any finding is a false positive. "
            "The schedules/s row is measured on the correct core.\n\n")
    f.write("| variant | " + " | ".join(name(e) for e in engines) + " |\n|---|" + "---|" * len(engines) + "\n")
    f.write("| schedules/s | " + " | ".join(f"{rate(e):.0f}" for e in engines) + " |\n")
    for bug in order:
        f.write(f"| {bug} | " + " | ".join(cell(bug, e) for e in engines) + " |\n")
    # who wins, per variant: the least median time to the bug, ours against Coyote's best
    f.write("\n## Who is first, per variant\n\n")
    f.write("The engine with the least median seconds to the bug, and the best of each side (median schedules in brackets).\n\n")
    f.write("| variant | first | ours, best | Coyote, best |\n|---|---|---|---|\n")
    tally = collections.Counter()
    for bug in order:
        if bug == "none": continue
        def best(side):
            c = [(medians(bug, e)[1], medians(bug, e)[0], e) for e in engines if (e.startswith("ours") == (side == "ours"))]
            return min(c) if c else (INF, INF, None)
        o, c = best("ours"), best("coyote")
        def show(b): return "not within the budget" if b[0] == INF else f"{name(b[2])}: {b[0]:.2f} s ({b[1]})"
        if o[0] == INF and c[0] == INF: first = "neither"
        elif o[0] < c[0]: first = "ours"
        elif c[0] < o[0]: first = "Coyote"
        else: first = "tie"
        tally[first] += 1
        f.write(f"| {bug} | {first} | {show(o)} | {show(c)} |\n")
    f.write("\nFirst: " + ", ".join(f"{k} {v}" for k, v in tally.most_common()) + ".\n")
print(open(out).read())
PY
