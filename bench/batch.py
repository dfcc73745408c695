"""How long `icp-rules batch` takes on many generated applications (SPEC §10; goal: 100,000 in < 60 s on 2 cores).

    .venv/bin/python bench/batch.py [--n 100000] [--jobs 2] [--bad-every 1000]

Generates the applications (bench/applications.py), runs the real command, checks that the
output has one line per input line in input order, and prints wall time, CPU time and rate.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from applications import generate  # noqa: E402
from machine import describe  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bad-every", type=int, default=1000)
    args = parser.parse_args()
    command = [str(Path(sys.executable).parent / "icp-rules")]
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for line in generate(args.n, bad_every=args.bad_every):
                out.write(line + "\n")
        print("machine:", describe())
        print(f"input: {args.n:,} applications, {source.stat().st_size / 1e6:.1f} MB")
        started = time.perf_counter()
        done = subprocess.run(command + ["batch", str(source), "-o", str(target), "--jobs", str(args.jobs),
                                         "--as-of", "2024-10-08"], capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(done.stderr.strip())
        rows = 0
        with target.open(encoding="utf-8") as results:
            for number, line in enumerate(results, start=1):
                row = json.loads(line)
                expected = f"BENCH-{number:07d}"
                assert row.get("application_id", expected) == expected or row.get("line") == number, (number, row)
                rows += 1
        assert rows == args.n, (rows, args.n)
        print(f"exit {done.returncode}; {rows:,} output lines in input order")
        print(f"wall {wall:.1f} s ({args.n / wall:,.0f} applications/s) with --jobs {args.jobs}; "
              f"CPU {usage.ru_utime + usage.ru_stime:.1f} s in all processes "
              f"({(usage.ru_utime + usage.ru_stime) / args.n * 1e6:.0f} µs per application); "
              f"peak RSS of the largest process {usage.ru_maxrss / 1024:.0f} MB; load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
