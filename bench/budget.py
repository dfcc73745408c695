"""The speed budget of issue 8, measured: prints every figure docs/performance.md records.

    .venv/bin/python bench/budget.py [--evaluations 20000] [--memory 100000] [--quick]

1. Evaluation throughput on one core against the Guangdong pack (facts included, rendering
   excluded), over a thousand distinct applications, with the cost split by step.
2. Cold start of `icp-rules check APP --format json` (wall time of a fresh process).
3. Loading and validating all bundled packs, split into reading YAML, the schema, and compiling.
4. Memory across 100,000 sequential evaluations (RSS sampled every 10,000).

Timings are printed, never asserted. Figures [1] and [3] are CPU time of this process
(time.process_time), [2] is wall time and the CPU time of the child: on a busy machine wall time
says more about the neighbours than about the engine, CPU time much less so.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import RuleBook, application  # noqa: E402
from engine import facts as facts_module  # noqa: E402
from engine.evaluate import match_rules  # noqa: E402

EXAMPLE = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, load average {load:.2f}")


def guangdong_applications(book: RuleBook, count: int) -> list[application.Application]:
    """Distinct Guangdong applications: the public example and the national fixtures, varied."""
    example = application.load(EXAMPLE).data
    fixtures = book.rulesets["national"].fixtures
    bases = [example, fixtures["enterprise"], fixtures["individual"]]
    apps = []
    for i in range(count):
        data = copy.deepcopy(bases[i % len(bases)])
        data["filing_province"] = ("guangdong", "44", "粤", "广东省")[i % 4]
        data["application_id"] = f"GD-BENCH-{i:05d}"
        data["submitted_on"] = (dt.date(2024, 10, 8) + dt.timedelta(days=i % 30)).isoformat()
        existing = data["subject"].setdefault("existing", {})
        existing["filed_domains"] = [f"site{i}-{k}.com" for k in range(i % 40)]
        data["subject"]["name"] = data["subject"]["name"] + ("" if i % 2 else "（分公司）")
        apps.append(application.load(data))
    return apps


def bench_evaluation(count: int) -> None:
    book = RuleBook.load(only=["guangdong"])
    ruleset = book.ruleset("guangdong")
    apps = guangdong_applications(book, 1000)
    for app in apps:  # warm-up: the public suffix list and the holiday calendar load on first use
        book.evaluate(app)
    rounds = []
    for _ in range(3):
        gc.collect()
        start = time.process_time()
        for i in range(count):
            book.evaluate(apps[i % len(apps)])
        rounds.append(time.process_time() - start)
    best = min(rounds)
    print(f"[1] evaluation, Guangdong pack, {len(apps)} distinct applications, {count} evaluations x3:")
    print(f"    {count / best:,.0f} applications/s (best round; median {count / statistics.median(rounds):,.0f}), "
          f"{best / count * 1e6:.1f} µs each")

    def per_app(func) -> float:
        start = time.process_time()
        for i in range(count):
            func(apps[i % len(apps)])
        return (time.process_time() - start) / count * 1e6

    on = dt.date(2024, 10, 8)
    derive_us = per_app(lambda app: facts_module.derive(app, on))
    # fresh facts each time: match_rules builds the item contexts it keeps on them
    match_us = per_app(lambda app: match_rules(ruleset, facts_module.derive(app, on), on)) - derive_us
    results = [book.evaluate(app) for app in apps]
    start = time.process_time()
    for i in range(count):
        results[i % len(results)].to_dict()
    to_dict_us = (time.process_time() - start) / count * 1e6
    total = best / count * 1e6
    print(f"    of which: facts.derive {derive_us:.1f} µs, match_rules {match_us:.1f} µs, "
          f"combining effects and building the result {max(total - derive_us - match_us, 0):.1f} µs")
    print(f"    (not part of the figure: Result.to_dict, which fills messages in one language and copies the "
          f"timeline, {to_dict_us:.1f} µs)")
    # How much the guard index saves: rules (and item rules times items) tried per application
    from engine.conditions import FACTS_KEY
    from engine.evaluate import plan_of

    period = plan_of(ruleset).period(on)
    tried = everything = 0
    for app in apps:
        facts = facts_module.derive(app, on)
        ctx = {**facts.application, FACTS_KEY: facts}
        per_rule = {step[0].id: (len(facts.scope(step[2])) if step[2] else 1) for step in period.candidates}
        everything += sum(per_rule.values())
        tried += sum(per_rule[step[0].id] for step in period.steps(ctx))
    print(f"    rule tests per application (a rule once, an item rule once per item): {tried / len(apps):.1f} "
          f"of {everything / len(apps):.1f}; the guard index skips the rest")


def bench_cold_start(runs: int) -> None:
    exe = Path(sys.executable).with_name("icp-rules")
    subprocess.run([str(exe), "check", str(EXAMPLE), "--format", "json"], capture_output=True)  # fills the user cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([str(exe), "check", str(EXAMPLE), "--format", "json"], capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        assert proc.returncode in (0, 1), proc.stderr
    start = time.perf_counter()
    for _ in range(runs):
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True)
    bare = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        subprocess.run([sys.executable, "-c", "import engine.cli"], capture_output=True)
    imports = (time.perf_counter() - start) / runs
    print(f"[2] cold start, icp-rules check {EXAMPLE.name} --format json, {runs} runs:")
    print(f"    median {statistics.median(walls) * 1000:.0f} ms, best {min(walls) * 1000:.0f} ms wall; "
          f"CPU (user+sys) median {statistics.median(cpus) * 1000:.0f} ms, best {min(cpus) * 1000:.0f} ms")
    print(f"    of which: bare interpreter {bare * 1000:.0f} ms, importing engine.cli {(imports - bare) * 1000:.0f} ms, "
          f"reading, checking, loading 2 packs and evaluating {(statistics.median(walls) - imports) * 1000:.0f} ms")


def bench_pack_loading(runs: int) -> None:
    import tempfile

    from engine import bundled
    from engine.packs import _schema_valid, _validator, load_pack, merge
    from engine.source import load_file

    clock = time.process_time
    files = sorted(bundled.packs_dir().glob("*.yaml"))
    saved = os.environ.get("ICP_RULES_CACHE_DIR")

    def median_ms(step) -> float:
        times = []
        for _ in range(runs):
            start = clock()
            step()
            times.append(clock() - start)
        return statistics.median(times) * 1000

    def loads(cache_dir: str) -> list[float]:
        os.environ["ICP_RULES_CACHE_DIR"] = cache_dir
        RuleBook.load()  # imports and schema compilation are not part of the figure; fills a cache
        times = []
        for _ in range(runs):
            start = clock()
            RuleBook.load()
            times.append(clock() - start)
        return times

    def merging() -> float:
        # Fresh Packs each time: the national rules are checked once per Pack, as in a load.
        packs = [load_pack(f) for f in files]
        base = next(p for p in packs if p.id == "national")

        def merge_all() -> None:
            for pack in packs:
                merge(base, None if pack.id == "national" else pack)

        start = clock()
        merge_all()
        return clock() - start

    def median_merge_ms() -> float:
        return statistics.median(merging() for _ in range(runs)) * 1000

    try:
        with tempfile.TemporaryDirectory(prefix="icp-rules-bench-cache-") as folder:
            warm = loads(folder)
            warm_read = median_ms(lambda: [load_pack(f) for f in files])
            warm_merge = median_merge_ms()
        cold = loads("off")
        read = median_ms(lambda: [load_file(f) for f in files])
        documents = [load_file(f) for f in files]
        schema = median_ms(lambda: [_schema_valid(d.data) for d in documents])
        explaining = median_ms(lambda: [list(_validator().iter_errors(d.data)) for d in documents])
        cold_merge = median_merge_ms()
    finally:
        if saved is None:
            os.environ.pop("ICP_RULES_CACHE_DIR", None)
        else:
            os.environ["ICP_RULES_CACHE_DIR"] = saved
    print(f"[3] load and validate all {len(files)} packs, {runs} runs each (steps: medians):")
    print(f"    warm cache (the budget's figure: every pack checked before and kept in a temporary "
          f"ICP_RULES_CACHE_DIR): median {statistics.median(warm) * 1000:.0f} ms, best {min(warm) * 1000:.0f} ms")
    print(f"      of which: reading the files and their cache entries (bytes, digest, unpickling) {warm_read:.0f} ms, "
          f"checking and compiling rules (merge) {warm_merge:.0f} ms")
    print(f"    no cache (ICP_RULES_CACHE_DIR=off, as on a first load or for a pack just edited): "
          f"median {statistics.median(cold) * 1000:.0f} ms, best {min(cold) * 1000:.0f} ms")
    print(f"      of which: reading YAML {read:.0f} ms, JSON Schema (jsonschema_rs) {schema:.0f} ms, "
          f"checking and compiling rules (merge) {cold_merge:.0f} ms")
    print(f"      (jsonschema, which runs only to explain a pack that fails, would take {explaining:.0f} ms for all)")


def rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def bench_memory(count: int) -> None:
    book = RuleBook.load(only=["guangdong"])
    apps = guangdong_applications(book, 1000)
    samples = []
    for i in range(count):
        result = book.evaluate(apps[i % len(apps)])
        result.to_dict()
        if i % 10_000 == 0:
            samples.append(rss_kib())
    samples.append(rss_kib())
    print(f"[4] memory over {count:,} sequential evaluations (to_dict included), RSS every 10,000 (KiB):")
    print("    " + " ".join(str(s) for s in samples))
    print(f"    growth after the first 10,000: {samples[-1] - samples[1]:+d} KiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evaluations", type=int, default=20_000)
    parser.add_argument("--memory", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print("machine:", machine())
    bench_evaluation(args.evaluations)
    bench_cold_start(args.runs)
    bench_pack_loading(max(args.runs // 2, 3))
    bench_memory(args.memory)


if __name__ == "__main__":
    main()
