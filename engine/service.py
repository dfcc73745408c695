"""The HTTP JSON service (SPEC §9), built on FastAPI; run it with ``icp-rules serve``.

    POST /v1/check?format=json|md|html|text&lang=zh|en[&as_of=YYYY-MM-DD]   body: an application (JSON)
    GET  /v1/provinces      GET /v1/packs (the live digest)      GET /healthz      GET /openapi.json

The body is read with a size limit (413 beyond it) and checked exactly as the CLI checks a file,
so a bad application answers 422 with the same located problems (field paths) the CLI prints.
Each request reads the live RuleBook once and evaluates on it, so a reload never changes packs
under a request in flight.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from . import application as application_module
from . import bundled
from .errors import IcpRulesError, InputError, Problem, error_to_dict
from .live import LiveRuleBook
from .render import FORMATS, LANGS
from .source import parse_text

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .audit import AuditLog

log = logging.getLogger("engine.service")

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
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


class BodyTooLarge(InputError):
    """A request body over the service's size limit."""


def _error_response(status: int, error: IcpRulesError) -> JSONResponse:
    return JSONResponse({"error": error_to_dict(error)}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing as soon as it is known to exceed ``limit`` bytes (without reading it all)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge([Problem(f"request body is {declared} bytes, over the limit of {limit} bytes")])
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge([Problem(f"request body is over the limit of {limit} bytes")])
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_date(value: str | None, path: str) -> dt.date | None:
    # strict YYYY-MM-DD: pydantic's date type would also take numbers as Unix timestamps
    if value is None:
        return None
    if len(value) == 10 and value[4] == value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError([Problem(f"'{value}' is not a date (expected YYYY-MM-DD)", path=path)])


def _parse_application(body: bytes) -> application_module.Application:
    if not body.strip():
        raise InputError([Problem("empty body: send one application as a JSON object")])
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(f"body is not UTF-8 text (byte {exc.start} is invalid)")]) from None
    if not text.lstrip().startswith("{"):
        raise InputError([Problem("send one application as a JSON object", line=1, column=1)])
    return application_module.check_document(parse_text(text))


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
    return components


def create_app(live: LiveRuleBook, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, audit: "AuditLog | None" = None,
               watch: bool = False, watch_polling: bool | None = None, watch_interval: float = 1.0) -> FastAPI:
    """The ASGI application serving ``live``'s packs; with ``watch``, packs reload on change."""

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

    app = FastAPI(title="icp-rulepacks", version=_version(), lifespan=lifespan,
                  description="Checklists of the documents a China ICP filing needs, per province (SPEC §9).")
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(str(e.get("msg", "invalid value")),
                            path="$." + ".".join(str(p) for p in e.get("loc", ())))
                    for e in exc.errors()]
        return _error_response(422, InputError(problems or [Problem("invalid request")]))

    @app.post(
        "/v1/check",
        summary="Check one application",
        description="Answers the SPEC §5 result as JSON, or the rendered checklist (`format=md|html|text`).",
        responses={
            200: {"description": "The result, or the rendered checklist",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}},
                              **{MEDIA_TYPES[f].split(";")[0]: {"schema": {"type": "string"}}
                                 for f in FORMATS if f != "json" and f in MEDIA_TYPES}}},
            413: {"description": "The body is over the size limit", "content": error_content},
            422: {"description": "The application is invalid: every problem with its field path", "content": error_content},
        },
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}},
    )
    async def check(
        request: Request,
        format: str = Query("json", description="json, or a rendered checklist", json_schema_extra={"enum": list(FORMATS)}),
        lang: str = Query("zh", json_schema_extra={"enum": list(LANGS)}),
        as_of: str | None = Query(None, description="Apply the rules in force on this date (YYYY-MM-DD)",
                                  json_schema_extra={"format": "date"}),
    ) -> Response:
        try:
            if format not in FORMATS:
                raise InputError([Problem(f"unknown format '{format}' (use {', '.join(FORMATS)})", path="$.query.format")])
            if lang not in LANGS:
                raise InputError([Problem(f"unknown language '{lang}' (use {', '.join(LANGS)})", path="$.query.lang")])
            on = _parse_date(as_of, "$.query.as_of")
            body = await _read_body(request, max_body_bytes)
            book = live.current  # read once: this request evaluates on these packs to the end
            result = book.evaluate(_parse_application(body), as_of=on)
        except BodyTooLarge as exc:
            return _error_response(413, exc)
        except IcpRulesError as exc:
            return _error_response(422, exc)
        if audit is not None:
            audit.log(result, source=f"http {request.client.host if request.client else ''}".strip())
        if format == "json":
            return JSONResponse(result.to_dict(lang))
        return Response(result.render(format=format, lang=lang), media_type=MEDIA_TYPES.get(format, "text/plain; charset=utf-8"))

    @app.get("/v1/provinces", summary="Every province, its codes and the pack that applies")
    async def list_provinces() -> list[dict[str, Any]]:
        return live.current.province_rows()

    @app.get("/v1/packs", summary="The packs in force and their digest")
    async def list_packs() -> dict[str, Any]:
        book, refused = live.current, live.refused
        out: dict[str, Any] = {
            "digest": book.digest,
            "loaded_at": live.loaded_at.isoformat(timespec="seconds"),
            "reloads": live.reloads,
            "packs": [{"id": key, "version": book.packs[key].version, "digest": book.rulesets[key].digest,
                       "kept": key in refused}
                      for key in sorted(book.packs)],
            # each pack file a reload did not take: why, since when, and what serves instead (SPEC §9)
            "refused": [refused[key].to_dict() for key in sorted(refused)],
            "watch": live.watch_status(),
            "last_rejected": None,
        }
        if live.last_error is not None and live.last_error_at is not None:
            out["last_rejected"] = {"at": live.last_error_at.isoformat(timespec="seconds"),
                                    "error": error_to_dict(live.last_error)}
        return out

    @app.get("/healthz", summary="Liveness, with the digest of the packs in force")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "digest": live.current.digest}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(_component_schemas())
            sample = live.current.rulesets["national"].fixtures.get("individual")
            if sample:  # a valid application from the national pack's own test fixtures
                body = schema["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]
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
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("icp-rulepacks")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "0"


def serve(live: LiveRuleBook, *, host: str, port: int, max_body_bytes: int, audit: "AuditLog | None",
          watch: bool) -> None:
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    app = create_app(live, max_body_bytes=max_body_bytes, audit=audit, watch=watch)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
