"""The library's front door: a ``RuleBook`` holds every pack, checked and compiled, ready to evaluate.

A RuleBook is immutable once loaded; its rules are compiled code and closures over plain data, and each
evaluation builds its own facts and result, so one RuleBook may serve many threads at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from . import application as application_module
from . import bundled, provinces
from .errors import InputError, PackError, Problem, UnknownProvinceError, problem
from .evaluate import Matcher, evaluate, match_rules
from .packs import Pack, RuleSet, load_pack, merge
from .result import Result
from .suggest import closest

if TYPE_CHECKING:
    from .explain import Explanation


# What ``evaluate`` accepts: a mapping, a path to a JSON/YAML file, or an already checked Application.
ApplicationSource = Union[Mapping[str, Any], str, "PathLike[str]", application_module.Application]

BACKENDS = ("python", "durable")


@dataclass(frozen=True)
class RuleBook:
    directory: Path
    packs: Mapping[str, Pack]
    rulesets: Mapping[str, RuleSet]
    backend: str = "python"
    matcher: Matcher = match_rules

    @classmethod
    def load(cls, packs_dir: str | Path | None = None, *, only: list[str] | None = None,
             backend: str = "python", public_key: Any = None) -> "RuleBook":
        """Load and check ``packs_dir`` (default: the bundled packs). Raises PackError with every problem.

        ``backend`` chooses what decides which rules fire: "python" (generated Python code, engine/codegen.py) is the
        reference; "durable" compiles the same conditions into durable_rules (docs/backends.md) and
        needs the optional extra ``icp-rulepacks[durable]``.

        ``packs_dir`` may also be a signed bundle (``icp-rules bundle build``) with ``public_key``
        (a PEM file, PEM bytes or an Ed25519 public key): its packs are read only after the
        signature and every digest verify, else BundleError (an InputError) says what is wrong.
        """
        if backend not in BACKENDS:
            raise InputError([problem("unknown_backend", value=backend, options=BACKENDS,
                                      suggestion=closest(backend, BACKENDS))])
        directory = Path(packs_dir) if packs_dir is not None else bundled.packs_dir()
        sources: list[tuple[str, str, bytes | None]]  # (stem, file, content or None: read the file)
        if public_key is not None or directory.is_file():
            if public_key is None:
                raise InputError([problem("bundle_needs_key", file=str(directory))])
            from .bundle import verify  # only bundles need the signature check (and cryptography)

            verified = verify(directory, public_key)
            sources = [(Path(name).stem, verified.name(f"rulepacks/{name}"), data)
                       for name, data in sorted(verified.packs().items()) if name.endswith(".yaml")]
        else:
            if not directory.is_dir():
                raise PackError([problem("no_packs_directory", file=str(directory))])
            if not (directory / "national.yaml").exists():
                raise PackError([problem("no_national_pack", file=str(directory))])
            sources = [(file.stem, str(file), None) for file in sorted(directory.glob("*.yaml"))]
        problems: list[Problem] = []
        packs: dict[str, Pack] = {}
        for stem, file, content in sources:
            if only is not None and stem not in only and stem != "national":
                continue
            try:
                pack = load_pack(file, content)
            except PackError as exc:
                problems.extend(exc.problems)
                continue
            packs[pack.id] = pack
        rulesets: dict[str, RuleSet] = {}
        base = packs.get("national")
        if base is not None:
            overlays: list[tuple[str, Pack | None]] = [("national", None)]
            overlays += [(k, p) for k, p in packs.items() if k != "national"]
            for key, overlay in overlays:
                try:
                    rulesets[key] = merge(base, overlay)
                except PackError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
        if problems:
            raise PackError(problems)
        return cls.from_rulesets(directory, rulesets, backend=backend)

    @classmethod
    def from_rulesets(cls, directory: str | Path, rulesets: Mapping[str, RuleSet], *,
                      backend: str = "python") -> "RuleBook":
        """A book of rule sets already merged and checked (``rulesets["national"]`` is required).

        ``engine.live`` builds one this way when a reload keeps some provinces' last good rule sets
        beside newly loaded ones; each pack in ``packs`` is the one its province's rule set uses.
        """
        if "national" not in rulesets:
            raise PackError([problem("no_national_pack", file=str(directory))])
        matcher: Matcher = match_rules
        if backend == "durable":
            from .durable_backend import DurableMatcher  # optional dependency: only when asked for

            matcher = DurableMatcher(rulesets)
        packs = {key: ruleset.pack for key, ruleset in rulesets.items()}
        return cls(Path(directory), MappingProxyType(packs), MappingProxyType(dict(rulesets)), backend, matcher)

    def ruleset(self, province: str | provinces.Province) -> RuleSet:
        """The rules for a province, in any spelling (its pack over the national pack, or the national
        pack alone where the book has no pack for it). Raises UnknownProvinceError for other names."""
        found = province.key if isinstance(province, provinces.Province) else provinces.pack_key(province)
        if found is None:
            raise UnknownProvinceError([problem("unknown_province", value=province, suggestion=provinces.suggest(province))])
        return self.rulesets.get(found) or self.rulesets["national"]

    def province_rows(self) -> list[dict[str, Any]]:
        """Every province (SPEC §2) with its English name and the pack that applies to it."""
        return [dict(p.to_dict(), english=p.english, pack=p.key if p.key in self.packs else "national")
                for p in provinces.PROVINCES]

    def pack_keys(self, names: Iterable[str]) -> list[str]:
        """The packs of this book that ``names`` mean (keys, codes, 粤, 广东 …), or InputError naming each
        name that means none of them, with the closest pack."""
        keys: list[str] = []
        problems = []
        for name in names:
            key = provinces.pack_key(name)
            if key is not None and key in self.packs:
                keys.append(key)
            else:  # suggest from the directory too: a book loaded with only= holds fewer packs
                known = {*self.packs, *(f.stem for f in self.directory.glob("*.yaml"))}
                problems.append(problem("no_pack_named", value=name, file=str(self.directory),
                                        suggestion=closest(name, sorted(known))))
        if problems:
            raise InputError(problems)
        return keys

    def evaluate(self, application: ApplicationSource, *, as_of: dt.date | str | None = None, pack: str | None = None,
                 max_bytes: int | None = None) -> Result:
        """Evaluate an application (a mapping, a path to a JSON/YAML file, or a checked Application).

        ``pack`` evaluates under that pack instead of the filing province's (``"national"``: the base
        rules alone, as the national pack's own test cases do). ``max_bytes`` limits the size of an
        application file (default: ``ICP_RULES_MAX_BYTES``, else 1 MiB).
        """
        app = application_module.load(application, max_bytes=max_bytes)
        on = application_module.as_of_date(as_of) or app.submitted_on or dt.date.today()
        ruleset = self.rulesets[self.pack_keys([pack])[0]] if pack is not None else self.ruleset(app.province)
        return evaluate(ruleset, app, on, self.matcher)

    @cached_property  # the book never changes; the service's health endpoint asks on every call
    def digest(self) -> str:
        """One digest over every pack in the book, e.g. for a service's health endpoint."""
        import hashlib

        return hashlib.sha256(b"".join(self.packs[k].content for k in sorted(self.packs))).hexdigest()

    def explain(self, application: Any, *, rule: str | None = None, as_of: dt.date | str | None = None) -> Explanation:
        """Why each rule (or ``rule``) did or did not fire for ``application``, with the actual values."""
        from .explain import explain  # explain is for authors: keep it off the check path's start-up

        return explain(self, application, rule=rule, as_of=as_of)
