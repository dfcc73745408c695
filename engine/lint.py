"""Semantic checks on rule packs that load: what ``validate`` cannot see because every part is valid.

``lint(book)`` returns located ``Problem``s. Errors are mistakes a pack must not be published
with (a condition that can never hold, two rules that give one situation contradictory effects,
a placeholder source); warnings need a person's judgement (a province rule that repeats a
national one without ``replaces``, dates that have passed, documents no rule asks for).
Loading problems (duplicate rule ids, unknown names) are ``validate``'s and come from RuleBook.load.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import AllOf, Always, AnyOf, Compare, Node, Not, Quantifier, walk
from .errors import Problem, problem
from .facts import BY_NAME
from .packs import Pack, Rule, RuleSet
from .rulebook import RuleBook
from .source import PathKey
from .suggest import closest

# A source that names nothing a reviewer could look up.
PLACEHOLDER_SOURCE = re.compile(
    r"^\s*(todo|tbd|fixme|xxx+|n/?a|none|null|unknown|source|see above|\?+|-+|\.+|待定|待补充|待确认|无|暂无|未知)\s*[.:。]?\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class _Located:
    """A rule with the pack it is written in and its index there, for locating problems."""

    rule: Rule
    pack: Pack
    index: int

    def problem(self, tail: PathKey, message_id: str, *, severity: str, suggestion: str | None = None,
                key: bool = False, **args: Any) -> Problem:
        return self.pack.source.problem(("rules", self.index) + tail, message_id, severity=severity,
                                        suggestion=suggestion, key=key, **args)


def lint(book: RuleBook, *, packs: Iterable[str] | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every lint problem in ``packs`` (default: all packs of the book), errors and warnings, in file order."""
    today = today or dt.date.today()
    wanted = None if packs is None else set(packs)  # once: a generator would be used up by the first key
    selected = [k for k in book.packs if wanted is None or k in wanted]
    located = _locate(book)
    problems: list[Problem] = []
    for key in selected:
        pack = book.packs[key]
        own = [loc for loc in located.values() if loc.pack.id == key]
        for loc in own:
            problems.extend(_never_holds(loc))
            problems.extend(_dates(loc, today))
            problems.extend(_source(loc))
            problems.extend(_raw_keys(loc))
        problems.extend(_pack_level(pack, today))
        problems.extend(_test_names(book, key))
        problems.extend(_overlaps(book, key, located))
        problems.extend(_asked_after_refusal(book, key, located))
    problems.extend(_unused_documents(book, selected, located))
    problems.extend(_approved_tlds_age(today))
    return distinct(problems)


def distinct(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, in file order: the same place and words found twice (a pack reached through
    two books, the engine's own list of top-level domains, which every book's lint looks at) is one."""
    unique = {(p.file, p.line, p.column, p.message): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.message))


def _locate(book: RuleBook) -> dict[tuple[str, str], _Located]:
    """(pack id, rule id) -> the parsed rule and where it is written."""
    out: dict[tuple[str, str], _Located] = {}
    for ruleset in book.rulesets.values():
        for rule in ruleset.rules:
            pack = book.packs[rule.pack]
            if (pack.id, rule.id) not in out:
                out[(pack.id, rule.id)] = _Located(rule, pack, pack.rule_index[rule.id])
    return out


# ---------------------------------------------------------------------------------------------
# Conditions that can never hold


def _conjuncts(node: AllOf) -> Iterator[Node]:
    for child in node.children:
        if isinstance(child, AllOf):
            yield from _conjuncts(child)
        else:
            yield child


def _step(value: Any, by: int = 1) -> Any:
    """The next (or previous) whole number or day: turns strict bounds into inclusive ones."""
    return value + dt.timedelta(days=by) if isinstance(value, dt.date) else value + by


def _contradiction(compares: list[Compare]) -> str | None:
    """Why comparisons on one fact, all required to hold, cannot hold together (None if they can)."""
    if any(c.op == "exists" and c.value is False for c in compares) and any(c.op != "exists" for c in compares):
        return "the fact must be absent and be compared at once"
    low: Any = None
    high: Any = None
    allowed: set[Any] | None = None
    excluded: set[Any] = set()
    for c in compares:
        bound = None
        if c.op == "greater_than":
            bound = ("low", _step(c.value))
        elif c.op == "at_least":
            bound = ("low", c.value)
        elif c.op == "less_than":
            bound = ("high", _step(c.value, -1))
        elif c.op == "at_most":
            bound = ("high", c.value)
        elif c.op == "equals":
            allowed = {c.value} if allowed is None else allowed & {c.value}
        elif c.op == "in":
            allowed = set(c.value) if allowed is None else allowed & set(c.value)
        elif c.op == "not_equals":
            excluded.add(c.value)
        elif c.op == "not_in":
            excluded.update(c.value)
        if bound is not None:
            side, value = bound
            if side == "low":
                low = value if low is None or value > low else low
            else:
                high = value if high is None or value < high else high
    if low is not None and high is not None and low > high:
        return "range"  # the words: engine/messages.py, {why:contradiction}
    if allowed is not None:
        left = {v for v in allowed - excluded
                if not isinstance(v, (int, dt.date)) or isinstance(v, bool)
                or ((low is None or v >= low) and (high is None or v <= high))}
        if not left:
            return "empty"
    fact = BY_NAME.get(compares[0].fact)
    if fact is not None and fact.type == "boolean" and {True, False} <= excluded:
        return "boolean"
    return None


def _words(c: Compare) -> str:
    value = c.value
    if isinstance(value, tuple):
        value = "[" + ", ".join(map(str, value)) + "]"
    elif isinstance(value, bool):
        value = str(value).lower()
    return f"{c.op} {value}"


def _never_holds(loc: _Located) -> Iterator[Problem]:
    for node in walk(loc.rule.when):
        if not isinstance(node, AllOf):
            continue
        by_fact: dict[str, list[Compare]] = {}
        for part in _conjuncts(node):
            if isinstance(part, Compare):
                by_fact.setdefault(part.fact, []).append(part)
        for fact, compares in by_fact.items():
            if len(compares) < 2:
                continue
            why = _contradiction(compares)
            if why:
                yield loc.pack.source.problem(
                    node.path, "lint_never_fires", severity="error", suggestion=None,
                    rule=loc.rule.id, fact=fact, described=[_words(c) for c in compares], why=why)


# ---------------------------------------------------------------------------------------------
# Two rules, one condition


def canonical(node: Node) -> Any:
    """A value equal for conditions that are the same up to order and position in the file."""
    if isinstance(node, Compare):
        value = frozenset(node.value) if isinstance(node.value, tuple) else node.value
        return ("compare", node.fact, node.op, value)
    if isinstance(node, AllOf):
        return canonical(node.children[0]) if len(node.children) == 1 else ("all", frozenset(map(canonical, node.children)))
    if isinstance(node, AnyOf):
        return canonical(node.children[0]) if len(node.children) == 1 else ("any", frozenset(map(canonical, node.children)))
    if isinstance(node, Not):
        return ("not", canonical(node.child))
    if isinstance(node, Quantifier):
        return ("quantifier", node.mode, node.scope, canonical(node.child))
    assert isinstance(node, Always)
    return ("always",)


# An effect of a rule, as a message (engine/messages.py) naming it in the reader's language: a Chinese
# reader reads labels (页脚的备案号类型, 材料“营业执照”), not the YAML keys an English author writes.
Effect = tuple[str, tuple[tuple[str, Any], ...]]


def _named(key: str, names: Mapping[str, str] | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A document or a finding: its id, and its names by language ({x:named})."""
    return (key, tuple(sorted((names or {}).items())))


def _document(ruleset: RuleSet, doc: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    found = ruleset.documents.get(doc)
    return _named(doc, found.name if found else None)


def _finding(ruleset: RuleSet, finding: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return _named(finding, ruleset.findings.get(finding))


def _conflicts(ruleset: RuleSet, a: Rule, b: Rule) -> list[tuple[tuple[Effect, str, str], bool]]:
    """Effects the two rules set differently, as (what, one, other); True marks a contradiction, False
    a difference the engine settles itself (for document limits the tightest wins)."""
    out: list[tuple[tuple[Effect, str, str], bool]] = []
    if a.footer and b.footer:
        for key in sorted(set(a.footer) & set(b.footer)):
            if a.footer[key] != b.footer[key]:
                out.append(((("lint_effect_footer_field", (("name", key),)), str(a.footer[key]), str(b.footer[key])), True))
    if a.timeline and b.timeline:
        for key in sorted(set(a.timeline) & set(b.timeline)):
            if a.timeline[key] != b.timeline[key]:
                out.append(((("lint_effect_timeline_field", (("name", key),)), str(a.timeline[key]), str(b.timeline[key])),
                            True))
    if a.filing_required is not None and b.filing_required is not None and a.filing_required != b.filing_required:
        out.append(((("lint_effect_filing_required", ()), str(a.filing_required), str(b.filing_required)), True))
    severities_b = {f.id: f.severity for f in b.findings}
    for finding in a.findings:
        other = severities_b.get(finding.id)
        if other is not None and other != finding.severity:
            out.append(((("lint_effect_severity", (("finding", _finding(ruleset, finding.id)),)), finding.severity, other),
                        True))
    limits_b = {r.document: r for r in b.require}
    for req in a.require:
        other_req = limits_b.get(req.document)
        if other_req is None:
            continue
        for name in ("max_age_days", "min_validity_days", "max_age_months", "min_validity_months"):
            if getattr(req, name) != getattr(other_req, name):
                what: Effect = ("lint_effect_limit", (("document", _document(ruleset, req.document)), ("name", name)))
                out.append(((what, str(getattr(req, name)), str(getattr(other_req, name))), False))
    return out


def _shared_effects(ruleset: RuleSet, a: Rule, b: Rule) -> list[Effect]:
    out: list[Effect] = [("lint_effect_document", (("document", _document(ruleset, doc)),))
                         for doc in sorted({r.document for r in a.require} & {r.document for r in b.require})]
    out += [("lint_effect_finding", (("finding", _finding(ruleset, f)),))
            for f in sorted({f.id for f in a.findings} & {f.id for f in b.findings})]
    if a.footer and b.footer:
        out.append(("lint_effect_footer", ()))
    if a.timeline and b.timeline:
        out.append(("lint_effect_timeline", ()))
    if a.filing_required is not None and b.filing_required is not None:
        out.append(("lint_effect_filing_required", ()))
    return out


def _overlaps(book: RuleBook, key: str, located: Mapping[tuple[str, str], _Located]) -> Iterator[Problem]:
    """Rules of one province (over the national pack) that share a condition and touch the same effect."""
    ruleset = book.rulesets[key]
    rules = ruleset.rules
    groups: dict[Any, list[Rule]] = {}
    for rule in rules:
        groups.setdefault((rule.for_each, canonical(rule.when)), []).append(rule)
    for group in groups.values():
        for i, first in enumerate(group):
            for second in group[i + 1:]:
                if key not in (first.pack, second.pack):
                    continue  # two national rules: reported once, when linting the national pack
                here = located[(second.pack, second.id)]
                shared = _shared_effects(ruleset, first, second)
                if not shared:
                    continue
                conflicts = _conflicts(ruleset, first, second)
                hint = None
                if first.pack == "national" and second.pack != "national":
                    hint = f"replaces: {first.id}"
                if conflicts:
                    severity = "error" if any(hard for _, hard in conflicts) else "warning"
                    yield here.problem(("id",), "lint_same_condition_other_effect", severity=severity, suggestion=hint,
                                       rule=second.id, other=first.id, pack=first.pack,
                                       conflicts=[t for t, _ in conflicts])
                elif hint:
                    yield here.problem(("id",), "lint_repeats_national", severity="warning", suggestion=hint,
                                       rule=second.id, other=first.id, shared=shared)
                else:
                    yield here.problem(("id",), "lint_repeats", severity="warning", rule=second.id, other=first.id,
                                       shared=shared)


# ---------------------------------------------------------------------------------------------
# A document asked for something a blocking finding refuses

# Findings that refuse the item itself (this domain, this person in this role), whatever the applicant
# brings: a document asked for that same item is a contradiction a reader cannot act on. Findings about
# a fixable state (an expiry, a missing verification) are not among them: the document is still needed.
REFUSALS = frozenset({
    "domain_suffix_not_accepted", "domain_name_not_accepted", "cross_province_not_allowed", "identity_not_accepted",
    "principal_not_legal_representative", "website_manager_is_legal_representative",
    "website_manager_must_be_principal", "person_too_young", "certificate_type_not_accepted",
})


def _plain_conjuncts(node: Node) -> list[Compare] | None:
    """The comparisons a condition is the conjunction of, or None when it is more than that (any, not,
    quantifiers: then whether two rules can fire together is not decided here)."""
    if isinstance(node, Always):
        return []
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, AllOf):
        out: list[Compare] = []
        for part in _conjuncts(node):
            if not isinstance(part, Compare):
                return None
            out.append(part)
        return out
    return None


def _implies(a: list[Compare], b: list[Compare]) -> bool:
    """Whether every comparison of ``b`` is one of ``a``'s: then ``b`` holds whenever ``a`` does."""
    have = {canonical(c) for c in a}
    return all(canonical(c) in have for c in b)


def _asked_after_refusal(book: RuleBook, key: str, located: Mapping[tuple[str, str], _Located]) -> Iterator[Problem]:
    """A document asked for an item (a domain, a person) that a blocking finding refuses, found two ways:
    a rule whose condition holds whenever a refusing rule's does (Tianjin asked for the certificate of
    every domain, a refused .com.hk one included), and the pack's own test cases, which show pairs the
    conditions alone do not (Shanghai refused a principal and asked the same person, as the website
    manager they are by default, for an authorization letter)."""
    rules = book.rulesets[key].rules
    refusing = [(rule, conj) for rule in rules if rule.for_each and any(
        f.severity == "blocking" and f.id in REFUSALS for f in rule.findings)
        for conj in [_plain_conjuncts(rule.when)] if conj is not None]
    seen: set[tuple[str, str]] = set()
    documents = book.rulesets[key].documents
    for asking in rules:
        # The basic certificates belong to a role whoever fills it; a supplementary document is about the item.
        docs = [r.document for r in asking.require if not r.for_subject and documents[r.document].category != "basic"]
        asked = _plain_conjuncts(asking.when)
        if not asking.for_each or not docs or asked is None:
            continue
        for refuser, conj in refusing:
            if refuser.for_each != asking.for_each or refuser.id == asking.id or key not in (refuser.pack, asking.pack):
                continue
            if _implies(conj, asked):
                seen.add((asking.id, refuser.id))
                yield _refusal_problem(located, book.rulesets[key], asking, refuser, docs)
    yield from _refusals_in_cases(book, key, located, seen)


def _refusal_problem(located: Mapping[tuple[str, str], _Located], ruleset: RuleSet, asking: Rule, refuser: Rule,
                     docs: list[str], case: str | None = None) -> Problem:
    finding = next(f.id for f in refuser.findings if f.id in REFUSALS)
    args: dict[str, Any] = {"rule": asking.id, "documents": [_document(ruleset, doc) for doc in docs],
                            "scope": asking.for_each, "other": refuser.id, "pack": refuser.pack,
                            "finding": _finding(ruleset, finding)}
    if case:
        return located[(asking.pack, asking.id)].problem(("id",), "lint_asked_after_refusal_case", severity="error",
                                                         case=case, **args)
    return located[(asking.pack, asking.id)].problem(("id",), "lint_asked_after_refusal", severity="error", **args)


def _refusals_in_cases(book: RuleBook, key: str, located: Mapping[tuple[str, str], _Located],
                       seen: set[tuple[str, str]]) -> Iterator[Problem]:
    from . import packtests
    from .errors import IcpRulesError

    pack = book.packs[key]
    by_id = {rule.id: rule for rule in book.rulesets[key].rules}
    for case in pack.tests:
        try:
            app = packtests.build_application(case, book.rulesets[key])
            result = book.evaluate(app, pack=key, as_of=case.get("as_of"))
        except (IcpRulesError, KeyError, TypeError, ValueError):
            continue  # a broken case is `icp-rules test`'s to report
        refused = {(f.rule, f.ref) for f in result.findings if f.severity == "blocking" and f.id in REFUSALS and f.ref}
        if not refused:
            continue
        for doc in result.required_documents:
            if doc.category == "basic":
                continue
            for kind, ref in doc.targets:
                for reason in doc.reasons:
                    asking = by_id.get(reason.rule)
                    if asking is None or asking.for_each != kind:
                        continue
                    for rule_id, refused_ref in refused:
                        refuser = by_id.get(rule_id)
                        if refuser is None or refuser.for_each != kind or refused_ref != ref:
                            continue
                        if (asking.id, refuser.id) in seen or key not in (asking.pack, refuser.pack):
                            continue
                        seen.add((asking.id, refuser.id))
                        yield _refusal_problem(located, book.rulesets[key], asking, refuser, [doc.id], str(case.get("name")))


# ---------------------------------------------------------------------------------------------
# Dates, sources, unused documents


def _dates(loc: _Located, today: dt.date) -> Iterator[Problem]:
    rule = loc.rule
    if rule.effective_until is not None and rule.effective_until <= today:
        yield loc.problem(("effective_until",), "lint_rule_expired", severity="warning", rule=rule.id,
                          date=str(rule.effective_until))
    if rule.review_by is not None and rule.review_by < today:
        yield loc.problem(("review_by",), "lint_rule_review_due", severity="warning", rule=rule.id,
                          date=str(rule.review_by))


def _source(loc: _Located) -> Iterator[Problem]:
    for i, citation in enumerate(loc.rule.sources):
        if PLACEHOLDER_SOURCE.match(citation.section or "x"):
            yield loc.problem(("sources", i, "section"), "lint_placeholder_section", severity="error",
                              rule=loc.rule.id, source=citation.source.id, section=citation.section)


def _raw_keys(loc: _Located) -> Iterator[Problem]:
    """A placeholder whose fact holds keys (guangdong, broadcasting) that no name is known for would
    print the key itself in a checklist: people read names, never keys."""
    from .facts import BY_NAME, has_labels, shows_keys
    from .packs import LANGUAGES, PLACEHOLDER

    texts: list[tuple[PathKey, Any]] = [(("reason",), loc.rule.reason), (("title",), loc.rule.title)]
    texts += [(("findings", i, "message"), spec.message) for i, spec in enumerate(loc.rule.findings)]
    for path, text in texts:
        for lang in LANGUAGES:
            for name in PLACEHOLDER.findall((text or {}).get(lang, "")):
                fact = BY_NAME.get(name)
                if fact is not None and shows_keys(fact) and not has_labels(fact):
                    yield loc.problem(path + (lang,), "lint_raw_key", severity="error", name=name,
                                      example=fact.values[0] if fact.values else name)


def _pack_level(pack: Pack, today: dt.date) -> Iterator[Problem]:
    if pack.review_by is not None and pack.review_by < today:
        yield pack.source.problem(("review_by",), "lint_pack_review_due", severity="warning", pack=pack.id,
                                  date=str(pack.review_by))
    for source_id, doc in pack.sources.items():
        for name in ("title", "publisher"):
            if PLACEHOLDER_SOURCE.match(getattr(doc, name)):
                yield pack.source.problem(("sources", source_id, name), f"lint_placeholder_source_{name}",
                                          severity="error", source=source_id, value=getattr(doc, name))


_EXPECTED_IDS = {  # expectation -> which catalogue its ids come from
    "documents": "document", "documents_include": "document", "documents_exclude": "document",
    "findings": "finding", "findings_include": "finding", "findings_exclude": "finding",
    "rules_fired": "rule", "rules_not_fired": "base_rule",
}
_EXPECTED_KEYS = {"documents_for": "document", "max_age_days": "document", "min_validity_days": "document",
                  "max_age_months": "document", "min_validity_months": "document"}


def _test_names(book: RuleBook, key: str) -> Iterator[Problem]:
    """Ids a pack's tests expect that do not exist: such a test can never fail (an unknown document is
    never required, so documents_exclude of it always passes), which is worse than failing."""
    ruleset, pack = book.rulesets[key], book.packs[key]
    known = {"document": list(ruleset.documents), "finding": list(ruleset.findings),
             "rule": [r.id for r in ruleset.rules]}
    # Saying a national rule this province replaced or disabled does not fire is a fair test of the pack.
    known["base_rule"] = known["rule"] + [r.id for r in book.rulesets["national"].rules]
    for i, case in enumerate(pack.tests):
        if case.get("base") and case["base"] not in ruleset.fixtures:
            yield pack.source.problem(("tests", i, "base"), "lint_unknown_fixture", severity="error",
                                      suggestion=closest(case["base"], ruleset.fixtures), name=case["base"])
        expect = case.get("expect") or {}
        for name, kind in _EXPECTED_IDS.items():
            for j, ident in enumerate(expect.get(name) or ()):
                if kind == "rule" and ident in known["base_rule"]:
                    if ident not in known["rule"]:
                        yield pack.source.problem(("tests", i, "expect", name, j), "lint_test_rule_gone",
                                                  severity="error", rule=ident, pack=key)
                    continue
                if ident not in known[kind]:
                    yield pack.source.problem(("tests", i, "expect", name, j), f"lint_test_unknown_{kind.replace('base_', '')}",
                                              severity="error", suggestion=closest(ident, known[kind]), name=ident, pack=key)
        for name, kind in _EXPECTED_KEYS.items():
            for ident in expect.get(name) or {}:
                if ident not in known[kind]:
                    yield pack.source.problem(("tests", i, "expect", name, ident), f"lint_test_unknown_{kind}",
                                              key=True, severity="error", suggestion=closest(ident, known[kind]),
                                              name=ident, pack=key)


def _approved_tlds_age(today: dt.date) -> Iterator[Problem]:
    """MIIT approves new top-level domains from time to time: a list not compared with its source for
    a year may refuse domains that are now accepted (or accept withdrawn ones)."""
    from .facts import APPROVED_TLDS_FILE, approved_tlds

    checked = approved_tlds().get("checked_on")
    checked = checked if isinstance(checked, dt.date) else dt.date.fromisoformat(str(checked))
    if checked < _one_year_before(today):
        line = next((n for n, text in enumerate(APPROVED_TLDS_FILE.read_text(encoding="utf-8").splitlines(), 1)
                     if text.startswith("checked_on:")), None)
        url = approved_tlds()["source"]["url"]
        yield problem("lint_approved_tlds_age", file=str(APPROVED_TLDS_FILE), line=line, column=1 if line else None,
                      severity="warning", date=str(checked), url=url)


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _unused_documents(book: RuleBook, selected: list[str], located: Mapping[tuple[str, str], _Located]) -> Iterator[Problem]:
    required = {doc for loc in located.values() for req in loc.rule.require for doc in (req.any_of or (req.document,))}
    for key in selected:
        pack = book.packs[key]
        for doc_id in pack.documents:
            if doc_id not in required:
                yield pack.source.problem(("documents", doc_id), "lint_unused_document", key=True, severity="warning",
                                          document=_named(doc_id, pack.documents[doc_id].name))
