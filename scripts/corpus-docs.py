#!/usr/bin/env python3
"""Writes traces/README.md and the table in docs/bugs.md from traces/corpus.tsv (run by build-corpus.sh)."""
import csv, os, subprocess
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows = list(csv.DictReader(open(os.path.join(root, "traces", "corpus.tsv")), delimiter="\t"))
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
    f.write("| trace | bug | breaks | steps | replay |\n|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| `{r['bug']}.trace.jsonl` | {desc.get(r['bug'], '')} | {r['invariant']} | {r['shrunk_steps']} | `raftverify replay traces/{r['bug']}.trace.jsonl` |\n")
    f.write("\nTo see one step by step, run `raftverify show traces/NAME.trace.jsonl`. To draw it, run `raftverify show traces/NAME.trace.jsonl --format svg -o NAME.svg`.\n")
table = ["| bug | breaks | random | pct | delay-bounded | shrunk from (strategy) | steps before → after | shrink time |",
         "|---|---|---|---|---|---|---|---|"]
for r in rows:
    table.append(f"| {r['bug']} | {r['invariant']} | {r['random']} | {r['pct']} | {r['delay-bounded']} | {r['chosen']} | {r['original_steps']} → {r['shrunk_steps']} | {r['shrink_seconds']} s |")
bugs_md = os.path.join(root, "docs", "bugs.md")
text = open(bugs_md).read()
start, end = text.index("<!-- table -->"), text.index("<!-- /table -->")
open(bugs_md, "w").write(text[:start] + "<!-- table -->\n" + "\n".join(table) + "\n" + text[end:])
