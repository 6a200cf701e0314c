#!/usr/bin/env bash
# Rebuilds traces/: for every catalog bug, explores with each strategy on the default budget,
# shrinks every trace found, keeps the smallest under traces/<bug>.trace.jsonl, searches the
# exhaustive minimum in that trace's world (raftverify minimum --like), and writes the measurements
# to traces/corpus.tsv (read by docs/bugs.md). Deterministic: same code, same corpus (the times aside).
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release RaftVerify.Cli -v q -nologo > /dev/null || exit 1
RV="dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
work=$(mktemp -d)
tsv=traces/corpus.tsv
# bounds of the exhaustive minimum search (raftverify minimum) run on each kept trace
MIN_DEPTH=${MIN_DEPTH:-30}
MIN_STATES=${MIN_STATES:-1000000}
printf "bug\tinvariant\trandom\tpct\tdelay-bounded\tchosen\toriginal_steps\tshrunk_steps\tshrunk_fault_steps\tshrink_seconds\tshrunk_nodes\tminimum_steps\tminimum_nodes\tminimum_seconds\n" > "$tsv"
for bug in $($RV bugs | cut -d" " -f1); do
  declare -A found=()
  best=""; best_key=100000000000; best_steps=""; best_fault=""; best_orig=""; best_secs=""; best_strategy=""; invariant=""; best_nodes=""
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
    # keep the shortest fault phase (the schedule the shrinker chose; the liveness phase follows from it), then the shortest trace
    key=$((fault * 1000000 + steps))
    if (( key < best_key )); then
      best="$shrunk"; best_key=$key; best_steps=$steps; best_fault=$fault; best_orig=$orig; best_secs=$secs; best_strategy=$strategy
      best_nodes=$(sed -nE 's/^shrunk .* nodes to ([0-9]+),.*/\1/p' <<<"$report")
      invariant=$(sed -nE 's/^still violates: ([A-Za-z]+) violated.*/\1/p' <<<"$report")
    fi
  done
  min_steps="n/a"; min_nodes="n/a"; min_secs=""
  if [[ -n "$best" ]]; then
    cp "$best" "traces/$bug.trace.jsonl"
    # the exhaustive minimum in the kept trace's world (its seed, options, fault budget and liveness phase), on 1-3 nodes
    min_out=$($RV minimum --bug "$bug" --like "traces/$bug.trace.jsonl" --max-depth "$MIN_DEPTH" --max-states "$MIN_STATES" -o "$work/$bug-minimum.trace.jsonl")
    min_line=$(grep -m1 "^minimum: " <<<"$min_out")
    min_secs=$(sed -nE 's/^searched [0-9]+ states in ([0-9.]+) s.*/\1/p' <<<"$min_out")
    if [[ "$min_line" =~ ^minimum:\ ([0-9]+)\ steps,\ ([0-9]+)\ nodes ]]; then
      min_steps=${BASH_REMATCH[1]}; min_nodes=${BASH_REMATCH[2]}
      # a size cut by the state budget leaves a shorter schedule possible: an upper bound only
      if [[ "$min_line" == *"not proven"* ]]; then min_steps="≤$min_steps"; fi
    elif [[ "$min_line" =~ none\ shorter\ than\ ([0-9]+)\ steps ]]; then
      # not found within the bounds: every schedule shorter than this was searched (a lower bound)
      min_steps="≥${BASH_REMATCH[1]}"
    elif [[ "$min_line" == *"not found"* ]]; then
      min_steps="not found (depth $MIN_DEPTH, $MIN_STATES states)"
    else
      min_steps=${min_line#minimum: }
    fi
  fi
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$bug" "$invariant" "${found[random]}" "${found[pct]}" "${found[delay-bounded]}" \
    "$best_strategy" "$best_orig" "$best_steps" "$best_fault" "$best_secs" "$best_nodes" "$min_steps" "$min_nodes" "$min_secs" >> "$tsv"
  echo "$bug: random=${found[random]} pct=${found[pct]} delay-bounded=${found[delay-bounded]}; kept $best_strategy, $best_orig -> $best_steps steps ($best_fault in the fault phase); minimum $min_steps steps, $min_nodes nodes"
  unset found
done
rm -rf "$work"
python3 scripts/corpus-docs.py
