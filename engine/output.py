"""Writing results to files without losing anything a user wrote.

One policy for every command that writes a file (``check -o``, ``batch -o``): never write over an
input, never replace an existing file unless asked (``--force``), and write to a temporary file in
the same directory that replaces the target only once it is complete, so an interrupted run leaves
the old file (or none) rather than half a file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from .errors import InputError, problem


def check_target(output: str | Path, *, force: bool, inputs: tuple[Path, ...] = (),
                 outputs: tuple[Path, ...] = ()) -> Path:
    """Raise InputError unless ``output`` may be written under the policy above.

    Only a regular file is ever replaced (or appended to), ``--force`` or not: as root, replacing
    /dev/sda or a FIFO with a file would be a disaster. ``outputs`` are the command's other outputs
    (``check -o F --audit F`` would have the checklist replace the audit trail)."""
    target = Path(output)
    if any(target.resolve() == p.resolve() for p in inputs):
        raise InputError([problem("overwrite_input", file=str(output))])
    if any(target.resolve() == p.resolve() for p in outputs):
        raise InputError([problem("output_twice", file=str(output))])
    if target.is_dir():
        raise InputError([problem("is_a_directory", file=str(output))])
    if target.exists() and not target.is_file():
        raise InputError([problem("not_regular_output", file=str(output))])
    if target.exists() and not force:
        raise InputError([problem("file_exists", file=str(output))])
    if not target.parent.is_dir():
        raise InputError([problem("no_such_directory", file=str(target.parent))])
    return target


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold the lock on ``target`` for the block: a second run writing the same file is refused at
    once, instead of both succeeding while the results of one are silently replaced.

    The lock is ``.NAME.lock`` beside the file, removed when the block ends; a lock file that was
    removed and created again between our open and our lock is opened again (the usual race)."""
    import fcntl

    lock = target.parent / f".{target.name}.lock"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise InputError([problem("output_lock_failed", file=str(lock), reason=exc.strerror)]) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise InputError([problem("output_locked", file=str(target))]) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with suppress(OSError):
            lock.unlink()
        os.close(fd)


@contextmanager
def atomic_writer(target: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A handle (text, or bytes for the on-disk cache) whose content replaces ``target`` only when
    the block ends without error."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            yield handle
        if target.exists():  # a file replaced (fmt, --force) keeps its permissions, not mkstemp's 0600
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
