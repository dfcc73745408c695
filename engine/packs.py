"""Step 3: rule packs — read, checked against the schema, parsed into rules, merged with the base.

A pack file is YAML (docs/rulepacks.md). ``load_pack`` turns one file into a ``Pack`` whose
rules carry parsed, type-checked conditions; ``merge`` lays a province pack over the national
one, honouring ``replaces`` and ``disables`` and refusing silent shadowing. Every problem is
collected with its file, line and column before anything is raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache, pack_schema, provinces
from .conditions import ConditionError, Environment, Node, Predicate, parse
from .errors import InputError, PackError, Problem, json_type, problem, type_names
from .facts import BY_NAME, CONTENT_CATEGORIES
from .source import PathKey, SourceMap, decode_text, parse_text, read_bytes
from .suggest import closest

if TYPE_CHECKING:  # jsonschema is imported only to check a pack the cache does not hold (~70 ms)
    import jsonschema

Text = Mapping[str, str]  # {"zh": …, "en": …}
LANGUAGES = ("zh", "en")
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")
MAX_PACK_BYTES = 4 * 1024 * 1024
KEEP_VERSIONS = 8  # cached versions of one pack file name (e.g. an old and a new national.yaml for diff)


@dataclass(frozen=True)
class Requirement:
    document: str  # the id the result entry carries (first alternative of any_of)
    any_of: tuple[str, ...]
    for_subject: bool
    max_age_days: int | None
    min_validity_days: int | None
    max_age_months: int | None = None  # a limit in calendar months (the source's unit), instead of days
    min_validity_months: int | None = None


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: str
    message: Text


@dataclass(frozen=True)
class SourceDoc:
    """A document a rule follows, from a pack's ``sources:`` registry (SPEC §7a)."""

    id: str
    publisher: str
    title: str
    authority: str  # administration | provider | third_party
    date: str | None = None
    url: str | None = None
    notes: str | None = None  # how it was read, copies, caveats: never printed

    def cite(self, section: str | None = None) -> str:
        """How a checklist names it: title (publisher, date), section, URL — all a person needs to find it."""
        # 《》 is how a Chinese title is set off; an English title gets quotation marks.
        title = f"《{self.title}》" if any("\u4e00" <= ch <= "\u9fff" for ch in self.title) else f"“{self.title}”"
        text = f"{title} ({self.publisher}, {self.date})" if self.date else f"{title} ({self.publisher})"
        if section:
            text += f", {section}"
        if self.url:
            text += f", {self.url}"
        return text


@dataclass(frozen=True)
class Citation:
    source: SourceDoc
    section: str | None = None


def cite(citations: Iterable[Citation]) -> str:
    """The readable form of a rule's sources: the one string the result and the checklist show."""
    return "; ".join(c.source.cite(c.section) for c in citations)


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    title: Text
    source: str  # the readable citation (``cite(sources)``), as the result carries it (SPEC §5)
    when: Node
    predicate: Predicate = field(compare=False, repr=False)
    for_each: str | None = None
    require: tuple[Requirement, ...] = ()
    reason: Text | None = None
    findings: tuple[FindingSpec, ...] = ()
    advice: Text | None = None  # a line of advice for the checklist
    footer: Mapping[str, Any] | None = None
    timeline: Mapping[str, int] | None = None
    filing_required: bool | None = None
    notes: str | None = None
    sources: tuple[Citation, ...] = ()
    replaces: str | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    review_by: dt.date | None = None
    file: str | None = None
    line: int | None = None

    @property
    def third_party_only(self) -> bool:
        """Backed only by third parties: such a rule may warn but not block (SPEC §7a)."""
        return bool(self.sources) and all(c.source.authority == "third_party" for c in self.sources)

    def in_force(self, on: dt.date) -> bool:
        """Half-open period: in force from effective_from (inclusive) until effective_until (exclusive)."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        if self.effective_until is not None and on >= self.effective_until:
            return False
        return True


@dataclass(frozen=True)
class DocumentType:
    id: str
    category: str
    name: Text
    description: Text | None = None


@dataclass(frozen=True)
class Disable:
    rule: str
    source: str  # readable citation, as for a rule
    notes: str | None = None
    sources: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Pack:
    """One pack file, parsed. Province packs are incomplete until merged with their base."""

    id: str
    version: str
    title: Text
    extends: str | None
    file: str
    content: bytes = field(repr=False)
    raw: Mapping[str, Any] = field(repr=False)
    source: SourceMap = field(repr=False)
    documents: Mapping[str, DocumentType] = field(default_factory=dict)
    categories: Mapping[str, Text] = field(default_factory=dict)
    findings: Mapping[str, Text] = field(default_factory=dict)
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: Mapping[str, SourceDoc] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    disables: tuple[Disable, ...] = ()
    fixtures: Mapping[str, Any] = field(default_factory=dict)
    tests: tuple[Mapping[str, Any], ...] = ()
    review_by: dt.date | None = None
    problems: tuple[Problem, ...] = ()  # schema problems that left the structure sound
    broken_rules: frozenset[int] = frozenset()  # indexes of rules too malformed to parse (see problems)

    @cached_property
    def _content_sha256(self) -> Any:  # hashlib's running hash of ``content`` (see ``merge``)
        return hashlib.sha256(self.content)

    @cached_property
    def _rules_alone(self) -> tuple[tuple[tuple[int, "Rule"], ...], list[Problem]]:
        """This pack's rules checked against its own catalogues, with their problems (see ``merge``).

        Worked out once: the national pack's rules are the same under each of the 31 provinces that
        leave its keyword lists alone, and checking them once instead of 32 times is most of what
        merging every pack costs. Catalogues only grow when a province is laid over, so rules with
        no problems here have none in any merge either.
        """
        return _check_rules(self, *_catalogues((self,), []))

    @cached_property
    def rule_index(self) -> Mapping[str, int]:
        """Each rule's place in this file's rules list (its path is ``$.rules[N]``)."""
        return {str(raw.get("id")): i for i, raw in enumerate(self.raw.get("rules") or []) if isinstance(raw, dict)}


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply in one province: the national pack with the province pack laid over it."""

    key: str  # province key, or "national" where no province pack exists
    packs: tuple[Pack, ...]  # base first
    rules: tuple[Rule, ...]
    documents: Mapping[str, DocumentType]
    categories: Mapping[str, Text]
    findings: Mapping[str, Text]
    fixtures: Mapping[str, Any]
    digest: str
    sources: Mapping[str, SourceDoc] = field(default_factory=dict)
    disables: tuple[Disable, ...] = ()  # the province's disables, with their citations resolved

    @property
    def pack(self) -> Pack:
        return self.packs[-1]

    # Orders used by every evaluation, worked out once (cached_property works on frozen dataclasses).
    @cached_property
    def rule_order(self) -> Mapping[str, int]:
        return {rule.id: i for i, rule in enumerate(self.rules)}

    @cached_property
    def document_order(self) -> Mapping[str, int]:
        return {doc_id: i for i, doc_id in enumerate(self.documents)}


@lru_cache(maxsize=1)  # the schema is fixed for the life of the process
def _schema() -> dict[str, Any]:
    return pack_schema.build()


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema

    cls = jsonschema.validators.validator_for(_schema())
    return cls(_schema(), format_checker=cls.FORMAT_CHECKER)


def _schema_problems(data: Any, source: SourceMap) -> tuple[list[Problem], bool, frozenset[int]]:
    """Schema problems; whether the pack as a whole is sound enough to check its meaning too; and
    the rules whose own structure is broken (they are skipped, so they hide nothing elsewhere)."""
    problems = []
    shape_ok = True
    broken_rules: set[int] = set()
    for err in _validator().iter_errors(data):
        leaf = most_specific(err)
        problems.extend(describe_errors(leaf, source))
        # A wrong value in a known place (an unknown fact name, say) leaves the structure intact,
        # so the semantic checks can still run and report everything else in the same pass.
        if leaf.validator in ("enum", "pattern", "format") or _missing_translation(leaf):
            continue
        where = tuple(leaf.absolute_path) or tuple(err.absolute_path)
        if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
            broken_rules.add(where[1])  # only this rule is skipped by the semantic pass
        elif not (where and where[0] in ("tests", "fixtures")):  # tests are checked when they run
            shape_ok = False
    unique = {(p.line, p.column, p.message): p for p in problems}
    ordered = sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0))
    return ordered, shape_ok, frozenset(broken_rules)


def _error_schema(err: jsonschema.ValidationError) -> Mapping[str, Any]:
    # typed as "maybe unset"; on an error raised by a schema keyword it is always the schema
    return err.schema if isinstance(err.schema, Mapping) else {}


def _missing_translation(err: jsonschema.ValidationError) -> bool:
    return err.validator == "required" and set(_error_schema(err).get("required", ())) == set(LANGUAGES)


def most_specific(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Inside recursive definitions (conditions, alternatives) the deepest error is the useful one."""
    while err.context:
        err = min(err.context, key=lambda e: -len(e.absolute_path))
    return err


def describe_errors(err: jsonschema.ValidationError, source: SourceMap) -> list[Problem]:
    """The problems one schema error stands for: one per unknown key (jsonschema gives a single
    ``additionalProperties`` error for all the unknown keys of a mapping), one per absent key, else one."""
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        return source.unknown_keys(err, "pack_unknown_key") or [
            source.problem(tuple(err.absolute_path) + ("?",), "pack_unknown_key", key=True, name="?")]
    if err.validator == "required" and isinstance(err.instance, dict) and not _missing_translation(err):
        # one error per absent key, each naming the whole list: say each absent key (the caller
        # drops the repeats), not the first one as many times as there are absent keys
        required = err.validator_value if isinstance(err.validator_value, list) else []
        absent = [str(name) for name in required if name not in err.instance]
        return [source.problem(tuple(err.absolute_path), "pack_missing_key", name=name) for name in absent or ["?"]]
    return [describe_error(err, source)]


def describe_error(err: jsonschema.ValidationError, source: SourceMap) -> Problem:
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        return describe_errors(err, source)[0]
    if err.validator == "enum":
        value: Any = err.validator_value
        options = [str(o) for o in value]
        suggestion = closest(err.instance, options)
        if path and path[-1] == "fact":
            return source.problem(path, "pack_unknown_fact", suggestion=suggestion, name=err.instance)
        if len(options) > 12:
            return source.problem(path, "pack_unknown_name", suggestion=suggestion, name=err.instance)
        return source.problem(path, "not_one_of", suggestion=suggestion, value=err.instance, options=options)
    if err.validator == "required":
        present = err.instance if isinstance(err.instance, dict) else {}
        required = err.validator_value if isinstance(err.validator_value, list) else []
        name = next((str(n) for n in required if n not in present), "?")
        if name in LANGUAGES and _missing_translation(err):
            return source.problem(path, "pack_missing_translation", name=name)
        return source.problem(path, "pack_missing_key", name=name)
    if err.validator == "format":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(err.instance)):
            try:
                dt.date.fromisoformat(str(err.instance))
            except ValueError:  # 2024-02-30: the shape is right, the day (or the month) does not exist
                month = int(str(err.instance)[5:7])
                return source.problem(path, "pack_date_no_day" if 1 <= month <= 12 else "pack_date_no_month",
                                      value=err.instance)
        return source.problem(path, "condition_not_date", value=err.instance)
    if err.validator == "oneOf" and isinstance(err.instance, dict):
        return source.problem(path, "pack_requirement_one_of")
    if err.validator == "not" and isinstance(err.instance, dict) and "require" in path:
        return source.problem(path, "pack_limit_days_or_months")
    if err.validator == "pattern":
        return source.problem(path, "pack_not_snake_case", value=err.instance)
    if err.validator == "type":
        return source.problem(path, "wrong_type", expected=type_names(err.validator_value), found=json_type(err.instance))
    return source.problem(path, "pack_schema_other", detail=err.message)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:  # already reported by the schema's date format check
        return None


def load_pack(path: str | Path, content: bytes | None = None) -> Pack:
    """Read and check one pack file on its own (names from its base are checked in ``merge``).

    ``content``: the pack's bytes when they come from elsewhere (a verified bundle); ``path`` then
    only names it in problems, and its file name must still be the pack's id.

    A pack that loads without a problem is remembered in the user cache (engine/cache.py), keyed
    by the file's exact bytes and path and by the code that checks it (``_code_key``): the next
    load of the same bytes skips reading the YAML and the JSON Schema. A pack with problems is
    never remembered, so its problems are found, with their positions, on every load.
    """
    file = str(path)
    try:
        if content is None:
            content = read_bytes(Path(path), MAX_PACK_BYTES)
        text = decode_text(content, file)
    except InputError as exc:  # unreadable, too large, binary, not UTF-8
        raise PackError(list(exc.problems)) from None
    # The path is not part of the key (a copy of a pack hits): the checks that read the file name run
    # on every load, in _pack. A file whose name is no pack id cannot load cleanly; it is not looked up.
    stem = Path(file).stem
    entry = f"pack-{stem}" if re.fullmatch(pack_schema.ID_PATTERN, stem) else None
    key = [_code_key(), content]
    remembered = cache.lookup(entry, key) if entry else None
    if remembered is not None:
        data, rule_positions = remembered
        return _pack(file, content, data, _RememberedSource(file, positions=dict(rule_positions), text=text))
    duplicates: list[Problem] = []
    try:
        document = parse_text(text, file, duplicates=duplicates)
    except PackError:
        raise
    except Exception as exc:  # InputError: not YAML, too deep, …
        problems = getattr(exc, "problems", None) or [problem("invalid_yaml", file=file, detail=str(exc))]
        raise PackError(list(problems)) from None
    data, source = document.data, document.source
    if not isinstance(data, dict):
        raise PackError([source.problem((), "pack_not_mapping")])
    problems, shape_ok, broken_rules = _schema_problems(data, source)
    problems = duplicates + problems  # a duplicate key keeps its first value; the rest is still checked
    if problems and not shape_ok:
        raise PackError(problems)
    pack = _pack(file, content, data, source, problems, broken_rules)
    if entry and not pack.problems:
        # Every load needs the line of each rule (Rule.line), running the pack's tests the line of
        # each test; any other position only explains a problem and is worked out when one is found.
        kept = [(part, i) for part in ("rules", "tests") for i in range(len(data.get(part) or ()))]
        cache.store(entry, key, (data, [(path, source.locate(path)) for path in kept]), keep=KEEP_VERSIONS)
    return pack


def _pack(file: str, content: bytes, data: dict[str, Any], source: SourceMap, problems: list[Problem] | None = None,
          broken_rules: frozenset[int] = frozenset()) -> Pack:
    """A Pack from schema-checked data: the checks that need the file name, then the catalogues."""
    problems = list(problems or ())
    expected = Path(file).stem
    if data["pack"] != expected:
        problems.append(source.problem(("pack",), "pack_file_name", pack=data["pack"], name=Path(file).name))
    if data["pack"] == "national" and data.get("extends"):
        problems.append(source.problem(("extends",), "pack_national_extends"))
    if data["pack"] != "national" and data.get("extends") != "national":
        problems.append(source.problem(("pack",), "pack_province_extends"))
    documents = {
        doc_id: DocumentType(doc_id, spec["category"], spec["name"], spec.get("description"))
        for doc_id, spec in (data.get("documents") or {}).items()
    }
    keywords = {name: tuple(words) for name, words in (data.get("keywords") or {}).items()}
    sources = {
        source_id: SourceDoc(source_id, spec["publisher"], spec["title"], spec["authority"], spec.get("date"),
                             spec.get("url"), spec.get("notes"))
        for source_id, spec in (data.get("sources") or {}).items()
    }
    # A disable cites the pack's own sources or the base's: resolved when merged (see ``merge``).
    return Pack(
        id=data["pack"], version=str(data["version"]), title=data["title"], extends=data.get("extends"),
        file=file, content=content, raw=data, source=source,
        documents=documents, categories=dict(data.get("categories") or {}),
        findings=dict(data.get("findings") or {}), keywords=keywords, sources=sources,
        disables=tuple(Disable(d["rule"], "", d.get("notes")) for d in data.get("disables") or []),
        fixtures=dict(data.get("fixtures") or {}), tests=tuple(data.get("tests") or ()),
        review_by=_date(data.get("review_by")), problems=tuple(problems), broken_rules=broken_rules,
    )


@lru_cache(maxsize=1)
def _code_key() -> bytes:
    """Everything besides a pack's bytes that decides whether it passes ``load_pack`` and what data
    it gives: the code that reads and checks it (this module, the YAML reader, the schema and the
    catalogues the schema is built from), the YAML and JSON Schema libraries, and the interpreter."""
    import importlib.util

    from . import conditions, facts, pack_schema, source

    digest = hashlib.sha256(sys.version.encode())
    for module in (sys.modules[__name__], conditions, facts, pack_schema, provinces, source):
        digest.update(Path(str(module.__file__)).read_bytes())
    # PyYAML's and the validator's versions without importing them (importing is what a warm cache
    # saves; a JSON check never imports PyYAML): an upgrade rewrites their files, so size and
    # modification time stand for the release, and libyaml's extension module for whether it is used.
    found = importlib.util.find_spec("yaml")
    if found is not None and found.origin:
        for file in [Path(found.origin), *sorted(Path(found.origin).parent.glob("_yaml*"))]:
            info = os.stat(file)
            digest.update(f"{file}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    spec = importlib.util.find_spec("jsonschema")
    if spec is not None and spec.origin:
        info = os.stat(spec.origin)
        digest.update(f"{spec.origin}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.digest()


class _RememberedSource(SourceMap):
    """The source map of a pack read from the cache: it holds only the positions of its rules and
    tests (see ``load_pack``). Any other position is asked for only to report a problem or a lint
    warning; the first such question composes the text again, once."""

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        if not key and not self._resolved:
            known = self.positions.get(tuple(path))
            if known is not None:
                return known
        return super().locate(path, key=key)  # composes the whole text once (SourceMap._ensure)


class _Checker:
    """Parses the rules of one pack against the merged catalogues, collecting problems."""

    def __init__(self, pack: Pack, documents: Mapping[str, DocumentType], categories: Mapping[str, Text],
                 findings: Mapping[str, Text], keywords: Mapping[str, tuple[str, ...]],
                 sources: Mapping[str, SourceDoc]):
        self.pack, self.documents, self.findings, self.keywords = pack, documents, findings, keywords
        self.sources = sources
        self.categories = frozenset(categories)
        self.problems: list[Problem] = []

    def problem(self, path: PathKey, message_id: str, suggestion: str | None = None, key: bool = False,
                **args: Any) -> None:
        self.problems.append(self.pack.source.problem(path, message_id, suggestion=suggestion, key=key, **args))

    def document(self, doc_id: str, path: PathKey) -> None:
        if doc_id not in self.documents:
            self.problem(path, "pack_unknown_document", closest(doc_id, self.documents), name=doc_id)

    def citations(self, raw: Any, path: PathKey) -> tuple[Citation, ...]:
        """The sources a rule or a disable cites, each looked up in the registry (this pack's or the base's)."""
        cited = []
        for index, item in enumerate(raw or ()):
            source = self.sources.get(item["id"])
            if source is None:
                self.problem(path + (index, "id"), "pack_unknown_source_province" if self.pack.extends
                             else "pack_unknown_source", closest(item["id"], self.sources), name=item["id"])
                continue
            cited.append(Citation(source, item.get("section")))
        return tuple(cited)

    def third_party_only(self, raw: Mapping[str, Any], path: PathKey, citations: tuple[Citation, ...]) -> None:
        """A rule backed only by third parties (blogs, mirrors, agencies) may warn but not block
        (SPEC §7a): no blocking finding, and no time limit, which refuses a document (a blocking
        document_too_old or certificate_expires_too_soon)."""
        cited = [c.source.id for c in citations]
        for index, spec in enumerate(raw.get("findings") or ()):
            if spec.get("severity") == "blocking":
                self.problem(path + ("findings", index, "severity"), "pack_third_party_blocking",
                             rule=raw["id"], sources=cited)
        for index, req in enumerate(raw.get("require") or ()):
            for limit in ("max_age_days", "max_age_months", "min_validity_days", "min_validity_months"):
                if limit in req:
                    self.problem(path + ("require", index, limit), "pack_third_party_limit",
                                 rule=raw["id"], sources=cited)

    def placeholders(self, text: Text, path: PathKey, scope: str) -> None:
        for lang in LANGUAGES:
            for name in PLACEHOLDER.findall(text.get(lang, "")):
                fact = BY_NAME.get(name)
                if fact is None:
                    self.problem(path + (lang,), "pack_text_unknown_fact", closest(name, BY_NAME), name=name)
                elif fact.scope not in ("application", scope):
                    self.problem(path + (lang,), "pack_text_fact_scope_application" if scope == "application"
                                 else "pack_text_fact_scope_item", name=name, scope=fact.scope, here=scope)

    def rule(self, raw: Mapping[str, Any], path: PathKey) -> Rule:
        scope = raw.get("for_each") or "application"
        env = Environment(scope, self.keywords, self.categories)
        errors: list[ConditionError] = []
        when = parse(raw.get("when"), path + ("when",), env, errors)
        for err in errors:
            self.problem(err.path, err.message_id, err.suggestion, key=err.key, **err.message_args)
        requirements = []
        for index, req in enumerate(raw.get("require") or ()):
            here = path + ("require", index)
            ids = tuple(req["any_of"]) if "any_of" in req else (req["document"],)
            for offset, doc_id in enumerate(ids):
                self.document(doc_id, here + (("any_of", offset) if "any_of" in req else ("document",)))
            requirements.append(Requirement(ids[0], ids if len(ids) > 1 else (), req.get("for") == "subject",
                                            req.get("max_age_days"), req.get("min_validity_days"),
                                            req.get("max_age_months"), req.get("min_validity_months")))
        findings = []
        for index, spec in enumerate(raw.get("findings") or ()):
            here = path + ("findings", index)
            if spec["id"] not in self.findings:
                self.problem(here + ("id",), "pack_unknown_finding", closest(spec["id"], self.findings), name=spec["id"])
            self.placeholders(spec["message"], here + ("message",), scope)
            findings.append(FindingSpec(spec["id"], spec["severity"], spec["message"]))
        if raw.get("reason"):
            self.placeholders(raw["reason"], path + ("reason",), scope)
        if raw.get("advice"):
            self.placeholders(raw["advice"], path + ("advice",), scope)
        if not (requirements or findings or raw.get("advice") or raw.get("footer") or raw.get("timeline")
                or "filing_required" in raw):
            self.problem(path, "pack_rule_no_effect", rule=raw["id"])
        start, until = _date(raw.get("effective_from")), _date(raw.get("effective_until"))
        if start and until and until <= start:
            self.problem(path + ("effective_until",), "pack_effective_order")
        line, _ = self.pack.source.locate(path)
        citations = self.citations(raw.get("sources"), path + ("sources",))
        if citations and all(c.source.authority == "third_party" for c in citations):
            self.third_party_only(raw, path, citations)
        return Rule(
            id=raw["id"], pack=self.pack.id, title=raw["title"], source=cite(citations), sources=citations, when=when,
            predicate=when.compile(), for_each=raw.get("for_each"), require=tuple(requirements),
            reason=raw.get("reason"), findings=tuple(findings), advice=raw.get("advice"), footer=raw.get("footer"),
            timeline=raw.get("timeline"), filing_required=raw.get("filing_required"), notes=raw.get("notes"),
            replaces=raw.get("replaces"), effective_from=start, effective_until=until,
            review_by=_date(raw.get("review_by")), file=self.pack.file, line=line,
        )


def _catalogues(packs: Iterable[Pack], checker_problems: list[Problem]) -> tuple[dict[str, DocumentType], dict[str, Text], dict[str, Text], dict[str, tuple[str, ...]], dict[str, SourceDoc]]:
    sources: dict[str, SourceDoc] = {}
    documents: dict[str, DocumentType] = {}
    categories: dict[str, Text] = {}
    findings: dict[str, Text] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for pack in packs:
        for doc_id, doc in pack.documents.items():
            if doc_id in documents:
                checker_problems.append(pack.source.problem(("documents", doc_id), "pack_document_redefined", key=True, name=doc_id))
            documents[doc_id] = doc
        for name, text in pack.categories.items():
            if name in categories:
                checker_problems.append(pack.source.problem(("categories", name), "pack_category_redefined", key=True, name=name))
            categories[name] = text
        for name, text in pack.findings.items():
            if name in findings:
                checker_problems.append(pack.source.problem(("findings", name), "pack_finding_redefined", key=True, name=name))
            findings[name] = text
        keywords.update(pack.keywords)  # a province may redefine a keyword list by name
        for source_id, cited in pack.sources.items():
            if source_id in sources:
                checker_problems.append(pack.source.problem(("sources", source_id), "pack_source_redefined", key=True, name=source_id))
            sources[source_id] = cited
    return documents, categories, findings, keywords, sources


def _check_rules(pack: Pack, documents: Mapping[str, DocumentType], categories: Mapping[str, Text],
                 findings: Mapping[str, Text], keywords: Mapping[str, tuple[str, ...]],
                 sources: Mapping[str, SourceDoc]) -> tuple[tuple[tuple[int, Rule], ...], list[Problem]]:
    """The rules of ``pack`` parsed against these catalogues, each with its index in the file, and
    the problems found. A rule too malformed to parse is skipped, the others are still checked."""
    checker = _Checker(pack, documents, categories, findings, keywords, sources)
    indexed = tuple((i, checker.rule(raw, ("rules", i))) for i, raw in enumerate(pack.raw.get("rules") or [])
                    if i not in pack.broken_rules)
    seen: dict[str, int] = {}
    for i, rule in indexed:
        if rule.id in seen:
            first_line, _ = pack.source.locate(("rules", seen[rule.id]))
            checker.problem(("rules", i, "id"), "pack_duplicate_rule", rule=rule.id, index=seen[rule.id] + 1, first=first_line)
        seen.setdefault(rule.id, i)
    return indexed, checker.problems


def _same_keywords(base: Pack, keywords: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the merged keyword lists give every list the base defines the base's own words."""
    return all(keywords.get(name) == words for name, words in base.keywords.items())


def merge(base: Pack, province: Pack | None) -> RuleSet:
    """The rules of one province: ``base`` with ``province`` laid over it (or the base alone)."""
    packs = (base,) if province is None else (base, province)
    problems: list[Problem] = [p for pack in packs for p in pack.problems]
    documents, categories, findings, keywords, sources = _catalogues(packs, problems)
    missing = [c for c in CONTENT_CATEGORIES if c not in categories]
    if missing:
        problems.append(base.source.problem(("categories",), "pack_categories_unnamed", names=missing))
    parsed: list[tuple[tuple[int, Rule], ...]] = []
    for pack in packs:
        if pack is base:
            # The base's rules come out the same under every province (checked once per Pack), unless
            # the province renames a keyword list they use; a broken base is checked again below so
            # its problems are reported against the catalogues of this very merge, as always.
            indexed, found = base._rules_alone
            if province is None or (not found and _same_keywords(base, keywords)):
                problems.extend(found)
                parsed.append(indexed)
                continue
        indexed, found = _check_rules(pack, documents, categories, findings, keywords, sources)
        problems.extend(found)
        parsed.append(indexed)

    rules = [rule for _, rule in parsed[0]]
    disables: tuple[Disable, ...] = ()
    if province is not None:
        # A disable's sources are looked up like a rule's (its own pack's registry and the base's).
        checker = _Checker(province, documents, categories, findings, keywords, sources)
        cited = []
        for i, (disable, raw) in enumerate(zip(province.disables, province.raw.get("disables") or ())):
            citations = checker.citations(raw.get("sources"), ("disables", i, "sources"))
            cited.append(Disable(disable.rule, cite(citations), disable.notes, citations))
        disables = tuple(cited)
        problems.extend(checker.problems)
        base_ids = {r.id: i for i, r in enumerate(rules)}
        removed: set[str] = set()
        for i, disable in enumerate(disables):
            if disable.rule not in base_ids:
                problems.append(province.source.problem(("disables", i, "rule"), "pack_disable_unknown", rule=disable.rule,
                                                        suggestion=closest(disable.rule, base_ids)))
            removed.add(disable.rule)
        replacements: dict[str, Rule] = {}
        extra: list[Rule] = []
        for i, rule in parsed[1]:
            if rule.replaces:
                if rule.replaces not in base_ids:
                    problems.append(province.source.problem(("rules", i, "replaces"), "pack_replace_unknown", rule=rule.replaces,
                                                            suggestion=closest(rule.replaces, base_ids)))
                elif rule.replaces in replacements:
                    problems.append(province.source.problem(("rules", i, "replaces"), "pack_replaced_twice", rule=rule.replaces))
                replacements[rule.replaces] = rule
            elif rule.id in base_ids:
                problems.append(province.source.problem(("rules", i, "id"), "pack_rule_national_id", rule=rule.id))
            else:
                extra.append(rule)
            if rule.id in base_ids and rule.replaces != rule.id and rule.replaces is not None:
                problems.append(province.source.problem(("rules", i, "id"), "pack_rule_national_other", rule=rule.id))
        merged = []
        for rule in rules:
            if rule.id in removed:
                continue
            merged.append(replacements.get(rule.id, rule))
        rules = merged + extra
    if problems:
        # The schema and the semantic checks may both see one mistake: report it once. Keys missing
        # from one mapping are located at that mapping, each a mistake of its own.
        unique: dict[tuple[Any, ...], Problem] = {}
        for p in problems:
            unique.setdefault((p.file, p.line, p.column, p.args if p.id == "pack_missing_key" else None), p)
        raise PackError(sorted(unique.values(), key=lambda p: (p.file or "", p.line or 0, p.column or 0)))
    # "sha256 of the packs used": the bytes of the base file followed by the province file (the
    # base's share is hashed once per Pack, not again for each of the 31 provinces).
    running = base._content_sha256.copy()
    if province is not None:
        running.update(province.content)
    digest = running.hexdigest()
    fixtures: dict[str, Any] = {}
    for pack in packs:
        fixtures.update(pack.fixtures)
    key = province.id if province is not None else base.id
    return RuleSet(key, packs, tuple(rules), documents, categories, findings, fixtures, digest, sources, disables)
