#!/usr/bin/env bash
# Prints, for every catalog bug and each strategy of the CI loop (.ci/run), the 1-based schedule at which the
# default budget first finds a violation and which invariant it was (a finding is only the bug's own when the
# invariant is the one the catalog names). Usage: scripts/schedules-to-bug.sh [raftverify.dll] [extra explore options]
set -uo pipefail
cd "$(dirname "$0")/.."
dll=${1:-RaftVerify.Cli/bin/Release/net10.0/raftverify.dll}; shift || true
RV="dotnet $dll"
work=$(mktemp -d)
printf "bug\tbreaks\tdelay-bounded\trandom\tpct\n"
$RV bugs | while read -r bug rest; do
  breaks=$(sed -nE 's/.*\(breaks ([A-Za-z]+)\).*/\1/p' <<<"$rest")
  row="$bug\t$breaks"
  for strategy in delay-bounded random pct; do
    line=$($RV explore --bug "$bug" --strategy $strategy --out "$work" "$@" | grep -m1 "^VIOLATION in schedule")
    if [[ -z "$line" ]]; then row="$row\tnot found"; continue; fi
    iter=$(sed -E 's/^VIOLATION in schedule ([0-9]+) .*/\1/' <<<"$line")
    inv=$(sed -E 's/^VIOLATION in schedule [0-9]+ at step [0-9]+: ([A-Za-z]+) violated.*/\1/' <<<"$line")
    if [[ "$inv" == "$breaks" ]]; then row="$row\t$((iter + 1))"; else row="$row\t$((iter + 1)) ($inv)"; fi
  done
  printf "$row\n"
done
rm -rf "$work"
