#!/usr/bin/env bash
# Runs every command of docs/coyote.md as printed: each line of its ```sh blocks (a trailing "\" joins
# the next line), from the repository's root, in order, through bash. A trailing "# exit N" says the
# exit code the command must end with (default 0); a line whose comment starts "# not run by CI:" is
# listed and skipped (a long measurement; the reason follows). Needs the set-up the doc names first
# (README's `dotnet tool restore`, which brings the Coyote CLI from the manifest). Output of each
# command goes to TestResults/coyote-docs/N.txt; the script ends with "coyote-docs: N ran, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
doc=${1:-docs/coyote.md}
logs=TestResults/coyote-docs
rm -rf "$logs" coyote-out && mkdir -p "$logs"
mapfile -t commands < <(python3 - "$doc" <<'PY'
import sys
lines, inside, cur = open(sys.argv[1]).read().splitlines(), False, ""
for line in lines:
    if line.startswith("```"):
        inside = line.strip() == "```sh"
        continue
    if not inside: continue
    if cur:
        cur += " " + line.strip()
    else:
        if not line.strip() or line.lstrip().startswith("#"): continue
        cur = line.strip()
    if cur.endswith("\\"):
        cur = cur[:-1].rstrip()
        continue
    print(cur)
    cur = ""
PY
)
[[ ${#commands[@]} -gt 0 ]] || { echo "coyote-docs: no \`\`\`sh commands in $doc" >&2; exit 1; }
ran=0; skipped=0; n=0
for line in "${commands[@]}"; do
  n=$((n + 1))
  if [[ "$line" == *"# not run by CI:"* ]]; then echo "coyote-docs: skipped: $line"; skipped=$((skipped + 1)); continue; fi
  expected=0
  [[ "$line" =~ \#\ exit\ ([0-9]+) ]] && expected=${BASH_REMATCH[1]}
  echo "coyote-docs: running as printed: $line"
  bash -c "$line" > "$logs/$n.txt" 2>&1
  rc=$?
  if [[ $rc -ne $expected ]]; then
    echo "coyote-docs: exit $rc, expected $expected: $line" >&2
    tail -20 "$logs/$n.txt" >&2
    exit 1
  fi
  if grep -q "Anonymized telemetry is enabled" "$logs/$n.txt"; then echo "coyote-docs: telemetry is on in: $line" >&2; exit 1; fi
  ran=$((ran + 1))
done
rm -rf coyote-out
echo "coyote-docs: $ran ran, $skipped skipped"
