from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import application
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_check_prints_markdown_and_exits_0_without_blocking(run):
    result = run("check", EXAMPLES / "guangdong-enterprise-many-domains.yaml")
    assert result.exit_code == 0
    assert "网站建设方案书" in result.output and "粤ICP备12345678号" in result.output


def test_check_exits_1_with_blocking_findings(run):
    result = run("check", EXAMPLES / "sichuan-trading-company.yaml", "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["findings"][0]["id"] == "document_too_old"
    assert data["required_documents"][0]["name"] == "Certificate of the filing subject"


def test_check_masks_id_numbers(run):
    result = run("check", EXAMPLES / "fujian-individual-cross-province.yaml")
    assert "440106199203156782" not in result.output
    assert "440************782" in result.output


@pytest.mark.parametrize(("text", "lang", "needle"), [
    ("filing_province: fujain\n", "en", "did you mean 'fujian'"),
    ("submited_on: 2024-01-01\n", "en", "did you mean 'submitted_on'"),
    ("submitted_on: 2024-02-30\n", "en", "not a valid date"),
    ("filing_province: fujain\n", "zh", "未知省份“fujain”（是否想写“fujian”？）"),
    ("submited_on: 2024-01-01\n", "zh", "未知字段“submited_on”（是否想写“submitted_on”？）"),
    ("submitted_on: 2024-02-30\n", "zh", "不是有效日期"),
])
def test_bad_input_exits_2_with_a_located_message(run, tmp_path, text, lang, needle):
    base = (EXAMPLES / "fujian-individual-cross-province.yaml").read_text(encoding="utf-8")
    key = text.split(":")[0]
    base = "\n".join(line for line in base.splitlines() if not line.startswith(key + ":")) + "\n"
    path = tmp_path / "app.yaml"
    path.write_text(base + text, encoding="utf-8")
    result = run("check", path, *(("--lang", lang) if lang != "zh" else ()))  # Chinese is the default
    assert result.exit_code == 2
    assert f"{path}:" in result.output and needle in result.output
    assert "Traceback" not in result.output


def test_bad_checksum_exits_2(run, tmp_path):
    text = (EXAMPLES / "fujian-individual-cross-province.yaml").read_text(encoding="utf-8")
    path = tmp_path / "app.yaml"
    path.write_text(text.replace("440106199203156782", "440106199203156781"), encoding="utf-8")
    result = run("check", path, "--lang", "en")
    assert result.exit_code == 2
    assert "$.subject.certificate.number" in result.output and "check digit" in result.output
    result = run("check", path)
    assert result.exit_code == 2
    assert "$.subject.certificate.number" in result.output and "身份证号码校验位错误" in result.output


def test_missing_file_exits_2(run, tmp_path):
    result = run("check", tmp_path / "nope.yaml", "--lang", "en")
    assert result.exit_code == 2 and "no such file" in result.output
    result = run("check", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "文件不存在" in result.output


def test_output_file_is_never_overwritten_unasked(run, tmp_path):
    target = tmp_path / "out.md"
    target.write_text("mine", encoding="utf-8")
    result = run("check", EXAMPLES / "guangdong-enterprise-many-domains.yaml", "-o", target)
    assert result.exit_code == 2 and target.read_text(encoding="utf-8") == "mine"
    result = run("check", EXAMPLES / "guangdong-enterprise-many-domains.yaml", "-o", target, "--force")
    assert result.exit_code == 0 and "网站建设方案书" in target.read_text(encoding="utf-8")


def test_output_never_replaces_the_input(run, tmp_path):
    app = tmp_path / "app.yaml"
    original = (EXAMPLES / "guangdong-enterprise-many-domains.yaml").read_text(encoding="utf-8")
    app.write_text(original, encoding="utf-8")
    result = run("check", app, "-o", app, "--force")
    assert result.exit_code == 2 and app.read_text(encoding="utf-8") == original


def test_as_of_selects_rules_in_force(run):
    result = run("check", EXAMPLES / "guangdong-enterprise-many-domains.yaml", "--as-of", "2021-01-01", "--format", "json")
    ids = [d["id"] for d in json.loads(result.output)["required_documents"]]
    assert "commitment_letter" not in ids


@pytest.mark.parametrize("name", ["guangdong", "粤", "广东", "44"])
def test_validate_takes_a_pack_in_any_province_spelling(run, name):
    result = run("validate", name)
    assert result.exit_code == 0 and "通过：1 个规则包有效（广东规则包）" in result.output  # Chinese by default
    result = run("validate", name, "--lang", "en")
    assert result.exit_code == 0 and "1 pack valid (guangdong)" in result.output


def test_validate_of_an_unknown_pack_name_is_bad_input(run):
    result = run("validate", "guangdng", "--lang", "en")
    assert result.exit_code == 2 and "did you mean 'guangdong'" in result.output


def test_validate_reports_every_broken_pack_and_exits_1(run, tmp_path):
    good = run("validate", "--lang", "en")
    assert good.exit_code == 0 and "4 packs valid" in good.output or "packs valid" in good.output
    broken = tmp_path / "fujian.yaml"
    broken.write_text("pack: fujian\nextends: national\nversion: '1'\ntitle: {zh: a, en: b}\n"
                      "rules:\n  - {id: x, title: {zh: a, en: b}, sources: [{id: s}], footer: {number_knd: subject}}\n",
                      encoding="utf-8")
    result = run("validate", broken, "--lang", "en")
    assert result.exit_code == 1
    assert f"{broken}:6:" in result.output and "did you mean 'number_kind'" in result.output


def test_test_command_runs_pack_cases(run):
    result = run("test", "--coverage", "--lang", "en")
    assert result.exit_code == 0
    assert " passed, 0 failed" in result.output and "coverage:" in result.output


def test_provinces_and_schema(run):
    result = run("provinces", "--format", "json")
    rows = json.loads(result.output)
    assert len(rows) == 31 and {"key": "guangdong", "code": "44", "abbr": "粤", "name": "广东省",
                                "english": "Guangdong", "pack": "guangdong"} in rows
    for name in ("application", "rulepack", "result"):
        assert json.loads(run("schema", name).output)["$schema"].startswith("https://json-schema.org")


def test_unknown_command_is_a_usage_error(run):
    result = CliRunner().invoke(cli, ["chekc"])
    assert result.exit_code == 2 and "chekc" in result.output


def test_root_shim_behaves_like_the_command(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check",
                           str(EXAMPLES / "fujian-individual-cross-province.yaml"), "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["province"]["key"] == "fujian"


def test_pack_names_take_any_province_spelling(run):
    result = run("test", "粤", "-v")
    assert result.exit_code == 0
    assert result.output.count("PASS guangdong:") >= 5 and "PASS fujian:" not in result.output
    assert run("lint", "广东").exit_code == 0
    wrong = run("test", "guangdnog", "--lang", "en")
    assert wrong.exit_code != 0 and "did you mean 'guangdong'" in wrong.output


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn", "watchfiles"])
def test_serve_without_the_serve_extra_exits_2_and_names_it(missing):
    """The core install has no HTTP stack: `serve` says which extra to install, not a traceback."""
    probe = ("import sys\n"
             f"sys.modules[{missing!r}] = None  # as if not installed: importing it raises ImportError\n"
             "from engine.cli import main\n"
             "main(sys.argv[1:])\n")
    done = subprocess.run([sys.executable, "-c", probe, "serve", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "icp-rulepacks[serve]" in done.stderr and missing in done.stderr
    assert "Traceback" not in done.stderr


def test_the_core_commands_never_import_the_service_stack(tmp_path):
    """What `pip install icp-rulepacks` gives must run without FastAPI, uvicorn or watchfiles."""
    probe = ("import sys\n"
             "for name in ('fastapi', 'uvicorn', 'watchfiles', 'starlette'):\n"
             "    sys.modules[name] = None\n"
             "from engine.cli import main\n"
             "main(sys.argv[1:])\n")
    app = str(EXAMPLES / "sichuan-trading-company.yaml")
    for args in (["check", app], ["check", app, "--format", "html"], ["validate"], ["lint"], ["explain", app],
                 ["provinces"], ["test", "sichuan"]):
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), (args, done.stderr[-2000:])


@pytest.mark.parametrize(("option", "given", "meant"), [("--format", "markdown", "md"), ("--format", "txt", "text"),
                                                        ("--lang", "en-US", "en"), ("--lang", "zh-CN", "zh")])
def test_a_format_or_language_written_another_way_names_the_one_meant(option, given, meant):
    # the same other names (engine/names.py) as the service's format= and lang= suggest
    args = ["check", str(EXAMPLES / "sichuan-trading-company.yaml"), option, given]
    result = CliRunner().invoke(cli, args + ([] if option == "--lang" else ["--lang", "en"]))
    assert result.exit_code == 2
    assert f"(did you mean '{meant}'?)" in result.output or f"（是否想写“{meant}”？）" in result.output


@pytest.mark.parametrize("text", [
    # a field named by an ID number: unknown, and given twice (in YAML, and in JSON)
    "filing_province: guangdong\nprincipal:\n  name: 张三\n  440106199203156782: yes\n",
    "filing_province: guangdong\nprincipal:\n  440106199203156782: 1\n  440106199203156782: 2\n",
    '{"filing_province": "guangdong", "principal": {"name": "张三", "440106199203156782": true}}\n',
    '{"filing_province": "guangdong", "440106199203156782": 1, "440106199203156782": 2}\n',
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_number_typed_as_a_field_name_is_masked_in_the_message_and_its_path(run, tmp_path, text, lang):
    # the message masked the number but the path printed beside it did not; a duplicate key was
    # quoted as written
    json_text = text.startswith("{")
    path = tmp_path / ("app.json" if json_text else "app.yaml")
    path.write_text(text, encoding="utf-8")
    result = run("check", path, "--lang", lang, "--format", "json")
    assert result.exit_code == 2
    assert "440106199203156782" not in result.output and "440************782" in result.output
    if json_text:  # a batch's error line says the same
        (tmp_path / "apps.jsonl").write_text(text, encoding="utf-8")
        batch = run("batch", tmp_path / "apps.jsonl", "--lang", lang)
        assert "440106199203156782" not in batch.output and "440************782" in batch.output


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_a_limit_that_is_not_a_number_is_refused(value):
    # click's FloatRange lets NaN through (no comparison with it is true): --fail-under nan then
    # passed every run, whatever the coverage
    result = CliRunner().invoke(cli, ["test", "national", "--fail-under", value, "--lang", "en"])
    assert result.exit_code == 2
    assert f"invalid value for --fail-under: '{value}' is not a number" in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_application_wrapped_in_an_object_is_told_to_put_its_fields_at_the_top(run, tmp_path, lang):
    # as the service already said of a body (body_wrapped): a file or a batch line read
    # 'unknown field application (did you mean application_id?)' after every field missing
    inner = json.dumps(json.loads(json.dumps(application.load(EXAMPLES / "sichuan-trading-company.yaml").data, default=str)))
    path = tmp_path / "wrapped.json"
    path.write_text(f'{{"application": {inner}}}\n', encoding="utf-8")
    result = run("check", path, "--lang", lang)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and f"{path}:1:2  $.application  " in result.output
    assert "filing_province" in result.output and "application_id" not in result.output
    (tmp_path / "apps.jsonl").write_text(f'{{"payload": {inner}}}\n', encoding="utf-8")
    batch_line = run("batch", tmp_path / "apps.jsonl", "--lang", lang, "-o", tmp_path / "out.jsonl")
    assert batch_line.exit_code == 1
    error = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["error"]
    assert [p["code"] for p in error["problems"]] == ["application_wrapped"] and error["path"] == "$.payload"


def test_an_internal_error_masks_a_number_its_text_quotes(monkeypatch, capsys):
    """An exception's text can quote what a user typed: the line that reports it masks an ID number
    as every problem does (and still says what went wrong, exit 3)."""
    from engine import cli as cli_module
    from engine.text import mask

    def broken(*args, **kwargs):
        raise ValueError("cannot read 440106199203156782 here")

    monkeypatch.setattr(cli_module, "_validate_targets", broken)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["validate", "--lang", "en"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 3
    assert "internal error: ValueError: cannot read" in err
    assert "440106199203156782" not in err and mask("440106199203156782") in err
