#!/usr/bin/env python3
"""Fill the "last result" column of docs/reliability.md from the TRX files of one test run.

Every row of the matrix names the xunit tests that prove it. This script reads the results of a run of the README's
test command with a TRX logger, for example

    dotnet test Replicator.sln -c Release --blame-hang-timeout 45m --logger trx --results-directory /tmp/run1

and writes, for each row whose tests it finds, "passed" (with the number of cases when there are several, and their
summed duration) or "FAILED" with the failing test's name. A row whose column names no test of the run (a command of
the full soak, say) keeps its text, and the script lists those rows, so the column never claims a result that the run
did not produce.

Names in the test column are resolved the way a reader resolves them: a full name
(`Replicator.Core.Tests.Copy.BlobDownloadTests.A_400_...`), a class (every test in it), `Class.Method` or a bare
method (in the class named last before it in the same cell), with or without a leading "...".

Usage: scripts/reliability-results.py [--check] TRX_OR_DIRECTORY... ; --check rewrites nothing and exits 1 when any
row's result would change (or a cited test failed), which keeps a document and a run comparable.
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

TRX = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "reliability.md"


def load_results(paths):
    """Map each test's name without its theory arguments to its list of (outcome, seconds)."""
    files = []
    for p in map(pathlib.Path, paths):
        files += sorted(p.rglob("*.trx")) if p.is_dir() else [p]
    if not files:
        sys.exit("no .trx files found in " + " ".join(paths))
    results = {}
    for f in files:
        for r in ET.parse(f).getroot().iter(TRX + "UnitTestResult"):
            name = r.get("testName", "").split("(", 1)[0]
            h, m, s = r.get("duration", "0:0:0").split(":")
            seconds = int(h) * 3600 + int(m) * 60 + float(s)
            results.setdefault(name, []).append((r.get("outcome"), seconds))
    return results


def resolve(token, last_class, results):
    """The result names one backticked token of the test column denotes, and the class it leaves as context."""
    token = token.lstrip(".")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", token):
        return [], last_class
    if token in results:
        return [token], token.rsplit(".", 1)[0]
    in_class = [n for n in results if n.startswith(token + ".")]
    if in_class:
        return in_class, token
    if last_class and last_class + "." + token in results:
        return [last_class + "." + token], last_class
    tail = [n for n in results if n.endswith("." + token)]
    if tail:
        # A short name the cell has no class for: take it when it names one test class only, so that a method name
        # shared by two classes never counts the other class's cases.
        classes = {n[: -len(token) - 1] for n in tail}
        if len(classes) == 1:
            return tail, classes.pop()
    return [], last_class


def cell_for(names, results):
    runs = [run for n in names for run in results[n]]
    failed = sorted({n for n in names for outcome, _ in results[n] if outcome != "Passed"})
    if failed:
        return "FAILED: " + ", ".join("`" + n + "`" for n in failed)
    seconds = sum(s for _, s in runs)
    cases = f" ({len(runs)} cases)" if len(runs) > 1 else ""
    return f"passed{cases}, {seconds:.1f} s"


def main(argv):
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if not paths:
        sys.exit(__doc__)
    results = load_results(paths)
    lines = DOC.read_text(encoding="utf-8").split("\n")
    header, changed, kept, failures, missing = None, 0, [], 0, []
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if line.startswith("|---") or header[-1] != "last result" or len(cells) != len(header):
            continue
        test_cell = cells[header.index("test") if "test" in header else header.index("command")]
        names, context = [], None
        for token in re.findall(r"`([^`]+)`", test_cell):
            found, context = resolve(token, context, results)
            names += [n for n in found if n not in names]
            if not found and ("_" in token or token.startswith(("Replicator.", "LocalEcr.", "Stack."))):
                missing.append(f"{i + 1}: {token}")
        # Only a result this script could have written is replaced: a cell that reports a longer run in words (the
        # outage soak's) keeps its text.
        if not names or not re.match(r"(passed|FAILED)\b", cells[-1]):
            kept.append(i + 1)
            continue
        new = cell_for(names, results)
        failures += new.startswith("FAILED")
        if new != cells[-1]:
            changed += 1
            cells[-1] = new
            lines[i] = "| " + " | ".join(cells) + " |"
    if not check:
        DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"{changed} rows {'would change' if check else 'updated'}, {failures} with a failed test; "
          f"rows naming no test of this run (kept as written): {', '.join(map(str, kept)) or 'none'}")
    for m in missing:
        print("cited but not in this run: " + m)
    return 1 if failures or missing or (check and changed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
