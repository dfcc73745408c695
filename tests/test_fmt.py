"""``icp-rules fmt``: one canonical layout, comments and key order kept, idempotent, ``--check``,
and never a lost or half-written file."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import fmt
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent

MESSY = """\
# a team's pack: this comment stays
pack: fujian
extends: national
version: '1'   # quoted as written
title: {zh: 福建, en: Fujian}
rules:
- id: fj_example            # the rule's own comment
  title: {zh: 示例, en: Example}
  when:
      all:
      - {fact: subject.is_unit, equals: true}
      - {fact: person.age,
         at_least: 18}
  for_each: person
  require: [{document: residence_permit}]
  sources: [{id: seed_003}]
"""

FORMATTED = """\
# a team's pack: this comment stays
pack: fujian
extends: national
version: '1'   # quoted as written
title: {zh: 福建, en: Fujian}
rules:
  - id: fj_example          # the rule's own comment
    title: {zh: 示例, en: Example}
    when:
      all:
        - {fact: subject.is_unit, equals: true}
        - fact: person.age
          at_least: 18
    for_each: person
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
"""


def test_canonical_layout_keeps_comments_order_and_quotes():
    assert fmt.format_text(MESSY) == FORMATTED
    assert fmt.format_text(FORMATTED) == FORMATTED  # idempotent
    assert yaml.safe_load(FORMATTED) == yaml.safe_load(MESSY)


@pytest.mark.parametrize("pack", sorted(p.name for p in (ROOT / "rulepacks").glob("*.yaml")))
def test_every_bundled_pack_formats_to_the_same_data_and_is_stable(pack):
    text = (ROOT / "rulepacks" / pack).read_text(encoding="utf-8")
    once = fmt.format_text(text)
    assert fmt.format_text(once) == once
    assert yaml.safe_load(once) == yaml.safe_load(text)
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == \
           [line for line in once.splitlines() if line.lstrip().startswith("#")]


def test_check_lists_files_and_changes_nothing(tmp_path):
    (tmp_path / "messy.yaml").write_text(MESSY, encoding="utf-8")
    (tmp_path / "tidy.yaml").write_text(FORMATTED, encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", "--check", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert f"would reformat {tmp_path / 'messy.yaml'}" in result.output
    assert "tidy.yaml" not in result.output
    assert (tmp_path / "messy.yaml").read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_in_place_keeping_permissions(tmp_path):
    target = tmp_path / "messy.yaml"
    target.write_text(MESSY, encoding="utf-8")
    os.chmod(target, 0o644)
    result = CliRunner().invoke(cli, ["fmt", str(target), "--lang", "en"])
    assert result.exit_code == 0 and f"reformatted {target}" in result.output
    assert target.read_text(encoding="utf-8") == FORMATTED
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["messy.yaml"]  # no temporary file left behind
    assert CliRunner().invoke(cli, ["fmt", "--check", str(target)]).exit_code == 0


def test_a_copy_of_the_bundled_packs_formats_and_still_passes_its_tests(tmp_path):
    packs = tmp_path / "team" / "rulepacks"
    shutil.copytree(ROOT / "rulepacks", packs)
    runner = CliRunner()
    assert runner.invoke(cli, ["fmt", str(packs)]).exit_code == 0
    assert runner.invoke(cli, ["fmt", "--check", str(packs)]).exit_code == 0
    assert runner.invoke(cli, ["test", "--packs", str(packs)]).exit_code == 0


def test_broken_yaml_is_reported_with_its_place_and_left_alone(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = "pack: fujian\nrules:\n  - id: [unclosed\n"
    broken.write_text(text, encoding="utf-8")
    (tmp_path / "fine.yaml").write_text(MESSY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 2
    assert f": {broken}:" in result.output and "Traceback" not in result.output
    assert broken.read_text(encoding="utf-8") == text
    assert (tmp_path / "fine.yaml").read_text(encoding="utf-8") == FORMATTED  # the others are still done


def test_a_layout_that_would_change_the_data_is_refused(tmp_path, monkeypatch):
    target = tmp_path / "pack.yaml"
    target.write_text(MESSY, encoding="utf-8")
    monkeypatch.setattr(fmt, "format_text", lambda text, file=None: text.replace("18", "19"))
    result = CliRunner().invoke(cli, ["fmt", str(target), "--lang", "en"])
    assert result.exit_code == 2 and "would change what this file means" in result.output
    assert target.read_text(encoding="utf-8") == MESSY


def test_missing_path_is_bad_input(tmp_path):
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path / "nowhere"), "--lang", "en"])
    assert result.exit_code == 2 and "no such file or directory" in result.output


def test_the_bundled_packs_are_formatted():
    result = CliRunner().invoke(cli, ["fmt", "--check", str(ROOT / "rulepacks")])
    assert result.exit_code == 0, result.output
