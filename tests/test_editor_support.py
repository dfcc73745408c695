"""Editor and repository support for pack authors: schema descriptions and completions, pre-commit hooks."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from engine import pack_schema
from engine.cli import cli
from engine.conditions import OPERATORS
from engine.facts import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent


def test_every_operator_and_fact_is_described_for_completion():
    schema = pack_schema.build()
    condition = schema["$defs"]["condition"]["properties"]
    for op in OPERATORS:
        assert condition[op]["description"].startswith(f"{op}: ") and len(condition[op]["description"]) > 40
    fact = condition["fact"]
    assert len(fact["enum"]) == len(fact["enumDescriptions"]) == len(CATALOGUE)
    assert all(d.split(": ", 1)[1] for d in fact["enumDescriptions"])


def test_document_and_finding_ids_are_offered_but_packs_may_add_their_own():
    schema = pack_schema.build()
    rule = schema["properties"]["rules"]["items"]["properties"]
    document = rule["require"]["items"]["properties"]["document"]
    offered = next(branch["enum"] for branch in document["anyOf"] if "enum" in branch)
    assert set(pack_schema.SPEC_DOCUMENTS) == set(offered)
    finding = rule["findings"]["items"]["properties"]["id"]
    assert set(pack_schema.SPEC_FINDINGS) == set(next(b["enum"] for b in finding["anyOf"] if "enum" in b))


def _hooks() -> list[dict]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_offers_fmt_validate_lint_and_test_on_pack_files():
    hooks = {hook["id"]: hook for hook in _hooks()}
    assert set(hooks) == {"icp-rules-fmt", "icp-rules-validate", "icp-rules-lint", "icp-rules-test"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["entry"].startswith("icp-rules ")
        assert re.search(hook["files"], "rulepacks/guangdong.yaml")
        assert not re.search(hook["files"], "examples/guangdong-enterprise-many-domains.yaml")


def test_each_hook_runs_as_pre_commit_would_call_it(tmp_path, monkeypatch):
    (tmp_path / "rulepacks").mkdir()  # a team's own repository: the base pack and their province
    for name in ("national.yaml", "guangdong.yaml"):
        shutil.copy(ROOT / "rulepacks" / name, tmp_path / "rulepacks" / name)
    monkeypatch.chdir(tmp_path)
    changed = ["rulepacks/guangdong.yaml", "rulepacks/national.yaml"]
    runner = CliRunner()
    for hook in _hooks():
        argv = shlex.split(hook["entry"])[1:] + list(hook.get("args", []))
        if hook.get("pass_filenames", True):
            argv += changed
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, (hook["id"], result.output)
    text = (tmp_path / "rulepacks" / "guangdong.yaml").read_text(encoding="utf-8")
    (tmp_path / "rulepacks" / "guangdong.yaml").write_text(text.replace("for_each: domain", "for_each: domian", 1),
                                                            encoding="utf-8")
    validate = next(h for h in _hooks() if h["id"] == "icp-rules-validate")
    result = runner.invoke(cli, shlex.split(validate["entry"])[1:] + ["--lang", "en"] + changed)
    assert result.exit_code == 1 and "did you mean 'domain'" in result.output
