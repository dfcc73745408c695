"""``--report FILE.html`` on batch and diff: counts, names (never raw keys), failures, and charts that
headless Chromium really draws (printed to PDF, its text read back and its pixels counted)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import RuleBook, batch, provinces, report
from engine.cli import cli

from test_batch import example_lines  # tests/ is on sys.path (rootdir-relative imports)
from test_browser import _has_chinese_font, pdf_text, print_to_pdf

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def rows():
    lines = example_lines(30)
    lines[6] = "not json"
    return [json.loads(x) for x in batch.check_partition(lines, as_of="2024-10-08")]


def test_the_batch_report_counts_by_province_and_names_what_it_counts(book, rows):
    page = report.BatchReport(book)
    for row in rows:
        page.add(row)
    view = page.view()
    checked = [r for r in rows if "error" not in r]
    expected = Counter(provinces.BY_KEY[r["province"]["key"]].name for r in checked)
    assert {p["name"]: p["total"] for p in view["provinces"]} == dict(expected)
    blocking = sum(any(f["severity"] == "blocking" for f in r["findings"]) for r in checked)
    assert dict(view["totals"])["有阻断性问题"] == blocking and blocking > 0
    assert sum(p["blocking"] for p in view["provinces"]) == blocking
    assert view["failures"] == [(7, rows[6]["error"]["message"])]
    html = page.html()
    finding_ids = {f["id"] for r in checked for f in r["findings"] if f["severity"] == "blocking"}
    document_ids = {d["id"] for r in checked for d in r["required_documents"] if d["category"] == "supplementary"}
    assert finding_ids and document_ids
    for raw in finding_ids | document_ids | {r["province"]["key"] for r in checked}:
        assert raw not in html, f"raw key {raw} shown"
    for title, _ in view["top_findings"]:
        assert title in html
    assert "批量检查报告" in html and "<svg" in html and 'lang="zh-CN"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html


def test_the_report_reads_the_lines_a_batch_writes_in_english_on_request(book, rows):
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    page = report.BatchReport(book, lang="en")
    page.add_text(text[:1000])  # written in pieces, as a batch writes chunks
    page.add_text(text[1000:])
    english = page.html()
    assert page.lines == len(rows) and page.failed == 1
    assert "Batch check report" in english and "Guangdong" in english and "广东省" not in english
    assert english == report.batch_report(rows, book, lang="en")


def test_batch_report_on_the_cli_and_never_over_an_existing_file(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = example_lines(12)
    lines[3] = "{}"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = tmp_path / "report.html"
    result = run_cli("batch", source, "-o", tmp_path / "out.jsonl", "--report", page, "--jobs", "1", "--lang", "en")
    assert result.exit_code == 1, result.output
    html = page.read_text(encoding="utf-8")
    assert "Lines that could not be checked" in html and ">4<" in html
    page.write_text("mine", encoding="utf-8")
    result = run_cli("batch", source, "-o", tmp_path / "out2.jsonl", "--report", page, "--jobs", "1")
    assert result.exit_code == 2 and "--force" in result.output
    assert page.read_text(encoding="utf-8") == "mine" and not (tmp_path / "out2.jsonl").exists()


@pytest.fixture(scope="module")
def pack_change(tmp_path_factory):
    """The bundled packs and a copy where Guangdong asks units with many domains for nothing more."""
    new = tmp_path_factory.mktemp("diff") / "new"
    shutil.copytree(ROOT / "rulepacks", new)
    text = (new / "guangdong.yaml").read_text(encoding="utf-8")
    rule = "{fact: subject.domain_prefix_count, greater_than: 31}"
    assert rule in text
    (new / "guangdong.yaml").write_text(text.replace(rule, rule.replace("31", "500")), encoding="utf-8")
    return ROOT / "rulepacks", new


def test_the_diff_report_shows_which_checklists_change_and_how(pack_change, tmp_path):
    old, new = pack_change
    page = tmp_path / "diff.html"
    result = run_cli("diff", old, new, "--applications", ROOT / "examples", "--report", page)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    new_book = RuleBook.load(new)
    name = new_book.rulesets["guangdong"].documents["provider_guarantee_letter"].name["zh"]
    assert "规则包变更报告" in html and "GD-2024-0001" in html and "gd_guarantee_letter_unit" in html
    assert f"材料: {name}（对象：主办者 " in html and "provider_guarantee_letter" not in html
    assert "(for " not in html  # diff's English words, put in the report's language
    plan = new_book.rulesets["guangdong"].documents["website_construction_plan"].name["zh"]
    assert re.search(rf"− 材料: {plan}</text>\s*<rect [^>]*/>\s*<text [^>]*>2</text>", html), \
        "one bar for the plan, for both domains"
    assert html.count("<svg") == 2
    english = tmp_path / "diff-en.html"
    assert run_cli("diff", old, new, "--applications", ROOT / "examples", "--report", english, "--lang", "en").exit_code == 0
    assert "Rule pack change report" in english.read_text(encoding="utf-8")
    assert run_cli("diff", old, new, "--report", english).exit_code == 2  # exists: never replaced unasked


# --- in the browser -------------------------------------------------------------------------------

def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def colour_counts(pdf: Path, colours: list[str], tmp_path: Path) -> dict[str, int]:
    """Pixels of each colour (give or take anti-aliasing) on the PDF's pages, rendered by pdftoppm."""
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    counts = dict.fromkeys(colours, 0)
    for ppm in sorted(tmp_path.glob("page*.ppm")):
        data = ppm.read_bytes()
        match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
        assert match, ppm
        pixels = data[match.end():]
        for colour in colours:
            r, g, b = _hex(colour)
            counts[colour] += sum(1 for i in range(0, len(pixels) - 2, 3)
                                  if abs(pixels[i] - r) < 24 and abs(pixels[i + 1] - g) < 24 and abs(pixels[i + 2] - b) < 24)
    return counts


def assert_charts_show(page: Path, tmp_path: Path, labels: list[str], colours: list[str]) -> None:
    """Chromium prints ``page`` without a console message (no error, nothing blocked), the charts'
    labels are in the printed text and each chart colour covers more than a legend's swatch."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("browser test not run: chromium and poppler-utils not installed (.ci/run installs them)")
    pdf = tmp_path / "report.pdf"
    assert print_to_pdf(chromium, page, pdf, tmp_path / "profile") == []
    if _has_chinese_font() or not re.search(r"[\u4e00-\u9fff]", "".join(labels)):
        text = re.sub(r"\s+", "", pdf_text("pdftotext", pdf))
        for label in labels:
            assert re.sub(r"\s+", "", label) in text, label
    counts = colour_counts(pdf, colours, tmp_path)
    for colour, count in counts.items():
        assert count > 150, (colour, counts)


def test_the_batch_report_draws_its_charts_in_chromium(book, rows, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report.batch_report(rows, book, lang="en"), encoding="utf-8")
    view = report.BatchReport(book, lang="en")
    for row in rows:
        view.add(row)
    labels = [title for title, _ in view.view()["top_findings"]] + ["Guangdong"]
    assert_charts_show(page, tmp_path, labels, [report.BLOCKING_COLOUR, report.CLEAR_COLOUR, report.NEUTRAL_COLOUR])
