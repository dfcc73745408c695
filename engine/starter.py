"""``icp-rules init``: a commented application template, to fill in and give to ``icp-rules check``.

Built from the application schema (titles, help and enum names in the reader's language), so a
field added to the schema appears in the template too. Every answer the applicant must give is
left empty (``name:``): ``icp-rules check`` then names each one, with its line, until it is filled.
Optional fields are shown commented out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import bundled, provinces
from .errors import UnknownProvinceError, problem
from .messages import DEFAULT_LANG
from .names import VALUE_NAMES

SUBJECT_TYPES = tuple(VALUE_NAMES["subject_type"])
SERVICE_TYPES = tuple(VALUE_NAMES["service_type"])
# The certificate a subject of each type files with (SPEC §3), and its domains' registrant type.
SUBJECT_CERTIFICATE = {"individual": "id_card", "enterprise": "business_license",
                       "individual_business": "business_license", "public_institution": "institution_certificate",
                       "government": "government_certificate", "social_organization": "social_organization_certificate",
                       "law_firm": "law_firm_license", "other_organization": "other"}
_HEAD = {
    "zh": ["ICP备案申请（由 icp-rules init 生成）。",
           "填写每个留空的字段，然后运行：icp-rules check 本文件；尚未填写的字段会逐一列出。",
           "日期一律写作 YYYY-MM-DD；以 # 开头的是说明或可选字段，需要时去掉 # 再填写。"],
    "en": ["ICP filing application (written by icp-rules init).",
           "Fill in every empty field, then run: icp-rules check THIS_FILE; it lists each field still empty.",
           "Dates are YYYY-MM-DD; lines starting with # are notes or optional fields: remove the # to use one."],
}
_OR = {"zh": "；", "en": "; "}


def template(*, province: str | None = None, subject_type: str = "individual", service_type: str = "website",
             lang: str = DEFAULT_LANG) -> str:
    """The template's YAML text. Raises UnknownProvinceError for a province no spelling names."""
    key = None
    if province is not None:
        found = provinces.resolve(province)
        if found is None:
            raise UnknownProvinceError([problem("unknown_province", value=province, path="--province",
                                                suggestion=provinces.suggest(province))])
        key = found.key
    schema = bundled.schema("application")
    unit = subject_type != "individual"
    values: dict[str, Any] = {
        "filing_province": key, "filing_type": "first_filing", "service_type": service_type, "operating": False,
        "server": {"location": "mainland"},
        "subject": {"type": subject_type, "name": None,
                    "certificate": {"type": SUBJECT_CERTIFICATE[subject_type], "number": None}},
        "principal": {"name": None, "identity": "mainland", "certificate": {"type": "id_card", "number": None}},
        "domains": [{"name": None, "registrant_name": None,
                     "registrant_type": "organization" if unit else "individual",
                     "real_name_verified": None, "expires_on": None}],
    }
    if unit:
        values["principal"]["is_legal_representative"] = None
    if service_type == "website":
        values["websites"] = [{"name": None, "domains": [None]}]
    elif "apps" in schema.get("properties", {}):
        values["apps"] = [{"name": None}]
    lines = [f"# {line}" for line in _HEAD[lang]]
    writer = _Writer(schema, lang, lines)
    writer.mapping(schema, values, 0)
    return "\n".join(lines) + "\n"


class _Writer:
    def __init__(self, root: Mapping[str, Any], lang: str, lines: list[str]):
        self.root, self.lang, self.lines = root, lang, lines

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            merged = dict(self.root["$defs"][ref.rsplit("/", 1)[-1]])
            merged.update({k: v for k, v in schema.items() if k != "$ref"})
            return merged
        return schema

    def note(self, schema: Mapping[str, Any], key: str) -> str:
        zh = self.lang == "zh"
        title = (schema.get("x-title-zh") if zh else schema.get("title")) or schema.get("title") or key
        help_text = (schema.get("x-description-zh") if zh else schema.get("description")) or ""
        parts = [help_text] if help_text else []
        enum = schema.get("enum") or (self.resolve(schema.get("items") or {}).get("enum") if schema.get("type") == "array" else None)
        if enum:
            names = next((t for t in VALUE_NAMES.values() if all(str(v) in t for v in enum)), {})
            parts.append(" | ".join(f"{v} {names[str(v)][self.lang]}" if str(v) in names else str(v) for v in enum))
        if not parts:
            return str(title)
        return f"{title}{'：' if zh else ': '}{_OR[self.lang].join(parts)}"

    def mapping(self, schema: Mapping[str, Any], values: Mapping[str, Any], depth: int, first_prefix: str = "") -> None:
        schema = self.resolve(schema)
        pad = "  " * depth
        for key, sub in (schema.get("properties") or {}).items():
            sub = self.resolve(sub)
            lead = first_prefix if first_prefix else pad
            first_prefix = ""
            self.lines.append(f"{pad}# {self.note(sub, key)}")
            if key not in values:
                self.lines.append(f"{pad}# {key}:")
                continue
            value = values[key]
            if isinstance(value, dict):
                self.lines.append(f"{lead}{key}:")
                self.mapping(sub, value, depth + 1)
            elif isinstance(value, list):
                self.lines.append(f"{lead}{key}:")
                item_schema = self.resolve(sub.get("items") or {})
                for item in value:
                    if isinstance(item, dict):
                        self.lines.append(f"{pad}  -")
                        self.mapping(item_schema, item, depth + 2)
                    else:
                        self.lines.append(f"{pad}  -{_scalar(item)}")
            else:
                self.lines.append(f"{lead}{key}:{_scalar(value)}")


def _scalar(value: Any) -> str:
    if value is None:
        return ""  # left to fill in: the check names it until it is
    return " " + json.dumps(value, ensure_ascii=False)
