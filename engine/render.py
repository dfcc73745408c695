"""Step 7: turn a result into what people read — Markdown, HTML, plain text or JSON.

This is the only module that formats checklists. Templates are Jinja, rendered in a sandbox with
StrictUndefined (HTML also autoescaped): they see a prepared view of the result — already in one
language, every id turned into its name, personal numbers masked — never the engine's objects.
Compliance teams may brand the checklist with ``templates=DIR``: a file there named like a bundled
template replaces it, and ``DIR/labels.yaml`` may add or reword labels (``{zh: {...}, en: {...}}``).
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import facts as facts_module
from . import timeline as timeline_module
from .errors import InputError, Problem, TemplateError, problem
from .result import CATEGORY_ORDER, SEVERITY_ORDER
from .text import mask, neutralise

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from .result import Result

FORMATS = ("md", "html", "text", "json")
LANGS = ("zh", "en")
TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_FILES = {"md": "checklist.md.j2", "html": "checklist.html.j2", "text": "checklist.text.j2"}
LABELS_FILE = "labels.yaml"
DEFAULT_WIDTH = 100  # text width when there is no terminal to ask

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "ICP备案材料清单", "application": "申请编号", "applicant": "申请概况", "province": "备案省份",
        "subject": "主办者", "subject_type": "主办者性质", "certificate": "证件", "principal": "主体负责人",
        "manager": "网站负责人", "websites": "网站", "domains": "域名", "categories": "前置审批类别",
        "app_manager": "App负责人", "apps": "App、小程序和快应用", "platforms": "运行平台", "package": "包名",
        "appid": "AppID", "signature_md5": "签名MD5", "kind_app": "App",
        "app_number_title": "备案号展示", "app_number_intro": "上线后，请在App的“关于”或“介绍”页面、登录页或“设置”等显著位置标明各自的备案号，并链接至 {link}；在应用商店（分发平台）上架时填写同一备案号，商店页面会展示它。小程序、快应用的备案号也会由平台在其资料页展示。",
        "app_number_source": "工业和信息化部信息通信管理局《〈关于开展移动互联网应用程序备案工作的通知〉解读》（2023-08-04，APP主办者应在显著位置标注其备案编号，分发平台应在显著位置标注其分发的APP备案编号）；华为云《App备案成功后的注意事项》（在App的“设置”或“介绍”等显著位置标明备案编号，并链接备案系统网址）",
        "placeholder_ordinal_app": "未提供已备案服务数量（subject.existing.filed_services）：请把 N 替换为该App在主体下的序号。",
        "days_after_launch_app": "App上线后 {n} 日内", "after_launch_app": "以App、小程序或快应用上线之日起算，在全国互联网安全管理服务平台（beian.mps.gov.cn）办理",
        "filing_type": "备案类型", "service_type": "服务类型", "server": "服务器位置", "submitted_on": "提交日期",
        "pack": "规则包", "evaluated_on": "评估日期",
        "not_required": "无需ICP备案", "blocking": "必须先解决的问题", "blocking_intro": "以下问题不解决，备案会被驳回：",
        "no_blocking": "没有阻断性问题。", "warnings": "提醒", "info": "说明",
        "documents": "所需材料", "basic": "基本资料", "supplementary": "辅助资料", "pre_approval": "前置审批文件",
        "for": "对象", "why": "原因", "source": "依据", "limits": "时效要求",
        "max_age": "须为 {n} 天内开具", "min_validity": "剩余有效期至少 {n} 天",
        "max_age_months": "须为 {n} 个月内开具", "min_validity_months": "剩余有效期至少 {n} 个月", "any_of": "任选其一",
        "footer": "网站底部备案号", "footer_intro": "网站开通后，请在每个页面底部居中悬挂{kind}，并链接至 {link}。",
        "number_kind_subject": "主体备案号", "number_kind_website": "网站备案号",
        "copyright": "同时须标注版权所有信息。", "snippet": "可直接粘贴的 HTML 代码",
        "placeholder_subject": "备案号在管局审核通过后才下发：请把 XXXXXXXX 替换为下发的主体备案号。",
        "placeholder_ordinal": "网站备案号在管局审核通过后随备案下发：请把 N 替换为管局下发的该网站序号（可在工信部备案管理系统查询），不要自行推算。",
        "number_known": "备案号", "preview": "效果", "advice": "办理提示",
        "timeline": "办理时间", "step": "环节", "duration": "时限", "by": "预计不晚于",
        "provider_review": "接入商初审", "sms_verification": "工信部短信核验", "bureau_review": "管局审核",
        "public_security_filing": "公安联网备案", "change_filing": "变更备案",
        "working_days_range": "{a}–{b} 个工作日", "hours": "收到短信后 {n} 小时内", "up_to_working_days": "最长 {n} 个工作日",
        "days_after_launch": "网站开通后 {n} 日内", "after_launch": "以网站开通日期起算",
        "days_after_change": "备案信息变化后 {n} 日内", "after_change": "备案期间持续有效的义务",
        "estimated": "预计审核完成", "calendar_official": "工作日按国务院节假日安排（含调休）计算。",
        "calendar_note": "节假日日历只收录到 {year} 年；之后的日期按周一至周五估算，实际时间可能不同。",
        "kind_subject": "主办者", "kind_person": "人员", "kind_website": "网站", "kind_domain": "域名",
        "kind_category": "类别", "or": "或", "none": "无", "masked_note": "证件号码已部分隐藏。",
        "generated": "本清单由 icp-rules 根据规则包生成", "page": "第 {n} 页",
    },
    "en": {
        "title": "ICP filing checklist", "application": "Application", "applicant": "Applicant", "province": "Filing province",
        "subject": "Subject", "subject_type": "Subject type", "certificate": "Certificate", "principal": "Principal",
        "manager": "Website manager", "websites": "Websites", "domains": "Domains", "categories": "Pre-approval categories",
        "app_manager": "App manager", "apps": "Apps, mini programs and quick apps", "platforms": "Platforms",
        "package": "Package", "appid": "AppID", "signature_md5": "Signature MD5", "kind_app": "app",
        "app_number_title": "Where the filing number is shown",
        "app_number_intro": "Once live, show each app's own filing number prominently in the app (its about or introduction page, "
                            "the login page or settings), linked to {link}, and give the same number when listing the app in "
                            "app stores, which show it on the store page. Platforms also show the number of a mini program or "
                            "quick app on its profile page.",
        "app_number_source": "MIIT Information and Communications Administration Bureau, explainer of the notice on filing mobile apps (2023-08-04: the app's operator shows its filing number prominently, distribution platforms show the number of every app they distribute); Huawei Cloud, notes after a successful app filing (show the number in the app's settings or about page, linked to the filing system)",
        "placeholder_ordinal_app": "The number of services already filed (subject.existing.filed_services) was not given: "
                                   "replace N with the app's ordinal under the subject.",
        "days_after_launch_app": "within {n} days of the app going live",
        "after_launch_app": "counted from the day the app, mini program or quick app goes live; filed on the national "
                            "internet security management service platform (beian.mps.gov.cn)",
        "filing_type": "Filing type", "service_type": "Service type", "server": "Server location", "submitted_on": "Submitted on",
        "pack": "Rule pack", "evaluated_on": "Evaluated on",
        "not_required": "No ICP filing required", "blocking": "Blocking problems — resolve first",
        "blocking_intro": "The filing will be rejected unless these are resolved:",
        "no_blocking": "No blocking problems.", "warnings": "Warnings", "info": "Notes",
        "documents": "Documents to bring", "basic": "Basic documents", "supplementary": "Supplementary documents",
        "pre_approval": "Pre-approval documents", "for": "For", "why": "Why", "source": "Source", "limits": "Time limits",
        "max_age": "issued at most {n} days before submission", "min_validity": "valid for at least {n} more days",
        "max_age_months": "issued at most {n} months before submission", "min_validity_months": "valid for at least {n} more months",
        "any_of": "any one of",
        "footer": "Footer filing number",
        "footer_intro": "Once the site is live, show the {kind} centred at the bottom of every page, linked to {link}.",
        "number_kind_subject": "subject filing number", "number_kind_website": "website filing number",
        "copyright": "A copyright line is also required.", "snippet": "HTML to paste",
        "placeholder_subject": "The number is issued when the bureau approves the filing: replace XXXXXXXX with the "
                               "subject number you receive.",
        "placeholder_ordinal": "The website number is issued with the bureau's approval: replace N with the number the "
                               "bureau issues for this website (the MIIT filing system shows it); do not work it out.",
        "number_known": "Number", "preview": "Preview", "advice": "Advice",
        "timeline": "Timeline", "step": "Step", "duration": "Time limit", "by": "expected by",
        "provider_review": "Access provider review", "sms_verification": "MIIT SMS verification",
        "bureau_review": "Communications administration review", "public_security_filing": "Public security filing",
        "change_filing": "Change filing",
        "working_days_range": "{a}–{b} working days", "hours": "within {n} hours of the SMS",
        "up_to_working_days": "up to {n} working days", "days_after_launch": "within {n} days of launch",
        "after_launch": "counted from the day the site goes live",
        "days_after_change": "within {n} days of the change",
        "after_change": "whenever the filed details change, for as long as the filing stands",
        "estimated": "Estimated decision", "calendar_official": "Working days follow the State Council holiday schedule, "
                                                               "including adjusted working weekends.",
        "calendar_note": "The holiday calendar only covers years up to {year}; later dates assume Monday to Friday "
                         "working days and may differ.",
        "kind_subject": "subject", "kind_person": "person", "kind_website": "website", "kind_domain": "domain",
        "kind_category": "category", "or": "or", "none": "none", "masked_note": "Certificate numbers are partly hidden.",
        "generated": "Generated by icp-rules from the rule pack", "page": "page {n}",
    },
}

# Names of the application's enumerated values: kept with the facts, which show them in messages too.
VALUE_NAMES = facts_module.VALUE_NAMES

CATEGORIES = tuple(CATEGORY_ORDER)  # the order the checklist shows them in
SEVERITIES = tuple(SEVERITY_ORDER)


def _name(group: str, value: Any, lang: str) -> str:
    names = VALUE_NAMES[group].get(str(value))
    return names[lang] if names else str(value)


# Labels (a team's labels.yaml too) are filled by name only: {n} becomes the number, {{ and }} are
# braces, and nothing else is interpreted. str.format would reach attributes ({n.__class__.__mro__})
# and pad without limit ({n:>100000000} wrote 100 MB).
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def placeholders(text: str) -> set[str]:
    """The fields a label's text names: {n} gives "n"; anything else in braces is given as written."""
    return {m.group(1) for m in _FIELD.finditer(text) if m.group(1) is not None}


def fill(text: str, **values: Any) -> str:
    """``text`` with each {name} replaced by ``values[name]``; {{ and }} are braces; anything else stays."""
    def one(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if name is None:
            return token[0]
        return str(values[name]) if name in values else token
    return _PLACEHOLDER.sub(one, text)


class _View:
    """Builds the template view of one result in one language."""

    def __init__(self, result: "Result", lang: str, labels: Mapping[str, str], masked: bool):
        self.result, self.lang, self.L, self.masked = result, lang, labels, masked
        self.ruleset = result.ruleset
        self.app = result.application.data
        # An app filing speaks of apps: no web footer, its own public-security wording.
        self.app_filing = self.app["service_type"] != "website" or bool(self.app["apps"] and not self.app["websites"])

    def number(self, value: Any) -> str:
        return mask(str(value)) if self.masked else str(value)

    def category_name(self, category: str) -> str:
        names = self.ruleset.categories.get(category)
        return names[self.lang] if names else category

    def document_name(self, doc_id: str) -> str:
        return self.result.document_name(doc_id, self.lang)

    def certificate(self, cert: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": cert["type"], "type_name": _name("certificate_type", cert["type"], self.lang),
                "number": self.number(cert["number"]), "expires_on": str(cert["expires_on"]) if cert.get("expires_on") else None}

    def person(self, person: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": person["name"], "identity": _name("identity", person.get("identity", "mainland"), self.lang),
                "certificate": self.certificate(person["certificate"])}

    def target(self, kind: str, ref: str) -> dict[str, str]:
        label = self.category_name(ref) if kind == "category" else ref
        return {"kind": kind, "kind_name": self.L["kind_" + kind], "ref": ref, "name": label}

    def applicant(self) -> dict[str, Any]:
        app, lang = self.app, self.lang
        subject = app["subject"]
        principal = app.get("principal")
        managers = []
        for list_name, role in (("websites", self.L["manager"]), ("apps", self.L["app_manager"])):
            for item in app[list_name]:
                manager = item.get("manager")
                if manager and (not principal or manager["certificate"]["number"] != principal["certificate"]["number"]):
                    # "website" stays for templates written before apps[]: it names the service either way
                    managers.append(dict(self.person(manager), website=item["name"], service=item["name"], role=role))
        province = self.result.province
        return {
            "application_id": self.result.application_id,
            "subject": {"name": subject["name"], "type": subject["type"], "type_name": _name("subject_type", subject["type"], lang),
                        "certificate": self.certificate(subject["certificate"]),
                        "existing_number": subject["existing"].get("subject_number")},
            "principal": self.person(principal) if principal else None,
            "managers": managers,
            "province": {"key": province.key, "abbr": province.abbr,
                         "name": province.name if lang == "zh" else province.english},
            "filing_type": _name("filing_type", app["filing_type"], lang),
            "service_type": _name("service_type", app["service_type"], lang),
            "server": _name("server_location", app["server"]["location"], lang),
            "submitted_on": str(app["submitted_on"]) if app.get("submitted_on") else None,
            "websites": [{"name": site["name"], "domains": list(site.get("domains") or []),
                          "categories": [self.category_name(c) for c in site.get("content_categories") or []]}
                         for site in app["websites"]],
            "apps": [self.app_entry(entry) for entry in app["apps"]],
        }

    def app_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        kind = entry["kind"]
        return {"name": entry["name"], "kind": kind, "kind_name": _name("app_kind", kind, self.lang),
                "platforms": [_name("platform", p, self.lang) for p in dict.fromkeys(entry.get("platforms") or [])],
                "package_label": self.L["appid"] if kind == "mini_program" else self.L["package"],
                "package": entry.get("package"), "signature_md5": entry.get("signature_md5"),
                "domains": list(entry.get("domains") or []),
                "categories": [self.category_name(c) for c in entry.get("content_categories") or []]}

    def documents(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        groups = []
        for category in CATEGORIES:
            docs = []
            for doc in data["required_documents"]:
                if doc["category"] != category:
                    continue
                alternatives = doc.get("any_of") or [doc["id"]]
                limits = []
                if "max_age_days" in doc:
                    limits.append(fill(self.L["max_age"], n=doc["max_age_days"]))
                if "min_validity_days" in doc:
                    limits.append(fill(self.L["min_validity"], n=doc["min_validity_days"]))
                if "max_age_months" in doc:
                    limits.append(fill(self.L["max_age_months"], n=doc["max_age_months"]))
                if "min_validity_months" in doc:
                    limits.append(fill(self.L["min_validity_months"], n=doc["min_validity_months"]))
                description = self.ruleset.documents[doc["id"]].description if doc["id"] in self.ruleset.documents else None
                docs.append({
                    "id": doc["id"], "name": doc["name"], "any_of": len(alternatives) > 1,
                    "alternatives": [{"id": a, "name": self.document_name(a)} for a in alternatives],
                    "description": description[self.lang] if description else None,
                    "for": [self.target(t["kind"], t["ref"]) for t in doc["for"]],
                    "reasons": doc["reasons"], "limits": limits,
                    "max_age_days": doc.get("max_age_days"), "min_validity_days": doc.get("min_validity_days"),
                    "max_age_months": doc.get("max_age_months"), "min_validity_months": doc.get("min_validity_months"),
                })
            groups.append({"id": category, "title": self.L[category], "documents": docs})
        return groups

    def finding(self, finding: Mapping[str, Any]) -> dict[str, Any]:
        title = self.ruleset.findings.get(finding["id"])
        ref: str | None = finding.get("ref")
        ref_name = ref
        if ref is not None and ref in self.ruleset.documents:
            ref_name = self.document_name(ref)
        elif ref is not None and ref in self.ruleset.categories:
            ref_name = self.category_name(ref)
        return dict(finding, title=title[self.lang] if title else finding["id"], ref_name=ref_name)

    def footer(self) -> dict[str, Any]:
        footer = self.result.footer
        kind = self.L["number_kind_" + footer.number_kind]
        entries = [{"website": n.website, "number": n.number, "shown": n.shown, "html": footer.html(n)}
                   for n in footer.numbers]
        apps = [{"app": n.app, "kind_name": _name("app_kind", n.kind, self.lang), "number": n.number, "shown": n.shown}
                for n in footer.apps]
        shown = [n.shown for n in footer.numbers] + [n.shown for n in footer.apps]
        notes = [self.L["placeholder_subject"]] if any("XXXXXXXX" in s for s in shown) else []
        if any("-N" in n.shown for n in footer.numbers):
            notes.append(self.L["placeholder_ordinal"])
        if any("-N" in n.shown for n in footer.apps):
            notes.append(self.L["placeholder_ordinal_app"])
        return {
            "number_kind": footer.number_kind, "kind_name": kind, "link": footer.link,
            "copyright_required": footer.copyright_required and bool(entries),
            "title": self.L["footer"] if entries else self.L["app_number_title"],
            "intro": fill(self.L["footer_intro"], kind=kind, link=footer.link),
            "entries": entries,
            "apps": apps,
            "app_intro": fill(self.L["app_number_intro"], link=footer.link),
            "app_source": self.L["app_number_source"],
            "notes": notes,
        }

    def timeline(self) -> dict[str, Any]:
        timeline = self.result.timeline
        steps = []
        for step in timeline.steps:
            if "working_days" in step and step["id"] == "provider_review":
                duration = fill(self.L["working_days_range"], a=1, b=step["working_days"])
            elif "working_days" in step:
                duration = fill(self.L["up_to_working_days"], n=step["working_days"])
            elif "hours" in step:
                duration = fill(self.L["hours"], n=step["hours"])
            elif "days_after_change" in step:
                duration = fill(self.L["days_after_change"], n=step["days_after_change"])
            elif self.app_filing:
                duration = fill(self.L["days_after_launch_app"], n=step["days_after_launch"])
            else:
                duration = fill(self.L["days_after_launch"], n=step["days_after_launch"])
            launch = self.L["after_launch_app"] if self.app_filing else self.L["after_launch"]
            note = (launch if "days_after_launch" in step
                    else self.L["after_change"] if "days_after_change" in step else None)
            steps.append({"id": step["id"], "title": self.L[step["id"]], "duration": duration, "by": step.get("by"),
                          "note": note})
        official = timeline.calendar_complete
        note = (self.L["calendar_official"] if official
                else fill(self.L["calendar_note"], year=timeline_module.CALENDAR_KNOWN_UNTIL))
        estimated = timeline.estimated_decision_on.isoformat() if timeline.estimated_decision_on else None
        return {"steps": steps, "estimated_decision_on": estimated, "calendar_official": official, "calendar_note": note}

    def build(self) -> dict[str, Any]:
        data = self.result.to_dict(self.lang)
        findings = [self.finding(f) for f in data["findings"]]
        by_severity = {s: [f for f in findings if f["severity"] == s] for s in SEVERITIES}
        return {
            "r": data, "L": self.L, "lang": self.lang, "masked": self.masked,
            "filing_required": data["filing_required"],
            "applicant": self.applicant(),
            "pack": data["pack"], "evaluated_on": data["evaluated_on"],
            "blocking": by_severity["blocking"], "warnings": by_severity["warning"], "infos": by_severity["info"],
            "groups": self.documents(data),
            "advice": data.get("advice") or [],
            "footer": self.footer(),
            "timeline": self.timeline(),
        }


def view(result: "Result", lang: str, *, masked: bool = True,
         labels: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
    """Everything a template may show, in one language, with personal numbers masked."""
    return _View(result, lang, (labels or LABELS)[lang], masked).build()


# --- Markdown and text need their own escaping, applied to every value a template prints -------

class Verbatim(str):
    """Text a template has already made safe for its format (e.g. a fenced code block)."""


# "_" only marks emphasis at a word's edge, so 003_956d.txt stays readable.
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>#|&~])|((?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")
# Zero-width characters carry no meaning in a checklist (and can hide words); the characters that
# could control a terminal or reorder a line go by engine/text.py's one rule, in every format.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")


def _shown(text: str) -> str:
    return neutralise(_ZERO_WIDTH.sub("", text))


def _markdown_value(value: Any) -> Any:
    if isinstance(value, Verbatim) or not isinstance(value, str):
        return value
    # A name like "<script>" or "**x**" stays literal text in whatever renders the Markdown.
    return MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), _shown(value)).replace("\n", " ")


def _text_value(value: Any) -> Any:
    # No terminal control sequences from an application reach the user's terminal.
    return _shown(value) if isinstance(value, str) else value


def _html_value(value: Any) -> Any:
    # Escaping (autoescape) comes after this: a U+202E in a name cannot reverse the page's text.
    # Markup the engine built keeps its type, so it is not escaped a second time.
    return type(value)(_shown(value)) if isinstance(value, str) else value


def _fenced(text: str, language: str = "") -> Verbatim:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Verbatim(f"{fence}{language}\n{_shown(text)}\n{fence}")


def _code_span(text: Any) -> Verbatim:
    """Markdown code span: its content is literal, so a masked number keeps its asterisks."""
    body = _shown(str(text)).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return Verbatim(f"{ticks}{pad}{body}{pad}{ticks}")


FINALIZE: dict[str, Callable[[Any], Any]] = {"md": _markdown_value, "text": _text_value, "html": _html_value}


def _load_labels(templates: Path | None) -> dict[str, dict[str, str]]:
    """The bundled labels, with DIR/labels.yaml laid over them."""
    file = templates / LABELS_FILE if templates else None
    if file is None or not file.exists():
        return overlay_labels({})
    from .source import load_file

    assert templates is not None
    confined(file, [templates])
    document = load_file(file)
    data = document.data
    if not isinstance(data, dict) or not all(isinstance(data.get(lang, {}), dict) for lang in LANGS):
        raise TemplateError([document.source.problem((), "labels_file_shape")])
    problems = label_problems(document)
    if problems:
        raise TemplateError(problems)
    return overlay_labels(data)


def label_problems(document: Any) -> list[Problem]:
    """Labels the engine fills ({n}, {kind}, …) may name only the fields the bundled label names."""
    problems = []
    for lang in LANGS:
        for key, text in (document.data.get(lang) or {}).items():
            allowed = placeholders(LABELS[lang].get(str(key), "")) if str(key) in LABELS[lang] else None
            if not allowed or not isinstance(text, str):
                continue  # shown as written, never filled
            extra = sorted(placeholders(text) - allowed)
            if extra:
                problems.append(document.source.problem(
                    (lang, key), "label_placeholders", name=key, allowed=["{" + name + "}" for name in sorted(allowed)],
                    extra=extra[0]))
    return problems


def confined(file: Path, roots: list[Path]) -> None:
    """Refuse a file (a template, labels.yaml) that is, through a symlink, outside its directory:
    a link in a templates directory to /etc/shadow would otherwise be rendered."""
    try:
        resolved = file.resolve(strict=True)
    except (OSError, RuntimeError):
        return  # missing or a loop: reading it reports that
    if not any(resolved.is_relative_to(root.resolve()) for root in roots):
        raise TemplateError([problem("template_link_outside", file=str(file))])


def overlay_labels(data: dict[Any, Any]) -> dict[str, dict[str, str]]:
    """The bundled labels with a labels.yaml's {lang: {label: text}} laid over them."""
    merged = {lang: dict(LABELS[lang]) for lang in LANGS}
    for lang in LANGS:
        for key, text in (data.get(lang) or {}).items():
            merged[lang][str(key)] = str(text)
    return merged


def environment(format: str, templates: Path | None = None) -> SandboxedEnvironment:
    """The sandboxed Jinja environment for one output format (HTML autoescaped).

    Environments are kept, so each template is compiled once; Jinja still notices a template
    file that changed on disk (auto_reload)."""
    return _environment(format, str(templates) if templates is not None else None)


# Rendering is bounded in time and size, whatever a template from --templates does: a loop of
# loops, "x" * 10**9, a filter or format asked for a billion columns. Every call, attribute,
# filter, range step and output piece checks the budget of the render running in this thread.
RENDER_SECONDS = 20.0
RENDER_BYTES = 16 << 20
_budget = threading.local()


def _over(what: str) -> Exception:
    from jinja2.exceptions import SecurityError

    return SecurityError(what)


def _spend(size: int = 0) -> None:
    deadline = getattr(_budget, "deadline", None)
    if deadline is None:
        return
    if time.monotonic() > deadline:
        raise _over(f"rendering took longer than {RENDER_SECONDS:.0f} s")
    if size > RENDER_BYTES:
        raise _over(f"the template would produce more than {RENDER_BYTES} bytes")


def _bounded_range(*args: int) -> Iterator[int]:
    for index, value in enumerate(range(*args)):
        if not index & 1023:
            _spend()
        yield value


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses numbers (widths, counts) beyond the size bound, and results beyond it."""
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1  # the context or environment, then the value

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        for value in (*args[skip:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > RENDER_BYTES:
                raise _over(f"a filter was given {value}, beyond the size bound")
        result = function(*args, **kwargs)
        if isinstance(result, (str, list)):
            _spend(len(result))
        return result

    if hasattr(function, "jinja_pass_arg"):  # Jinja's pass_context/pass_environment mark
        guarded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


def _sandbox_class() -> type:
    from jinja2.sandbox import SandboxedEnvironment

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _spend()
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > RENDER_BYTES:
                        raise _over("a repetition beyond the size bound")
            if operator == "**" and isinstance(right, int) and isinstance(left, (int, float)) and abs(left) > 1 and right > 4096:
                raise _over("a power beyond the size bound")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own
            _spend()
            return super().call(__context, __obj, *args, **kwargs)

        def getattr(self, obj: Any, attribute: str) -> Any:
            _spend()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            _spend()
            return super().getitem(obj, argument)

        def wrap_str_format(self, value: Any) -> Any:
            # "{:>100000000}".format(x): the sandbox guards the fields' attributes, not their widths
            wrapped = super().wrap_str_format(value)
            if wrapped is not None:
                import string

                for _, _, spec, _ in string.Formatter().parse(str(value.__self__)):
                    if spec and any(int(n) > 1000 for n in re.findall(r"\d+", spec)):
                        raise _over(f"a format width beyond the size bound ('{spec}')")
            return wrapped

    return Bounded


def _render_bounded(template: Any, context: dict[str, Any]) -> str:
    """The template's output, piece by piece, within RENDER_SECONDS and RENDER_BYTES."""
    _budget.deadline = time.monotonic() + RENDER_SECONDS
    try:
        pieces, size = [], 0
        for piece in template.generate(**context):
            size += len(piece)
            _spend(size)
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _budget.deadline = None


class _ConfinedLoader:
    """Jinja's FileSystemLoader, refusing a template that a symlink leads out of its directory."""

    def __new__(cls, search: list[str]) -> Any:
        from jinja2 import FileSystemLoader

        class Confined(FileSystemLoader):
            def get_source(self, environment: Any, template: str) -> Any:
                source, filename, uptodate = super().get_source(environment, template)
                confined(Path(filename), [Path(p) for p in self.searchpath])
                return source, filename, uptodate

        return Confined(search)


@lru_cache(maxsize=32)
def _environment(format: str, templates: str | None) -> SandboxedEnvironment:
    # Jinja is imported here, not at the top: JSON output (the intake systems' format) never needs
    # it, and importing it costs about 60 ms of a cold `icp-rules check --format json`.
    from jinja2 import StrictUndefined
    from markupsafe import Markup

    search = [str(templates)] if templates else []
    search.append(str(TEMPLATES))
    env = _sandbox_class()(loader=_ConfinedLoader(search), undefined=StrictUndefined,
                               autoescape=format == "html", keep_trailing_newline=True, trim_blocks=True,
                               lstrip_blocks=True, finalize=FINALIZE.get(format))
    env.filters["fenced"] = _fenced
    env.filters["code"] = _code_span
    env.filters["verbatim"] = Verbatim
    env.filters["markup"] = Markup  # HTML the engine built and escaped itself (the footer preview)
    env.filters.update({name: _guarded(function) for name, function in env.filters.items()})
    env.globals["range"] = _bounded_range
    return env


def _template_problem(exc: BaseException, name: str, search: list[Path]) -> Problem:
    """Where in which template a Jinja error happened: Jinja puts template lines into tracebacks."""
    import traceback

    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return problem("template_error", detail=exc.message, file=exc.filename or name, line=exc.lineno)
    roots = [str(p.resolve()) for p in search]
    location: tuple[str, int | None] = (name, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2") and any(str(Path(frame.filename).resolve()).startswith(r) for r in roots):
            location = (frame.filename, frame.lineno)
    message = getattr(exc, "message", None) or str(exc)
    return problem("template_error", detail=f"{type(exc).__name__}: {message}", file=location[0], line=location[1])


def render(result: "Result", *, format: str = "md", lang: str = "zh", masked: bool = True,
           templates: str | Path | None = None, width: int | None = None) -> str:
    """The checklist of ``result`` as md, html, text or json, in zh or en.

    ``templates`` is a directory whose templates (and labels.yaml) replace the bundled ones;
    ``width`` wraps text output (default: the terminal's width).
    """
    if lang not in LANGS:
        raise InputError([problem("unknown_lang", value=lang, options=LANGS)])
    if format == "json":
        # The SPEC §5 result carries no ID or certificate number: nothing to mask.
        return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"
    if format not in FORMATS:
        raise InputError([problem("unknown_format", value=format, options=FORMATS)])
    directory = Path(templates) if templates is not None else None
    if directory is not None and not directory.is_dir():
        raise InputError([problem("no_templates_directory", file=str(directory))])
    from jinja2 import TemplateError as JinjaError, TemplateNotFound

    name = TEMPLATE_FILES[format]
    search = ([directory] if directory else []) + [TEMPLATES]
    try:
        template = environment(format, directory).get_template(name)
        text = _render_bounded(template, view(result, lang, masked=masked, labels=_load_labels(directory)))
    except TemplateNotFound as exc:
        raise TemplateError([problem("template_not_found", name=exc.name, file=str(directory or TEMPLATES))]) from None
    except (JinjaError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as exc:
        raise TemplateError([_template_problem(exc, name, search)]) from None
    if format == "text":
        import shutil  # with traceback above, imported when used: a JSON check needs neither

        text = wrap(text, width or shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    if format in ("md", "text"):
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


# --- Wrapping text for a terminal, where a Chinese character takes two columns -----------------

def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


HANGING = re.compile(r"^(\s*(?:(?:[-*•]|!!|\d+\.|\[ \])\s+)*)")


def _chunks(text: str) -> Iterator[str]:
    """Pieces a line may break between: words with their trailing space, or single wide characters."""
    for match in re.finditer(r"[^\s\u2e80-\uffff]+\s*|[\u2e80-\uffff]\s*|\s+", text):
        yield match.group(0)


def wrap(text: str, width: int) -> str:
    """Wrap every line to ``width`` columns, continuing under its text (after any bullet)."""
    width = max(width, 20)
    out = []
    for line in text.split("\n"):
        if display_width(line) <= width:
            out.append(line.rstrip())
            continue
        indent = " " * display_width(HANGING.match(line).group(1))  # type: ignore[union-attr]
        current, used = "", 0
        for chunk in _chunks(line):
            size = display_width(chunk.rstrip())
            if current and used + size > width:
                out.append(current.rstrip())
                current, used = indent, len(indent)
                chunk = chunk.lstrip()
                size = display_width(chunk.rstrip())
            while used + size > width and len(chunk) > 1:  # a word longer than the line: cut it
                room = max(1, width - used)
                cut = 0
                while cut < len(chunk) and display_width(chunk[:cut + 1]) <= room:
                    cut += 1
                cut = max(cut, 1)
                out.append((current + chunk[:cut]).rstrip())
                current, used, chunk = indent, len(indent), chunk[cut:]
                size = display_width(chunk.rstrip())
            current += chunk
            used += display_width(chunk)
        out.append(current.rstrip())
    return "\n".join(out)
