"""Errors raised to callers.

Errors are data first and text second (the python-jsonschema way): every problem carries the
file, line, column and field path it concerns as attributes, and one function formats it.
A single exception may carry several problems, because users want every mistake in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import messages

from .text import mask_numbers, neutralise

MAX_SHOWN = 80  # characters of a quoted value shown in a message; inputs may hold megabytes
_LONG_QUOTED = re.compile(r"'([^'\n]{%d,})'" % (MAX_SHOWN + 1))


def shown(text: str) -> str:
    """What of ``text`` a problem may show: nothing that drives a terminal (``neutralise``), and
    anything shaped like an ID or certificate number masked. A problem can quote what a caller
    typed anywhere, not only in the application (a query parameter, a URL path, a header, an
    option's value, a file name such as 440106199203156782.yaml), and every problem reaches some
    record: stderr, a batch's error lines, an HTTP error body, the intake page."""
    return mask_numbers(neutralise(text))


def _cut(text: str, size: int) -> str:
    """The first ``size`` characters of ``text``, its numbers masked first: a number the cut runs
    through would be left with most of its digits, a shape ``mask_numbers`` no longer knows. Only
    the part kept and a number's length past it are read (a value may be megabytes)."""
    return mask_numbers(text[:size + 20])[:size]


def _shorten(message: str, lang: str) -> str:
    """Quote long values by their start and length, so a megabyte string gives a one-line message."""
    return _LONG_QUOTED.sub(lambda m: f"'{_cut(m.group(1), MAX_SHOWN)}…'{messages.length_note(len(m.group(1)), lang)}",
                            message)


def _shorten_value(value: Any, lang: str) -> Any:
    """A message argument as shown: a long text by its start and its length."""
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return f"{_cut(value, MAX_SHOWN)}…{messages.length_note(len(value), lang)}"
    return value


@dataclass(frozen=True)
class Problem:
    """One located problem in an application or a rule pack.

    A problem made with ``problem()`` (or ``SourceMap.problem``) names a message of the catalogue
    (``engine.messages``) and its arguments, and reads in either language (``text(lang)``,
    ``format(lang)``); ``message`` is its English text. A problem made from a bare message
    (``Problem("...")``) reads the same in both.
    """

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str = ""  # JSON path such as $.subject.certificate.number
    suggestion: str | None = None
    severity: str = "error"  # error | warning
    id: str | None = None  # the message's id in engine.messages.MESSAGES
    args: tuple[tuple[str, Any], ...] = ()  # its arguments, as (name, value) pairs

    def text(self, lang: str = "en") -> str:
        """The message alone, in ``lang`` (a long value in it shown by its start and length)."""
        if self.id is None:
            return _shorten(self.message, lang)
        return messages.text(self.id, lang, [(k, _shorten_value(v, lang)) for k, v in self.args])

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def request_part(self, lang: str = "en") -> str | None:
        """The part of an HTTP request this problem is about, as a person names it (the query
        parameter lang, the header Content-Type), or None for a problem in a file or a body.
        The service locates such problems at ``$.query.NAME`` and ``$.headers.name``."""
        if self.file is not None or self.line is not None:
            return None
        path = self.path or ""
        if path.startswith("$.query.") and len(path) > len("$.query."):
            return messages.text("where_query", lang, {"name": path[len("$.query."):]})
        if path.startswith("$.headers.") and len(path) > len("$.headers."):
            name = "-".join(word.capitalize() for word in path[len("$.headers."):].split("-"))  # content-type -> Content-Type
            return messages.text("where_header", lang, {"name": name})
        if path == "$.path":
            return messages.text("where_path", lang)
        return None

    def format(self, lang: str = "en") -> str:
        """The one line a person reads: location, field path, message (and suggestion) in ``lang``."""
        part = self.request_part(lang)
        if self.file is None and self.line is None and (self.path or "").startswith("--"):
            text = f"{self.path}  {self.text(lang)}"  # about a command-line option: there is no input to name
        elif part is not None:
            text = f"{part}  {self.text(lang)}"  # about the request's query or headers, not the input it carries
        else:
            text = f"{self.location()}  {self.path or '$'}  {self.text(lang)}"
        if self.suggestion:
            text += messages.text("did_you_mean", lang, {"suggestion": _shorten(self.suggestion, lang)})
        if len(text) > 4 * 1024:  # whatever the message held, one problem stays a readable line
            text = _cut(text, 4 * 1024) + "…" + messages.length_note(len(text), lang)
        return shown(text)  # a value quoted from the input cannot drive the terminal, nor show a number


def problem(message_id: str, /, *, file: str | None = None, line: int | None = None, column: int | None = None,
            path: str = "", suggestion: str | None = None, severity: str = "error", **args: Any) -> Problem:
    """A problem reading ``engine.messages.MESSAGES[message_id]`` with ``args``."""
    # lists become tuples: a problem stays hashable (problems are de-duplicated in sets)
    pairs = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items())
    english = messages.text(message_id, "en", [(k, _shorten_value(v, "en")) for k, v in pairs])
    return Problem(english, file=file, line=line, column=column, path=path,
                   suggestion=suggestion, severity=severity, id=message_id, args=pairs)


@dataclass
class IcpRulesError(Exception):
    """Root of every error this package raises to callers.

    The first problem's location is exposed as attributes so that callers handling one
    error need not dig into ``problems``.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.format_message())

    @property
    def first(self) -> Problem:
        return self.problems[0] if self.problems else problem("unknown_error")

    @property
    def file(self) -> str | None:
        return self.first.file

    @property
    def line(self) -> int | None:
        return self.first.line

    @property
    def column(self) -> int | None:
        return self.first.column

    @property
    def path(self) -> str:
        return self.first.path

    @property
    def suggestion(self) -> str | None:
        return self.first.suggestion

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def format_message(self, lang: str = "en") -> str:
        """Every problem, one a line, in ``lang`` (``str()`` of the error is the English text)."""
        return "\n".join(p.format(lang) for p in self.problems)

    def __str__(self) -> str:
        return self.format_message()


class InputError(IcpRulesError):
    """The input the caller gave cannot be used (file unreadable, syntax, size)."""


class ApplicationError(InputError):
    """A filing application does not satisfy the application schema or its checks."""


class TemplateError(InputError):
    """A checklist template (bundled or from --templates) cannot be compiled or rendered."""


class PackError(IcpRulesError):
    """A rule pack is invalid: schema, references, conditions or inheritance."""


class UnknownProvinceError(InputError):
    """A province name, code or key that matches no province."""


def problem_to_dict(problem: Problem, lang: str = "en") -> dict[str, object]:
    """A problem as JSON-ready data (batch error lines, HTTP 422 bodies): only the fields it has.

    ``message`` is in ``lang``; ``code`` is the catalogue's message id, for programs."""
    out: dict[str, object] = {"message": shown(problem.text(lang)), "path": shown(problem.path or "$")}
    for name in ("file", "line", "column", "suggestion"):
        value = getattr(problem, name)
        if value is not None:
            out[name] = shown(value) if isinstance(value, str) else value
    if problem.severity != "error":
        out["severity"] = problem.severity
    if problem.id is not None:
        out["code"] = problem.id
    return out


def error_to_dict(error: IcpRulesError, lang: str = "en") -> dict[str, object]:
    """An error as data: its kind, the first problem's text and location, and every problem, in ``lang``."""
    first = error.first
    out: dict[str, object] = {"type": type(error).__name__, "message": first.format(lang)}
    out.update({k: v for k, v in problem_to_dict(first, lang).items() if k != "message"})
    out["problems"] = [problem_to_dict(p, lang) for p in error.problems]
    return out


def json_type(value: object) -> str:
    """The JSON Schema type name of a value (bool before int: True is an int in Python)."""
    for kind, python in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                         ("array", list), ("object", dict)):
        if isinstance(value, python):
            return kind
    return "null"


def type_names(expected: object) -> list[str]:
    """A JSON Schema ``type`` (one name or a list of them) as a list of names, for ``{expected:types}``."""
    return [expected] if isinstance(expected, str) else [str(name) for name in expected]  # type: ignore[attr-defined]


def type_mismatch(expected: object, value: object) -> str:
    """'expected a list, found text': a JSON Schema ``type`` error in English words (the catalogue's
    ``wrong_type`` says it in either language)."""
    return messages.text("wrong_type", "en", {"expected": type_names(expected), "found": json_type(value)})
