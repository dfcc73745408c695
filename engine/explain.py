"""Why each rule did or did not fire for one application, in plain words (``icp-rules explain``).

For every rule of the application's province (or one rule) the outcome is one of: matched, not
matched, not in force on the evaluation date, undecided (a fact the condition needs is absent, so
Kleene logic leaves it open), or not applied here (replaced, disabled, or another province's
rule). The deciding comparisons are worded with the application's actual values, e.g.
"主体名下不同域名前缀数 = 32，大于 31"; a ``for_each`` rule is explained item by item.
Built on ``Node.trace`` so the explanation and the evaluation can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import application as application_module
from . import facts as facts_module
from . import provinces
from .conditions import Compare, Node, Quantifier, Trace, item_contexts
from .errors import InputError, problem
from .packs import DocumentType, Rule, RuleSet, Text
from .suggest import closest
from .text import neutralise

STATUSES = ("matched", "not_matched", "undecided", "not_in_force", "not_applied")

_OPS = {  # operator: (zh, en)
    "equals": ("等于", "equal to"), "not_equals": ("不等于", "not equal to"),
    "greater_than": ("大于", "greater than"), "at_least": ("至少为", "at least"),
    "less_than": ("小于", "less than"), "at_most": ("至多为", "at most"),
    "in": ("属于", "one of"), "not_in": ("不属于", "none of"),
    "contains_any": ("包含以下之一", "containing any of"), "matches": ("匹配", "matching"),
}
_FAILS = {  # what holds instead when the operator does not: (zh, en)
    "equals": ("不等于", "not equal to"), "not_equals": ("等于", "equal to"),
    "greater_than": ("不大于", "not greater than"), "at_least": ("小于", "less than"),
    "less_than": ("不小于", "not less than"), "at_most": ("大于", "greater than"),
    "in": ("不属于", "not one of"), "not_in": ("属于", "one of"), "matches": ("不匹配", "not matching"),
}
_SCOPE_WORDS = {"person": ("人员", "person"), "website": ("网站", "website"), "app": ("App", "app"), "domain": ("域名", "domain"),
                "category": ("前置审批类别", "category"), "document": ("已有材料", "document on hand")}
_STATUS_WORDS = {
    "matched": ("命中", "matched"), "not_matched": ("未命中", "did not match"),
    "undecided": ("无法判断（缺少事实）", "undecided (a fact is missing)"),
    "not_in_force": ("当日不生效", "not in force on that date"), "not_applied": ("本省不适用", "not applied here"),
}


# Which facts hold keys, and where their names are: the application's value names (as the
# checklist's summary shows them), provinces, and the rule set's categories and documents.
_VALUE_GROUPS = {"subject.type": "subject_type", "subject.certificate.type": "certificate_type",
                 "person.certificate.type": "certificate_type", "person.identity": "identity",
                 "filing.type": "filing_type", "service.type": "service_type", "server.location": "server_location",
                 "domain.registrant_type": "registrant_type"}
_PROVINCE_FACTS = frozenset({"filing.province", "subject.certificate.registration_province",
                             "subject.residence_province", "person.household_province"})
_CATEGORY_FACTS = frozenset({"websites.content_categories", "website.content_categories", "category.name"})
_DOCUMENT_FACTS = frozenset({"documents_on_hand.ids", "document.id"})


@dataclass(frozen=True)
class ValueNames:
    """Names for fact values that are keys; a value without a name is shown as it is."""

    categories: Mapping[str, Text] = field(default_factory=dict)
    documents: Mapping[str, DocumentType] = field(default_factory=dict)

    def __call__(self, fact: str, value: Any, lang: str) -> Any:
        if isinstance(value, (list, tuple, frozenset, set)):
            return tuple(self(fact, v, lang) for v in value)
        if not isinstance(value, str):
            return value
        if fact in _PROVINCE_FACTS:
            province = provinces.BY_KEY.get(value)
            return value if province is None else province.name if lang == "zh" else province.english
        if fact in _CATEGORY_FACTS:
            names = self.categories.get(value)
            return names[lang] if names else value
        if fact in _DOCUMENT_FACTS:
            document = self.documents.get(value)
            return document.name[lang] if document else value
        group = _VALUE_GROUPS.get(fact)
        if group is not None:
            from .render import VALUE_NAMES

            named = VALUE_NAMES[group].get(value)
            return named[lang] if named else value
        return value


_NO_NAMES = ValueNames()


@dataclass(frozen=True)
class Check:
    """One deciding comparison: the fact, what the rule asks, what the application has, and the outcome."""

    fact: str
    op: str
    expected: Any
    actual: Any
    value: bool | None
    item: str | None = None  # the item of a quantifier (any_domain …) it was checked on

    def words(self, lang: str = "zh", names: ValueNames = _NO_NAMES) -> str:
        return _check_words(self, lang, names)


@dataclass(frozen=True)
class ItemExplanation:
    """The outcome of one rule for the application, or for one item of a for_each rule."""

    kind: str  # application | person | website | domain | category | document
    ref: str | None
    status: str
    checks: tuple[Check, ...]
    note: tuple[str, str] | None = None  # (zh, en), e.g. "no domain in the application"

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.fact for c in self.checks if c.value is None))


@dataclass(frozen=True)
class RuleExplanation:
    rule: Rule
    status: str
    items: tuple[ItemExplanation, ...] = ()
    note: tuple[str, str] | None = None

    def to_dict(self, lang: str = "zh", names: ValueNames = _NO_NAMES) -> dict[str, Any]:
        return {
            "rule": self.rule.id, "pack": self.rule.pack, "title": self.rule.title[lang], "status": self.status,
            "source": self.rule.source, "for_each": self.rule.for_each,
            "note": self.note[0 if lang == "zh" else 1] if self.note else None,
            "items": [{"kind": i.kind, "ref": i.ref, "status": i.status, "missing_facts": list(i.missing),
                       "note": i.note[0 if lang == "zh" else 1] if i.note else None,
                       "checks": [{"fact": c.fact, "operator": c.op, "expected": _plain(c.expected),
                                   "actual": _plain(c.actual), "holds": c.value, "item": c.item,
                                   "text": c.words(lang, names)} for c in i.checks]} for i in self.items],
        }

    def text(self, lang: str = "zh", names: ValueNames = _NO_NAMES) -> str:
        zh = lang == "zh"
        status = _STATUS_WORDS[self.status][0 if zh else 1]
        lines = [f"{self.rule.id}  [{status}]  {self.rule.title[lang]}"]
        if self.note:
            lines.append("  " + self.note[0 if zh else 1])
        for item in self.items:
            indent = "  "
            if item.kind != "application":
                word = _SCOPE_WORDS[item.kind][0 if zh else 1]
                lines.append(f"  {word} {item.ref}: {_STATUS_WORDS[item.status][0 if zh else 1]}")
                indent = "    "
            if item.note:
                lines.append(indent + item.note[0 if zh else 1])
            for check in item.checks:
                mark = {True: "✓", False: "✗", None: "?"}[check.value]
                lines.append(f"{indent}{mark} {check.words(lang, names)}")
            if item.missing:
                lines.append(indent + ("缺少事实：" if zh else "missing facts: ") + ", ".join(item.missing))
        lines.append(("  来源：" if zh else "  source: ") + self.rule.source)
        return neutralise("\n".join(lines))  # names and values the applicant typed reach a terminal


@dataclass(frozen=True)
class Explanation:
    application_id: str | None
    province: str
    ruleset: str
    evaluated_on: dt.date
    rules: tuple[RuleExplanation, ...]
    names: ValueNames = field(default=_NO_NAMES, compare=False, repr=False)
    pack_title: Text | None = None

    def province_name(self, lang: str = "zh") -> str:
        province = provinces.BY_KEY.get(self.province)
        return self.province if province is None else province.name if lang == "zh" else province.english

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"application_id": self.application_id, "province": self.province,
                "province_name": self.province_name(lang), "pack": self.ruleset,
                "pack_title": self.pack_title[lang] if self.pack_title else None,
                "evaluated_on": self.evaluated_on.isoformat(), "rules": [r.to_dict(lang, self.names) for r in self.rules]}

    def text(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        pack = self.pack_title[lang] if self.pack_title else self.ruleset
        head = (f"申请 {self.application_id or '（无编号）'}，备案省份 {self.province_name(lang)}，规则包 {pack}，"
                f"评估日期 {self.evaluated_on}"
                if zh else f"Application {self.application_id or '(no id)'}, filed in {self.province_name(lang)}, "
                f"pack {pack}, evaluated on {self.evaluated_on}")
        return neutralise("\n\n".join([head, *(r.text(lang, self.names) for r in self.rules)]) + "\n")


# ---------------------------------------------------------------------------------------------


def explain(ruleset_for: Any, application: Any, *, rule: str | None = None,
            as_of: dt.date | str | None = None) -> Explanation:
    """Explain every rule (or ``rule``) for ``application``.

    ``ruleset_for`` is a RuleBook (or anything with ``ruleset(province)`` and ``rulesets``);
    ``application`` a mapping, a path or a checked Application, as for ``RuleBook.evaluate``.
    An unknown ``rule`` raises InputError with the closest rule id.
    """
    app = application_module.load(application)
    on = application_module.as_of_date(as_of) or app.submitted_on or dt.date.today()
    ruleset: RuleSet = ruleset_for.ruleset(app.province)
    facts = facts_module.derive(app, on)
    ctx = facts.context()
    if rule is None:
        explained = tuple(explain_rule(r, ctx, on) for r in ruleset.rules)
    else:
        where = str(application) if isinstance(application, (str, Path)) else None
        explained = (_one(ruleset_for, ruleset, rule, ctx, on, where),)
    gates = [r.rule.id for r in explained if r.rule.filing_required is False and r.status == "matched"]
    if not gates and rule is not None:  # the gate decides whether documents are listed at all
        gates = [r.id for r in ruleset.rules if r.filing_required is False
                 and explain_rule(r, ctx, on).status == "matched"]
    if gates:
        zh, en = (f"但规则 {gates[0]} 判定无需备案，因此不列出材料", f"but rule {gates[0]} finds no filing is needed, "
                  "so no documents are listed")
        explained = tuple(RuleExplanation(r.rule, r.status, r.items, (zh, en))
                          if r.status == "matched" and r.rule.filing_required is not False and r.rule.require else r
                          for r in explained)
    return Explanation(app.application_id, app.province.key, ruleset.key, on, explained,
                       ValueNames(ruleset.categories, ruleset.documents), ruleset.pack.title)


def _one(book: Any, ruleset: RuleSet, rule_id: str, ctx: Mapping[str, Any], on: dt.date,
         file: str | None) -> RuleExplanation:
    for candidate in ruleset.rules:
        if candidate.id == rule_id:
            return explain_rule(candidate, ctx, on)
    # Not applied in this province: replaced, disabled, or another pack's rule.
    for other in book.rulesets.values():
        for candidate in other.rules:
            if candidate.id != rule_id:
                continue
            replacement = next((r.id for r in ruleset.rules if r.replaces == rule_id), None)
            if replacement:
                note = (f"在 {ruleset.key} 被规则 {replacement} 取代", f"replaced in {ruleset.key} by rule {replacement}")
            elif candidate.pack == "national":
                note = (f"在 {ruleset.key} 被停用（disables）", f"disabled in {ruleset.key} (disables)")
            else:
                note = (f"属于 {candidate.pack} 规则包，本申请在 {ruleset.key} 备案",
                        f"belongs to the {candidate.pack} pack; this application is filed in {ruleset.key}")
            return RuleExplanation(candidate, "not_applied", (), note)
    known = [r.id for r in ruleset.rules]
    raise InputError([problem("no_rule", rule=rule_id, pack=ruleset.key, file=file, path="--rule",
                              suggestion=closest(rule_id, known))])


def explain_rule(rule: Rule, ctx: Mapping[str, Any], on: dt.date) -> RuleExplanation:
    """The outcome of one rule on an application context (``FACTS_KEY`` included)."""
    if not rule.in_force(on):
        since = f"自 {rule.effective_from} 起" if rule.effective_from else ""
        until = f"至 {rule.effective_until} 止（不含）" if rule.effective_until else ""
        period_en = " ".join(p for p in (f"from {rule.effective_from}" if rule.effective_from else "",
                                         f"until {rule.effective_until} (exclusive)" if rule.effective_until else "") if p)
        note = (f"生效期间 {since}{until}，{on} 不在其中", f"in force {period_en}; {on} is outside that period")
        return RuleExplanation(rule, "not_in_force", (), note)
    if rule.for_each is None:
        item = _item(rule.when, ctx, "application", None)
        return RuleExplanation(rule, item.status, (item,))
    scope = rule.for_each
    ref_fact = facts_module.REF_FACT[scope]
    items = tuple(_item(rule.when, c, scope, str(c[ref_fact])) for c in item_contexts(ctx, scope))
    if not items:
        word = _SCOPE_WORDS[scope]
        return RuleExplanation(rule, "not_matched", (), (f"申请中没有{word[0]}", f"the application has no {word[1]}"))
    statuses = {i.status for i in items}
    status = "matched" if "matched" in statuses else "undecided" if "undecided" in statuses else "not_matched"
    return RuleExplanation(rule, status, items)


def _item(when: Node, ctx: Mapping[str, Any], kind: str, ref: str | None) -> ItemExplanation:
    trace = when.trace(ctx)
    status = {True: "matched", False: "not_matched", None: "undecided"}[trace.value]
    note = None
    checks = tuple(_deciding(trace, ctx, None))
    if not checks:
        note = ("无条件，始终适用", "no condition: always applies")
    return ItemExplanation(kind, ref, status, checks, note)


def _deciding(trace: Trace, ctx: Mapping[str, Any], item: str | None) -> list[Check]:
    """The comparisons that decided ``trace`` (as ``Trace.deciding``), keeping quantifier items."""
    node = trace.node
    if isinstance(node, Compare):
        return [Check(node.fact, node.op, node.value, trace.actual, trace.value, item)]
    if not trace.children:
        return []
    if isinstance(node, Quantifier):
        contexts = list(item_contexts(ctx, node.scope))
        ref = facts_module.REF_FACT[node.scope]
        pairs: list[tuple[Trace, Mapping[str, Any], str | None]] = [
            (child, c, str(c[ref])) for child, c in zip(trace.children, contexts)]
    else:
        pairs = [(child, ctx, item) for child in trace.children]
    out: list[Check] = []
    for child, child_ctx, child_item in (pairs[i] for i in trace.decisive()):
        out.extend(_deciding(child, child_ctx, child_item))
    return out


# ---------------------------------------------------------------------------------------------
# Words


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    return value


def _show(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset)):
        sep = "、" if lang == "zh" else ", "
        return "[" + sep.join(_show(v, lang) for v in value) + "]"
    if isinstance(value, str) and lang == "zh":
        return f"“{value}”" if any(ord(ch) > 127 for ch in value) or " " in value else value
    return str(value)


def _found_words(check: Check) -> list[str]:
    actual = check.actual
    if isinstance(actual, str):
        return [w for w in check.expected if w in actual]
    return [w for w in check.expected if w in set(actual or ())]


def _check_words(check: Check, lang: str, names: ValueNames = _NO_NAMES) -> str:
    zh = lang == "zh"

    def shown(value: Any) -> str:
        return _show(names(check.fact, value, lang), lang)

    label = facts_module.BY_NAME[check.fact].zh if zh else check.fact
    on = ""
    if check.item is not None:
        on = f"［{check.item}］" if zh else f"[{check.item}] "
    if check.op == "exists":
        present = check.actual is not None
        if zh:
            return f"{on}{label}{'已提供' if present else '未提供'}"
        return f"{on}{label} is {'given' if present else 'absent'}"
    if check.value is None:
        verb = _OPS[check.op][0 if zh else 1]
        expected = shown(check.expected)
        if zh:
            return f"{on}{label} 未知（申请中没有这一项），无法判断是否{verb} {expected}"
        return f"{on}{label} is unknown (not in the application), so whether it is {verb} {expected} cannot be decided"
    actual = shown(check.actual)
    if isinstance(check.expected, bool) and check.op in ("equals", "not_equals"):
        wanted = check.expected if check.op == "equals" else not check.expected
        if check.value:
            return f"{on}{label}：{actual}" if zh else f"{on}{label}: {actual}"
        want = _show(wanted, lang)
        return f"{on}{label}：{actual}（条件要求：{want}）" if zh else f"{on}{label}: {actual} (the condition wants {want})"
    verb_zh, verb_en = _OPS[check.op]
    expected = shown(check.expected)
    if check.op == "contains_any":
        found = _found_words(check)
        if check.value:
            words = shown(tuple(found))
            return f"{on}{label} = {actual}，包含 {words}" if zh else f"{on}{label} = {actual}, contains {words}"
        return (f"{on}{label} = {actual}，不包含 {expected} 中的任何一个" if zh
                else f"{on}{label} = {actual}, contains none of {expected}")
    if not check.value:
        verb_zh, verb_en = _FAILS[check.op]
        if check.op in ("not_equals", "not_in"):  # "= id_card, equal to id_card" needs the condition beside it
            wanted_zh, wanted_en = _OPS[check.op]
            return (f"{on}{label} = {actual}，{verb_zh} {expected}（条件：{wanted_zh} {expected}）" if zh
                    else f"{on}{label} = {actual}, {verb_en} {expected} (the condition: {wanted_en} {expected})")
    return f"{on}{label} = {actual}，{verb_zh} {expected}" if zh else f"{on}{label} = {actual}, {verb_en} {expected}"
