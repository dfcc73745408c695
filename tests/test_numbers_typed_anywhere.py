"""An ID number a caller types anywhere, not only into the application, is masked wherever a message
quotes it: in a query parameter, a URL path or a header over HTTP (the error body, the intake page's
rows), in an option's value, a command's name or a file's name on the command line, and in the
decision record of a file named after its applicant (README: no error message repeats one)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from engine import application
from engine.cli import cli
from engine.live import LiveRuleBook
from engine.service import create_app

ROOT = Path(__file__).resolve().parent.parent
SICHUAN = ROOT / "examples" / "sichuan-trading-company.yaml"
NUMBER, MASKED = "440106199203156782", "440************782"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(LiveRuleBook(), max_body_bytes=64 * 1024)) as c:
        yield c


def _sichuan() -> dict:
    return json.loads(json.dumps(application.load(SICHUAN).data, default=str))


@pytest.mark.parametrize(("method", "url", "headers", "status"), [
    ("POST", f"/v1/check?lang={NUMBER}", {}, 422),
    ("POST", f"/v1/check?lang=en&format={NUMBER}", {}, 422),
    ("POST", f"/v1/check?as_of={NUMBER}", {}, 422),
    ("POST", f"/v1/explain?lang=en&rule={NUMBER}", {}, 422),
    ("GET", f"/v1/rules?province={NUMBER}", {}, 422),
    ("GET", f"/v1/packs?lang={NUMBER}", {}, 422),
    ("GET", f"/v1/check/{NUMBER}", {}, 404),
    ("POST", f"/v1/{NUMBER}?lang=en", {}, 404),
    ("POST", "/v1/check?lang=en", {"Content-Type": f"text/{NUMBER}"}, 415),
])
def test_a_number_in_the_query_the_path_or_a_header_is_masked_in_the_error_body(client, method, url, headers, status):
    kwargs = {"json": _sichuan()} if method == "POST" and not headers else {}
    if headers:
        kwargs = {"content": json.dumps(_sichuan()).encode(), "headers": headers}
    response = client.request(method, url, **kwargs)
    assert response.status_code == status
    assert NUMBER not in response.text and MASKED in response.text


def test_a_number_in_a_header_is_masked_in_the_intake_pages_rows(client):
    response = client.post("/intake/check", content=b"{}", headers={"Content-Type": f"text/{NUMBER}"})
    assert response.status_code == 415
    assert NUMBER not in response.text and MASKED in response.text


@pytest.mark.parametrize("args", [
    ["check", "{app}", "--lang", NUMBER],
    ["check", "{app}", "--format", NUMBER],
    ["check", "{app}", "--as-of", NUMBER],
    ["check", "{app}", f"--{NUMBER}"],
    [NUMBER],
    ["init", "--province", NUMBER],
    ["explain", "{app}", "--rule", NUMBER],
    ["check", "{dir}/missing-{n}.yaml"],
    ["check", "{dir}/broken-{n}.yaml"],
    ["check", "{app}", "--templates", "{app}"],
    ["validate", "{app}"],
])
def test_a_number_in_an_option_a_command_or_a_file_name_is_masked_in_the_message(tmp_path, args):
    app = tmp_path / f"{NUMBER}.yaml"  # a file named after its applicant, as intake clerks do
    shutil.copy(SICHUAN, app)
    (tmp_path / f"broken-{NUMBER}.yaml").write_text("filing_province: sichuan\nsubject: [1\n", encoding="utf-8")
    argv = [a.format(app=app, dir=tmp_path, n=NUMBER) for a in args]
    for lang in ("zh", "en"):  # --lang first: a --lang among the args is the one refused
        result = CliRunner().invoke(cli, argv if args[0] == NUMBER else [argv[0], "--lang", lang, *argv[1:]])
        assert result.exit_code == 2, result.output
        assert NUMBER not in result.output and MASKED in result.output, result.output


def test_the_decision_record_of_a_file_named_after_its_applicant_masks_the_name(tmp_path):
    app = tmp_path / f"{NUMBER}.yaml"
    shutil.copy(SICHUAN, app)
    audit = tmp_path / "decisions.jsonl"
    assert CliRunner().invoke(cli, ["check", str(app), "--audit", str(audit)]).exit_code == 1
    record = json.loads(audit.read_text(encoding="utf-8"))
    assert NUMBER not in json.dumps(record) and record["source"] == str(tmp_path / f"{MASKED}.yaml")


@pytest.mark.parametrize("before", [63, 70, 78])
def test_a_long_value_cut_inside_a_number_shows_no_more_of_it_than_a_masked_one(client, before):
    # a long value is shown by its first 80 characters: cut inside a number, its first digits were
    # left as a run no longer shaped like one (16 of the 18 digits, unmasked)
    value = "a" * before + "-" + NUMBER + "-" + "b" * 20
    for response in (client.get(f"/v1/packs?lang={value}"), client.post(f"/v1/check?as_of={value}", json=_sichuan())):
        assert response.status_code == 422
        shown_digits = max(len(run) for run in re.findall(r"\d+", response.json()["error"]["message"]))
        assert shown_digits <= 3, response.text
