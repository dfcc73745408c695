"""How long evaluation takes once packs are loaded (facts included, rendering excluded).

    .venv/bin/python bench/evaluate.py [--n 5000]

Prints load time and per-application evaluation time for each example application.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import RuleBook, application  # noqa: E402
from machine import describe  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000, help="evaluations per example")
    args = parser.parse_args()
    print("machine:", describe())
    start = time.perf_counter()
    book = RuleBook.load()
    print(f"load and check {len(book.packs)} packs: {(time.perf_counter() - start) * 1000:.1f} ms")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        app = application.load(path)  # parsing and validating the file are not part of this figure
        book.evaluate(app)  # warm-up: the public suffix list is parsed on first use
        rounds = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(args.n):
                book.evaluate(app)
            rounds.append((time.perf_counter() - t0) / args.n)
        best, median = min(rounds), statistics.median(rounds)
        print(f"{path.name:<45} evaluate: median {median * 1e6:7.1f} µs/app (best {best * 1e6:.1f}), "
              f"{1 / median:,.0f} apps/s")
        t0 = time.perf_counter()
        for _ in range(args.n // 5):
            book.evaluate(path)
        full = (time.perf_counter() - t0) / (args.n // 5)
        print(f"{'':<45} read + check + evaluate from file: {full * 1e6:7.1f} µs/app")


if __name__ == "__main__":
    main()
