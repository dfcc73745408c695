"""The service under hostile clients (SPEC §9): every refusal in the project's error shape, evaluation
off the event loop, header and body timeouts, a connection cap, no traceback for a client that
goes away, bounded logs, DNS rebinding refused on loopback, and `serve --workers N`.

Waits below are hang detectors (a bound far above the expected time), never timing assertions.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from engine import application
from engine.live import LiveRuleBook
from engine.service import ERROR_SCHEMA, create_app, is_loopback

ROOT = Path(__file__).resolve().parent.parent
APP = json.loads(json.dumps(application.load(ROOT / "examples" / "fujian-individual-cross-province.yaml").data,
                            default=str))
BODY = json.dumps(APP).encode()


def error_of(response, status: int, kind: str) -> dict:
    """The body of a refusal: the status, the project's error shape, the error's kind."""
    assert response.status_code == status, response.text
    data = response.json()
    jsonschema.validate(data, ERROR_SCHEMA)
    assert data["error"]["type"] == kind and data["error"]["problems"]
    return data["error"]


@pytest.fixture(scope="module")
def live() -> LiveRuleBook:
    return LiveRuleBook()


@pytest.fixture(scope="module")
def client(live):
    with TestClient(create_app(live)) as c:
        yield c


# --- Content-Type, 404, 405 ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/jsonx", None])
def test_a_body_that_is_not_json_answers_415(client, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/v1/check", content=BODY, headers=headers)
    error = error_of(response, 415, "UnsupportedMediaType")
    assert "application/json" in error["message"] and error["path"] == "$.headers.content-type"


@pytest.mark.parametrize(("content_type", "lang", "shown"), [
    ("text/plain", "zh", "（本请求的是：“text/plain”）"), (None, "zh", "（本请求的是：无）"),
    ("text/plain", "en", "(this request's: 'text/plain')"), (None, "en", "(this request's: none)"),
])
def test_the_415_quotes_the_content_type_sent_in_the_requests_language(client, content_type, lang, shown):
    # under zh it read （本请求的是：'text/plain'） and, with no Content-Type at all, （本请求的是：none）
    headers = {"content-type": content_type} if content_type else {}
    error = error_of(client.post(f"/v1/check?lang={lang}", content=BODY, headers=headers), 415, "UnsupportedMediaType")
    assert shown in error["problems"][0]["message"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_with_or_without_a_charset_is_checked(client, content_type):
    response = client.post("/v1/check", content=BODY, headers={"content-type": content_type})
    assert response.status_code == 200 and response.json()["application_id"] == APP["application_id"]


@pytest.mark.parametrize(("method", "path", "status", "kind"), [
    ("GET", "/v2/check", 404, "NotFound"),
    ("GET", "/nothing/here", 404, "NotFound"),
    ("GET", "/v1/check", 405, "MethodNotAllowed"),
    ("POST", "/healthz", 405, "MethodNotAllowed"),
    ("DELETE", "/v1/packs", 405, "MethodNotAllowed"),
])
def test_unknown_paths_and_methods_answer_in_the_error_shape(client, method, path, status, kind):
    response = client.request(method, path)
    error = error_of(response, status, kind)
    assert path in error["message"]
    if status == 405:
        assert response.headers["allow"] and response.headers["allow"] in error["message"]


def test_a_mistyped_path_suggests_the_right_one(client):
    error = error_of(client.get("/v1/provinse"), 404, "NotFound")
    assert error["suggestion"] == "/v1/provinces"


# --- Host: DNS rebinding ------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "127.9.9.9", "[::1]:8000", "LOCALHOST"])
def test_loopback_hosts_are_answered_on_loopback(live, host):
    with TestClient(create_app(live, allowed_hosts=("loopback",))) as c:
        assert c.get("/healthz", headers={"host": host}).status_code == 200
        assert c.post("/v1/check", content=BODY, headers={"host": host, "content-type": "application/json"}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "10.0.0.1", "[2001:db8::1]:8000", "testserver"])
def test_other_hosts_are_refused_on_loopback_with_421(live, host):
    with TestClient(create_app(live, allowed_hosts=("loopback",))) as c:
        for method, path in (("GET", "/healthz"), ("POST", "/v1/check"), ("GET", "/nothing")):
            response = c.request(method, path, content=BODY, headers={"host": host, "content-type": "application/json"})
            error = error_of(response, 421, "MisdirectedRequest")
            assert error["path"] == "$.headers.host"


def test_without_allowed_hosts_every_host_is_answered(client):
    assert client.get("/healthz", headers={"host": "intake.example.com"}).status_code == 200


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                ("0.0.0.0", False), ("192.168.1.4", False), ("example.com", False)])
def test_which_bind_addresses_are_loopback(host, loopback):
    assert is_loopback(host) is loopback


# --- evaluation off the event loop --------------------------------------------------------------

def test_a_slow_evaluation_does_not_block_other_requests(live, monkeypatch):
    import engine.rulebook

    entered, release = threading.Event(), threading.Event()
    real = engine.rulebook.evaluate

    def slow(*args, **kwargs):
        entered.set()
        release.wait(30)  # an evaluation that takes as long as the test wants
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.rulebook, "evaluate", slow)
    answers: dict[str, int] = {}
    with TestClient(create_app(live)) as c:
        posting = threading.Thread(target=lambda: answers.setdefault("check", c.post("/v1/check", json=APP).status_code))
        posting.start()
        assert entered.wait(30)
        health = threading.Thread(target=lambda: answers.setdefault("health", c.get("/healthz").status_code))
        health.start()
        health.join(20)  # would hang for ever if evaluation held the event loop
        blocked = health.is_alive()
        release.set()
        posting.join(30)
    assert not blocked and answers == {"health": 200, "check": 200}


# --- a real server: timeouts, connection cap, disconnects, logs ---------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("service did not become healthy")


class Server:
    def __init__(self, tmp: Path, *args: str) -> None:
        self.port = free_port()
        self.log = tmp / f"serve-{self.port}.log"
        self._out = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(self.port), *args],
                                        cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT)
        wait_healthy(self.port, self.process)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def post(self, body: bytes = BODY, headers: dict | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/v1/check", body=body, headers=headers or {"content-type": "application/json"})
        response = conn.getresponse()
        status, data = response.status, json.loads(response.read())
        conn.close()
        return status, data

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self._out.close()


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_and_error(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    data = json.loads(body)
    jsonschema.validate(data, ERROR_SCHEMA)
    return status, data["error"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("serve"), "--header-timeout", "1", "--body-timeout", "1", "--max-connections", "12")
    yield s
    s.stop()


def test_a_connection_that_sends_nothing_is_closed_with_408(server):
    with server.connect() as sock:
        raw = read_all(sock)  # the server must close it: recv returns b"" (30 s socket timeout is the hang bound)
    status, error = status_and_error(raw)
    assert status == 408 and error["type"] == "RequestTimeout" and error["problems"][0]["code"] == "head_timeout"
    assert "秒内未收到完整的请求头" in error["message"]  # no request was read: the default language


def test_headers_sent_a_byte_at_a_time_are_cut_off(server):
    with server.connect() as sock:
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        cut = False
        for _ in range(200):  # one byte every 0.05 s: never a complete head
            try:
                sock.sendall(b"a")
            except OSError:
                cut = True
                break
            time.sleep(0.05)
        raw = b"" if cut else read_all(sock)
    assert cut or status_and_error(raw)[0] == 408


@pytest.mark.parametrize(("lines", "path", "code", "start"), [
    (b"Content-Length: abc", "$.headers.content-length", "header_content_length", "header Content-Length  "),
    (b"Content-Length: 5\r\nContent-Length: 7", "$.headers.content-length", "header_content_length", "header Content-Length  "),
    (b"Transfer-Encoding: gzip", "$.headers.transfer-encoding", "header_transfer_encoding", "header Transfer-Encoding  "),
])
def test_a_malformed_header_answers_400_in_the_error_shape_naming_the_header(server, lines, path, code, start):
    # h11 refuses these heads before the application sees them: uvicorn answered a line of plain text
    with server.connect() as sock:
        sock.sendall(b"POST /v1/check?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     + lines + b"\r\n\r\n{}")
        raw = read_all(sock)
    status, error = status_and_error(raw)
    assert status == 400 and error["type"] == "BadRequest" and error["path"] == path
    assert error["problems"][0]["code"] == code and error["message"].startswith(start)  # lang=en of the request line


@pytest.mark.parametrize(("lang", "words"), [("en", "chunked transfer encoding"), ("zh", "分块传输编码")])
def test_a_chunked_body_that_cannot_be_read_answers_400_in_the_error_shape(server, lang, words):
    # h11 refuses the chunk after the head was read: uvicorn answered 'Invalid HTTP request received.'
    with server.connect() as sock:
        sock.sendall(f"POST /v1/check?lang={lang} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
                     + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        raw = read_all(sock)
    status, error = status_and_error(raw)
    assert status == 400 and error["type"] == "BadRequest" and error["problems"][0]["code"] == "body_chunk_malformed"
    assert words in error["message"]  # in the request's lang=
    status, data = server.post()  # and the next client is answered as ever
    assert status == 200 and data["application_id"] == APP["application_id"]


def test_a_request_that_is_not_http_answers_400_in_the_error_shape(server):
    with server.connect() as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        raw = read_all(sock)
    status, error = status_and_error(raw)
    assert status == 400 and error["problems"][0]["code"] == "request_malformed"
    assert "HTTP/1.1" in error["message"]  # Chinese, the default: no lang= could be read
    status, data = server.post()  # and the next client is answered as ever
    assert status == 200 and data["application_id"] == APP["application_id"]


def test_a_stalled_body_answers_408_and_the_connection_closes(server):
    with server.connect() as sock:
        sock.sendall(b"POST /v1/check?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n" + BODY[:100])
        raw = read_all(sock)
    status, error = status_and_error(raw)
    assert status == 408 and error["type"] == "RequestTimeout" and "body" in error["message"]


def test_a_stalled_body_to_the_intake_page_answers_408_too(server):
    # the page's POSTs read their bodies with the service's reader: before, a reader of the page's
    # own waited for a stalled body for ever, holding a connection the caps count
    with server.connect() as sock:
        sock.sendall(b"POST /intake/check?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n" + BODY[:100])
        raw = read_all(sock)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert int(head.split(b" ", 2)[1]) == 408
    [row] = json.loads(body)["problems"]
    assert "body" in row["message"]


def test_more_connections_than_the_cap_are_refused_at_once_and_service_resumes(server):
    held = [server.connect() for _ in range(12)]
    try:
        time.sleep(0.3)  # let the server accept them all
        with server.connect() as extra:
            status, error = status_and_error(read_all(extra))
        assert status == 503 and error["type"] == "Overloaded"
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            status, data = server.post()
            break
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    assert status == 200 and data["application_id"] == APP["application_id"]


def test_clients_that_go_away_leave_no_traceback(server):
    for _ in range(5):
        with server.connect() as sock:  # gone in the middle of the body
            sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[:50])
        with server.connect() as sock:  # gone while its application is evaluated
            sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
    status, _ = server.post()  # still answering
    assert status == 200
    time.sleep(0.5)
    assert "Traceback" not in server.text() and "Exception in ASGI" not in server.text()


def test_repeated_log_messages_are_limited(server):
    for _ in range(150):  # each is "Invalid HTTP request received." from uvicorn, once per connection
        with server.connect() as sock:
            sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            read_all(sock)
    assert server.post()[0] == 200
    invalid = [line for line in server.text().splitlines() if "Invalid HTTP request" in line]
    assert 1 <= len(invalid) <= 20


def test_the_service_refuses_other_hosts_when_bound_to_loopback(server):
    status, data = server.post(headers={"content-type": "application/json", "host": "rebind.evil.example:8000"})
    assert status == 421 and data["error"]["type"] == "MisdirectedRequest"
    assert server.post(headers={"content-type": "application/json", "host": f"localhost:{server.port}"})[0] == 200


def test_serve_with_workers_answers_from_several_processes(tmp_path):
    audit = tmp_path / "audit.jsonl"
    s = Server(tmp_path, "--workers", "2", "--audit", str(audit))
    try:
        children = Path(f"/proc/{s.process.pid}/task/{s.process.pid}/children")
        if children.exists():
            assert len(children.read_text().split()) >= 2
        results = []
        threads = [threading.Thread(target=lambda: results.append(s.post())) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [status for status, _ in results] == [200] * 10
        assert all(data["application_id"] == APP["application_id"] for _, data in results)
        assert s.post(headers={"content-type": "text/plain"})[0] == 415
    finally:
        s.stop()
    assert len(audit.read_text(encoding="utf-8").splitlines()) == 10
    assert "Traceback" not in s.text()


def test_the_log_limit_lets_a_burst_through_then_counts_the_rest(monkeypatch):
    import logging

    import engine.service
    from engine.service import LogLimit

    now = [1000.0]
    monkeypatch.setattr(engine.service.time, "monotonic", lambda: now[0])
    limit = LogLimit(burst=3, every=60)

    def record(message: str = "client %s sent garbage") -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, message, ("x",), None)

    assert [limit.filter(record()) for _ in range(10)] == [True] * 3 + [False] * 7
    assert limit.filter(record("another message")) is True  # counted per message, not overall
    now[0] += 61
    first = record()
    assert limit.filter(first) is True and "7 more like this" in first.getMessage()
    assert limit.filter(record()) is True and limit.filter(record()) is True and limit.filter(record()) is False
