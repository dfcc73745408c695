"""docs/provinces.md is generated from the packs and must match them: a stale page fails here."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from engine import provinces
from engine.cli import cli
from engine.packdocs import REGENERATE, condition_text, provinces_markdown

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "provinces.md"


def test_docs_provinces_md_is_current(book):
    expected = provinces_markdown(book)
    actual = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert actual == expected, f"docs/provinces.md is stale: run `.venv/bin/{REGENERATE}`"


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r'<a id="([a-z]+)"></a>', text)
    return dict(zip(parts[1::2], parts[2::2]))


def test_one_section_per_province_with_every_rule_and_its_source(book):
    sections = _sections(provinces_markdown(book))
    assert list(sections) == [p.key for p in provinces.PROVINCES]
    for key, section in sections.items():
        pack = book.packs.get(key)
        if pack is None:
            assert "national rules apply unchanged" in section
            continue
        for rule in pack.raw.get("rules") or []:
            assert f"(`{rule['id']}`" in section, (key, rule["id"])
            shown = {r.id: r.source for r in book.rulesets[key].rules}
            assert f"Source: {shown[rule['id']]}" in section, (key, rule["id"])
            if rule.get("replaces"):
                assert f"replaces `{rule['replaces']}`" in section
        for disable in pack.raw.get("disables") or []:
            assert f"`{disable['rule']}` does not apply here" in section


def test_the_page_shows_settled_values_and_disagreements(book):
    sections = _sections(provinces_markdown(book))
    assert "`domain.days_until_expiry` ≤ 180" in sections["shanghai"]
    assert "authorization_letter`), issued at most 6 months" in sections["hebei"]
    assert "footer shows the website filing number and a copyright line" in sections["jiangsu"]
    assert "bureau_review_working_days 30" in sections["zhejiang"]
    assert "Notes: Conflict between vendors" in sections["shanxi"]


def test_conditions_read_as_one_line():
    when = {"all": [{"fact": "subject.is_unit", "equals": True},
                    {"any": [{"fact": "person.age", "less_than": 18}, {"fact": "website.name", "contains_any": "words"}]},
                    {"not": {"fact": "domain.suffix", "matches": "^cn$"}},
                    {"any_website": {"fact": "website.domain_count", "at_least": 2}}]}
    assert condition_text(when, {"words": ("商城", "购物")}) == (
        "`subject.is_unit` = true and (`person.age` < 18 or `website.name` contains any of words [商城, 购物]) "
        "and not (`domain.suffix` matches `/^cn$/`) and some website: (`website.domain_count` ≥ 2)")


def test_cli_prints_the_page(book):
    result = CliRunner().invoke(cli, ["provinces", "--format", "md"])
    assert result.exit_code == 0
    assert result.output == provinces_markdown(book)
