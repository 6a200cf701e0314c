#!/usr/bin/env python3
"""Writes traces/README.md and the table in docs/bugs.md from traces/corpus.tsv (run by build-corpus.sh).

--check: write nothing; exit 1 (naming the first differing line) if docs/bugs.md's table is not the one
traces/corpus.tsv gives, so CI can fail on a stale table. Needs no build.
"""
import csv, os, subprocess, sys
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows = list(csv.DictReader(open(os.path.join(root, "traces", "corpus.tsv")), delimiter="\t"))
bugs_md = os.path.join(root, "docs", "bugs.md")


def ratio(shrunk, minimum):
    """shrunk ÷ minimum to two decimals, in integer arithmetic (half up) so BugsTableTests computes the same text.
    "≤N" (found, but a size was cut by the state budget) bounds the minimum from above, so the ratio from below;
    "≥N" (not found within the bounds: nothing shorter than N) bounds it from below, so the ratio from above."""
    bound = "≥" if minimum.startswith("≤") else "≤" if minimum.startswith("≥") else ""
    m = minimum.lstrip("≤≥")
    if not shrunk.isdigit() or not m.isdigit():
        return "—"
    s, m = int(shrunk), int(m)
    if m == 0:
        return "1.00×" if s == 0 else "— (minimum 0)"
    h = (200 * s + m) // (2 * m)
    return bound + f"{h // 100}.{h % 100:02d}×"


def side_by_side(r):
    """The shrunk trace and the exhaustive minimum, e.g. "9 (3 nodes) vs 8 (3 nodes)"."""
    def nodes(n):
        return f" ({n} node{'' if n == '1' else 's'})"
    shrunk = r['shrunk_fault_steps'] + (nodes(r['shrunk_nodes']) if r.get('shrunk_nodes') else "")
    minimum = r.get('minimum_steps') or "n/a"
    if r.get('minimum_nodes', 'n/a') not in ("", "n/a"):
        minimum += nodes(r['minimum_nodes'])
    return f"{shrunk} vs {minimum}"


def table_lines():
    table = ["| bug | breaks | random | pct | delay-bounded | shrunk from (strategy) | steps before → after | fault + liveness phase | shrink time | shrunk fault phase vs exhaustive minimum | shrunk ÷ minimum | search time |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        search = f"{r['minimum_seconds']} s" if r.get('minimum_seconds') else "—"
        total, fault = int(r['shrunk_steps'] or 0), int(r['shrunk_fault_steps'] or 0)
        table.append(f"| {r['bug']} | {r['invariant']} | {r['random']} | {r['pct']} | {r['delay-bounded']} | {r['chosen']} | {r['original_steps']} → {r['shrunk_steps']} | {fault} + {total - fault} | {r['shrink_seconds']} s"
                     f" | {side_by_side(r)} | {ratio(r['shrunk_fault_steps'], r.get('minimum_steps') or 'n/a')} | {search} |")
    return table


def current_table(text):
    start, end = text.index("<!-- table -->"), text.index("<!-- /table -->")
    return text[start + len("<!-- table -->"):end].strip("\n").split("\n")


if "--check" in sys.argv[1:]:
    want, have = table_lines(), current_table(open(bugs_md).read())
    if want == have:
        print(f"docs/bugs.md: table matches traces/corpus.tsv ({len(rows)} bugs)")
        sys.exit(0)
    for i in range(max(len(want), len(have))):
        w = want[i] if i < len(want) else "(nothing)"
        h = have[i] if i < len(have) else "(nothing)"
        if w != h:
            print(f"docs/bugs.md: the table is stale relative to traces/corpus.tsv (run python3 scripts/corpus-docs.py)\n  table row {i + 1}: {h}\n  corpus.tsv gives: {w}", file=sys.stderr)
            break
    sys.exit(1)

desc = {}
out = subprocess.run(["dotnet", os.path.join(root, "RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"), "bugs"], capture_output=True, text=True).stdout
for line in out.splitlines():
    name, _, rest = line.partition(" ")
    desc[name] = rest.strip().rsplit(" (breaks", 1)[0]
with open(os.path.join(root, "traces", "README.md"), "w") as f:
    f.write("# traces/: the regression corpus\n\n")
    f.write("One shrunk counterexample for each bug in the catalog (`raftverify bugs`). Each file is a trace\n")
    f.write("([format](../docs/trace-format.md)) that `raftverify replay` reproduces exactly. `CorpusTests` replays every file\n")
    f.write("on its broken variant, and also runs the same events against the correct core, which must survive them.\n")
    f.write("`scripts/build-corpus.sh` regenerates the folder: it explores each bug with each strategy and shrinks what it finds.\n\n")
    f.write("| trace | bug | breaks | steps (fault phase + liveness phase) | replay |\n|---|---|---|---|---|\n")
    for r in rows:
        total, fault = int(r['shrunk_steps'] or 0), int(r['shrunk_fault_steps'] or 0)
        f.write(f"| `{r['bug']}.trace.jsonl` | {desc.get(r['bug'], '')} | {r['invariant']} | {total} ({fault} + {total - fault}) | `dotnet raftverify replay traces/{r['bug']}.trace.jsonl` |\n")
    extra = sorted(n for n in os.listdir(os.path.join(root, "traces")) if n.endswith(".trace.jsonl") and n[:-len(".trace.jsonl")] not in {r["bug"] for r in rows})
    if extra:
        f.write("\nBugs found in the core itself (not catalog variants; see docs/bugs.md). They replay with exit 1 until the core is fixed;\n")
        f.write("after the fix, `dotnet raftverify replay --by-events traces/NAME.trace.jsonl` must pass.\n\n")
        f.write("| trace | replay |\n|---|---|\n")
        for n in extra:
            f.write(f"| `{n}` | `dotnet raftverify replay traces/{n}` |\n")
    f.write("\nTo see one step by step, run `dotnet raftverify show traces/NAME.trace.jsonl`. To draw it, run `dotnet raftverify show traces/NAME.trace.jsonl --format svg -o NAME.svg`.\n")
table = table_lines()
text = open(bugs_md).read()
start, end = text.index("<!-- table -->"), text.index("<!-- /table -->")
open(bugs_md, "w").write(text[:start] + "<!-- table -->\n" + "\n".join(table) + "\n" + text[end:])
