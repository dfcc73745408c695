"""Test cases that live inside packs: an application (often a fixture plus changes) and what it must give.

``icp-rules test`` and the pytest plugin (tests/conftest.py) both run them through ``run_case``.
A failure says what was expected and what came out, side by side.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import IcpRulesError, PackError
from .packs import RuleSet
from .rulebook import RuleBook


@dataclass(frozen=True)
class CaseOutcome:
    pack: str
    name: str
    index: int
    failures: tuple[str, ...]
    fired: frozenset[str] = frozenset()
    file: str | None = None
    line: int | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


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


def _ids_exact(label: str, expected: list[str], actual: list[str]) -> list[str]:
    if Counter(expected) == Counter(actual):
        return []
    missing = sorted((Counter(expected) - Counter(actual)).elements())
    extra = sorted((Counter(actual) - Counter(expected)).elements())
    lines = [f"{label}: expected {sorted(expected)}", f"{' ' * len(label)}  actual   {sorted(actual)}"]
    if missing:
        lines.append(f"{' ' * len(label)}  - missing: {', '.join(missing)}")
    if extra:
        lines.append(f"{' ' * len(label)}  + unexpected: {', '.join(extra)}")
    return ["\n".join(lines)]


def check_expectations(expect: Mapping[str, Any], data: Mapping[str, Any], fired: set[str]) -> list[str]:
    failures: list[str] = []
    doc_ids = [d["id"] for d in data["required_documents"]]
    unique_docs = list(dict.fromkeys(doc_ids))
    finding_ids = [f["id"] for f in data["findings"]]
    if "documents" in expect:
        failures += _ids_exact("documents", list(expect["documents"]), unique_docs)
    for doc in expect.get("documents_include", ()):
        if doc not in doc_ids:
            failures.append(f"documents: expected {doc} to be required; required: {unique_docs}")
    for doc in expect.get("documents_exclude", ()):
        if doc in doc_ids:
            failures.append(f"documents: expected {doc} not to be required, but it is")
    for doc, refs in (expect.get("documents_for") or {}).items():
        actual = [t["ref"] for d in data["required_documents"] if d["id"] == doc for t in d["for"]]
        if sorted(map(str, refs)) != sorted(actual):
            failures.append(f"documents_for {doc}: expected {sorted(map(str, refs))}, actual {sorted(actual)}")
    if "findings" in expect:
        failures += _ids_exact("findings", list(expect["findings"]), finding_ids)
    for fid in expect.get("findings_include", ()):
        if fid not in finding_ids:
            failures.append(f"findings: expected {fid}; found {finding_ids}")
    for fid in expect.get("findings_exclude", ()):
        if fid in finding_ids:
            failures.append(f"findings: expected no {fid}, but it was found")
    for rule in expect.get("rules_fired", ()):
        if rule not in fired:
            failures.append(f"rules: expected {rule} to fire; fired: {sorted(fired)}")
    for rule in expect.get("rules_not_fired", ()):
        if rule in fired:
            failures.append(f"rules: expected {rule} not to fire, but it did")
    if "filing_required" in expect and expect["filing_required"] != data["filing_required"]:
        failures.append(f"filing_required: expected {expect['filing_required']}, actual {data['filing_required']}")
    if "blocking" in expect:
        blocking = any(f["severity"] == "blocking" for f in data["findings"])
        if expect["blocking"] != blocking:
            failures.append(f"blocking: expected {expect['blocking']}, actual {blocking}")
    for key, value in (expect.get("footer") or {}).items():
        if data["footer"][key] != value:
            failures.append(f"footer.{key}: expected {value}, actual {data['footer'][key]}")
    for field in ("max_age_days", "min_validity_days"):
        for doc, limit in (expect.get(field) or {}).items():
            actual = [d.get(field) for d in data["required_documents"] if d["id"] == doc]
            if actual != [limit] * max(len(actual), 1):
                failures.append(f"{field} {doc}: expected {limit}, actual {actual or 'not required'}")
    return failures


def run_case(book: RuleBook, ruleset: RuleSet, index: int, case: Mapping[str, Any]) -> CaseOutcome:
    pack = ruleset.pack
    line, _ = pack.source.locate(("tests", index))
    where = {"pack": pack.id, "name": str(case.get("name")), "index": index, "file": pack.file, "line": line}
    try:
        application = build_application(case, ruleset)
    except KeyError as exc:
        return CaseOutcome(failures=(f"unknown fixture {exc}; known: {sorted(ruleset.fixtures)}",), **where)
    as_of = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else None
    try:
        # The national pack's cases test the base rules alone, whichever province their fixture names.
        result = book.evaluate(application, as_of=as_of, pack="national" if ruleset.key == "national" else None)
    except IcpRulesError as exc:
        if "error" in case.get("expect", {}):  # pragma: no cover - reserved for error cases
            return CaseOutcome(failures=(), **where)
        return CaseOutcome(failures=(f"the test application is invalid:\n{exc.format_message()}",), **where)
    if result.ruleset.key != ruleset.key:
        return CaseOutcome(failures=(f"the application was evaluated in {result.ruleset.key}, not {ruleset.key}",), **where)
    fired = {f.rule for f in result.fired}
    failures = check_expectations(case["expect"], result.to_dict("zh"), fired)
    return CaseOutcome(failures=tuple(failures), fired=frozenset(fired), **where)


def iter_cases(book: RuleBook, packs: list[str] | None = None) -> Iterator[tuple[RuleSet, int, Mapping[str, Any]]]:
    for key in sorted(book.packs, key=lambda k: (k != "national", k)):
        if packs and key not in packs:
            continue
        ruleset = book.rulesets[key]
        for index, case in enumerate(ruleset.pack.tests):
            yield ruleset, index, case


def run_all(book: RuleBook, packs: list[str] | None = None) -> list[CaseOutcome]:
    unknown = [p for p in packs or () if p not in book.packs]
    if unknown:
        raise PackError.single(f"no pack named {', '.join(unknown)}")  # type: ignore[return-value]
    return [run_case(book, ruleset, index, case) for ruleset, index, case in iter_cases(book, packs)]


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
