"""Generate many varied, valid filing applications as JSONL (for the batch and service benchmarks).

    .venv/bin/python bench/applications.py --n 100000 -o /tmp/apps.jsonl [--bad-every 1000]

Variants of the three example applications: every province, one to four domains, individuals
and companies, ids numbered in order (so a reader can check that output order matches input).
Every ``--bad-every``-th line is a broken application, to exercise the error path.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import provinces  # noqa: E402
from engine import application  # noqa: E402


def templates() -> list[dict[str, Any]]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = application.load(path).data  # checked: numbers YAML read unquoted become the text written
        out.append(json.loads(json.dumps(data, default=str)))
    return out


def variant(base: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    app = copy.deepcopy(base)
    app["application_id"] = f"BENCH-{number:07d}"
    app["filing_province"] = rng.choice(provinces.PROVINCES).key
    count = rng.choice([1, 1, 1, 2, 2, 3, 4])
    names = [f"site{number}-{i}.{rng.choice(['com', 'cn', 'net', 'com.cn'])}" for i in range(count)]
    registrant = app["subject"]["name"]
    kind = "individual" if app["subject"]["type"] == "individual" else "organization"
    app["websites"] = [{"name": f"{registrant[:4]}网站{i + 1}", "domains": [name]} for i, name in enumerate(names)]
    app["domains"] = [{"name": name, "registrant_name": registrant, "registrant_type": kind,
                       "real_name_verified": True, "verified_on": "2024-08-01", "expires_on": "2027-08-01"}
                      for name in names]
    return app


def generate(n: int, seed: int = 7, bad_every: int = 0) -> Iterator[str]:
    rng = random.Random(seed)
    bases = templates()
    for number in range(1, n + 1):
        if bad_every and number % bad_every == 0:
            yield json.dumps({"application_id": f"BENCH-{number:07d}", "filing_province": "atlantis"})
            continue
        yield json.dumps(variant(bases[number % len(bases)], number, rng), ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--bad-every", type=int, default=0, help="make every Nth line invalid (0: none)")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as out:
        for line in generate(args.n, bad_every=args.bad_every):
            out.write(line + "\n")


if __name__ == "__main__":
    main()
