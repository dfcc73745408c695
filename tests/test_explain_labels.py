"""``explain`` shows names, not raw keys: the province and pack in its heading, and key values
(provinces, subject types, content categories, documents) in its conditions; JSON keeps the keys."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.application import load
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GD = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"


def test_heading_names_the_province_and_the_pack(book):
    explanation = book.explain(GD, rule="gd_guarantee_letter_unit")
    zh, en = explanation.text("zh"), explanation.text("en")
    assert zh.startswith("申请 GD-2024-0001，备案省份 广东省，规则包 ")
    assert book.rulesets["guangdong"].pack.title["zh"] in zh.splitlines()[0]
    assert en.startswith("Application GD-2024-0001, filed in Guangdong, pack ")
    assert "guangdong" not in zh.splitlines()[0] and "guangdong" not in en.splitlines()[0]


def test_key_values_in_conditions_are_named(book):
    data = dict(load(GD).data)
    data["websites"] = [dict(site, content_categories=["news"]) for site in data["websites"]]
    explanation = book.explain(data, rule="pre_approval_per_category")
    text = explanation.text("zh")
    news = book.rulesets["guangdong"].categories["news"]["zh"]
    assert news in text and "= news" not in text and "［news］" not in text
    english = explanation.text("en")
    assert book.rulesets["guangdong"].categories["news"]["en"] in english


def test_subject_type_and_province_values_are_named(book):
    explanation = book.explain(ROOT / "examples" / "sichuan-trading-company.yaml")
    checks = [line.strip() for line in explanation.text("zh").splitlines() if line.strip()[:1] in ("✓", "✗", "?")]
    assert "✗ 主办者性质 = “企业”，等于 “企业”（条件：不等于 “企业”）" in checks
    keys = ("enterprise", "individual", "sichuan", "guangdong", "business_license", "mainland")
    assert not [line for line in checks if any(key in line for key in keys)]


def test_json_keeps_the_keys_beside_the_words():
    out = CliRunner().invoke(cli, ["explain", str(GD), "--format", "json"])
    data = json.loads(out.output)
    assert data["province"] == "guangdong" and data["province_name"] == "广东省"
    assert data["pack"] == "guangdong" and data["pack_title"]
