"""A pack's test case whose application is invalid is located where that part of it is written: the
case's own application:, the fixture it starts from, or the case, in the pack file (or the case
file), never as '<input>'."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine import packtests
from engine.cli import cli
from engine.rulebook import RuleBook

ROOT = Path(__file__).resolve().parent.parent
BAD_ID = "350102199501010013"  # a real birth date, the wrong check digit

CASES = f"""
  - name: a mistyped ID in the case
    base: individual
    application:
      filing_province: fujian
      subject: {{certificate: {{type: id_card, number: "{BAD_ID}", expires_on: 2032-03-15}}}}
    expect: {{documents_include: [subject_certificate]}}
  - name: a mistyped ID in the fixture
    base: fujian_enterprise
    application: {{filing_province: fujian}}
    expect: {{documents_include: [subject_certificate]}}
  - name: a missing part, from neither
    application:
      filing_province: fujian
    expect: {{documents_include: [subject_certificate]}}
"""


def _packs(tmp_path: Path) -> Path:
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", packs / "national.yaml")
    text = (ROOT / "rulepacks" / "fujian.yaml").read_text(encoding="utf-8")
    text = text.replace('number: "350102198506151231"', f'number: "{BAD_ID}"', 1)  # the fixture's principal
    (packs / "fujian.yaml").write_text(text.rstrip("\n") + "\n" + CASES, encoding="utf-8")
    return packs


def _line_of(text: str, needle: str, after: int = 0) -> int:
    return text.count("\n", 0, text.index(needle, text.index(after) if isinstance(after, str) else after)) + 1


def test_an_invalid_case_application_is_located_in_the_pack(tmp_path):
    packs = _packs(tmp_path)
    pack = packs / "fujian.yaml"
    text = pack.read_text(encoding="utf-8")
    book = RuleBook.load(packs)
    outcomes = {o.name: o for o in packtests.run_all(book, ["fujian"])}

    def problems(name):
        (message_id, args), = outcomes[name].found
        assert message_id == "case_invalid_application"
        return dict(args)["problems"]

    in_case, = problems("a mistyped ID in the case")
    assert (in_case.file, in_case.path) == (str(pack), "$.subject.certificate.number")
    assert in_case.line == _line_of(text, f'number: "{BAD_ID}", expires_on: 2032', "a mistyped ID in the case")
    assert text.splitlines()[in_case.line - 1][in_case.column - 1:].startswith(f'"{BAD_ID}"')

    in_fixture, = problems("a mistyped ID in the fixture")
    assert (in_fixture.file, in_fixture.path) == (str(pack), "$.principal.certificate.number")
    assert in_fixture.line == _line_of(text, f'number: "{BAD_ID}"', "fujian_enterprise:")
    assert text.splitlines()[in_fixture.line - 1][in_fixture.column - 1:].startswith(f'"{BAD_ID}"')

    missing = problems("a missing part, from neither")
    assert missing and all(p.file == str(pack) for p in missing)
    application_line = _line_of(text, "application:", "a missing part, from neither")
    assert {p.line for p in missing} == {application_line}


def test_the_cli_names_the_pack_file_not_input(tmp_path):
    packs = _packs(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(packs / "fujian.yaml"), "--lang", "en"])
    assert result.exit_code == 1
    assert "<input>" not in result.output
    assert re.search(re.escape(str(packs / "fujian.yaml")) + r":\d+:\d+  \$\.subject\.certificate\.number  ", result.output)


def test_a_case_file_application_is_located_in_the_case_file(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text("pack: fujian\ntests:\n" + CASES.split("  - name: a mistyped ID in the fixture")[0], encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "fujian", "--cases", str(cases), "--lang", "en"])
    assert result.exit_code == 1 and "<input>" not in result.output
    line = _line_of(cases.read_text(encoding="utf-8"), f'number: "{BAD_ID}"')
    assert f"{cases}:{line}:" in result.output and "$.subject.certificate.number" in result.output
