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
from engine.evaluate import combine, match_rules  # noqa: E402
from machine import describe  # noqa: E402

EXAMPLE = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"


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

    # The split: each step timed on its own inputs in one loop (derive, then match_rules on those
    # facts, then combine on what fired), best of three rounds per step.
    on = dt.date(2024, 10, 8)
    clock = time.perf_counter_ns
    steps = {"derive": [], "match": [], "combine": []}
    for _ in range(3):
        spent = dict.fromkeys(steps, 0)
        for i in range(count):
            app = apps[i % len(apps)]
            t0 = clock()
            facts = facts_module.derive(app, on)
            t1 = clock()
            fired = match_rules(ruleset, facts, on)
            t2 = clock()
            combine(ruleset, app, facts, fired, on)
            t3 = clock()
            spent["derive"] += t1 - t0
            spent["match"] += t2 - t1
            spent["combine"] += t3 - t2
        for name in steps:
            steps[name].append(spent[name] / count / 1000)
    derive_us, match_us, combine_us = (min(steps[name]) for name in ("derive", "match", "combine"))
    results = [book.evaluate(app) for app in apps]
    start = time.process_time()
    for i in range(count):
        results[i % len(results)].to_dict()
    to_dict_us = (time.process_time() - start) / count * 1e6
    print(f"    of which (each step timed alone, wall, best of 3): facts.derive {derive_us:.1f} µs, "
          f"match_rules {match_us:.1f} µs, combining effects into the result {combine_us:.1f} µs")
    print(f"    (not part of the figure: Result.to_dict, which fills messages in one language and copies the "
          f"timeline, {to_dict_us:.1f} µs)")
    # How much the guard index saves: rules (and item rules times items) tried per application
    from engine.evaluate import plan_of

    period = plan_of(ruleset).period(on)
    tried = everything = 0
    for app in apps:
        facts = facts_module.derive(app, on)
        ctx = facts.context()
        per_rule = {step[0].id: (len(facts.scope(step[2])) if step[2] else 1) for step in period.candidates}
        everything += sum(per_rule.values())
        tried += sum(per_rule[step[0].id] for step in period.steps(ctx))
    print(f"    rule tests per application (a rule once, an item rule once per item): {tried / len(apps):.1f} "
          f"of {everything / len(apps):.1f}; the guard index skips the rest")


def bench_cold_start(runs: int) -> None:
    """Figure [2]: wall time of fresh `icp-rules check APP --format json` processes, and where it goes.

    Measured as installed: the user cache filled by a first run (checked packs, public suffix list,
    compiled application schema, ID region table: all in a temporary ICP_RULES_CACHE_DIR) and the
    engine's bytecode compiled, as pip does when it installs a wheel. Machines that set
    PYTHONDONTWRITEBYTECODE (this VM does) recompile the engine's source in every process of an
    editable install: that figure is printed too.
    """
    import json
    import tempfile

    exe = Path(sys.executable).with_name("icp-rules")
    check = [str(exe), "check", str(EXAMPLE), "--format", "json"]
    # The steps of `check`, each with the imports it triggers, timed inside a fresh process.
    steps_probe = (
        "import json, sys, time\n"
        "clock = [time.perf_counter()]\n"
        "import engine.cli\n"
        "from engine import application\n"
        "clock.append(time.perf_counter())\n"
        "app = application.load(sys.argv[1])\n"
        "clock.append(time.perf_counter())\n"
        "from engine.rulebook import RuleBook\n"
        "book = RuleBook.load(only=[app.province.key])\n"
        "clock.append(time.perf_counter())\n"
        "result = book.evaluate(app)\n"
        "clock.append(time.perf_counter())\n"
        "text = result.render(format='json')\n"
        "clock.append(time.perf_counter())\n"
        "print(json.dumps([b - a for a, b in zip(clock, clock[1:])]))\n")
    step_names = ("importing engine.cli", "reading and checking the application", "loading 2 packs",
                  "evaluating", "rendering JSON")

    def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
        """Wall and CPU seconds of one fresh process, and what it printed."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert proc.returncode in (0, 1), proc.stderr
        return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, proc.stdout

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    with tempfile.TemporaryDirectory() as user_cache, tempfile.TemporaryDirectory() as bytecode:
        env = dict(os.environ, ICP_RULES_CACHE_DIR=user_cache, PYTHONPYCACHEPREFIX=bytecode)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(check, capture_output=True, env=env)  # fills the user cache and compiles the bytecode
        # Interleaved, so that a neighbour's burst of work falls on all three alike.
        walls, cpus, bare, steps = [], [], [], []
        for _ in range(runs):
            wall, cpu, _ = timed(check, env)
            walls.append(wall)
            cpus.append(cpu)
            bare.append(timed([sys.executable, "-c", "pass"], env)[0])
            steps.append(json.loads(timed([sys.executable, "-c", steps_probe, str(EXAMPLE)], env)[2]))
        # What dominates: the largest imports of a real check (-X importtime, best of 3 per module),
        # leaving out what the bare interpreter imports at start-up (site, encodings, ...).
        def import_times(code: str, *args: str) -> dict[str, tuple[int, int, int]]:
            """module -> (cumulative µs, self µs, nesting depth)"""
            proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True,
                                  text=True, env=env)
            times = {}
            for line in proc.stderr.splitlines():
                if line.startswith("import time:") and "self [us]" not in line:
                    self_us, total_us, name = line[len("import time:"):].split("|")
                    times[name.strip()] = (int(total_us), int(self_us), (len(name) - len(name.lstrip())) // 2)
            return times

        at_start_up = set(import_times("pass"))
        best: dict[str, tuple[int, int, int]] = {}
        for _ in range(3):
            for name, (total_us, self_us, depth) in import_times(
                    "import sys; from engine.cli import main; main(sys.argv[1:])", *check[1:]).items():
                if name not in at_start_up:
                    previous = best.get(name, (10**12, 10**12, depth))
                    best[name] = (min(previous[0], total_us), min(previous[1], self_us), depth)
        import_total = sum(total for total, _, depth in best.values() if depth == 0) / 1e6
        source_walls: list[float] = []
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            uncompiled = dict(os.environ, ICP_RULES_CACHE_DIR=user_cache)
            source_walls = [timed(check, uncompiled)[0] for _ in range(max(runs // 2, 3))]

    median = statistics.median(walls)
    print(f"[2] cold start, icp-rules check {EXAMPLE.name} --format json, {runs} runs (user cache filled, "
          f"bytecode compiled):")
    print(f"    median {ms(median)}, best {ms(min(walls))} wall; "
          f"CPU (user+sys) median {ms(statistics.median(cpus))}, best {ms(min(cpus))}")
    print(f"    of which: bare interpreter {ms(statistics.median(bare))}, importing the modules a check uses "
          f"{ms(import_total)} (-X importtime, best of 3), the rest {ms(median - statistics.median(bare) - import_total)}")
    print("    inside the process, each step with the imports it triggers (median): "
          + ", ".join(f"{name} {ms(statistics.median(s[i] for s in steps))}" for i, name in enumerate(step_names)))
    print("    largest imports, ms (cumulative, self), best of 3: " + "; ".join(
        f"{name} {best[name][0] / 1000:.1f} ({best[name][1] / 1000:.1f})"
        for name in sorted(best, key=lambda n: best[n][0], reverse=True)[:10]))
    if source_walls:
        print(f"    with PYTHONDONTWRITEBYTECODE as set here (the engine compiled from source in every process): "
              f"median {ms(statistics.median(source_walls))}, best {ms(min(source_walls))} wall")


def bench_pack_loading(runs: int) -> None:
    import tempfile

    from engine import bundled
    from engine.packs import _validator, load_pack, merge
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
        schema = median_ms(lambda: [list(_validator().iter_errors(d.data)) for d in documents])
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
    print(f"      of which: reading YAML {read:.0f} ms, JSON Schema (jsonschema) {schema:.0f} ms, "
          f"checking and compiling rules (merge) {cold_merge:.0f} ms")


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
    print("machine:", describe())
    bench_evaluation(args.evaluations)
    bench_cold_start(args.runs)
    bench_pack_loading(max(args.runs // 2, 3))
    bench_memory(args.memory)


if __name__ == "__main__":
    main()
