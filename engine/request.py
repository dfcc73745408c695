"""What the HTTP service reads from a request, read in one place: the language it asks for, its
query parameters and its JSON body. The API (engine/service.py) and the intake page
(engine/intake.py) both read through here, so every POST is held to the same size limit, body
timeout, media type, encoding and JSON checks (duplicate keys included), and a bad query
parameter or header is named as what it is, with the closest valid value.

A problem in the request itself, not in the application it carries, has a path under ``$.query``
(``$.query.lang``) or ``$.headers`` (``$.headers.content-type``): engine/errors.py shows it as the
query parameter or header it is, where a problem in a file shows its file, line and column.
This module belongs to the service; the pipeline never imports it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

from .errors import IcpRulesError, InputError, Problem, problem
from .messages import DEFAULT_LANG, LANGS
from .names import FORMAT_NAMES, LANG_NAMES, synonym
from .source import Document, parse_text
from .suggest import closest

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
JSON_MEDIA_TYPE = "application/json"

# The other names of each query parameter's values (engine/names.py, as the CLI's options use them):
# the closest valid value is suggested for these as well as for another case or a near spelling.
QUERY_NAMES: dict[str, dict[str, dict[str, str]]] = {"lang": LANG_NAMES, "format": FORMAT_NAMES}


class BodyTooLarge(InputError):
    """A request body over the service's size limit."""


class RequestTimeout(InputError):
    """A request head or body that did not arrive within its timeout."""


class UnsupportedMediaType(InputError):
    """A request body that is not JSON (Content-Type other than application/json)."""


# --- the language and the query parameters ------------------------------------------------------

def lang_of(request: Request) -> str:
    """The language to answer in: the request's ``lang=`` when it is one we speak, else Chinese
    (an unknown ``lang=`` is refused by ``check_lang``, in this language)."""
    return _known_lang(request.query_params.get("lang"))


def lang_of_scope(scope: Any) -> str:
    """``lang_of`` for a request not yet handed to the application (its raw query string)."""
    return lang_of_query(scope.get("query_string", b"").decode("latin-1"))


def lang_of_query(query: str) -> str:
    """``lang_of`` for a raw query string (``a=1&lang=en``)."""
    values = parse_qs(query).get("lang")
    return _known_lang(values[-1] if values else None)


def _known_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def query_problem(name: str, message_id: str, *, suggestion: str | None = None, **args: Any) -> Problem:
    """A problem with the query parameter ``name`` (its path: ``$.query.NAME``)."""
    return problem(message_id, path=f"$.query.{name}", suggestion=suggestion, **args)


def header_problem(name: str, message_id: str, *, suggestion: str | None = None, **args: Any) -> Problem:
    """A problem with the request header ``name`` (its path: ``$.headers.name``, lower case as HTTP/2 writes it)."""
    return problem(message_id, path=f"$.headers.{name.lower()}", suggestion=suggestion, **args)


def suggest_value(name: str, value: str, options: tuple[str, ...] | list[str]) -> str | None:
    """The valid value of query parameter ``name`` closest to ``value``: one of its other names
    (``english``, ``zh-CN``, ``markdown``), another case (``EN``) or a near spelling."""
    return synonym(value, options, QUERY_NAMES.get(name)) or closest(value, options)


def query_choice(name: str, value: str, options: tuple[str, ...] | list[str], message_id: str) -> str:
    """``value`` when it is one of ``options``, else InputError at query parameter ``name`` naming
    the options, with the closest one suggested."""
    if value in options:
        return value
    raise InputError([query_problem(name, message_id, suggestion=suggest_value(name, value, options),
                                    value=value, options=list(options))])


def query_date(name: str, value: str | None) -> dt.date | None:
    """Query parameter ``name`` as a date (None when absent). Strict YYYY-MM-DD: pydantic's date
    type would also take numbers as Unix timestamps."""
    if value is None:
        return None
    if len(value) == 10 and value[4] == value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError([query_problem(name, "query_not_date", value=value)])


def check_lang(lang: str) -> str:
    """``lang=`` when it is a language we speak, else the one refusal every endpoint gives (422)."""
    return query_choice("lang", lang, LANGS, "unknown_lang")


def checked(*checks: Callable[[], Any]) -> list[Any]:
    """The value of each check of a request's parameters, or one InputError with the problems of
    every check that failed (a client learns all its mistakes at once, not one per attempt)."""
    values: list[Any] = []
    problems: list[Problem] = []
    for check in checks:
        try:
            values.append(check())
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return values


def at_query(error: IcpRulesError, name: str, here: Callable[[Problem], bool]) -> IcpRulesError:
    """``error`` with the problems ``here`` picks located at query parameter ``name``: the library
    locates a bad province or rule as its caller's argument (``$``, ``--rule``); over HTTP the
    argument is a query parameter."""
    return type(error)([dataclasses.replace(p, path=f"$.query.{name}", file=None) if here(p) else p
                        for p in error.problems])


# --- the body -----------------------------------------------------------------------------------

REFUSAL_STATUS: dict[type[InputError], int] = {UnsupportedMediaType: 415, BodyTooLarge: 413, RequestTimeout: 408}


def status_of(error: IcpRulesError) -> int:
    """The HTTP status of a body refused by ``BodyReader``: 415, 413, 408, or 422 for a body that
    arrived but is no JSON object."""
    return next((status for kind, status in REFUSAL_STATUS.items() if isinstance(error, kind)), 422)


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == JSON_MEDIA_TYPE


@dataclasses.dataclass(frozen=True)
class BodyReader:
    """Reads the JSON body of a POST: at most ``limit`` bytes, arriving within ``timeout`` seconds,
    sent as application/json; ``parse_body`` then holds it to UTF-8, one JSON object without
    duplicate keys. Parsing is CPU work: the caller runs it on the thread pool in the same hop as
    the work the body is for (one hop per request, not one to parse and a second to evaluate).

    Refusals are errors of their own kinds (``status_of`` gives each one's HTTP status): the caller
    words the answer in its own shape (the API's error shape, the intake page's problem rows)."""

    limit: int = DEFAULT_MAX_BODY_BYTES
    timeout: float | None = None

    async def read(self, request: Request) -> bytes:
        """The body's bytes: refused at once when not sent as JSON (a page on another site can POST
        text/plain without a CORS preflight) or declared over the limit (without reading it), as
        soon as more than ``limit`` bytes have come, or once it has taken over ``timeout`` seconds."""
        content_type = request.headers.get("content-type")
        if not is_json(content_type):
            shown = ("header_value", (("value", content_type[:80]),)) if content_type else ("header_absent", ())
            raise UnsupportedMediaType([header_problem("Content-Type", "body_not_json_type", shown=shown,
                                                       suggestion=JSON_MEDIA_TYPE)])
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            raise BodyTooLarge([header_problem("Content-Length", "body_too_large", size=declared, limit=self.limit)])
        chunks: list[bytes] = []

        async def read() -> None:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > self.limit:
                    raise BodyTooLarge([problem("body_over_limit", limit=self.limit)])
                chunks.append(chunk)

        try:
            await asyncio.wait_for(read(), self.timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout([problem("body_timeout", seconds=f"{self.timeout:g}")]) from None
        return b"".join(chunks)


def parse_body(body: bytes) -> Document:
    """A body's bytes as one JSON object, checked as the CLI checks a JSON file (duplicate keys,
    depth, lone surrogates), or InputError: empty, not UTF-8, not an object, not JSON."""
    if not body.strip():
        raise InputError([problem("body_empty")])
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([problem("body_not_utf8", byte=exc.start)]) from None
    if not text.lstrip().startswith("{"):
        raise InputError([problem("body_not_object", line=1, column=1)])
    return parse_text(text)
