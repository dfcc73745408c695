"""Batch checking on a real Dask distributed cluster: a `dask scheduler` and two `dask worker`s on
127.0.0.1, each worker in a directory of its own with a HOME of its own, sharing no file with the
client (docs/scale.md). The cluster must write what the local batch writes, line for line."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import RuleBook, batch, cluster, report

from test_batch import example_lines  # tests/ is on sys.path (rootdir-relative imports)
from test_report import assert_charts_show

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stranger_env(home: Path) -> dict[str, str]:
    """The environment of a process on another machine: its own HOME and cache, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("ICP_RULES_CACHE_DIR", "XDG_CACHE_HOME", "PYTHONPATH", "HOME")}
    home.mkdir(parents=True, exist_ok=True)
    return dict(env, HOME=str(home))


def stop(processes: list[subprocess.Popen]) -> None:
    """End the processes this module started (each leads its own process group), then reap them."""
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Cluster:
    def __init__(self, base: Path, workers: int) -> None:
        self.base = base
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.workers = workers

    def start(self, dask: Path) -> None:
        def launch(name: str, *args: str) -> None:
            folder = self.base / name
            folder.mkdir()
            log = (folder / "log.txt").open("wb")
            self.processes.append(subprocess.Popen(
                [str(dask), *args], cwd=folder, env=stranger_env(self.base / f"home-{name}"),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

        port = self.address.rsplit(":", 1)[1]
        launch("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        for n in range(1, self.workers + 1):
            launch(f"worker{n}", "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                   "--no-nanny", "--no-dashboard", "--death-timeout", "60", "--name", f"w{n}",
                   "--local-directory", str(self.base / f"worker{n}"))

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.base.glob("*/log.txt")))


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    distributed = pytest.importorskip("distributed")
    dask = BIN / "dask"
    assert dask.exists(), "the dask command comes with distributed (the test extra)"
    running = Cluster(tmp_path_factory.mktemp("cluster"), workers=2)
    try:
        running.start(dask)
        client = distributed.Client(running.address, timeout=STARTUP_SECONDS, set_as_default=False)
        try:
            client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        except Exception:
            client.close()
            raise
        yield running, client
        client.close()
    except Exception as exc:
        stop(running.processes)
        pytest.fail(f"the test cluster did not start: {exc}\n{running.logs()}")
    finally:
        stop(running.processes)


@pytest.fixture(scope="module")
def book_of_filings(tmp_path_factory):
    """2,001 applications with one broken line (1,234), and a copy of the packs, in a directory of
    their own: the client runs there with a relative --packs, which no worker could read."""
    here = tmp_path_factory.mktemp("client")
    shutil.copytree(ROOT / "rulepacks", here / "packs")
    lines = example_lines(2001)
    lines[1233] = '{"application_id": "BROKEN", "filing_province": "fujain", "subject": '  # truncated
    (here / "filings.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return here


def icp_rules(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "icp-rules"), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def test_a_cluster_batch_writes_what_the_local_batch_writes(dask_cluster, book_of_filings):
    running, _ = dask_cluster
    here = book_of_filings
    common = ["filings.jsonl", "--packs", "packs", "--as-of", "2024-10-08"]
    local = icp_rules("batch", *common, "-o", "local.jsonl", "--jobs", "1", "--report", "local.html", cwd=here)
    assert local.returncode == 1, local.stderr
    on_cluster = icp_rules("batch", *common, "-o", "cluster.jsonl", "--scheduler", running.address,
                           "--report", "cluster.html", cwd=here)
    assert on_cluster.returncode == 1, on_cluster.stderr + running.logs()
    assert "Traceback" not in on_cluster.stderr
    local_lines = (here / "local.jsonl").read_text(encoding="utf-8").splitlines()
    cluster_lines = (here / "cluster.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(cluster_lines) == len(local_lines) == 2001
    for number, (mine, theirs) in enumerate(zip(cluster_lines, local_lines), start=1):
        assert mine == theirs, f"line {number} differs"
    broken = json.loads(cluster_lines[1233])
    assert broken["line"] == 1234 and broken["error"]["file"] == "filings.jsonl"
    assert json.loads(cluster_lines[1234])["application_id"] == "APP-1235"
    # the summary, in Chinese by default
    assert "批处理：2,001 行" in on_cluster.stderr and "失败 1 份（第 1234 行）" in on_cluster.stderr
    assert running.address in on_cluster.stderr
    assert (here / "cluster.html").read_text(encoding="utf-8") == (here / "local.html").read_text(encoding="utf-8")


def test_the_report_of_that_batch_shows_its_charts_in_chromium(dask_cluster, book_of_filings, book, tmp_path):
    page = book_of_filings / "cluster.html"
    if not page.exists():
        pytest.skip("the cluster batch above did not run")
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "1,234" not in html and ">1234<" in html  # the broken line, listed
    titles = re.findall(r'<text[^>]*class="label">([^<]+)</text>', html)
    assert "广东省" in titles and len(titles) >= 5
    assert_charts_show(page, tmp_path, titles[:3], [report.BLOCKING_COLOUR, report.CLEAR_COLOUR, report.NEUTRAL_COLOUR])


def test_every_worker_checks_its_engine_and_the_packs_before_evaluating(dask_cluster, book):
    _, client = dask_cluster
    bundle = cluster.PackBundle.of(book)
    line = example_lines(1)[0].encode()
    settings = batch.Settings()
    good = client.submit(cluster.check_block, bundle, settings, 1, line, pure=False).result()
    assert good.lines == 1 and not good.failed

    other_engine = cluster.PackBundle(bundle.files, bundle.digest, "0.0.1+0123456789ab")
    with pytest.raises(cluster.ClusterMismatch) as refused:
        client.submit(cluster.check_block, other_engine, settings, 1, line, pure=False).result()
    assert "0.0.1+0123456789ab" in str(refused.value) and cluster.engine_identity() in str(refused.value)
    assert "worker tcp://127.0.0.1:" in str(refused.value)

    name, content = bundle.files[0]
    damaged = cluster.PackBundle(((name, content + b"\n# changed\n"),) + bundle.files[1:], bundle.digest, bundle.engine)
    with pytest.raises(cluster.ClusterMismatch) as refused:
        client.submit(cluster.check_block, damaged, settings, 1, line, pure=False).result()
    assert bundle.digest[:12] in str(refused.value)


def test_the_cli_refuses_a_cluster_that_runs_another_engine(dask_cluster, book_of_filings, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from engine.cli import cli

    running, _ = dask_cluster
    monkeypatch.setattr(cluster, "engine_identity", lambda: "9.9.9+feedfacecafe")  # the client's side only
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(book_of_filings / "filings.jsonl"), "-o", str(out),
                                      "--scheduler", running.address])
    assert result.exit_code == 2, result.output
    assert "9.9.9+feedfacecafe" in result.output and "请在每个工作节点安装相同版本的引擎" in result.output  # Chinese by default
    assert not out.exists()


def test_the_library_run_reports_progress_and_matches_the_local_run(dask_cluster, book):
    _, client = dask_cluster
    data = ("\n".join(example_lines(600)) + "\n").encode()
    seen: list[int] = []
    remote, local = io.StringIO(), io.StringIO()
    summary = cluster.run(io.BytesIO(data), remote, book, batch.Settings(), client=client,
                          progress=lambda lines, consumed: seen.append(lines))
    batch.run(io.BytesIO(data), local, book, batch.Settings(), jobs=1)
    assert remote.getvalue() == local.getvalue()
    assert summary.lines == 600 and seen == sorted(seen) and seen[-1] == 600 and len(seen) > 1


def test_a_bag_and_a_dataframe_are_checked_with_a_relative_packs_dir(dask_cluster, book_of_filings, monkeypatch):
    import dask.bag as db

    _, client = dask_cluster
    monkeypatch.chdir(book_of_filings)  # "packs" exists here only, not where the workers run
    lines = example_lines(30) + ["not json"]
    expected = [json.loads(x) for x in batch.check_partition(lines[:30], as_of="2024-10-08")]

    bag = cluster.check_bag(db.from_sequence(lines, npartitions=4), packs_dir="packs", as_of="2024-10-08")
    out = [json.loads(x) for x in client.compute(bag).result()]
    assert out[:30] == expected
    assert "error" in out[30] and out[30]["line"] >= 1

    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"application": lines[:30]}, index=range(100, 130)), npartitions=3)
    series = client.compute(cluster.check_dataframe(frame, packs_dir="packs", as_of="2024-10-08")).result()
    assert list(series.index) == list(range(100, 130))
    assert [json.loads(x) for x in series] == expected
    with pytest.raises(cluster.InputError) as refused:
        cluster.check_dataframe(frame, "applications")
    assert "'applications'" in refused.value.problems[0].message and "application" in refused.value.problems[0].message


def test_an_unreachable_scheduler_is_bad_input():
    with pytest.raises(cluster.InputError) as refused:
        cluster.connect(f"tcp://127.0.0.1:{free_port()}", timeout=2)
    assert "cannot reach the Dask scheduler" in str(refused.value.problems[0].message)


def test_bundles_name_their_packs_not_their_bytes(book):
    bundle = cluster.PackBundle.of(book)
    assert "packs" in repr(bundle) and len(repr(bundle)) < 200
    assert cluster.packs_digest(bundle.files) == book.digest
    assert RuleBook.load().digest == book.digest


def test_the_scale_guide_runs_as_written(tmp_path, monkeypatch):
    """docs/scale.md in order: its Python blocks, and its shell block's commands (the scheduler and
    the workers in the background, each worker in a directory and HOME of its own; only the port
    is changed, to a free one). The batch exits and summarises as the guide says."""
    from distributed import Client

    port = str(free_port())
    doc = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(python|sh)\n(.*?)^```", doc.replace("8786", port), flags=re.S | re.M)
    assert [kind for kind, _ in blocks] == ["python", "sh", "python"]
    said = re.search(r"`(批处理：[^`]*?)；…", doc)  # the summary as printed by default, in Chinese
    assert said, "the guide shows the batch's summary"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    namespace: dict = {"__name__": "docs_scale"}
    background: list[subprocess.Popen] = []
    try:
        for number, (kind, body) in enumerate(blocks, start=1):
            if kind == "python":
                exec(compile(body, f"docs/scale.md block {number}", "exec"), namespace)  # noqa: S102
                continue
            for command in body.strip().splitlines():
                argv = shlex.split(command.rstrip("& "))
                assert argv[0] in ("dask", "icp-rules"), command
                argv[0] = str(BIN / argv[0])
                if command.endswith("&"):
                    folder = tmp_path.parent / f"{tmp_path.name}-{len(background)}"
                    folder.mkdir()
                    background.append(subprocess.Popen(
                        argv, cwd=folder, env=stranger_env(folder / "home"), stdin=subprocess.DEVNULL,
                        stdout=(folder / "log.txt").open("wb"), stderr=subprocess.STDOUT, start_new_session=True))
                    continue
                workers = sum(" worker " in f" {c} " for c in body.splitlines() if c.endswith("&"))
                with Client(f"tcp://127.0.0.1:{port}", timeout=STARTUP_SECONDS, set_as_default=False) as client:
                    client.wait_for_workers(workers, timeout=STARTUP_SECONDS)  # as a reader waits for them
                done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                                      stdin=subprocess.DEVNULL)
                assert done.returncode == 1, done.stderr
                assert said.group(1) in done.stderr, done.stderr
                assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
    finally:
        stop(background)
    assert namespace["summary"]["failed"] == 1 and namespace["summary"]["checked"] > 0


def test_a_worker_that_fails_stops_the_batch_with_a_message(dask_cluster, book, monkeypatch):
    """Packs that arrive intact but do not load (here: no pack at all) fail on the worker; the
    client says which error, as bad input, instead of an internal error."""
    _, client = dask_cluster
    files = (("national.yaml", b"not: a rule pack\n"),)
    broken = cluster.PackBundle(files, cluster.packs_digest(files), cluster.engine_identity())
    monkeypatch.setattr(cluster.PackBundle, "of", classmethod(lambda cls, _book: broken))
    with pytest.raises(cluster.InputError) as stopped:
        cluster.run(io.BytesIO(example_lines(1)[0].encode()), io.StringIO(), book, batch.Settings(), client=client)
    assert "a worker of the cluster failed" in stopped.value.problems[0].message
    assert "PackError" in stopped.value.problems[0].message


def test_a_cluster_batch_shows_its_progress_on_a_terminal(dask_cluster, book_of_filings, tmp_path):
    """stderr a terminal (a pseudo-terminal here): the progress shows before the summary line."""
    import pty

    running, _ = dask_cluster
    main, terminal = pty.openpty()
    try:
        proc = subprocess.Popen([str(BIN / "icp-rules"), "batch", "filings.jsonl", "-o", str(tmp_path / "out.jsonl"),
                                 "--packs", "packs", "--scheduler", running.address], cwd=book_of_filings,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        shown = b""
        while True:
            try:
                piece = os.read(main, 65536)
            except OSError:  # the terminal closed: the batch has ended
                break
            if not piece:
                break
            shown += piece
        assert proc.wait(timeout=600) == 1
    finally:
        os.close(main)
    text = shown.decode("utf-8", errors="replace")
    before_summary = text[:text.index("批处理：2,001 行")]  # the summary, in Chinese by default
    assert before_summary.strip(), text  # a progress display, whatever it looks like
    assert "2,001" in before_summary or "100%" in before_summary, text
