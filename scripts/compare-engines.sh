#!/usr/bin/env bash
# The engines side by side: for the correct core and every catalog variant, schedules to the first
# violation (median over seeds; "> cap" when the median seed found nothing within the cap) and
# schedules per second, for each Coyote strategy (through the Raft.Coyote harness, the opt-in
# survey test) and each of our explorer's strategies (raftverify explore). On the correct core a
# finding is a false positive.
# Usage: scripts/compare-engines.sh [out.md]   (env: COYOTE_CAP=10 OURS_CAP=2000 SEEDS=1,2,3,4,5; COYOTE_CAP=0 leaves Coyote out)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/engines.md}
COYOTE_CAP=${COYOTE_CAP:-10}; OURS_CAP=${OURS_CAP:-2000}; SEEDS=${SEEDS:-1,2,3,4,5}
work=$(mktemp -d)
dotnet build -c Release RaftVerify.sln -warnaserror >/dev/null
RV="dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
bugs="none $($RV bugs | awk '{print $1}' | tr '\n' ' ')"
start=$(date +%s)

# ours: one explore run per variant, strategy and seed (schedule seeds follow the run seed)
for bug in $bugs; do
  for strategy in random pct delay-bounded guided; do
    for seed in ${SEEDS//,/ }; do
      log=$($RV explore --bug "$bug" --strategy $strategy --seed "$seed" --iterations "$OURS_CAP" --workers 1 --out "$work/t" 2>&1 || true)
      line=$(grep -m1 "^VIOLATION in schedule" <<<"$log" || true)
      rate=$(sed -nE 's/^│ schedules\/s +│ +([0-9]+) +│.*/\1/p' <<<"$log" | head -1)
      if [[ -n "$line" ]]; then n=$(( $(sed -E 's/^VIOLATION in schedule ([0-9]+) .*/\1/' <<<"$line") + 1 )); found=1; else n=$OURS_CAP; found=0; fi
      printf "%s\tours:%s\t%s\t%s\t%s\t%s\n" "$bug" "$strategy" "$seed" "$found" "$n" "${rate:-0}" >> "$work/ours.tsv"
    done
  done
done

# Coyote: every strategy, every seed, at most COYOTE_CAP iterations each
: > "$work/coyote.tsv"
[[ "$COYOTE_CAP" == 0 ]] || RAFTVERIFY_COYOTE_SURVEY=$COYOTE_CAP RAFTVERIFY_COYOTE_SURVEY_SEEDS=$SEEDS RAFTVERIFY_COYOTE_SURVEY_OUT="$work/coyote.tsv" \
  dotnet test -c Release Raft.Properties --no-build --filter "FullyQualifiedName~Survey_EveryStrategy" >/dev/null

python3 - "$work/ours.tsv" "$work/coyote.tsv" "$out" "$COYOTE_CAP" "$OURS_CAP" "$SEEDS" "$(( $(date +%s) - start ))" <<'PY'
import sys, statistics, collections
ours, coyote, out, ccap, ocap, seeds, secs = sys.argv[1:]
rows = collections.defaultdict(list)   # (bug, engine) -> [(found, n, rate_or_seconds)]
order, engines = [], []
for line in open(ours):
    bug, eng, seed, found, n, rate = line.rstrip("\n").split("\t")
    rows[(bug, eng)].append((int(found), int(n), float(rate), None))
    if bug not in order: order.append(bug)
    if eng not in engines: engines.append(eng)
for line in open(coyote):
    bug, strat, seed, found, n, s, *_ = line.rstrip("\n").split("\t")
    eng = "coyote:" + strat
    rows[(bug, eng)].append((int(found), int(n), None, float(s)))
    if eng not in engines: engines.append(eng)
def cell(bug, eng):
    r = rows.get((bug, eng))
    if not r: return "–"
    cap = int(ocap) if eng.startswith("ours") else int(ccap)
    keys = sorted(n if f else cap + 1 for f, n, _, _ in r)
    med = keys[len(keys) // 2]
    found = sum(f for f, *_ in r)
    if eng.startswith("ours"):
        rate = statistics.mean(x for _, _, x, _ in r)
    else:
        total_n = sum(n for _, n, _, _ in r); total_s = sum(s for *_, s in r)
        rate = total_n / total_s if total_s > 0 else 0
    text = f"> {cap}" if med > cap else str(med)
    if bug == "none": text = "no violation" if found == 0 else f"FALSE POSITIVE in {found}/{len(r)} seeds"
    return f"{text} ({found}/{len(r)}; {rate:.0f}/s)"
with open(out, "w") as f:
    f.write("# The engines side by side\n\n")
    f.write(f"Written by `scripts/compare-engines.sh` (COYOTE_CAP={ccap}, OURS_CAP={ocap}, SEEDS={seeds}; {secs} s on this machine).\n")
    f.write("Each cell: median schedules to the first violation over the seeds (\"> cap\" when the median seed found nothing), "
            "(seeds that found it / seeds; schedules per second). Ours: `raftverify explore --workers 1` (swarm: 3/5/7 nodes, the default world); "
            "Coyote (when COYOTE_CAP > 0): the Raft.Coyote harness (3 nodes, adversarial world, see docs/coyote.md). On the correct core (`none`) any finding is a false positive.\n\n")
    def median(bug, eng):
        r = rows.get((bug, eng))
        if not r: return None
        keys = sorted(n if f else int(ocap) + 1 for f, n, _, _ in r)
        return keys[len(keys) // 2]
    def gain(bug):
        if bug == "none": return "–"
        g = median(bug, "ours:guided")
        blind = [m for e in ("ours:random", "ours:pct", "ours:delay-bounded") if (m := median(bug, e)) is not None]
        if g is None or not blind: return "–"
        best = min(blind)
        if best > int(ocap) and g > int(ocap): return "neither"
        return f"{best / g:.1f}×" if g <= int(ocap) else "< 1 (guided > cap)"
    f.write("The last column divides the best blind strategy's median (ours: random, pct or delay-bounded) by the guided strategy's: above 1, guided needed fewer schedules.\n\n")
    f.write("| variant | " + " | ".join(engines) + " | best blind ÷ guided |\n|---|" + "---|" * (len(engines) + 1) + "\n")
    for bug in order:
        f.write(f"| {bug} | " + " | ".join(cell(bug, e) for e in engines) + f" | {gain(bug)} |\n")
print(open(out).read())
PY
rm -rf "$work"
