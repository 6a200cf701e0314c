#!/usr/bin/env bash
# How often each strategy breaks the hardest catalog variants: violating schedules among the first
# N (explore --keep-going), per variant, summed over seeds. A steadier measure than schedules to the
# first violation, whose median over a few seeds swings by a factor of several.
# Usage: scripts/violation-rates.sh [N]   (env: SEEDS="1 2 3 4 5 6" STRATEGIES="random guided"
#        BUGS="commit-previous-term older-snapshot-installed lower-term-append-accepted")
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
SEEDS=${SEEDS:-1 2 3 4 5 6}; STRATEGIES=${STRATEGIES:-random guided}
BUGS=${BUGS:-commit-previous-term older-snapshot-installed lower-term-append-accepted}
dotnet build -c Release RaftVerify.sln -warnaserror >/dev/null
RV="dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
work=$(mktemp -d)
echo "| variant | $(sed 's/ / | /g' <<<"$STRATEGIES") |"
echo "|---|$(for _ in $STRATEGIES; do printf -- '---|'; done)"
for bug in $BUGS; do
  row="| $bug |"
  for strategy in $STRATEGIES; do
    total=0
    for seed in $SEEDS; do
      k=$($RV explore --bug "$bug" --strategy "$strategy" --seed "$seed" --iterations "$n" --keep-going --out "$work" 2>&1 | grep -c '^violating schedule' || true)
      total=$((total + k))
    done
    row="$row $total |"
  done
  echo "$row"
done
echo
echo "(violating schedules among the first $n of each run, summed over seeds $SEEDS)"
rm -rf "$work"
