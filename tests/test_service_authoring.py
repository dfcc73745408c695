"""The service's authoring endpoints (POST /v1/explain, GET /v1/facts, GET /v1/rules), the typed
responses of /v1/provinces, /v1/packs and /healthz, and serving a signed bundle: only after it
verifies, and under --watch keeping the last good one when a new one does not."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from engine import application
from engine.bundle import BundleError
from engine.cli import cli
from engine.facts import CATALOGUE
from engine.live import LiveRuleBook
from engine.service import create_app

ROOT = Path(__file__).resolve().parent.parent


def example(name: str) -> dict:
    return json.loads(json.dumps(application.load(ROOT / "examples" / f"{name}.yaml").data, default=str))


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(LiveRuleBook())) as c:
        yield c


def _response_schema(spec: dict, path: str, method: str = "get") -> dict:
    schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    # resolve the components the schema refers to, for jsonschema
    return {**schema, "components": spec["components"]}


def _validate(spec: dict, path: str, body, method: str = "get") -> None:
    schema = json.loads(json.dumps(_response_schema(spec, path, method)).replace("#/components/", "#/components/"))
    jsonschema.validate(body, schema)


def test_explain_answers_what_the_library_explains(client, book):
    app = example("guangdong-enterprise-many-domains")
    response = client.post("/v1/explain?rule=gd_guarantee_letter_unit&lang=en", json=app)
    assert response.status_code == 200
    assert response.json() == book.explain(app, rule="gd_guarantee_letter_unit").to_dict("en")
    assert response.json()["rules"][0]["status"] == "matched"
    _validate(client.get("/openapi.json").json(), "/v1/explain", response.json(), "post")


def test_explain_refuses_an_unknown_rule_and_a_bad_application(client):
    app = example("guangdong-enterprise-many-domains")
    unknown = client.post("/v1/explain?rule=gd_guarantee_leter", json=app)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["suggestion"] == "gd_guarantee_letter_unit"
    bad = client.post("/v1/explain", json={**app, "filing_province": "guangdongg"})
    assert bad.status_code == 422 and bad.json()["error"]["path"].startswith("$.filing_province")


def test_facts_lists_the_catalogue(client):
    facts = client.get("/v1/facts").json()
    assert [f["name"] for f in facts] == [f.name for f in CATALOGUE]
    province = next(f for f in facts if f["name"] == "filing.province")
    assert province["zh"] == "备案省份" and province["type"] == "enum"
    assert "guangdong" in province["values"] and province["scope"] == "application"
    _validate(client.get("/openapi.json").json(), "/v1/facts", facts)


def test_rules_lists_a_provinces_rules_in_any_spelling(client, book):
    for spelling in ("guangdong", "广东", "44", "粤"):
        rules = client.get("/v1/rules", params={"province": spelling}).json()
        assert rules["pack"] == "guangdong"
        assert [r["id"] for r in rules["rules"]] == [r.id for r in book.ruleset("guangdong").rules]
    national = client.get("/v1/rules").json()
    assert national["pack"] == "national"
    first = national["rules"][0]
    assert set(first) >= {"id", "pack", "title", "source", "for_each", "effective_from", "effective_until", "line"}
    _validate(client.get("/openapi.json").json(), "/v1/rules", national)
    unknown = client.get("/v1/rules", params={"province": "guangdongg"})
    assert unknown.status_code == 422 and unknown.json()["error"]["suggestion"]


def test_provinces_packs_and_health_have_typed_responses(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/provinces", "/v1/packs", "/healthz"):
        schema = _response_schema(spec, path)
        assert schema.get("type") or schema.get("$ref"), path
        _validate(spec, path, client.get(path).json())
    packs = spec["components"]["schemas"]["Packs"]
    assert {"refused", "packs", "digest", "watch"} <= set(packs["required"])
    # the schema has teeth: a /v1/packs answer without its refusals does not validate
    answer = client.get("/v1/packs").json()
    del answer["refused"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(spec, "/v1/packs", answer)


# --- bundles ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    work = tmp_path_factory.mktemp("bundle")
    for name, extra in (("key", []), ("other", [])):
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(work / f"{name}.pem")], check=True)
        subprocess.run(["openssl", "pkey", "-in", str(work / f"{name}.pem"), "-pubout", "-out", str(work / f"{name}.pub")],
                       check=True)
    shutil.copytree(ROOT / "rulepacks", work / "packs")
    assert CliRunner().invoke(cli, ["bundle", "build", str(work / "packs"), "-o", str(work / "v1.bundle"),
                                    "--signing-key", str(work / "key.pem")]).exit_code == 0
    fujian = work / "packs" / "fujian.yaml"
    fujian.write_text(fujian.read_text(encoding="utf-8").replace('version: "2024.10.1"', 'version: "2024.11.0"'),
                      encoding="utf-8")
    assert CliRunner().invoke(cli, ["bundle", "build", str(work / "packs"), "-o", str(work / "v2.bundle"),
                                    "--signing-key", str(work / "key.pem")]).exit_code == 0
    assert CliRunner().invoke(cli, ["bundle", "build", str(work / "packs"), "-o", str(work / "other.bundle"),
                                    "--signing-key", str(work / "other.pem")]).exit_code == 0
    tampered = work / "tampered.bundle"
    with zipfile.ZipFile(work / "v2.bundle") as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "rulepacks/fujian.yaml":
                data = data.replace(b"2024.11.0", b"2024.12.0")
            out.writestr(info.filename, data)
    return work


def wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_serve_refuses_a_tampered_bundle_at_start(signed):
    with pytest.raises(BundleError):
        LiveRuleBook(bundle=signed / "tampered.bundle", public_key=signed / "key.pub")
    result = CliRunner().invoke(cli, ["serve", "--bundle", str(signed / "tampered.bundle"),
                                      "--public-key", str(signed / "key.pub"), "--port", "0", "--lang", "en"])
    assert result.exit_code == 2 and "was changed after signing" in result.output
    result = CliRunner().invoke(cli, ["serve", "--bundle", str(signed / "v1.bundle")])
    assert result.exit_code == 2 and "--public-key" in result.output


def test_watch_keeps_the_last_good_bundle_and_shows_the_refusal(signed, tmp_path):
    served = tmp_path / "served.bundle"
    shutil.copy(signed / "v1.bundle", served)
    live = LiveRuleBook(bundle=served, public_key=signed / "key.pub")
    app = example("fujian-individual-cross-province")
    with TestClient(create_app(live, watch=True, watch_interval=0.1)) as c:
        assert c.post("/v1/check", json=app).json()["pack"]["version"] == "2024.10.1"
        shutil.copy(signed / "v2.bundle", tmp_path / "next.bundle")
        (tmp_path / "next.bundle").replace(served)  # an atomic swap, as a deployment would
        wait_for(lambda: c.post("/v1/check", json=app).json()["pack"]["version"] == "2024.11.0")
        good = c.get("/v1/packs").json()["digest"]
        for bad, reason in (("tampered.bundle", "was changed after signing"), ("other.bundle", "another key")):
            shutil.copy(signed / bad, tmp_path / "next.bundle")
            (tmp_path / "next.bundle").replace(served)
            packs = wait_for(lambda: (p := c.get("/v1/packs?lang=en").json())["refused"] and reason in json.dumps(p) and p)
            (refusal,) = packs["refused"]
            assert refusal["pack"] == "bundle" and refusal["reason"] == "unverified"
            assert reason in refusal["error"]["message"]
            assert packs["digest"] == good and all(p["kept"] for p in packs["packs"])
            assert c.post("/v1/check", json=app).json()["pack"]["version"] == "2024.11.0"
        shutil.copy(signed / "v1.bundle", tmp_path / "next.bundle")
        (tmp_path / "next.bundle").replace(served)
        wait_for(lambda: c.post("/v1/check", json=app).json()["pack"]["version"] == "2024.10.1")
        assert c.get("/v1/packs").json()["refused"] == []
