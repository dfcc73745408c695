"""Batch checking (SPEC §10): one application per input line, one JSON result per output line.

The input is streamed: lines are read in chunks, at most a few chunks per worker are in flight at
once, and results are written as soon as their turn comes, so memory stays constant however long
the file is. Worker processes each load their own RuleBook (a RuleBook holds compiled closures,
which do not travel between processes); results come back per chunk and are written in input
order. A line that cannot be checked becomes ``{"line": N, "error": {...}}`` in its place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import signal
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import application as application_module
from .audit import record
from .errors import IcpRulesError, InputError, Problem, error_to_dict, problem
from .messages import text as message_text
from .source import DEFAULT_MAX_BYTES, parse_text, unreadable

if TYPE_CHECKING:
    from .audit import AuditLog
    from .rulebook import RuleBook

CHUNK_LINES = 250  # lines per task: large enough that inter-process overhead is small
CHUNK_BYTES = 1 << 20  # ... and at most this much input per task (one longer line is a task of its own)
CHUNKS_PER_WORKER = 3  # tasks in flight per worker: keeps workers busy
# Memory is bounded by bytes in flight, not lines: 390 MB of 1 MB lines peaked at 1.97 GB when
# only lines were counted. Input bytes submitted but not yet written stay under this.
IN_FLIGHT_BYTES = 8 << 20

OK, BLOCKING, FAILED = "ok", "blocking", "failed"


@dataclasses.dataclass(frozen=True)
class Settings:
    """What every line is checked with; sent once to each worker."""

    packs_dir: str | None = None
    lang: str = "zh"
    as_of: dt.date | None = None
    audit: bool = False
    file: str | None = None  # named in error locations
    max_line_bytes: int = DEFAULT_MAX_BYTES


@dataclasses.dataclass(frozen=True)
class Checked:
    """One line's outcome: the output line, its decision record (if asked for) and its status."""

    line: int
    output: str
    audit: str | None
    status: str


@dataclasses.dataclass
class Summary:
    lines: int = 0
    blocking: int = 0
    failed: int = 0
    seconds: float = 0.0
    first_failures: list[int] = dataclasses.field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.lines - self.failed

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0

    def add(self, done: "ChunkResult") -> None:
        self.lines += done.lines
        self.failed += len(done.failed)
        self.blocking += done.blocking
        self.first_failures.extend(done.failed[:10 - len(self.first_failures)])


@dataclasses.dataclass(frozen=True)
class ChunkResult:
    """A chunk's outcome, as few large strings as possible: cheap to send back between processes."""

    output: str  # one line per input line, each ending in a newline
    audit: str  # decision records, one per checked line
    lines: int
    blocking: int
    failed: list[int]  # line numbers


def check_chunk(book: "RuleBook", chunk: list[tuple[int, bytes]], settings: Settings) -> ChunkResult:
    items = [check_line(book, raw, number, settings) for number, raw in chunk]
    return ChunkResult(
        output="".join(item.output + "\n" for item in items),
        audit="".join(item.audit for item in items if item.audit),
        lines=len(items),
        blocking=sum(item.status == BLOCKING for item in items),
        failed=[item.line for item in items if item.status == FAILED],
    )


def _dumps(data: Any) -> str:
    """One compact JSON line. orjson writes the same text as json.dumps with these settings (a test
    holds the two to it) about 5x faster, which is ~5 % of a batch line; what orjson refuses (a
    lone surrogate from a ``\\ud800`` escape, an integer beyond 64 bits) is written by json."""
    if _orjson is not None:
        try:
            return _orjson.dumps(data).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a platform without its wheel: json alone
    _orjson = None


# Messages whose argument names a line of the document (a duplicate key's first occurrence, a
# certificate number's first person): a batch line is a whole document, so that is line 1 of it.
_LINE_ARGS = {"duplicate_key_at": "first", "one_number_two_people": "first"}


def _at_line(error: IcpRulesError, number: int, file: str | None, lang: str = "zh") -> dict[str, Any]:
    """The error as data in ``lang``, its problems placed on input line ``number`` (a line is a
    whole document), the lines their messages name too: not "(first on line 1)" on line 3."""
    return error_to_dict(type(error)([_on_line(p, number, file) for p in error.problems]), lang)


def _on_line(found: Problem, number: int, file: str | None) -> Problem:
    moved = dataclasses.replace(found, file=file, line=number if found.line in (None, 1) else found.line)
    name = _LINE_ARGS.get(found.id or "")
    args = dict(found.args)
    if name is None or args.get(name) != 1:
        return moved
    args[name] = number
    return dataclasses.replace(moved, args=tuple(args.items()), message=message_text(moved.id or "", "en", args))


def check_line(book: "RuleBook", text: str | bytes, number: int, settings: Settings) -> Checked:
    """Check one JSONL line: its result, or an error object in its place."""
    try:
        if isinstance(text, bytes):
            if len(text) > settings.max_line_bytes:
                raise InputError([problem("line_too_long", size=len(text), limit=settings.max_line_bytes)])
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError([problem("line_not_utf8", byte=exc.start + 1)]) from None
        if not text.strip():
            raise InputError([problem("line_empty")])
        if not text.lstrip().startswith("{"):
            raise InputError([problem("line_not_object", column=1)])
        app = application_module.check_document(parse_text(text))
        result = book.evaluate(app, as_of=settings.as_of)
    except IcpRulesError as exc:
        return Checked(number, _dumps({"line": number, "error": _at_line(exc, number, settings.file, settings.lang)}), None, FAILED)
    output = _dumps(result.to_dict(settings.lang))
    audit = _dumps(record(result, source=f"{settings.file or '<stdin>'}:{number}")) + "\n" if settings.audit else None
    return Checked(number, output, audit, BLOCKING if result.blocking else OK)


@lru_cache(maxsize=4)
def worker_book(packs_dir: str | None) -> "RuleBook":
    """One RuleBook per process and packs directory, loaded on first use (batch and Dask workers)."""
    from .rulebook import RuleBook

    return RuleBook.load(packs_dir)


def check_partition(lines: Iterable[str | tuple[str, str]], packs_dir: str | None = None, lang: str = "zh",
                    as_of: dt.date | str | None = None, file: str | None = None) -> list[str]:
    """Check a partition of JSONL lines (e.g. one ``dask.bag`` partition): one output line each.

    Items are lines, or ``(line, path)`` pairs as ``dask.bag.read_text(..., include_path=True)``
    gives them (errors then name the file). Line numbers count from 1 within the partition (per
    file, with pairs); with one partition per file they are the file's own line numbers. The
    RuleBook is loaded once per worker process and shared by its threads (it is immutable).
    """
    settings = Settings(packs_dir=packs_dir, lang=lang, as_of=application_module.as_of_date(as_of), file=file)
    return check_items(worker_book(packs_dir), lines, settings, lambda line: line.rstrip("\r\n"))


def check_items(book: "RuleBook", items: Iterable[Any], settings: Settings,
                as_text: Callable[[Any], str | bytes]) -> list[str]:
    """One output line per item: an item is a line, or a ``(line, path)`` pair whose errors name
    ``path``; ``as_text`` makes the line's text. Lines are numbered from 1 per path, in order (a
    partition of ``dask.bag.read_text``, or of the library's bags and dataframes, engine/cluster.py)."""
    out: list[str] = []
    numbers: dict[str | None, int] = {}
    for item in items:
        line, path = (item[0], item[1]) if isinstance(item, tuple) else (item, settings.file)
        numbers[path] = number = numbers.get(path, 0) + 1
        here = settings if path == settings.file else dataclasses.replace(settings, file=path)
        out.append(check_line(book, as_text(line), number, here).output)
    return out


# --- worker processes -------------------------------------------------------------------------

_worker_settings: Settings | None = None


def _start_worker(settings: Settings, digest: str) -> None:
    global _worker_settings
    # Ctrl-C reaches the whole process group: the parent stops the workers itself, and a worker's
    # own KeyboardInterrupt would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    book = worker_book(settings.packs_dir)
    if book.digest != digest:  # the packs changed between the parent's check and this worker's load
        raise RuntimeError("rule packs changed while the batch was starting")
    _worker_settings = settings
    quiet_collector()


def quiet_collector() -> None:
    """Move what a worker keeps for its whole life (the rule book, its generated code, the public
    suffix list) out of the cycle collector's sight (``gc.freeze``): a full collection, should one
    come, does not walk it. Measured (issue 17): the collector costs ~0 % of a worker's time as it
    is (two collections in 9,000 lines: an evaluation's objects are freed by reference counting,
    so the young generation rarely fills), so its thresholds are left alone."""
    import gc

    gc.collect()
    gc.freeze()


def _check_chunk(first: int, data: bytes) -> ChunkResult:
    """A worker's task: lines ``first``, ``first + 1``, … sent as one block of bytes (cheap to pickle)."""
    assert _worker_settings is not None, "worker not initialised"
    book = worker_book(_worker_settings.packs_dir)
    chunk = list(enumerate(data.split(b"\n"), start=first))
    return check_chunk(book, chunk, _worker_settings)


# --- reading ----------------------------------------------------------------------------------

def read_lines(handle: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line without its newline, bytes consumed). An over-long line is cut at
    ``max_bytes + 1`` bytes (enough to be reported as too long) and the rest is skipped unread."""
    number = 0
    while True:
        raw = handle.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        consumed = len(raw)
        if not raw.endswith(b"\n") and len(raw) > max_bytes:
            while True:  # skip the rest of an over-long line in bounded pieces
                rest = handle.readline(1 << 20)
                consumed += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield number, raw.rstrip(b"\r\n") if raw.endswith(b"\n") else raw, consumed


def _chunks(lines: Iterator[tuple[int, bytes, int]], size: int,
            max_bytes: int = CHUNK_BYTES) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    """Chunks of at most ``size`` lines and (but for a single longer line) ``max_bytes`` of input."""
    chunk: list[tuple[int, bytes]] = []
    consumed = 0
    for number, raw, used in lines:
        if chunk and consumed + used > max_bytes:
            yield chunk, consumed
            chunk, consumed = [], 0
        chunk.append((number, raw))
        consumed += used
        if len(chunk) >= size:
            yield chunk, consumed
            chunk, consumed = [], 0
    if chunk:
        yield chunk, consumed


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


ProgressCallback = Callable[[int, int], None]  # (lines done so far, input bytes consumed by them)


def deliver(done: ChunkResult, consumed: int, out: IO[str], summary: Summary,
            audit: "AuditLog | None", progress: ProgressCallback | None) -> None:
    """Write one checked chunk in its turn: its lines, its decision records, the count and the
    progress. The local batch and the cluster batch (engine/cluster.py) deliver alike."""
    out.write(done.output)
    if audit is not None:
        audit.write_lines([done.audit])
    summary.add(done)
    if progress is not None:
        progress(summary.lines, consumed)


def run(source: IO[bytes], out: IO[str], book: "RuleBook", settings: Settings, *, jobs: int = 1,
        audit: "AuditLog | None" = None, progress: ProgressCallback | None = None) -> Summary:
    """Check every line of ``source`` and write one line per input line to ``out``, in order."""
    summary = Summary()
    started = time.perf_counter()
    settings = dataclasses.replace(settings, audit=audit is not None)
    chunks = _chunks(read_lines(source, settings.max_line_bytes), CHUNK_LINES)

    def emit(done: ChunkResult, consumed: int) -> None:
        deliver(done, consumed, out, summary, audit, progress)

    if jobs <= 1:
        for chunk, consumed in chunks:
            emit(check_chunk(book, chunk, settings), consumed)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(settings, book.digest))
        try:
            pending: deque[tuple[Future[ChunkResult], int]] = deque()
            in_flight = 0
            for chunk, consumed in chunks:
                # lines hold no newline (read_lines strips it), so joining keeps them apart
                task = pool.submit(_check_chunk, chunk[0][0], b"\n".join(raw for _, raw in chunk))
                pending.append((task, consumed))
                in_flight += consumed
                while pending and (len(pending) >= jobs * CHUNKS_PER_WORKER or in_flight > IN_FLIGHT_BYTES):
                    future, used = pending.popleft()
                    emit(future.result(), used)
                    in_flight -= used
            while pending:
                future, used = pending.popleft()
                emit(future.result(), used)
        except BrokenProcessPool:
            _stop_pool(pool)
            if _stopped_by is not None:  # the signal reached the workers too: the run was stopped
                raise Stopped(_stopped_by) from None
            raise InputError([problem("worker_stopped")]) from None
        except BaseException:  # stopped (a signal, Ctrl-C) or a failed write: no worker runs on
            _stop_pool(pool)
            raise
        pool.shutdown(wait=True)
    summary.seconds = time.perf_counter() - started
    return summary


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """End the workers now: queued chunks are cancelled and running ones killed (a stopped batch
    must leave no process behind checking lines whose results nobody will read)."""
    import multiprocessing

    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    # A signal can land while the pool is starting a worker it has not registered yet: every child
    # process is this pool's (the batch starts no other), so all of them are ended.
    processes += [child for child in multiprocessing.active_children() if child not in processes]
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
    # The pool's manager thread notices its workers died and ends; waiting for it here keeps it
    # from writing to pipes the interpreter's exit is closing (a traceback at exit otherwise).
    pool.shutdown(wait=True)


# --- stopping on a signal -----------------------------------------------------------------------

class Stopped(BaseException):
    """The batch was stopped by a signal (SIGINT, SIGTERM, SIGHUP). A BaseException, like
    KeyboardInterrupt: nothing that handles errors of a line may swallow it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_stopped_by: int | None = None
_STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``Stopped`` in the main thread for the block, so the
    output's temporary file is removed, the workers are stopped and no audit record is kept for a
    result that was never delivered (the default action of SIGTERM and SIGHUP skips all of that)."""
    global _stopped_by
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    owner = os.getpid()

    def stop(signum: int, frame: Any) -> None:
        global _stopped_by
        if os.getpid() != owner:
            # A worker forked with this handler (the parent ends its workers with SIGTERM): it ends
            # as the default action would, not by raising Stopped inside it, which the pool would
            # print as "Exception in initializer" with a traceback.
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if _stopped_by is None:
            _stopped_by = signum
            raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in _STOP_SIGNALS}
    _stopped_by = None
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def open_input(path: str) -> IO[bytes]:
    """Open a JSONL input for reading (``-`` is standard input); errors as located InputError."""
    import sys

    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise unreadable(exc, path) from None
    mode = os.fstat(handle.fileno()).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):  # a pipe streams lines; /dev/zero never ends
        handle.close()
        raise InputError([problem("batch_not_file_or_pipe", file=path)])
    return handle
