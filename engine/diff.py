"""What a pack change does, for a reviewer: rules added, removed and changed between two pack
directories, then each application whose checklist changes and how (``icp-rules diff``).

Rules are compared as written (field by field, down to the changed leaf, e.g.
``when.all[1].greater_than: 31 → 30``); checklists are compared as evaluated, by document and
the item it is asked for, by finding and its item, by footer and by whether filing is required,
and each application names the documents it now needs or no longer needs. Applications come from
YAML or JSON files, one each, or from JSONL samples, one per line (named ``FILE:LINE``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import application as application_module
from .errors import IcpRulesError, InputError, Problem, problem
from .rulebook import RuleBook
from .text import neutralise

APPLICATION_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")
MAX_SAMPLE_LINE_BYTES = 1024 * 1024  # one application per line, as batch reads them


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. when.all[1].greater_than
    old: Any
    new: Any


@dataclass(frozen=True)
class RuleChange:
    pack: str
    rule: str
    change: str  # added | removed | changed
    file: str
    line: int | None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ChecklistChange:
    """How one application's checklist differs between the old and the new packs."""

    application: str  # its file
    application_id: str | None
    province: str
    added: tuple[tuple[str, str], ...] = ()  # (what, words) appearing, e.g. ("document", "…")
    removed: tuple[tuple[str, str], ...] = ()
    documents_added: tuple[tuple[str, str], ...] = ()  # (id, name) of documents now required at all
    documents_removed: tuple[tuple[str, str], ...] = ()  # … no longer required at all

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class PackDiff:
    old: str
    new: str
    rules: tuple[RuleChange, ...]
    catalogue: tuple[str, ...]  # other changes of the packs, in words
    applications: tuple[ChecklistChange, ...] = field(default=())

    @property
    def changed_applications(self) -> tuple[ChecklistChange, ...]:
        return tuple(a for a in self.applications if a.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old, "new": self.new,
            "rules": [{"pack": r.pack, "rule": r.rule, "change": r.change, "file": r.file, "line": r.line,
                       "fields": [_field_dict(f) for f in r.fields]} for r in self.rules],
            "catalogue": list(self.catalogue),
            "applications": [{"file": a.application, "application_id": a.application_id, "province": a.province,
                              "appear": [{"kind": k, "what": w} for k, w in a.added],
                              "disappear": [{"kind": k, "what": w} for k, w in a.removed],
                              "documents_added": [{"id": i, "name": n} for i, n in a.documents_added],
                              "documents_removed": [{"id": i, "name": n} for i, n in a.documents_removed]}
                             for a in self.changed_applications],
            "unchanged_applications": [a.application for a in self.applications if not a.changed],
        }

    def text(self) -> str:
        lines = [f"Rules ({self.old} -> {self.new}):"]
        marks = {"added": "+", "removed": "-", "changed": "~"}
        for r in self.rules:
            lines.append(f"  {marks[r.change]} {r.pack}: {r.rule} {r.change}  ({r.file}:{r.line})")
            for f in r.fields:
                lines.append(f"      {f.path}: {_short(f.old)} -> {_short(f.new)}")
        if not self.rules:
            lines.append("  no rule changed")
        for words in self.catalogue:
            lines.append(f"  * {words}")
        changed = self.changed_applications
        lines.append("")
        lines.append(f"Applications whose checklist changes: {len(changed)} of {len(self.applications)}")
        for app in changed:
            lines.append(f"  {app.application} ({app.application_id or 'no id'}, {_province_name(app.province)})")
            if app.documents_added or app.documents_removed:
                named = [f"+ {name} ({doc})" for doc, name in app.documents_added]
                named += [f"- {name} ({doc})" for doc, name in app.documents_removed]
                lines.append(f"    documents: {'; '.join(named)}")
            lines += [f"      + {kind} {what}" for kind, what in app.added]
            lines += [f"      - {kind} {what}" for kind, what in app.removed]
        return neutralise("\n".join(lines) + "\n")  # pack and application text reaches a terminal


def _field_dict(change: FieldChange) -> dict[str, Any]:
    """A field change as JSON: a field added has no "old", a field removed no "new" (null would
    say the field was there and empty)."""
    out: dict[str, Any] = {"path": change.path}
    if change.old is not _MISSING:
        out["old"] = change.old
    if change.new is not _MISSING:
        out["new"] = change.new
    return out


def _province_name(key: str) -> str:
    from . import provinces

    province = provinces.BY_KEY.get(key)
    return province.english if province else key


def _short(value: Any) -> str:
    if value is _MISSING:
        return "(none)"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


_MISSING = _Missing()


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, (Mapping, list)) for v in value):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{prefix}[{index}]")
    else:
        yield prefix, value


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    before, after = dict(_leaves(old)), dict(_leaves(new))
    out = []
    for path in list(before) + [p for p in after if p not in before]:
        a, b = before.get(path, _MISSING), after.get(path, _MISSING)
        if a != b:
            out.append(FieldChange(path, a, b))
    return tuple(out)


def rule_changes(old: RuleBook, new: RuleBook) -> tuple[tuple[RuleChange, ...], tuple[str, ...]]:
    changes: list[RuleChange] = []
    words: list[str] = []
    for key in sorted(set(old.packs) | set(new.packs), key=lambda k: (k != "national", k)):
        before, after = old.packs.get(key), new.packs.get(key)
        if before is None or after is None:
            pack = after or before
            assert pack is not None
            words.append(f"pack {key} {'added' if before is None else 'removed'} ({pack.file})")
        old_rules = {r["id"]: (i, r) for i, r in enumerate(before.raw.get("rules") or [])} if before else {}
        new_rules = {r["id"]: (i, r) for i, r in enumerate(after.raw.get("rules") or [])} if after else {}
        for rule_id, (i, raw) in new_rules.items():
            assert after is not None
            line, _ = after.source.locate(("rules", i))
            if rule_id not in old_rules:
                changes.append(RuleChange(key, rule_id, "added", after.file, line))
            else:
                fields = field_changes(old_rules[rule_id][1], raw)
                if fields:
                    changes.append(RuleChange(key, rule_id, "changed", after.file, line, fields))
        for rule_id, (i, raw) in old_rules.items():
            if rule_id not in new_rules:
                assert before is not None
                line, _ = before.source.locate(("rules", i))
                changes.append(RuleChange(key, rule_id, "removed", before.file, line))
        if before is not None and after is not None:
            for name in ("version", "documents", "categories", "findings", "keywords", "disables", "fixtures"):
                if before.raw.get(name) != after.raw.get(name):
                    what = "version" if name == "version" else name
                    if name == "version":
                        words.append(f"{key}: version {before.raw.get('version')} -> {after.raw.get('version')}")
                    else:
                        words.append(f"{key}: {what} changed")
    return tuple(changes), tuple(words)


def application_files(targets: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in APPLICATION_SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError([problem("no_applications", file=str(path))])
    return out


def applications_in(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, checked Application) of a file: itself, or each line of a JSONL sample (``FILE:LINE``).

    A JSONL line that is blank is skipped; one that is not an application raises InputError
    placed at its line."""
    if path.suffix != ".jsonl":
        yield str(path), application_module.load(path)
        return
    from .source import parse_text

    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError([problem("cannot_read", file=str(path), reason=exc.strerror or str(exc))]) from None
    with handle:
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_SAMPLE_LINE_BYTES + 1), b""), start=1):
            if len(raw) > MAX_SAMPLE_LINE_BYTES:
                raise InputError([problem("sample_line_too_long", file=str(path), line=number, limit=MAX_SAMPLE_LINE_BYTES)])
            try:
                text = raw.decode("utf-8").strip()
                if not text:
                    continue
                yield f"{path}:{number}", application_module.check_document(parse_text(text))
            except UnicodeDecodeError as exc:
                raise InputError([problem("line_not_utf8", file=str(path), line=number, byte=exc.start + 1)]) from None
            except IcpRulesError as exc:  # each problem on the sample's line (a line is a whole document)
                raise InputError([dataclasses.replace(p, file=str(path), line=number if p.line in (None, 1) else p.line)
                                  for p in exc.problems]) from None


def _checklist(result: Any, lang: str) -> dict[tuple[str, str], str]:
    """Every line of a checklist that can appear or disappear: key -> words."""
    data = result.to_dict(lang)
    items: dict[tuple[str, str], str] = {}
    if not data["filing_required"]:
        items[("filing", "not_required")] = "no ICP filing required"
    for doc in data["required_documents"]:
        # a limit is part of the line: a document now accepted only 90 days old, not 180, is a change
        limits = [f"{name} {doc[name]}" for name in ("max_age_days", "min_validity_days", "max_age_months", "min_validity_months")
                  if name in doc]
        shown = f", {', '.join(limits)}" if limits else ""
        for target in doc["for"]:
            key = f"{doc['id']}|{target['kind']}|{target['ref']}|{'|'.join(limits)}"
            items[("document", key)] = f"{doc['id']} {doc['name']} (for {target['kind']} {target['ref']}{shown})"
    for finding in data["findings"]:
        ref = f" ({finding['ref']})" if finding.get("ref") else ""
        items[("finding", f"{finding['id']}|{finding['severity']}|{finding.get('ref')}")] = \
            f"{finding['id']} [{finding['severity']}]{ref}"
    footer = data["footer"]
    items[("footer", "number_kind")] = f"number_kind {footer['number_kind']}"
    items[("footer", "copyright_required")] = f"copyright_required {str(footer['copyright_required']).lower()}"
    return items


def checklist_change(old: RuleBook, new: RuleBook, application: Path | Any, as_of: dt.date | None = None,
                     lang: str = "en", name: str | None = None) -> ChecklistChange:
    """How one application's checklist changes (a path, or a checked Application with its ``name``)."""
    app = application_module.load(application)  # read and checked once, evaluated under both books
    before = old.evaluate(app, as_of=as_of)
    after = new.evaluate(app, as_of=as_of)
    a, b = _checklist(before, lang), _checklist(after, lang)
    added = tuple((kind, b[(kind, key)]) for kind, key in b if (kind, key) not in a)
    removed = tuple((kind, a[(kind, key)]) for kind, key in a if (kind, key) not in b)
    docs_before = {d.id: before.document_name(d.id, lang) for d in before.required_documents}
    docs_after = {d.id: after.document_name(d.id, lang) for d in after.required_documents}
    return ChecklistChange(name or str(application), after.application_id, after.province.key, added, removed,
                           tuple((i, n) for i, n in docs_after.items() if i not in docs_before),
                           tuple((i, n) for i, n in docs_before.items() if i not in docs_after))


def diff(old: RuleBook, new: RuleBook, applications: Iterable[str | Path] = (), *,
         as_of: dt.date | None = None, lang: str = "en") -> PackDiff:
    """Rules changed between two books, and how the checklists of ``applications`` (files or
    directories of them) change. A bad application raises InputError naming every problem."""
    rules, catalogue = rule_changes(old, new)
    results: list[ChecklistChange] = []
    problems: list[Problem] = []
    for path in application_files(applications):
        try:
            for name, app in applications_in(path):
                results.append(checklist_change(old, new, app, as_of, lang, name))
        except IcpRulesError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return PackDiff(str(old.directory), str(new.directory), rules, catalogue, tuple(results))
