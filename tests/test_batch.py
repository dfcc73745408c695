"""Batch checking (SPEC §10): order, bad lines, streaming, output and audit policies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import RuleBook, application, batch
from engine.cli import cli


ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def example_lines(n: int) -> list[str]:
    """n valid applications with ids APP-1..APP-n, cycling through the examples."""
    bases = [json.loads(json.dumps(application.load(p).data, default=str)) for p in EXAMPLES]
    lines = []
    for i in range(1, n + 1):
        app = dict(bases[i % len(bases)], application_id=f"APP-{i}")
        lines.append(json.dumps(app, ensure_ascii=False))
    return lines


def run_cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """40 lines: valid applications with four kinds of bad line among them."""
    lines = example_lines(40)
    lines[4] = '{"filing_province": "guangdong", "subjct": {}}'  # line 5: unknown field
    lines[9] = "not json at all"  # line 10
    lines[14] = ""  # line 15: empty
    lines[19] = '{"application_id": "x", "filing_province": "fujain"'  # line 20: truncated JSON
    path = tmp_path_factory.mktemp("batch") / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_keeps_input_order_and_survives_bad_lines(mixed, tmp_path, jobs):
    path, lines = mixed
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", path, "-o", out, "--jobs", jobs, "--lang", "en")
    assert result.exit_code == 1  # some lines failed
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines)
    bad = {5, 10, 15, 20}
    for number, row in enumerate(rows, start=1):
        if number in bad:
            assert row["line"] == number and set(row) == {"line", "error"}
            assert row["error"]["line"] == number and row["error"]["file"] == str(path)
        else:
            assert row["application_id"] == f"APP-{number}"
            assert row["pack"]["digest"]
    unknown = rows[4]["error"]
    assert unknown["type"] == "ApplicationError"
    assert any(p["path"] == "$.subjct" and p.get("suggestion") == "subject" for p in unknown["problems"])
    assert "not a JSON object" in rows[9]["error"]["message"] or "JSON object" in rows[9]["error"]["message"]
    assert "empty line" in rows[14]["error"]["message"]
    assert "invalid JSON" in rows[19]["error"]["message"]
    assert "4 failed" in result.output and "40 lines" in result.output


def test_one_and_two_jobs_write_identical_results(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(example_lines(300)) + "\n", encoding="utf-8")  # more than one chunk
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        result = run_cli("batch", path, "-o", out, "--jobs", jobs, "--as-of", "2024-10-08")
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    book = RuleBook.load()
    first = json.loads(example_lines(1)[0])
    expected = book.evaluate(first, as_of="2024-10-08").to_dict("zh")
    assert json.loads(outputs[0].splitlines()[0]) == expected


def test_batch_never_overwrites_unasked(mixed, tmp_path):
    path, _ = mixed
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    result = run_cli("batch", path, "-o", out)
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "precious\n"
    original = path.read_bytes()
    result = run_cli("batch", path, "-o", path, "--force", "--lang", "en")
    assert result.exit_code == 2 and "input file" in result.output
    assert path.read_bytes() == original


class CountingInput(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.lines_read = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        line = super().readline(size)
        self.lines_read += bool(line)
        return line


class RecordingOutput(io.StringIO):
    def __init__(self, source: CountingInput) -> None:
        super().__init__()
        self.source = source
        self.read_at_writes: list[int] = []

    def write(self, text: str) -> int:
        self.read_at_writes.append(self.source.lines_read)
        return super().write(text)


def test_batch_streams_instead_of_reading_everything_first(book):
    lines = example_lines(800)
    source = CountingInput(("\n".join(lines) + "\n").encode("utf-8"))
    out = RecordingOutput(source)
    summary = batch.run(source, out, book, batch.Settings(), jobs=1)
    assert summary.lines == summary.checked == 800
    # the first results were written when only the first chunk had been read
    assert out.read_at_writes[0] <= batch.CHUNK_LINES
    assert len(out.getvalue().splitlines()) == 800


def test_an_over_long_line_is_an_error_and_the_next_line_is_checked(book):
    good = example_lines(2)
    data = (good[0] + "\n" + '{"x": "' + "a" * 5000 + '"}\n' + good[1] + "\n").encode("utf-8")
    out = io.StringIO()
    summary = batch.run(io.BytesIO(data), out, book, batch.Settings(max_line_bytes=4000, lang="en"), jobs=1)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("application_id") for r in rows] == ["APP-1", None, "APP-2"]
    assert rows[1]["line"] == 2 and "over the limit" in rows[1]["error"]["message"]
    assert summary.failed == 1 and summary.first_failures == [2]


def test_check_partition_numbers_lines_and_reuses_one_book():
    lines = example_lines(3) + ["{}"]
    out = [json.loads(x) for x in batch.check_partition(lines, as_of="2024-10-08")]
    assert [o.get("application_id") for o in out[:3]] == ["APP-1", "APP-2", "APP-3"]
    assert out[3]["line"] == 4
    assert batch.worker_book(None) is batch.worker_book(None)


def test_batch_audit_appends_masked_records(mixed, tmp_path):
    path, lines = mixed
    audit = tmp_path / "audit.jsonl"
    audit.write_text('{"earlier": "record"}\n', encoding="utf-8")
    run_cli("batch", path, "-o", tmp_path / "a.jsonl", "--audit", audit, "--jobs", 2)
    run_cli("batch", path, "-o", tmp_path / "b.jsonl", "--audit", audit, "--jobs", 1)
    text = audit.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0] == {"earlier": "record"}
    assert len(records) == 1 + 2 * 36  # one per successfully checked line, twice
    first_run, second_run = records[1:37], records[37:]
    assert [r["application_id"] for r in first_run] == [r["application_id"] for r in second_run]
    assert [r["input_hash"] for r in first_run] == [r["input_hash"] for r in second_run]
    for line in lines:
        if line.startswith('{"'):
            try:
                number = json.loads(line)["subject"]["certificate"]["number"]
            except (KeyError, ValueError):
                continue
            assert str(number) not in text
    assert all("*" in r["subject"]["certificate"] for r in records[1:])


def test_a_lone_surrogate_fails_its_line_and_the_batch_goes_on(tmp_path):
    lines = example_lines(3)
    lines[1] = lines[1].replace('"application_id": "APP-2"', '"application_id": "APP-\\ud800"')
    assert "\\ud800" in lines[1]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", path, "-o", out, "--jobs", 1, "--lang", "en")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [set(r) == {"line", "error"} for r in rows] == [False, True, False]
    error = rows[1]["error"]
    assert error["line"] == 2 and error["path"] == "$.application_id" and "lone surrogate" in error["message"]


# --- issue 13: signals, one output written by two runs, memory by bytes ------------------------

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

EXE = Path(sys.executable).with_name("icp-rules")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(condition, what: str, limit: float = 120.0) -> None:
    """Poll until ``condition()`` (a generous limit for a busy machine; no timing is asserted)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def long_input(tmp_path_factory):
    path = tmp_path_factory.mktemp("long") / "in.jsonl"
    lines = example_lines(50)
    path.write_text("\n".join(lines * 600) + "\n", encoding="utf-8")  # 30,000 lines: runs for a while
    return path


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_stops_the_batch_its_workers_and_leaves_nothing_behind(long_input, tmp_path, signum, code):
    out, audit = tmp_path / "out.jsonl", tmp_path / "audit.jsonl"
    proc = subprocess.Popen([str(EXE), "batch", str(long_input), "-o", str(out), "--audit", str(audit), "--jobs", "2",
                             "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    temporary = lambda: [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.") and p.suffix == ".tmp"]  # noqa: E731
    _wait_for(lambda: any(p.stat().st_size > 0 for p in temporary()), "the first results")
    workers = _children(proc.pid)
    assert workers, "the batch runs worker processes"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err and f"stopped by {signal.Signals(signum).name}" in err
    assert not temporary() and not out.exists()  # 59 MB of results with names stayed behind before
    assert not (tmp_path / ".out.jsonl.lock").exists()
    assert audit.read_text(encoding="utf-8") == ""  # no record of a result never delivered
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to end")


def test_two_batches_cannot_write_one_output(long_input, tmp_path):
    out = tmp_path / "out.jsonl"
    first = subprocess.Popen([str(EXE), "batch", str(long_input), "-o", str(out), "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (tmp_path / ".out.jsonl.lock").exists(), "the first batch's lock")
        second = subprocess.run([str(EXE), "batch", str(long_input), "-o", str(out), "--force", "--jobs", "1", "--lang", "en"],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and "another run is writing this file" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)


def test_the_lock_is_released_and_a_later_batch_writes(mixed, tmp_path):
    path, lines = mixed
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", path, "-o", out).exit_code == 1
    assert run_cli("batch", path, "-o", out, "--force").exit_code == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(lines)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_chunks_are_bounded_by_bytes_not_only_lines():
    big = b"x" * 400_000
    lines = ((n, big, len(big) + 1) for n in range(1, 11))
    chunks = list(batch._chunks(lines, batch.CHUNK_LINES, max_bytes=1_000_000))
    assert [len(c) for c, _ in chunks] == [2, 2, 2, 2, 2]
    assert all(consumed <= 1_000_000 for _, consumed in chunks)
    one = list(batch._chunks(iter([(1, b"y" * 3_000_000, 3_000_001)]), batch.CHUNK_LINES, max_bytes=1_000_000))
    assert len(one) == 1  # a line longer than a chunk is a chunk of its own


def test_an_input_that_is_a_device_is_refused(tmp_path):
    result = run_cli("batch", "/dev/zero", "-o", tmp_path / "out.jsonl", "--lang", "en")
    assert result.exit_code == 2 and "not a regular file or a pipe" in result.output


def test_force_replaces_only_regular_files(mixed, tmp_path):
    path, _ = mixed
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in ("/dev/null", fifo):
        result = run_cli("batch", path, "-o", target, "--force", "--lang", "en")
        assert result.exit_code == 2 and "is not a regular file" in result.output
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()


def test_a_batch_error_line_never_echoes_a_certificate_number(tmp_path):
    (line,) = example_lines(1)
    app = json.loads(line)
    number = app["principal"]["certificate"]["number"]
    app["principal"]["identity"] = number
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(app, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", path, "-o", out, "--jobs", 1).exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert json.loads(text)["error"]["path"] == "$.principal.identity"
    assert number not in text and number[:10] not in text


def test_batch_lines_are_the_json_module_s_text_whichever_codec_writes_them():
    """batch writes its lines with orjson when it can; the text must be json.dumps's (compact,
    non-ASCII kept), and what orjson refuses (a lone surrogate, an integer beyond 64 bits) is
    still written, by json."""
    import json

    from engine import batch

    samples = [{"a": "示例\u2028\x00\x1f\x7f😀\"\\/\t\n", "n": [1, -2, 2**63 - 1, True, None], "x": {"y": []}},
               {"lone": "\ud800"}, {"big": 2**70}, {"nested": [{"k": "v" * 100}] * 3}]
    for data in samples:
        assert batch._dumps(data) == json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if batch._orjson is not None:
        with pytest.raises(TypeError):
            batch._orjson.dumps({"lone": "\ud800"})  # the fallback above is exercised, not assumed


def test_a_batch_worker_takes_its_rule_book_out_of_the_collector_s_sight():
    import subprocess
    import sys

    code = ("import gc; from engine import batch, RuleBook; batch.worker_book(None); batch.quiet_collector(); "
            "print(gc.get_freeze_count() > 10000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_worker_signalled_before_its_initializer_ends_quietly(signum):
    # A pool forks its workers with the parent's stop_on_signals handlers; the parent ending a worker
    # that has not yet run its initializer used to raise Stopped inside it, and the pool printed
    # "Exception in initializer" with a traceback (seen once under load in the SIGTERM test above).
    ready_r, ready_w = os.pipe()
    with batch.stop_on_signals():
        pid = os.fork()
        if pid == 0:  # the child: whatever happens, it never returns into pytest
            try:
                os.write(ready_w, b"!")  # a signal landing inside fork() itself is dropped by Python
                time.sleep(60)
            finally:
                os._exit(3)
        os.read(ready_r, 1)
        os.kill(pid, signum)
        _, status = os.waitpid(pid, 0)
    os.close(ready_r), os.close(ready_w)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signum


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_line_its_message_names_is_the_batch_line_not_line_1(tmp_path, lang):
    # every batch line is a document of one line: a duplicate key's first occurrence and the first
    # person with a certificate number are on the same batch line, which read "(first on line 1)"
    app = json.loads(json.dumps(application.load(ROOT / "examples" / "guangdong-enterprise-many-domains.yaml").data,
                                default=str))
    other = dict(app["principal"], name="另一人")  # the principal's number, someone else's name
    app["websites"][0]["manager"] = other
    lines = example_lines(2) + ['{"filing_province": "sichuan", "a": 1, "a": 2}', json.dumps(app, ensure_ascii=False)]
    problems = [json.loads(line)["error"]["problems"] for line in batch.check_partition(lines, lang=lang)[2:]]
    duplicate = next(p for p in problems[0] if p["code"] == "duplicate_key_at")
    person = next(p for p in problems[1] if p["code"] == "one_number_two_people")
    for found, line in ((duplicate, 3), (person, 4)):
        assert found["line"] == line
        assert (f"line {line})" if lang == "en" else f"第 {line} 行") in found["message"], found["message"]
