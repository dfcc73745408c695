"""`icp-rules check APP --format json` imports only what it uses (issue 8's cold-start budget).

Timings are never asserted; what is asserted is that heavy modules other commands need stay
out of a JSON check's process: they are what made its start-up slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"

# Run the real console entry point in-process, then say which modules it loaded.
PROBE = """
import json, sys
from engine.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""

# jsonschema (checked packs come from the user cache), templates, the terminal UI, the HTTP
# service and the cross-check engine. (python-stdnum is loaded: it checks every ID number; ssl and
# pydoc, which stdnum.util imports for its online checks and module descriptions, are not; nor is
# idna, which only a domain that is not plain ASCII needs: the example's are all ASCII.)
NOT_FOR_JSON = ("jsonschema", "jinja2", "markupsafe", "rich", "fastapi", "starlette", "uvicorn", "httpx", "watchfiles",
                "durable", "dask", "engine.explain", "engine.lint", "engine.service", "engine.batch", "ssl", "pydoc",
                "idna")


def _run_check(tmp_path: Path, *args: str, application: Path = EXAMPLE) -> dict:
    report = tmp_path / "modules.json"
    env = dict(os.environ, ICP_RULES_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", PROBE, str(report), "check", str(application), *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(report.read_text())
    outcome["stdout"] = proc.stdout
    return outcome


@pytest.fixture(scope="module")
def json_check(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cold")
    _run_check(tmp_path, "--format", "json")  # the first run fills the user cache
    return _run_check(tmp_path, "--format", "json")


def test_a_json_check_answers(json_check):
    result = json.loads(json_check["stdout"])
    assert json_check["code"] in (0, 1)
    assert result["province"]["key"] == "guangdong"


def test_a_json_check_loads_no_template_ui_or_service_module(json_check):
    loaded = set(json_check["modules"])
    heavy = sorted(m for m in loaded if m.split(".")[0] in NOT_FOR_JSON or m in NOT_FOR_JSON)
    assert not heavy, f"a JSON check imported {heavy}"
    assert "engine.application" in loaded and "engine.render" in loaded  # the probe did run a check


def test_a_markdown_check_does_load_the_templates(tmp_path):
    # The other side of the assertion above: the probe sees imports when they happen.
    outcome = _run_check(tmp_path, "--format", "md")
    assert "jinja2" in outcome["modules"]


def test_a_json_application_is_checked_without_pyyaml(tmp_path):
    """PyYAML is for YAML: a JSON application, with the packs in the user cache, never imports it
    (issue 17). The YAML example read as YAML does (the other side of the assertion)."""
    from engine import application

    data = application.load(EXAMPLE).data
    app = tmp_path / "app.json"
    app.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    _run_check(tmp_path, "--format", "json", application=app)  # fills the user cache
    outcome = _run_check(tmp_path, "--format", "json", application=app)
    assert json.loads(outcome["stdout"])["province"]["key"] == "guangdong"
    assert not [m for m in outcome["modules"] if m == "yaml" or m.startswith("yaml.")]
    assert "yaml" in _run_check(tmp_path, "--format", "json")["modules"]


STDNUM_PROBE = """
import json, sys
from engine import application
application.load(sys.argv[1])  # checks the ID numbers with python-stdnum
before = sorted(m for m in ("ssl", "pydoc") if m in sys.modules)
import stdnum.util, stdnum.cn.ric
description = stdnum.util.get_module_description(stdnum.cn.ric)  # pydoc, imported on this first use
purpose = str(stdnum.util.ssl.Purpose.SERVER_AUTH)  # ssl likewise
import ssl, pydoc
print(json.dumps({"before": before, "description": description, "purpose": purpose,
                  "real": [type(ssl).__name__, type(pydoc).__name__, hasattr(ssl, "SSLContext")]}))
"""


def test_stdnum_imports_ssl_and_pydoc_only_when_it_uses_them(tmp_path):
    """stdnum.util imports ssl and pydoc at its top; the checks never use them, so they are not
    imported for a check, and stdnum's functions that do use them still work (issue 17)."""
    env = dict(os.environ, ICP_RULES_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", STDNUM_PROBE, str(EXAMPLE)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout)
    assert outcome["before"] == []
    assert "RIC" in outcome["description"] and outcome["purpose"].endswith("SERVER_AUTH")
    assert outcome["real"] == ["module", "module", True]  # everyone else imports the real modules
