"""Test cases for rule packs: an application (often a fixture plus changes) and what it must give.

Cases live in a pack's ``tests:`` or in case files kept beside the packs (``icp-rules test --cases
DIR``): YAML with ``tests:`` in the same format, and a ``pack:`` (for the file or per case) or
else the application's filing province choosing the rules. ``icp-rules test`` and the pytest
plugin (engine/pytest_plugin.py) both run them through ``run``. A failure shows expected against
actual as a diff, with the rule behind every unexpected document or finding.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from . import pack_schema, provinces
from .errors import IcpRulesError, InputError, PackError, Problem, problem
from .messages import text as message_text
from .packs import RuleSet, describe_errors, most_specific
from .result import Result
from .rulebook import RuleBook
from .source import YAML_SUFFIXES, PathKey, SourceMap, load_file, path_key
from .suggest import closest



@dataclass(frozen=True)
class Case:
    """One test case and where it is written."""

    name: str
    data: Mapping[str, Any]
    pack: str | None  # the pack whose rules and fixtures apply; None: the filing province decides
    index: int
    file: str | None = None
    line: int | None = None
    # the document the case is written in (its pack, or its case file): where its application's
    # problems are located; the case is its ("tests", index)
    source: SourceMap | None = field(default=None, compare=False, repr=False)


# A difference between a case's expectation and its result: a message id of engine.messages and its arguments.
Failure = tuple[str, tuple[tuple[str, Any], ...]]


def _failure(message_id: str, **args: Any) -> Failure:
    return (message_id, tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items()))


@dataclass(frozen=True)
class CaseOutcome:
    pack: str
    name: str
    index: int
    found: tuple[Failure, ...]  # each difference, as a message
    fired: frozenset[str] = frozenset()
    file: str | None = None
    line: int | None = None

    @property
    def passed(self) -> bool:
        return not self.found

    @property
    def failures(self) -> tuple[str, ...]:
        """Each difference in English."""
        return self.failure_texts("en")

    def failure_texts(self, lang: str = "en") -> tuple[str, ...]:
        return tuple(message_text(message_id, lang, args) for message_id, args in self.found)

    def describe(self, lang: str = "en") -> str:
        """The failure as a reader wants it: where the case is, then each difference, in ``lang``."""
        head = f"{self.file}:{self.line}  {self.pack}: {self.name}"
        return "\n".join([head, *("    " + f.replace("\n", "\n    ") for f in self.failure_texts(lang))])


# ---------------------------------------------------------------------------------------------
# Finding cases


def pack_cases(book: RuleBook, packs: Iterable[str] | None = None) -> list[Case]:
    """The cases written inside the book's packs (national first), optionally only some packs."""
    wanted = set(packs) if packs else None
    out = []
    for key in sorted(book.packs, key=lambda k: (k != "national", k)):
        if wanted is not None and key not in wanted:
            continue
        pack = book.packs[key]
        for index, data in enumerate(pack.tests):
            line, _ = pack.source.locate(("tests", index))
            out.append(Case(str(data.get("name")), data, key, index, pack.file, line, pack.source))
    return out


@lru_cache(maxsize=1)
def _case_validator() -> jsonschema.protocols.Validator:
    schema = pack_schema.case_file_schema()
    return jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())


def load_case_file(path: str | Path) -> list[Case]:
    """The cases of one case file; PackError with every located problem if it is malformed."""
    document = load_file(path)
    data, source = document.data, document.source
    if not isinstance(data, dict):
        raise PackError([source.problem((), "case_file_not_mapping")])
    problems = []
    for err in _case_validator().iter_errors(data):
        problems.extend(describe_errors(most_specific(err), source))
    if problems:
        raise PackError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    out = []
    for index, case in enumerate(data["tests"]):
        line, _ = source.locate(("tests", index))
        out.append(Case(case["name"], case, case.get("pack", data.get("pack")), index, str(path), line, source))
    return out


def case_files(target: str | Path) -> list[Path]:
    """A case file itself, or every YAML file under a directory (sorted)."""
    path = Path(target)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    if not path.exists():
        raise InputError([problem("no_cases", file=str(path))])
    return [path]


def load_cases(targets: Iterable[str | Path]) -> list[Case]:
    """Cases from files and directories; every problem of every file is reported together."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for target in targets:
        for file in case_files(target):
            try:
                cases.extend(load_case_file(file))
            except IcpRulesError as exc:
                problems.extend(exc.problems)
    if problems:
        raise PackError(problems)
    return cases


# ---------------------------------------------------------------------------------------------
# Running cases


def deep_merge(base: Any, patch: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced by the patch."""
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        out = dict(base)
        for key, value in patch.items():
            out[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def build_application(case: Mapping[str, Any], ruleset: RuleSet) -> dict[str, Any]:
    base: dict[str, Any] = {}
    if case.get("base"):
        if case["base"] not in ruleset.fixtures:
            raise KeyError(case["base"])
        base = copy.deepcopy(ruleset.fixtures[case["base"]])
    patch = case.get("application") or {}
    application = deep_merge(base, patch)
    # A province's cases file in that province unless they say otherwise, even when the
    # fixture they start from (the national ones name beijing) gives another province.
    if ruleset.key != "national" and "filing_province" not in patch:
        application["filing_province"] = ruleset.key
    return application


def _ruleset_for(book: RuleBook, case: Case) -> RuleSet:
    """The pack named by the case, else the one of the province the application is filed in."""
    if case.pack is not None:
        if case.pack not in book.rulesets:
            if case.pack in provinces.BY_KEY:  # a province without a pack of its own
                return book.rulesets["national"]
            raise KeyError(case.pack)
        return book.rulesets[case.pack]
    national = book.rulesets["national"]
    fixture = national.fixtures.get(case.data.get("base") or "", {})
    province = provinces.resolve((case.data.get("application") or {}).get("filing_province", fixture.get("filing_province")))
    return book.ruleset(province) if province is not None else national


def _diff_ids(label: str, expected: list[str], actual: list[str], why: Mapping[str, Failure]) -> list[Failure]:
    """Expected against actual ids as a diff: '-' expected only, '+' actual only (with the rule
    behind it, a message: worded in the reader's language)."""
    if Counter(expected) == Counter(actual):
        return []
    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    lines: list[Failure] = []
    for ident in sorted(set(expected) | set(actual)):
        common = min(Counter(expected)[ident], Counter(actual)[ident])
        lines += [_failure("case_diff_line", mark=" ", id=ident, why=None)] * common
        lines += [_failure("case_diff_line", mark="-", id=ident, why=None)] * missing[ident]
        lines += [_failure("case_diff_line", mark="+", id=ident, why=why.get(ident))] * extra[ident]
    return [_failure("case_ids_differ", label=label, lines=lines)]


def check_expectations(expect: Mapping[str, Any], data: Mapping[str, Any], fired: set[str]) -> list[Failure]:
    failures: list[Failure] = []
    doc_ids = [d["id"] for d in data["required_documents"]]
    unique_docs = list(dict.fromkeys(doc_ids))
    doc_rules = {d["id"]: ", ".join(dict.fromkeys(r["rule"] for r in d["reasons"])) for d in data["required_documents"]}
    finding_ids = [f["id"] for f in data["findings"]]
    finding_rules = {f["id"]: f["rule"] for f in data["findings"]}
    if "documents" in expect:
        failures += _diff_ids("documents", list(expect["documents"]), unique_docs,
                              {k: _failure("case_required_by", rules=v) for k, v in doc_rules.items()})
    for doc in expect.get("documents_include", ()):
        if doc not in doc_ids:
            failures.append(_failure("case_document_missing", name=doc, found=unique_docs))
    for doc in expect.get("documents_exclude", ()):
        if doc in doc_ids:
            failures.append(_failure("case_document_unexpected", name=doc, rules=doc_rules[doc]))
    for doc, refs in (expect.get("documents_for") or {}).items():
        actual = [t["ref"] for d in data["required_documents"] if d["id"] == doc for t in d["for"]]
        failures += _diff_ids(f"documents_for {doc}", [str(r) for r in refs], actual, {})
    if "findings" in expect:
        failures += _diff_ids("findings", list(expect["findings"]), finding_ids,
                              {k: _failure("case_raised_by", rule=v) for k, v in finding_rules.items()})
    for fid in expect.get("findings_include", ()):
        if fid not in finding_ids:
            failures.append(_failure("case_finding_missing", name=fid, found=finding_ids))
    for fid in expect.get("findings_exclude", ()):
        if fid in finding_ids:
            failures.append(_failure("case_finding_unexpected", name=fid, rule=finding_rules[fid]))
    for rule in expect.get("rules_fired", ()):
        if rule not in fired:
            failures.append(_failure("case_rule_not_fired", rule=rule, fired=sorted(fired)))
    for rule in expect.get("rules_not_fired", ()):
        if rule in fired:
            failures.append(_failure("case_rule_fired", rule=rule))
    if "filing_required" in expect and expect["filing_required"] != data["filing_required"]:
        failures.append(_failure("case_value_differs", name="filing_required", expected=str(expect["filing_required"]),
                                 actual=str(data["filing_required"])))
    if "blocking" in expect:
        blocking = [f["id"] for f in data["findings"] if f["severity"] == "blocking"]
        if expect["blocking"] != bool(blocking):
            failures.append(_failure("case_value_differs", name="blocking", expected=str(expect["blocking"]),
                                     actual=f"{bool(blocking)}" + (f" ({', '.join(blocking)})" if blocking else "")))
    for key, value in (expect.get("footer") or {}).items():
        if data["footer"][key] != value:
            failures.append(_failure("case_value_differs", name=f"footer.{key}", expected=str(value),
                                     actual=str(data["footer"][key])))
    for field in ("max_age_days", "min_validity_days", "max_age_months", "min_validity_months"):
        for doc, limit in (expect.get(field) or {}).items():
            actual = [d.get(field) for d in data["required_documents"] if d["id"] == doc]
            if actual != [limit] * max(len(actual), 1):
                failures.append(_failure("case_limit_differs", name=f"{field} {doc}", expected=str(limit), actual=str(actual))
                                if actual else _failure("case_limit_not_required", name=f"{field} {doc}", expected=str(limit)))
    return failures


def _walk(data: Any, path: PathKey) -> tuple[int, Any]:
    """How many steps of ``path`` ``data`` holds, and the value reached there."""
    for depth, part in enumerate(path):
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return depth, data
    return len(path), data


def _fixture_source(case: Case, ruleset: RuleSet) -> tuple[SourceMap, Any] | None:
    """Where the fixture a case starts from is written (the province's own over the national one)."""
    name = case.data.get("base")
    for pack in reversed(ruleset.packs):
        fixtures = pack.raw.get("fixtures") or {}
        if name and name in fixtures:
            return pack.source, fixtures[name]
    return None


def locate_in_case(problem: Problem, case: Case, ruleset: RuleSet) -> Problem:
    """An application problem of a case, located where that part of its application is written:
    in the case's ``application:`` when it sets it, else in the fixture it starts from (``base:``),
    else at the case; not as ``<input>``, which names no file a pack author can open."""
    if problem.file is not None or problem.line is not None or case.source is None:
        return problem
    where = path_key(problem.path or "$")
    patch = case.data.get("application")
    depth, reached = _walk(patch if patch is not None else {}, where)
    source, located = case.source, ("tests", case.index)
    if patch is not None:
        located = (*located, "application", *where[:depth])
    # where the patch leaves a mapping's other keys to the fixture (a list or a value replaces it whole)
    fixture = _fixture_source(case, ruleset) if depth < len(where) and isinstance(reached, Mapping) else None
    if fixture is not None:
        fixture_depth, fixture_reached = _walk(fixture[1], where)
        if fixture_depth > depth:
            reached = fixture_reached
            source, located = fixture[0], ("fixtures", case.data["base"], *where[:fixture_depth])
    # a value by its own position; a mapping or a list (what lacks a field, or holds the part not
    # written) by its key, the line that names it
    line, column = source.locate(located, key=isinstance(reached, (Mapping, list)))
    return dataclasses.replace(problem, file=source.file, line=line, column=column)


Observer = Callable[[Result], None]


def run(book: RuleBook, case: Case, observe: Observer | None = None) -> CaseOutcome:
    """Evaluate one case and compare the result with what it expects; ``observe`` (condition
    coverage) is shown each result the case evaluated."""

    def outcome(pack: str, *failures: Failure, fired: frozenset[str] = frozenset()) -> CaseOutcome:
        return CaseOutcome(pack, case.name, case.index, tuple(failures), fired, case.file, case.line)

    try:
        ruleset = _ruleset_for(book, case)
    except KeyError as exc:
        hint = closest(exc.args[0], book.rulesets)
        return outcome(str(case.pack), _failure("case_no_pack_hint" if hint else "case_no_pack", name=exc.args[0],
                                                directory=str(book.directory), suggestion=hint))
    try:
        application = build_application(case.data, ruleset)
    except KeyError as exc:
        # the name itself, not str(KeyError), which is its repr: 'x' in ASCII quotes in a Chinese line
        name = str(exc.args[0]) if exc.args else str(exc)
        return outcome(ruleset.key, _failure("case_unknown_fixture", name=name, known=sorted(ruleset.fixtures)))
    as_of = dt.date.fromisoformat(str(case.data["as_of"])) if case.data.get("as_of") else None
    try:
        # The national pack's cases test the base rules alone, whichever province their fixture names.
        result = book.evaluate(application, as_of=as_of, pack="national" if ruleset.key == "national" else None)
    except IcpRulesError as exc:
        return outcome(ruleset.key, _failure("case_invalid_application",
                                             problems=tuple(locate_in_case(p, case, ruleset) for p in exc.problems)))
    if case.pack is not None and result.ruleset.key != ruleset.key:
        return outcome(ruleset.key, _failure("case_other_pack", used=result.ruleset.key, pack=ruleset.key))
    if observe is not None:
        observe(result)
    fired = {f.rule for f in result.fired}
    failures = check_expectations(case.data["expect"], result.to_dict("zh"), fired)
    return outcome(ruleset.key, *failures, fired=frozenset(fired))


def iter_cases(book: RuleBook, packs: list[str] | None = None) -> Iterator[tuple[RuleSet, int, Mapping[str, Any]]]:
    for case in pack_cases(book, packs):
        yield book.rulesets[case.pack or "national"], case.index, case.data


def run_all(book: RuleBook, packs: list[str] | None = None, extra: Iterable[Case] = (),
            observe: Observer | None = None) -> list[CaseOutcome]:
    """Every pack case (of ``packs``, default all) and then the ``extra`` cases (from case files)."""
    keys = book.pack_keys(packs) if packs else None
    return [run(book, case, observe) for case in [*pack_cases(book, keys), *extra]]


def uncovered_rules(book: RuleBook, outcomes: list[CaseOutcome]) -> list[tuple[str, str]]:
    """(pack, rule id) of every rule that no test case fires."""
    fired_by_pack: dict[str, set[str]] = {}
    for outcome in outcomes:
        fired_by_pack.setdefault(outcome.pack, set()).update(outcome.fired)
    everything = set().union(*fired_by_pack.values()) if fired_by_pack else set()
    out = []
    for key, pack in book.packs.items():
        for raw in pack.raw.get("rules") or []:
            # A national rule counts as covered when any pack's test fires it.
            fired = everything if key == "national" else fired_by_pack.get(key, set())
            if raw["id"] not in fired:
                out.append((key, raw["id"]))
    return sorted(out)
