"""Throughput of the two backends that decide which rules fire: compiled Python and durable_rules.

    .venv/bin/python bench/backends.py [--rounds 5] [--repeat 3]

Workload: every pack test case's application (checked once beforehand, so reading and schema
checks are not measured), evaluated in turn. Two figures per backend:
- evaluate: the whole evaluation (facts, matching, result);
- match: deciding which rules fire only, on facts derived beforehand — where the backends differ.
Also load time (packs read, checked and compiled; for durable, its rulesets built as well).
Needs durable-rules (``pip install 'icp-rulepacks[durable]'``) for the durable rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import RuleBook, application, facts, packtests  # noqa: E402
from engine.errors import IcpRulesError  # noqa: E402
from machine import describe  # noqa: E402


def workload(book: RuleBook) -> list[tuple[application.Application, dt.date]]:
    out = []
    for ruleset, _, case in packtests.iter_cases(book):
        try:
            app = application.load(packtests.build_application(case, ruleset))
        except (IcpRulesError, KeyError):
            continue  # a case about invalid input, or a missing fixture: nothing to evaluate
        as_of = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else (app.submitted_on or dt.date(2024, 10, 8))
        out.append((app, as_of))
    return out


def timed(rounds: int, repeat: int, run) -> float:
    """Median seconds of one pass over the workload."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            run()
        samples.append((time.perf_counter() - start) / repeat)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the workload per round")
    args = parser.parse_args()
    print("machine:", describe())
    books = {}
    for backend in ("python", "durable"):
        start = time.perf_counter()
        try:
            books[backend] = RuleBook.load(backend=backend)
        except IcpRulesError as exc:
            print(f"{backend}: not available ({exc})")
            continue
        print(f"{backend}: load and compile {len(books[backend].packs)} packs: {(time.perf_counter() - start) * 1000:.0f} ms")
    reference = books["python"]
    cases = workload(reference)
    derived = [(reference.ruleset(app.province), facts.derive(app, on), on) for app, on in cases]
    rules = sum(len(reference.ruleset(app.province).rules) for app, _ in cases) / len(cases)
    print(f"workload: {len(cases)} applications from the pack tests, {rules:.0f} rules each on average")
    print()
    print("| backend | evaluate µs/app | evaluate apps/s | match µs/app | match apps/s |")
    print("|---|---|---|---|---|")
    for backend, book in books.items():
        for app, on in cases[:20]:  # warm up: suffix list, caches
            book.evaluate(app, as_of=on)
        whole = timed(args.rounds, args.repeat, lambda: [book.evaluate(app, as_of=on) for app, on in cases]) / len(cases)
        match = book.matcher
        only = timed(args.rounds, args.repeat, lambda: [match(rs, f, on) for rs, f, on in derived]) / len(cases)
        print(f"| {backend} | {whole * 1e6:,.0f} | {1 / whole:,.0f} | {only * 1e6:,.0f} | {1 / only:,.0f} |")


if __name__ == "__main__":
    main()
