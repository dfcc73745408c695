"""Step 6: the result of one evaluation, and its SPEC §5 form in either language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from .packs import RuleSet, Text
from .provinces import Province
from .timeline import Timeline

if TYPE_CHECKING:
    from .application import Application

CATEGORY_ORDER = {"basic": 0, "supplementary": 1, "pre_approval": 2}
SEVERITY_ORDER = {"blocking": 0, "warning": 1, "info": 2}
OR_WORD = {"zh": "或", "en": "or"}


# The small records an evaluation makes many of are named tuples: a frozen dataclass costs
# several times more to create, and an evaluation creates one per rule that fires.
class Reason(NamedTuple):
    rule: str
    text: Text
    source: str


@dataclass(slots=True)  # slots: made for every document of every evaluation
class RequiredDocument:
    id: str
    any_of: tuple[str, ...]
    category: str
    targets: list[tuple[str, str]] = field(default_factory=list)  # (kind, ref)
    reasons: list[Reason] = field(default_factory=list)
    max_age_days: int | None = None
    min_validity_days: int | None = None
    max_age_months: int | None = None  # a limit in calendar months instead of days (one of the two is set)
    min_validity_months: int | None = None
    max_age_rule: Reason | None = None  # the rule whose limit is the tightest, for findings
    min_validity_rule: Reason | None = None


class Finding(NamedTuple):
    id: str
    severity: str
    message: Text
    rule: str
    source: str
    ref: str | None = None


class Advice(NamedTuple):
    """A line of advice a rule adds to the checklist: what to do, where no document or problem fits."""

    rule: str
    text: Text
    source: str


class Firing(NamedTuple):
    """One rule that fired, for one item (ref) or for the application (ref None)."""

    rule: str
    kind: str
    ref: str | None


@dataclass(frozen=True)
class FooterNumber:
    """The filing number one new website shows, as far as it can be known before approval.

    ``number`` is a number already issued (the subject number Guangdong footers show), never a
    predicted one; ``shown`` always has something to paste, with placeholders (XXXXXXXX, N) for the
    parts the bureau has not issued yet.
    """

    website: str | None
    number: str | None
    shown: str


@dataclass(frozen=True)
class AppNumber:
    """The filing number one new app, mini program or quick app shows (in the app, not in a web footer).

    An app's number is the subject number, "-N" and a letter for its kind: A for an app, X for a
    mini program, K for a quick app (京ICP备12345678号-2A). Placeholders as for websites.
    """

    app: str
    kind: str
    number: str | None
    shown: str


@dataclass(frozen=True)
class Footer:
    number_kind: str
    copyright_required: bool
    numbers: tuple[FooterNumber, ...]  # one per new website (one for all when the subject number is shown)
    subject_name: str
    link: str = "https://beian.miit.gov.cn/"
    apps: tuple[AppNumber, ...] = ()  # one per new app of apps[]

    @property
    def number(self) -> str | None:
        if self.numbers:
            return self.numbers[0].number
        return self.apps[0].number if self.apps else None

    def html(self, entry: "FooterNumber | AppNumber | None" = None) -> str:
        """The snippet to paste at the bottom of the page. It goes on a Chinese website, so the
        copyright words stay Chinese whatever language the checklist is in."""
        from html import escape

        entry = entry or (self.numbers[0] if self.numbers else self.apps[0] if self.apps else None)
        shown = entry.shown if entry else "ICP备XXXXXXXX号"
        anchor = f'<a href="{self.link}" target="_blank" rel="noopener">{escape(shown)}</a>'
        # The copyright line is a web-page duty (a footer); an app shows its number alone.
        if not self.copyright_required or isinstance(entry, AppNumber):
            return anchor
        return f"<span>Copyright © {escape(self.subject_name)} 版权所有</span> {anchor}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number_kind": self.number_kind,
            "link": self.link,
            "copyright_required": self.copyright_required,
            "number": self.number,
            "html": self.html(),
        }
        if self.number_kind == "website" and self.numbers:
            out["websites"] = [{"website": n.website, "number": n.number, "html": self.html(n)} for n in self.numbers]
        if self.apps:
            out["apps"] = [{"app": n.app, "kind": n.kind, "number": n.number, "shown": n.shown, "html": self.html(n)}
                           for n in self.apps]
        return out


@dataclass(frozen=True)
class Result:
    """What one application needs in one province. Build SPEC §5 dicts with ``to_dict``."""

    application_id: str | None
    evaluated_on: dt.date
    filing_required: bool
    province: Province
    ruleset: RuleSet = field(repr=False)
    required_documents: tuple[RequiredDocument, ...]
    findings: tuple[Finding, ...]
    footer: Footer
    timeline: Timeline
    # (rule, kind, ref) per firing, in the matcher's order: ``fired`` names them. Not the context
    # each rule fired in: that would keep every derived fact alive as long as the result, and
    # the collector walking them made a kept result cost about as much again as making it.
    matched: tuple[tuple[Any, str, str | None], ...] = field(repr=False, compare=False)
    application: "Application" = field(repr=False)
    advice: tuple[Advice, ...] = ()

    @classmethod
    def made(cls, **fields: Any) -> "Result":
        """A result from every one of its fields, by name, as evaluation makes one per application:
        the frozen dataclass's __init__ sets each of its 12 fields through object.__setattr__ (~1.6 µs
        of an evaluation's ~120), this writes them at once. Frozen all the same: only assignment
        is refused, and equality, hash and repr read the same fields (tests/test_plan.py checks
        that an evaluated result has every field and equals the one __init__ makes)."""
        result = object.__new__(cls)
        result.__dict__.update(fields)
        return result

    @cached_property
    def fired(self) -> tuple[Firing, ...]:
        """Every rule that fired, once per item it fired for, in pack order (for tests and explain;
        made on first use: a checklist does not need it)."""
        return tuple(Firing(rule.id, kind, ref) for rule, kind, ref in self.matched)

    @property
    def blocking(self) -> bool:
        return any(f.severity == "blocking" for f in self.findings)

    @property
    def pack(self) -> dict[str, str]:
        return {"id": self.ruleset.pack.id, "version": self.ruleset.pack.version, "digest": self.ruleset.digest}

    def document_name(self, doc_id: str, lang: str = "zh") -> str:
        doc = self.ruleset.documents.get(doc_id)
        return doc.name[lang] if doc else doc_id

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The SPEC §5 structure, with names and messages in ``lang`` (zh or en)."""
        docs = []
        for doc in self.required_documents:
            if doc.any_of:
                name = f" {OR_WORD[lang]} ".join([self.document_name(i, lang) for i in doc.any_of])
            else:
                name = self.document_name(doc.id, lang)
            entry: dict[str, Any] = {"id": doc.id, "name": name, "category": doc.category}
            if doc.any_of:
                entry["any_of"] = list(doc.any_of)
            entry["for"] = [{"kind": kind, "ref": ref} for kind, ref in doc.targets]
            entry["reasons"] = [{"rule": r.rule, "text": r.text[lang], "source": r.source} for r in doc.reasons]
            if doc.max_age_days is not None:
                entry["max_age_days"] = doc.max_age_days
            if doc.min_validity_days is not None:
                entry["min_validity_days"] = doc.min_validity_days
            if doc.max_age_months is not None:
                entry["max_age_months"] = doc.max_age_months
            if doc.min_validity_months is not None:
                entry["min_validity_months"] = doc.min_validity_months
            docs.append(entry)
        findings = []
        for f in self.findings:
            item: dict[str, Any] = {"id": f.id, "severity": f.severity, "message": f.message[lang],
                                    "rule": f.rule, "source": f.source}
            if f.ref is not None:
                item["ref"] = f.ref
            findings.append(item)
        return {
            "application_id": self.application_id,
            "evaluated_on": self.evaluated_on.isoformat(),
            "filing_required": self.filing_required,
            "province": self.province.to_dict(),
            "pack": self.pack,
            "required_documents": docs,
            "findings": findings,
            "advice": [{"rule": a.rule, "text": a.text[lang], "source": a.source} for a in self.advice],
            "footer": self.footer.to_dict(),
            "timeline": self.timeline.to_dict(),
        }

    def render(self, format: str = "md", lang: str = "zh", **options: Any) -> str:
        from .render import render

        return render(self, format=format, lang=lang, **options)
