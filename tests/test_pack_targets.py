"""validate, lint and test (with --coverage) read their PACKS alike: pack files, directories or
pack names; a path that is no pack is bad input, named with the pack probably meant (engine/targets.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "rulepacks"


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_test_runs_the_cases_of_a_pack_file():
    result = invoke("test", PACKS / "guangdong.yaml", "-v")
    assert result.exit_code == 0, result.output
    assert result.output.count("PASS guangdong:") >= 5 and "PASS fujian:" not in result.output
    assert "PASS national:" not in result.output


def test_test_takes_several_pack_files_and_names_together():
    result = invoke("test", PACKS / "guangdong.yaml", PACKS / "fujian.yaml", "sichuan", "-v")
    assert result.exit_code == 0, result.output
    for key in ("guangdong", "fujian", "sichuan"):
        assert f"PASS {key}:" in result.output
    assert "PASS zhejiang:" not in result.output


def test_coverage_of_a_pack_file_reports_that_pack():
    result = invoke("test", PACKS / "fujian.yaml", "--coverage", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "coverage fujian: " in result.output and "coverage guangdong" not in result.output
    assert "in 1 pack" in result.output


def test_a_pack_file_outside_a_directory_of_packs_runs_over_the_bundled_national_pack(tmp_path):
    shutil.copy(PACKS / "guangdong.yaml", tmp_path / "guangdong.yaml")
    for command in (["test", "-v"], ["lint"], ["validate"], ["test", "--coverage"]):
        result = invoke(*command, tmp_path / "guangdong.yaml", "--lang", "en")
        assert result.exit_code == 0, (command, result.output)
    assert "PASS guangdong:" in invoke("test", tmp_path / "guangdong.yaml", "-v").output


def test_a_pack_file_is_tested_as_written_not_as_bundled(tmp_path):
    """The file named is the one run: a draft whose case now fails fails, the bundled pack passes."""
    packs = tmp_path / "draft"
    packs.mkdir()
    shutil.copy(PACKS / "national.yaml", packs / "national.yaml")
    text = (PACKS / "fujian.yaml").read_text(encoding="utf-8")
    first = text.index("tests:")
    broken = text[:first] + text[first:].replace("expect:", "expect:\n      findings_include: [no_such_finding]", 1)
    (packs / "fujian.yaml").write_text(broken, encoding="utf-8")
    result = invoke("test", packs / "fujian.yaml", "--lang", "en")
    assert result.exit_code == 1 and "FAIL " + str(packs / "fujian.yaml") in result.output
    assert invoke("test", "fujian").exit_code == 0


@pytest.mark.parametrize("command", [["test"], ["validate"], ["lint"], ["test", "--coverage"]])
def test_a_missing_pack_file_is_bad_input_with_the_pack_meant(command):
    result = invoke(*command, "rulepacks/guangdnog.yaml", "--lang", "en")
    assert result.exit_code == 2, result.output
    assert "error: rulepacks/guangdnog.yaml  $  no such pack file (did you mean 'guangdong'?)" in result.output \
        or "error: rulepacks/guangdnog.yaml  $  no such pack file (did you mean 'rulepacks/guangdong.yaml'?)" in result.output
    zh = invoke(*command, "rulepacks/guangdnog.yaml")
    assert zh.exit_code == 2 and "规则包文件不存在" in zh.output and "是否想写" in zh.output


@pytest.mark.parametrize("command", [["test"], ["validate"], ["lint"]])
def test_files_that_are_no_pack_are_bad_input_named_with_the_pack_meant(command, tmp_path):
    readme = tmp_path / "guangdong.md"
    readme.write_text("# notes\n", encoding="utf-8")
    application = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    cases = tmp_path / "fujian-cases.yaml"
    cases.write_text("pack: fujian\ntests:\n  - name: x\n    expect: {}\n", encoding="utf-8")
    for path, says in ((readme, "not a rule pack: a pack is a YAML file"),
                       (application, "not a rule pack: it has neither pack: nor rules:"),
                       (cases, "a file of test cases, not a rule pack: give it with --cases")):
        result = invoke(*command, path, "--lang", "en")
        assert result.exit_code == 2, (path, result.output)
        assert f"error: {path}  $  {says}" in result.output
        assert "did you mean" in result.output  # guangdong, guangdong, fujian: the name says which
        assert "Traceback" not in result.output


def test_a_broken_pack_file_is_still_a_broken_pack_not_bad_input(tmp_path):
    text = (PACKS / "fujian.yaml").read_text(encoding="utf-8").replace("document: residence_permit",
                                                                      "document: residense_permit", 1)
    (tmp_path / "fujian.yaml").write_text(text, encoding="utf-8")
    for command in (["validate"], ["test"], ["lint"]):
        result = invoke(*command, tmp_path / "fujian.yaml", "--lang", "en")
        assert result.exit_code == 1, (command, result.output)
        assert "unknown document 'residense_permit'" in result.output


def test_case_files_run_on_one_set_of_packs(tmp_path):
    shutil.copy(PACKS / "guangdong.yaml", tmp_path / "guangdong.yaml")
    cases = tmp_path / "cases"
    cases.mkdir()
    result = invoke("test", tmp_path / "guangdong.yaml", PACKS / "fujian.yaml", "--cases", cases, "--lang", "en")
    assert result.exit_code == 2 and "--cases runs its cases on one set of packs" in result.output
    assert str(tmp_path) in result.output


def test_a_pack_named_twice_is_validated_once():
    result = invoke("validate", PACKS / "fujian.yaml", "fujian", PACKS / "fujian.yaml", "--packs", PACKS, "--lang", "en")
    assert result.exit_code == 0 and "ok: 1 pack valid (fujian)" in result.output


def test_a_pack_named_twice_is_tested_and_linted_once():
    """By its path and its name, or as a file and in its directory: one pack, run once (engine/targets.py)."""
    once = invoke("test", PACKS / "fujian.yaml", "-v", "--lang", "en")
    for twice in ((PACKS / "fujian.yaml", "fujian"), ("闽", PACKS / "fujian.yaml"), (PACKS, PACKS / "fujian.yaml")):
        result = invoke("test", *twice, "-v", "--lang", "en")
        assert result.exit_code == 0, result.output
        assert result.output.count("PASS fujian:") == once.output.count("PASS fujian:") > 0, twice
    lint_once = invoke("lint", "fujian", "--as-of", "2099-01-01", "--lang", "en")
    lint_twice = invoke("lint", "fujian", PACKS / "fujian.yaml", "--as-of", "2099-01-01", "--lang", "en")
    assert lint_once.output.count("fujian.yaml") > 0
    assert lint_twice.output.count("fujian.yaml") == lint_once.output.count("fujian.yaml")


def test_lint_of_packs_from_two_books_warns_of_the_old_domain_list_once():
    """The list of top-level domains is the engine's, not a pack's: every book's lint finds it stale,
    the reader is told once."""
    result = invoke("lint", "fujian", PACKS / "guangdong.yaml", "--as-of", "2099-01-01", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.count("approved_tlds") == 1, result.output
