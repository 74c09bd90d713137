#!/usr/bin/env python3
"""Checks of the bench's own arithmetic and ordering on small fixtures: no build, no copy, no timing.

    python3 bench/test_bench.py      (Stack.Tests' BenchScriptTests runs it too)
"""
import contextlib
import io
import re
import statistics
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import report  # noqa: E402

RUN_SH = (BENCH / "run.sh").read_text()

MACHINE = {
    "date": "2026-01-01T00:00:00Z", "commit": "abc1234", "runs": "4", "layers": "4", "layer_mib": "64",
    "latency_ms": "100", "nproc": "2", "memory": "23 GiB", "cpu": "test", "load_start": "0 0 0",
    "load_end": "0 0 0", "dotnet": "10", "skopeo": "1", "registry": "2",
}


def generate(tables):
    """report.py over a results directory holding machine.txt and the given TSVs; the generated block's lines."""
    with tempfile.TemporaryDirectory() as out:
        out = Path(out)
        (out / "machine.txt").write_text("".join(f"{k}={v}\n" for k, v in MACHINE.items()))
        for name, rows in tables.items():
            (out / name).write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
        with contextlib.redirect_stdout(io.StringIO()):
            report.main(out, out / "performance.md")
        return (out / "performance.md").read_text().splitlines()


def row(lines, starts):
    found = [line for line in lines if line.startswith("| " + starts)]
    assert len(found) == 1, (starts, found)
    return [cell.strip() for cell in found[0].strip("|").split("|")]


class InTurn(unittest.TestCase):
    def test_sides_take_turns_going_first(self):
        definition = re.search(r"^in_turn\(\) \{.*\}$", RUN_SH, re.M).group(0)
        script = definition + "\na() { printf A; }; b() { printf B; }\nfor r in 1 2 3 4; do in_turn $r a b; done"
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout, "ABBAABBA")

    def test_the_throughput_section_pairs_its_sides_through_it(self):
        loop = RUN_SH[RUN_SH.index("wants throughput && for run"):RUN_SH.index("if wants calls")]
        self.assertIn('in_turn "$run" throughput_replicator throughput_skopeo', loop)
        # The skopeo side gets its empty registry right before its own copy, whichever side went first.
        skopeo = re.search(r"^throughput_skopeo\(\) \{\n(.*?)^\}", RUN_SH, re.M | re.S).group(1)
        self.assertTrue(skopeo.lstrip().startswith("restart_registry2"), skopeo)


class ThroughputLocalEcr(unittest.TestCase):
    def test_only_the_throughput_section_runs_against_a_localecr_with_spare_uploads_off(self):
        # skopeo's registry is emptied for every run and writes into new pages; so must LocalEcr for throughput.
        starts = [line.strip() for line in re.findall(r"^\s*start_localecr .*$", RUN_SH, re.M)]
        self.assertEqual(starts, ["start_localecr localecr", "start_localecr throughput --spare-uploads off"])
        loop_start = RUN_SH.index("wants throughput && for run")
        before = RUN_SH[RUN_SH.rindex("if wants throughput; then", 0, loop_start):loop_start]
        self.assertIn("start_localecr throughput --spare-uploads off", before)
        # The later sections get the first LocalEcr back once the loop is done.
        after = RUN_SH[loop_start:RUN_SH.index("if wants calls")]
        self.assertIn('kill "$localecr_pid"', after)
        self.assertIn("endpoint=$main_endpoint localecr_pid=$main_localecr_pid", after)


class Ratios(unittest.TestCase):
    def test_the_throughput_ratio_is_the_median_of_per_run_ratios_and_an_even_count_averages_the_middle_two(self):
        # run, replicator s, skopeo s, bootstrap CPU, LocalEcr CPU, skopeo CPU, registries CPU
        thr = [[1, 1.0, 2.0, 1, 1, 1, 1], [2, 1.2, 1.0, 1, 1, 1, 1], [3, 0.9, 1.5, 1, 1, 1, 1], [4, 1.1, 1.25, 1, 1, 1, 1]]
        per_run = [r[1] / r[2] for r in thr]  # 0.5, 1.2, 0.6, 0.88
        expected = statistics.median(per_run)  # (0.6 + 0.88) / 2 = 0.74
        of_medians = statistics.median([r[1] for r in thr]) / statistics.median([r[2] for r in thr])  # 0.76
        self.assertNotEqual(f"{expected:.2f}", f"{of_medians:.2f}")
        cells = row(generate({"throughput.tsv": thr}), "ratio replicator / skopeo")
        self.assertTrue(cells[1].startswith(f"{expected:.2f} (runs: 0.50, 1.20, 0.60, 0.88)"), cells)
        self.assertEqual(cells[3], "met")


class LatencyBound(unittest.TestCase):
    def test_the_floor_is_the_round_trips_alone_and_the_serial_ratio_is_printed_as_such(self):
        # size MiB, delay ms, run, seconds, CPU, system CPU, UploadLayerPart calls: 26 parts of 100 ms are 2.6 s.
        latency = [[256, 0, 1, 1.3, 1, 0.2, 0], [256, 100, 1, 3.4, 1, 0.2, 27],
                   [256, 100, 2, 3.0, 1, 0.2, 27], [256, 0, 2, 1.3, 1, 0.2, 0]]
        lines = generate({"latency.tsv": latency})
        floor = row(lines, "floor of the ratio for any client sending parts in order")
        serial = row(lines, "ratio if none of the 0 ms copy's time overlaps the round trips")
        overlap = row(lines, "T(100 ms) - T(0 ms) - 26 x 100 ms")
        ratio = row(lines, "ratio 100 ms / 0 ms")
        self.assertTrue(floor[1].startswith("2.00 (runs: 2.00, 2.00)"), floor)  # 2.6 / 1.3
        self.assertTrue(serial[1].startswith("3.00 (runs: 3.00, 3.00)"), serial)  # 1 + 2.6 / 1.3
        # Both runs are below the serial ratio and above the floor: 0.5 and 0.9 s of their 0 ms copies' time ran during
        # the round trips, which the floor allows and "T(0) + round trips" would have called impossible.
        self.assertTrue(overlap[1].startswith("-0.70 s (runs: -0.50, -0.90)"), overlap)
        self.assertTrue(ratio[1].startswith("2.46 (runs: 2.62, 2.31)"), ratio)


class PeakRss(unittest.TestCase):
    def test_vmhwm_kib_are_reported_as_mib_and_held_to_200_mb(self):
        # size MiB, run, VmHWM kB (KiB, proc(5)), seconds: 195 MiB is 204.5 MB, over the target; 190 MiB is 199.2 MB.
        mem = [[1024, 1, 190 * 1024, 1.0], [4096, 1, 195 * 1024, 4.0]]
        lines = generate({"memory.tsv": mem})
        under = row(lines, "peak RSS (VmHWM) of bootstrap, one 1024 MiB layer")
        over = row(lines, "peak RSS (VmHWM) of bootstrap, one 4096 MiB layer")
        self.assertTrue(under[1].startswith("190.0 MiB"), under)
        self.assertEqual(under[3], "met")
        self.assertTrue(over[1].startswith("195.0 MiB"), over)
        self.assertEqual(over[3], "**missed**")


class MarginalCpu(unittest.TestCase):
    def test_the_cost_per_gib_is_the_difference_of_the_two_largest_copies_and_the_rest_is_one_time(self):
        # size MiB, run, VmHWM kB, seconds, CPU, system CPU, minor faults; floor.tsv: run, floor, I/O floor per GiB.
        mem = [[256, 1, 1, 1, 1.025, 0.3, 13000],
               [1024, 1, 1, 3, 3.0, 1.0, 13000], [4096, 1, 1, 12, 11.4, 4.0, 13100],
               [1024, 2, 1, 3, 3.2, 1.0, 13000], [4096, 2, 1, 12, 12.2, 4.6, 13200]]
        lines = generate({"memory.tsv": mem, "floor.tsv": [[1, 2.0, 0.8], [2, 2.0, 0.8]]})
        marginal = row(lines, "bootstrap CPU seconds per GiB, marginal")
        ratio = row(lines, "ratio marginal / floor")
        both = row(lines, "ratio marginal / (floor + I/O floor)")
        once = row(lines, "one-time CPU of a fresh process")
        # (11.4 - 3.0) / 3 = 2.8 and (12.2 - 3.2) / 3 = 3.0 s per GiB; system (3.0 + 3.6) / 2 / 3 = 1.1.
        self.assertTrue(marginal[1].startswith("2.90 s (runs: 2.80, 3.00); of which system 1.10 s"), marginal)
        self.assertTrue(ratio[1].startswith("1.45 (runs: 1.40, 1.50)"), ratio)
        self.assertEqual(ratio[3], "met")
        self.assertTrue(both[1].startswith("1.04 (runs: 1.00, 1.07)"), both)
        # The 256 MiB copy's 1.025 s less a quarter GiB at the 2.9 s median.
        self.assertTrue(once[1].startswith("0.30 s"), once)

    def test_without_cpu_columns_there_is_no_marginal_row(self):
        lines = generate({"memory.tsv": [[1024, 1, 1, 3], [4096, 1, 1, 12]], "floor.tsv": [[1, 2.0]]})
        self.assertFalse([line for line in lines if "marginal" in line])


class ColdStart(unittest.TestCase):
    def test_the_stack_settings_row_is_its_own_median_beside_the_targets_row(self):
        lines = generate({"coldstart.tsv": [["aot", 40, 38, 2], ["aotstack", 45, 43, 2], ["jit", 300, 290, 10],
                                             ["aot", 42, 40, 2], ["aotstack", 49, 47, 2], ["jit", 310, 300, 10],
                                             ["aot", 41, 39, 2], ["aotstack", 47, 45, 2], ["jit", 305, 295, 10]]})
        self.assertEqual(row(lines, "cold start AOT (")[1:3], ["41.0 ms (runs: 40.0, 42.0, 41.0)", "<= 50 ms"])
        stack = row(lines, "cold start AOT with the stack's default settings")
        self.assertEqual(stack[1:3], ["47.0 ms (runs: 45.0, 49.0, 47.0)", ""])
        # run.sh measures it in every run of the section, in turn with the others.
        loop = RUN_SH[RUN_SH.index("wants coldstart && for run"):]
        self.assertIn("--settings stack", loop[:loop.index("done")])

    def test_results_without_stack_settings_rows_print_no_such_row(self):
        lines = generate({"coldstart.tsv": [["aot", 40, 38, 2], ["jit", 300, 290, 10]]})
        self.assertFalse([line for line in lines if "stack's default settings" in line])


if __name__ == "__main__":
    unittest.main()
