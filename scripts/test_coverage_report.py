#!/usr/bin/env python3
"""Checks of scripts/coverage-report.py on two small Cobertura reports: no build, no test run.

    python3 scripts/test_coverage_report.py      (Stack.Tests' CoverageScriptTests runs it too)
"""
import contextlib
import importlib.util
import io
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("coverage_report", SCRIPTS / "coverage-report.py")
coverage_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(coverage_report)


def report(source, filename, lines):
    """A Cobertura report of one class; lines are (number, hits, condition-coverage or None)."""
    rows = "".join(
        f'<line number="{n}" hits="{h}" branch="{"True" if c else "False"}"'
        + (f' condition-coverage="{c}"' if c else "") + " />"
        for n, h, c in lines)
    return (f'<?xml version="1.0"?><coverage><sources><source>{source}</source></sources><packages>'
            f'<package name="Replicator.Core"><classes><class name="C" filename="{filename}">'
            f'<methods><method name="M"><lines>{rows}</lines></method></methods>'
            f'<lines>{rows}</lines></class></classes></package></packages></coverage>')


class CoverageReportTests(unittest.TestCase):
    def write(self, directory, name, text):
        path = Path(directory) / name / "coverage.cobertura.xml"
        path.parent.mkdir()
        path.write_text(text)

    def test_reports_with_different_sources_merge_by_the_path_under_src(self):
        with tempfile.TemporaryDirectory() as directory:
            # Core's own tests name the file under src/; another project's report under src/Replicator.Core/.
            self.write(directory, "a", report("/repo/src/", "Replicator.Core/Copy/X.cs",
                                               [(1, 3, None), (2, 0, None), (3, 1, "50% (1/2)")]))
            self.write(directory, "b", report("/repo/src/Replicator.Core/", "Copy/X.cs",
                                               [(1, 0, None), (2, 4, None), (3, 0, "0% (0/2)"), (4, 0, None)]))
            _, merged = coverage_report.merge(directory)

        self.assertEqual(list(merged), [("Replicator.Core", "Replicator.Core/Copy/X.cs")])
        lines = merged[("Replicator.Core", "Replicator.Core/Copy/X.cs")]
        self.assertEqual({n: hits > 0 for n, (hits, _, _) in lines.items()}, {1: True, 2: True, 3: True, 4: False})
        # The most branches one report took, never their sum (the reports do not say which branches).
        self.assertEqual(lines[3][1:], [1, 2])

    def test_the_uncovered_listing_names_lines_not_run_and_branches_not_all_taken(self):
        with tempfile.TemporaryDirectory() as directory:
            self.write(directory, "a", report("/repo/src/", "Replicator.Core/Copy/X.cs",
                                               [(1, 1, None), (2, 0, None), (3, 0, None), (5, 0, None), (7, 2, "50% (1/2)")]))
            out = io.StringIO()
            sys.argv = ["coverage-report.py", directory, "--uncovered", "Copy/X.cs"]
            with contextlib.redirect_stdout(out):
                coverage_report.main()

        self.assertEqual(out.getvalue().splitlines(), [
            "Replicator.Core/Copy/X.cs: 3 of 5 lines not run: 2-3, 5",
            "  branches not all taken (taken/branches): 7 (1/2)",
        ])


if __name__ == "__main__":
    unittest.main()
