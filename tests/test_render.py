"""Checklists people read: four formats, two languages, masking, escaping, footer, timeline, templates."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from engine import bundled, render, timeline, translations
from engine.application import load as load_application
from engine.cli import cli
from engine.errors import TemplateError
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FORMATS = ("md", "html", "text", "json")
LANGS = ("zh", "en")


def _app(path: Path) -> dict:
    return copy.deepcopy(load_file(path).data)


def _certificate_numbers(data: dict) -> list[str]:
    """Every ID or certificate number an application carries."""
    people = [data.get("principal") or {}] + [w.get("manager") or {} for w in data.get("websites") or []]
    people += [a.get("manager") or {} for a in data.get("apps") or []]
    numbers = [str(data["subject"]["certificate"]["number"])]
    numbers += [str(p["certificate"]["number"]) for p in people if p.get("certificate")]
    return sorted(set(numbers))


class _Text(HTMLParser):
    """The text a browser shows, and the elements it builds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _html_text(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", LANGS)
def test_every_example_renders_in_every_format_with_every_document_name(book, example, lang):
    result = book.evaluate(example)
    names = [d["name"] for d in result.to_dict(lang)["required_documents"]]
    assert names
    for fmt in FORMATS:
        out = result.render(format=fmt, lang=lang, width=80)
        if fmt == "json":
            data = json.loads(out)
            jsonschema.validate(data, bundled.schema("result"))
            continue
        shown = _html_text(out).text if fmt == "html" else out
        for name in names:
            assert name in shown, (fmt, name)
        heading = render.LABELS[lang]["timeline"]
        assert heading in shown
        other = render.LABELS["en" if lang == "zh" else "zh"]["timeline"]
        assert other not in shown


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_full_id_number_appears_in_any_format_or_language(book, example):
    numbers = _certificate_numbers(_app(example))
    result = book.evaluate(example)
    for fmt in FORMATS:
        for lang in LANGS:
            out = result.render(format=fmt, lang=lang, width=200)
            for number in numbers:
                assert number not in out, (fmt, lang)
                if fmt != "json":  # the SPEC §5 result carries no ID numbers at all
                    assert render.mask(number) in out, (fmt, lang)


def test_no_mask_shows_the_numbers(book):
    example = ROOT / "examples" / "sichuan-trading-company.yaml"
    numbers = _certificate_numbers(_app(example))
    out = CliRunner().invoke(cli, ["check", str(example), "--no-mask"]).output
    assert all(number in out for number in numbers)
    result = book.evaluate(example)
    for fmt in ("html", "text"):
        out = result.render(format=fmt, masked=False, width=200)
        assert all(number in out for number in numbers), fmt


def test_mask_shows_at_most_a_third_of_any_number():
    assert render.mask("440106199203156782") == "440************782"
    assert render.mask("E12345678") == "E*******8"  # a passport showed E123*5678 before
    assert render.mask("H1234567890") == "H*********0"
    assert render.mask("12345") == "*****"
    for length in range(1, 40):
        shown = sum(ch != "*" for ch in render.mask("9" * length))
        assert 3 * shown <= length


HOSTILE = {"subject": "<script>alert(1)</script>", "site": "{{ 7*7 }}", "person": "**x** [y](javascript:z) &amp; `q`"}


@pytest.fixture
def hostile(book):
    data = _app(ROOT / "examples" / "fujian-individual-cross-province.yaml")
    data["subject"]["name"] = HOSTILE["subject"]
    data["principal"]["name"] = HOSTILE["person"]
    data["websites"][0]["name"] = HOSTILE["site"]
    data["subject"]["certificate"]["number"] = data["principal"]["certificate"]["number"]
    return book.evaluate(data)


@pytest.mark.parametrize("lang", LANGS)
def test_names_from_an_application_appear_literally_in_every_format(hostile, lang):
    html_page = hostile.render(format="html", lang=lang)
    parsed = _html_text(html_page)
    assert "script" not in parsed.tags
    for value in HOSTILE.values():
        assert value in parsed.text

    markdown = hostile.render(format="md", lang=lang)
    shown = _html_text(MarkdownIt("commonmark").render(markdown))
    assert "script" not in shown.tags and "a" not in shown.tags
    for value in HOSTILE.values():
        assert value in shown.text, value

    text = hostile.render(format="text", lang=lang, width=300)
    for value in HOSTILE.values():
        assert value in text

    data = json.loads(hostile.render(format="json", lang=lang))
    assert data["required_documents"][0]["for"][0]["ref"] == HOSTILE["subject"]
    # The footer snippet escapes the subject's name in the HTML it hands out.
    assert "&lt;script&gt;" in data["footer"]["html"] and "<script>" not in data["footer"]["html"]


def test_terminal_control_characters_never_reach_text_output(book):
    data = _app(ROOT / "examples" / "fujian-individual-cross-province.yaml")
    data["websites"][0]["name"] = "博客\x1b[31m红\x1b[0m"
    out = book.evaluate(data).render(format="text", lang="zh")
    assert "\x1b" not in out and "博客[31m红" in out


def test_blocking_problems_come_first_and_stand_out(book):
    result = book.evaluate(ROOT / "examples" / "sichuan-trading-company.yaml")
    page = result.render(format="html", lang="en")
    blocking = page.index('class="blocking"')
    assert blocking < page.index("Basic documents") and blocking < page.index("Supplementary documents")
    assert "Document too old" in page[blocking:page.index("Basic documents")]
    md = result.render(format="md", lang="zh")
    assert md.index("必须先解决的问题") < md.index("基本资料")
    text = result.render(format="text", lang="en", width=100)
    assert text.index("!! Blocking problems") < text.index("Basic documents")


def test_html_is_self_contained_and_printable_on_a4(book):
    page = book.evaluate(ROOT / "examples" / "guangdong-enterprise-many-domains.yaml").render(format="html")
    assert "@page { size: A4" in page
    assert "default-src 'none'" in page
    # The only address on the page is the MIIT link the footer must point to.
    assert set(re.findall(r"https?://[A-Za-z0-9./_-]*", page)) == {"https://beian.miit.gov.cn/"}
    parsed = _html_text(page)
    assert not {"script", "link", "img", "iframe"} & set(parsed.tags)
    assert parsed.tags.count("span") >= 7  # a checkbox per document
    assert page.count('role="checkbox"') == len(book.evaluate(
        ROOT / "examples" / "guangdong-enterprise-many-domains.yaml").required_documents)


def test_pre_approval_shows_category_names_not_ids(book, enterprise):
    enterprise["websites"][0]["content_categories"] = ["news", "medical"]
    result = book.evaluate(enterprise)
    for lang, names in (("zh", ("新闻", "医疗保健")), ("en", ("News", "Medical and health care"))):
        view = render.view(result, lang)
        group = next(g for g in view["groups"] if g["id"] == "pre_approval")
        assert sorted(t["name"] for d in group["documents"] for t in d["for"]) == sorted(names)
        assert all(t["kind_name"] == render.LABELS[lang]["kind_category"] for d in group["documents"] for t in d["for"])
        for fmt in ("md", "html", "text"):
            out = result.render(format=fmt, lang=lang, width=200)
            section = out[out.index(render.LABELS[lang]["pre_approval"]):]
            for name in names:
                assert name in section


def test_view_resolves_names_for_templates(book):
    result = book.evaluate(ROOT / "examples" / "sichuan-trading-company.yaml")
    view = render.view(result, "en")
    docs = {d["id"]: d for g in view["groups"] for d in g["documents"]}
    assert docs["employment_proof"]["limits"] == ["issued at most 45 days before submission"]
    assert docs["subject_certificate"]["limits"] == ["valid for at least 3 more months"]
    assert view["blocking"][0]["title"] == "Document too old"
    assert view["blocking"][0]["ref_name"] == docs["employment_proof"]["name"]
    assert view["applicant"]["subject"]["type_name"] == "Enterprise"
    assert view["applicant"]["principal"]["certificate"]["number"] == "510************230"


# --- footer -------------------------------------------------------------------------------------

def _footer(book, data):
    return book.evaluate(data).to_dict("zh")["footer"]


def test_guangdong_footer_shows_the_subject_number(book):
    footer = _footer(book, ROOT / "examples" / "guangdong-enterprise-many-domains.yaml")
    assert footer["number_kind"] == "subject" and footer["number"] == "粤ICP备12345678号"
    assert ">粤ICP备12345678号</a>" in footer["html"] and "websites" not in footer


def test_website_numbers_are_never_predicted(book, enterprise):
    """The bureau assigns a website's number on approval: the footer never shows a guessed "-3" as the
    number to display (issue 14), only the subject number with the placeholder N."""
    enterprise["filing_province"] = "fujian"
    enterprise["filing_type"] = "new_website"
    enterprise["subject"]["existing"] = {"subject_number": "闽ICP备2024000001号", "filed_services": 2}
    enterprise["websites"] = [{"name": "甲站", "domains": ["a-example.com"]}, {"name": "乙站", "domains": ["b-example.com"]}]
    enterprise["domains"] = [dict(enterprise["domains"][0], name=d) for d in ("a-example.com", "b-example.com")]
    footer = _footer(book, enterprise)
    assert footer["number"] is None
    assert [(w["website"], w["number"]) for w in footer["websites"]] == [("甲站", None), ("乙站", None)]
    assert ">闽ICP备2024000001号-N</a>" in footer["websites"][1]["html"]
    assert footer["copyright_required"] and "版权所有" in footer["html"]
    md = book.evaluate(enterprise).render(format="md", lang="en")
    assert "号-3" not in md and "号-4" not in md and render.LABELS["en"]["placeholder_ordinal"] in md


def test_a_website_number_given_as_subject_number_is_cut_back(book, enterprise):
    enterprise["filing_province"] = "sichuan"
    enterprise["filing_type"] = "new_website"
    enterprise["subject"]["existing"] = {"subject_number": "川ICP备2024000009号-2", "filed_services": 2}
    footer = _footer(book, enterprise)
    assert footer["number"] is None and ">川ICP备2024000009号-N</a>" in footer["html"]


def test_unknown_parts_of_the_number_are_placeholders_and_said_so(book, enterprise):
    enterprise["filing_province"] = "sichuan"
    enterprise["filing_type"] = "new_website"
    enterprise["subject"]["existing"] = {"subject_number": "川ICP备2024000009号"}
    result = book.evaluate(enterprise)
    footer = result.to_dict()["footer"]
    assert footer["number"] is None and ">川ICP备2024000009号-N</a>" in footer["html"]
    assert render.LABELS["en"]["placeholder_ordinal"] in result.render(format="md", lang="en")
    enterprise["subject"]["existing"] = {}
    enterprise["filing_type"] = "first_filing"
    result = book.evaluate(enterprise)
    assert ">川ICP备XXXXXXXX号-N</a>" in result.to_dict()["footer"]["html"]
    md = result.render(format="md", lang="zh")
    assert render.LABELS["zh"]["placeholder_subject"] in md and render.LABELS["zh"]["placeholder_ordinal"] in md


# --- timeline -----------------------------------------------------------------------------------

def test_working_days_skip_national_day_and_count_the_adjusted_weekend(book, enterprise):
    # 2024: 29 Sep (Sunday) is a working day; 1–7 Oct are holidays.
    enterprise["submitted_on"] = "2024-09-27"
    data = book.evaluate(enterprise).to_dict()["timeline"]
    assert data["calendar"] == "official"
    assert data["steps"][0]["by"] == "2024-10-08"  # 29 Sep, 30 Sep, 8 Oct
    assert timeline.add_working_days(dt.date(2024, 9, 27), 3)[0] == dt.date(2024, 10, 8)


def test_bureau_review_is_30_working_days_in_guangdong_and_zhejiang_and_20_elsewhere(book, enterprise):
    shown = {}
    for province in ("guangdong", "zhejiang", "fujian"):
        enterprise["filing_province"] = province
        shown[province] = render.view(book.evaluate(enterprise), "en")["timeline"]["steps"][2]["duration"]
    assert shown == {"guangdong": "up to 30 working days", "zhejiang": "up to 30 working days",
                     "fujian": "up to 20 working days"}


def test_beyond_the_known_calendar_weekdays_are_used_and_the_checklist_says_so(book, enterprise):
    year = max(2031, timeline.CALENDAR_KNOWN_UNTIL + 2)
    enterprise["submitted_on"] = f"{year}-03-03"
    for doc in enterprise["domains"]:
        doc["expires_on"] = f"{year + 2}-01-01"
    result = book.evaluate(enterprise)
    data = result.to_dict()["timeline"]
    assert data["calendar"] == "weekdays_only"
    day, left = dt.date(year, 3, 3), 3
    while left:
        day += dt.timedelta(days=1)
        left -= day.weekday() < 5
    assert data["steps"][0]["by"] == day.isoformat()
    for lang in LANGS:
        note = render.LABELS[lang]["calendar_note"].format(year=timeline.CALENDAR_KNOWN_UNTIL)
        for fmt in ("md", "html", "text"):
            out = result.render(format=fmt, lang=lang, width=1000)
            assert note in (_html_text(out).text if fmt == "html" else out), (fmt, lang)
    enterprise["submitted_on"] = "2024-10-08"
    official = book.evaluate(enterprise).render(format="md", lang="en")
    assert render.LABELS["en"]["calendar_note"].format(year=timeline.CALENDAR_KNOWN_UNTIL) not in official


# --- text ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [40, 72])
def test_text_is_wrapped_to_the_width_and_has_no_markup(book, width):
    example = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    out = book.evaluate(example).render(format="text", lang="zh", width=width)
    lines = out.splitlines()
    for number in _certificate_numbers(_app(example)):  # masked numbers are not markup
        out = out.replace(render.mask(number), "")
    assert max(render.display_width(line) for line in lines) <= width
    assert max(render.display_width(line) for line in lines) > width - 6
    assert not any(line.startswith("#") for line in lines)
    assert "**" not in out and "<table" not in out and "[ ] " in out


def test_text_width_defaults_to_the_terminal(book, monkeypatch):
    import shutil  # render imports it when it wraps text

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((50, 20)))
    out = book.evaluate(ROOT / "examples" / "sichuan-trading-company.yaml").render(format="text", lang="en")
    assert max(render.display_width(line) for line in out.splitlines()) <= 50


def test_wrap_continues_under_the_bullet():
    wrapped = render.wrap("  - " + "词" * 30, 20).splitlines()
    assert wrapped[0] == "  - " + "词" * 8 and all(line.startswith("    词") for line in wrapped[1:])


# --- templates ----------------------------------------------------------------------------------

@pytest.fixture
def fujian(book):
    return book.evaluate(ROOT / "examples" / "fujian-individual-cross-province.yaml")


def test_templates_directory_overrides_a_template_and_adds_labels(fujian, tmp_path):
    (tmp_path / "checklist.md.j2").write_text("{{ L.brand }}: {{ applicant.subject.name }}\n", encoding="utf-8")
    (tmp_path / "labels.yaml").write_text("zh: {brand: 某某合规部}\nen: {brand: Acme Compliance}\n", encoding="utf-8")
    assert fujian.render(format="md", lang="en", templates=tmp_path) == "Acme Compliance: 王芳\n"
    assert fujian.render(format="md", lang="zh", templates=tmp_path) == "某某合规部: 王芳\n"
    # Formats the directory does not override still use the bundled templates.
    assert "<!DOCTYPE html>" in fujian.render(format="html", templates=tmp_path)
    assert translations.template_problems(tmp_path) == []


@pytest.mark.parametrize(("source", "line", "words"), [
    ("ok\n{% for x in %}\n", 2, "Expected an expression"),
    ("ok\n\n{{ L.titel }}\n", 3, "titel"),
    ("{{ 1 / 0 }}\n", 1, "division by zero"),
    ("ok\n{{ r.__class__.__mro__ }}\n", 2, "unsafe"),
])
def test_template_errors_name_the_file_and_line(fujian, tmp_path, source, line, words):
    template = tmp_path / "checklist.md.j2"
    template.write_text(source, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        fujian.render(format="md", templates=tmp_path)
    assert Path(caught.value.file).resolve() == template.resolve() and caught.value.line == line
    assert words in str(caught.value)


def test_a_template_error_exits_2_naming_file_and_line(tmp_path):
    template = tmp_path / "checklist.text.j2"
    template.write_text("ok\n{{ L.nope }}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(ROOT / "examples" / "fujian-individual-cross-province.yaml"),
                                      "--format", "text", "--templates", str(tmp_path)])
    assert result.exit_code == 2 and f"{template}:2" in result.output and "nope" in result.output
    assert "Traceback" not in result.output


def test_unknown_format_and_language_are_input_errors(fujian):
    with pytest.raises(Exception, match="unknown format 'pdf'"):
        fujian.render(format="pdf")
    with pytest.raises(Exception, match="unknown language 'fr'"):
        fujian.render(lang="fr")


# --- missing translations are found by validate, not at render time ----------------------------

def test_bundled_labels_templates_and_packs_are_fully_translated(book):
    assert translations.problems(book.rulesets.values()) == []


def test_a_label_missing_in_one_language_is_reported(monkeypatch):
    labels = {lang: dict(render.LABELS[lang]) for lang in LANGS}
    del labels["en"]["why"]
    monkeypatch.setattr(render, "LABELS", labels)
    messages = [p.message for p in translations.template_problems()]
    assert "label 'why' exists in zh but has no en text" in messages
    assert any("template uses label 'why', which has no en text" in m for m in messages)


def test_an_application_value_without_a_name_is_reported(monkeypatch):
    names = copy.deepcopy(render.VALUE_NAMES)
    del names["service_type"]["quick_app"]["en"]
    monkeypatch.setattr(render, "VALUE_NAMES", names)
    assert [p.message for p in translations.value_name_problems()] == ["service type 'quick_app' has no en name"]


def _packs_copy(tmp_path: Path, edit) -> Path:
    packs = tmp_path / "packs"
    packs.mkdir()
    for file in bundled.packs_dir().glob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        (packs / file.name).write_text(edit(file.name, text), encoding="utf-8")
    return packs


def test_validate_reports_an_engine_finding_without_a_name(tmp_path):
    packs = _packs_copy(tmp_path, lambda name, text: re.sub(r"\n  document_too_old: .*", "", text))
    result = CliRunner().invoke(cli, ["validate", "--packs", str(packs), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{packs / 'national.yaml'}:" in result.output and "finding 'document_too_old'" in result.output


def test_validate_warns_about_english_that_copies_the_chinese(tmp_path):
    packs = _packs_copy(tmp_path, lambda name, text: text.replace("en: Letter of commitment", "en: 承诺书"))
    result = CliRunner().invoke(cli, ["validate", "--packs", str(packs), "--lang", "en"])
    assert result.exit_code == 0
    assert "warning:" in result.output and "$.documents.commitment_letter.name.en" in result.output


def test_validate_checks_a_templates_directory(tmp_path):
    (tmp_path / "checklist.html.j2").write_text("<p>{{ L.brand }}</p>\n", encoding="utf-8")
    (tmp_path / "labels.yaml").write_text("zh: {brand: 某某合规部}\nen: {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--templates", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'labels.yaml'}:1:" in result.output and "label 'brand' has no en text" in result.output
    result = CliRunner().invoke(cli, ["validate", "--templates", str(tmp_path)])  # Chinese by default
    assert result.exit_code == 1 and "标签“brand”没有英文（en）文本" in result.output
    assert f"{tmp_path / 'checklist.html.j2'}:1" in result.output


def test_cli_offers_every_format(tmp_path):
    example = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    for fmt in ("html", "text"):  # md and json: tests/test_cli.py
        target = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(cli, ["check", str(example), "--format", fmt, "--lang", "en", "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "Website construction plan" in target.read_text(encoding="utf-8")


def test_the_application_loader_is_untouched_by_rendering(book):
    path = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    app = load_application(path)
    before = copy.deepcopy(app.data)
    book.evaluate(app).render(format="html")
    assert app.data == before


@pytest.mark.parametrize("base", ["individual", "enterprise"])
def test_every_province_renders_in_every_format_and_language(book, base, _fixtures):
    """Each province's pack (or the national one) yields a checklist with its own footer and timeline."""
    from engine.provinces import PROVINCES

    for province in PROVINCES:
        data = copy.deepcopy(_fixtures[base])
        data["filing_province"] = province.key
        result = book.evaluate(data)
        words = render.view(result, "en")
        assert words["applicant"]["province"]["name"] == province.english
        for lang in LANGS:
            for fmt in ("md", "html", "text"):
                out = result.render(format=fmt, lang=lang, width=100)
                assert render.LABELS[lang]["footer"] in out, (province.key, fmt, lang)
                shown = _html_text(out).text if fmt == "html" else out
                for doc in result.to_dict(lang)["required_documents"]:
                    assert doc["name"] in shown, (province.key, fmt, lang, doc["id"])
