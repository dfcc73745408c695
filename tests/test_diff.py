"""``icp-rules diff``: a threshold change lists exactly the applications whose checklist changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import RuleBook
from engine.cli import cli
from engine.diff import diff
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent
GD = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The bundled packs and a copy with Guangdong's unit threshold lowered from 31 to 30."""
    root = tmp_path_factory.mktemp("diff")
    new = root / "new"
    shutil.copytree(ROOT / "rulepacks", new)
    text = (new / "guangdong.yaml").read_text(encoding="utf-8")
    assert text.count("{fact: subject.domain_prefix_count, greater_than: 31}") == 2
    (new / "guangdong.yaml").write_text(text.replace("{fact: subject.domain_prefix_count, greater_than: 31}",
                                                     "{fact: subject.domain_prefix_count, greater_than: 30}"), encoding="utf-8")
    apps = root / "applications"
    apps.mkdir()
    for example in (ROOT / "examples").glob("*.yaml"):
        shutil.copy(example, apps / example.name)
    # The Guangdong example with one filed prefix fewer: 31 prefixes, exactly the old threshold.
    app = load_file(GD).data
    filed = app["subject"]["existing"]["filed_domains"]
    first = filed[0].split(".")[0]
    app["subject"]["existing"]["filed_domains"] = [d for d in filed if d.split(".")[0] != first]
    app["application_id"] = "GD-31"
    (apps / "gd-31-prefixes.yaml").write_text(yaml.safe_dump(app, allow_unicode=True), encoding="utf-8")
    return ROOT / "rulepacks", new, apps


@pytest.fixture(scope="module")
def new_book(versions):
    return RuleBook.load(versions[1])


def test_threshold_change_lists_the_changed_rules_and_only_the_affected_application(versions, book, new_book):
    result = diff(book, new_book, [versions[2]])
    assert [(r.pack, r.rule, r.change) for r in result.rules] == [
        ("guangdong", "gd_construction_plan_unit", "changed"), ("guangdong", "gd_guarantee_letter_unit", "changed")]
    assert [(f.path, f.old, f.new) for f in result.rules[0].fields] == [("when.all[1].greater_than", 31, 30)]
    (changed,) = result.changed_applications
    assert changed.application_id == "GD-31" and changed.province == "guangdong"
    appeared = [what for kind, what in changed.added]
    assert any(w.startswith("provider_guarantee_letter ") for w in appeared)
    assert sum(w.startswith("website_construction_plan ") for w in appeared) == 2  # one per new domain
    assert changed.removed == ()
    assert len(result.applications) == len(list((ROOT / "examples").glob("*.yaml"))) + 1  # the examples and GD-31


def test_cli_prints_rules_then_applications(versions):
    old_dir, new_dir, apps = versions
    result = CliRunner().invoke(cli, ["diff", str(old_dir), str(new_dir), "--applications", str(apps)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"  ~ guangdong: gd_construction_plan_unit changed  ({new_dir / 'guangdong.yaml'}:" in out
    assert "      when.all[1].greater_than: 31 -> 30" in out
    examples = len(list((ROOT / "examples").glob("*.yaml")))
    assert f"Applications whose checklist changes: 1 of {examples + 1}" in out
    assert f"  {apps / 'gd-31-prefixes.yaml'} (GD-31, Guangdong)" in out
    assert "      + document provider_guarantee_letter" in out


def test_json_lists_only_the_changed_applications(versions, book, new_book):
    data = diff(book, new_book, [versions[2] / "gd-31-prefixes.yaml", GD]).to_dict()
    json.dumps(data)  # plain data
    assert [a["application_id"] for a in data["applications"]] == ["GD-31"]
    assert data["unchanged_applications"] == [str(GD)]


def test_added_and_removed_rules_and_disappearing_documents(tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    shutil.copytree(ROOT / "rulepacks", old_dir)
    shutil.copytree(ROOT / "rulepacks", new_dir)
    text = (new_dir / "guangdong.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: gd_guarantee_letter_unit")
    end = text.index("  - id: ", start + 5)
    removed = text[start:end]
    added = removed.replace("gd_guarantee_letter_unit", "gd_guarantee_letter_units").replace(
        "provider_guarantee_letter", "commitment_letter")
    (new_dir / "guangdong.yaml").write_text(text[:start] + added + text[end:], encoding="utf-8")
    result = diff(RuleBook.load(old_dir), RuleBook.load(new_dir), [GD])
    assert {(r.rule, r.change) for r in result.rules} == {("gd_guarantee_letter_units", "added"),
                                                         ("gd_guarantee_letter_unit", "removed")}
    (changed,) = result.changed_applications
    assert [w.split()[0] for k, w in changed.removed] == ["provider_guarantee_letter"]


def test_a_bad_application_or_directory_is_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GD.read_text(encoding="utf-8").replace("filing_province: 广东", "filing_province: guangdon"),
                   encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(ROOT / "rulepacks"), str(ROOT / "rulepacks"), "--applications", str(bad), "--lang", "en"])
    assert result.exit_code == 2 and "did you mean 'guangdong'" in result.output
    result = runner.invoke(cli, ["diff", str(ROOT / "rulepacks"), str(tmp_path / "missing"), "--lang", "en"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_changed_age_limit_changes_the_checklist(tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    shutil.copytree(ROOT / "rulepacks", old_dir)
    shutil.copytree(ROOT / "rulepacks", new_dir)
    text = (new_dir / "sichuan.yaml").read_text(encoding="utf-8")
    assert text.count("        max_age_days: 45\n") == 1
    (new_dir / "sichuan.yaml").write_text(text.replace("        max_age_days: 45\n", "        max_age_days: 30\n"),
                                          encoding="utf-8")
    sichuan = ROOT / "examples" / "sichuan-trading-company.yaml"
    result = diff(RuleBook.load(old_dir), RuleBook.load(new_dir), [sichuan])
    (changed,) = result.changed_applications
    assert [w for _, w in changed.removed if "max_age_days 45" in w] and [w for _, w in changed.added if "max_age_days 30" in w]


def test_json_says_which_rule_fields_were_added_or_removed(tmp_path):
    # A rule field added (review_by on a rule that had none) and one removed: --format json ended in
    # exit 3 (_Missing is not JSON) before.
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    shutil.copytree(ROOT / "rulepacks", old_dir)
    shutil.copytree(ROOT / "rulepacks", new_dir)
    text = (new_dir / "fujian.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: fj_residence_permit_outside_household")
    notes = text.index("    notes: |-", start)
    end = text.index("\n\n  - id: ", notes)
    text = text[:notes] + text[end:]  # notes removed
    text = text.replace("  - id: fj_footer_copyright\n", "  - id: fj_footer_copyright\n    review_by: '2031-01-01'\n")
    (new_dir / "fujian.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(old_dir), str(new_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    fields = {(r["rule"], f["path"]): f for r in data["rules"] for f in r["fields"]}
    removed = fields[("fj_residence_permit_outside_household", "notes")]
    added = fields[("fj_footer_copyright", "review_by")]
    assert "new" not in removed and removed["old"].startswith("SPEC §7 settles it")
    assert added == {"path": "review_by", "new": "2031-01-01"}
    text_result = CliRunner().invoke(cli, ["diff", str(old_dir), str(new_dir)])
    assert "review_by: (none) -> 2031-01-01" in text_result.stdout
