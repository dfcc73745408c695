"""The intake page (SPEC §9, ``GET /``): a browser form that builds an application, checks it as it
is filled, says which answers are still missing, and shows the checklist.

The form is generated in the browser from ``schemas/application.schema.json`` (titles and
descriptions in both languages, ``x-choices`` for provinces, content categories and documents),
so a field added to the schema appears on the page without more work. Choices are named by the
tables the checklist uses (``engine.names``, the packs' category and document names). Every
message shown at a field comes from the same catalogue as the CLI's (``engine.messages``).

Everything the page loads is served from the package (``engine/static``); Swagger UI for
``/docs`` comes from the swagger-ui-bundle-v2 wheel, so the service needs no other host.
This module only adds routes to the service's app (``install``); it is not part of the pipeline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from fastapi import FastAPI, Request
from starlette.requests import ClientDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from . import application as application_module
from . import bundled, facts as facts_module, provinces
from .errors import IcpRulesError, Problem, problem, problem_to_dict, shown
from .messages import catalogue
from .names import BOOLEAN_WORDS, SYNONYMS, VALUE_NAMES, bundled_category_names, enum_names
from .request import BodyReader, lang_of, parse_body, status_of
from .source import Document, parse_text

if TYPE_CHECKING:
    from .live import LiveRuleBook

STATIC = Path(__file__).with_name("static")
# The page's own policy: nothing from another host; the checklist is shown in a sandboxed frame
# whose document carries its own, stricter policy (no script at all).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' blob:; "
       "frame-src 'self' blob:; child-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'")
UI = {  # the page's own words; field labels and help come from the schema
    "zh": {
        "title": "ICP备案材料清单 · 填写申请", "switch": "English", "intro":
            "填写备案申请，核对后生成该申请所需的材料清单。带 * 的为必填项；每项填写后立即检查。",
        "required": "必填", "add": "添加", "remove": "删除", "choose": "请选择", "yes": "是", "no": "否",
        "load": "载入申请文件（YAML 或 JSON）", "submit": "生成材料清单", "checking": "正在检查…",
        "missing_title": "还缺哪些信息", "missing_intro": "以下信息未填写，会影响清单内容，请先向申请人确认：",
        "missing_none": "目前没有会改变清单的未填信息。", "missing_invalid": "先更正标出的错误，才能判断还缺哪些信息。",
        "affects": "影响", "problems_title": "需要更正", "result_title": "材料清单", "print": "打印清单",
        "download": "下载", "dl_md": "清单（Markdown）", "dl_json": "清单（JSON）", "dl_yaml": "申请（YAML）",
        "dl_app_json": "申请（JSON）", "loaded": "已载入", "fix_first": "请先更正标出的错误。",
        "skip": "跳到表单", "one_per_line": "每行一项", "item": "第 {n} 项", "docs": "API 文档",
    },
    "en": {
        "title": "ICP filing checklist · application", "switch": "中文", "intro":
            "Fill in the filing application and get the checklist of documents it needs. Fields marked * are "
            "required; each is checked as you fill it in.",
        "required": "required", "add": "Add", "remove": "Remove", "choose": "Choose", "yes": "Yes", "no": "No",
        "load": "Load an application file (YAML or JSON)", "submit": "Make the checklist", "checking": "Checking…",
        "missing_title": "Still missing", "missing_intro": "These answers are not given yet and would change the "
            "checklist; ask the applicant first:",
        "missing_none": "Nothing left out would change the checklist.",
        "missing_invalid": "Correct the marked errors first; then the page can tell what is still missing.",
        "affects": "affects", "problems_title": "To correct", "result_title": "Checklist", "print": "Print the checklist",
        "download": "Download", "dl_md": "Checklist (Markdown)", "dl_json": "Checklist (JSON)",
        "dl_yaml": "Application (YAML)", "dl_app_json": "Application (JSON)", "loaded": "Loaded",
        "fix_first": "Correct the marked errors first.", "skip": "Skip to the form", "one_per_line": "one per line",
        "item": "item {n}", "docs": "API documentation",
    },
}


def page(lang: str) -> str:
    """The page's HTML: a shell the script fills from /intake/config (no inline script or style)."""
    words = UI[lang]
    other = "en" if lang == "zh" else "zh"
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(words['title'])}</title>
<link rel="stylesheet" href="/assets/intake/intake.css">
<link rel="icon" href="data:,">
<script src="/assets/intake/check.js" defer></script>
<script src="/assets/intake/intake.js" defer></script>
</head>
<body data-lang="{lang}">
<a class="skip" href="#form">{html.escape(words['skip'])}</a>
<header>
<h1>{html.escape(words['title'])}</h1>
<nav><a id="switch" href="/?lang={other}" hreflang="{other}" lang="{'en' if other == 'en' else 'zh-CN'}">{html.escape(words['switch'])}</a>
 · <a href="/docs">{html.escape(words['docs'])}</a></nav>
</header>
<main>
<p class="intro">{html.escape(words['intro'])}</p>
<p><label for="load">{html.escape(words['load'])}</label>
<input id="load" type="file" accept=".yaml,.yml,.json,application/json,text/yaml"> <span id="load-status" role="status"></span></p>
<div class="layout">
<form id="form" novalidate aria-describedby="form-status">
<div id="fields"></div>
<div id="form-problems" class="problems" role="alert" hidden></div>
<p><button id="submit" type="submit">{html.escape(words['submit'])}</button> <span id="form-status" role="status"></span></p>
</form>
<aside id="missing" aria-live="polite" aria-labelledby="missing-title">
<h2 id="missing-title">{html.escape(words['missing_title'])}</h2>
<div id="missing-body"></div>
</aside>
</div>
<section id="result" hidden aria-labelledby="result-title">
<h2 id="result-title" tabindex="-1">{html.escape(words['result_title'])}</h2>
<p class="actions"><button id="print" type="button">{html.escape(words['print'])}</button>
<span>{html.escape(words['download'])}:</span>
<a id="dl-md" download="checklist.md" href="#">{html.escape(words['dl_md'])}</a>
<a id="dl-json" download="checklist.json" href="#">{html.escape(words['dl_json'])}</a>
<a id="dl-yaml" download="application.yaml" href="#">{html.escape(words['dl_yaml'])}</a>
<a id="dl-app-json" download="application.json" href="#">{html.escape(words['dl_app_json'])}</a></p>
<iframe id="checklist" title="{html.escape(words['result_title'])}" sandbox="allow-modals allow-same-origin"></iframe>
</section>
</main>
<div id="print-copy" hidden></div>
</body>
</html>
"""


# The messages the page words itself when it checks a field in the browser (static/intake/check.js):
# what the schema alone decides, as engine/application.py's _schema_problems words it.
LOCAL_MESSAGES = ("unknown_field", "missing_field", "not_one_of", "wrong_type", "fill_in", "fill_in_date", "not_a_date", "date_forever",
                  "at_least", "too_long", "empty_value", "not_snake_case", "signature_md5_invalid", "did_you_mean")


def _named(schema: Any, lang: str) -> Any:
    """The schema with each enum's value names in ``lang`` beside it (``x-value-names``), from engine.names."""
    if isinstance(schema, list):
        return [_named(item, lang) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: (value if key in ("enum", "required", "examples", "default") else _named(value, lang))
           for key, value in schema.items()}
    names = enum_names(schema["enum"]) if "enum" in schema else None
    if names is not None:
        out["x-value-names"] = {str(value): names[str(value)][lang] for value in schema["enum"]}
    return out


def config(live: "LiveRuleBook", lang: str) -> dict[str, Any]:
    """What the script needs to build the form and check it: the schema, the names of every choice,
    and the message catalogue's entries for what the browser checks itself."""
    book = live.current
    national = book.rulesets["national"]
    return {
        "lang": lang,
        "ui": UI[lang],
        "schema": _named(bundled.schema("application"), lang),
        "check": {"catalogue": catalogue(LOCAL_MESSAGES, lang), "value_names": VALUE_NAMES, "synonyms": SYNONYMS,
                  "boolean_words": BOOLEAN_WORDS, "category_names": bundled_category_names(),
                  "no_expiry_words": sorted(application_module.NO_EXPIRY_WORDS)},
        "choices": {
            "provinces": [{"value": p.key, "label": f"{p.name}（{p.abbr}）" if lang == "zh" else p.english,
                           "spellings": provinces.spellings(p)} for p in provinces.PROVINCES],
            "categories": [{"value": key, "label": names.get(lang, key)} for key, names in national.categories.items()],
            "documents": [{"value": key, "label": doc.name[lang]} for key, doc in national.documents.items()],
        },
    }


def _field_path(found: Problem) -> str:
    """Where the page shows a problem: a missing field at the field itself, not at its parent."""
    if found.id == "missing_field":
        name = dict(found.args).get("name")
        base = found.path or "$"
        return f"{base}.{name}"
    return found.path or "$"


def _problem_row(found: Problem, lang: str) -> dict[str, Any]:
    # problem_to_dict shows it as every problem is shown (a number a caller typed anywhere masked);
    # the page's row adds the field it is shown at, and has every key, null where there is none
    data = problem_to_dict(found, lang)
    return {"path": data["path"], "field": shown(_field_path(found)), "message": data["message"],
            "suggestion": data.get("suggestion") or None, "code": found.id, "severity": found.severity,
            "line": found.line, "column": found.column}


def _missing(book: Any, app: application_module.Application, lang: str) -> list[dict[str, Any]]:
    """The facts that leave a rule undecided (explain knows them), with the rules they affect."""
    explanation = book.explain(app)
    found: dict[str, dict[str, Any]] = {}
    for rule in explanation.rules:
        if rule.status != "undecided":
            continue
        for item in rule.items:
            for fact in item.missing:
                fields = facts_module.ANSWERS.get(fact, ())  # where the answer is written (facts knows)
                entry = found.setdefault(fact, {"fact": fact, "label": _fact_label(fact, lang), "fields": list(fields),
                                                "key": fields[0].rsplit(".", 1)[-1] if fields else fact,
                                                "refs": [], "rules": []})
                if item.ref is not None and item.ref not in entry["refs"]:
                    entry["refs"].append(item.ref)
                title = rule.rule.title[lang]
                if title not in entry["rules"]:
                    entry["rules"].append(title)
    return list(found.values())


def _fact_label(fact: str, lang: str) -> str:
    known = facts_module.BY_NAME.get(fact)
    if known is None:
        return fact
    return known.zh if lang == "zh" else known.meaning.rstrip(".")


def _as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def check(live: "LiveRuleBook", document: Document, lang: str, render: bool) -> tuple[int, dict[str, Any]]:
    """The page's one question: is this application (the body, read as a JSON object) valid, what is
    missing, and (``render``) its checklist."""
    try:
        app = application_module.check_document(document)
    except IcpRulesError as exc:
        problems = list(exc.problems)
        # an unfinished form: its filled fields are checked too, not only the schema
        seen = {(p.path, p.id) for p in problems}
        problems += [p for p in application_module.field_problems(document) if (p.path, p.id) not in seen]
        return 200, {"valid": False, "problems": [_problem_row(p, lang) for p in problems]}
    book = live.current
    out: dict[str, Any] = {"valid": True, "problems": [_problem_row(p, lang) for p in app.warnings],
                           "missing": _missing(book, app, lang)}
    if render:
        result = book.evaluate(app)
        data = document.data
        out["checklist"] = {"html": result.render(format="html", lang=lang), "md": result.render(format="md", lang=lang),
                            "json": result.render(format="json", lang=lang), "blocking": bool(result.blocking)}
        out["application"] = {"yaml": _as_yaml(data), "json": json.dumps(data, ensure_ascii=False, indent=2) + "\n"}
    return 200, out


def load(body: Document, lang: str) -> tuple[int, dict[str, Any]]:
    """An application file's text (YAML or JSON), sent as ``{"name": …, "text": …}``, as data for
    the form, or its located problems."""
    text = body.data.get("text")
    if not isinstance(text, str):
        return 422, {"problems": [_problem_row(problem("body_not_object"), lang)]}
    try:
        document = parse_text(text, str(body.data.get("name") or "application.yaml"))
    except IcpRulesError as exc:
        return 200, {"problems": [_problem_row(p, lang) for p in exc.problems]}
    if not isinstance(document.data, dict):
        return 200, {"problems": [_problem_row(document.source.problem((), "not_a_mapping_application"), lang)]}
    return 200, {"application": application_module.as_written(document), "problems": []}


def install(app: FastAPI, live: "LiveRuleBook", *, reader: BodyReader) -> None:
    """Add the intake page, its assets and an offline /docs to the service's ``app``.

    ``reader`` is the service's own body reader, with its size limit, timeout, media type and JSON
    checks, so the page's POSTs are held to the API's: the page words its refusals as problem rows.

    The app must be created with ``docs_url=None`` and ``redoc_url=None`` (FastAPI's own pages
    load Swagger UI and ReDoc from a CDN)."""
    app.mount("/assets/intake", StaticFiles(directory=STATIC / "intake"), name="intake-assets")
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # installed without the serve extra: /docs says what is missing
        swagger_ui_path = None
    else:
        app.mount("/assets/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    def headers(policy: str = CSP) -> dict[str, str]:
        return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

    @app.get("/", include_in_schema=False)
    async def intake_page(request: Request) -> HTMLResponse:
        return HTMLResponse(page(lang_of(request)), headers=headers())

    @app.get("/intake/config", include_in_schema=False)
    async def intake_config(request: Request) -> JSONResponse:
        return JSONResponse(config(live, lang_of(request)), headers=headers())

    def refusal(exc: IcpRulesError, status: int, lang: str, **more: str) -> JSONResponse:
        return JSONResponse({"valid": False, "problems": [_problem_row(p, lang) for p in exc.problems]},
                            status_code=status, headers={**headers(), **more})

    async def answer(request: Request, work: Any) -> Response:
        lang = lang_of(request)
        try:
            body = await reader.read(request)
        except IcpRulesError as exc:  # 415, 413 and 408 close the connection (the rest is not waited for)
            return refusal(exc, status_of(exc), lang, Connection="close")
        except ClientDisconnect:  # the client went away: nobody to answer
            return Response(status_code=400)

        def respond() -> Response:  # parsing and evaluation: one hop to the thread pool, off the event loop
            try:
                document = parse_body(body)
            except IcpRulesError as exc:
                return refusal(exc, 422, lang)
            status, out = work(document, lang)
            return JSONResponse(out, status_code=status, headers=headers())

        return await run_in_threadpool(respond)

    @app.post("/intake/check", include_in_schema=False)
    async def intake_check(request: Request) -> Response:
        render = request.query_params.get("render") in ("1", "true")
        return await answer(request, lambda body, lang: check(live, body, lang, render))

    @app.post("/intake/load", include_in_schema=False)
    async def intake_load(request: Request) -> Response:
        return await answer(request, load)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if swagger_ui_path is None:
            return HTMLResponse("<!DOCTYPE html><title>API</title><p>/docs needs Swagger UI's files: "
                                "pip install 'icp-rulepacks[serve]'. The API itself is at /openapi.json.</p>",
                                status_code=404, headers=headers())
        return HTMLResponse(DOCS_PAGE, headers=headers(DOCS_CSP))


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>icp-rulepacks · API</title>
<link rel="stylesheet" href="/assets/swagger/swagger-ui.css">
<link rel="icon" href="/assets/swagger/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/assets/swagger/swagger-ui-bundle.js"></script>
<script src="/assets/intake/docs.js"></script>
</body>
</html>
"""
