"""SPEC §8: one RuleBook shared by 8 threads gives exactly the single-threaded results."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from engine import application, provinces

ROOT = Path(__file__).resolve().parent.parent


def applications() -> list[dict]:
    """Every example filed in every province: many packs, rules and items exercised."""
    bases = [json.loads(json.dumps(application.load(p).data, default=str)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    return [dict(base, filing_province=p.key, application_id=f"{p.key}-{i}")
            for p in provinces.PROVINCES for i, base in enumerate(bases)]


def test_eight_threads_sharing_one_rulebook_match_one_thread(book):
    apps = applications()
    expected = [book.evaluate(app).to_dict(lang) for app in apps for lang in ("zh", "en")]
    results: list[list] = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def work(slot: int) -> None:
        start.wait()  # all threads evaluate at once
        for _ in range(2):
            order = apps[slot:] + apps[:slot] if slot % 2 == 0 else list(reversed(apps))  # different interleavings
            got = {app["application_id"]: [book.evaluate(app).to_dict(lang) for lang in ("zh", "en")] for app in order}
            results[slot].append([r for app in apps for r in got[app["application_id"]]])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for slot in range(8):
        assert len(results[slot]) == 2
        for run in results[slot]:
            assert run == expected
