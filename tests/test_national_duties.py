"""Post-filing duties of the national pack reach the result: footer link, public security and change filings."""

from __future__ import annotations


def test_timeline_lists_public_security_and_change_filing_duties(book, individual):
    steps = {s["id"]: s for s in book.evaluate(individual).to_dict()["timeline"]["steps"]}
    assert steps["public_security_filing"]["days_after_launch"] == 30
    assert steps["change_filing"]["days_after_change"] == 30


def test_checklist_names_the_change_filing_duty_in_both_languages(book, individual):
    result = book.evaluate(individual)
    assert "变化后 30 日内" in result.render(format="md", lang="zh")
    assert "within 30 days of the change" in result.render(format="md", lang="en")


def test_national_cases_use_the_base_rules_even_when_a_province_pack_exists(tmp_path):
    import shutil
    from pathlib import Path

    from engine import RuleBook, packtests

    packs = Path(__file__).resolve().parent.parent / "rulepacks"
    shutil.copy(packs / "national.yaml", tmp_path / "national.yaml")
    # A Beijing pack that would change every national case if they ran under it.
    (tmp_path / "beijing.yaml").write_text(
        "pack: beijing\nextends: national\nversion: '1'\ntitle: {zh: 北京, en: Beijing}\n"
        "rules: []\ndisables:\n  - {rule: basic_verification_form, sources: [{id: seed_003}]}\n", encoding="utf-8")
    book = RuleBook.load(tmp_path)
    outcomes = [o for o in packtests.run_all(book) if o.pack == "national"]
    assert outcomes and all(o.passed for o in outcomes)
    assert "basic_verification_form" not in {r.id for r in book.rulesets["beijing"].rules}


def test_province_cases_default_to_their_own_province_over_the_fixtures(book):
    ruleset = book.rulesets["fujian"]
    case = {"name": "no province given", "base": "individual", "expect": {}}
    assert packtests_build(case, ruleset)["filing_province"] == "fujian"
    case = {"name": "explicit", "base": "individual", "application": {"filing_province": "guangdong"}, "expect": {}}
    assert packtests_build(case, ruleset)["filing_province"] == "guangdong"


def packtests_build(case, ruleset):
    from engine import packtests

    return packtests.build_application(case, ruleset)
