"""How fast `icp-rules batch --scheduler` goes on a local Dask cluster of 1, 2, … workers (docs/scale.md).

    .venv/bin/python bench/cluster.py [--n 20000] [--workers 1 2] [--bad-every 1000]

Starts a real `dask scheduler` and the workers (one thread each, in their own directories) on
127.0.0.1, runs the real command against them, checks that the output is the local batch's line
for line (`--jobs 1`, run once), prints applications per second for each cluster size, and stops
every process it started.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from applications import generate  # noqa: E402
from machine import describe  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster(base: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = []

    def launch(name: str, *args: str) -> None:
        folder = base / name
        folder.mkdir()
        processes.append(subprocess.Popen([str(BIN / "dask"), *args], cwd=folder, stdin=subprocess.DEVNULL,
                                          stdout=(folder / "log.txt").open("wb"), stderr=subprocess.STDOUT,
                                          start_new_session=True))

    launch("scheduler", "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard")
    for n in range(workers):
        launch(f"worker{n}", "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
               "--no-dashboard", "--death-timeout", "60", "--local-directory", str(base / f"worker{n}"))
    from distributed import Client

    with Client(address, timeout=90, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=90)
    return address, processes


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and the CPU time of the command's own process (for a cluster batch: the client)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bad-every", type=int, default=1000)
    args = parser.parse_args()
    icp_rules = str(BIN / "icp-rules")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        source = base / "in.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for line in generate(args.n, bad_every=args.bad_every):
                out.write(line + "\n")
        print("machine:", describe())
        print(f"input: {args.n:,} applications, {source.stat().st_size / 1e6:.1f} MB; load average before: "
              f"{os.getloadavg()[0]:.1f}")
        common = [icp_rules, "batch", str(source), "--as-of", "2024-10-08"]
        wall, cpu, done = timed(common + ["-o", str(base / "local.jsonl"), "--jobs", "1"])
        print(f"local, --jobs 1: {wall:.1f} s, {args.n / wall:,.0f} applications/s, CPU {cpu / args.n * 1e6:.0f} µs "
              f"per application (exit {done.returncode})")
        expected = (base / "local.jsonl").read_bytes()
        for workers in args.workers:
            folder = base / f"cluster-{workers}"
            folder.mkdir()
            address, processes = start_cluster(folder, workers)
            try:
                target = folder / "out.jsonl"
                wall, cpu, done = timed(common + ["-o", str(target), "--scheduler", address])
            finally:
                stop(processes)
            assert target.read_bytes() == expected, "the cluster's output differs from the local batch's"
            print(f"cluster, {workers} worker{'s' if workers != 1 else ''} of 1 thread: {wall:.1f} s, "
                  f"{args.n / wall:,.0f} applications/s, client CPU {cpu / args.n * 1e6:.0f} µs per application "
                  f"(exit {done.returncode}; output = local batch's); "
                  f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
