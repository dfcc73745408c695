"""How long `icp-rules batch` takes on many generated applications (issue 17: 100,000 in <= 30 s on 2 cores).

    .venv/bin/python bench/batch.py [--n 100000] [--jobs 2] [--bad-every 1000]

Generates the applications (bench/applications.py), runs the real command, checks that the
output has one line per input line in input order, and prints wall time, CPU time (the parent's
and the workers'), rate and the target. bench/targets.py --only batch runs the same measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from applications import generate  # noqa: E402
from machine import describe  # noqa: E402

TARGET_LINES, TARGET_SECONDS = 100_000, 30.0

# The command run in a child process that reports its own CPU time and its workers' apart.
_RUN = """
import json, resource, sys
from engine.cli import main
try:
    main(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "parent": me.ru_utime + me.ru_stime, "workers": workers.ru_utime + workers.ru_stime,
               "parent_rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": workers.ru_maxrss / 1024}, out)
"""


def measure(n: int, jobs: int, bad_every: int) -> dict[str, Any]:
    """Run `icp-rules batch` on ``n`` generated lines; wall and CPU seconds, exit code, and the
    output checked: one line per input line, in input order."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target, report = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl", Path(tmp) / "usage.json"
        with source.open("w", encoding="utf-8") as out:
            for line in generate(n, bad_every=bad_every):
                out.write(line + "\n")
        size = source.stat().st_size
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _RUN, str(report), "batch", str(source), "-o", str(target),
                               "--jobs", str(jobs), "--as-of", "2024-10-08"], capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = json.loads(report.read_text())
        rows = 0
        with target.open(encoding="utf-8") as results:
            for number, line in enumerate(results, start=1):
                row = json.loads(line)
                expected = f"BENCH-{number:07d}"
                assert row.get("application_id", expected) == expected or row.get("line") == number, (number, row)
                rows += 1
        assert rows == n, (rows, n, done.stderr)
    return {"wall": wall, "size": size, "stderr": done.stderr.strip(), **usage}


def report(n: int, jobs: int, figures: dict[str, Any]) -> None:
    wall, cpu = figures["wall"], figures["parent"] + figures["workers"]
    print(f"    {n:,} lines ({figures['size'] / 1e6:.1f} MB), --jobs {jobs}: exit {figures['code']}, every output line in "
          f"input order; wall {wall:.1f} s ({n / wall:,.0f}/s); CPU {cpu:.1f} s ({cpu / n * 1e6:.0f} µs a line: "
          f"parent {figures['parent']:.1f} s, workers {figures['workers']:.1f} s); peak RSS parent "
          f"{figures['parent_rss_mb']:.0f} MB, largest worker {figures['worker_rss_mb']:.0f} MB; load average after "
          f"{os.getloadavg()[0]:.1f}")
    # On a machine shared with others, wall time measures the neighbours; CPU time spread over the
    # cores is what the same run takes alone (the parent and the workers run side by side).
    alone = max(cpu / jobs, figures["workers"] / jobs)
    scaled = TARGET_LINES / n
    verdict = "met" if wall * scaled <= TARGET_SECONDS else "NOT met"
    print(f"    target: {TARGET_LINES:,} lines on 2 cores in <= {TARGET_SECONDS:.0f} s wall: "
          f"{'this run' if n == TARGET_LINES else f'this run x {scaled:g}'} {wall * scaled:.1f} s ({verdict}); "
          f"CPU over {jobs} cores (the run alone on an idle machine) {alone * scaled:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=TARGET_LINES)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bad-every", type=int, default=1000)
    args = parser.parse_args()
    print("machine:", describe())
    figures = measure(args.n, args.jobs, args.bad_every)
    print(figures["stderr"])
    print("[batch] icp-rules batch on generated applications over every province:")
    report(args.n, args.jobs, figures)


if __name__ == "__main__":
    main()
