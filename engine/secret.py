"""The installation's secret: random bytes in a file only its owner may read (mode 0600).

Two things need a key nobody else holds. Decision records carry a keyed hash of the checked
input: whoever holds the key can match an input to its record, nobody can recover an ID number
by hashing guesses (an unkeyed sha256 of the application gave one up in 4 s). And each entry of
the user cache is authenticated with it, so an entry written by anyone else is never unpickled.

The file is ``$ICP_RULES_SECRET_FILE``, else ``$XDG_CONFIG_HOME/icp-rulepacks/secret``, else
``~/.config/icp-rulepacks/secret``; it is made on first use. A file that is not a regular file,
is owned by another user or can be read by others is refused, never silently replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import threading
from pathlib import Path
from typing import Any

from .errors import InputError, problem

SECRET_ENV = "ICP_RULES_SECRET_FILE"
SECRET_BYTES = 32

_known: dict[str, bytes] = {}
_lock = threading.Lock()


def path() -> Path:
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "icp-rulepacks" / "secret"


def key(purpose: str) -> bytes:
    """The key for one purpose ("audit", "cache"): derived from the installation secret, so a key
    given away for one purpose says nothing of the other. InputError if the secret is unusable."""
    file = path()
    with _lock:
        master = _known.get(str(file))
        if master is None:
            master = _known[str(file)] = _read_or_create(file)
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


def _refused(file: Path, why: str, **args: Any) -> InputError:
    """The secret is unusable because ``why`` (a message id, secret_…, with its arguments); every
    refusal ends with what the secret must be (``secret_refused``)."""
    return InputError([problem("secret_refused", file=str(file), env=SECRET_ENV, why=(why, tuple(args.items())))])


def _read(file: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _refused(file, "secret_unreadable", reason=exc.strerror) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(file, "secret_not_regular")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise _refused(file, "secret_other_owner")
        if info.st_mode & 0o077:
            raise _refused(file, "secret_open_to_others")
        text = os.read(fd, 4096)
    finally:
        os.close(fd)
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) < SECRET_BYTES:
        raise _refused(file, "secret_malformed", size=SECRET_BYTES)
    return secret


def _read_or_create(file: Path) -> bytes:
    try:
        return _read(file)
    except FileNotFoundError:
        pass
    import tempfile

    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=".secret.")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(os.urandom(SECRET_BYTES).hex() + "\n")
            try:
                os.link(temporary, file)  # never replaces: a secret another process made first wins
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    except OSError as exc:
        raise _refused(file, "secret_uncreatable", reason=exc.strerror) from None
    return _read(file)
