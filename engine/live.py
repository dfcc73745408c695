"""Packs that can change while a service runs: a RuleBook reference swapped atomically on reload.

A RuleBook is immutable, so "reloading" means loading a whole new one and replacing the single
reference to it. A request reads the reference once and evaluates on that book to the end, so
in-flight requests finish on the packs they started with. A reload that fails (a broken edit)
changes nothing: the error is logged with its locations and the last good packs keep serving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import IcpRulesError
from .rulebook import RuleBook

log = logging.getLogger("engine.live")


class LiveRuleBook:
    """The RuleBook currently in force for a directory of packs."""

    def __init__(self, packs_dir: str | Path | None = None, *, loader: Callable[..., RuleBook] = RuleBook.load) -> None:
        self.packs_dir = Path(packs_dir) if packs_dir is not None else None
        self._loader = loader
        self._book = loader(self.packs_dir)  # a broken pack at start-up is the caller's error to report
        self.loaded_at = dt.datetime.now(dt.timezone.utc)
        self.last_error: IcpRulesError | None = None
        self.last_error_at: dt.datetime | None = None
        self.reloads = 0

    @property
    def current(self) -> RuleBook:
        """The book in force now. Read it once per request and use that object throughout."""
        return self._book

    @property
    def directory(self) -> Path:
        return self._book.directory

    def reload(self) -> bool:
        """Load the packs again; swap them in if they are valid. Returns whether the swap happened."""
        try:
            book = self._loader(self.packs_dir)
        except IcpRulesError as exc:
            self.last_error, self.last_error_at = exc, dt.datetime.now(dt.timezone.utc)
            log.error("rule packs rejected; still serving %s", self._book.digest[:12])
            for problem in exc.problems:
                log.error("  %s", problem.format())
            return False
        previous = self._book.digest
        self._book = book  # one reference assignment: readers see the old book or the new one, never a mix
        self.loaded_at = dt.datetime.now(dt.timezone.utc)
        self.last_error = self.last_error_at = None
        self.reloads += 1
        if book.digest != previous:
            log.info("rule packs reloaded: %s -> %s", previous[:12], book.digest[:12])
        return True

    async def watch(self, stop: asyncio.Event | None = None, *, debounce_ms: int = 200,
                    force_polling: bool | None = None) -> None:
        """Reload whenever a pack file in the directory changes, until ``stop`` is set."""
        from watchfiles import awatch

        def is_pack(change: Any, path: str) -> bool:
            return path.endswith((".yaml", ".yml"))

        log.info("watching %s for pack changes", self.directory)
        async for _changes in awatch(self.directory, stop_event=stop, debounce=debounce_ms,
                                     watch_filter=is_pack, force_polling=force_polling):
            # loading takes tens of milliseconds: keep the event loop answering meanwhile
            await asyncio.to_thread(self.reload)
