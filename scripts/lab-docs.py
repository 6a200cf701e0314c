#!/usr/bin/env python3
"""Writes docs/lab.md's generated tables from real runs of `raftverify lab`.

  python3 scripts/lab-docs.py            # the seed-1 results table (and the virtual total)
  python3 scripts/lab-docs.py --soak     # also the soak table (runs ~20,000 lab tests, about a minute)
  python3 scripts/lab-docs.py --check    # exit 1 when the seed-1 table is stale (CI)
  python3 scripts/lab-docs.py --kv-soak  # Lab 3's table: lab 3A and lab 3B, 300 seeds each (about 40 minutes on 2 busy cores)
  python3 scripts/lab-docs.py --kv-soak-from DIR  # the same table from saved outputs DIR/3A.txt and DIR/3B.txt

Needs a Release build: dotnet build -c Release RaftVerify.Cli
"""
import re, subprocess, sys, time

DLL = "RaftVerify.Cli/bin/Release/net10.0/raftverify.dll"
DOC = "docs/lab.md"

def lab(*args):
    start = time.monotonic()
    out = subprocess.run(["dotnet", DLL, "lab", *args], capture_output=True, text=True).stdout
    return out, time.monotonic() - start

def replace(doc, name, body):
    begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    return doc[:i] + body + doc[j:]

def results_table():
    out, _ = lab("--seed", "1")
    rows, total, desc = [], 0.0, None
    for line in out.splitlines():
        m = re.match(r"Test \((2[A-D])\): (.*) \.\.\.$", line)
        if m: desc = m.group(2); continue
        m = re.match(r"\s+\.\.\. Passed --\s+([0-9.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", line)
        if m and desc:
            s, peers, rpcs, nbytes, commits = m.groups()
            rows.append(f"| {desc} | {s} | {peers} | {int(rpcs):,} | {int(nbytes):,} | {int(commits):,} |")
            desc = None
        m = re.match(r"--- PASS: \S+ \(([0-9.]+)s\)", line)
        if m: total += float(m.group(1))
    if len(rows) != 28: sys.exit(f"lab-docs: expected 28 passing tests on seed 1, got {len(rows)}")
    body = "| Test | s | peers | RPCs | bytes | commits |\n|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    body += f"\nThe virtual total is {total:.0f} s (the sum of the `--- PASS` times).\n"
    return body

def soak_table():
    runs = [["2C", "--test", "TestFigure8Unreliable2C", "--seeds", "2000"],
            ["2C", "--test", "TestFigure8Unreliable2C", "--seed", "2001", "--seeds", "8000"],
            ["--seeds", "300"]]
    rows = []
    for args in runs:
        out, secs = lab(*args)
        m = re.search(r"\((\d+) passed, (\d+) failed", out)
        rows.append(f"| `raftverify lab {' '.join(args)}` | {m.group(1)} passed, {m.group(2)} failed | {secs:.1f} s |")
    return "| Command | Result | Wall time |\n|---|---|---|\n" + "\n".join(rows) + "\n"

def kv_soak_table(outputs):
    """Lab 3's soak: per test, runs passed and failed, mean and largest virtual seconds; per part, the wall time."""
    rows, walls = [], []
    for part, out in outputs:
        tests = {}
        for line in out.splitlines():
            m = re.match(r"--- (PASS|FAIL): (\S+) \(([0-9.]+)s\)", line)
            if m:
                t = tests.setdefault(m.group(2), [0, 0, []])
                t[0 if m.group(1) == "PASS" else 1] += 1
                t[2].append(float(m.group(3)))
        m = re.search(r"raftverify/lab\t([0-9.]+)s\t\((\d+) passed, (\d+) failed", out)
        walls.append(f"`raftverify lab {part} --seeds 300`: {m.group(2)} passed, {m.group(3)} failed, {float(m.group(1)):.0f} s wall")
        for name, (ok, bad, secs) in tests.items():
            rows.append(f"| {name} | {ok} | {bad} | {sum(secs) / len(secs):.1f} | {max(secs):.1f} |")
    return ("| Test | passed | failed | mean virtual s | max virtual s |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
            + "".join(f"- {w}\n" for w in walls))

def kv_soak(source):
    if source: return kv_soak_table([(p, open(f"{source}/{p}.txt", encoding="utf-8").read()) for p in ("3A", "3B")])
    return kv_soak_table([(p, lab(p, "--seeds", "300")[0]) for p in ("3A", "3B")])

doc = open(DOC, encoding="utf-8").read()
new = replace(doc, "lab-table", results_table())
if "--soak" in sys.argv: new = replace(new, "soak-table", soak_table())
if "--kv-soak" in sys.argv: new = replace(new, "kv-soak-table", kv_soak(None))
if "--kv-soak-from" in sys.argv: new = replace(new, "kv-soak-table", kv_soak(sys.argv[sys.argv.index("--kv-soak-from") + 1]))
if "--check" in sys.argv:
    if new != doc: sys.exit(f"{DOC}: the seed-1 table is stale; run python3 scripts/lab-docs.py")
    print(f"{DOC}: the seed-1 table matches a run of lab --seed 1")
else:
    open(DOC, "w", encoding="utf-8").write(new)
    print(f"wrote {DOC}")
