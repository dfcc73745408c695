"""Step 7: turn a result into what people read — Markdown or JSON (more formats build on this).

Templates are Jinja, rendered in a sandbox with StrictUndefined: they see a prepared view of the
result (already in one language, personal numbers masked), never the engine's objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .errors import InputError, Problem

if TYPE_CHECKING:
    from .result import Result

FORMATS = ("md", "json")
LANGS = ("zh", "en")
TEMPLATES = Path(__file__).parent / "templates"

LABELS = {
    "zh": {
        "title": "ICP备案材料清单", "application": "申请", "province": "备案省份", "subject": "主办者",
        "certificate": "证件", "pack": "规则包", "evaluated_on": "评估日期",
        "not_required": "无需ICP备案", "blocking": "必须先解决的问题", "warnings": "提醒", "info": "说明",
        "basic": "基本资料", "supplementary": "辅助资料", "pre_approval": "前置审批文件",
        "for": "对象", "why": "原因", "source": "依据", "max_age": "签发不超过 {n} 天",
        "min_validity": "剩余有效期至少 {n} 天", "footer": "网站底部备案号", "number_kind_subject": "主体备案号",
        "number_kind_website": "网站备案号", "copyright": "须同时标注版权所有信息", "link": "链接至",
        "timeline": "办理时间", "provider_review": "接入商初审", "sms_verification": "工信部短信核验",
        "bureau_review": "管局审核", "public_security_filing": "公安联网备案（网站开通后）",
        "working_days": "{n} 个工作日内", "hours": "{n} 小时内", "days_after_launch": "开通后 {n} 日内",
        "change_filing": "变更备案（备案信息变化后）", "days_after_change": "变化后 {n} 日内",
        "by": "预计不晚于", "estimated": "预计审核完成", "calendar_note": "超出节假日日历已知年份，按周一至周五估算",
        "kind_subject": "主办者", "kind_person": "人员", "kind_website": "网站", "kind_domain": "域名", "kind_category": "类别",
        "or": "或",
    },
    "en": {
        "title": "ICP filing checklist", "application": "Application", "province": "Filing province", "subject": "Subject",
        "certificate": "Certificate", "pack": "Rule pack", "evaluated_on": "Evaluated on",
        "not_required": "No ICP filing required", "blocking": "Blocking problems — resolve first", "warnings": "Warnings",
        "info": "Notes", "basic": "Basic documents", "supplementary": "Supplementary documents",
        "pre_approval": "Pre-approval documents", "for": "For", "why": "Why", "source": "Source",
        "max_age": "issued at most {n} days ago", "min_validity": "valid for at least {n} more days",
        "footer": "Footer filing number", "number_kind_subject": "subject filing number",
        "number_kind_website": "website filing number", "copyright": "a copyright line is also required",
        "link": "linked to", "timeline": "Timeline", "provider_review": "Access provider review",
        "sms_verification": "MIIT SMS verification", "bureau_review": "Communications administration review",
        "public_security_filing": "Public security filing (after launch)", "working_days": "within {n} working days",
        "hours": "within {n} hours", "days_after_launch": "within {n} days of launch", "by": "expected by",
        "change_filing": "Change filing (after filed details change)", "days_after_change": "within {n} days of the change",
        "estimated": "Estimated decision", "calendar_note": "beyond the years the holiday calendar knows: weekdays assumed",
        "kind_subject": "subject", "kind_person": "person", "kind_website": "website", "kind_domain": "domain",
        "kind_category": "category", "or": "or",
    },
}


def mask(number: str | None) -> str:
    """Personal numbers show their first and last four characters only."""
    if not number:
        return ""
    text = str(number)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def view(result: "Result", lang: str, *, masked: bool = True) -> dict[str, Any]:
    """Everything a template may show, in one language, with personal numbers masked."""
    data = result.to_dict(lang)
    app = result.application.data
    cert = app["subject"]["certificate"]
    number = str(cert["number"])
    province = result.province
    return {
        "r": data,
        "L": LABELS[lang],
        "lang": lang,
        "blocking": [f for f in data["findings"] if f["severity"] == "blocking"],
        "warnings": [f for f in data["findings"] if f["severity"] == "warning"],
        "infos": [f for f in data["findings"] if f["severity"] == "info"],
        "groups": [(cat, [d for d in data["required_documents"] if d["category"] == cat])
                   for cat in ("basic", "supplementary", "pre_approval")],
        "subject": {"name": app["subject"]["name"], "type": app["subject"]["type"],
                    "certificate": mask(number) if masked else number},
        "province_name": province.name if lang == "zh" else province.english,
    }


def _environment(templates: Path | None) -> SandboxedEnvironment:
    search = [str(templates)] if templates else []
    search.append(str(TEMPLATES))
    env = SandboxedEnvironment(loader=FileSystemLoader(search), undefined=StrictUndefined,
                               autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return env


def render(result: "Result", *, format: str = "md", lang: str = "zh", masked: bool = True,
           templates: Path | None = None) -> str:
    if lang not in LANGS:
        raise InputError([Problem(f"unknown language '{lang}' (use zh or en)")])
    if format == "json":
        return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"
    if format not in FORMATS:
        raise InputError([Problem(f"unknown format '{format}' (use {', '.join(FORMATS)})")])
    template = _environment(templates).get_template(f"checklist.{format}.j2")
    return template.render(**view(result, lang, masked=masked))
