"""Step 5: run a province's rules over an application's facts and gather the result.

Rules are tried in pack order. A rule with ``for_each`` is tried once per item of that kind.
A ``Plan`` per rule set makes this cheap without changing the outcome: the rules in force are
worked out once per period between effective dates, and written as one generated Python function
per period (engine/codegen.py: application facts read once, the application's part of an item
rule tested once, no merged copy of the facts per item). The closures and the guard index
(``match_by_closures``) decide the same and are what a node the generator does not know falls
back to. Effects of the rules that fired are then combined: documents required by several rules become
one entry with every reason; the tightest age and validity limits win; documents already on
hand are checked against those limits; the footer and timeline take the last rule that set them.
A rule that says ``filing_required: false`` empties the checklist.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Protocol

from . import codegen
from . import facts as facts_module
from . import timeline
from .application import Application
from .conditions import AllOf, Always, AnyOf, Compare, Node, Not, Quantifier, item_contexts, walk
from .facts import BY_NAME
from .packs import PLACEHOLDER, FindingSpec, Requirement, Rule, RuleSet, Text
from .result import (CATEGORY_ORDER, SEVERITY_ORDER, Advice, AppNumber, Finding, Footer, FooterNumber, Reason, RequiredDocument,
                     Result)

Context = Mapping[str, Any]


def _show(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value)) if lang == "zh" else ", ".join(map(str, value))
    return str(value)


class Template:
    """A pack text with {fact.name} placeholders, split once into literal and fact parts per language.

    A placeholder of a fact whose values are keys (provinces, subject types, content categories, …)
    shows the value's name in the reader's language (``facts.label``), never the key."""

    __slots__ = ("parts", "facts", "categories", "documents")

    def __init__(self, text: Text, categories: "facts_module.Names | None" = None,
                 documents: "facts_module.Names | None" = None):
        self.categories, self.documents = categories, documents
        # PLACEHOLDER has one group, so split() alternates literal, fact name, literal, …
        split = {lang: PLACEHOLDER.split(body) for lang, body in text.items()}
        self.facts = tuple(dict.fromkeys(name for parts in split.values() for name in parts[1::2]))
        position = {name: i for i, name in enumerate(self.facts)}
        # per language: the literals, and for each gap between two of them the fact's position in facts
        self.parts = {lang: (tuple(parts[0::2]), tuple(position[name] for name in parts[1::2]))
                      for lang, parts in split.items()}

    def fill(self, ctx: Context) -> "FilledText":
        return FilledText(self, tuple(map(ctx.get, self.facts)))


def template(text: Text, categories: "facts_module.Names | None" = None,
             documents: "facts_module.Names | None" = None) -> "Text | Template":
    """The text itself when it has no placeholder (most have none), else its Template."""
    if any(PLACEHOLDER.search(body) for body in text.values()):
        return Template(text, categories, documents)
    return text


class FilledText(Mapping[str, str]):
    """A template's text for one context, filled language by language on first use.

    Evaluation records only the values the placeholders read; a result rendered in Chinese never
    fills the English text. Two filled texts of one template with equal values are equal texts.
    """

    __slots__ = ("template", "inputs", "_filled")

    def __init__(self, template: Template, inputs: tuple[Any, ...]):
        self.template, self.inputs = template, inputs  # inputs: the value of each of template.facts
        # the texts filled so far, by language: made on the first fill (most results are only
        # written out once, in one language, and many reasons are never shown at all)
        self._filled: dict[str, str] | None = None

    def __getitem__(self, lang: str) -> str:
        filled = self._filled
        if filled is None:
            filled = self._filled = {}
        out = filled.get(lang)
        if out is None:
            template = self.template
            literals, positions = template.parts[lang]
            pieces = [literals[0]]
            for literal, position in zip(literals[1:], positions):
                value = facts_module.label(template.facts[position], self.inputs[position], lang,
                                           template.categories, template.documents)
                pieces.append(_show(value, lang))
                pieces.append(literal)
            out = filled[lang] = "".join(pieces)  # the same string whichever thread fills it first
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self.template.parts)

    def __len__(self) -> int:
        return len(self.template.parts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FilledText) and other.template is self.template:
            return other.inputs == self.inputs
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # like the dicts it stands for

    def __repr__(self) -> str:
        return repr(dict(self))


def _engine_text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


Fired = tuple[Rule, Context, str, "str | None"]  # rule, context it fired in, target kind, item ref


class Matcher(Protocol):
    """Decides which rules fire for which items. ``match_rules`` (generated code, checked against
    the closures) is the reference; another
    backend (e.g. a Rete engine) may be plugged in here and must give the same answer. The facts
    it is given are those the rule set reads (``Plan.needs``): every fact its conditions compare."""

    def __call__(self, ruleset: RuleSet, facts: facts_module.Facts, as_of: dt.date) -> list[Fired]: ...


@dataclass(frozen=True)
class Effects:
    """What a rule does when it fires, prepared once: texts split, document categories looked up."""

    reason: "Reason | Template | None"  # the same Reason every time, or the template to fill per firing
    requirements: tuple[tuple[Requirement, str], ...]  # with the document's category
    findings: tuple[tuple[FindingSpec, "Text | Template"], ...]
    advice: "Text | Template | None" = None


Step = tuple[Rule, "Callable[[Context], bool | None]", "str | None", str]  # rule, predicate, scope, its ref fact ("" without scope)


def _guards(rule: Rule) -> tuple[dict[str, frozenset[Any]], Node]:
    """A rule's guards and the rest of its condition.

    A guard is a part of the rule's top-level ``all`` (or its whole condition) that compares an
    application fact with ``equals`` or ``in``: the rule can fire only when that fact has one of
    the guard's values. Returns the values each guarded fact must take, and the condition that
    remains to be tested once every guard holds (under three-valued logic too: ``all`` is true
    exactly when each of its parts is).
    """
    parts = rule.when.children if isinstance(rule.when, AllOf) else (rule.when,)
    allowed: dict[str, frozenset[Any]] = {}
    rest: list[Node] = []
    for part in parts:
        fact = BY_NAME.get(part.fact) if isinstance(part, Compare) else None
        if isinstance(part, Compare) and part.op in ("equals", "in") and fact is not None \
                and fact.scope == "application" and fact.type != "list":
            values = frozenset((part.value,) if part.op == "equals" else part.value)
            allowed[part.fact] = allowed[part.fact] & values if part.fact in allowed else values
        else:
            rest.append(part)
    if not allowed:
        return {}, rule.when
    remaining: Node = rest[0] if len(rest) == 1 else AllOf(rule.when.path, tuple(rest)) if rest else Always(rule.when.path)
    return allowed, remaining


class Period:
    """The rules in force between two effective dates, indexed by their guards.

    Most rules apply to one kind of subject, filing or service: a rule for law firms is never
    tried for a company. ``steps(ctx)`` looks up the value of each guarded fact once and gives
    only the rules whose guards all hold, each with the predicate of the rest of its condition.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._match: codegen.Match | None = None

    @cached_property
    def _index(self) -> tuple[tuple[tuple[str, dict[Any, int], int], ...], tuple[Step, ...]]:
        # Built on first use: evaluation runs the generated code (``match``); the index serves
        # ``match_by_closures``, which the tests and a fallback compare against.
        rules = self.rules
        tables: dict[str, dict[Any, int]] = {}
        unguarded: dict[str, int] = {}
        found = [_guards(rule) for rule in rules]
        for fact in dict.fromkeys(fact for allowed, _ in found for fact in allowed):
            unguarded[fact] = sum(1 << i for i, (allowed, _) in enumerate(found) if fact not in allowed)
            table: dict[Any, int] = {}
            for i, (allowed, _) in enumerate(found):
                for value in allowed.get(fact, ()):
                    table[value] = table.get(value, unguarded[fact]) | 1 << i
            tables[fact] = table
        guards = tuple((fact, tables[fact], unguarded[fact]) for fact in tables)
        candidates: tuple[Step, ...] = tuple(
            (rule, rest.compile() if allowed else rule.predicate, rule.for_each,
             facts_module.REF_FACT.get(rule.for_each or "", ""))
            for rule, (allowed, rest) in zip(rules, found))
        return guards, candidates

    @property
    def guards(self) -> tuple[tuple[str, dict[Any, int], int], ...]:
        """Per guarded fact: the table from its value to the rules it lets through, and the rules it does not guard."""
        return self._index[0]

    @property
    def candidates(self) -> tuple[Step, ...]:
        return self._index[1]

    @cached_property
    def _selected(self) -> dict[int, tuple[Step, ...]]:
        return {}

    @property
    def match(self) -> codegen.Match:
        """The generated function that decides which of these rules fire (engine/codegen.py),
        made on first use: ``match(ctx, facts)`` with ``ctx`` from ``facts.context()``."""
        found = self._match
        if found is None:
            found = self._match = codegen.build(self.rules)[0]
        return found

    def steps(self, ctx: Context) -> tuple[Step, ...]:
        mask = (1 << len(self.rules)) - 1
        for fact, table, unguarded in self.guards:
            # an absent fact (None) holds no guard's value: only the rules it does not guard remain
            mask &= table.get(ctx.get(fact), unguarded)
        selected = self._selected.get(mask)
        if selected is None:
            selected = tuple(step for i, step in enumerate(self.candidates) if mask >> i & 1)
            if len(self._selected) < 4096:  # guard values combine into few masks; bound it anyway
                self._selected[mask] = selected
        return selected


class Plan:
    """A rule set prepared for evaluation.

    Rules come and go only on their effective dates, so the rules in force are worked out once per
    period between two such dates (a ``Period``) rather than once per rule per evaluation; each
    rule's effects are prepared once.
    """

    def __init__(self, ruleset: RuleSet):
        self.rules = ruleset.rules
        self.boundaries = sorted({day for rule in ruleset.rules
                                  for day in (rule.effective_from, rule.effective_until) if day is not None})
        self._periods: dict[int, Period] = {}
        self.effects: dict[str, Effects] = {}
        categories = ruleset.categories
        documents = {doc_id: doc.name for doc_id, doc in ruleset.documents.items()}
        for rule in ruleset.rules:
            reason = None
            if rule.require:
                text = template(rule.reason or rule.title, categories, documents)
                reason = text if isinstance(text, Template) else Reason(rule.id, text, rule.source)
            self.effects[rule.id] = Effects(
                reason,
                tuple((req, ruleset.documents[req.document].category) for req in rule.require),
                tuple((spec, template(spec.message, categories, documents)) for spec in rule.findings),
                template(rule.advice, categories, documents) if rule.advice else None)
        self.needs = _needs(ruleset, self.effects.values())

    def period(self, on: dt.date) -> Period:
        """The rules in force on ``on``, in pack order."""
        index = bisect_right(self.boundaries, on)
        found = self._periods.get(index)
        if found is None:
            # every day of a period has the same rules in force: decide with its first day
            first = self.boundaries[index - 1] if index else on
            found = self._periods[index] = Period([rule for rule in self.rules if rule.in_force(first)])
        return found


# Facts every evaluation reads whatever its rules: the subject's name and the submission date
# (combining), and each document on hand (measured against the limits the rules set).
ENGINE_READS = frozenset({"subject.name", "filing.submitted_on", "document.id", "document.for_kind", "document.for",
                          "document.age_days", "document.age_months", "document.days_until_expiry",
                          "document.months_until_expiry"})
_READABLE_NODES = (Always, Compare, AllOf, AnyOf, Not, Quantifier)


def _needs(ruleset: RuleSet, effects: "Iterable[Effects]") -> "frozenset[str] | None":
    """The facts an evaluation under ``ruleset`` reads: those its conditions compare, the facts that
    name the items its rules fire for, its messages' placeholders, and what combining reads
    (``ENGINE_READS``). None (derive every fact) when a condition holds a node whose facts this
    cannot list."""
    needs = set(ENGINE_READS)
    for rule in ruleset.rules:
        for node in walk(rule.when):
            if not isinstance(node, _READABLE_NODES):
                return None
            if isinstance(node, Compare):
                needs.add(node.fact)
        if rule.for_each is not None:
            needs.add(facts_module.REF_FACT[rule.for_each])
    for effect in effects:
        for text in (effect.reason, effect.advice, *(message for _, message in effect.findings)):
            if isinstance(text, Template):
                needs.update(text.facts)
    return frozenset(needs)


def plan_of(ruleset: RuleSet) -> Plan:
    """The rule set's Plan, built on first use and kept on the rule set (as cached_property would)."""
    plan = ruleset.__dict__.get("_plan")
    if plan is None:
        plan = ruleset.__dict__["_plan"] = Plan(ruleset)
    return plan


def match_rules(ruleset: RuleSet, facts: facts_module.Facts, as_of: dt.date) -> list[Fired]:
    """Rules in force on ``as_of`` whose condition is true, in pack order, once per matching item
    (by the period's generated code, engine/codegen.py)."""
    return plan_of(ruleset).period(as_of).match(facts.context(), facts)


def match_by_closures(ruleset: RuleSet, facts: facts_module.Facts, as_of: dt.date) -> list[Fired]:
    """What ``match_rules`` gives, by the guard index and each rule's closure (no generated code):
    tests/test_plan.py compares the two."""
    app_ctx = facts.context()
    fired: list[Fired] = []
    append = fired.append
    for rule, predicate, scope, ref_name in plan_of(ruleset).period(as_of).steps(app_ctx):
        if scope is None:
            if predicate(app_ctx) is True:
                append((rule, app_ctx, "subject", None))
            continue
        for ctx in item_contexts(app_ctx, scope):  # built once per scope, kept on the facts
            if predicate(ctx) is True:
                append((rule, ctx, scope, str(ctx[ref_name])))
    return fired


def evaluate(ruleset: RuleSet, app: Application, as_of: dt.date, matcher: Matcher = match_rules) -> Result:
    """The result of ``app`` under ``ruleset``; rules in force on ``as_of`` apply."""
    facts = facts_module.derive(app, as_of, plan_of(ruleset).needs)
    return combine(ruleset, app, facts, matcher(ruleset, facts, as_of), as_of)


def combine(ruleset: RuleSet, app: Application, facts: facts_module.Facts, fired: list[Fired], as_of: dt.date) -> Result:
    """The result from the rules that fired: their effects combined (see the module's docstring)."""
    gates = [f for f in fired if f[0].filing_required is False]
    filing_required = not gates
    considered = gates if gates else fired

    subject_name = str(facts.application["subject.name"])
    on = facts.application["filing.submitted_on"]
    documents: dict[tuple[Any, ...], RequiredDocument] = {}
    # Per entry, the targets and reasons it already lists, as sets: with a thousand websites or
    # people, asking the lists themselves made combining quadratic in the size of the application.
    seen: dict[tuple[Any, ...], tuple[set[tuple[str, str]], set[Any]]] = {}
    findings: list[tuple[int, int, str, str, Finding]] = []  # sort keys, then the finding
    advice: list[Advice] = []  # in rule order, each line once
    advised: set[tuple[Any, ...]] = set()
    footer_settings: dict[str, Any] = {"number_kind": "website", "copyright_required": False}
    timeline_settings: dict[str, int] = {}
    effects_of = plan_of(ruleset).effects
    order = ruleset.rule_order  # orders findings of equal severity
    for rule, ctx, kind, ref in considered:
        effects = effects_of[rule.id]
        if filing_required:
            if effects.requirements:  # the reason is only shown with the documents a rule requires
                found = effects.reason  # Plan gives every rule that requires documents a reason
                if isinstance(found, Template):
                    filled = found.fill(ctx)
                    reason = Reason(rule.id, filled, rule.source)
                    reason_key = _reason_key(rule.id, filled.inputs)
                elif found is not None:
                    reason, reason_key = found, (rule.id,)
            for req, category in effects.requirements:
                target = ("subject", subject_name) if (req.for_subject or ref is None or kind == "document") else (kind, ref)
                key: tuple[Any, ...] = (req.document, req.any_of)
                if category == "pre_approval":
                    key += target  # one entry per category (SPEC §4)
                entry = documents.get(key)
                if entry is None:
                    entry = documents[key] = RequiredDocument(req.document, req.any_of, category)
                    seen[key] = (set(), set())
                targets, reasons = seen[key]
                if target not in targets:
                    targets.add(target)
                    entry.targets.append(target)
                if reason_key is None:  # a placeholder value that cannot be hashed (a list): compare
                    if reason not in entry.reasons:
                        entry.reasons.append(reason)
                elif reason_key not in reasons:
                    reasons.add(reason_key)
                    entry.reasons.append(reason)
                if req.max_age_days is not None or req.max_age_months is not None:
                    _tighten_age(entry, req, reason, on)
                if req.min_validity_days is not None or req.min_validity_months is not None:
                    _tighten_validity(entry, req, reason, on)
            if rule.footer:
                footer_settings.update(rule.footer)
            if rule.timeline:
                timeline_settings.update(rule.timeline)
        if effects.advice is not None:  # advice stands even where no filing is needed (what to do instead)
            line = effects.advice.fill(ctx) if isinstance(effects.advice, Template) else effects.advice
            entry_key = (rule.id, tuple(line.inputs) if isinstance(line, FilledText) else ())
            if entry_key not in advised:
                advised.add(entry_key)
                advice.append(Advice(rule.id, line, rule.source))
        for spec, message in effects.findings:
            text = message.fill(ctx) if isinstance(message, Template) else message
            findings.append((SEVERITY_ORDER[spec.severity], order[rule.id], ref or "", spec.id,
                             Finding(spec.id, spec.severity, text, rule.id, rule.source, ref)))

    if filing_required and facts.items["document"]:
        findings.extend(_check_documents_on_hand(documents.values(), facts, ruleset))

    catalogue_order = ruleset.document_order
    required = sorted(documents.values(), key=lambda d: (CATEGORY_ORDER[d.category], catalogue_order[d.id], d.targets[0][1]))
    findings.sort(key=_without_finding)  # severity, rule order, item, finding id

    footer = Footer(footer_settings["number_kind"], bool(footer_settings["copyright_required"]),
                    footer_numbers(app, footer_settings["number_kind"]), subject_name, apps=app_numbers(app))

    return Result.made(
        application_id=app.application_id,
        evaluated_on=as_of,
        filing_required=filing_required,
        province=app.province,
        ruleset=ruleset,
        required_documents=tuple(required),
        findings=tuple(item[-1] for item in findings),
        advice=tuple(advice),
        footer=footer,
        timeline=timeline.build(app.submitted_on or as_of, timeline_settings) if filing_required else timeline.Timeline((), None, True),
        matched=tuple([(rule, kind, ref) for rule, _, kind, ref in fired]),
        application=app,
    )


def _reason_key(rule_id: str, inputs: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """What tells two reasons apart: a rule's reasons are equal exactly when the values filled
    into its text are (``FilledText.__eq__``), and reasons of different rules never are. None when
    a value cannot be hashed (a list fact in the text): such a reason is compared with the list."""
    key = (rule_id, inputs)
    try:
        hash(key)
    except TypeError:
        return None
    return key


@lru_cache(maxsize=4096)  # a pure function; a few limits and submission dates, asked per requirement
def _shifted(on: dt.date, days: int | None, months: int | None, sign: int) -> dt.date:
    """``on`` moved by a limit (days or calendar months), at the ends of the calendar if beyond them."""
    try:
        if days is not None:
            return on + dt.timedelta(days=sign * days)
        return facts_module.add_months(on, sign * (months or 0))
    except OverflowError:
        return dt.date.max if sign > 0 else dt.date.min


def _earliest_issue(days: int | None, months: int | None, on: dt.date) -> dt.date:
    """The earliest issue date a limit accepts: the later it is, the tighter the limit."""
    return _shifted(on, days, months, -1)


def _latest_expiry(days: int | None, months: int | None, on: dt.date) -> dt.date:
    """The expiry date a validity limit asks for at least: the later it is, the tighter the limit."""
    return _shifted(on, days, months, 1)


# A limit keeps the unit of its source (days or calendar months); of two limits on one document
# the tighter on this submission date wins, whichever unit each is in.
def _tighten_age(entry: RequiredDocument, req: Requirement, reason: Reason, on: dt.date) -> None:
    new = _earliest_issue(req.max_age_days, req.max_age_months, on)
    if entry.max_age_rule is None or new > _earliest_issue(entry.max_age_days, entry.max_age_months, on):
        entry.max_age_days, entry.max_age_months, entry.max_age_rule = req.max_age_days, req.max_age_months, reason


def _tighten_validity(entry: RequiredDocument, req: Requirement, reason: Reason, on: dt.date) -> None:
    new = _latest_expiry(req.min_validity_days, req.min_validity_months, on)
    if entry.min_validity_rule is None or new > _latest_expiry(entry.min_validity_days, entry.min_validity_months, on):
        entry.min_validity_days, entry.min_validity_months = req.min_validity_days, req.min_validity_months
        entry.min_validity_rule = reason


def _without_finding(item: tuple[Any, ...]) -> tuple[Any, ...]:
    return item[:-1]


# A subject number is "粤ICP备12345678号"; a website number adds "-N" (N: the subject's Nth service).
# People often paste a website number where the subject number is asked for: keep the subject part.
SUBJECT_NUMBER = re.compile(r"^\s*(?P<subject>.+?号)\s*(?:-\s*\d+[A-Za-z]?)?\s*$")


def subject_number(text: str | None) -> str | None:
    if not text:
        return None
    match = SUBJECT_NUMBER.match(text)
    return match.group("subject") if match else text.strip()


def footer_numbers(app: Application, number_kind: str) -> tuple[FooterNumber, ...]:
    """The number each new website will show in its footer, as far as it is known before approval.

    Guangdong shows the subject number on every site: known when the subject already holds one.
    Elsewhere each website shows its own number, the subject number plus "-N"; the bureau assigns N on
    approval, so it is never predicted (counting filed services guesses wrong whenever a service was
    cancelled or filed elsewhere): N stays a placeholder, as XXXXXXXX does for a subject number not
    issued yet, and the checklist says to replace them with the numbers the bureau issues.
    """
    known, shown_subject = _subject_number_shown(app)
    if app.data["apps"] and not app.data["websites"]:
        return ()  # an app filing: its apps show their own numbers (app_numbers), there is no web footer
    if number_kind == "subject":
        return (FooterNumber(None, known, shown_subject),)
    shown = f"{shown_subject}-N"
    names: list[str | None] = [w["name"] for w in app.data["websites"]] or [None]
    return tuple([FooterNumber(name, None, shown) for name in names])


def _subject_number_shown(app: Application) -> tuple[str | None, str]:
    """The subject's filing number if it holds one, and the number as shown: that, or the
    province's placeholder (粤ICP备XXXXXXXX号) for a number not issued yet."""
    known = subject_number(app.data["subject"]["existing"].get("subject_number"))
    return known, known or f"{app.province.abbr}ICP备XXXXXXXX号"


# The letter an app's number ends in, by kind (Huawei Cloud, 《App备案号与网站备案号的区别？》).
APP_NUMBER_LETTER = {"app": "A", "mini_program": "X", "quick_app": "K"}


def app_numbers(app: Application) -> tuple[AppNumber, ...]:
    """The number each new app shows: the subject number, "-N" and the letter of its kind. As for
    websites (footer_numbers), the bureau assigns N on approval: it stays a placeholder."""
    if not app.data["apps"]:
        return ()  # most filings are of websites alone
    _, shown_subject = _subject_number_shown(app)
    return tuple(AppNumber(entry["name"], entry["kind"], None, f"{shown_subject}-N{APP_NUMBER_LETTER[entry['kind']]}")
                 for entry in app.data["apps"])


def _check_documents_on_hand(required: Any, facts: facts_module.Facts,
                             ruleset: RuleSet) -> list[tuple[int, int, str, str, Finding]]:
    """Documents the applicant already holds, measured against the limits the rules set."""
    order = ruleset.rule_order
    on_hand: dict[str, list[Mapping[str, Any]]] = {}
    for doc in facts.scope("document"):
        on_hand.setdefault(doc["document.id"], []).append(doc)
    out: list[tuple[int, int, str, str, Finding]] = []
    for entry in required:
        for doc_id in entry.any_of or (entry.id,):
            name = ruleset.documents[doc_id].name
            for held in on_hand.get(doc_id, ()):
                whose = held.get("document.for_kind")
                if whose is not None and (whose, held.get("document.for")) not in entry.targets:
                    continue  # a document for someone (something) else: this requirement is not about it
                holder = ""
                if whose is not None and whose != "subject":
                    holder = f"{held['document.for']}的"
                    holder_en = f" for {held['document.for']}"
                else:
                    holder_en = ""
                if entry.max_age_rule is not None and _too_old(entry, held):
                    age = held["document.age_days"]
                    limit = _limit_text(entry.max_age_days, entry.max_age_months)
                    message = _engine_text(
                        f"已有的{holder}{name['zh']}签发于 {age} 天前，超过 {limit['zh']} 的时限，请重新开具",
                        f"The {name['en']}{holder_en} on hand was issued {age} days ago; at most {limit['en']} are "
                        "accepted: obtain a new one")
                    out.append(_blocking("document_too_old", message, entry.max_age_rule, doc_id, order))
                if entry.min_validity_rule is not None and _expires_too_soon(entry, held):
                    left = held["document.days_until_expiry"]
                    limit = _limit_text(entry.min_validity_days, entry.min_validity_months)
                    message = _engine_text(
                        f"已有的{holder}{name['zh']}仅剩 {left} 天有效期，须至少 {limit['zh']}",
                        f"The {name['en']}{holder_en} on hand is valid for {left} more days; at least {limit['en']} are required")
                    out.append(_blocking("certificate_expires_too_soon", message, entry.min_validity_rule, doc_id, order))
    return out


def _limit_text(days: int | None, months: int | None) -> dict[str, str]:
    """A limit as the rule set it: in calendar months, else in days."""
    if months is not None:
        return _engine_text(f"{months} 个月", f"{months} months")
    return _engine_text(f"{days} 天", f"{days} days")


def _blocking(finding_id: str, message: Text, rule: Reason, doc_id: str,
              order: Mapping[str, int]) -> tuple[int, int, str, str, Finding]:
    """A blocking finding about a document on hand, with its sort keys (as combine sorts findings)."""
    return (SEVERITY_ORDER["blocking"], order.get(rule.rule, 0), doc_id, finding_id,
            Finding(finding_id, "blocking", message, rule.rule, rule.source, doc_id))


def _too_old(entry: RequiredDocument, held: Mapping[str, Any]) -> bool:
    if entry.max_age_months is not None:
        months = held["document.age_months"]
        return months is not None and months > entry.max_age_months
    age = held["document.age_days"]
    return entry.max_age_days is not None and age is not None and age > entry.max_age_days


def _expires_too_soon(entry: RequiredDocument, held: Mapping[str, Any]) -> bool:
    if entry.min_validity_months is not None:
        months = held["document.months_until_expiry"]
        return months is not None and months < entry.min_validity_months
    left = held["document.days_until_expiry"]
    return entry.min_validity_days is not None and left is not None and left < entry.min_validity_days
