"""The HTTP JSON service (SPEC §9), built on FastAPI; run it with ``icp-rules serve``.

    POST /v1/check?format=json|md|html|text&lang=zh|en[&as_of=YYYY-MM-DD]   body: an application (JSON)
    POST /v1/explain?lang=zh|en[&rule=ID][&as_of=YYYY-MM-DD]               body: an application (JSON)
    GET  /v1/provinces      GET /v1/packs (the live digest)      GET /healthz      GET /openapi.json
    GET  /v1/facts (the fact catalogue)      GET /v1/rules?province=P (the rules in force there)

Every POST's body (the intake page's too) is read by one reader, engine/request.py's BodyReader:
a size limit (413 beyond it), a body timeout (408), application/json (415), one UTF-8 JSON object
without duplicate keys (422). The application it holds is checked exactly as the CLI checks a file,
so a bad application answers 422 with the same located problems (field paths) the CLI prints; one
wrapped as ``{"application": {...}}`` is told to come as the body itself. A bad query parameter or
header is located as the parameter or header it is (engine/request.py), with the closest valid value.
Each request reads the live RuleBook once and evaluates on it, so a reload never changes packs
under a request in flight.

Nothing a client does can starve the others (SPEC §9: evaluation never blocks other requests;
slow or stalled clients are cut off): parsing and evaluation run on a thread pool, never on the
event loop; a request head must arrive within ``header_timeout`` and a body within
``body_timeout`` (408); connections beyond ``max_connections`` are refused at once (503); a client
that goes away is not an error; and repeated log messages are aggregated, so the log cannot grow
without bound. Every refusal (400, 404, 405, 408, 413, 415, 421, 422, 503) answers in one error shape,
a head or a chunked body that h11 cannot read (a malformed Content-Length, a bad chunk) included.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import application as application_module
from . import bundled
from .errors import IcpRulesError, InputError, Problem, error_to_dict, problem
from .messages import DEFAULT_LANG
from .live import LiveRuleBook
from .render import FORMATS, LANGS
from .request import (DEFAULT_MAX_BODY_BYTES, BodyReader, BodyTooLarge, RequestTimeout, UnsupportedMediaType, at_query,
                      check_lang, checked, header_problem, lang_of, lang_of_query, lang_of_scope, parse_body, query_choice,
                      query_date, status_of)
from .suggest import closest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .audit import AuditLog

log = logging.getLogger("engine.service")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
HEAD_COPY_BYTES = 16 * 1024  # of a request head, kept until it is read: enough to tell which header is malformed
OPTIONS_ENV = "ICP_RULES_SERVE_OPTIONS"  # how `serve --workers N` hands its options to each worker process
MEDIA_TYPES = {"json": "application/json", "md": "text/markdown; charset=utf-8",
               "html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["type", "message", "path", "problems"],
        "properties": {
            "type": {"type": "string"},
            "message": {"type": "string"},
            "path": {"type": "string", "description": "JSON path of the first problem, e.g. $.subject.name"},
            "line": {"type": "integer"},
            "column": {"type": "integer"},
            "suggestion": {"type": "string"},
            "problems": {"type": "array", "items": {
                "type": "object",
                "required": ["message", "path"],
                "properties": {"message": {"type": "string"}, "path": {"type": "string"},
                               "line": {"type": "integer"}, "column": {"type": "integer"},
                               "suggestion": {"type": "string"}, "severity": {"type": "string"}},
            }},
        },
    }},
}


@dataclass(frozen=True)
class Limits:
    """What one client may hold: seconds to send a request head, then its body; open connections."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000


_TEXT = {"type": "object", "required": ["zh", "en"], "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
_DATE = {"type": ["string", "null"], "format": "date"}

# Typed responses of the other endpoints, as OpenAPI components (tests/test_openapi.py holds the
# service to them with every generated request).
RESPONSE_SCHEMAS: dict[str, Any] = {
    "Province": {
        "type": "object", "required": ["key", "code", "abbr", "name", "english", "pack"],
        "properties": {"key": {"type": "string"}, "code": {"type": "string", "pattern": "^[0-9]{2}$"},
                       "abbr": {"type": "string"}, "name": {"type": "string"}, "english": {"type": "string"},
                       "pack": {"type": "string", "description": "the pack that applies: the province's own, or national"}},
    },
    "Health": {"type": "object", "required": ["status", "digest"],
               "properties": {"status": {"const": "ok"}, "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
    "Refusal": {
        "type": "object", "required": ["pack", "file", "reason", "since", "serving", "error"],
        "description": "A pack file (or bundle) a reload did not take, and what serves instead",
        "properties": {"pack": {"type": "string", "description": "the pack key, or bundle"},
                       "file": {"type": "string"},
                       "reason": {"enum": ["removed", "invalid", "unverified"]},
                       "since": {"type": "string", "format": "date-time"},
                       "serving": {"type": "object", "required": ["pack", "kept"],
                                   "properties": {"pack": {"type": ["string", "null"]},
                                                  "version": {"type": "string"}, "kept": {"type": "boolean"}}},
                       "error": ERROR_SCHEMA["properties"]["error"]},
    },
    "Packs": {
        "type": "object", "required": ["digest", "loaded_at", "reloads", "packs", "refused", "watch", "last_rejected"],
        "properties": {
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "loaded_at": {"type": "string", "format": "date-time"},
            "reloads": {"type": "integer", "minimum": 0},
            "packs": {"type": "array", "items": {
                "type": "object", "required": ["id", "version", "digest", "kept"],
                "properties": {"id": {"type": "string"}, "version": {"type": "string"}, "digest": {"type": "string"},
                               "kept": {"type": "boolean", "description": "a last good version kept after a refused reload"}}}},
            "refused": {"type": "array", "items": {"$ref": "#/components/schemas/Refusal"}},
            "watch": {"type": "object", "required": ["watching"], "properties": {"watching": {"type": "boolean"}}},
            "last_rejected": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["at", "error"],
                "properties": {"at": {"type": "string", "format": "date-time"}, "error": ERROR_SCHEMA["properties"]["error"]}}]},
        },
    },
    "Fact": {
        "type": "object", "required": ["name", "type", "scope", "zh", "meaning", "values"],
        "properties": {"name": {"type": "string"}, "type": {"enum": ["text", "integer", "boolean", "date", "list", "enum"]},
                       "scope": {"type": "string"}, "zh": {"type": "string"}, "meaning": {"type": "string"},
                       "values": {"type": "array", "items": {"type": "string"}}},
    },
    "Rules": {
        "type": "object", "required": ["pack", "version", "rules"],
        "properties": {
            "pack": {"type": "string"}, "version": {"type": "string"},
            "rules": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "pack", "title", "source", "for_each", "effective_from", "effective_until", "replaces", "line"],
                "properties": {"id": {"type": "string"}, "pack": {"type": "string"}, "title": _TEXT, "source": {"type": "string"},
                               "for_each": {"type": ["string", "null"]}, "effective_from": _DATE, "effective_until": _DATE,
                               "replaces": {"type": ["string", "null"]}, "line": {"type": ["integer", "null"]}}}},
        },
    },
    "Explanation": {
        "type": "object", "required": ["application_id", "province", "pack", "evaluated_on", "rules"],
        "properties": {
            "application_id": {"type": ["string", "null"]}, "province": {"type": "string"}, "pack": {"type": "string"},
            "evaluated_on": {"type": "string", "format": "date"},
            "rules": {"type": "array", "items": {
                "type": "object", "required": ["rule", "pack", "title", "status", "source", "items"],
                "properties": {"rule": {"type": "string"}, "pack": {"type": "string"}, "title": {"type": "string"},
                               "status": {"enum": ["matched", "not_matched", "undecided", "not_in_force", "not_applied"]},
                               "source": {"type": "string"}, "for_each": {"type": ["string", "null"]},
                               "note": {"type": ["string", "null"]}, "items": {"type": "array", "items": {"type": "object"}}}}},
        },
    },
}


def _lang_query() -> Any:
    """The ``lang`` query parameter, as every endpoint that has one documents it."""
    return Query("zh", json_schema_extra={"enum": list(LANGS)}, description="Language of the messages: zh (Chinese) or en")


def _as_of_query() -> Any:
    return Query(None, description="Apply the rules in force on this date (YYYY-MM-DD)", json_schema_extra={"format": "date"})


def _json_response(name: str, description: str, *, array: bool = False) -> dict[int | str, dict[str, Any]]:
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    return {200: {"description": description,
                  "content": {"application/json": {"schema": {"type": "array", "items": ref} if array else ref}}}}


def _rule_row(rule: Any) -> dict[str, Any]:
    return {"id": rule.id, "pack": rule.pack, "title": dict(rule.title), "source": rule.source, "for_each": rule.for_each,
            "effective_from": rule.effective_from.isoformat() if rule.effective_from else None,
            "effective_until": rule.effective_until.isoformat() if rule.effective_until else None,
            "replaces": rule.replaces, "line": rule.line}


class MisdirectedRequest(InputError):
    """A Host header this service does not answer for (DNS rebinding)."""


class NotFound(InputError):
    """A path the service does not have."""


class MethodNotAllowed(InputError):
    """A method the path does not answer."""


class BadRequest(InputError):
    """A request head that is not HTTP/1.1 (a malformed Content-Length, request line, header …)."""


class Overloaded(InputError):
    """More connections than the service takes at once."""


REFUSAL_TYPES: dict[int, type[InputError]] = {400: BadRequest, 404: NotFound, 405: MethodNotAllowed, 408: RequestTimeout, 413: BodyTooLarge,
                                             415: UnsupportedMediaType, 421: MisdirectedRequest, 503: Overloaded}
CLOSE = {"connection": "close"}  # refused before its body was read: the rest of the body is not waited for


def _error_response(status: int, error: IcpRulesError, headers: dict[str, str] | None = None, *,
                    lang: str = DEFAULT_LANG) -> JSONResponse:
    """The error body, its messages in ``lang`` (the request's ``lang=``, Chinese by default)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    return JSONResponse({"error": error_to_dict(error, lang)}, status_code=status, headers=headers)


def _error_body(status: int, found: Problem, lang: str = DEFAULT_LANG) -> bytes:
    """The error shape as bytes, for answers written below the ASGI application (400, 503, 408 on
    headers): no request was read, so no ``lang=`` either unless its request line could be read
    (the default language)."""
    error = REFUSAL_TYPES.get(status, InputError)([found])
    return json.dumps({"error": error_to_dict(error, lang)}, ensure_ascii=False).encode("utf-8")


def _malformed(head: bytes) -> tuple[Problem, str]:
    """What is wrong with a request head that h11 refused, as far as its bytes tell (h11 says it only
    in its exception's words), and the ``lang=`` of its request line: a Content-Length that is not one
    number, a Transfer-Encoding other than chunked, or else a head that cannot be read at all."""
    request_line, *lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\n")
    words = request_line.split()
    lang = lang_of_query(words[1].partition("?")[2]) if len(words) == 3 else DEFAULT_LANG
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    lengths = headers.get("content-length", [])
    if lengths and (not all(v.isdigit() for v in lengths) or len(set(lengths)) > 1):
        return header_problem("Content-Length", "header_content_length", value=", ".join(lengths)[:80]), lang
    encodings = [v for v in headers.get("transfer-encoding", []) if v.lower() != "chunked"]
    if encodings:
        return header_problem("Transfer-Encoding", "header_transfer_encoding", suggestion="chunked",
                              value=", ".join(encodings)[:80]), lang
    return problem("request_malformed"), lang


def _host_name(host: str) -> str:
    """The name in a Host header, without its port (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(host: str) -> bool:
    """Whether a name or address is this machine's loopback (``localhost``, 127.0.0.0/8, ``::1``)."""
    name = _host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _HostCheck:
    """Answers 421 to a request whose Host header names another host (DNS rebinding: a page on a
    hostile name that resolves to 127.0.0.1 must not reach a service bound to loopback)."""

    def __init__(self, app: Any, allowed: Collection[str]) -> None:
        self.app = app
        self.allowed = {_host_name(h) for h in allowed}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
            if host is not None and _host_name(host) not in self.allowed and not (
                    "loopback" in self.allowed and is_loopback(host)):
                response = _error_response(421, MisdirectedRequest([header_problem(
                    "Host", "host_not_served", host=_host_name(host)[:80])]), CLOSE, lang=lang_of_scope(scope))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _application(body: bytes) -> application_module.Application:
    """The application a body holds (one JSON object: ``parse_body``), checked exactly as the CLI
    checks a file; a body wrapped as {"application": {...}} is told, in the API's words, to send the
    application itself (SPEC §9)."""
    document = parse_body(body)
    wrapper = application_module.wrapped_in(document.data)
    if wrapper is not None:
        raise InputError([document.source.problem((wrapper,), "body_wrapped", key=True, name=wrapper)])
    return application_module.check_document(document)


def _component_schemas() -> dict[str, Any]:
    """The bundled JSON Schemas as OpenAPI 3.1 components ($defs moved, $refs rewritten)."""
    components: dict[str, Any] = {}
    for name, title in (("application", "Application"), ("result", "Result")):
        schema = copy.deepcopy(bundled.schema(name))
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        defs = schema.pop("$defs", {})

        def rewrite(node: Any, prefix: str = title) -> Any:
            if isinstance(node, dict):
                return {k: (f"#/components/schemas/{prefix}_{v.rsplit('/', 1)[-1]}"
                            if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/") else rewrite(v))
                        for k, v in node.items()}
            if isinstance(node, list):
                return [rewrite(v) for v in node]
            return node

        components[title] = rewrite(schema)
        for def_name, def_schema in defs.items():
            components[f"{title}_{def_name}"] = rewrite(def_schema)
    components["Error"] = ERROR_SCHEMA
    components.update(RESPONSE_SCHEMAS)
    return components


def create_app(live: LiveRuleBook, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, audit: "AuditLog | None" = None,
               watch: bool = False, watch_polling: bool | None = None, watch_interval: float = 1.0,
               body_timeout: float | None = Limits.body_timeout, allowed_hosts: Collection[str] | None = None) -> FastAPI:
    """The ASGI application serving ``live``'s packs; with ``watch``, packs reload on change.

    ``allowed_hosts``: the Host header names answered (``"loopback"`` stands for every loopback name);
    None answers any, as a service behind a proxy must. ``serve`` passes ``("loopback",)`` when bound
    to loopback. Routes added to the returned app answer refusals in the same error shape.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> "AsyncIterator[None]":
        stop = asyncio.Event()
        task = asyncio.create_task(live.watch(stop, force_polling=watch_polling, check_every=watch_interval)) if watch else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=5)
                except (asyncio.TimeoutError, asyncio.CancelledError):  # pragma: no cover - slow shutdown
                    task.cancel()

    # FastAPI's own /docs and /redoc load their scripts from a CDN: engine/intake.py serves an
    # offline /docs from the package instead, beside the intake page (GET /).
    app = FastAPI(title="icp-rulepacks", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Checklists of the documents a China ICP filing needs, per province (SPEC §9).")
    from .intake import install as install_intake

    reader = BodyReader(max_body_bytes, body_timeout)  # every POST's body, the intake page's too
    install_intake(app, live, reader=reader)
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [problem("request_field", detail=str(e.get("msg", "invalid value")),
                            path="$." + ".".join(str(p) for p in e.get("loc", ())))
                    for e in exc.errors()]
        return _error_response(422, InputError(problems or [problem("invalid_request")]), lang=lang_of(request))

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 404, 405 and any other refusal by the router: the project's error shape, not FastAPI's {"detail"}
        path = request.url.path
        routes = sorted({getattr(r, "path", "") for r in app.routes} - {""})
        if exc.status_code == 404:
            found = problem("no_such_path", path="$.path", suggestion=closest(path, routes), value=path[:200])
        elif exc.status_code == 405:
            allowed = next((v for k, v in (exc.headers or {}).items() if k.lower() == "allow"), "")
            found = problem("method_not_allowed_use" if allowed else "method_not_allowed", path="$.path",
                            method=request.method, value=path[:200], allowed=allowed)
        else:
            found = problem("http_refused", path="$.path", detail=str(exc.detail))
        error = REFUSAL_TYPES.get(exc.status_code, InputError)([found])
        return _error_response(exc.status_code, error, dict(exc.headers or {}), lang=lang_of(request))

    body_refusals: dict[int | str, dict[str, Any]] = {
        408: {"description": "The body did not arrive within the body timeout", "content": error_content},
        413: {"description": "The body is over the size limit", "content": error_content},
        415: {"description": "The body is not sent as application/json", "content": error_content},
    }

    async def query_and_body(request: Request, *checks: Callable[[], Any]) -> tuple[list[Any], bytes] | Response:
        """The value of each check of the query parameters, and the body's bytes (``_application``
        parses them on the thread pool); or the answer that refuses them: 422 naming every bad
        parameter (before the body is read), then 415, 413 and 408 (the connection then closes: the
        rest of the body is not waited for), or 400 to a client that went away."""
        lang = lang_of(request)
        try:
            values = checked(*checks)
        except IcpRulesError as exc:
            return _error_response(422, exc, lang=lang)
        try:
            return values, await reader.read(request)
        except ClientDisconnect:  # the client went away: nobody to answer, nothing to log but a count
            log.debug("client disconnected while sending its body")
            return Response(status_code=400)
        except IcpRulesError as exc:
            return _error_response(status_of(exc), exc, CLOSE, lang=lang)

    @app.post(
        "/v1/check",
        summary="Check one application",
        description="Answers the SPEC §5 result as JSON, or the rendered checklist (`format=md|html|text`).",
        responses={
            200: {"description": "The result, or the rendered checklist",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}},
                              **{MEDIA_TYPES[f].split(";")[0]: {"schema": {"type": "string"}}
                                 for f in FORMATS if f != "json" and f in MEDIA_TYPES}}},
            **body_refusals,
            422: {"description": "The application is invalid: every problem with its field path", "content": error_content},
        },
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}},
    )
    async def check(
        request: Request,
        format: str = Query("json", description="json, or a rendered checklist", json_schema_extra={"enum": list(FORMATS)}),
        lang: str = _lang_query(),
        as_of: str | None = _as_of_query(),
    ) -> Response:
        given = await query_and_body(request, lambda: query_choice("format", format, FORMATS, "unknown_format"),
                                     lambda: check_lang(lang), lambda: query_date("as_of", as_of))
        if isinstance(given, Response):
            return given
        (format, lang, on), body = given
        book, refused = live.current, live.refused  # read once: this request evaluates on these packs to the end
        source = f"http {request.client.host if request.client else ''}".strip()

        def answer() -> Response:  # parsing, checking, evaluating, rendering: CPU work, off the event loop
            try:
                result = book.evaluate(_application(body), as_of=on)
            except IcpRulesError as exc:
                return _error_response(422, exc, lang=lang)
            if audit is not None:
                audit.log(result, source=source)
            if format == "json":
                response: Response = JSONResponse(result.to_dict(lang))
            else:
                response = Response(result.render(format=format, lang=lang),
                                     media_type=MEDIA_TYPES.get(format, "text/plain; charset=utf-8"))
            # an answer given on a kept pack says so, so a caller need not poll /v1/packs to know
            kept = [f"{key}={refused[key].reason}" for key in dict.fromkeys((result.ruleset.key, "national"))
                    if key in refused]
            if kept:
                response.headers["x-packs-refused"] = ", ".join(kept)
            return response

        return await run_in_threadpool(answer)

    @app.post(
        "/v1/explain",
        summary="Why each rule did or did not fire for one application",
        description="For every rule of the application's province (or `rule`): matched, not matched, not in force, "
                    "undecided or not applied, with the deciding comparisons worded with the application's values.",
        responses={**_json_response("Explanation", "The explanation (as `icp-rules explain --format json`)"),
                   **body_refusals,
                   422: {"description": "The application is invalid, or the rule unknown", "content": error_content}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}},
    )
    async def explain(
        request: Request,
        rule: str | None = Query(None, description="Explain this rule only"),
        lang: str = _lang_query(),
        as_of: str | None = _as_of_query(),
    ) -> Response:
        given = await query_and_body(request, lambda: check_lang(lang), lambda: query_date("as_of", as_of))
        if isinstance(given, Response):
            return given
        (lang, on), body = given
        book = live.current  # read once, as /v1/check does

        def answer() -> Response:  # CPU work, off the event loop
            try:
                explanation = book.explain(_application(body), rule=rule, as_of=on)
            except IcpRulesError as exc:  # the library names an unknown rule as its option --rule
                return _error_response(422, at_query(exc, "rule", lambda p: p.path == "--rule"), lang=lang)
            return JSONResponse(explanation.to_dict(lang))

        return await run_in_threadpool(answer)

    @app.get("/v1/facts", summary="The facts rules can test (the fact catalogue)",
             responses=_json_response("Fact", "Every fact, in catalogue order", array=True))
    async def list_facts() -> Response:
        from .facts import CATALOGUE

        return JSONResponse([{"name": f.name, "type": f.type, "scope": f.scope, "zh": f.zh, "meaning": f.meaning,
                              "values": list(f.values)} for f in CATALOGUE])

    @app.get("/v1/rules", summary="The rules in force for a province (its pack over the national pack)",
             responses={**_json_response("Rules", "The rule set's rules, in evaluation order"),
                        422: {"description": "Unknown province", "content": error_content}})
    async def list_rules(request: Request, province: str | None = Query(
            None, description="A province in any spelling (guangdong, 广东, 44, 粤); default: the national pack")) -> Response:
        book = live.current
        try:
            ruleset = book.ruleset(province) if province is not None else book.rulesets["national"]
        except IcpRulesError as exc:  # the library locates the province it was given at $
            return _error_response(422, at_query(exc, "province", lambda p: p.line is None and p.path in ("", "$")),
                                   lang=lang_of(request))
        return JSONResponse({"pack": ruleset.key, "version": ruleset.pack.version,
                             "rules": [_rule_row(r) for r in ruleset.rules]})

    @app.get("/v1/provinces", summary="Every province, its codes and the pack that applies",
             responses=_json_response("Province", "The 31 provinces (SPEC §2)", array=True))
    async def list_provinces() -> Response:
        return JSONResponse(live.current.province_rows())

    @app.get("/v1/packs", summary="The packs in force and their digest",
             responses={**_json_response("Packs", "The packs in force, and what reloads refused"),
                        422: {"description": "Unknown language", "content": error_content}})
    async def list_packs(request: Request, lang: str = _lang_query()) -> Response:
        try:
            lang = check_lang(lang)
        except IcpRulesError as exc:
            return _error_response(422, exc, lang=lang_of(request))
        book, refused = live.current, live.refused
        out: dict[str, Any] = {
            "digest": book.digest,
            "loaded_at": live.loaded_at.isoformat(timespec="seconds"),
            "reloads": live.reloads,
            # kept: a refused reload left this pack's last good version in force (a refused bundle: all of them)
            "packs": [{"id": key, "version": book.packs[key].version, "digest": book.rulesets[key].digest,
                       "kept": key in refused or "bundle" in refused}
                      for key in sorted(book.packs)],
            # each pack file a reload did not take: why, since when, and what serves instead (SPEC §9)
            "refused": [refused[key].to_dict(lang) for key in sorted(refused)],
            "watch": live.watch_status(lang),
            "last_rejected": None,
        }
        if live.last_error is not None and live.last_error_at is not None:
            out["last_rejected"] = {"at": live.last_error_at.isoformat(timespec="seconds"),
                                    "error": error_to_dict(live.last_error, lang)}
        return JSONResponse(out)

    @app.get("/healthz", summary="Liveness, with the digest of the packs in force",
             responses=_json_response("Health", "The service answers, with the digest of the packs in force"))
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "digest": live.current.digest})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(_component_schemas())
            sample = live.current.rulesets["national"].fixtures.get("individual")
            if sample:  # a valid application from the national pack's own test fixtures
                for route in ("/v1/check", "/v1/explain"):
                    body = schema["paths"][route]["post"]["requestBody"]["content"]["application/json"]
                    body["example"] = json.loads(json.dumps(sample, default=str))
            # FastAPI's default 422 body does not apply: this service answers 422 with its own error shape
            for path in schema["paths"].values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    if "422" in responses:
                        responses["422"]["content"] = error_content
            for unused in ("HTTPValidationError", "ValidationError"):
                schema["components"]["schemas"].pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    if allowed_hosts is not None:
        app.add_middleware(_HostCheck, allowed=allowed_hosts)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("icp-rulepacks")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "0"


# --- the server: connection limits, timeouts, workers, bounded logs ------------------------------

class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the limits uvicorn lacks: a request head must arrive within
    ``Limits.header_timeout`` (a connection that sends nothing, or headers a byte at a time, is
    closed with 408), and a connection beyond ``Limits.max_connections`` is answered 503 and closed
    at once, so stalled clients cannot exhaust file descriptors. Keep-alive idling stays uvicorn's."""

    limits = Limits()  # set by serve() (or the worker factory) before the server starts

    def connection_made(self, transport: Any) -> None:
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_seen = bytearray()
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            _COUNTS.add("connections refused: over the connection limit")
            self._refuse(503, problem("too_many_connections", limit=self.limits.max_connections))
            return
        self._await_head()

    def _await_head(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _head_arrived(self) -> None:
        self._head_seen.clear()
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # between requests: this data starts a new head
            self._await_head()
            # a copy of the head, to say what is wrong with it should h11 refuse it (send_400_response)
            self._head_seen += data[:max(0, HEAD_COPY_BYTES - len(self._head_seen))]
        super().data_received(data)
        if self.cycle is not cycle:
            self._head_arrived()

    def on_response_complete(self) -> None:
        before = self.cycle
        super().on_response_complete()
        if self.cycle is not before:  # a pipelined request's head was already buffered
            self._head_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
            return
        _COUNTS.add(f"connections closed: no complete request head within {self.limits.header_timeout:g} s")
        self._refuse(408, problem("head_timeout", seconds=f"{self.limits.header_timeout:g}"))

    def send_400_response(self, msg: str) -> None:
        """A head h11 cannot read answers 400 in the error shape, naming the header at fault when its
        bytes show one, and so does a chunked body it cannot read (uvicorn's own answer is a line of
        plain text)."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:  # mid-body: the request is being answered
            if cycle.response_started:  # its answer has begun: nothing but uvicorn's closing can follow
                super().send_400_response(msg)
                return
            # a chunk of a chunked body that h11 cannot read, before any answer: in the error shape, in
            # the language of the request's lang= (its head was read). The application waiting for the
            # rest of the body learns of the closed connection as a client that went away.
            self._refuse(400, problem("body_chunk_malformed"), lang_of_scope(cycle.scope))
            return
        found, lang = _malformed(bytes(self._head_seen))
        self._refuse(400, found, lang)

    def _refuse(self, status: int, found: Problem, lang: str = DEFAULT_LANG) -> None:
        body = _error_body(status, found, lang)
        reason = {400: b"Bad Request", 408: b"Request Timeout", 503: b"Service Unavailable"}[status]
        head = (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n" % (status, reason, len(body)))
        if not self.transport.is_closing():
            self.transport.write(head + body)
            self.transport.close()


class _Counts:
    """Connections cut by the limits are counted, not logged one by one; the counts are logged once a
    minute at most (20,000 stalled connections once wrote 587 MB of log in a minute)."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._since = time.monotonic()

    def add(self, what: str) -> None:
        with self._lock:
            self._counts[what] = self._counts.get(what, 0) + 1
            if time.monotonic() - self._since < self.every:
                return
            counts, self._counts, self._since = self._counts, {}, time.monotonic()
        for text, n in counts.items():
            log.warning("%s: %d in the last minute", text, n)


_COUNTS = _Counts()


class LogLimit(logging.Filter):
    """Lets each message (by logger and format) through at most ``burst`` times a minute; the rest are
    counted and the count is logged with the next one that passes, so repeats cannot flood the log
    (a client able to provoke one warning per request could otherwise write without bound)."""

    def __init__(self, burst: int = 10, every: float = 60.0) -> None:
        super().__init__()
        self.burst, self.every = burst, every
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, Any], list[float | int]] = {}  # key -> [window start, passed, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg if isinstance(record.msg, str) else type(record.msg).__name__)
        now = time.monotonic()
        with self._lock:
            window = self._windows.get(key)
            if window is None or now - window[0] >= self.every:
                dropped = int(window[2]) if window is not None else 0
                window = self._windows[key] = [now, 0, 0]
                if len(self._windows) > 10_000:  # bounded too: forget keys that went quiet
                    for k in [k for k, w in self._windows.items() if now - w[0] >= self.every]:
                        del self._windows[k]
                    self._windows[key] = window
                if dropped:
                    record.msg = f"{record.msg} [{dropped} more like this in the last {self.every:g} s were not logged]"
            if window[1] >= self.burst:
                window[2] += 1
                return False
            window[1] += 1
            return True


def configure_logging() -> None:
    """One handler on stderr for the service, uvicorn and the engine, with repeats limited."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root.setLevel(logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, LogLimit) for f in handler.filters):
            handler.addFilter(LogLimit())
    for name in ("uvicorn", "uvicorn.error"):  # through the root handler, limited (access lines stay off)
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # "N changes detected" on every edit


def serve(live: LiveRuleBook, *, host: str, port: int, max_body_bytes: int, audit: "AuditLog | None",
          watch: bool, workers: int = 1, limits: Limits = Limits(), audit_path: str | None = None) -> None:
    """Run the service with uvicorn until interrupted.

    With ``workers`` above 1, that many processes share the port, each loading the packs (and
    watching them) itself; ``audit_path`` is then opened by each (records are appended whole).
    """
    import uvicorn

    configure_logging()
    GuardedH11Protocol.limits = limits
    allowed = ("loopback",) if is_loopback(host) else None
    options: dict[str, Any] = dict(host=host, port=port, log_config=None, access_log=False, http=GuardedH11Protocol,
                                   timeout_keep_alive=5, backlog=min(2048, limits.max_connections))
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        # a worker loading its packs on a busy machine can take longer than uvicorn's 5 s to answer
        # its supervisor's ping, and was killed and started again, over and over
        options["timeout_worker_healthcheck"] = 60
    if workers <= 1:
        app = create_app(live, max_body_bytes=max_body_bytes, audit=audit, watch=watch,
                         body_timeout=limits.body_timeout, allowed_hosts=allowed)
        uvicorn.run(app, **options)
        return
    os.environ[OPTIONS_ENV] = json.dumps({
        "packs_dir": str(live.packs_dir) if live.packs_dir is not None and live.bundle is None else None,
        "bundle": str(live.bundle) if live.bundle is not None else None,
        # each worker verifies the bundle itself, with the same (public) key
        "public_key": live.public_key_pem() if live.bundle is not None else None,
        "backend": live.backend,
        "max_body_bytes": max_body_bytes, "audit_path": audit_path, "watch": watch,
        "limits": asdict(limits), "allowed_hosts": allowed})
    uvicorn.run("engine.service:worker_app", factory=True, workers=workers, **options)


def worker_app() -> FastAPI:
    """The application of one ``serve --workers N`` process, from the options serve() left in the environment."""
    options = json.loads(os.environ[OPTIONS_ENV])
    configure_logging()
    limits = Limits(**options["limits"])
    GuardedH11Protocol.limits = limits
    audit = None
    if options["audit_path"]:
        from .audit import AuditLog

        audit = AuditLog(options["audit_path"])
    public_key = options.get("public_key")
    live = LiveRuleBook(options["packs_dir"], backend=options["backend"], bundle=options.get("bundle"),
                        public_key=public_key.encode("ascii") if public_key else None)
    return create_app(live,
                      max_body_bytes=options["max_body_bytes"], audit=audit, watch=options["watch"],
                      body_timeout=limits.body_timeout, allowed_hosts=options["allowed_hosts"])
