"""Pack test cases: run by the pytest plugin (each case is an item), by ``icp-rules test`` and
from case files; failures read as a diff. The plugin itself is exercised with pytester."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from engine import packtests
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HEAD = "pack: fujian\nextends: national\nversion: '1'\ntitle: {zh: 福建, en: Fujian}\nrules: []\n"

pytest_plugins = ["pytester"]


def test_every_rule_is_fired_by_some_test(book):
    outcomes = packtests.run_all(book, None, packtests.load_cases([ROOT / "tests" / "cases"]))
    assert outcomes and all(o.passed for o in outcomes), [o.describe() for o in outcomes if not o.passed]
    assert packtests.uncovered_rules(book, outcomes) == []


def test_a_failing_expectation_reads_as_a_diff_naming_the_rules(book):
    case = packtests.Case("wrong on purpose", {"name": "wrong on purpose", "base": "individual",
                          "expect": {"documents": ["subject_certificate", "residence_permit"],
                                     "findings": ["document_too_old"]}}, "national", 0, "x.yaml", 3)
    outcome = packtests.run(book, case)
    text = outcome.describe()
    assert text.startswith("x.yaml:3  national: wrong on purpose")
    assert text.splitlines()[1:] == [
        "    documents differ (- expected but missing, + present but not expected):",
        "      - residence_permit",
        "        subject_certificate",
        "      + verification_form    <- required by basic_verification_form",
        "    findings differ (- expected but missing, + present but not expected):",
        "      - document_too_old",
    ]


def _pack_dir(tmp_path: Path, tests: str) -> Path:
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", packs / "national.yaml")
    (packs / "fujian.yaml").write_text(HEAD + tests, encoding="utf-8")
    return packs


CASES = """\
tests:
  - name: a Fujian individual registered in Guangdong brings a residence permit
    base: individual
    application: {filing_province: fujian}
    expect: {documents_include: [residence_permit]}
  - name: this one expects the wrong footer
    base: individual
    application: {filing_province: 闽}
    expect: {footer: {number_kind: subject}}
"""


def test_cli_runs_case_files_with_pack_cases_and_reports_file_and_line(tmp_path, book):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "fujian.yaml").write_text(CASES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "fujian", "--cases", str(cases), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert f"FAIL {cases / 'fujian.yaml'}:6  fujian: this one expects the wrong footer" in result.output
    assert "footer.number_kind: expected subject, actual website" in result.output
    passed = len(packtests.pack_cases(book, ["fujian"])) + 1
    assert result.output.endswith(f"{passed} passed, 1 failed\n")


def test_a_malformed_case_file_is_located_with_a_suggestion(tmp_path):
    (tmp_path / "bad.yaml").write_text("tests:\n  - name: x\n    expcet: {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "--cases", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}:3:5  $.tests[0].expcet  unknown key 'expcet' (did you mean 'expect'?)" in result.output


def test_an_unknown_fixture_is_named_in_the_readers_quotes(tmp_path):
    (tmp_path / "fujian.yaml").write_text(
        "pack: fujian\ntests:\n  - name: x\n    base: fujian_enterprize\n    expect: {findings: []}\n", encoding="utf-8")
    zh = CliRunner().invoke(cli, ["test", "fujian", "--cases", str(tmp_path)])
    assert zh.exit_code == 1 and "未知基础用例“fujian_enterprize”；已有：" in zh.output, zh.output
    en = CliRunner().invoke(cli, ["test", "fujian", "--cases", str(tmp_path), "--lang", "en"])
    assert "unknown fixture 'fujian_enterprize'; known: " in en.output and "''" not in en.output, en.output


def test_cases_of_a_missing_directory_are_bad_input(tmp_path):
    result = CliRunner().invoke(cli, ["test", "--cases", str(tmp_path / "nowhere"), "--lang", "en"])
    assert result.exit_code == 2 and "no such file or directory" in result.output


def test_coverage_names_rules_no_test_fires(tmp_path):
    packs = _pack_dir(tmp_path, "")
    text = (packs / "fujian.yaml").read_text(encoding="utf-8").replace("rules: []\n", """\
rules:
  - id: fj_untested
    title: {zh: 未测试, en: Untested}
    when: {fact: subject.is_unit, equals: true}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
""")
    (packs / "fujian.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "--packs", str(packs), "--coverage", "fujian"])
    assert result.exit_code == 1
    assert f"UNCOVERED {packs / 'fujian.yaml'}:6  fujian: fj_untested（没有测试用例触发它）" in result.output


def test_pytest_collects_pack_cases_and_case_files_as_items(pytester, tmp_path, book):
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", packs / "national.yaml")
    bundled = (ROOT / "rulepacks" / "fujian.yaml").read_text(encoding="utf-8")
    wrong = "  - name: deliberately wrong\n    base: individual\n    application: {filing_province: fujian}\n" \
            "    expect: {documents: [subject_certificate]}\n"
    (packs / "fujian.yaml").write_text(bundled + wrong, encoding="utf-8")
    wrong_line = len(bundled.splitlines()) + 1
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "cases.yaml").write_text(CASES, encoding="utf-8")
    (cases / "other.yaml").write_text("just: some yaml\n", encoding="utf-8")  # not collected
    # A broken pack elsewhere is a collection error that names the mistake; the rest still runs.
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", broken / "national.yaml")
    (broken / "fujian.yaml").write_text(HEAD.replace("version", "verison") + "tests:\n  - name: x\n    expect: {}\n",
                                        encoding="utf-8")
    result = pytester.runpytest(str(packs / "fujian.yaml"), str(cases), str(broken / "fujian.yaml"),
                                "--icp-packs", str(packs), "-p", "no:cacheprovider", "--continue-on-collection-errors")
    own_cases = len(book.packs["fujian"].tests)
    result.assert_outcomes(passed=own_cases + 1, failed=2, errors=1)
    output = result.stdout.str()
    assert f"fujian.yaml:{wrong_line}  fujian: deliberately wrong" in output
    assert "      + residence_permit    <- required by fj_" in output
    assert "footer.number_kind: expected subject, actual website" in output
    assert "did you mean 'version'" in output
    assert "Traceback" not in output


def test_a_failing_expectation_reads_in_chinese_without_english_between(book):
    case = packtests.Case("wrong on purpose", {"name": "wrong on purpose", "base": "individual",
                          "expect": {"documents": ["subject_certificate", "residence_permit"],
                                     "findings": ["document_too_old"]}}, "national", 0, "x.yaml", 3)
    lines = packtests.run(book, case).describe("zh").splitlines()[1:]
    assert "      + verification_form    <- 由 basic_verification_form 要求" in lines
    assert "      - residence_permit" in lines and "        subject_certificate" in lines
    assert not any("required by" in line for line in lines)
