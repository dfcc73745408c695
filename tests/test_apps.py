"""Apps, mini programs and quick apps (apps[], SPEC §3) from input to checklist: the examples,
located input errors, the number each app shows, and checklists without website-only instructions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from engine import bundled, render
from engine.cli import cli
from engine.diff import diff
from engine.rulebook import RuleBook
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "shanghai-company-app.yaml"
MINI = ROOT / "examples" / "zhejiang-individual-mini-program.yaml"
FORMATS = ("md", "html", "text", "json")
LANGS = ("zh", "en")

# What a checklist tells a website and must never tell an app (labels and document names).
WEBSITE_ONLY = {
    "zh": ["底部", "每个页面", "网站开通", "网站负责人", "网站建设方案书", "网站备案号"],
    "en": ["bottom of every page", "the site is live", "site goes live", "Website manager", "Website construction plan",
           "website filing number"],
}


def _docs(result):
    return {d["id"]: d for d in result.to_dict()["required_documents"]}


def test_the_app_example_is_accepted_and_checked(book):
    result = book.evaluate(APP)
    docs = _docs(result)
    assert set(docs) == {"subject_certificate", "principal_certificate", "app_manager_certificate", "verification_form",
                         "app_icon", "authorization_letter", "handheld_id_photo", "commitment_letter"}
    assert docs["app_icon"]["for"] == [{"kind": "app", "ref": "云账小本"}]
    assert docs["app_manager_certificate"]["for"] == [{"kind": "person", "ref": "刘洋"}]
    assert docs["authorization_letter"]["for"] == [{"kind": "person", "ref": "刘洋"}]
    assert "website_manager_certificate" not in docs and "domain_certificate" not in docs
    assert not result.blocking and result.to_dict()["findings"] == []


def test_the_mini_program_example_has_no_package_or_domain_requirements(book):
    result = book.evaluate(MINI)
    docs = _docs(result)
    assert set(docs) == {"subject_certificate", "verification_form", "app_icon", "pre_approval"}
    assert docs["pre_approval"]["for"] == [{"kind": "category", "ref": "education"}]
    assert not result.blocking


def test_each_app_shows_its_own_number_with_the_letter_of_its_kind(book):
    footer = book.evaluate(APP).to_dict()["footer"]
    # the bureau assigns the ordinal N on approval; an app's number ends in A
    assert footer["apps"] == [{"app": "云账小本", "kind": "app", "number": None, "shown": "沪ICP备20241234号-NA",
                               "html": '<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">'
                                       "沪ICP备20241234号-NA</a>"}]
    assert "websites" not in footer
    mini = book.evaluate(MINI).to_dict()["footer"]
    assert [(a["kind"], a["number"], a["shown"]) for a in mini["apps"]] == [("mini_program", None, "浙ICP备XXXXXXXX号-NX")]


def test_a_quick_app_ends_in_k_and_the_checklist_says_what_to_replace(book):
    app = copy.deepcopy(load_file(APP).data)
    app["apps"].append({"name": "云账快记", "kind": "quick_app", "package": "com.yunzhang.quick"})
    footer = book.evaluate(app).to_dict()["footer"]
    assert [a["shown"] for a in footer["apps"]] == ["沪ICP备20241234号-NA", "沪ICP备20241234号-NK"]
    md = book.evaluate(app).render(format="md", lang="zh")
    assert render.LABELS["zh"]["placeholder_ordinal_app"] in md


@pytest.mark.parametrize("example", [APP, MINI], ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", LANGS)
def test_the_checklist_names_each_app_and_gives_no_website_only_instruction(book, example, lang):
    result = book.evaluate(example)
    data = load_file(example).data
    for fmt in FORMATS:
        out = result.render(format=fmt, lang=lang, width=200)
        if fmt == "json":
            jsonschema.validate(json.loads(out), bundled.schema("result"))
            continue
        for entry in data["apps"]:
            assert entry["name"] in out, (fmt, entry["name"])
            assert entry["package"] in out, (fmt, entry["package"])
        for phrase in WEBSITE_ONLY[lang]:
            assert phrase not in out, (fmt, phrase)
        assert render.LABELS[lang]["apps"] in out
        assert render.LABELS[lang]["days_after_launch_app"].format(n=30) in out  # public-security filing, for an app
        shown = result.footer.apps[0].shown
        assert shown in out
    md = result.render(format="md", lang=lang)
    platforms = [render.VALUE_NAMES["platform"][p][lang] for p in data["apps"][0].get("platforms") or []]
    assert all(name in md for name in platforms)


def test_app_and_platform_kinds_are_labels_not_keys(book):
    md = book.evaluate(APP).render(format="md", lang="zh")
    assert "安卓, iOS, 鸿蒙" in md and "harmony" not in md and "android" not in md
    assert "(App)" in md
    assert "(小程序)" in book.evaluate(MINI).render(format="md", lang="zh")


def test_an_app_managers_certificate_is_masked(book):
    number = str(load_file(APP).data["apps"][0]["manager"]["certificate"]["number"])
    for fmt in FORMATS:
        for lang in LANGS:
            out = book.evaluate(APP).render(format=fmt, lang=lang, width=200)
            assert number not in out
            if fmt != "json":
                assert render.mask(number) in out


def test_a_website_checklist_keeps_its_footer_and_wording(book):
    out = book.evaluate(ROOT / "examples" / "fujian-individual-cross-province.yaml").render(format="md", lang="zh")
    assert render.LABELS["zh"]["footer"] in out and render.LABELS["zh"]["days_after_launch"].format(n=30) in out
    assert render.LABELS["zh"]["apps"] not in out and render.LABELS["zh"]["app_number_title"] not in out


@pytest.mark.parametrize("field, value, words", [
    ("package", "com.yunzhang.2ledger", "Android package name"),
    ("signature_md5", "3F2A9C015B7ED48816C0AA52E9074D6", "32 hexadecimal digits"),
])
def test_a_malformed_package_or_md5_exits_2_naming_the_app(tmp_path, field, value, words):
    app = copy.deepcopy(load_file(APP).data)
    app["apps"].insert(0, {"name": "云账企业版", "platforms": ["ios"], "package": "com.yunzhang.pro"})
    app["apps"][1][field] = value
    path = tmp_path / "app.json"
    path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert f"$.apps[1].{field}" in result.stderr and words in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr
    chinese = CliRunner().invoke(cli, ["check", str(path)])  # Chinese by default
    assert chinese.exit_code == 2 and f"$.apps[1].{field}" in chinese.stderr
    assert ("安卓包名" if field == "package" else "签名 MD5") in chinese.stderr


def test_explain_speaks_of_each_app(book):
    app = copy.deepcopy(load_file(APP).data)
    app["apps"].append({"name": "云账HD", "platforms": ["android"], "package": "com.yunzhang.hd"})
    (rule,) = book.explain(app, rule="app_signature_missing").rules
    assert rule.status == "matched"
    assert [(i.ref, i.status) for i in rule.items] == [("云账小本", "not_matched"), ("云账HD", "matched")]
    assert "App 云账HD: 命中" in rule.text("zh") and "app 云账HD: matched" in rule.text("en")


def test_diff_lists_the_app_filings_an_app_rule_change_affects(tmp_path, book):
    new = tmp_path / "new"
    new.mkdir()
    for file in bundled.packs_dir().glob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        if file.name == "national.yaml":  # the signature becomes required of iOS versions too
            assert text.count("contains_any: [android, harmony]}") == 1
            text = text.replace("contains_any: [android, harmony]}", "contains_any: [android, harmony, ios]}")
        (new / file.name).write_text(text, encoding="utf-8")
    apps = tmp_path / "applications"
    apps.mkdir()
    ios_only = copy.deepcopy(load_file(APP).data)
    ios_only["application_id"] = "SH-APP-IOS"
    ios_only["apps"] = [{"name": "云账小本", "platforms": ["ios"], "package": "com.yunzhang.ledger"}]
    (apps / "ios.json").write_text(json.dumps(ios_only, ensure_ascii=False), encoding="utf-8")
    (apps / "mini.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    result = diff(book, RuleBook.load(new), [apps])
    assert [(r.pack, r.rule, r.change) for r in result.rules] == [("national", "app_signature_missing", "changed")]
    (changed,) = result.changed_applications
    assert changed.application_id == "SH-APP-IOS"
    assert any("app_details_missing" in what for _, what in changed.added)
