#!/usr/bin/env bash
# Rebuilds traces/: for every catalog bug, explores with each strategy on the default budget,
# shrinks every trace found, keeps the smallest under traces/<bug>.trace.jsonl, and writes the
# measurements to traces/corpus.tsv (read by docs/bugs.md). Deterministic: same code, same corpus.
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release RaftVerify.Cli -v q -nologo > /dev/null || exit 1
RV="dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
work=$(mktemp -d)
tsv=traces/corpus.tsv
printf "bug\tinvariant\trandom\tpct\tdelay-bounded\tchosen\toriginal_steps\tshrunk_steps\tshrunk_fault_steps\tshrink_seconds\n" > "$tsv"
for bug in $($RV bugs | cut -d" " -f1); do
  declare -A found=()
  best=""; best_key=100000000000; best_steps=""; best_fault=""; best_orig=""; best_secs=""; best_strategy=""; invariant=""
  for strategy in random pct delay-bounded; do
    out="$work/$bug-$strategy"
    $RV explore --bug "$bug" --strategy $strategy --out "$out" > "$out.txt"
    line=$(grep -m1 "^VIOLATION in schedule" "$out.txt")
    if [[ -z "$line" ]]; then found[$strategy]="not found"; continue; fi
    iter=$(sed -E 's/^VIOLATION in schedule ([0-9]+) .*/\1/' <<<"$line")
    found[$strategy]=$((iter + 1))
    trace=$(ls "$out"/*.trace.jsonl | head -1)
    shrunk="$out/shrunk.trace.jsonl"
    report=$($RV shrink "$trace" -o "$shrunk") || continue
    steps=$(sed -nE 's/^shrunk ([0-9]+) steps to ([0-9]+),.* in ([0-9.]+) s.*/\2/p' <<<"$report")
    orig=$(sed -nE 's/^shrunk ([0-9]+) steps to ([0-9]+),.* in ([0-9.]+) s.*/\1/p' <<<"$report")
    secs=$(sed -nE 's/^shrunk ([0-9]+) steps to ([0-9]+),.* in ([0-9.]+) s.*/\3/p' <<<"$report")
    fault=$(sed -nE 's/^shrunk .*the fault phase [0-9]+ steps to ([0-9]+),.*/\1/p' <<<"$report")
    # keep the shortest fault phase (the schedule the shrinker chose), then the shortest trace
    key=$((fault * 1000000 + steps))
    if (( key < best_key )); then
      best="$shrunk"; best_key=$key; best_steps=$steps; best_fault=$fault; best_orig=$orig; best_secs=$secs; best_strategy=$strategy
      invariant=$(sed -nE 's/^still violates: ([A-Za-z]+) violated.*/\1/p' <<<"$report")
    fi
  done
  if [[ -n "$best" ]]; then cp "$best" "traces/$bug.trace.jsonl"; fi
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$bug" "$invariant" "${found[random]}" "${found[pct]}" "${found[delay-bounded]}" \
    "$best_strategy" "$best_orig" "$best_steps" "$best_fault" "$best_secs" >> "$tsv"
  echo "$bug: random=${found[random]} pct=${found[pct]} delay-bounded=${found[delay-bounded]}; kept $best_strategy, $best_orig -> $best_steps steps ($best_fault in the fault phase)"
  unset found
done
rm -rf "$work"
python3 scripts/corpus-docs.py
