"""The HTTP service (SPEC §9): answers, 413, 422 with field paths, hot reload, audit, concurrency."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import RuleBook, application
from engine.live import LiveRuleBook
from engine.service import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BUNDLED = ROOT / "rulepacks"


def example(name: str) -> dict:
    """An example application as JSON data (numbers YAML read as integers become the text written)."""
    return json.loads(json.dumps(application.load(EXAMPLES / f"{name}.yaml").data, default=str))


@pytest.fixture(scope="module")
def live() -> LiveRuleBook:
    return LiveRuleBook()


@pytest.fixture(scope="module")
def client(live):
    with TestClient(create_app(live, max_body_bytes=64 * 1024)) as c:
        yield c


def test_check_answers_the_library_result(client, book):
    app = example("sichuan-trading-company")
    response = client.post("/v1/check", json=app)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == book.evaluate(app).to_dict("zh")
    english = client.post("/v1/check?lang=en&as_of=2024-11-01", json=app).json()
    assert english == book.evaluate(app, as_of="2024-11-01").to_dict("en")


@pytest.mark.parametrize("body", [
    '{"filing_province": "guangdong", "440106199203156782": 1, "440106199203156782": 2}',
    '{"filing_province": "guangdong", "principal": {"name": "张三", "440106199203156782": true}}',
])
def test_a_number_typed_as_a_field_name_is_masked_in_a_422(client, body):
    response = client.post("/v1/check", content=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "440106199203156782" not in response.text and "440************782" in response.text


def test_check_renders_a_masked_markdown_checklist_on_request(client):
    app = example("fujian-individual-cross-province")
    response = client.post("/v1/check?format=md&lang=en", json=app)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    number = app["subject"]["certificate"]["number"]
    assert "FJ-2024-0002" in response.text and number not in response.text
    assert number[:3] + "*" * (len(number) - 6) + number[-3:] in response.text  # at most a third shown


def test_invalid_applications_answer_422_with_field_paths(client):
    app = example("fujian-individual-cross-province")
    app["subjct"] = app.pop("subject")
    response = client.post("/v1/check?lang=en", json=app)
    assert response.status_code == 422
    problems = response.json()["error"]["problems"]
    assert {"path": "$.subjct", "suggestion": "subject"}.items() <= next(p for p in problems if p["path"] == "$.subjct").items()

    app = example("fujian-individual-cross-province")
    number = app["subject"]["certificate"]["number"]
    app["subject"]["certificate"]["number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    error = client.post("/v1/check?lang=en", json=app).json()["error"]
    assert error["path"] == "$.subject.certificate.number" and "check digit" in error["message"]
    error = client.post("/v1/check", json=app).json()["error"]  # Chinese by default
    assert error["path"] == "$.subject.certificate.number" and "身份证号码校验位错误" in error["message"]


@pytest.mark.parametrize(("body", "needle"), [
    (b"", "empty body"),
    (b"[1, 2]", "JSON object"),
    (b'{"filing_province": ', "invalid JSON"),
    (b"\xff\xfe{}", "UTF-8"),
])
def test_unusable_bodies_answer_422(client, body, needle):
    response = client.post("/v1/check?lang=en", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and needle in response.json()["error"]["message"]


@pytest.mark.parametrize("query", ["format=pdf", "lang=fr", "as_of=2024-02-30"])
def test_bad_query_parameters_answer_422(client, query):
    response = client.post(f"/v1/check?{query}", json=example("sichuan-trading-company"))
    assert response.status_code == 422
    assert response.json()["error"]["problems"]


@pytest.mark.parametrize("route", ["/v1/check", "/v1/explain"])
def test_an_application_wrapped_in_an_object_is_told_to_send_the_application_itself(client, route):
    # {"application": {...}} is a common API habit: SPEC §9's body is the application itself, so the
    # answer says so (in the request's language), not "unknown field 'application' (did you mean
    # 'application_id'?)" beside three missing fields
    app = example("sichuan-trading-company")
    for lang, words in (("en", "send the application itself as the body"), ("zh", "请直接以申请本身作为请求体")):
        response = client.post(f"{route}?lang={lang}", json={"application": app})
        assert response.status_code == 422
        error = response.json()["error"]
        assert [p["code"] for p in error["problems"]] == ["body_wrapped"]
        assert error["path"] == "$.application" and (error["line"], error["column"]) == (1, 2)
        assert words in error["message"] and '{"application": …}' in error["message"]
        assert "suggestion" not in error
    error = client.post(f"{route}?lang=en", json={"data": app, "lang": "en"}).json()["error"]  # another wrapper
    assert error["problems"][0]["code"] == "body_wrapped" and '{"data": …}' in error["message"]


def test_an_application_with_a_stray_mapping_is_not_taken_for_a_wrapper(client):
    app = example("sichuan-trading-company")
    error = client.post("/v1/check?lang=en", json={**app, "application": {"x": 1}}).json()["error"]
    assert [(p["code"], p["path"]) for p in error["problems"]] == [("unknown_field", "$.application")]
    error = client.post("/v1/check?lang=en", json={"data": {"x": 1}}).json()["error"]  # no application inside
    assert "body_wrapped" not in [p["code"] for p in error["problems"]]


@pytest.mark.parametrize(("query", "name", "suggestion"), [
    ("lang=EN", "lang", "en"), ("lang=english", "lang", "en"), ("lang=zh-CN", "lang", "zh"), ("lang=中文", "lang", "zh"),
    ("lang=fr", "lang", None), ("format=markdown", "format", "md"), ("format=JSON", "format", "json"),
    ("format=txt", "format", "text"), ("format=pdf", "format", None), ("as_of=2024-02-30", "as_of", None),
])
def test_a_bad_query_parameter_is_named_as_one_with_the_closest_valid_value(client, query, name, suggestion):
    response = client.post(f"/v1/check?{query}", json=example("sichuan-trading-company"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["path"] == f"$.query.{name}" and error.get("suggestion") == suggestion
    # located as the query parameter it is (Chinese: the answer's language when lang= is not one we speak)
    assert error["message"].startswith(f"查询参数 {name}  ") and "<input>" not in error["message"]


def test_every_bad_query_parameter_is_named_at_once_in_the_requests_language(client):
    error = client.post("/v1/check?format=markdown&lang=en&as_of=tomorrow", json=example("sichuan-trading-company")).json()["error"]
    assert [(p["path"], p.get("suggestion")) for p in error["problems"]] == [("$.query.format", "md"), ("$.query.as_of", None)]
    assert error["message"].startswith("query parameter format  unknown format 'markdown'")
    assert error["message"].endswith("(did you mean 'md'?)")


def test_a_bad_header_is_named_as_the_header(client):
    body = json.dumps(example("sichuan-trading-company")).encode()
    error = client.post("/v1/check?lang=en", content=body, headers={"content-type": "text/json"}).json()["error"]
    assert error["message"].startswith("header Content-Type  ") and error["suggestion"] == "application/json"
    big = client.post("/v1/check?lang=en", content=b"{" + b" " * (70 * 1024) + b"}",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413
    error = big.json()["error"]  # declared over the limit: refused at the header, before the body is read
    assert error["path"] == "$.headers.content-length" and error["message"].startswith("header Content-Length  ")


def test_a_bad_province_or_rule_in_the_query_is_named_as_the_query_parameter(client):
    error = client.get("/v1/rules?province=guangdon&lang=en").json()["error"]
    assert error["path"] == "$.query.province" and error["suggestion"] == "guangdong"
    assert error["message"].startswith("query parameter province  unknown province 'guangdon'")
    response = client.post("/v1/explain?rule=gd_guarantee_leter&lang=en", json=example("sichuan-trading-company"))
    error = response.json()["error"]
    assert response.status_code == 422 and error["path"] == "$.query.rule"
    assert error["message"].startswith("query parameter rule  ") and "--rule" not in error["message"]


@pytest.mark.parametrize(("lang", "suggestion"), [("fr", None), ("EN", "en"), ("chinese", "zh")])
def test_every_endpoint_refuses_an_unknown_language_alike(client, lang, suggestion):
    app = example("sichuan-trading-company")
    answers = [client.post(f"/v1/check?lang={lang}", json=app), client.post(f"/v1/explain?lang={lang}", json=app),
               client.get(f"/v1/packs?lang={lang}")]
    assert [r.status_code for r in answers] == [422, 422, 422]
    errors = [r.json()["error"] for r in answers]
    assert errors[0] == errors[1] == errors[2]
    assert errors[0]["path"] == "$.query.lang" and errors[0].get("suggestion") == suggestion


def test_every_post_reads_its_body_with_the_apis_checks(client):
    # the intake page's POSTs read their bodies with the API's reader: JSON only, duplicate keys refused
    # (the page's file loader took the last of two "text" keys; it took any Content-Type)
    duplicate = b'{"name": "a.yaml", "text": "filing_province: 44", "text": "x: 1"}'
    response = client.post("/intake/load?lang=en", content=duplicate, headers={"content-type": "application/json"})
    [row] = response.json()["problems"]
    assert response.status_code == 422 and row["code"].startswith("duplicate_key") and row["line"] == 1
    body = json.dumps({"name": "a.yaml", "text": "filing_province: 44\n"}).encode()
    for route in ("/intake/load?lang=en", "/intake/check?lang=en"):
        response = client.post(route, content=body, headers={"content-type": "text/plain"})
        assert response.status_code == 415, route
        assert [r["path"] for r in response.json()["problems"]] == ["$.headers.content-type"]
    for route in ("/intake/check?lang=en", "/v1/check?lang=en", "/v1/explain?lang=en"):
        response = client.post(route, content=b"\xff{}", headers={"content-type": "application/json"})
        assert response.status_code == 422, route
        data = response.json()
        codes = [p["code"] for p in (data["problems"] if "problems" in data else data["error"]["problems"])]
        assert codes == ["body_not_utf8"], route
    response = client.post("/intake/load?lang=en", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["application"] == {"filing_province": "44"}  # as written


def test_bodies_over_the_limit_answer_413(client):
    big = example("sichuan-trading-company")
    big["subject"]["business_scope"] = "贸" * 40_000  # ~120 KB of UTF-8, over the 64 KiB limit
    response = client.post("/v1/check?lang=en", json=big)
    assert response.status_code == 413 and "over the limit" in response.json()["error"]["message"]

    def chunks():  # no Content-Length: the limit must hold while streaming
        yield b'{"a": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_the_intake_pages_posts_are_held_to_the_apis_body_limit(client):
    # the intake page read its bodies with a reader of its own (no timeout, a limit of its own):
    # it uses the service's reader now, so a stream over the limit is cut off as for /v1/check
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    for route in ("/intake/check?lang=en", "/intake/load?lang=en"):
        response = client.post(route, content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 413, route
        [row] = response.json()["problems"]
        assert "64 KiB" in row["message"] or "65536" in row["message"], row


def test_provinces_packs_and_health(client, book):
    provinces = client.get("/v1/provinces").json()
    assert len(provinces) == 31
    assert {p["key"]: p["pack"] for p in provinces} == {
        p["key"]: (p["key"] if p["key"] in book.packs else "national") for p in provinces}
    assert {p["key"]: p["pack"] for p in provinces}["fujian"] == "fujian"
    packs = client.get("/v1/packs").json()
    assert packs["digest"] == book.digest and packs["last_rejected"] is None
    assert {p["id"] for p in packs["packs"]} == set(book.packs)
    assert client.get("/healthz").json() == {"status": "ok", "digest": book.digest}


def test_openapi_documents_the_contract(client):
    spec = client.get("/openapi.json").json()
    check = spec["paths"]["/v1/check"]["post"]
    assert set(check["responses"]) >= {"200", "413", "422"}
    assert spec["components"]["schemas"]["Application"]["properties"]["filing_province"]
    assert {"/v1/provinces", "/v1/packs", "/healthz"} <= set(spec["paths"])


def test_service_audit_records_each_evaluation(live, tmp_path):
    from engine.audit import AuditLog

    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as audit, TestClient(create_app(live, audit=audit)) as c:
        c.post("/v1/check", json=example("sichuan-trading-company"))
        c.post("/v1/check", json={"bad": 1})  # not evaluated: no record
        c.post("/v1/check", json=example("fujian-individual-cross-province"))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["application_id"] for r in records] == ["SC-2024-0003", "FJ-2024-0002"]
    assert records[0]["findings"] == ["document_too_old"] and "business_statement" in records[0]["required_documents"]
    assert records[0]["pack"]["digest"] == live.current.rulesets["sichuan"].digest


# --- hot reload ---------------------------------------------------------------------------------

@pytest.fixture
def packs_dir(tmp_path):
    target = tmp_path / "packs"
    shutil.copytree(BUNDLED, target)
    return target


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_watch_reloads_good_edits_and_rejects_broken_ones(packs_dir, caplog):
    live = LiveRuleBook(packs_dir)
    first = live.current.digest
    fujian = packs_dir / "fujian.yaml"
    app = example("fujian-individual-cross-province")
    with caplog.at_level("INFO"), TestClient(create_app(live, watch=True)) as c:
        assert c.get("/v1/packs").json()["digest"] == first
        fujian.write_text(fujian.read_text(encoding="utf-8").replace('version: "2024.10.1"', 'version: "2024.11.0"'),
                          encoding="utf-8")
        second = wait_for(lambda: (d := c.get("/v1/packs").json()["digest"]) != first and d)
        assert c.post("/v1/check", json=app).json()["pack"]["version"] == "2024.11.0"

        good_text = fujian.read_text(encoding="utf-8")
        fujian.write_text(good_text.replace("for_each: person", "for_each: persno"), encoding="utf-8")
        rejected = wait_for(lambda: c.get("/v1/packs").json()["last_rejected"])
        assert rejected["error"]["file"].endswith("fujian.yaml") and rejected["error"]["line"]
        assert c.get("/v1/packs").json()["digest"] == second  # the last good packs keep serving
        answer = c.post("/v1/check", json=app)
        assert answer.status_code == 200 and answer.json()["pack"]["version"] == "2024.11.0"
        assert c.get("/healthz").json()["digest"] == second
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "rejected" in logged and "fujian.yaml:" in logged and "persno" in logged


def test_in_flight_requests_finish_on_the_packs_they_started_with(packs_dir, monkeypatch):
    import engine.rulebook

    live = LiveRuleBook(packs_dir)
    old_digest = live.current.rulesets["fujian"].digest
    fujian = packs_dir / "fujian.yaml"
    real_evaluate = engine.rulebook.evaluate

    def evaluate_while_packs_change(*args, **kwargs):
        # a compliance officer publishes new packs while this request is being evaluated
        fujian.write_text(fujian.read_text(encoding="utf-8").replace('"2024.10.1"', '"2025.1.0"'), encoding="utf-8")
        assert live.reload()
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(engine.rulebook, "evaluate", evaluate_while_packs_change)
    with TestClient(create_app(live)) as c:
        answer = c.post("/v1/check", json=example("fujian-individual-cross-province")).json()
        monkeypatch.setattr(engine.rulebook, "evaluate", real_evaluate)
        assert answer["pack"]["digest"] == old_digest and answer["pack"]["version"] == "2024.10.1"
        after = c.post("/v1/check", json=example("fujian-individual-cross-province")).json()
        assert after["pack"]["version"] == "2025.1.0" and after["pack"]["digest"] != old_digest


# --- a real server on loopback ------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_holds_20_concurrent_clients(tmp_path):
    port = free_port()
    audit = tmp_path / "audit.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "--audit", str(audit)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(base + "/healthz"), timeout=30)
        bodies = [json.dumps(example(n)).encode() for n in
                  ("fujian-individual-cross-province", "guangdong-enterprise-many-domains", "sichuan-trading-company")]
        expected = [RuleBook.load().evaluate(json.loads(b)).to_dict("zh") for b in bodies]
        failures: list[str] = []

        def client(index: int) -> None:
            for i in range(5):
                which = (index + i) % 3
                request = urllib.request.Request(base + "/v1/check", data=bodies[which],
                                                 headers={"content-type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=20) as response:
                        if json.loads(response.read()) != expected[which]:
                            failures.append("wrong answer")
                except Exception as exc:  # noqa: BLE001 - every failure counts
                    failures.append(repr(exc))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert failures == []
        assert len(audit.read_text(encoding="utf-8").splitlines()) == 100
    finally:
        process.terminate()
        process.wait(15)


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None
