"""Packs that can change while a service runs: a RuleBook reference swapped atomically on reload.

A RuleBook is immutable, so "reloading" means building a whole new one and replacing the single
reference to it. A request reads the reference once and evaluates on that book to the end, so
in-flight requests finish on the packs they started with.

A reload never turns into a silently different checklist (SPEC §9). The unit of "last good" is
the province: each pack file is loaded and merged on its own, and a province whose file
disappeared, broke, or was swapped for one that does not load (or does not merge with the
national pack) keeps the rule set it had, while every other province takes its edits. Had
Fujian's file been dropped from the book instead, Fujian's applications would have been checked
against the national rules alone and silently lost the residence permit. Each refusal is kept in
``refused`` (with why, since when, and what serves instead) until its file loads again, and is
logged once when it starts or changes, never on every reload. A deliberately removed province
pack therefore keeps serving until the service restarts: that is the one way to retire a pack.

``watch`` follows the directory's *path*, not the directory first found there: after the path is
pointed elsewhere (``mv new packs``, ``ln -sfn releases/v2 packs``) the next check loads and watches
what the path names now; when the path is missing, the last good packs keep serving and the
watcher says so (log, ``watch_status``) and keeps checking until it is back.

A signed bundle (``serve --bundle FILE --public-key KEY``) is one unit instead: it was signed as a
whole, so it is taken whole or not at all. A reload that finds it unverified (another key, a
changed member) or holding a pack that does not load keeps the whole last good book serving, and
the refusal (pack ``bundle``) shows on ``/v1/packs`` until a bundle verifies again. The watcher
looks at the file every ``check_every`` seconds (size, time, inode: an ``mv`` of a new bundle
over it counts).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .errors import IcpRulesError, PackError, error_to_dict, problem
from .messages import text as message_text
from .packs import Pack, RuleSet, load_pack, merge
from .rulebook import RuleBook

log = logging.getLogger("engine.live")

REMINDER_SECONDS = 300  # while the directory stays missing or unwatchable, say so again this often


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Refusal:
    """A pack file that a reload did not take, and what serves its province instead."""

    pack: str  # the pack key the file is named for (fujian.yaml -> fujian)
    file: str
    reason: str  # "removed" (the file is gone) or "invalid" (it does not load or merge)
    error: IcpRulesError
    since: dt.datetime
    serving: str | None  # version of the pack kept in force, or None when none ever loaded

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """As data, the error's messages in ``lang``."""
        return {"pack": self.pack, "file": self.file, "reason": self.reason,
                "since": self.since.isoformat(timespec="seconds"),
                "serving": ({"pack": self.pack, "version": self.serving, "kept": True} if self.serving is not None
                            else {"pack": "national" if self.pack != "national" else None, "kept": False}),
                "error": error_to_dict(self.error, lang)}

    def same_as(self, other: "Refusal | None") -> bool:
        return (other is not None and other.reason == self.reason and other.serving == self.serving
                and other.error.problems == self.error.problems)


class _Either:
    """Set when either event is: stops one round of watchfiles' watcher (it only calls is_set/set)."""

    def __init__(self, *events: Any) -> None:
        self._events = events
        self._own = threading.Event()

    def is_set(self) -> bool:
        return self._own.is_set() or any(e.is_set() for e in self._events)

    def set(self) -> None:
        self._own.set()


class LiveRuleBook:
    """The RuleBook currently in force for a directory of packs."""

    def __init__(self, packs_dir: str | Path | None = None, *, backend: str = "python",
                 bundle: str | Path | None = None, public_key: Any = None) -> None:
        self.bundle = Path(bundle) if bundle is not None else None
        self.public_key = public_key
        if self.bundle is not None:
            from .bundle import load_public_key

            self.public_key = load_public_key(public_key)  # read once: the key file may move later
            packs_dir = self.bundle
        self.packs_dir = Path(packs_dir) if packs_dir is not None else None
        self._path = self.packs_dir if self.packs_dir is not None else _bundled_dir()
        self.backend = backend
        self._reminded = _now()
        self._lock = threading.Lock()  # one reload at a time (the watcher's thread, a caller's)
        self._seen = self._signature()
        # broken (or, for a bundle, unverified) at start-up: the caller reports it
        self._book = RuleBook.load(self.packs_dir, backend=backend, public_key=self.public_key)
        self.loaded_at = _now()
        self.last_error: IcpRulesError | None = None
        self.last_error_at: dt.datetime | None = None
        self.refused: Mapping[str, Refusal] = {}
        self.reloads = 0
        self._watch: dict[str, Any] = {"watching": False}

    def public_key_pem(self) -> str:
        """The bundle's public key as PEM text (public: worker processes are given it)."""
        from cryptography.hazmat.primitives import serialization

        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    @property
    def current(self) -> RuleBook:
        """The book in force now. Read it once per request and use that object throughout."""
        return self._book

    @property
    def directory(self) -> Path:
        """The directory's path as given (followed again on every reload, not resolved once)."""
        return self._path

    # --- reloading ------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Load the packs again, province by province. Returns True when every file in the directory
        loaded and is in force; False when anything was refused (see ``refused``: each refused
        province keeps its last good rule set, every other province takes its changes)."""
        with self._lock:
            self._seen = self._signature()
            if self.bundle is not None:
                return self._reload_bundle()
            directory = self.directory
            if not directory.is_dir():
                self._set_error(PackError([problem("packs_directory_missing", file=str(directory))]))
                if self._watch.get("watching"):
                    self._state("missing", self._missing())  # said once, by the watcher's state
                else:
                    log.error("%s", self.last_error)
                return False
            book, refused = self._build(directory)
            self._settle(refused)
            if self._changed(book):
                previous = self._book.digest
                self._book = book  # one reference assignment: readers see the old book or the new one
                self.loaded_at = _now()
                self.reloads += 1
                log.info("rule packs reloaded: %s -> %s%s", previous[:12], book.digest[:12],
                         f" ({len(refused)} refused, kept last good)" if refused else "")
            return not refused

    def _reload_bundle(self) -> bool:
        """Verify and load the bundle again; on any failure keep the whole book in force."""
        from .bundle import BundleError

        assert self.bundle is not None
        try:
            book = RuleBook.load(self.bundle, public_key=self.public_key, backend=self.backend)
        except IcpRulesError as exc:
            reason = "unverified" if isinstance(exc, BundleError) else "invalid"
            self._settle({"bundle": self._refusal("bundle", str(self.bundle), reason, exc,
                                                  f"bundle {self._book.digest[:12]}")})
            return False
        self._settle({})
        if self._changed(book):
            previous = self._book.digest
            self._book = book
            self.loaded_at = _now()
            self.reloads += 1
            log.info("rule pack bundle reloaded: %s -> %s", previous[:12], book.digest[:12])
        return True

    def _build(self, directory: Path) -> tuple[RuleBook, dict[str, Refusal]]:
        old = self._book
        loaded: dict[str, Pack] = {}
        errors: dict[str, tuple[str, str, IcpRulesError]] = {}  # key -> (file, reason, error)
        for path in sorted(directory.glob("*.yaml")):
            try:
                loaded[path.stem] = load_pack(path)
            except PackError as exc:
                errors[path.stem] = (str(path), "invalid", exc)
            except (OSError, IcpRulesError) as exc:  # vanished between listing and reading, unreadable
                errors[path.stem] = (str(path), "invalid", exc if isinstance(exc, IcpRulesError)
                                     else PackError([problem("pack_unreadable", file=str(path), reason=exc.strerror or str(exc))]))
        for key in old.packs:
            if key not in loaded and key not in errors:
                file = str(directory / f"{key}.yaml")
                errors[key] = (file, "removed", PackError([problem("pack_removed", file=file)]))

        # The national pack first: every province is merged over the base in force.
        base_set: RuleSet | None = None
        if "national" in loaded:
            try:
                base_set = merge(loaded["national"], None)
            except PackError as exc:
                errors["national"] = (loaded["national"].file, "invalid", exc)
        if base_set is None:
            base_set = old.rulesets["national"]
        base = base_set.pack
        rulesets: dict[str, RuleSet] = {"national": base_set}
        refused: dict[str, Refusal] = {}
        if "national" in errors:
            file, reason, error = errors["national"]
            refused["national"] = self._refusal("national", file, reason, error, base.version)

        for key in sorted((set(loaded) | set(errors) | set(old.packs)) - {"national"}):
            if key in loaded and key not in errors:
                try:
                    rulesets[key] = merge(base, loaded[key])
                    continue
                except PackError as exc:
                    errors[key] = (loaded[key].file, "invalid", exc)
            file, reason, error = errors[key]
            kept = self._last_good(key, base)
            if kept is not None:
                rulesets[key] = kept
            refused[key] = self._refusal(key, file, reason, error, kept.pack.version if kept else None)
        return RuleBook.from_rulesets(directory, rulesets, backend=self.backend), refused

    def _last_good(self, key: str, base: Pack) -> RuleSet | None:
        """The province's pack in force, laid over ``base`` (the new national pack, if that merges),
        else its whole rule set as it was; None when the province never had a pack that loaded."""
        old = self._book.rulesets.get(key)
        if old is None:
            return None
        if old.packs[0] is base:
            return old
        try:
            return merge(base, old.pack)
        except PackError:
            return old

    def _refusal(self, key: str, file: str, reason: str, error: IcpRulesError, serving: str | None) -> Refusal:
        fresh = Refusal(key, file, reason, error, _now(), serving)
        before = self.refused.get(key)
        if before is not None and fresh.same_as(before):
            return Refusal(key, file, reason, error, before.since, serving)
        return fresh

    def _settle(self, refused: dict[str, Refusal]) -> None:
        """Record this reload's refusals; log the ones that are new or changed, and those that cleared."""
        for key, refusal in refused.items():
            if refusal.same_as(self.refused.get(key)):
                continue
            instead = (f"its last good version {refusal.serving} keeps serving" if refusal.serving is not None
                       else "no version of it was ever in force")
            log.error("rule pack %s rejected (%s); %s", Path(refusal.file).name, refusal.reason, instead)
            for problem in refusal.error.problems[:20]:
                log.error("  %s", problem.format())
        for key in self.refused:
            if key not in refused:
                log.info("rule pack %s accepted again", self.bundle if key == "bundle" else f"{key}.yaml")
        self.refused = refused
        if refused:
            problems = [p for r in refused.values() for p in r.error.problems]
            if self.last_error is None or self.last_error.problems != problems:
                self._set_error(PackError(problems))
        else:
            self.last_error = self.last_error_at = None

    def _set_error(self, error: IcpRulesError) -> None:
        self.last_error, self.last_error_at = error, _now()

    def _changed(self, book: RuleBook) -> bool:
        def shape(b: RuleBook) -> dict[str, str]:
            return {key: ruleset.digest for key, ruleset in b.rulesets.items()}
        return shape(book) != shape(self._book) or book.digest != self._book.digest

    # --- watching -------------------------------------------------------------------------------

    def _target(self) -> tuple[str, int, int] | None:
        """What the path names now: the real directory and its identity, or None when it is missing."""
        try:
            real = os.path.realpath(self._path)
            st = os.stat(real)
        except OSError:
            return None
        return (real, st.st_dev, st.st_ino) if os.path.isdir(real) else None

    def _signature(self) -> tuple[Any, ...]:
        """The directory's identity and each pack file's size, time and inode (files followed if
        symlinked): a change that file events missed still shows here. For a bundle: the file's."""
        if self.bundle is not None:
            try:
                st = os.stat(self.bundle)
            except OSError:
                return (None,)
            return (os.path.realpath(self.bundle), st.st_size, st.st_mtime_ns, st.st_ino)
        target = self._target()
        if target is None:
            return (None,)
        entries: list[tuple[str, int | None, int | None, int | None]] = []
        try:
            with os.scandir(target[0]) as it:
                for entry in it:
                    if entry.name.endswith((".yaml", ".yml")):
                        try:
                            st = entry.stat()
                            entries.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
                        except OSError:
                            entries.append((entry.name, None, None, None))
        except OSError:
            return (None,)
        return (target, tuple(sorted(entries, key=lambda e: e[0])))

    def _missing(self) -> tuple[str, dict[str, Any]]:
        return ("watch_directory_missing", {"directory": str(self.directory)})

    def watch_status(self, lang: str = "en") -> dict[str, Any]:
        """Whether the watcher runs, what it watches and whether it is waiting for the directory
        (its message in ``lang``, worded from what the watcher recorded: a message id and its arguments)."""
        status = {k: v for k, v in self._watch.items() if k != "said"}
        if "said" in self._watch:  # the directory watcher has a state: its message, or None while all is well
            status["message"] = self._said(lang)
        return status

    def _said(self, lang: str) -> str | None:
        said = self._watch.get("said")
        return message_text(said[0], lang, said[1]) if said is not None else None

    def _state(self, state: str, said: tuple[str, dict[str, Any]] | None = None, target: str | None = None) -> None:
        """Record the watcher's state and what it says about it (a message id and its arguments, worded
        in the reader's language when read: ``watch_status``); the operator's log reads English."""
        if self._watch.get("state") != state or self._watch.get("said") != said:
            self._watch.update(state=state, said=said, since=_now().isoformat(timespec="seconds"))
            self._reminded = _now()
            if state == "watching":
                log.info("watching %s for pack changes%s", self.directory,
                         f" (the path leads to {target})" if target and target != str(self.directory) else "")
            else:
                log.error("pack watcher: %s; the last good packs keep serving, checking again every %g s",
                          self._said("en"), self._watch.get("every", 1.0))
        elif state != "watching" and (_now() - self._reminded).total_seconds() >= REMINDER_SECONDS:
            self._reminded = _now()
            log.error("pack watcher: still %s (since %s); checking again every %g s", self._said("en"),
                      self._watch.get("since"), self._watch.get("every", 1.0))
        if target is not None:
            self._watch["target"] = target

    async def watch(self, stop: asyncio.Event | None = None, *, debounce_ms: int = 200,
                    force_polling: bool | None = None, check_every: float = 1.0) -> None:
        """Reload whenever a pack file changes, until ``stop`` is set.

        File events (watchfiles) give quick reloads; every ``check_every`` seconds the path is
        looked at again, so that a directory swapped in under the path, a missing directory coming
        back, or a change the events missed is still loaded. Nothing here ends the watch but ``stop``.
        """
        from watchfiles import awatch

        stop = stop or asyncio.Event()
        self._watch = {"watching": True, "directory": str(self.directory), "every": check_every}

        def is_pack(change: Any, path: str) -> bool:
            return path.endswith((".yaml", ".yml"))

        async def pause() -> None:
            try:
                await asyncio.wait_for(stop.wait(), timeout=check_every)
            except asyncio.TimeoutError:
                pass

        async def reload_if_changed() -> None:
            if self._signature() != self._seen:
                await asyncio.to_thread(self.reload)

        if self.bundle is not None:  # one file, checked every check_every seconds
            self._watch = {"watching": True, "bundle": str(self.bundle), "every": check_every, "state": "polling"}
            log.info("watching the bundle %s for changes (every %g s)", self.bundle, check_every)
            while not stop.is_set():
                await reload_if_changed()
                await pause()
            self._watch["watching"] = False
            return

        no_events_for: tuple[str, int, int] | None = None  # a directory whose file watcher failed
        why = ""
        while not stop.is_set():
            target = self._target()
            if target is None:
                self._state("missing", self._missing())
                await pause()
                continue
            if target == no_events_for:  # no file events for this directory: checking is all there is
                self._state("polling", ("watch_polling", {"directory": target[0], "reason": why}), target[0])
                await reload_if_changed()
                await pause()
                continue
            self._state("watching", None, target[0])
            await reload_if_changed()
            round_over = _Either(stop)

            async def poll(target: tuple[str, int, int] = target, round_over: _Either = round_over) -> None:
                while not round_over.is_set():
                    await pause()
                    # the path now leads elsewhere or nowhere, or it went missing in between (a directory
                    # made again may reuse the inode number; the old file watch died with the old one)
                    if self._target() != target or self._watch.get("state") == "missing":
                        round_over.set()
                        return
                    await reload_if_changed()

            poller = asyncio.create_task(poll())
            try:
                # watchfiles only calls is_set() on its stop event: _Either is typed as the Event it stands for
                async for _changes in awatch(target[0], stop_event=cast(asyncio.Event, round_over), debounce=debounce_ms,
                                             watch_filter=is_pack, force_polling=force_polling):
                    # loading takes tens of milliseconds: keep the event loop answering meanwhile
                    await asyncio.to_thread(self.reload)
            except Exception as exc:  # noqa: BLE001 - no file events (no inotify watches left, …): the
                # checks every check_every seconds carry on alone for this directory
                no_events_for, why = target, f"{type(exc).__name__}: {exc}"
            finally:
                round_over.set()
                await poller
        self._watch["watching"] = False


def _bundled_dir() -> Path:
    from . import bundled

    return bundled.packs_dir()
