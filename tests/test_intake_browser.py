"""The intake page (GET /) in a real browser: Debian's headless Chromium driven through its
chromedriver by Selenium (selenium-manager never runs: the driver's path is given). A clerk fills
in the form for each example, submits it, and gets the checklist `icp-rules check` prints; a
mistake shows the CLI's message at the field; nothing loads from another host."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import provinces
from engine.text import mask_numbers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
EXE = Path(sys.executable).with_name("icp-rules")

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromium-driver are not installed (.ci/run installs them)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    """The real service (uvicorn) on a free local port, for the module's tests."""
    import uvicorn

    from engine.live import LiveRuleBook
    from engine.service import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(LiveRuleBook()), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(300):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "the service did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def _open(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")


def _settle(browser) -> None:
    """Wait until the page's last check has answered: no edit waiting for its check (350 ms after
    it) and no request unanswered, as the page says on its body (data-checking)."""
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return !document.body.hasAttribute('data-checking')"))


def _field(browser, path: str):
    return browser.find_element(By.CSS_SELECTOR, f'[data-path="{path}"]')


def _control(browser, path: str):
    return _field(browser, path).find_element(By.CSS_SELECTOR, "input,select,textarea")


def _leaves(value: Any, path: str):
    """(path, value) of every answer a person types or picks, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _lists_of_blocks(value: Any, path: str):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _lists_of_blocks(item, f"{path}.{key}")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield path, len(value)
        for index, item in enumerate(value):
            yield from _lists_of_blocks(item, f"{path}[{index}]")


def fill(browser, data: dict[str, Any]) -> None:
    """Fill the form as a clerk would: add the blocks, open the folded groups, type and pick."""
    for path, count in _lists_of_blocks(data, "$"):
        for _ in range(count):
            button = browser.find_element(By.CSS_SELECTOR, f'button[data-add="{path}"]')
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
    for path, value in _leaves(data, "$"):
        field = _field(browser, path)
        browser.execute_script("let d = arguments[0].closest('details'); if (d) d.open = true;", field)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
        boxes = field.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
        if boxes:
            for box in boxes:
                if box.get_attribute("value") in value:
                    box.click()
            continue
        control = field.find_element(By.CSS_SELECTOR, "input,select,textarea")
        if path == "$.filing_province":  # the clerk picks 广东省 from the list, whatever the file spelt
            Select(control).select_by_value(provinces.resolve(value).key)
        elif control.tag_name == "select":
            choice = "true" if value is True else "false" if value is False else str(value)
            Select(control).select_by_value(choice)
        elif isinstance(value, list):
            control.send_keys("\n".join(str(v) for v in value))
        else:
            control.send_keys(value.isoformat() if isinstance(value, dt.date) else str(value))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120)


def _blob(browser, link_id: str) -> str:
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(document.getElementById(arguments[0]).href).then(r => r.text()).then(done);""", link_id)


def _other_hosts(browser, base: str) -> list[str]:
    """Every URL the browser requested that is not the service itself (data: and blob: aside)."""
    seen = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            # the network only: chrome:// pages are the browser's own (its print preview, new tab)
            if url.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp") and not url.startswith(base):
                seen.append(url)
    return seen


def _console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_clerk_fills_in_an_example_and_gets_the_same_checklist_as_the_cli(browser, server, example, tmp_path):
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    browser.get_log("performance")
    _open(browser, server + "/")
    fill(browser, data)
    _settle(browser)
    submit = browser.find_element(By.ID, "submit")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "result").is_displayed())
    shown = browser.find_element(By.ID, "checklist").get_attribute("srcdoc")
    expected = _cli("check", str(example), "--format", "html")
    assert expected.returncode in (0, 1), expected.stderr
    assert shown == expected.stdout  # the very checklist the CLI prints, in Chinese
    # The application the page offers for download gives the same checklist through the CLI.
    app_yaml = tmp_path / "application.yaml"
    app_yaml.write_text(_blob(browser, "dl-yaml"), encoding="utf-8")
    again = _cli("check", str(app_yaml))
    assert again.stdout == _blob(browser, "dl-md") == _cli("check", str(example)).stdout
    assert json.loads(_blob(browser, "dl-json")) == json.loads(_cli("check", str(example), "--format", "json").stdout)
    assert json.loads(_blob(browser, "dl-app-json")) == yaml.safe_load(app_yaml.read_text(encoding="utf-8"))
    assert _other_hosts(browser, server) == []
    assert _console_errors(browser) == []


def test_a_mistake_shows_the_cli_message_at_the_field_in_the_page_language(browser, server, tmp_path):
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    for lang, needle in (("zh", "身份证号码校验位错误"), ("en", "check digit is wrong")):
        _open(browser, server + f"/?lang={lang}")
        broken = json.loads(json.dumps(data, default=str))
        broken["principal"]["certificate"]["number"] = str(broken["principal"]["certificate"]["number"])[:-1] + "1"
        fill(browser, broken)
        _settle(browser)
        error = _field(browser, "$.principal.certificate.number").find_element(By.CSS_SELECTOR, ".error")
        WebDriverWait(browser, 30).until(lambda d: error.is_displayed())
        assert needle in error.text
        control = _control(browser, "$.principal.certificate.number")
        assert control.get_attribute("aria-invalid") == "true"
        assert error.get_attribute("id") in control.get_attribute("aria-describedby")
        # The same words as the CLI's for the same mistake.
        path = tmp_path / f"broken-{lang}.yaml"
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        cli = _cli("check", str(path), "--lang", lang)
        assert cli.returncode == 2 and error.text.strip() in cli.stderr


def test_a_hint_for_a_common_mistake_appears_at_the_field(browser, server):
    _open(browser, server + "/")
    browser.find_element(By.CSS_SELECTOR, 'button[data-add="$.websites"]').click()
    domains = _control(browser, "$.websites[0].domains")
    domains.send_keys("https://example.cn/")
    domains.send_keys("\t")
    _settle(browser)
    error = _field(browser, "$.websites[0].domains").find_element(By.CSS_SELECTOR, ".error")
    WebDriverWait(browser, 30).until(lambda d: error.is_displayed())
    assert "网址" in error.text and "“example.cn”" in error.text


def test_an_application_file_loads_back_into_the_form(browser, server):
    example = EXAMPLES[1]
    _open(browser, server + "/?lang=en")
    browser.find_element(By.ID, "load").send_keys(str(example))
    WebDriverWait(browser, 30).until(lambda d: "Loaded" in d.find_element(By.ID, "load-status").text)
    _settle(browser)
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    assert _control(browser, "$.subject.name").get_attribute("value") == data["subject"]["name"]
    assert _control(browser, "$.subject.certificate.number").get_attribute("value") == str(data["subject"]["certificate"]["number"])
    assert _control(browser, "$.domains[0].name").get_attribute("value") == data["domains"][0]["name"]
    # 广东 as the file spells it, shown by the province's name in the page's language
    province = Select(_control(browser, "$.filing_province")).first_selected_option
    assert (province.get_attribute("value"), province.text) == (data["filing_province"], "Guangdong")
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "result").is_displayed())
    assert browser.find_element(By.ID, "checklist").get_attribute("srcdoc") == \
        _cli("check", str(example), "--format", "html", "--lang", "en").stdout


def test_the_page_says_what_is_still_missing(browser, server):
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))  # Fujian: no business scope, no registration date
    _open(browser, server + "/")
    fill(browser, data)
    _settle(browser)
    missing = browser.find_element(By.ID, "missing")
    keys = [li.get_attribute("data-key") for li in missing.find_elements(By.CSS_SELECTOR, "li[data-fact]")]
    assert "registered_on" in keys and "business_scope" in keys
    # The answer it needs is marked in the form, and the list leads to it.
    assert "missing" in _field(browser, "$.domains[0].registered_on").get_attribute("class")
    link = missing.find_element(By.CSS_SELECTOR, 'li[data-key="registered_on"] a')
    link.click()
    assert browser.switch_to.active_element == _control(browser, "$.domains[0].registered_on")
    _control(browser, "$.domains[0].registered_on").send_keys("2020-01-01\t")
    _settle(browser)
    keys = [li.get_attribute("data-key") for li in missing.find_elements(By.CSS_SELECTOR, "li[data-fact]")]
    assert "registered_on" not in keys and "business_scope" in keys
    assert "missing" not in _field(browser, "$.domains[0].registered_on").get_attribute("class")
    assert "missing" in _field(browser, "$.subject.business_scope").get_attribute("class")


def test_the_switch_keeps_what_was_filled_in(browser, server):
    _open(browser, server + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "主办者名称" in _field(browser, "$.subject.name").text
    _control(browser, "$.subject.name").send_keys("示例科技有限公司")
    browser.find_element(By.ID, "switch").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Subject name" in _field(browser, "$.subject.name").text
    assert _control(browser, "$.subject.name").get_attribute("value") == "示例科技有限公司"


def test_every_field_has_a_label_and_the_page_fits_a_phone(browser, server):
    _open(browser, server + "/")
    for path in ("$.websites", "$.domains", "$.documents_on_hand"):
        browser.find_element(By.CSS_SELECTOR, f'button[data-add="{path}"]').click()
    unlabelled = browser.execute_script("""
        return [...document.querySelectorAll('input,select,textarea')].filter(c => {
            if (c.type === 'hidden') return false;
            const byFor = c.id && document.querySelector('label[for="' + c.id + '"]');
            return !(byFor || c.closest('label') || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby'));
        }).map(c => c.name || c.id);""")
    assert unlabelled == []
    # Keyboard: Tab from the top reaches the skip link, then the language switch, then the form.
    _open(browser, server + "/")  # focus at the start of the page
    ActionChains(browser).send_keys(Keys.TAB).perform()
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip", active.get_attribute("outerHTML")[:200]
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "switch"
    with _phone(browser):
        for path in ("$.websites", "$.apps", "$.domains", "$.documents_on_hand"):
            browser.find_element(By.CSS_SELECTOR, f'button[data-add="{path}"]').click()
        browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        browser.find_element(By.ID, "submit").click()  # every message shown at its field
        WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "form-problems").is_displayed())
        assert browser.execute_script("return window.innerWidth") == 375
        assert _wider_than_the_screen(browser) == []


def test_docs_work_offline(browser, server):
    browser.get_log("performance")
    browser.get(server + "/docs")
    try:
        WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
    except TimeoutException:
        pytest.fail("Swagger UI did not render the API: " + "; ".join(_console_errors(browser)))
    paths = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    assert "/v1/check" in " ".join(paths)
    assert _other_hosts(browser, server) == []


# ---- the check in the browser: the same problems, in the same words, as the Python check -----------

def _base_application() -> dict[str, Any]:
    """The Fujian example as the page holds it: JSON data, numbers and dates as their text."""
    from engine import application
    from engine.source import load_file

    return application.as_written(load_file(EXAMPLES[0]))


def _changed(data: dict[str, Any], *edits: tuple[str, Any]) -> dict[str, Any]:
    """``data`` with each (dotted path, value) set; the value DELETE removes the field."""
    out = json.loads(json.dumps(data))
    for path, value in edits:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        holder = out
        for part in parents:
            holder = holder[part]
        if value is DELETE:
            del holder[last]
        else:
            holder[last] = value
    return out


DELETE = object()
APP = {"name": "示例App", "kind": "app", "platforms": ["android"], "package": "com.example.app"}
SCHEMA_MISTAKES: list[tuple[tuple[str, Any], ...]] = [
    (("subject.type", "公司"),), (("subject.type", "company"),), (("subject.type", "enterprize"),),
    (("subject.type", "Enterprise"),), (("subject.type", 5),), (("subject.type", ["enterprise"]),),
    (("subject.type", "x" * 100),), (("subject.type", True),), (("subject.type", None),),
    (("principal.identity", "440106199203156782"),),  # a certificate number where a word goes: masked
    (("principal.certificate.expires_on", "长期"),), (("principal.certificate.expires_on", " 永久有效 "),),
    (("principal.certificate.expires_on", "\u3000长期\x1f"),), (("principal.certificate.expires_on", "\ufeff长期"),),
    (("subject.type", "\u3000Company\x85"),), (("subject.type", "\ufeffcompany"),),
    (("domains.0.expires_on", "2025-02-30"),), (("domains.0.verified_on", "2024/09/01"),),
    (("domains.0.verified_on", "２０２４-09-01"),), (("domains.0.verified_on", "2024-09-01\n"),),
    (("domains.0.verified_on", "0000-01-01"),), (("domains.0.registered_on", "2024-2-29"),),
    (("websites.0.content_categories", ["教育"]),), (("websites.0.content_categories", ["Finance", "news\n"]),),
    (("websites.0.content_categories", ["news"]), ("operating", "yes")),
    (("subject.existing", {"filed_services": -1}),), (("subject.existing", {"filed_services": "3"}),),
    (("subject.existing", {"filed_domains": []}), ("subject.name", "")),
    (("subject.name", "名" * 201),), (("subject.name", DELETE),), (("subject.name", None),), (("domains.0.expires_on", None),),
    (("subject.nmae", "王芳"), ("subject.name", DELETE)), (("principal.foo", 1), ("principal.bar", 2)),
    (("subjct", {"type": "enterprise"}), ("subject", DELETE), ("filing_provnce", "guangdong"), ("filing_province", DELETE)),
    (("webistes", []),), (("websites", {}),), (("websites.0.domains", []),),
    (("service_type", "App"),), (("filing_type", "新增网站"),), (("server", {"location": "香港"}),),
    (("domains.0.registrant_type", "单位"),), (("domains.0.real_name_verified", "true"),),
    (("domains.0.registrant_type", "Company"),), (("domains.0.registrant_type", "企业"),),
    (("domains.0.real_name_verified", " 否 "),), (("operating", "Yes"),), (("operating", 1),),
    (("apps", [dict(APP, platforms=["安卓", "ios", "ios", "other", "harmony"])]),),
    (("apps", [dict(APP, signature_md5="xyz")]),), (("apps", [dict(APP, kind="小程序")]),),
    (("documents_on_hand", [{"id": "icp_commitment", "for": {"kind": "人员"}}]),),
    (("documents_on_hand", [{"id": "Commitment", "issued_on": "昨天"}]),),
    (("principal.certificate", {"type": "身份证", "number": ""}),),
    (("filing_province", 3.5),), (("principal", "王芳"),), (("websites.0", "王芳的博客"),),
]


def _python_problems(data: dict[str, Any], lang: str) -> list[tuple[str, str, str, str]]:
    """(path, field, message id, the text `icp-rules check` prints after the path) of each problem."""
    from engine import application
    from engine.errors import ApplicationError
    from engine.source import parse_text

    with pytest.raises(ApplicationError) as caught:
        application.check_document(parse_text(json.dumps(data, ensure_ascii=False), "application.json"))
    out = []
    for found in caught.value.problems:
        field = f"{found.path}.{dict(found.args)['name']}" if found.id == "missing_field" else found.path
        out.append((found.path, field, found.id, found.format(lang).split("  ", 2)[2]))
    return out


def test_the_browser_check_and_the_python_check_agree_on_schema_mistakes(browser, server):
    """check.js over a table of mistakes the schema alone decides: the same problems, at the same
    paths, in the very words the CLI prints, in both languages."""
    _open(browser, server + "/")
    cases = [_changed(_base_application(), *edits) for edits in SCHEMA_MISTAKES]
    found = browser.execute_async_script("""
        const cases = JSON.parse(arguments[0]), done = arguments[arguments.length - 1];
        (async () => {
          const out = {};
          for (const lang of ['zh', 'en']) {
            const cfg = await (await fetch('/intake/config?lang=' + lang)).json();
            const checker = IcpCheck.make(Object.assign({schema: cfg.schema}, cfg.check));
            out[lang] = {codes: checker.codes, rows: cases.map(data =>
              checker.validate(data).map(r => [r.path, r.field, r.code, checker.shown(r)]))};
          }
          done(out);
        })().catch(e => done({error: String(e) + e.stack}));""", json.dumps(cases))  # as text: keys keep their order
    assert "error" not in found, found
    for lang in ("zh", "en"):
        codes = set(found[lang]["codes"])
        for edits, data, rows in zip(SCHEMA_MISTAKES, cases, found[lang]["rows"]):
            expected = _python_problems(data, lang)
            assert expected and {p[2] for p in expected} <= codes, (edits, expected)  # schema-level mistakes only
            assert sorted(map(tuple, rows)) == sorted(expected), (lang, edits)


def test_the_closest_name_is_difflibs(browser, server):
    """The browser's "did you mean" picks what difflib picks, ties and case included."""
    from engine.suggest import closest

    _open(browser, server + "/")
    pool = ["name", "identity", "certificate", "is_legal_representative", "other_filings", "birth_date", "websites",
            "domains", "documents_on_hand", "subject", "principal", "server", "provider", "abc", "acb", "bac"]
    words = ["nmae", "Name", "NAME", "identiy", "certficate", "is_legal_rep", "websites_", "webistes", "domain",
             "documents", "subjct", "princpal", "sever", "x", "", "cab", "bca", "名字", "abcabc", "websites" * 30]
    shown = browser.execute_script("return arguments[0].map(w => IcpCheck.closest(w, arguments[1]))", words, pool)
    assert shown == [closest(word, pool) for word in words]


def _cli_message(stderr: str, path: str) -> list[str]:
    """The messages the CLI printed for ``path`` (what follows the location and the path)."""
    return [line.split("  ", 2)[2] for line in stderr.splitlines() if line.count("  ") >= 2
            and line.split("  ", 2)[1] == path]


def _blocked(browser) -> list[str]:
    """The URLs of the requests the browser refused to send (Network.setBlockedURLs)."""
    sent: dict[str, str] = {}
    refused = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif message.get("method") == "Network.loadingFailed" and params.get("blockedReason"):
            refused.append(sent.get(params["requestId"], "?"))
    return refused


def test_a_mistake_shows_at_the_field_without_the_server(browser, server, tmp_path):
    """With the server's check unreachable, the browser's own check shows the mistake at the field,
    in the page's language, in the words `icp-rules check --lang` prints for it."""
    browser.execute_cdp_cmd("Network.enable", {})
    try:
        for lang in ("zh", "en"):
            _open(browser, server + f"/?lang={lang}")
            browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/intake/check*"]})
            browser.get_log("performance")
            mistakes = {"$.principal.certificate.expires_on": "长期", "$.subject.name": "名" * 201}
            for path, value in mistakes.items():
                field = _field(browser, path)
                browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
                _control(browser, path).send_keys(value, Keys.TAB)
            data = _changed(_base_application(), ("principal.certificate.expires_on", "长期"), ("subject.name", "名" * 201))
            written = tmp_path / f"mistakes-{lang}.json"
            written.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            cli = _cli("check", str(written), "--lang", lang)
            assert cli.returncode == 2
            for path in mistakes:
                error = _field(browser, path).find_element(By.CSS_SELECTOR, ".error")
                WebDriverWait(browser, 30).until(lambda d: error.is_displayed())
                assert [error.text] == _cli_message(cli.stderr, path)
                assert _control(browser, path).get_attribute("aria-invalid") == "true"
            # the required answers in the side panel follow too: a province chosen leaves the list
            # read in one script: the panel is drawn again whenever a check answers, so an element
            # found a moment before may be gone when it is read (a loaded machine did that once)
            listed = lambda: browser.execute_script(  # noqa: E731
                "return [...document.querySelectorAll('#missing-body ul.required a')].map(a => a.innerText)")
            province = _field(browser, "$.filing_province").find_element(By.CSS_SELECTOR, ".label").text.rstrip(" *")
            WebDriverWait(browser, 30).until(lambda d: province in listed())
            Select(_control(browser, "$.filing_province")).select_by_value("fujian")
            WebDriverWait(browser, 30).until(lambda d: province not in listed() and bool(listed()))
            # the page did ask the server, and was refused: what is shown is the browser's own
            assert any("/intake/check" in url for url in _blocked(browser))
            browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        browser.execute_cdp_cmd("Network.disable", {})


def _active_path(browser) -> str | None:
    return browser.execute_script("const f = document.activeElement.closest('[data-path]'); "
                                  "return f && f.getAttribute('data-path');")


def test_the_form_works_from_the_keyboard(browser, server):
    """Blocks are added and removed with Enter and Space, focus follows, and submitting an
    unfinished form with Enter takes the clerk to the first answer to correct."""
    _open(browser, server + "/?lang=en")
    add = browser.find_element(By.CSS_SELECTOR, 'button[data-add="$.websites"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", add)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert _active_path(browser) == "$.websites[0].name"  # the new block's first field
    ActionChains(browser).send_keys("Blog", Keys.TAB).perform()
    assert _active_path(browser) == "$.websites[0].domains"
    ActionChains(browser).send_keys("blog.example.cn").perform()
    # a choice among checkboxes is a Space away
    box = _field(browser, "$.websites[0].content_categories").find_element(By.CSS_SELECTOR, "input[value=news]")
    browser.execute_script("arguments[0].focus()", box)
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert box.is_selected()
    remove = browser.find_element(By.CSS_SELECTOR, 'button[data-remove="$.websites[0]"]')
    browser.execute_script("arguments[0].focus()", remove)
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert browser.find_elements(By.CSS_SELECTOR, '[data-path="$.websites[0]"]') == []
    assert browser.switch_to.active_element.get_attribute("data-add") == "$.websites"
    # folded groups open from the keyboard
    summary = browser.find_element(By.CSS_SELECTOR, 'details[data-path="$.server"] > summary')
    browser.execute_script("arguments[0].focus()", summary)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.find_element(By.CSS_SELECTOR, 'details[data-path="$.server"]').get_attribute("open") is not None
    # Enter in a field submits; the first answer to correct gets the focus, its message beside it
    name = _control(browser, "$.subject.name")
    browser.execute_script("arguments[0].focus()", name)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "form-problems").is_displayed())
    WebDriverWait(browser, 30).until(lambda d: d.switch_to.active_element.get_attribute("aria-invalid") == "true")
    focused = browser.switch_to.active_element
    error = browser.find_element(By.ID, focused.get_attribute("aria-describedby").split()[-1])
    assert error.is_displayed() and error.text


@contextlib.contextmanager
def _phone(browser):
    """A 375 px wide screen (a headless window is never narrower than 500 px: emulate the phone)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": False})
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _wider_than_the_screen(browser) -> list[str]:
    """The elements that reach past the screen's right edge (none, on a page that fits)."""
    return browser.execute_script("""
        const edge = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')].filter(e => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && box.right > edge + 0.5 && getComputedStyle(e).position !== 'absolute';
        }).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').slice(0, 40));""")


def test_the_checklist_fits_a_phone(browser, server):
    with _phone(browser):
        _open(browser, server + "/")
        browser.find_element(By.ID, "load").send_keys(str(ROOT / "examples" / "shanghai-company-app.yaml"))
        WebDriverWait(browser, 30).until(lambda d: "已载入" in d.find_element(By.ID, "load-status").text)
        _settle(browser)
        submit = browser.find_element(By.ID, "submit")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
        submit.click()
        WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "result").is_displayed())
        assert _wider_than_the_screen(browser) == []
        WebDriverWait(browser, 30).until(lambda d: d.execute_script(  # the frame has the checklist, not a blank page
            "const f = document.getElementById('checklist'); return !!(f.contentDocument && f.contentDocument.querySelector('h1'))"))
        frame = browser.find_element(By.ID, "checklist")
        browser.switch_to.frame(frame)
        try:  # the checklist itself wraps to the frame's width (its tables too)
            assert _wider_than_the_screen(browser) == []
        finally:
            browser.switch_to.default_content()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed (.ci/run installs it)")
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    return subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printing_the_page_prints_the_whole_checklist_with_page_numbers(browser, server, tmp_path, lang):
    """The browser's own Print of the page, once the checklist is shown, prints the checklist alone,
    all of it (a frame would be cut at its height), each page numbered in the page's language."""
    import base64
    import re

    example = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    _open(browser, server + f"/?lang={lang}")
    browser.find_element(By.ID, "load").send_keys(str(example))
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "load-status").text.endswith(example.name))
    _settle(browser)
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "result").is_displayed())
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    text = re.sub(r"[\s-]+", "", _pdf_text(pdf, tmp_path))
    expected = json.loads(_cli("check", str(example), "--format", "json", "--lang", lang).stdout)
    names = [doc["name"] for doc in expected["required_documents"]]
    assert names
    for name in names:
        assert re.sub(r"[\s-]+", "", name) in text, name
    assert "beian.miit.gov.cn" in text  # the checklist's footer: the end of its last page
    pages = int(re.search(r"/Type\s*/Pages\b[^>]*/Count (\d+)", pdf.decode("latin-1")).group(1))
    assert pages >= 2
    for page in (1, pages):
        assert (f"第{page}页" if lang == "zh" else f"page{page}") in text
    form_words = {"zh": "生成材料清单", "en": "Make the checklist"}[lang]
    assert re.sub(r"\s", "", form_words) not in text  # the form itself is not printed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_that_cannot_be_loaded_says_where_as_the_cli_does(browser, server, tmp_path, lang):
    """A tab in the YAML indentation: the page names the line and column, in the CLI's words."""
    bad = tmp_path / "tabbed.yaml"
    bad.write_text(EXAMPLES[0].read_text(encoding="utf-8").replace("\n  name: 王芳", "\n\tname: 王芳", 1), encoding="utf-8")
    _open(browser, server + f"/?lang={lang}")
    browser.find_element(By.ID, "load").send_keys(str(bad))
    status = browser.find_element(By.ID, "load-status")
    WebDriverWait(browser, 30).until(lambda d: status.text)
    cli = subprocess.run([str(EXE), "check", bad.name, "--lang", lang], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert cli.returncode == 2
    printed = [line.split(": ", 1)[1] for line in cli.stderr.splitlines()]
    assert status.text.splitlines() == printed and ":" in printed[0].split("  ")[0]
    assert ("制表符" if lang == "zh" else "tab") in status.text


def test_a_file_named_after_an_id_number_is_shown_masked_as_the_cli_shows_it(browser, server, tmp_path):
    """A file may be named after its applicant's ID number: the page names it masked, in the lines
    `icp-rules check` prints for it and when it loads, never as typed."""
    number = "440106199203156782"
    bad = tmp_path / f"{number}.yaml"
    bad.write_text(EXAMPLES[0].read_text(encoding="utf-8").replace("\n  name: 王芳", "\n\tname: 王芳", 1), encoding="utf-8")
    _open(browser, server + "/?lang=zh")
    browser.find_element(By.ID, "load").send_keys(str(bad))
    status = browser.find_element(By.ID, "load-status")
    WebDriverWait(browser, 30).until(lambda d: status.text)
    cli = subprocess.run([str(EXE), "check", bad.name], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert cli.returncode == 2
    printed = [line.split(": ", 1)[1] for line in cli.stderr.splitlines()]
    assert status.text.splitlines() == printed and number not in status.text
    assert status.text.startswith(mask_numbers(bad.name) + ":")

    good = tmp_path / "good" / f"{number}.yaml"
    good.parent.mkdir()
    good.write_text(EXAMPLES[0].read_text(encoding="utf-8"), encoding="utf-8")
    _open(browser, server + "/?lang=zh")
    browser.find_element(By.ID, "load").send_keys(str(good))
    WebDriverWait(browser, 30).until(lambda d: "已载入" in d.find_element(By.ID, "load-status").text)
    shown = browser.find_element(By.ID, "load-status").text
    assert number not in shown and shown.endswith(mask_numbers(good.name))
