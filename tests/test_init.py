"""``icp-rules init`` writes a commented application template; ``icp-rules check`` names each part
still to fill in, with its line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli

EXE = Path(sys.executable).with_name("icp-rules")


def test_init_piped_into_check_names_every_part_left_to_fill_in():
    template = subprocess.run([str(EXE), "init", "--province", "广东", "--type", "enterprise"], capture_output=True,
                              text=True, timeout=120, check=True).stdout
    data = yaml.safe_load(template)
    empty = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif value is None:
            empty.append(path)

    walk(data, "$")
    assert data["filing_province"] == "guangdong" and data["subject"]["type"] == "enterprise"
    assert data["subject"]["certificate"]["type"] == "business_license"
    assert {"$.subject.name", "$.subject.certificate.number", "$.principal.name", "$.websites[0].name",
            "$.websites[0].domains[0]", "$.domains[0].name"} <= set(empty)
    check = subprocess.run([str(EXE), "check", "-"], input=template, capture_output=True, text=True, timeout=120)
    assert check.returncode == 2
    lines = check.stderr.splitlines()
    assert len(lines) == len(empty)
    template_lines = template.splitlines()
    for path in empty:
        line = next(x for x in lines if f"  {path}  " in x)
        where = re.match(r"错误: <stdin>:(\d+):(\d+)  ", line)
        assert where, line
        assert "此字段为空：请填写" in line
        # the line named is the template's line of that field
        key = path.rsplit(".", 1)[-1].split("[")[0]
        assert key in template_lines[int(where.group(1)) - 1] or template_lines[int(where.group(1)) - 1].strip() == "-"


def test_init_in_english_for_an_app_filing():
    result = CliRunner().invoke(cli, ["init", "--lang", "en", "--service", "app", "--province", "44"])
    assert result.exit_code == 0
    assert "# Fill in every empty field" in result.output
    data = yaml.safe_load(result.output)
    assert data["service_type"] == "app" and "websites" not in data and data["apps"] == [{"name": None}]
    assert "# Subject type: individual Individual | enterprise Enterprise" in result.output


def test_a_filled_in_template_checks(tmp_path):
    result = CliRunner().invoke(cli, ["init", "--province", "fujian"])
    data = yaml.safe_load(result.output)
    data["subject"].update(name="王芳", certificate={"type": "id_card", "number": "440106199203156782"})
    data["principal"].update(name="王芳", certificate={"type": "id_card", "number": "440106199203156782"})
    data["websites"] = [{"name": "榕城山水摄影笔记", "domains": ["wangfang-photo.cn"]}]
    data["domains"][0].update(name="wangfang-photo.cn", registrant_name="王芳", real_name_verified=True,
                              expires_on="2030-09-01")
    data["submitted_on"] = "2024-10-08"
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    check = CliRunner().invoke(cli, ["check", str(path)])
    assert check.exit_code in (0, 1), check.output
    assert "ICP备案材料清单" in check.output


def test_an_unknown_province_is_bad_input_with_a_suggestion():
    result = CliRunner().invoke(cli, ["init", "--province", "guangdon"])
    assert result.exit_code == 2 and "未知省份“guangdon”（是否想写“guangdong”？）" in result.stderr


def test_an_unknown_province_names_the_option_not_an_input_file():
    """No file was read: the line starts with the option a person typed, not '<input>'."""
    for lang, start in (("zh", "错误: --province  "), ("en", "error: --province  ")):
        result = CliRunner().invoke(cli, ["init", "--province", "guangdon", "--lang", lang])
        assert result.exit_code == 2 and result.stderr.startswith(start), result.stderr


def test_an_empty_date_in_the_template_asks_for_a_date_not_text():
    template = CliRunner().invoke(cli, ["init"]).stdout
    for lang, wanted in (("zh", "此字段为空：请填写日期（YYYY-MM-DD）"), ("en", "this field is empty: fill in a date (YYYY-MM-DD)")):
        check = CliRunner().invoke(cli, ["check", "-", "--lang", lang], input=template)
        line = next(x for x in check.stderr.splitlines() if "  $.domains[0].expires_on  " in x)
        assert line.endswith(wanted), line


@pytest.mark.parametrize("given, meant", [("company", "enterprise"), ("Company", "enterprise"), ("person", "individual"),
                                          ("企业", "enterprise"), ("个人", "individual"), ("entreprise", "enterprise")])
def test_init_names_the_subject_type_meant_by_a_synonym_or_a_misspelling(given, meant):
    """--type company: the valid name is enterprise; the refusal says so, as other bad choices do."""
    zh = CliRunner().invoke(cli, ["init", "--type", given])
    en = CliRunner().invoke(cli, ["init", "--type", given, "--lang", "en"])
    assert zh.exit_code == en.exit_code == 2
    assert f"“{given}”不是可选值之一" in zh.output and f"（是否想写“{meant}”？）" in zh.output
    assert f"(did you mean '{meant}'?)" in en.output


def test_other_bad_choices_name_the_closest_value_too():
    result = CliRunner().invoke(cli, ["init", "--service", "mini-program", "--lang", "en"])
    assert result.exit_code == 2 and "(did you mean 'mini_program'?)" in result.output
    result = CliRunner().invoke(cli, ["check", "x.yaml", "--lang", "chinese"])
    assert result.exit_code == 2 and "（是否想写“zh”？）" in result.output
    result = CliRunner().invoke(cli, ["check", "x.yaml", "--format", "pdf", "--lang", "en"])
    assert result.exit_code == 2 and "did you mean" not in result.output  # nothing close: no guess
