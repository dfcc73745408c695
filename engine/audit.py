"""Decision records: one JSON line per evaluation, appended to an audit file.

A compliance team must be able to show which packs decided what for which filing. Each record
names the application, the pack and its digest, a keyed hash of the checked input (HMAC-SHA256
with a key derived from the installation secret, engine/secret.py: whoever holds the key can match
an input to its record; nobody can recover an ID number by hashing guesses, which took 4 s against
the unkeyed sha256 of version 1), and the ids of the documents required and findings raised.
Personal data never enters a record: no names, and the subject's certificate number only masked
(at most a third of it shown).

The file is opened for appending only, never truncated or rewritten; each record is written with
one ``write`` call on a descriptor opened with O_APPEND, so records from several threads or
processes do not interleave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import secret
from .errors import InputError, problem
from .output import check_target
from .text import mask, mask_numbers

if TYPE_CHECKING:
    from .application import Application
    from .result import Result

RECORD_VERSION = 2  # 2: input_hash is keyed (hmac-sha256:…), the certificate shows at most a third


def input_hash(application: "Application") -> str:
    """HMAC-SHA256 of the checked application as canonical JSON (keys sorted, defaults filled),
    keyed by the installation secret: the same input gives the same hash on this installation."""
    canonical = json.dumps(application.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    digest = hmac.new(secret.key("audit"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    return "hmac-sha256:" + digest


def record(result: "Result", *, at: dt.datetime | None = None, source: str | None = None) -> dict[str, Any]:
    """The decision record of one evaluation."""
    app = result.application
    subject = app.data["subject"]
    out: dict[str, Any] = {
        "v": RECORD_VERSION,
        "time": (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="milliseconds"),
        "application_id": result.application_id,
        "province": result.province.key,
        "evaluated_on": result.evaluated_on.isoformat(),
        "pack": result.pack,
        "input_hash": input_hash(app),
        "subject": {"type": subject["type"], "certificate": mask(str(subject["certificate"]["number"]))},
        "filing_required": result.filing_required,
        "required_documents": [doc.id for doc in result.required_documents],
        "findings": sorted({f.id for f in result.findings}),
        "blocking": result.blocking,
    }
    if source is not None:  # a file may be named after its applicant's ID number: masked as in any message
        out["source"] = mask_numbers(source)
    return out


class AuditLog:
    """Appends decision records to a file. Safe to share between threads."""

    def __init__(self, path: str | Path, *, inputs: tuple[Path, ...] = (), outputs: tuple[Path, ...] = ()) -> None:
        # an existing regular file is appended to; a device (/dev/full) or FIFO is refused
        self.path = check_target(path, force=True, inputs=inputs, outputs=outputs)
        secret.key("audit")  # an unusable secret is refused now, before any decision is made
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise InputError([problem("audit_open", file=str(path), reason=exc.strerror)]) from None
        self._lock = threading.Lock()
        self._needs_newline = self._ends_without_newline()

    def _ends_without_newline(self) -> bool:
        # A record cut short (e.g. a full disk last time) must not swallow the next one.
        size = self.path.stat().st_size
        if size == 0:
            return False
        with self.path.open("rb") as handle:
            handle.seek(size - 1)
            return handle.read(1) != b"\n"

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        self.write_lines([line])

    def write_lines(self, lines: list[str]) -> None:
        """Append already-serialised records (each ending in a newline)."""
        data = "".join(lines).encode("utf-8")
        if not data:
            return
        with self._lock:
            if self._needs_newline:
                data = b"\n" + data
                self._needs_newline = False
            view = memoryview(data)
            try:
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
            except OSError as exc:  # a full disk: the decision was not recorded, and the run must say so
                with suppress(OSError):  # a record cut short must not swallow the next one
                    self._needs_newline = self._ends_without_newline()
                raise InputError([problem("audit_write", file=str(self.path), reason=exc.strerror)]) from None

    def log(self, result: "Result", *, source: str | None = None) -> None:
        self.write(record(result, source=source))

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DeferredAudit:
    """Decision records held back until the results they describe are delivered (``batch -o``: the
    output replaces its file only when the run completes). Records wait in an anonymous temporary
    file, so memory stays flat however long the batch; ``commit`` appends them to the audit log,
    and a run that stops first leaves no record of a result nobody received."""

    def __init__(self, log: AuditLog) -> None:
        import tempfile

        self.log = log
        self._spool: Any = tempfile.TemporaryFile(mode="w+b")

    def write_lines(self, lines: list[str]) -> None:
        data = "".join(lines).encode("utf-8")
        if data:
            self._spool.write(data)

    def commit(self) -> None:
        self._spool.flush()
        self._spool.seek(0)
        while True:
            # whole records only: the log writes each block with one call, so nothing interleaves
            block = self._spool.readlines(1 << 20)
            if not block:
                break
            self.log.write_lines([line.decode("utf-8") for line in block])
        self.discard()

    def discard(self) -> None:
        self._spool.close()
