"""Messages in the reader's language (Chinese by default, English on request) from one catalogue,
and hints for the mistakes people make most."""

from __future__ import annotations

import copy
import json
import string
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import application, messages
from engine.batch import check_partition
from engine.cli import cli
from engine.errors import ApplicationError, IcpRulesError, Problem, error_to_dict, problem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "fujian-individual-cross-province.yaml"


def example() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for person in (data["subject"], data["principal"]):  # YAML reads the unquoted ID numbers as numbers
        person["certificate"]["number"] = str(person["certificate"]["number"])
    return data


def _fields(template: str) -> set[tuple[str, str]]:
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("message_id", sorted(messages.MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(message_id):
    entry = messages.MESSAGES[message_id]
    assert set(entry) == set(messages.LANGS)
    assert entry["zh"].strip() and entry["en"].strip()
    assert _fields(entry["zh"]) == _fields(entry["en"])


def test_a_problem_keeps_its_english_message_and_reads_in_chinese():
    found = problem("unknown_field", name="submited_on", path="$.submited_on", suggestion="submitted_on")
    assert found.message == "unknown field 'submited_on'"
    assert found.text("zh") == "未知字段“submited_on”"
    assert found.format("zh").endswith("未知字段“submited_on”（是否想写“submitted_on”？）")
    assert found.format("en").endswith("unknown field 'submited_on' (did you mean 'submitted_on'?)")
    error = ApplicationError([found])
    assert str(error) == found.format("en")  # callers reading the text keep the English they had
    assert error_to_dict(error, "zh")["problems"][0] == {"message": "未知字段“submited_on”", "path": "$.submited_on",
                                                         "suggestion": "submitted_on", "code": "unknown_field"}
    # A bare message (not yet in the catalogue) reads the same in both languages.
    assert Problem("plain").text("zh") == "plain"


def test_a_long_value_is_shown_by_its_start_and_length_in_both_languages():
    found = problem("unknown_field", name="x" * 5000)
    for lang, note in (("zh", "（共 5000 个字符）"), ("en", " (5000 characters)")):
        assert note in found.text(lang) and len(found.text(lang)) < 200
    assert "characters" not in found.text("zh")
    assert len(found.message) < 200  # the English text kept on the problem is shortened too


def test_type_words_are_translated():
    found = problem("wrong_type", expected=["string", "integer"], found="array")
    assert found.text("en") == "expected text or a whole number, found a list"
    assert found.text("zh") == "应为文本或整数，实为列表"


def _problems(data: dict) -> list[Problem]:
    with pytest.raises(ApplicationError) as caught:
        application.load(data)
    return caught.value.problems


def _only(data: dict, path: str) -> Problem:
    found = [p for p in _problems(data) if p.path == path]
    assert len(found) == 1, [p.format() for p in _problems(data)]
    return found[0]


@pytest.mark.parametrize("word", ["长期", "长期有效"])
def test_long_term_as_an_expiry_date_says_to_leave_the_field_out(word):
    data = example()
    data["subject"]["certificate"]["expires_on"] = word
    found = _only(data, "$.subject.certificate.expires_on")
    assert found.id == "date_forever"
    assert "不要填写此字段" in found.text("zh") and "leave this field out" in found.text("en")


def test_a_tab_in_yaml_indentation_is_named(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("  name: 王芳\n  identity", "\tname: 王芳\n  identity", 1)
    assert "\t" in text
    path = tmp_path / "tab.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IcpRulesError) as caught:
        application.load(path)
    found = caught.value.first
    assert found.id == "yaml_tab" and found.line == 11
    assert "制表符" in found.text("zh") and "tab" in found.text("en")


@pytest.mark.parametrize(("written", "message_id", "column"), [
    ("  name：王芳\n", "yaml_fullwidth_colon", 7), ("  name:王芳\n", "yaml_colon_space", 7),
    ("  name ：王芳\n", "yaml_fullwidth_colon", 8)])
def test_a_key_with_a_full_width_colon_or_no_space_after_its_colon_is_named(tmp_path, written, message_id, column):
    """YAML reads `name：王芳` (as an input method types it) and `name:王芳` as text, not as a key:
    the message says which, at the colon, in both languages, and `icp-rules check` exits 2."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("  name: 王芳\n", written, 1)
    path = tmp_path / "colon.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IcpRulesError) as caught:
        application.load(path)
    found = caught.value.first
    line = text.splitlines().index(written.rstrip("\n")) + 1
    assert (found.id, found.line, found.column, dict(found.args)["key"]) == (message_id, line, column, "name")
    assert "冒号" in found.text("zh") and "colon" in found.text("en")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and f"colon.yaml:{line}:{column}" in result.output and "冒号" in result.output


def test_a_web_address_in_a_list_near_a_yaml_mistake_is_not_taken_for_a_key(tmp_path):
    path = tmp_path / "url.yaml"
    path.write_text("websites:\n  - https://example.cn\n   x: [\n", encoding="utf-8")
    with pytest.raises(IcpRulesError) as caught:
        application.load(path)
    assert caught.value.first.id == "invalid_yaml"
    assert "请检查" in caught.value.first.text("zh"), "the reader's language says what to look at"


def test_fmt_names_a_full_width_colon_too(tmp_path):
    from engine.fmt import format_text

    with pytest.raises(IcpRulesError) as caught:
        format_text("pack: fujian\nversion：'1'\n", "fujian.yaml")
    assert (caught.value.first.id, caught.value.first.line, caught.value.first.column) == ("yaml_fullwidth_colon", 2, 8)


@pytest.mark.parametrize("domains", [["wangfang-photo.cn，wangfang.cn"], ["wangfang-photo。cn"], ["wangfang-photo.cn、a.cn"]])
def test_full_width_punctuation_between_domains_is_named(domains):
    data = example()
    data["websites"][0]["domains"] = domains
    found = _only(data, "$.websites[0].domains[0]")
    assert found.id == "domain_fullwidth"
    assert dict(found.args)["char"] in domains[0]
    assert "全角" in found.text("zh")


def test_a_web_address_for_a_domain_says_which_domain():
    data = example()
    data["websites"][0]["domains"] = ["https://wangfang-photo.cn/index.html"]
    found = _only(data, "$.websites[0].domains[0]")
    assert found.id == "domain_scheme" and dict(found.args)["meant"] == "wangfang-photo.cn"
    assert "“wangfang-photo.cn”" in found.text("zh")


@pytest.mark.parametrize("written", ["https://wangfang-photo.cn，wangfang.cn", "http://wangfang-photo.cn、wangfang.cn/"])
def test_a_web_address_with_full_width_punctuation_does_not_suggest_text_that_is_still_no_domain(written):
    data = example()
    data["websites"][0]["domains"] = [written]
    found = _only(data, "$.websites[0].domains[0]")
    assert found.id == "domain_scheme_fullwidth" and dict(found.args)["char"] in written
    assert "https://" in found.text("zh") and "全角" in found.text("zh") and "ASCII" in found.text("en")


def test_an_invalid_international_domain_does_not_show_idna_internals():
    data = example()
    data["websites"][0]["domains"] = ["a\u200db.cn"]  # a zero-width joiner, which IDNA refuses here
    found = _only(data, "$.websites[0].domains[0]")
    assert found.id == "domain_idna"


@pytest.mark.parametrize(("where", "value", "meant"), [
    (("subject", "type"), "company", "enterprise"),
    (("subject", "type"), "企业", "enterprise"),
    (("subject", "type"), "个人", "individual"),
    (("principal", "certificate", "type"), "身份证", "id_card"),
    (("websites", 0, "content_categories", 0), "教育", "education"),
    (("websites", 0, "content_categories", 0), "Finance", "finance"),
    # a company is an enterprise as a subject, an organisation as a domain's registrant
    (("domains", 0, "registrant_type"), "company", "organization"),
    (("domains", 0, "registrant_type"), "企业", "organization"),
    (("domains", 0, "registrant_type"), "公司", "organization"),
    (("subject", "type"), "公司", "enterprise"),
])
def test_synonyms_of_enum_values_name_the_value_meant(where, value, meant):
    data = example()
    data["websites"][0]["content_categories"] = ["news"]
    target = data
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    path = "$." + ".".join(str(p) for p in where)
    path = path.replace(".0", "[0]")
    found = _only(data, path)
    assert found.id in ("not_one_of", "not_snake_case") and found.suggestion == meant
    assert f"（是否想写“{meant}”？）" in found.format("zh") and f"(did you mean '{meant}'?)" in found.format("en")


def test_the_cli_speaks_chinese_by_default_and_english_on_request(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("residence:", "residnce:")
    path = tmp_path / "app.yaml"
    path.write_text(text, encoding="utf-8")
    runner = CliRunner()
    zh = runner.invoke(cli, ["check", str(path)])
    en = runner.invoke(cli, ["check", str(path), "--lang", "en"])
    assert zh.exit_code == en.exit_code == 2
    assert f"错误: {path}:9:3  $.subject.residnce  未知字段“residnce”（是否想写“residence”？）" in zh.stderr
    assert f"error: {path}:9:3  $.subject.residnce  unknown field 'residnce' (did you mean 'residence'?)" in en.stderr


def test_the_service_answers_in_the_requested_language():
    from fastapi.testclient import TestClient

    from engine.live import LiveRuleBook
    from engine.service import create_app

    data = json.loads(json.dumps(example(), default=str))
    data["subject"]["nmae"] = data["subject"].pop("name")
    with TestClient(create_app(LiveRuleBook())) as client:
        zh = client.post("/v1/check", json=data).json()["error"]
        en = client.post("/v1/check?lang=en", json=data).json()["error"]
    unknown = [p for p in zh["problems"] if p["code"] == "unknown_field"]
    assert unknown and unknown[0]["message"] == "未知字段“nmae”"
    assert "unknown field 'nmae'" in [p["message"] for p in en["problems"]]
    del data["principal"]["identity"], data["principal"]["name"]
    with TestClient(create_app(LiveRuleBook())) as client:
        zh = client.post("/v1/check", json=data).json()["error"]
    missing = sorted(p["message"] for p in zh["problems"] if p["code"] == "missing_field")
    assert missing == ["缺少必填字段“identity”", "缺少必填字段“name”"]  # each missing field named once


def test_batch_error_lines_follow_lang():
    data = json.loads(json.dumps(example(), default=str))
    data["filing_province"] = "fujain"
    line = json.dumps(data, ensure_ascii=False)
    zh = json.loads(next(iter(check_partition([line], lang="zh"))))
    en = json.loads(next(iter(check_partition([line], lang="en"))))
    assert zh["error"]["problems"][0]["message"] == "未知省份“fujain”"
    assert en["error"]["problems"][0]["message"] == "unknown province 'fujain'"


def test_a_template_left_empty_says_fill_it_in():
    data = copy.deepcopy(example())
    data["subject"]["name"] = None
    found = _only(data, "$.subject.name")
    assert found.id == "fill_in" and "请填写" in found.text("zh")


def test_a_failing_case_run_in_another_pack_names_both_packs_by_their_names():
    from engine.messages import text

    shown = text("case_other_pack", "zh", {"used": "guangdong", "pack": "fujian"})
    assert "广东规则包" in shown and "福建规则包" in shown and "guangdong" not in shown


@pytest.mark.parametrize(("written", "meant"), [("是", "true"), (" 否 ", "false"), ("Yes", "true"), ("true", "true"), ("no", "false")])
def test_a_word_for_true_or_false_suggests_the_value(written, meant):
    data = example()
    data["domains"][0]["real_name_verified"] = written
    found = _only(data, "$.domains[0].real_name_verified")
    assert (found.id, found.suggestion) == ("wrong_type", meant)
    assert f"“{meant}”" in found.format("zh") and f"'{meant}'" in found.format("en")


def test_text_that_is_not_a_word_for_true_or_false_suggests_nothing():
    data = example()
    data["domains"][0]["real_name_verified"] = "已提交"
    assert _only(data, "$.domains[0].real_name_verified").suggestion is None


@pytest.mark.parametrize(("message_id", "args"), [
    ("validate_ok", {"count": ("n_pack", (("count", 2),)), "packs": ["guangdong", "national"]}),
    ("lint_pack_review_due", {"pack": "guangdong", "date": "2026-01-01"}),
    ("durable_refused", {"pack": "guangdong", "detail": "x"}),
])
def test_packs_are_named_not_keyed_in_chinese(message_id, args):
    from engine import messages

    zh = messages.text(message_id, "zh", args)
    assert "广东规则包" in zh and "guangdong" not in zh
    assert "guangdong" in messages.text(message_id, "en", args)  # the file name an English reader looks for
