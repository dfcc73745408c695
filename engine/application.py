"""Step 1 of the flow: read a filing application, check it, and fill in its defaults.

Checks come in two layers: the JSON Schema (field names, types, enums, dates) and the checks a
schema cannot express (province spellings, ID-card and credit-code checksums, domain syntax).
Every problem found is reported at once, located in the file it came from.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import re
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import fastjsonschema

from . import bundled, provinces
from .errors import ApplicationError, InputError, Problem, json_type, problem
from .names import boolean_word, bundled_category_names, synonym
from .source import Document, PathKey, SourceMap, json_path, load_file, refuse_lone_surrogates
from .suggest import closest
from .text import first_surrogate, mask, mask_numbers, normalise, number_shapes

if TYPE_CHECKING:
    import jsonschema

UNIT_CERTIFICATES = frozenset(
    {"business_license", "institution_certificate", "social_organization_certificate",
     "law_firm_license", "government_certificate"}
)
# 港澳台居民居住证 numbers follow the ID-card layout with region 81 (HK), 82 (Macau), 83 (Taiwan).
ID_LAYOUT_CERTIFICATES = frozenset({"id_card", "hk_macau_residence_permit", "taiwan_residence_permit"})


@dataclass(frozen=True)
class Application:
    """A checked application: plain data with defaults filled and dates parsed."""

    data: dict[str, Any]
    province: provinces.Province
    submitted_on: dt.date | None
    source: SourceMap | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    # certificate_number() of each certificate, by its path ("principal", "certificate"), worked
    # out once while checking: python-stdnum's compact form costs ~9 µs a number
    certificate_numbers: Mapping[PathKey, str] = field(default_factory=dict)

    def certificate_number(self, path: PathKey) -> str:
        """The canonical number of the certificate at ``path`` (see ``certificate_number``)."""
        found = self.certificate_numbers.get(path)
        return found if found is not None else certificate_number(_at(self.data, path))


    @property
    def application_id(self) -> str | None:
        value = self.data.get("application_id")
        return None if value is None else str(value)


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _certificate_paths(data: Mapping[str, Any]) -> list[PathKey]:
    """Where an application holds certificates: the subject's, the principal's, website and app managers'."""
    paths: list[PathKey] = [("subject", "certificate"), ("principal", "certificate")]
    for list_name in ("websites", "apps"):
        paths += [(list_name, index, "manager", "certificate")
                  for index, item in enumerate(data.get(list_name) or []) if item.get("manager")]
    return paths


@lru_cache(maxsize=1)  # one validator per process; the schema file does not change while running
def _validator() -> jsonschema.protocols.Validator:
    # jsonschema is only needed to explain an invalid application (the compiled check says whether
    # it is valid); importing it costs over 100 ms of every cold start, so it waits until then.
    import jsonschema

    schema = bundled.schema("application")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_iso_date(text: str) -> bool:
    """The date format exactly as jsonschema checks it: YYYY-MM-DD and a real date."""
    if not _FULL_DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


_FORMATS = {"date": _is_iso_date}


# Written where a date goes by people whose certificate never expires (长期有效 on the card).
NO_EXPIRY_WORDS = frozenset({"长期", "长期有效", "永久", "永久有效", "无期限", "long-term", "long term", "permanent",
                             "never", "none"})

COMPILED_SCHEMA = Path(__file__).with_name("compiled_application_schema.py")


def _schema_digest(schema: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def compiled_schema_source() -> str:
    """The text of engine/compiled_application_schema.py: the application schema as Python code.

    Generating and compiling that code with fastjsonschema costs 40-100 ms, a third of a cold
    `icp-rules check`; as a module of the package it is compiled once, like the rest of the engine.
    """
    schema = bundled.schema("application")
    # compile_to_code() rewrites $refs inside the schema it is given: hand it a copy of the shared one
    code = fastjsonschema.compile_to_code(copy.deepcopy(schema), formats=_FORMATS, detailed_exceptions=False)
    entry = re.search(r"^def (\w+)\(", code, re.MULTILINE)  # the schema's own function comes first
    assert entry is not None, "fastjsonschema generated no function"
    return (f"# Generated from schemas/application.schema.json by fastjsonschema {fastjsonschema.VERSION}: do not edit.\n"
            f"# After changing the schema, regenerate it with `make compiled-schema` (a test says when).\n"
            f"# mypy: ignore-errors\n"
            f"SCHEMA_DIGEST = {_schema_digest(schema)!r}\n\n{code.rstrip()}\n\n\nvalidate = {entry.group(1)}\n")


def write_compiled_schema() -> None:
    COMPILED_SCHEMA.write_text(compiled_schema_source(), encoding="utf-8")


@lru_cache(maxsize=1)
def _fast_validator() -> Callable[[Any], Any]:
    """The same schema compiled to Python code: about 20 times faster than jsonschema.

    It only answers "valid or not"; when it says "not", jsonschema runs to find every problem
    with its path. Its date format is the same real-date check jsonschema applies, and a test
    keeps the two in agreement (it is never more lenient).
    """
    from . import compiled_application_schema as compiled

    schema = bundled.schema("application")
    if compiled.SCHEMA_DIGEST == _schema_digest(schema):
        return partial(compiled.validate, custom_formats=_FORMATS)
    # The schema changed since the module was generated (a test fails until it is regenerated):
    # compile it here, slower but never out of date.
    return fastjsonschema.compile(copy.deepcopy(schema), formats=_FORMATS, detailed_exceptions=False)


def _schema_valid(data: dict[str, Any]) -> bool:
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def load(source: "str | PathLike[str] | Mapping[str, Any] | Application", *,
         max_bytes: int | None = None) -> Application:
    """Read and check an application from a path or an already-parsed mapping.

    ``max_bytes`` limits the size of a file (default: ``ICP_RULES_MAX_BYTES``, else 1 MiB).
    """
    if isinstance(source, Application):
        return source
    if isinstance(source, Mapping):
        texts: list[Any] = []
        data = _as_input(dict(source), _shape(), texts)
        # a caller's str may hold a lone surrogate: one search over every text and key at once,
        # and only when it finds one the walk that names the field
        try:
            surrogate = first_surrogate("\x00".join(texts)) >= 0
        except TypeError:  # a key that is not text: the walk says what it says about it
            surrogate = True
        if surrogate:
            refuse_lone_surrogates(Document(data, SourceMap(None)))
        return check(data, SourceMap(None), coerced=True)
    if not isinstance(source, (str, PathLike)):
        raise ApplicationError([problem("application_argument", kind=type(source).__name__)])
    document = load_file(source, max_bytes=max_bytes)
    return check_document(document)


def _dates_as_text(value: Any) -> Any:
    """A mapping from yaml.safe_load holds date objects where JSON holds ISO text: accept both."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dt.date):  # a datetime too: not a plain date, and the schema will say so
        return value.isoformat()
    return value


def as_written(document: Document) -> Any:
    """A document's data as the application check reads it: numbers that YAML read where the schema
    wants text (an unquoted ID number) as their characters, dates as YYYY-MM-DD text."""
    if not isinstance(document.data, dict):
        return document.data
    data = _dates_as_text(document.data)
    return data if document.source.exact_types else _coerce_strings(data, document.source)


# Where programs habitually wrap what they send ({"application": {...}}): the application is the
# document itself, so a wrapped one is refused with a message that says so, rather than as an
# application missing every field, with an unknown field whose closest name is application_id.
WRAPPER_KEYS = ("application", "data", "payload", "body", "request")


def wrapped_in(data: Any) -> str | None:
    """The key a document wraps an application in, or None: a mapping without filing_province whose
    ``application`` (or ``data``, ``payload``… holding application fields) is a mapping."""
    if not isinstance(data, dict) or "filing_province" in data:
        return None
    fields = bundled.schema("application")["properties"]
    for key in WRAPPER_KEYS:
        inner = data.get(key)
        if isinstance(inner, dict) and (key == "application" or any(name in fields for name in inner)):
            return key
    return None


def check_document(document: Document) -> Application:
    if not isinstance(document.data, dict):
        raise ApplicationError([document.source.problem((), "not_a_mapping_application")])
    return check(document.data, document.source)


def check(data: dict[str, Any], source: SourceMap, *, coerced: bool = False) -> Application:
    """``coerced``: numbers where the schema wants text are already text (``_as_input`` did it)."""
    if not source.exact_types and not coerced:  # JSON says what it means: "name": 0 is a number, and an error
        data = _coerce_strings(data, source)
    problems = [] if _schema_valid(data) else _schema_problems(data, source)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
    wrapper = wrapped_in(data) if problems else None
    if wrapper is not None:  # one problem that says what is wrong, not every field missing (a file, a batch line)
        problems = [source.problem((wrapper,), "application_wrapped", key=True, name=wrapper)]
    if problems:
        raise ApplicationError(without_numbers(problems, data))
    found: list[Problem] = []
    province = provinces.resolve(data["filing_province"])
    if province is None:
        found.append(source.problem(("filing_province",), "unknown_province", value=data["filing_province"],
                                    suggestion=provinces.suggest(data["filing_province"])))
    numbers = {path: _check_certificate(_at(data, path), path, source, found) for path in _certificate_paths(data)}
    for index, website in enumerate(data.get("websites") or []):
        for d_index, name in enumerate(website["domains"]):
            _check_domain(name, ("websites", index, "domains", d_index), source, found)
    for index, app in enumerate(data.get("apps") or []):
        _check_app(app, index, data.get("service_type", "website"), source, found)
        for d_index, name in enumerate(app.get("domains") or []):
            _check_domain(name, ("apps", index, "domains", d_index), source, found)
    for index, domain in enumerate(data.get("domains") or []):
        _check_domain(domain["name"], ("domains", index, "name"), source, found)
    # Already filed domains count towards the prefix limits, so they must be real domain names too.
    for index, name in enumerate((data["subject"].get("existing") or {}).get("filed_domains") or []):
        _check_domain(name, ("subject", "existing", "filed_domains", index), source, found)
    _one_number_one_person(data, numbers, source, found)
    _names_are_not_numbers(data, numbers, source, found)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise ApplicationError(without_numbers(errors, data))
    assert province is not None
    return Application(
        data=_with_defaults(data),
        province=province,
        submitted_on=parse_date(data.get("submitted_on")),
        source=source,
        warnings=tuple(p for p in found if p.severity == "warning"),
        certificate_numbers=numbers,
    )


# What tells two people apart besides their certificate: a person's name and identity, and the
# certificate's own details.
_PERSON_FIELDS = ("name", "identity", "birth_date")
_CERTIFICATE_FIELDS = ("type", "expires_on")


def _one_number_one_person(data: Mapping[str, Any], numbers: Mapping[PathKey, str], source: SourceMap,
                           found: list[Problem]) -> None:
    """One certificate number is one person (SPEC §7): the same number given for two people (the
    principal, website managers: the people facts tell apart by number) whose names or details
    differ is a mistake, and merging them silently lost documents (Sichuan's employment proof).
    Each such pair is an error naming both places."""
    first: dict[str, PathKey] = {}
    for path, number in numbers.items():
        if not number or path == ("subject", "certificate"):  # people are the principal and managers (facts)
            continue
        if number not in first:
            first[number] = path
            continue
        earlier = first[number]
        one, other = _at(data, earlier[:-1]), _at(data, path[:-1])
        cert_one, cert_other = one["certificate"], other["certificate"]
        differ = [name for name in _PERSON_FIELDS if name in one and name in other and _differs(one[name], other[name])]
        differ += [f"certificate_{name}" for name in _CERTIFICATE_FIELDS
                   if name in cert_one and name in cert_other and _differs(cert_one[name], cert_other[name])]
        if differ:
            line = source.locate(earlier + ("number",))[0]
            where = json_path(earlier + ("number",))
            found.append(source.problem(path + ("number",), "one_number_two_people", where=where, first=line or None,
                                        fields=differ))


def _names_are_not_numbers(data: Mapping[str, Any], numbers: Mapping[PathKey, str], source: SourceMap,
                           found: list[Problem]) -> None:
    """A certificate number typed where a name goes (the two fields swapped, or the number pasted
    twice) is a mistake: the checklist shows names unmasked, so it would print the number."""
    given = {normalise(str(n)).upper() for n in numbers.values() if n}
    paths: list[PathKey] = [("subject", "name"), ("principal", "name")]
    for group in ("websites", "apps"):
        paths += [(group, index, "manager", "name") for index, item in enumerate(data.get(group) or [])
                  if isinstance(item.get("manager"), Mapping)]
    paths += [("domains", index, "registrant_name") for index in range(len(data.get("domains") or []))]
    for path in paths:
        name = _at(data, path)
        if not isinstance(name, str):
            continue
        if normalise(name).upper() in given or number_shapes().fullmatch(normalise(name)):
            found.append(source.problem(path, "name_is_number"))


def _differs(one: Any, other: Any) -> bool:
    if isinstance(one, str) and isinstance(other, str):
        return normalise(one) != normalise(other)
    return str(one) != str(other)


def without_numbers(problems: list[Problem], data: Any) -> list[Problem]:
    """The problems with every certificate number they quote masked: the numbers the application
    gives for its certificates, wherever a message repeats them (an ID typed into `identity`), and
    anything shaped like one. Messages reach stderr, HTTP 422 bodies and batch error lines."""
    known = sorted({str(n).strip() for n in _numbers_given(data)} - {""}, key=len, reverse=True)

    def clean(text: str) -> str:
        for number in known:
            if len(number) >= 5 and number in text:
                text = text.replace(number, mask(number))
        return mask_numbers(text)

    def clean_value(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(clean_value(v) for v in value)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            text = str(value)
            cleaned = clean(text)
            return value if cleaned == text else cleaned
        return value

    # the message's arguments too: a problem from the catalogue is worded from them when shown
    return [dataclasses.replace(p, message=clean(p.message), suggestion=clean(p.suggestion) if p.suggestion else None,
                                path=clean(p.path), args=tuple((k, clean_value(v)) for k, v in p.args))
            for p in problems]


def _numbers_given(data: Any) -> Iterator[Any]:
    """Every certificate number in a (possibly malformed) application: the value of "number" in
    any mapping held under "certificate"."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            cert = value.get("certificate")
            if isinstance(cert, dict) and isinstance(cert.get("number"), (str, int)):
                yield cert["number"]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def field_problems(document: Document) -> list[Problem]:
    """The checks beyond the schema (province spelling, ID and credit-code checksums, domain names)
    on whatever an unfinished application already holds, where it has the right shape: the intake
    page checks each field as it is filled, before the schema as a whole is satisfied."""
    data = as_written(document)
    if not isinstance(data, dict):
        return []
    source, found = document.source, []

    def texts(value: Any) -> list[tuple[int, str]]:
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []

    province = data.get("filing_province")
    if isinstance(province, (str, int)) and not isinstance(province, bool) and provinces.resolve(province) is None:
        found.append(source.problem(("filing_province",), "unknown_province", value=province,
                                    suggestion=provinces.suggest(province)))
    people: list[tuple[PathKey, Any]] = [(("subject",), data.get("subject")), (("principal",), data.get("principal"))]
    for group in ("websites", "apps"):
        items = data.get(group)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                people.append(((group, index, "manager"), item.get("manager")))
                for d_index, name in texts(item.get("domains")):
                    _check_domain(name, (group, index, "domains", d_index), source, found)
    for path, holder in people:
        cert = holder.get("certificate") if isinstance(holder, dict) else None
        if isinstance(cert, dict) and isinstance(cert.get("type"), str) and isinstance(cert.get("number"), str) \
                and cert["number"].strip():
            _check_certificate(cert, path + ("certificate",), source, found)
    domains = data.get("domains")
    for index, domain in enumerate(domains if isinstance(domains, list) else []):
        if isinstance(domain, dict) and isinstance(domain.get("name"), str):
            _check_domain(domain["name"], ("domains", index, "name"), source, found)
    return found


def as_of_date(value: dt.date | str | None) -> dt.date | None:
    """The date rules are evaluated on, as a caller gave it (a date or YYYY-MM-DD), else InputError."""
    if not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError([problem("as_of_not_date", path="as_of", value=value)]) from None


def parse_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return _iso_date(str(value))


# Checking and deriving read each date of an application several times, and dates repeat
# across applications (a day's submissions, a subject's certificates).
_iso_date = lru_cache(maxsize=8192)(dt.date.fromisoformat)


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out.setdefault("filing_type", "first_filing")
    out.setdefault("service_type", "website")
    out.setdefault("operating", False)
    server = dict(out.get("server") or {})
    server.setdefault("location", "mainland")
    out["server"] = server
    subject = dict(out["subject"])
    subject.setdefault("name_changed", False)
    subject["existing"] = dict(subject.get("existing") or {})
    out["subject"] = subject
    out.setdefault("websites", [])
    kind = app_kind_default(out["service_type"])
    out["apps"] = [dict(app, kind=app.get("kind") or kind) for app in out.get("apps") or []]
    out.setdefault("domains", [])
    out.setdefault("documents_on_hand", [])
    return out


class _Shape(NamedTuple):
    """What the application schema says of one place, resolved once: whether it wants text (a
    number there is coerced to its characters), and the shapes of its properties or items."""

    wants_text: bool
    properties: "dict[str, _Shape] | None"
    items: "_Shape | None"


@lru_cache(maxsize=1)
def _shape() -> _Shape:
    """The application schema's shape (``_coerce_strings`` follows it instead of the schema's
    dicts, ``$ref`` by ``$ref``, on every call)."""
    root = bundled.schema("application")
    made: dict[int, _Shape] = {}

    def shape(schema: Mapping[str, Any]) -> _Shape:
        if "$ref" in schema:
            schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
        found = made.get(id(schema))
        if found is not None:
            return found
        kind = schema.get("type")
        wants_text = kind == "string" or (isinstance(kind, list) and "string" in kind)
        # recursion in the schema would need a placeholder; the application schema has none
        properties = {k: shape(v) for k, v in schema["properties"].items()} if "properties" in schema else None
        items = shape(schema["items"]) if "items" in schema else None
        found = made[id(schema)] = _Shape(wants_text, properties, items)
        return found

    return shape(root)


def _coerce_strings(value: Any, source: SourceMap, shape: "_Shape | None" = None, path: PathKey = ()) -> Any:
    """YAML reads an unquoted ID number or province code as a number; the schema wants text.

    Where the schema allows only a string (or a string or integer) and YAML gave a number, use the
    characters as written, so 44030519900101123X and 0755… keep their exact spelling.
    """
    if shape is None:
        shape = _shape()
    if isinstance(value, dict) and shape.properties is not None:
        props = shape.properties
        return {k: (_coerce_strings(v, source, props[k], path + (k,)) if k in props else v) for k, v in value.items()}
    if isinstance(value, list) and shape.items is not None:
        items = shape.items
        return [_coerce_strings(v, source, items, path + (i,)) for i, v in enumerate(value)]
    if shape.wants_text and isinstance(value, (int, float)) and not isinstance(value, bool):
        return source.raw.get(path, str(value))
    return value


def _as_input(value: Any, shape: "_Shape | None", texts: list[Any]) -> Any:
    """A caller's mapping as ``check`` reads it, in one walk: a copy (``_dates_as_text``: dates as
    ISO text) with numbers coerced where the schema wants text (``_coerce_strings``: a mapping has
    no raw text, so a number becomes ``str(number)``); every text and key is added to ``texts``
    (for the lone-surrogate search). Text, booleans and None, most of an application, are taken
    as they are without a call."""
    if isinstance(value, dict):
        texts.extend(value)
        props = shape.properties if shape is not None else None
        out = {}
        for key, inner in value.items():
            kind = type(inner)
            if kind is str:
                texts.append(inner)
                out[key] = inner
            elif kind is bool or inner is None:
                out[key] = inner
            else:
                out[key] = _as_input(inner, props.get(key) if props is not None else None, texts)
        return out
    if isinstance(value, list):
        items = shape.items if shape is not None else None
        out_list = []
        for inner in value:
            if type(inner) is str:
                texts.append(inner)
                out_list.append(inner)
            else:
                out_list.append(_as_input(inner, items, texts))
        return out_list
    if isinstance(value, dt.date):  # a datetime too: not a plain date, and the schema will say so
        value = value.isoformat()
        texts.append(value)
        return value
    if shape is not None and shape.wants_text and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):  # a subclass of str
        texts.append(value)
    return value


def _missing_field(err: jsonschema.ValidationError) -> str:
    """The required field a ``required`` error is about, from the data rather than jsonschema's wording."""
    present = err.instance if isinstance(err.instance, Mapping) else {}
    required = err.validator_value if isinstance(err.validator_value, list) else []
    return next((str(name) for name in required if name not in present), "?")


def _misspelt(err: jsonschema.ValidationError) -> dict[str, str]:
    """For an ``additionalProperties`` error: each unknown field that is a near miss of a known one."""
    if err.validator != "additionalProperties" or not isinstance(err.instance, Mapping):
        return {}
    schema: Mapping[str, Any] = err.schema if isinstance(err.schema, Mapping) else {}
    allowed = list((schema.get("properties") or {}).keys())
    return {str(name): hit for name in err.instance if name not in allowed
            if (hit := closest(str(name), allowed)) is not None}


def _schema_problems(data: dict[str, Any], source: SourceMap) -> list[Problem]:
    """Every schema problem, but a required field that is only misspelt is reported once: as the
    unknown field with its suggestion, not again as missing."""
    errors = list(_validator().iter_errors(data))
    misspelt = {(tuple(err.absolute_path), right) for err in errors for right in _misspelt(err).values()}
    # jsonschema gives one ``required`` error per missing field, in the order of the schema's list,
    # each with the whole list: the nth error at a place is about the nth field absent there.
    absent: dict[tuple[Any, ...], list[str]] = {}
    out: list[Problem] = []
    for err in errors:
        if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
            # one error for all the unknown fields of a mapping: each is reported (a misspelt
            # required field is reported only here, so none may be left out)
            out.extend(source.unknown_keys(err, "unknown_field"))
            continue
        if err.validator != "required":
            out.append(_schema_problem(err, source))
            continue
        where = tuple(err.absolute_path)
        if where not in absent:
            present = err.instance if isinstance(err.instance, Mapping) else {}
            required = err.validator_value if isinstance(err.validator_value, list) else []
            absent[where] = [str(name) for name in required if name not in present]
        name = absent[where].pop(0) if absent[where] else _missing_field(err)
        if (where, name) not in misspelt:
            out.append(source.problem(where, "missing_field", name=name))
    return out


def _schema_problem(err: jsonschema.ValidationError, source: SourceMap) -> Problem:
    path = tuple(err.absolute_path)
    validator = err.validator
    # jsonschema types these as "maybe unset"; on an error raised by a keyword they are always set
    schema: Mapping[str, Any] = err.schema if isinstance(err.schema, Mapping) else {}
    value: Any = err.validator_value
    if validator == "additionalProperties":
        return (source.unknown_keys(err, "unknown_field") or [source.problem(path, "unknown_field", name="?")])[0]
    if validator == "required":
        return source.problem(path, "missing_field", name=_missing_field(err))
    if validator == "enum":
        options = [str(o) for o in value]
        # 企业 or company for enterprise: another word for a value suggests that value
        meant = synonym(err.instance, options) or closest(err.instance, options)
        return source.problem(path, "not_one_of", value=err.instance, options=options, suggestion=meant)
    if validator == "type":
        expected: list[str] = value if isinstance(value, list) else [value]
        if err.instance is None:  # `name:` with nothing after it, as a template leaves it
            if schema.get("format") == "date":  # text to the schema, but a person writes a date
                return source.problem(path, "fill_in_date")
            return source.problem(path, "fill_in", expected=expected)
        # 是 or "true" where true or false goes: say which
        meant_bool = boolean_word(err.instance) if "boolean" in expected else None
        return source.problem(path, "wrong_type", expected=expected, found=json_type(err.instance), suggestion=meant_bool)
    if validator == "format" and value == "date":
        if str(err.instance).strip() in NO_EXPIRY_WORDS:
            return source.problem(path, "date_forever", value=err.instance)
        return source.problem(path, "not_a_date", value=err.instance)
    if validator == "minimum":
        return source.problem(path, "at_least", minimum=value, value=err.instance)
    if validator in ("maxLength", "maxItems"):
        return source.problem(path, "too_long", limit=value)
    if validator in ("minLength", "minItems"):
        return source.problem(path, "empty_value")
    if validator == "pattern" and path and path[-1] == "signature_md5":
        return source.problem(path, "signature_md5_invalid", value=err.instance)
    if validator == "pattern":
        # 教育 or Education for education: the category meant, by the national pack's names
        meant = synonym(err.instance, bundled_category_names(), bundled_category_names())
        return source.problem(path, "not_snake_case", value=err.instance, suggestion=meant)
    return source.problem(path, "schema_other", detail=err.message)


def _check_certificate(cert: dict[str, Any], path: PathKey, source: SourceMap, found: list[Problem]) -> str:
    """Problems of the certificate's number go to ``found``; returns its certificate_number."""
    compact, message, args = _certificate_verdict(cert["type"], str(cert["number"]))
    if message is not None:
        named: dict[str, Any] = dict(args)
        found.append(source.problem(path + ("number",), message, **named))
    return compact


# A pure function of the certificate's type and number: the people of an intake form are checked
# again at every change, and a subject's principal files again with each of its services.
@lru_cache(maxsize=8192)
def _certificate_verdict(kind: str, text: str) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    """The certificate_number of a certificate, and what is wrong with its number (a message id
    and the problem's arguments, a severity among them when it is only a warning), if anything."""
    # python-stdnum is the authority on these numbers (GB 11643 ID numbers, GB 32100 credit codes)
    stdnum_errors, ric, uscc = _stdnum()

    cert = {"type": kind, "number": text}
    number = text.strip()
    if kind in ID_LAYOUT_CERTIFICATES:
        compact = certificate_number(cert)
        if len(compact) != 18 or not compact[:17].isdecimal():  # isdigit() would pass "²", which int() refuses
            return compact, "id_layout", ()
        try:
            ric.get_birth_date(compact)
        except stdnum_errors.ValidationError:
            return compact, "id_birth_date", ()
        if ric.calc_check_digit(compact) != compact[-1]:
            return compact, "id_check_digit", ()
        if kind == "id_card" and provinces.from_code(compact[:2]) is None:
            return compact, "id_region_not_mainland", (("code", compact[:2]),)
        if kind == "id_card" and not _region_code_known(compact[:6], compact[6:10]):
            return compact, "id_region_unknown", (("code", compact[:6]), ("severity", "warning"))
        return compact, None, ()
    if kind in UNIT_CERTIFICATES and len(number) == 18:
        try:
            return str(uscc.validate(number)), None, ()  # the compact form, as certificate_number gives it
        except stdnum_errors.InvalidChecksum:
            return certificate_number(cert), "uscc_check_char", ()
        # ValueError: stdnum's digit pattern ends in $, which lets a final line break through to
        # its checksum, where int() fails: still simply not a credit code.
        except (stdnum_errors.ValidationError, ValueError):
            return certificate_number(cert), "uscc_invalid", ()
    return certificate_number(cert), None, ()


def certificate_number(cert: Mapping[str, Any]) -> str:
    """A certificate number as every check and fact reads it: python-stdnum's compact form for ID
    numbers (full-width digits, spaces and dashes folded) and credit codes, else trimmed, upper case."""
    return _compact_number(cert["type"], str(cert["number"]))


@lru_cache(maxsize=8192)  # pure; stdnum's compact form costs ~9 µs a number
def _compact_number(kind: str, text: str) -> str:
    _, ric, uscc = _stdnum()

    number = text.strip()
    if kind in ID_LAYOUT_CERTIFICATES:
        return ric.compact(number)
    if kind in UNIT_CERTIFICATES:
        return uscc.compact(number)
    return number.upper()


class _ImportedOnFirstUse(types.ModuleType):
    """Stands for a module that stdnum.util imports at its top but uses only inside functions the
    checks never call; the real module is imported on the first attribute asked of it."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:  # asked while stdnum.util is still being imported
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


@lru_cache(maxsize=1)
def _stdnum() -> tuple[Any, Any, Any]:
    """python-stdnum's exceptions and its ID-number (ric) and credit-code (uscc) modules.

    Every stdnum module imports ``stdnum.util``, which imports ``ssl`` and ``pydoc`` at its top for
    what these checks never call (SOAP clients of its online checks, module descriptions): about a
    tenth of a cold ``check``. While stdnum.util is imported, each of the two that nothing has
    imported yet is a stand-in in sys.modules, removed right after: stdnum.util keeps the stand-in,
    which imports the real module on its first use; everyone else imports the real module as ever.
    """
    if "stdnum.util" not in sys.modules:
        standing_in = {name: _ImportedOnFirstUse(name) for name in ("ssl", "pydoc") if name not in sys.modules}
        sys.modules.update(standing_in)
        try:
            import stdnum.util  # noqa: F401
        finally:
            for name, module in standing_in.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
    from stdnum import exceptions
    from stdnum.cn import ric, uscc

    return exceptions, ric, uscc


REGION_DATABASE = "cn/loc"


@lru_cache(maxsize=1)
def _open_region_database() -> None:
    """Have python-stdnum's region database open before its first lookup, from the user cache.

    stdnum parses the database (7,000 lines) on first use, 50-150 ms: more than the rest of
    reading an application. The parsed database is kept in the user cache, keyed by its exact
    bytes, the parser's and the interpreter, and handed to stdnum's table of open databases, so
    stdnum's own ``ric.get_birth_place`` answers as always. Where stdnum keeps that table
    elsewhere (a later version), stdnum simply parses the file itself (tests/test_number_checks.py
    fails so that it is noticed).
    """
    from stdnum import numdb

    from .cache import cached_parse

    opened = getattr(numdb, "_open_databases", None)
    if not isinstance(opened, dict) or REGION_DATABASE in opened:
        return
    code = Path(numdb.__file__)
    files = [code.with_name("cn") / "loc.dat", code]
    opened.setdefault(REGION_DATABASE, cached_parse("stdnum-cn-loc", files, lambda: numdb.get(REGION_DATABASE)))


@lru_cache(maxsize=8192)  # stdnum searches its region database on every call; codes repeat a lot
def _region_code_known(code: str, birth_year: str) -> bool:
    """Whether the county code existed in the birth year (counties come and go)."""
    stdnum_errors, ric, _ = _stdnum()
    _open_region_database()
    try:
        ric.get_birth_place(code + birth_year + "01010000")
    # python-stdnum 2.2 raises KeyError when the province is known but the county is not.
    except (stdnum_errors.ValidationError, KeyError):
        return False
    return True


APP_KINDS = ("app", "mini_program", "quick_app")


def app_kind_default(service_type: str) -> str:
    """An app's kind when apps[] does not say: the filing's service type (app for a website filing)."""
    return service_type if service_type in APP_KINDS else "app"


# Package names as each platform's own documentation defines them:
# Android (developer.android.com, "Configure the app module": applicationId): at least two segments,
# each starting with a letter, of letters, digits and underscores.
_ANDROID_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+", re.ASCII)
# iOS (Apple, CFBundleIdentifier): only letters, digits, hyphens and periods; no empty segment.
_IOS_BUNDLE_ID = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*", re.ASCII)
# HarmonyOS (app.json5 bundleName): letters, digits, underscores and periods, starting with a
# letter, 7 to 128 bytes; a reverse domain name with at least two segments.
_HARMONY_BUNDLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+", re.ASCII)
# Mini-program AppIDs as the platforms issue them: WeChat "wx" and Douyin "tt" followed by 16
# hexadecimal digits, Alipay 16 digits; other platforms' ids are 6-32 letters and digits.
_MINI_PROGRAM_PREFIXED = {"wx": "WeChat", "tt": "Douyin"}
_MINI_PROGRAM_ID = re.compile(r"[A-Za-z0-9]{6,32}", re.ASCII)
_HEX16 = re.compile(r"[0-9A-Fa-f]{16}", re.ASCII)

# Whether a package name has the platform's syntax; a failure is the message app_package_<platform>.
PACKAGE_RULES: dict[str, Callable[[str], bool]] = {
    "android": lambda text: bool(_ANDROID_PACKAGE.fullmatch(text)),
    "ios": lambda text: bool(_IOS_BUNDLE_ID.fullmatch(text)),
    "harmony": lambda text: 7 <= len(text) <= 128 and bool(_HARMONY_BUNDLE_NAME.fullmatch(text)),
    # A quick app's manifest package follows the Android rule (quick apps run on Android phones).
    "quick_app": lambda text: bool(_ANDROID_PACKAGE.fullmatch(text)),
}


def _mini_program_id_problem(text: str) -> str | None:
    """The message id of what is wrong with a mini program's AppID, or None."""
    prefix = text[:2].lower()
    platform = _MINI_PROGRAM_PREFIXED.get(prefix)
    if platform is not None:
        if text[:2] == prefix and _HEX16.fullmatch(text[2:]):
            return None
        return f"mini_program_appid_{platform.lower()}"
    if _MINI_PROGRAM_ID.fullmatch(text):
        return None
    return "mini_program_appid"


def _check_app(app: dict[str, Any], index: int, service_type: str, source: SourceMap, found: list[Problem]) -> None:
    """An app's package name in the syntax of each platform it runs on, a mini program's AppID."""
    package = app.get("package")
    if package is None:
        return
    where = ("apps", index, "package")
    text = str(package).strip()
    kind = app.get("kind") or app_kind_default(service_type)
    if kind == "mini_program":
        problem = _mini_program_id_problem(text)
        if problem:
            found.append(source.problem(where, problem, value=package))
        return
    platforms = ["quick_app"] if kind == "quick_app" else list(dict.fromkeys(app.get("platforms") or []))
    for platform in platforms:
        rule = PACKAGE_RULES.get(platform)
        if rule is not None and not rule(text):
            found.append(source.problem(where, f"app_package_{platform}", value=package))
            return
    if not platforms and not (PACKAGE_RULES["ios"](text) or PACKAGE_RULES["android"](text)):
        found.append(source.problem(where, "app_package_any", value=package))


_LDH_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"  # a label: letters, digits and inner hyphens
# Two or more labels in one match (every domain of every application is checked): a label cannot
# contain the dot that ends it, so the pattern never backtracks across labels.
_LDH_DOMAIN = re.compile(rf"(?:{_LDH_LABEL}\.)+{_LDH_LABEL}")


# Punctuation typed with a Chinese input method between or inside domains (，、。；： and full-width
# spaces); UTS 46 would fold some of them into ASCII dots silently and refuse others obscurely.
_FULL_WIDTH_PUNCTUATION = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _check_domain(name: str, path: PathKey, source: SourceMap, found: list[Problem]) -> None:
    verdict = _domain_verdict(name)
    if verdict is not None:
        message, args = verdict
        named: dict[str, Any] = dict(args)
        found.append(source.problem(path, message, value=name, **named))


# A pure function of the name: a subject's filed domains are listed again in each of its filings.
@lru_cache(maxsize=65536)
def _domain_verdict(name: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """What is wrong with a domain name (a message id and its arguments besides the name), if anything."""
    scheme = _SCHEME.match(name.strip())
    if scheme:  # https://example.com/ pasted from the browser's address bar
        bare = name.strip()[scheme.end():].split("/", 1)[0].split(":", 1)[0]
        several = _FULL_WIDTH_PUNCTUATION.search(bare)
        if several:  # https://a.cn，b.cn: the bare text would still be no domain, so say both at once
            return "domain_scheme_fullwidth", (("char", several.group()),)
        return "domain_scheme", (("meant", bare),)
    punctuation = _FULL_WIDTH_PUNCTUATION.search(name)
    if punctuation:
        return "domain_fullwidth", (("char", punctuation.group()),)
    try:
        ascii_name = to_ascii(name)
    except idna_error():  # idna's own text names code points and RFCs: say what the person can fix
        return "domain_idna", ()
    if "." not in ascii_name:
        return "domain_no_suffix", ()
    if len(ascii_name) > 253 or not _LDH_DOMAIN.fullmatch(ascii_name):
        return "domain_invalid", ()
    return None


@lru_cache(maxsize=65536)  # pure, and filed domains repeat from one filing of a subject to the next
def to_ascii(name: str) -> str:
    """A domain in lower-case ASCII; Chinese labels become punycode (IDNA 2008 with UTS 46 mapping)."""
    text = name.strip().rstrip(".").lower()
    if text.isascii() and "xn--" not in text:
        return text  # the common case, and idna's full check is slow
    import idna  # here: only a name that is not plain ASCII needs idna (its tables are ~1 % of a cold check)

    return idna.encode(text, uts46=True).decode("ascii")


def idna_error() -> type[Exception]:
    """idna's IDNAError, for an ``except`` clause: Python evaluates it only when an exception
    reaches the clause, so a check whose domains are all ASCII never imports idna."""
    import idna

    return idna.IDNAError
