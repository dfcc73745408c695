"""Writing results to files without losing anything a user wrote.

One policy for every command that writes a file (``check -o``, ``batch -o``): never write over an
input, never replace an existing file unless asked (``--force``), and write to a temporary file in
the same directory that replaces the target only once it is complete, so an interrupted run leaves
the old file (or none) rather than half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError, Problem


def check_target(output: str | Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> Path:
    """Raise InputError unless ``output`` may be written under the policy above."""
    target = Path(output)
    if any(target.resolve() == p.resolve() for p in inputs if p.exists()):
        raise InputError([Problem("refusing to write over an input file", file=str(output))])
    if target.is_dir():
        raise InputError([Problem("is a directory, not a file", file=str(output))])
    if target.exists() and not force:
        raise InputError([Problem("file exists; pass --force to replace it", file=str(output))])
    if not target.parent.is_dir():
        raise InputError([Problem("directory does not exist", file=str(target.parent))])
    return target


@contextmanager
def atomic_writer(target: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A handle (text, or bytes for the on-disk cache) whose content replaces ``target`` only when
    the block ends without error."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
