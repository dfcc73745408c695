"""``icp-rules lint``: each semantic mistake in a pack that validates is found, located and explained."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import RuleBook
from engine.cli import cli
from engine.lint import lint

ROOT = Path(__file__).resolve().parent.parent
HEAD = "pack: fujian\nextends: national\nversion: '1'\ntitle: {zh: 福建, en: Fujian}\n"
TODAY = dt.date(2025, 1, 1)


def _book(tmp_path: Path, rules: str, extra: str = "") -> RuleBook:
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text(HEAD + extra + "rules:\n" + rules, encoding="utf-8")
    return RuleBook.load(tmp_path)


def _found(tmp_path: Path, rules: str, extra: str = "") -> list:
    book = _book(tmp_path, rules, extra)
    return [p for p in lint(book, packs=["fujian"], today=TODAY) if p.file.endswith("fujian.yaml")]


@pytest.mark.parametrize("condition", [
    "all: [{fact: subject.domain_prefix_count, greater_than: 31}, {fact: subject.domain_prefix_count, less_than: 10}]",
    "all: [{fact: subject.domain_prefix_count, at_least: 10}, {fact: subject.domain_prefix_count, at_most: 9}]",
    "all: [{fact: subject.type, equals: enterprise}, {fact: subject.type, equals: individual}]",
    "all: [{fact: subject.type, equals: enterprise}, {fact: subject.type, not_in: [enterprise, government]}]",
    "all: [{fact: subject.type, in: [enterprise]}, {fact: subject.type, in: [individual]}]",
    "all: [{fact: subject.is_unit, equals: true}, {all: [{fact: subject.is_unit, equals: false}]}]",
    "all: [{fact: subject.residence, exists: false}, {fact: subject.residence, contains_any: [福建]}]",
    "any_domain: {all: [{fact: domain.days_until_expiry, greater_than: 90}, {fact: domain.days_until_expiry, at_most: 90}]}",
])
def test_a_condition_that_can_never_hold_is_an_error(tmp_path, condition):
    problems = _found(tmp_path, f"""\
  - id: fj_never
    title: {{zh: 不可能, en: Never}}
    when: {{{condition}}}
    require: [{{document: residence_permit}}]
    sources: [{{id: seed_003}}]
""")
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    assert "can never fire" in errors[0].message and errors[0].line == 8


@pytest.mark.parametrize("condition", [
    "all: [{fact: subject.domain_prefix_count, greater_than: 5}, {fact: subject.domain_prefix_count, less_than: 10}]",
    "all: [{fact: subject.domain_prefix_count, greater_than: 9}, {fact: subject.domain_prefix_count, less_than: 11}]",
    "all: [{fact: subject.type, in: [enterprise, individual]}, {fact: subject.type, not_equals: individual}]",
    "any: [{fact: subject.is_unit, equals: true}, {fact: subject.is_unit, equals: false}]",
])
def test_a_condition_that_can_hold_is_not_flagged(tmp_path, condition):
    problems = _found(tmp_path, f"""\
  - id: fj_fine
    title: {{zh: 可以, en: Fine}}
    when: {{{condition}}}
    require: [{{document: residence_permit}}]
    sources: [{{id: seed_003}}]
""")
    assert [p for p in problems if p.severity == "error"] == []


# Two rules on the same condition (written two ways), one warning and one blocking on the same finding.
CONFLICTING = """\
  - id: fj_warn
    title: {zh: 甲, en: A}
    when: {fact: person.cross_province, equals: true}
    for_each: person
    findings: [{id: cross_province_not_allowed, severity: warning, message: {zh: 甲, en: A}}]
    sources: [{id: seed_003}]
  - id: fj_block
    title: {zh: 乙, en: B}
    for_each: person
    when: {all: [{fact: person.cross_province, equals: true}]}
    findings: [{id: cross_province_not_allowed, severity: blocking, message: {zh: 乙, en: B}}]
    sources: [{id: seed_003}]
"""


def test_same_condition_with_conflicting_effects_is_an_error(tmp_path):
    problems = _found(tmp_path, CONFLICTING)
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.line == 12 and "fj_warn" in error.message
    assert "severity blocking versus warning" in error.message or "severity warning versus blocking" in error.message


def test_a_province_footer_under_a_new_id_conflicts_with_the_national_one(tmp_path):
    problems = _found(tmp_path, """\
  - id: fj_footer
    title: {zh: 页脚, en: Footer}
    footer: {number_kind: subject}
    sources: [{id: seed_003}]
""")
    (error,) = [p for p in problems if p.severity == "error"]
    assert "footer number_kind" in error.message and error.suggestion == "replaces: footer_website_number"
    assert (error.line, error.column) == (6, 9)


# A province rule that repeats the national offshore rule, without replacing it.
OFFSHORE = """\
  - id: fj_offshore
    title: {zh: 境外, en: Offshore}
    when:
      all:
        - {fact: server.in_mainland, equals: false}
        - {fact: service.type, equals: website}
    filing_required: false
    sources: [{id: seed_003}]
"""


def test_a_province_rule_repeating_a_national_one_without_replaces_is_a_warning(tmp_path):
    national = (ROOT / "rulepacks" / "national.yaml").read_text(encoding="utf-8")
    assert "id: filing_not_required_offshore" in national
    problems = _found(tmp_path, OFFSHORE)
    (warning,) = [p for p in problems if "repeats national rule" in p.message]
    assert warning.severity == "warning" and warning.suggestion == "replaces: filing_not_required_offshore"


def test_expired_rules_overdue_reviews_and_placeholder_sources(tmp_path):
    problems = _found(tmp_path, """\
  - id: fj_old
    title: {zh: 旧, en: Old}
    when: {fact: subject.is_unit, equals: true}
    require: [{document: residence_permit}]
    sources: [{id: seed_003, section: TODO}, {id: fj_unnamed}]
    effective_until: 2024-06-01
    review_by: 2024-12-31
""", extra="review_by: 2024-01-01\nsources:\n  fj_unnamed: {publisher: 待定, title: 福建备案须知, authority: provider}\n")
    messages = {(p.severity, p.path): p.message for p in problems}
    assert "stopped applying on 2024-06-01" in messages[("warning", "$.rules[0].effective_until")]
    assert "due for review by 2024-12-31" in messages[("warning", "$.rules[0].review_by")]
    assert "cites no real section of 'seed_003' ('TODO')" in messages[("error", "$.rules[0].sources[0].section")]
    assert "source 'fj_unnamed' has no real publisher ('待定')" in messages[("error", "$.sources.fj_unnamed.publisher")]
    assert "pack 'fujian' was due for review" in messages[("warning", "$.review_by")]
    later = lint(_book(tmp_path, "  []\n"), packs=["fujian"], today=dt.date(2023, 1, 1))
    assert not [p for p in later if "review" in p.message or "stopped" in p.message]


def test_documents_no_rule_requires_are_warned_about(tmp_path):
    problems = _found(tmp_path, "  []\n", extra="documents:\n  fj_special_form:\n    category: supplementary\n"
                      "    name: {zh: 特别表, en: Special form}\n")
    (warning,) = [p for p in problems if p.path == "$.documents.fj_special_form"]
    assert warning.severity == "warning" and warning.line == 6 and "no rule requires it" in warning.message
    # named as the other lint messages name a document: its key in English, its name in Chinese
    assert "document 'fj_special_form' is in" in warning.format("en")
    assert "材料“特别表”在目录中" in warning.format("zh") and "fj_special_form  " not in warning.text("zh")


def test_cli_exits_1_on_errors_0_on_warnings_and_shows_both(tmp_path):
    _book(tmp_path, """\
  - id: fj_x
    title: {zh: 甲, en: A}
    when: {all: [{fact: subject.domain_prefix_count, greater_than: 31}, {fact: subject.domain_prefix_count, less_than: 10}]}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
    review_by: 2020-01-01
""")
    runner = CliRunner()
    result = runner.invoke(cli, ["lint", str(tmp_path / "fujian.yaml"), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert f"error: {tmp_path / 'fujian.yaml'}:8:11  $.rules[0].when  rule 'fj_x' can never fire" in result.output
    assert "warning: " in result.output and "lint: 1 error, " in result.output
    fixed = (tmp_path / "fujian.yaml").read_text(encoding="utf-8").replace("less_than: 10", "less_than: 100")
    (tmp_path / "fujian.yaml").write_text(fixed, encoding="utf-8")
    result = runner.invoke(cli, ["lint", str(tmp_path / "fujian.yaml"), "--lang", "en"])
    assert result.exit_code == 0 and "lint: 0 errors" in result.output


def test_duplicate_rule_ids_fail_lint_with_both_places(tmp_path):
    rule = "  - id: fj_x\n    title: {zh: 甲, en: A}\n    require: [{document: residence_permit}]\n    sources: [{id: seed_003}]\n"
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text(HEAD + "rules:\n" + rule + rule, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'fujian.yaml'}:10:9  $.rules[1].id  duplicate rule id 'fj_x' (first at rule 1, line 6)" in result.output
    result = CliRunner().invoke(cli, ["lint", str(tmp_path)])  # Chinese by default
    assert result.exit_code == 1
    assert f"{tmp_path / 'fujian.yaml'}:10:9  $.rules[1].id  规则标识“fj_x”重复（首次出现在第 1 条规则，第 6 行）" in result.output


def test_unknown_pack_name_exits_2_with_a_suggestion():
    result = CliRunner().invoke(cli, ["lint", "guangdon", "--lang", "en"])
    assert result.exit_code == 2 and "did you mean 'guangdong'" in result.output


def test_bundled_packs_have_no_lint_errors(book):
    assert [p.format() for p in lint(book) if p.severity == "error"] == []


def test_tests_expecting_unknown_ids_are_errors_because_they_can_never_fail(tmp_path):
    problems = _found(tmp_path, "  []\n", extra="""\
disables:
  - {rule: website_name_not_generic, sources: [{id: seed_003}]}
tests:
  - name: typos everywhere
    base: individul
    application: {filing_province: fujian}
    expect:
      documents_exclude: [residense_permit]
      findings_include: [too_many_service]
      rules_fired: [website_name_not_generic]
      rules_not_fired: [website_name_not_generic, footer_websit_number]
      max_age_days: {employment_prof: 45}
""")
    found = {(p.path, p.suggestion) for p in problems if p.severity == "error"}
    assert found == {
        ("$.tests[0].base", "individual"),
        ("$.tests[0].expect.documents_exclude[0]", "residence_permit"),
        ("$.tests[0].expect.findings_include[0]", "too_many_services"),
        ("$.tests[0].expect.rules_fired[0]", None),  # disabled here: it can never fire
        ("$.tests[0].expect.rules_not_fired[1]", "footer_website_number"),
        ("$.tests[0].expect.max_age_days.employment_prof", "employment_proof"),
    }


def test_lint_reads_the_packs_it_is_given_once_whatever_iterable_they_come_in(tmp_path):
    rule = """\
  - id: {p}_never
    title: {{zh: 不可能, en: Never}}
    when: {{all: [{{fact: subject.type, equals: enterprise}}, {{fact: subject.type, equals: individual}}]}}
    require: [{{document: residence_permit}}]
    sources: [{{id: seed_003}}]
"""
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    for key, name in (("fujian", "福建"), ("hunan", "湖南")):
        (tmp_path / f"{key}.yaml").write_text(
            f"pack: {key}\nextends: national\nversion: '1'\ntitle: {{zh: {name}, en: {key}}}\nrules:\n"
            + rule.format(p=key[:2]), encoding="utf-8")
    book = RuleBook.load(tmp_path)
    files = {Path(p.file).name for p in lint(book, packs=(k for k in ("hunan", "fujian")), today=TODAY)
             if p.severity == "error"}
    assert files == {"fujian.yaml", "hunan.yaml"}


def test_an_approved_tld_list_older_than_a_year_is_warned_about(book):
    from engine.facts import approved_tlds

    checked = approved_tlds()["checked_on"]
    def tld_warnings(today):
        return [p for p in lint(book, packs=["national"], today=today) if p.file.endswith("approved_tlds.yaml")]
    assert tld_warnings(checked.replace(year=checked.year + 1)) == []
    [warning] = tld_warnings(checked.replace(year=checked.year + 1) + dt.timedelta(days=1))
    assert warning.severity == "warning" and "domain.miit.gov.cn" in warning.message and warning.line


def test_the_approved_tld_list_names_its_source_and_date():
    from engine.facts import approved_tlds

    data = approved_tlds()
    assert data["source"]["url"].startswith("https://") and data["source"]["publisher"]["zh"] == "工业和信息化部"
    assert isinstance(data["checked_on"], dt.date)
    assert {"com", "cn", "中国"} <= set(data["tlds"]) and not {"hk", "io", "org"} & set(data["tlds"])


def test_a_placeholder_that_would_print_a_raw_key_fails_lint(tmp_path, monkeypatch):
    """Every key-valued fact in the catalogue has names today; a new one without them must be caught."""
    from engine import facts

    rules = """\
  - id: fj_type
    title: {zh: 甲, en: A}
    findings:
      - {id: too_many_services, severity: warning, message: {zh: "类型 {subject.type}", en: "type {subject.type}"}}
    sources: [{id: seed_003}]
"""
    assert [p for p in _found(tmp_path, rules) if "raw key" in p.message] == []
    monkeypatch.setitem(facts.LABEL_GROUPS, "subject.type", "no_such_group")
    found = [p for p in _found(tmp_path, rules) if "raw key" in p.message]
    assert found and all(p.severity == "error" for p in found)


def test_placeholders_show_names_in_the_readers_language(book):
    app = json.loads(json.dumps(book.rulesets["national"].fixtures["enterprise"], default=str))
    app["filing_province"] = "shanghai"
    app["websites"][0]["content_categories"] = ["broadcasting"]
    result = book.evaluate(app)
    for lang, words, keys in (("zh", ["北京市", "上海市", "广播电影电视节目"], ["beijing", "shanghai", "broadcasting"]),
                              ("en", ["Beijing", "Shanghai", "Radio, film and television"], ["beijing", "shanghai", "broadcasting"])):
        data = result.to_dict(lang)
        texts = [f["message"] for f in data["findings"]] + [r["text"] for d in data["required_documents"] for r in d["reasons"]]
        joined = "\n".join(texts)
        assert all(word in joined for word in words), joined
        assert not any(key in joined for key in keys), joined


def test_a_document_asked_for_every_domain_while_a_suffix_is_refused_is_an_error(tmp_path):
    """Tianjin asked for the certificate of every domain, a refused .com.hk one included."""
    every = """\
  - id: fj_cert
    title: {zh: 域名证书, en: Certificate}
    for_each: domain
    require: [{document: domain_certificate}]
    sources: [{id: seed_003}]
"""
    found = [p for p in _found(tmp_path, every) if "refuses" in p.message]
    assert any("domain_suffix_not_approved" in p.message for p in found) and all(p.severity == "error" for p in found)
    # in Chinese the document and the finding by their names, not their keys
    chinese = [p.text("zh") for p in found]
    assert any("提供域名证书" in text and "阻止性结论“域名后缀不可备案”" in text for text in chinese)
    assert not any("domain_certificate" in text for text in chinese)
    approved_only = every.replace("    for_each: domain\n", "    for_each: domain\n    when: {fact: domain.tld_approved, equals: true}\n")
    assert [p for p in _found(tmp_path, approved_only) if "refuses" in p.message] == []


def test_a_pack_case_that_refuses_a_person_and_asks_them_for_a_letter_is_an_error(tmp_path):
    """Shanghai refused a principal who is not the legal representative and asked the same person, the
    website manager by default, for an authorization letter: the pack's own case shows it."""
    rules = """\
  - id: fj_principal
    title: {zh: 主体负责人须为法定代表人, en: Principal is the legal representative}
    for_each: person
    when:
      all:
        - {fact: subject.is_unit, equals: true}
        - {fact: person.is_principal, equals: true}
        - {fact: person.is_legal_representative, equals: false}
    findings:
      - {id: principal_not_legal_representative, severity: blocking, message: {zh: 不是, en: not}}
    sources: [{id: seed_003}]
  - id: fj_letter
    replaces: authorization_when_not_legal_representative
    title: {zh: 授权书, en: Letter}
    for_each: person
    when:
      all:
        - {fact: subject.is_unit, equals: true}
        - {fact: person.is_website_manager, equals: true}
        - {fact: person.is_legal_representative, equals: false}
    require: [{document: authorization_letter}]
    sources: [{id: seed_003}]
"""
    case = """
tests:
  - name: a principal who is not the legal representative
    base: enterprise
    application:
      principal: {name: 李娜, identity: mainland, certificate: {type: id_card, number: "110105198805051227"}, is_legal_representative: false}
    expect:
      findings_include: [principal_not_legal_representative]
"""
    found = [p for p in _found(tmp_path, rules + case) if "refuses" in p.message]
    assert found and "fj_letter" in found[0].message and "test case" in found[0].message
    fixed = rules.replace("        - {fact: person.is_website_manager, equals: true}\n",
                          "        - {fact: person.is_website_manager, equals: true}\n"
                          "        - {fact: person.is_principal, equals: false}\n")
    assert [p for p in _found(tmp_path, fixed + case) if "refuses" in p.message] == []


def test_conflicting_effects_read_as_labels_in_chinese(tmp_path):
    """A Chinese reader reads what two rules set differently by its labels, not by YAML keys."""
    problems = _found(tmp_path, """\
  - id: fj_footer
    title: {zh: 页脚, en: Footer}
    footer: {number_kind: subject, copyright_required: false}
    sources: [{id: seed_003}]
""" + CONFLICTING)
    texts = [p.text("zh") for p in problems if p.id == "lint_same_condition_other_effect"]
    footer = next(t for t in texts if "fj_footer" in t)
    # two Chinese words meet without a space (tests/test_message_spacing.py)
    assert "页脚的备案号类型：主体备案号与网站备案号不同" in footer or "页脚的备案号类型：网站备案号与主体备案号不同" in footer
    severity = next(t for t in texts if "fj_block" in t)
    name = RuleBook.load(tmp_path).rulesets["fujian"].findings["cross_province_not_allowed"]["zh"]
    assert f"问题“{name}”的严重程度：" in severity and ("阻断与提醒不同" in severity or "提醒与阻断不同" in severity)
    for text in texts:
        for raw in ("number_kind", "copyright_required", "severity", "cross_province_not_allowed", "blocking", "warning"):
            assert raw not in text, text
    english = next(p.text("en") for p in problems if p.id == "lint_same_condition_other_effect" and "fj_footer" in p.message)
    assert "footer number_kind" in english


def test_shared_effects_read_as_labels_in_chinese(tmp_path):
    problems = _found(tmp_path, OFFSHORE)
    (warning,) = [p for p in problems if p.id == "lint_repeats_national"]
    assert "（条件相同，是否需要备案相同）" in warning.text("zh") and "filing_required" not in warning.text("zh")
    assert "same condition, same filing_required" in warning.text("en")
