#!/usr/bin/env bash
# Guided exploration with and without a corpus kept from an earlier campaign (explore --corpus).
# Builds a corpus on the correct core (BUILD schedules from seed BUILD_SEED, or reuses CORPUS), then
# for each catalog variant and seed prints the 1-based schedule at which guided exploration first
# breaks an invariant: without a corpus, and with a fresh copy of the built one (the copy's
# schedules run first, in an order drawn from the seed, and count as schedules).
# Usage: scripts/corpus-regression.sh
#   env: BUILD=60000 BUILD_SEED=1000 SEEDS="1 2 3 4 5" ITERATIONS=8000 CORPUS=<dir to reuse>
#        BUGS="commit-previous-term ..." (default: every catalog variant)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-60000}; BUILD_SEED=${BUILD_SEED:-1000}; SEEDS=${SEEDS:-1 2 3 4 5}; ITERATIONS=${ITERATIONS:-8000}
for v in "$BUILD" "$BUILD_SEED" "$ITERATIONS"; do
  [[ "$v" =~ ^[1-9][0-9]{0,8}$ ]] || { echo "corpus-regression: BUILD, BUILD_SEED and ITERATIONS must be positive integers (got '$v')" >&2; exit 2; }
done
for s in $SEEDS; do [[ "$s" =~ ^[0-9]{1,9}$ ]] || { echo "corpus-regression: SEEDS must be integers (got '$s')" >&2; exit 2; }; done
if [[ -n "${CORPUS:-}" && ! -d "$CORPUS" ]]; then echo "corpus-regression: CORPUS '$CORPUS' is not a directory" >&2; exit 2; fi

dotnet build -c Release RaftVerify.sln -warnaserror >/dev/null
RV="dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
BUGS=${BUGS:-$($RV bugs | awk '{print $1}')}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

corpus=${CORPUS:-$work/built}
if [[ -z "${CORPUS:-}" ]]; then
  start=$(date +%s)
  $RV explore --strategy guided --iterations "$BUILD" --seed "$BUILD_SEED" --corpus "$corpus" --out "$work/out" >/dev/null
  echo "corpus: $(find "$corpus" -name "*.json" | wc -l) schedules, $(du -sh "$corpus" | cut -f1), built by \`explore --strategy guided --iterations $BUILD --seed $BUILD_SEED --corpus DIR\` in $(( $(date +%s) - start )) s"
else
  echo "corpus: $(find "$corpus" -name "*.json" | wc -l) schedules from $CORPUS"
fi
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# the 1-based schedule of the first violation, or 0 when none within ITERATIONS
first() {
  local line
  line=$($RV explore "$@" --iterations "$ITERATIONS" --out "$work/out" 2>&1 | grep -m1 '^VIOLATION in schedule' || true)
  if [[ -z "$line" ]]; then echo 0; else echo $(( $(sed -E 's/^VIOLATION in schedule ([0-9]+) .*/\1/' <<<"$line") + 1 )); fi
}

# "median (found/seeds): a, b, c": not found counts as more than any found
summary() {
  local found=0 n=0 xs=() sorted median shown=()
  for x in "$@"; do n=$((n + 1)); if [[ $x -gt 0 ]]; then found=$((found + 1)); xs+=("$x"); shown+=("$x"); else xs+=($((ITERATIONS + 1))); shown+=("-"); fi; done
  sorted=($(printf '%s\n' "${xs[@]}" | sort -n))
  median=${sorted[$(( (n - 1) / 2 ))]}
  [[ $median -gt $ITERATIONS ]] && median="> $ITERATIONS"
  echo "$median ($found/$n): $(IFS=,; echo "${shown[*]}" | sed 's/,/, /g')"
}

echo "| variant | guided, no corpus | guided, with the corpus |"
echo "|---|---|---|"
for bug in $BUGS; do
  cold=(); warm=()
  for seed in $SEEDS; do
    cold+=("$(first --bug "$bug" --strategy guided --seed "$seed")")
    rm -rf "$work/copy"; cp -r "$corpus" "$work/copy"
    warm+=("$(first --bug "$bug" --strategy guided --seed "$seed" --corpus "$work/copy")")
  done
  echo "| $bug | $(summary "${cold[@]}") | $(summary "${warm[@]}") |"
done
echo
echo "(schedules to the first violation, median over seeds $SEEDS (seeds that found it / seeds): each seed's figure; - none within $ITERATIONS)"
