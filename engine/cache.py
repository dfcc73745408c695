"""A small on-disk cache of expensive, pure results (e.g. the parsed public suffix list).

Entries live in the user's cache directory (``$ICP_RULES_CACHE_DIR``, else
``$XDG_CACHE_HOME/icp-rulepacks``, else ``~/.cache/icp-rulepacks``) and are keyed by a digest of
everything the value depends on, so a stale entry is never used: a new key simply misses. A
missing, unreadable or corrupt entry is rebuilt; a cache that cannot be written is skipped.
``ICP_RULES_CACHE_DIR=off`` turns the cache off.

Entries are pickles, so nothing is unpickled that this installation did not write: each entry
carries an HMAC of its bytes and of the key it is stored under, made with a key derived from the
installation secret (engine/secret.py, mode 0600), and is read only when that HMAC matches. An
entry must also be a regular file of the user's own, writable by nobody else, not a symlink,
in a directory that is the same; anything else is ignored (and rebuilt). An entry copied from
another key, edited, or planted by another user is therefore never used, and without a usable
secret there is no cache.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FORMAT = b"icp-rulepacks-cache-2"
MAX_ENTRY_BYTES = 256 << 20  # far above any entry (the suffix list is ~2 MB); bounds a planted one
_TAG = hashlib.sha256().digest_size


def directory() -> Path | None:
    configured = os.environ.get("ICP_RULES_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "icp-rulepacks"


def _own(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owned and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted(folder: Path) -> bool:
    try:
        info = folder.stat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _own(info)


def _entry(name: str, key_parts: list[bytes]) -> tuple[str, Path | None]:
    folder = directory()
    if folder is None:  # off: no need to hash the key
        return "", None
    digest = hashlib.sha256(FORMAT + b"\0" + b"\0".join(key_parts)).hexdigest()
    return digest, folder / f"{name}-{digest[:32]}.pickle"


def _mac_key() -> bytes | None:
    from .errors import InputError
    from .secret import key

    try:
        return key("cache")
    except (InputError, OSError):  # no usable secret: no cache, rather than an unauthenticated one
        return None


def _tag(mac_key: bytes, digest: str, payload: bytes) -> bytes:
    # The digest the entry is stored under is part of what is authenticated: an entry moved to
    # another name (another pack's, another version's) does not match.
    return hmac.new(mac_key, FORMAT + b"\0" + digest.encode() + b"\0" + payload, hashlib.sha256).digest()


def _read_entry(path: Path) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # missing, or a symlink (O_NOFOLLOW)
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _own(info) or info.st_size > MAX_ENTRY_BYTES:
            return None
        parts, size = [], 0
        while size <= MAX_ENTRY_BYTES:
            part = os.read(fd, 1 << 20)
            if not part:
                break
            parts.append(part)
            size += len(part)
        return b"".join(parts) if size <= MAX_ENTRY_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def lookup(name: str, key_parts: list[bytes]) -> Any | None:
    """The value stored under this name and key, or None (missing, corrupt, forged, cache off or untrusted)."""
    digest, path = _entry(name, key_parts)
    if path is None or not _trusted(path.parent):
        return None
    blob = _read_entry(path)
    if blob is None or len(blob) <= _TAG:
        return None
    mac_key = _mac_key()
    if mac_key is None:
        return None
    tag, payload = blob[:_TAG], blob[_TAG:]
    if not hmac.compare_digest(tag, _tag(mac_key, digest, payload)):
        return None  # not written by this installation for this key: never unpickled
    try:
        stored_digest, value = pickle.loads(payload)
    except Exception:  # pragma: no cover - an authenticated entry is one this code wrote
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
        mac_key = _mac_key()
        if mac_key is None:
            return
        payload = pickle.dumps((digest, value), protocol=pickle.HIGHEST_PROTOCOL)
        with atomic_writer(path, binary=True) as handle:  # mkstemp: mode 0600
            handle.write(_tag(mac_key, digest, payload))
            handle.write(payload)
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
