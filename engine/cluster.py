"""Batch checking on a Dask distributed cluster (``icp-rules batch --scheduler``, docs/scale.md).

Workers share nothing with the client but the installed engine: the rule packs travel with the
job as a ``PackBundle`` (every pack file's bytes and the book's digest), and each worker, before
it evaluates anything, checks that it runs the same engine as the client and that the bytes it
received give the same book. A worker that differs refuses with ``ClusterMismatch`` naming both
sides, instead of writing results that disagree with the rest of the batch.

The checking itself is ``engine.batch.check_chunk``, the local batch's own function, so the
cluster writes the very lines the local batch writes. Dask does the distribution (futures for the
CLI, ``map_partitions`` for bags and dataframes); nothing here schedules work itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import application as application_module
from . import batch, bundled
from .errors import InputError, Problem, problem

if TYPE_CHECKING:
    from .audit import AuditLog
    from .rulebook import RuleBook

TASKS_PER_THREAD = 3  # chunks in flight per worker thread: keeps workers busy, bounds the client's memory


class ClusterMismatch(RuntimeError):
    """A worker runs another engine, or the packs it received do not give the client's book.

    It carries its problem (a message id and arguments, engine/messages.py), so the client shows
    it in the reader's language; its text is the English one."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found

    def __reduce__(self) -> Any:  # Dask sends it back to the client pickled: rebuild it from its problem
        return (type(self), (self.problem,))


@lru_cache(maxsize=1)
def engine_identity() -> str:
    """The engine's version and a digest of its code and bundled schemas: two processes with the
    same identity check applications the same way. Only the version would let a worker with an
    edited or half-upgraded engine write other results under the same number."""
    from importlib import metadata

    try:
        version = metadata.version("icp-rulepacks")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "unknown"
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + sorted(here.glob("templates/*")) + sorted(bundled.schemas_dir().glob("*.json"))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return f"{version}+{digest.hexdigest()[:12]}"


def packs_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """``RuleBook.digest`` computed from the files' bytes alone (a pack's key is its file's stem)."""
    ordered = sorted(files, key=lambda item: Path(item[0]).stem)
    return hashlib.sha256(b"".join(content for _, content in ordered)).hexdigest()


@dataclasses.dataclass(frozen=True)
class PackBundle:
    """The packs of a book as bytes, with their digest and the engine that loaded them."""

    files: tuple[tuple[str, bytes], ...]  # (file name, content)
    digest: str
    engine: str

    @classmethod
    def of(cls, book: "RuleBook") -> "PackBundle":
        files = tuple((Path(pack.file).name, pack.content) for _, pack in sorted(book.packs.items()))
        return cls(files, book.digest, engine_identity())

    def __repr__(self) -> str:  # Dask shows task arguments in its dashboard and logs
        return f"PackBundle({len(self.files)} packs, digest {self.digest[:12]}, engine {self.engine})"


_books: dict[str, "RuleBook"] = {}
_books_lock = threading.Lock()


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not inside a Dask worker (e.g. the threaded scheduler)
        import socket

        return socket.gethostname()


def verified_book(bundle: PackBundle) -> "RuleBook":
    """The book of ``bundle``, loaded once per process, after checking the engine and the digest.

    Raises ClusterMismatch when this process runs another engine than the one that made the
    bundle, or when the bytes received do not give the digest the client computed."""
    if bundle.engine != engine_identity():
        raise ClusterMismatch(problem("cluster_engine_mismatch", worker=_worker_name(), theirs=engine_identity(),
                                      ours=bundle.engine))
    # Every time, not only on the first load: hashing the packs takes a fraction of a millisecond,
    # and a book remembered under a digest must never answer for other bytes sent under it.
    received = packs_digest(bundle.files)
    if received != bundle.digest:
        raise ClusterMismatch(problem("cluster_packs_mismatch", worker=_worker_name(), received=received[:12],
                                      sent=bundle.digest[:12]))
    with _books_lock:
        book = _books.get(bundle.digest)
        if book is not None:
            return book
        from .rulebook import RuleBook

        # A RuleBook is loaded from a directory: the bytes are laid out in a private temporary one,
        # read once, and removed; the book keeps everything it needs in memory.
        folder = Path(tempfile.mkdtemp(prefix="icp-rules-packs-"))
        try:
            for name, content in bundle.files:
                (folder / Path(name).name).write_bytes(content)
            book = RuleBook.load(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if book.digest != bundle.digest:  # pragma: no cover - packs_digest and RuleBook.digest disagree
            raise ClusterMismatch(problem("cluster_packs_mismatch", worker=_worker_name(), received=book.digest[:12],
                                          sent=bundle.digest[:12]))
        _books[bundle.digest] = book
        return book


def check_block(bundle: PackBundle, settings: batch.Settings, first: int, data: bytes) -> batch.ChunkResult:
    """A worker's task: input lines ``first``, ``first + 1``, … as one block of bytes (no newlines
    inside a line), checked exactly as the local batch checks them."""
    book = verified_book(bundle)
    return batch.check_chunk(book, list(enumerate(data.split(b"\n"), start=first)), settings)


def _identity_of_worker(bundle: PackBundle) -> str:
    """Run on every worker before the batch starts: loads and checks the book (or refuses)."""
    verified_book(bundle)
    return engine_identity()


# --- the CLI's path: a JSONL file, read by the client, checked by the workers -------------------

def connect(address: str, *, timeout: float = 20.0) -> Any:
    """A ``distributed.Client`` for the scheduler at ``address``, or InputError saying why not."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError([problem("cluster_needs_distributed")]) from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError([problem("scheduler_unreachable", address=address, detail=f"{type(exc).__name__}: {exc}")]) from None


def _mismatch(exc: ClusterMismatch) -> InputError:
    return InputError([exc.problem])


def _worker_failed(exc: BaseException) -> InputError:
    return InputError([problem("cluster_worker_failed", detail=f"{type(exc).__name__}: {exc}")])


def run(source: IO[bytes], out: IO[str], book: "RuleBook", settings: batch.Settings, *, client: Any,
        audit: "AuditLog | None" = None, progress: batch.ProgressCallback | None = None) -> batch.Summary:
    """Like ``engine.batch.run``, with the chunks checked by the workers of a Dask ``client``.

    The packs are scattered once to every worker; every worker checks them and its engine before
    the first chunk is sent. Results are written in input order as they come back; at most a few
    chunks per worker thread, and ``batch.IN_FLIGHT_BYTES`` of input, are in flight, so memory stays
    bounded however long the input is. A worker that fails stops the batch with InputError."""
    summary = batch.Summary()
    started = time.perf_counter()
    settings = dataclasses.replace(settings, audit=audit is not None)
    bundle = PackBundle.of(book)
    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError:
        raise InputError([problem("cluster_no_worker", seconds=60)]) from None
    try:
        client.run(_identity_of_worker, bundle)
    except ClusterMismatch as exc:
        raise _mismatch(exc) from None
    except Exception as exc:  # e.g. a worker without the engine installed cannot even load the check
        raise _worker_failed(exc) from None
    [packs] = client.scatter([bundle], broadcast=True, hash=False)
    window = max(1, sum(client.nthreads().values())) * TASKS_PER_THREAD
    pending: deque[tuple[Any, int]] = deque()
    in_flight = 0  # input bytes sent and not yet written: bounded as in a local batch

    def emit() -> None:
        nonlocal in_flight
        future, consumed = pending.popleft()
        in_flight -= consumed
        try:
            done: batch.ChunkResult = future.result()
        except ClusterMismatch as exc:  # a worker that joined after the check above
            raise _mismatch(exc) from None
        except Exception as exc:  # a worker died (KilledWorker), lost its connection, ran out of memory
            raise _worker_failed(exc) from None
        batch.deliver(done, consumed, out, summary, audit, progress)

    try:
        for chunk, consumed in batch._chunks(batch.read_lines(source, settings.max_line_bytes), batch.CHUNK_LINES):
            data = b"\n".join(raw for _, raw in chunk)  # read_lines strips newlines: joining keeps lines apart
            pending.append((client.submit(check_block, packs, settings, chunk[0][0], data, pure=False), consumed))
            in_flight += consumed
            while pending and (len(pending) >= window or in_flight > batch.IN_FLIGHT_BYTES):
                emit()
        while pending:
            emit()
    finally:
        for future, _ in pending:  # interrupted or failed: nothing left running on the cluster
            future.cancel()
    summary.seconds = time.perf_counter() - started
    return summary


# --- the library's path: Dask bags and dataframes ------------------------------------------------

def _bundle(book: "RuleBook | None", packs_dir: str | Path | None) -> PackBundle:
    if book is None:
        from .rulebook import RuleBook

        book = RuleBook.load(packs_dir)  # here, on the client: a relative directory means the client's
    return PackBundle.of(book)


def _as_text(item: Any) -> str | bytes:
    if isinstance(item, (str, bytes)):
        return item.rstrip(b"\r\n") if isinstance(item, bytes) else item.rstrip("\r\n")
    if isinstance(item, Mapping):
        return json.dumps(item, ensure_ascii=False, default=str)
    return ""  # not an application: reported as an empty line


def _check_items(items: Iterable[Any], bundle: PackBundle, lang: str, as_of: Any, file: str | None) -> list[str]:
    book = verified_book(bundle)
    settings = batch.Settings(lang=lang, as_of=application_module.as_of_date(as_of), file=file)
    return batch.check_items(book, items, settings, _as_text)


def check_bag(applications: Any, *, packs_dir: str | Path | None = None, book: "RuleBook | None" = None,
              lang: str = "zh", as_of: Any = None, file: str | None = None) -> Any:
    """A ``dask.bag.Bag`` of result lines, one per item of ``applications``, in the same order.

    Items are JSONL lines, ``(line, path)`` pairs (``dask.bag.read_text(..., include_path=True)``)
    or application mappings. Each result line is what ``icp-rules batch`` writes for that line; an
    item that cannot be checked becomes ``{"line": N, "error": {...}}``, N counting from 1 within
    its partition (per file, with pairs). The packs (``book``, else ``packs_dir`` read here on the
    client, else the bundled ones) travel in the graph as bytes; workers need no files.
    """
    import dask

    packs = dask.delayed(_bundle(book, packs_dir), pure=True)
    return applications.map_partitions(_check_items, packs, lang=lang, as_of=as_of, file=file)


def _check_frame(frame: Any, bundle: PackBundle, column: str, lang: str, as_of: Any) -> Any:
    import pandas as pd

    lines = _check_items(list(frame[column]), bundle, lang, as_of, None)
    return pd.Series(lines, index=frame.index, name="result", dtype=object)


def check_dataframe(applications: Any, column: str = "application", *, packs_dir: str | Path | None = None,
                    book: "RuleBook | None" = None, lang: str = "zh", as_of: Any = None) -> Any:
    """A ``dask.dataframe.Series`` named ``result``, with the index of ``applications``: for each
    row, the result line of the application in ``column`` (JSON text or a mapping), as for bags."""
    import dask

    if column not in applications.columns:
        raise InputError([problem("unknown_column", name=column, columns=[str(c) for c in applications.columns])])
    packs = dask.delayed(_bundle(book, packs_dir), pure=True)
    return applications.map_partitions(_check_frame, packs, column, lang, as_of, meta=("result", object))
