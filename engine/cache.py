"""A small on-disk cache of expensive, pure results (e.g. the parsed public suffix list).

Entries live in the user's cache directory (``$ICP_RULES_CACHE_DIR``, else
``$XDG_CACHE_HOME/icp-rulepacks``, else ``~/.cache/icp-rulepacks``) and are keyed by a digest of
everything the value depends on, so a stale entry is never used: a new key simply misses. A
missing, unreadable or corrupt entry is rebuilt; a cache that cannot be written is skipped. Only
a directory owned by the current user and writable by nobody else is trusted, because entries
are pickles. ``ICP_RULES_CACHE_DIR=off`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FORMAT = b"icp-rulepacks-cache-1"


def directory() -> Path | None:
    configured = os.environ.get("ICP_RULES_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "icp-rulepacks"


def _trusted(folder: Path) -> bool:
    try:
        info = folder.stat()
    except OSError:
        return False
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owned and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _entry(name: str, key_parts: list[bytes]) -> tuple[str, Path | None]:
    folder = directory()
    if folder is None:  # off: no need to hash the key
        return "", None
    digest = hashlib.sha256(FORMAT + b"\0" + b"\0".join(key_parts)).hexdigest()
    return digest, folder / f"{name}-{digest[:32]}.pickle"


def lookup(name: str, key_parts: list[bytes]) -> Any | None:
    """The value stored under this name and key, or None (missing, corrupt, cache off or untrusted)."""
    digest, path = _entry(name, key_parts)
    if path is None or not _trusted(path.parent):
        return None
    try:
        with path.open("rb") as handle:
            stored_digest, value = pickle.load(handle)
    except Exception:  # missing or corrupt (truncated, another format): the caller rebuilds it
        return None
    return value if stored_digest == digest else None


def store(name: str, key_parts: list[bytes], value: Any, *, keep: int | None = None) -> None:
    """Keep ``value`` under this name and key, if the cache is on and may be written; else nothing.

    With ``keep``, only the newest ``keep`` entries of this name stay: a file that is edited again
    and again (a pack being written) would otherwise leave one entry behind per version."""
    digest, path = _entry(name, key_parts)
    if path is None:
        return
    from .output import atomic_writer  # only when writing: a warm start never needs tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(path.parent):
            return
        with atomic_writer(path, binary=True) as handle:
            pickle.dump((digest, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        if keep is not None:
            _prune(path.parent, name, keep)
    except Exception:  # a read-only home, a full disk: work without the cache
        pass


def _prune(folder: Path, name: str, keep: int) -> None:
    entry = re.compile(re.escape(name) + r"-[0-9a-f]{32}\.pickle")
    entries = [(p.stat().st_mtime_ns, p) for p in folder.iterdir() if entry.fullmatch(p.name)]
    for _, old in sorted(entries, reverse=True)[keep:]:
        old.unlink(missing_ok=True)


def cached(name: str, key_parts: list[bytes], build: Callable[[], T]) -> T:
    """``build()``, or its value stored earlier under the same name and key."""
    value = lookup(name, key_parts)
    if value is None:
        value = build()
        store(name, key_parts, value)
    return value


def cached_parse(name: str, files: list[Path], parse: Callable[[], T]) -> T:
    """``parse()`` of data files shipped with a package, kept under the files' exact bytes (the data
    and the code that parses it) and the interpreter; files laid out otherwise: parse every time."""
    try:
        key = [path.read_bytes() for path in files] + [sys.version.encode()]
    except OSError:
        return parse()
    return cached(name, key, parse)
