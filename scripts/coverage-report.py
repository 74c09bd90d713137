#!/usr/bin/env python3
"""Merges the Cobertura files of scripts/coverage.sh (one per test project) and prints the product's coverage.

A line counts as covered when any test project ran it: Core's code is run by Core's tests and, through the shells,
by the Function's and the CLI's. A line's branches taken are the most any one report took ("NN% (taken/total)"):
the reports do not say which branches, so the union may be larger and the figure is a lower bound.

Usage: coverage-report.py DIRECTORY [--files N] [--uncovered PATH_SUFFIX]
  --files N          the N files with the most lines no test runs (default 25)
  --uncovered SUFFIX in each file whose path ends with SUFFIX, the lines no test runs and the lines run whose
                     branches no test takes all of
"""
import argparse
import collections
import pathlib
import sys
import xml.etree.ElementTree as ET


def merge(directory):
    """{(assembly, file): {line: [hits, branches taken, branches]}} over every coverage.cobertura.xml under directory."""
    merged = collections.defaultdict(dict)
    reports = sorted(pathlib.Path(directory).rglob("coverage.cobertura.xml"))
    for report in reports:
        root = ET.parse(report).getroot()
        # Each report names files relative to its own <source>, the longest directory they share (src/ in one,
        # src/Replicator.Core/ in another): the files are merged by their path under src/.
        source = pathlib.PurePosixPath(root.findtext("sources/source"))
        for package in root.iter("package"):
            assembly = package.get("name")
            for cls in package.iter("class"):
                lines = merged[(assembly, under_src(source / cls.get("filename")))]
                # A class's <lines> repeat its methods' lines; read the class's own list only.
                for line in cls.find("lines").iter("line"):
                    number = int(line.get("number"))
                    taken, total = 0, 0
                    share = line.get("condition-coverage")
                    if share:
                        taken, total = (int(n) for n in share.split("(")[1].rstrip(")").split("/"))
                    sums = lines.setdefault(number, [0, 0, total])
                    sums[0] += int(line.get("hits"))
                    sums[1] = max(sums[1], taken)
    return reports, merged


def under_src(path):
    """/work/main/src/Replicator.Core/Copy/X.cs -> Replicator.Core/Copy/X.cs (the path after the last src/)."""
    parts = path.parts
    index = len(parts) - 1 - parts[::-1].index("src") if "src" in parts else 0
    return str(pathlib.PurePosixPath(*parts[index + 1:]))


def ranges(numbers):
    """[3, 4, 5, 9] -> '3-5, 9'."""
    out = []
    for number in sorted(numbers):
        if out and number == out[-1][1] + 1:
            out[-1][1] = number
        else:
            out.append([number, number])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--files", type=int, default=25)
    parser.add_argument("--uncovered")
    args = parser.parse_args()

    reports, merged = merge(args.directory)
    if not reports:
        sys.exit(f"no coverage.cobertura.xml under {args.directory}: run scripts/coverage.sh first")

    if args.uncovered:
        found = False
        for (assembly, filename), lines in sorted(merged.items()):
            if filename.endswith(args.uncovered):
                found = True
                missed = [n for n, (hits, _, _) in lines.items() if hits == 0]
                partial = [f"{n} ({t}/{b})" for n, (hits, t, b) in sorted(lines.items()) if hits > 0 and t < b]
                print(f"{filename}: {len(missed)} of {len(lines)} lines not run: {ranges(missed) or 'none'}")
                print(f"  branches not all taken (taken/branches): {', '.join(partial) or 'none'}")
        if not found:
            sys.exit(f"no file ending with {args.uncovered} in the reports")
        return

    per_assembly = collections.defaultdict(lambda: [0, 0, 0, 0])
    per_file = []
    for (assembly, filename), lines in merged.items():
        covered = sum(1 for hits, _, _ in lines.values() if hits > 0)
        taken = sum(t for _, t, _ in lines.values())
        total = sum(n for _, _, n in lines.values())
        sums = per_assembly[assembly]
        sums[0] += covered
        sums[1] += len(lines)
        sums[2] += taken
        sums[3] += total
        per_file.append((len(lines) - covered, filename, covered, len(lines)))

    print(f"{len(reports)} reports merged\n")
    print("| assembly | lines run | line coverage | branches taken | branch coverage |")
    print("|---|---|---|---|---|")
    grand = [0, 0, 0, 0]
    for assembly, sums in sorted(per_assembly.items()):
        grand = [g + s for g, s in zip(grand, sums)]
        print(f"| {assembly} | {sums[0]} of {sums[1]} | {sums[0] / sums[1]:.1%} | {sums[2]} of {sums[3]} | {sums[2] / max(sums[3], 1):.1%} |")
    print(f"| all | {grand[0]} of {grand[1]} | {grand[0] / grand[1]:.1%} | {grand[2]} of {grand[3]} | {grand[2] / max(grand[3], 1):.1%} |")

    print(f"\nThe {args.files} files with the most lines no test runs:\n")
    for missed, filename, covered, total in sorted(per_file, reverse=True)[: args.files]:
        print(f"  {missed:5d} of {total:5d}  {filename}")


if __name__ == "__main__":
    main()
