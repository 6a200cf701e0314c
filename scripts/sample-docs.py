#!/usr/bin/env python3
"""Checks that the code excerpts of docs/bring-your-own-raft.md are the sample's code.

Each excerpt is a fenced code block right after a line `<!-- sample: PATH -->` (PATH relative to
the repository's root). A line `// …` inside the block separates parts; each part must appear in
the file as consecutive lines, exactly, and the parts in the file's order. Exit 0 when every
excerpt matches, 1 (naming the first line that does not) otherwise.

    python3 scripts/sample-docs.py --check
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "bring-your-own-raft.md"
MARK = re.compile(r"^<!-- sample: (\S+) -->$")
ELISION = "// …"


def excerpts(lines):
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        start = i + 1
        if start >= len(lines) or not lines[start].startswith("```"):
            yield m.group(1), i + 1, None
            i += 1
            continue
        end = start + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        yield m.group(1), start + 2, lines[start + 1:end]
        i = end + 1


def find(haystack, needle, start):
    for k in range(start, len(haystack) - len(needle) + 1):
        if haystack[k:k + len(needle)] == needle:
            return k
    return -1


def main():
    lines = DOC.read_text(encoding="utf-8").splitlines()
    count, bad = 0, 0
    for path, line_no, body in excerpts(lines):
        count += 1
        if body is None:
            print(f"{DOC.relative_to(ROOT)}:{line_no}: a sample marker without a code block after it")
            bad += 1
            continue
        source = ROOT / path
        if not source.is_file():
            print(f"{DOC.relative_to(ROOT)}:{line_no}: no file {path}")
            bad += 1
            continue
        text = [l.rstrip() for l in source.read_text(encoding="utf-8").splitlines()]
        parts, part = [], []
        for l in body:
            if l.strip() == ELISION:
                parts.append(part)
                part = []
            else:
                part.append(l.rstrip())
        parts.append(part)
        at = 0
        for p in parts:
            k = find(text, p, at)
            if k < 0:
                first = p[0] if p else "(empty part)"
                print(f"{DOC.relative_to(ROOT)}:{line_no}: this excerpt is not in {path} (as written, in order): {first}")
                bad += 1
                break
            at = k + len(p)
    if count == 0:
        print(f"{DOC.relative_to(ROOT)}: no sample excerpts found")
        return 1
    if bad == 0:
        print(f"{count} excerpts match the sample")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--check"]):
        print("usage: sample-docs.py [--check]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main())
