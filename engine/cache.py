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
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .output import atomic_writer

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


def cached(name: str, key_parts: list[bytes], build: Callable[[], T]) -> T:
    """``build()``, or its value stored earlier under the same name and key."""
    digest = hashlib.sha256(FORMAT + b"\0" + b"\0".join(key_parts)).hexdigest()
    folder = directory()
    if folder is None:
        return build()
    path = folder / f"{name}-{digest[:32]}.pickle"
    if _trusted(folder):
        try:
            with path.open("rb") as handle:
                stored_digest, value = pickle.load(handle)
            if stored_digest == digest:
                return value
        except Exception:  # missing or corrupt: rebuild below
            pass
    value = build()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(folder):
            return value
        with atomic_writer(path, binary=True) as handle:
            pickle.dump((digest, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a read-only home, a full disk: work without the cache
        pass
    return value
