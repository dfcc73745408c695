"""``icp-rules validate`` on a pack with one of every kind of mistake: all are reported in one run,
each at its file:line:col with its JSON path, and with the closest valid name where one exists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import PackError, RuleBook
from engine.cli import cli
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent

BROKEN = """\
pack: fujian
extends: national
version: '1'
title: {zh: 福建, en: Fujian}
review_by: 2024-02-30
disables:
  - {rule: website_name_not_generik, sources: [{id: seed_003}]}
rules:
  - id: fj_a
    title: {zh: 甲}
    when: {fact: subject.domain_prefix_cont, greater_than: 31}
    require: [{document: residense_permit}]
    sources: [{id: seed_003}]
    effective_from: 2024-02-30
  - id: fj_b
    title: {zh: 乙, en: B}
    when: {fact: subject.domain_prefix_count, greter_than: 31}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
  - id: fj_c
    title: {zh: 丙, en: C}
    for_each: website
    when: {fact: website.name, matches: "([a-z"}
    replaces: footer_websit_number
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
  - id: fj_d
    title: {zh: 丁, en: D}
    title: {zh: 丁, en: D}
    when: {fact: filing.province, equals: fujain}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
"""

# (line, column, json path, words in the message, suggestion)
EXPECTED = [
    (5, 12, "$.review_by", "day is out of range for month", None),
    (7, 12, "$.disables[0].rule", "no rule 'website_name_not_generik'", "website_name_not_generic"),
    (10, 12, "$.rules[0].title", "missing the English translation 'en'", None),
    (11, 18, "$.rules[0].when.fact", "unknown fact 'subject.domain_prefix_cont'", "subject.domain_prefix_count"),
    (12, 26, "$.rules[0].require[0].document", "unknown document 'residense_permit'", "residence_permit"),
    (14, 21, "$.rules[0].effective_from", "'2024-02-30' is not a valid date", None),
    (17, 47, "$.rules[1].when.greter_than", "unknown key 'greter_than'", "greater_than"),
    (23, 41, "$.rules[2].when.matches", "invalid regular expression", None),
    (24, 15, "$.rules[2].replaces", "no rule 'footer_websit_number'", "footer_website_number"),
    (29, 5, "$.rules[3].title", "duplicate key 'title' (first on line 28)", None),
    (30, 43, "$.rules[3].when.equals", "'fujain' is not a value of 'filing.province'", "fujian"),
]


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def test_every_mistake_is_reported_in_one_run(broken_dir):
    with pytest.raises(PackError) as err:
        RuleBook.load(broken_dir)
    found = [(p.line, p.column, p.path, p.suggestion) for p in err.value.problems]
    for line, column, path, words, suggestion in EXPECTED:
        matching = [p for p in err.value.problems if (p.line, p.column, p.path) == (line, column, path)]
        assert matching, f"nothing reported at {line}:{column} {path}; got {found}"
        assert words in matching[0].message
        assert matching[0].suggestion == suggestion
    assert len(err.value.problems) == len(EXPECTED)


def test_cli_prints_file_line_col_path_message(broken_dir):
    result = CliRunner().invoke(cli, ["validate", str(broken_dir / "fujian.yaml"), "--lang", "en"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == len(EXPECTED)
    for (line, column, path, words, suggestion), text in zip(EXPECTED, lines):
        assert re.match(rf"error: {re.escape(str(broken_dir / 'fujian.yaml'))}:{line}:{column}  {re.escape(path)}  ", text), text
        if suggestion:
            assert text.endswith(f"(did you mean '{suggestion}'?)")
    assert "Traceback" not in result.output


def test_a_structurally_broken_rule_does_not_hide_the_next_rules_mistakes(tmp_path):
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text("""\
pack: fujian
extends: national
version: '1'
title: {zh: 福建, en: Fujian}
rules:
  - id: fj_a
    title: {zh: 甲, en: A}
    require: not-a-list
    sources: [{id: seed_003}]
  - id: fj_b
    title: {zh: 乙, en: B}
    when: {fact: subject.type, equals: enterprize}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
""", encoding="utf-8")
    with pytest.raises(PackError) as err:
        RuleBook.load(tmp_path)
    paths = {p.path: p for p in err.value.problems}
    assert "$.rules[0].require" in paths
    assert paths["$.rules[1].when.equals"].suggestion == "enterprise"


def test_unknown_province_in_pack_name_is_suggested(tmp_path):
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "guangdon.yaml").write_text(
        "pack: guangdon\nextends: national\nversion: '1'\ntitle: {zh: 广东, en: Guangdong}\nrules: []\n", encoding="utf-8")
    with pytest.raises(PackError) as err:
        RuleBook.load(tmp_path)
    assert err.value.problems[0].path == "$.pack"
    assert err.value.problems[0].suggestion == "guangdong"


def test_every_duplicate_key_is_reported_not_only_the_first(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: {c: 1, c: 2}\na: 3\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        load_file(path)
    assert [(p.line, p.path) for p in err.value.problems] == [(2, "$.b.c"), (3, "$.a")]


def test_two_misspelt_and_two_missing_keys_in_one_rule_are_each_reported(tmp_path):
    """jsonschema raises one error for a mapping's unknown keys and one per missing key, each naming
    the whole list: every unknown key is reported at its line with its suggestion, every missing
    key by its name (in both languages)."""
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text("""\
pack: fujian
extends: national
version: '1'
title: {zh: 福建, en: Fujian}
rules:
  - id: fj_a
    title: {zh: 甲, en: A}
    for_eech: person
    when: {fact: person.cross_province, equals: true}
    reasn: {zh: 甲, en: A}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
  - id: fj_b
    footer: {number_kind: website, copyright_required: true}
""", encoding="utf-8")
    with pytest.raises(PackError) as err:
        RuleBook.load(tmp_path)
    found = {(p.line, p.path, p.suggestion, dict(p.args).get("name")) for p in err.value.problems}
    assert {(8, "$.rules[0].for_eech", "for_each", "for_eech"), (10, "$.rules[0].reasn", "reason", "reasn"),
            (13, "$.rules[1]", None, "title"), (13, "$.rules[1]", None, "sources")} <= found
    for lang in ("zh", "en"):
        result = CliRunner().invoke(cli, ["validate", "--packs", str(tmp_path), "--lang", lang, "fujian"])
        assert result.exit_code == 1, result.output
        assert all(name in result.output for name in ("for_eech", "reasn", "title", "sources")), result.output
        assert "Traceback" not in result.output
