"""``icp-rules explain``: the outcome of every rule with the deciding conditions and actual values."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import InputError
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent
GD = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
FJ = ROOT / "examples" / "fujian-individual-cross-province.yaml"


def _load(path: Path) -> dict:
    return load_file(path).data


def _fewer_prefixes(app: dict) -> dict:
    """The Guangdong example with one filed domain prefix fewer: 31 in all, at the threshold."""
    app = copy.deepcopy(app)
    filed = app["subject"]["existing"]["filed_domains"]
    prefixes = {d.split(".")[0] for d in filed}
    drop = sorted(prefixes)[0]
    app["subject"]["existing"]["filed_domains"] = [d for d in filed if d.split(".")[0] != drop]
    return app


def test_a_matched_rule_names_the_deciding_condition_with_the_actual_value(book):
    (rule,) = book.explain(GD, rule="gd_guarantee_letter_unit").rules
    assert rule.status == "matched"
    text = rule.text("zh")
    assert "✓ 主体名下不同域名前缀数 = 32，大于 31" in text
    assert "来源：" + rule.rule.source in text
    assert "✓ subject.domain_prefix_count = 32, greater than 31" in rule.text("en")


def test_a_rule_that_does_not_match_says_which_condition_failed(book):
    (rule,) = book.explain(_fewer_prefixes(_load(GD)), rule="gd_guarantee_letter_unit").rules
    assert rule.status == "not_matched"
    checks = rule.items[0].checks
    assert [(c.fact, c.actual, c.value) for c in checks] == [("subject.domain_prefix_count", 31, False)]
    assert "✗ 主体名下不同域名前缀数 = 31，不大于 31" in rule.text("zh")
    assert "✓" not in rule.text("zh")  # only the deciding (failing) condition is listed


def test_a_for_each_rule_is_explained_per_item(book):
    app = _load(GD)
    (rule,) = book.explain(app, rule="gd_construction_plan_unit").rules
    new_domains = [d["name"] for d in app["domains"]]
    assert [i.ref for i in rule.items] == new_domains
    assert {i.status for i in rule.items} == {"matched"}
    assert f"  域名 {new_domains[0]}: 命中" in rule.text("zh")


def test_a_rule_not_in_force_on_the_date_says_so(book):
    app = dict(_load(GD), submitted_on="2021-06-20")
    # verified and registered before that submission: a later date is an input error (SPEC §7)
    app["domains"] = [dict(d, verified_on="2021-01-04", registered_on="2021-01-01") for d in app["domains"]]
    (rule,) = book.explain(app, rule="gd_commitment_letter").rules
    assert rule.status == "not_in_force"
    assert "2021-06-21" in rule.text("zh") and "2021-06-20 不在其中" in rule.text("zh")
    (later,) = book.explain(app, rule="gd_commitment_letter", as_of="2024-01-01").rules
    assert later.status == "matched"


def test_a_missing_fact_leaves_the_rule_undecided_and_is_named(book):
    app = _load(FJ)
    passport = {"type": "passport", "number": "E12345678", "expires_on": "2032-03-15"}
    app["subject"]["certificate"] = passport
    app["principal"] = dict(app["principal"], identity="foreign", certificate=passport)
    (rule,) = book.explain(app, rule="fj_residence_permit_outside_household").rules
    assert rule.status == "undecided"
    assert rule.items[0].missing == ("person.cross_province",)
    assert "? 户籍不在备案省份 未知（申请中没有这一项），无法判断是否等于 是" in rule.text("zh")
    assert "missing facts: person.cross_province" in rule.text("en")


def test_a_replaced_national_rule_is_not_applied_and_names_its_replacement(book):
    (rule,) = book.explain(GD, rule="footer_website_number").rules
    assert rule.status == "not_applied"
    assert "gd_footer_subject_number" in rule.text("en")


def test_every_rule_is_explained_and_matched_means_fired(book):
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        explanation = book.explain(path)
        result = book.evaluate(path)
        matched = {r.rule.id for r in explanation.rules if r.status == "matched"}
        assert matched == {f.rule for f in result.fired}, path
        assert len(explanation.rules) == len(result.ruleset.rules)


def test_an_unknown_rule_is_bad_input_with_a_suggestion(book):
    with pytest.raises(InputError) as err:
        book.explain(GD, rule="gd_guarantee_leter")
    assert err.value.suggestion == "gd_guarantee_letter_unit"
    result = CliRunner().invoke(cli, ["explain", str(GD), "--rule", "gd_guarantee_leter", "--lang", "en"])
    assert result.exit_code == 2
    assert "did you mean 'gd_guarantee_letter_unit'" in result.output and "Traceback" not in result.output


def test_an_unknown_rule_names_the_pack_by_its_chinese_name_by_default():
    """A clerk reads 广东规则包, not the pack's key guangdong."""
    result = CliRunner().invoke(cli, ["explain", str(GD), "--rule", "gd_guarantee_leter"])
    assert result.exit_code == 2
    message = result.output.split("  --rule  ", 1)[1]  # the file name spells guangdong, the message must not
    assert message.startswith("广东规则包中没有规则“gd_guarantee_leter”") and "guangdong" not in message


def test_cli_explains_in_chinese_by_default_english_on_request_and_as_json():
    runner = CliRunner()
    zh = runner.invoke(cli, ["explain", str(GD), "--rule", "gd_guarantee_letter_unit"])
    assert zh.exit_code == 0 and "gd_guarantee_letter_unit  [命中]" in zh.output
    en = runner.invoke(cli, ["explain", str(GD), "--lang", "en"])
    assert en.exit_code == 0 and "gd_guarantee_letter_unit  [matched]" in en.output
    assert "filing_not_required_offshore  [did not match]" in en.output
    data = json.loads(runner.invoke(cli, ["explain", str(GD), "--rule", "gd_guarantee_letter_unit",
                                          "--format", "json"]).output)
    check = data["rules"][0]["items"][0]["checks"][-1]
    assert (check["fact"], check["operator"], check["expected"], check["actual"], check["holds"]) == \
        ("subject.domain_prefix_count", "greater_than", 31, 32, True)


def test_when_no_filing_is_needed_matched_rules_say_their_documents_are_not_listed(book):
    app = dict(_load(GD), server={"location": "hong_kong"})
    explanation = book.explain(app)
    by_id = {r.rule.id: r for r in explanation.rules}
    assert by_id["filing_not_required_offshore"].status == "matched"
    assert "✓ 服务器在中国内地：否" in by_id["filing_not_required_offshore"].text("zh")
    certificate = by_id["basic_subject_certificate"]
    assert certificate.status == "matched"
    assert "filing_not_required_offshore finds no filing is needed" in certificate.text("en")
    assert book.evaluate(app).to_dict()["required_documents"] == []


def test_quantifiers_name_the_item_each_deciding_condition_was_checked_on(tmp_path):
    import shutil

    from engine import RuleBook
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "guangdong.yaml").write_text("""\
pack: guangdong
extends: national
version: '1'
title: {zh: 广东, en: Guangdong}
rules:
  - id: gd_test_any_domain
    title: {zh: 测试, en: Test}
    when:
      all:
        - {fact: subject.is_unit, equals: true}
        - any_domain: {fact: domain.days_until_expiry, less_than: 100}
    findings: [{id: domain_expires_too_soon, severity: warning, message: {zh: 快到期, en: expiring}}]
    sources: [{id: seed_003}]
""", encoding="utf-8")
    (rule,) = RuleBook.load(tmp_path).explain(GD, rule="gd_test_any_domain").rules
    assert rule.status == "not_matched"
    checks = rule.items[0].checks
    assert [(c.item, c.fact, c.value) for c in checks] == [
        ("yunfan-docs.com", "domain.days_until_expiry", False), ("yunfan-blog.cn", "domain.days_until_expiry", False)]
    assert "✗ ［yunfan-docs.com］域名剩余有效天数 = 589，不小于 100" in rule.text("zh")
