"""Every message a person reads comes from the catalogue (engine/messages.py), so it reads in the
reader's language: Chinese by default, English with --lang en / lang=en. The source is scanned for
problems made from bare text, and one message of each family is read in both languages."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import cli as cli_module
from engine import messages
from engine.cli import cli
from engine.errors import PackError, problem

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"
EXAMPLE = ROOT / "examples" / "fujian-individual-cross-province.yaml"

# Callables that take a message id, and where: (name, position of the id among the positional arguments).
# A method ``.problem(path, id)`` (SourceMap, the pack checker, lint's located rule) names the id second;
# the module function ``problem(id)`` first.
ID_ARGUMENT = {
    "problem": 0, "_problem": 0, "Usage": 0, "BadValue": 0, "Unsupported": 0, "_BadScalar": 0, "say": 0,
    "message_text": 0, "ConditionError": 1, "_fail": 1, "_refused": 1, "_error_body": 1, "_refuse": 1,
    "_refuse_at": 2,
}


def _calls() -> list[tuple[str, int, str, ast.Call]]:
    out = []
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                out.append((path.name, node.lineno, name, node))
    return out


CALLS = _calls()


def test_no_problem_is_made_from_bare_text():
    """``Problem(...)`` reads the same in both languages: only ``errors.problem`` builds one (from an id)."""
    bare = [f"engine/{file}:{line}" for file, line, name, _ in CALLS if name == "Problem" and file != "errors.py"]
    assert bare == [], "build problems with errors.problem(id, ...) or SourceMap.problem(path, id, ...)"
    inside = [line for file, line, name, _ in CALLS if name == "Problem" and file == "errors.py"]
    assert len(inside) == 1  # the one in problem()


def _id_argument(file: str, name: str, call: ast.Call) -> ast.expr | None:
    if name == "Unsupported" and file == "codegen.py":
        return None  # the code generator's own signal (its rule falls back to the closure), never shown
    if isinstance(call.func, ast.Attribute) and name == "problem":
        index = 1  # source.problem(path, id), self.problem(path, id), loc.problem(tail, id)
    elif name in ID_ARGUMENT:
        index = ID_ARGUMENT[name]
    else:
        return None
    return call.args[index] if len(call.args) > index else None


def test_every_message_id_in_the_source_is_in_the_catalogue():
    """An id spelt in the code names a catalogue entry (a typo would fail only when that rare problem
    is met); an id built with an f-string starts like one, and is never a sentence."""
    checked, wrong = 0, []
    for file, line, name, call in CALLS:
        if file == "messages.py":
            continue
        argument = _id_argument(file, name, call)
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            checked += 1
            if argument.value not in messages.MESSAGES:
                wrong.append(f"engine/{file}:{line}: {argument.value!r}")
        elif isinstance(argument, ast.JoinedStr):
            checked += 1
            head = argument.values[0].value if isinstance(argument.values[0], ast.Constant) else ""
            literal = "".join(v.value for v in argument.values if isinstance(v, ast.Constant))
            if not head or " " in literal or not any(k.startswith(str(head)) for k in messages.MESSAGES):
                wrong.append(f"engine/{file}:{line}: f-string {ast.unparse(argument)}")
    assert checked > 250  # the scan sees the calls (a renamed helper would silently skip them)
    assert wrong == []


def test_a_message_id_the_catalogue_lacks_is_an_error_not_english():
    from engine.source import SourceMap

    with pytest.raises(KeyError):
        SourceMap("x.yaml").problem((), "this is not an id")
    with pytest.raises(KeyError):
        problem("this is not an id")


def _both(args: list[str]) -> tuple:
    runner = CliRunner()
    return runner.invoke(cli, args), runner.invoke(cli, [*args, "--lang", "en"])


def _broken_pack(tmp_path: Path) -> Path:
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", packs / "national.yaml")
    text = (ROOT / "rulepacks" / "fujian.yaml").read_text(encoding="utf-8")
    (packs / "fujian.yaml").write_text(text.replace("document: residence_permit", "document: residense_permit", 1),
                                       encoding="utf-8")
    return packs / "fujian.yaml"


def test_a_pack_error_reads_in_chinese_by_default_and_in_english_on_request(tmp_path):
    pack = _broken_pack(tmp_path)
    zh, en = _both(["validate", str(pack)])
    assert zh.exit_code == en.exit_code == 1
    assert "错误: " in zh.output and "未知材料“residense_permit”（是否想写“residence_permit”？）" in zh.output
    assert "error: " in en.output and "unknown document 'residense_permit' (did you mean 'residence_permit'?)" in en.output
    # The library raises without a language: str() is English, format_message picks one.
    from engine.packs import load_pack, merge

    with pytest.raises(PackError) as caught:
        merge(load_pack(pack.parent / "national.yaml"), load_pack(pack))
    assert "unknown document 'residense_permit'" in str(caught.value)
    assert "未知材料“residense_permit”" in caught.value.format_message("zh")
    assert caught.value.first.id == "pack_unknown_document"


def test_a_condition_error_reads_in_both_languages(tmp_path):
    pack = _broken_pack(tmp_path)
    text = pack.read_text(encoding="utf-8").replace("for_each: person", "for_each: person\n    when: {fact: person.age, equals: old}", 1)
    pack.write_text(text, encoding="utf-8")
    zh, en = _both(["validate", str(pack)])
    assert "“person.age”是整数，“old”不是整数" in zh.output  # the value quoted as Chinese quotes it, not as Python's repr
    assert "'person.age' is a whole number; 'old' is not" in en.output


def test_a_lint_finding_reads_in_both_languages():
    # far in the future the list of approved top-level domains is overdue for a check
    zh, en = _both(["lint", "national", "--as-of", "2100-01-01"])
    assert "警告: " in zh.output and "工信部批准的顶级域名列表最后核对于" in zh.output
    assert "warning: " in en.output and "the list of MIIT-approved top-level domains was last checked on" in en.output


def test_click_usage_errors_read_in_both_languages():
    zh, en = _both(["check", "x.yaml", "--lnag", "en"])
    assert zh.exit_code == en.exit_code == 2
    assert "用法：" in zh.output and " check [OPTIONS] APPLICATION" in zh.output
    assert "错误: 没有选项“--lnag”（是否想写“--lang”？）" in zh.output
    assert "Usage: " in en.output and " check [OPTIONS] APPLICATION" in en.output
    assert "error: no such option '--lnag' (did you mean '--lang'?)" in en.output
    zh, en = _both(["check"])
    assert zh.exit_code == 2 and "错误: 缺少参数 APPLICATION" in zh.output
    assert "error: missing argument APPLICATION" in en.output
    zh, en = _both(["check", "x.yaml", "--format", "pdf"])
    assert zh.exit_code == 2 and "错误: --format 的值无效：“pdf”不是可选值之一：md、html、text、json" in zh.output
    assert "error: invalid value for --format: 'pdf' is not one of: md, html, text, json" in en.output
    zh, en = _both(["chek", "x.yaml"])
    assert zh.exit_code == 2 and "没有命令“chek”（是否想写“check”？）" in zh.output
    assert "no such command 'chek' (did you mean 'check'?)" in en.output
    zh, en = _both(["check", "a.yaml", "b.yaml"])
    assert zh.exit_code == 2 and "多余的参数：b.yaml" in zh.output and "unexpected extra arguments: b.yaml" in en.output
    zh, en = _both(["check", "x.yaml", "--as-of", "2024-13-01"])
    assert "--as-of 的值无效：“2024-13-01”不是日期" in zh.output
    assert "invalid value for --as-of: '2024-13-01' is not a date" in en.output
    # An option left without its value: the language comes from the command line (none given here).
    result = CliRunner().invoke(cli, ["batch", "x.jsonl", "--lang"])
    assert result.exit_code == 2 and "选项 --lang 需要一个值" in result.output


def test_the_batch_summary_reads_in_both_languages(tmp_path):
    line = json.dumps(json.loads(json.dumps(__import__("engine").application.load(EXAMPLE).data, default=str)),
                      ensure_ascii=False)
    source = tmp_path / "in.jsonl"
    source.write_text(line + "\n{not json\n", encoding="utf-8")
    zh, en = _both(["batch", str(source), "--jobs", "1"])
    assert zh.exit_code == en.exit_code == 1
    assert "批处理：2 行：已检查 1 份" in zh.stderr and "失败 1 份（第 2 行）" in zh.stderr and "1 个进程" in zh.stderr
    assert "batch: 2 lines: 1 checked" in en.stderr and "1 failed (line 2)" in en.stderr and "1 job" in en.stderr


def test_the_internal_error_line_reads_in_both_languages(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module, "_load_book", boom)
    for argv, expected in ((["provinces"], "内部错误：RuntimeError: boom（请报告此问题）"),
                           (["provinces", "--lang", "en"], "internal error: RuntimeError: boom (please report this)")):
        with pytest.raises(SystemExit) as stopped:
            cli_module.main(argv)
        assert stopped.value.code == cli_module.EXIT_INTERNAL
        assert expected in capsys.readouterr().err


@pytest.fixture
def client_of():
    from fastapi.testclient import TestClient

    from engine.service import create_app

    return lambda live, **options: TestClient(create_app(live, **options))


def test_the_service_refusals_read_in_both_languages(client_of):
    from engine.live import LiveRuleBook

    with client_of(LiveRuleBook(), allowed_hosts=["testserver"]) as client:
        zh, en = client.get("/v1/chek"), client.get("/v1/chek?lang=en")
        assert zh.status_code == en.status_code == 404
        assert zh.json()["error"]["problems"][0]["message"] == "没有这个路径：/v1/chek"
        assert en.json()["error"]["problems"][0]["message"] == "no such path: /v1/chek"
        assert zh.json()["error"]["suggestion"] == "/v1/check"
        zh, en = client.get("/v1/check"), client.get("/v1/check?lang=en")
        assert zh.status_code == en.status_code == 405
        assert zh.json()["error"]["problems"][0]["message"].startswith("/v1/check 不接受 GET 请求")
        assert en.json()["error"]["problems"][0]["message"].startswith("GET is not allowed on /v1/check")
        zh = client.post("/v1/check", json={}, headers={"host": "evil.example"})
        assert zh.status_code == 421 and "本服务不响应主机名“evil.example”" in zh.json()["error"]["message"]


def test_a_live_reload_refusal_reads_in_both_languages(tmp_path, client_of):
    from engine.live import LiveRuleBook

    packs = tmp_path / "packs"
    packs.mkdir()
    for name in ("national.yaml", "fujian.yaml"):
        shutil.copy(ROOT / "rulepacks" / name, packs / name)
    live = LiveRuleBook(packs)
    (packs / "fujian.yaml").unlink()
    assert live.reload() is False
    with client_of(live) as client:
        zh, en = client.get("/v1/packs").json(), client.get("/v1/packs?lang=en").json()
    assert zh["refused"][0]["reason"] == "removed"
    assert zh["refused"][0]["error"]["problems"][0]["message"].startswith("规则包文件已被删除")
    assert en["refused"][0]["error"]["problems"][0]["message"].startswith("the pack file was removed")
    assert zh["last_rejected"]["error"]["problems"][0]["code"] == "pack_removed"
    with client_of(live) as client:
        assert client.get("/v1/packs?lang=fr").status_code == 422


def test_the_summaries_read_in_both_languages(tmp_path):
    zh, en = _both(["validate", "guangdong"])
    assert zh.exit_code == en.exit_code == 0
    assert "通过：1 个规则包有效（广东规则包）" in zh.output and "ok: 1 pack valid (guangdong)" in en.output
    zh, en = _both(["lint", "national"])
    assert "\nlint：0 个错误，" in zh.output and "\nlint: 0 errors, " in en.output
    zh, en = _both(["test", "fujian", "--coverage"])
    assert zh.output.endswith(" 个通过，0 个失败\n") and en.output.endswith(" passed, 0 failed\n")
    assert "覆盖率：" in zh.output and "个条件结果" in zh.output and "coverage: " in en.output
    pack = tmp_path / "fujian.yaml"
    shutil.copy(ROOT / "rulepacks" / "fujian.yaml", pack)
    zh, en = _both(["fmt", "--check", str(pack)])
    assert "0 个文件需要重新格式化，1 个已符合格式" in zh.output
    assert "0 files would be reformatted, 1 already formatted" in en.output
    zh, en = _both(["schema", "--write", str(tmp_path)])
    assert zh.output.count("已写入 ") == 3 and en.output.count("unchanged ") == 3


def test_a_failing_pack_test_reads_in_both_languages(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text("tests:\n  - name: wrong footer\n    base: individual\n    application: {filing_province: fujian}\n"
                     "    expect: {footer: {number_kind: subject}, documents_exclude: [residence_permit]}\n",
                     encoding="utf-8")
    zh, en = _both(["test", "fujian", "--cases", str(cases)])
    assert zh.exit_code == en.exit_code == 1
    assert "footer.number_kind：期望 subject，实际 website" in zh.output
    assert "documents：期望不要求 residence_permit，但实际要求了（由 " in zh.output
    assert zh.output.endswith(" 个通过，1 个失败\n")
    assert "footer.number_kind: expected subject, actual website" in en.output
    assert "documents: expected residence_permit not to be required, but it is (required by " in en.output


def test_click_type_refusals_read_in_both_languages(tmp_path):
    """Ranges and paths are refused in the reader's language, from the error's data, not click's English."""
    a_file = tmp_path / "pack.yaml"
    a_file.write_text("x: 1\n", encoding="utf-8")
    cases = [
        (["serve", "--port", "99999"], "--port 的值无效：99999 不在 0 到 65535 之间",
         "invalid value for --port: 99999 is not between 0 and 65535"),
        (["serve", "--port", "abc"], "--port 的值无效：“abc”不是整数", "invalid value for --port: 'abc' is not a whole number"),
        (["batch", "x.jsonl", "--jobs", "0"], "--jobs/-j 的值无效：0 小于允许的最小值 1",
         "invalid value for --jobs/-j: 0 is less than 1, the smallest allowed"),
        (["test", "--fail-under", "abc"], "--fail-under 的值无效：“abc”不是数字",
         "invalid value for --fail-under: 'abc' is not a number"),
        (["serve", "--header-timeout", "0"], "--header-timeout 的值无效：0 小于允许的最小值 0.1",
         "invalid value for --header-timeout: 0 is less than 0.1, the smallest allowed"),
        (["validate", "--templates", str(tmp_path / "nosuch")], f"--templates 的值无效：“{tmp_path / 'nosuch'}”不存在",
         f"invalid value for --templates: '{tmp_path / 'nosuch'}' does not exist"),
        (["check", "x.yaml", "--packs", str(a_file)], f"--packs 的值无效：“{a_file}”是文件，不是目录",
         f"invalid value for --packs: '{a_file}' is a file, not a directory"),
        (["check", str(tmp_path)], f"APPLICATION 的值无效：“{tmp_path}”是目录，不是文件",
         f"invalid value for APPLICATION: '{tmp_path}' is a directory, not a file"),
    ]
    for args, chinese, english in cases:
        zh, en = _both(args)
        assert zh.exit_code == en.exit_code == 2, (args, zh.output)
        assert "错误: " + chinese in zh.output, zh.output
        assert "error: " + english in en.output, en.output
        assert "Error" not in zh.output and "is not in the range" not in zh.output
