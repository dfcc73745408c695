"""The HTML checklist in a real browser: headless Chromium prints it to PDF, without console errors,
and pdftotext finds every required document in the PDF. .ci/run installs chromium and poppler-utils."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-pdf-header-footer", "--enable-logging=stderr", "--v=0"]
# Chromium logs what a page writes to its console (and every CSP violation) as
# "[pid:tid:time:INFO:CONSOLE:LINE] "message", source: URL (LINE)" — or "CONSOLE(LINE)" in older builds.
CONSOLE = re.compile(r":CONSOLE(?::\d+|\(\d+\))\]\s*(.*)")


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    pdftotext = shutil.which("pdftotext")
    missing = [name for name, path in (("chromium", chromium), ("pdftotext (poppler-utils)", pdftotext)) if not path]
    if missing:
        pytest.skip(f"browser test not run: {' and '.join(missing)} not installed "
                    "(apt-get install chromium poppler-utils; .ci/run does this)")
    assert chromium and pdftotext
    return chromium, pdftotext


def _has_chinese_font() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    return bool(found.strip())


def print_to_pdf(chromium: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """Print ``page`` to ``pdf`` in a fresh profile; returns what the page wrote to its console."""
    proc = subprocess.run([chromium, *BROWSER_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert pdf.exists() and pdf.stat().st_size > 1000, proc.stderr[-2000:]
    return [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]


def pdf_text(pdftotext: str, pdf: Path) -> str:
    return subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def _squeeze(text: str) -> str:
    """Table cells wrap long names across lines, and pdftotext joins a word broken after a hyphen
    ("e-" + "commerce" -> "ecommerce"): compare without whitespace and hyphens."""
    return re.sub(r"[\s-]+", "", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_html_prints_to_a_pdf_with_every_required_document(book, tools, tmp_path, example, lang):
    chromium, pdftotext = tools
    if lang == "zh" and not _has_chinese_font():
        pytest.skip("Chinese checklist not printed: no font with Chinese glyphs installed "
                    "(apt-get install fonts-wqy-zenhei; .ci/run does this)")
    result = book.evaluate(example)
    page = tmp_path / "checklist.html"
    page.write_text(result.render(format="html", lang=lang), encoding="utf-8")
    pdf = tmp_path / "checklist.pdf"
    console = print_to_pdf(chromium, page, pdf, tmp_path / "profile")
    assert console == []
    text = _squeeze(pdf_text(pdftotext, pdf))
    names = [d["name"] for d in result.to_dict(lang)["required_documents"]]
    assert names
    for name in names:
        assert _squeeze(name) in text, name
    for finding in result.to_dict(lang)["findings"]:
        assert _squeeze(finding["message"]) in text
    assert "beian.miit.gov.cn" in text
    # Every printed page carries its number (the template's @page margin box, in the page's language).
    assert _squeeze("第 1 页" if lang == "zh" else "page 1") in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    if info:  # pdfinfo ships with pdftotext in poppler-utils
        assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info


def test_the_console_check_catches_errors_and_blocked_loads(tools, tmp_path):
    """The check above is only worth something if it sees problems: a page with a script error and
    a remote image (blocked by the checklist's own Content-Security-Policy) must be caught."""
    chromium, _ = tools
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'>"
                    "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; script-src 'unsafe-inline'\">"
                    "</head><body><p>x</p><script>console.error('checklist-broken')</script>"
                    "<img src='https://example.invalid/x.png'></body></html>", encoding="utf-8")
    console = print_to_pdf(chromium, page, tmp_path / "broken.pdf", tmp_path / "profile")
    assert any("checklist-broken" in line for line in console)
    assert any("example.invalid" in line for line in console)
