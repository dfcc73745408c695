"""Editor and repository support for pack authors: schema descriptions and completions, pre-commit hooks."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from engine import pack_schema
from engine.cli import cli
from engine.conditions import OPERATORS
from engine.facts import CATALOGUE
from engine.source import load_file

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


def test_schemas_have_stable_ids_named_after_their_files():
    from engine import bundled

    for name in bundled.SCHEMA_NAMES:
        schema_id = json.loads(bundled.schema_text(name))["$id"]
        assert schema_id.startswith("https://") and ".invalid" not in schema_id
        assert schema_id.endswith(f"/{name}.schema.json")


def test_schema_write_gives_a_team_repository_its_own_schemas(tmp_path):
    repo = tmp_path / "team-repo"  # a team's own pack repository, nothing of this checkout in it
    (repo / "schemas").mkdir(parents=True)
    (repo / "rulepacks").mkdir()
    shutil.copy(ROOT / "rulepacks" / "fujian.yaml", repo / "rulepacks" / "fujian.yaml")
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "--write", str(repo / "schemas"), "--lang", "en"])
    assert result.exit_code == 0 and result.output.count("wrote ") == 3
    pack_schema_file = json.loads((repo / "schemas" / "rulepack.schema.json").read_text(encoding="utf-8"))
    assert pack_schema_file == pack_schema.build()
    # the packs' modeline (../schemas/rulepack.schema.json) finds it in the team's layout too
    pack = repo / "rulepacks" / "fujian.yaml"
    modeline = pack.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1]
    schema = json.loads((pack.parent / modeline).read_text(encoding="utf-8"))
    jsonschema.validate(load_file(pack).data, schema)  # read as the engine reads packs (dates as text)
    # written again: unchanged; a file edited since is only replaced with --force
    assert runner.invoke(cli, ["schema", "--write", str(repo / "schemas")]).output.count("未改变 ") == 3  # Chinese by default
    (repo / "schemas" / "result.schema.json").write_text("{}", encoding="utf-8")
    refused = runner.invoke(cli, ["schema", "result", "--write", str(repo / "schemas")])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (repo / "schemas" / "result.schema.json").read_text(encoding="utf-8") == "{}"
    assert runner.invoke(cli, ["schema", "result", "--write", str(repo / "schemas"), "--force"]).exit_code == 0
    assert json.loads((repo / "schemas" / "result.schema.json").read_text(encoding="utf-8"))["title"]


def test_schema_write_to_a_missing_directory_or_without_a_name_is_bad_input(tmp_path):
    missing = CliRunner().invoke(cli, ["schema", "--write", str(tmp_path / "nowhere"), "--lang", "en"])
    assert missing.exit_code == 2 and "no such directory" in missing.output
    assert CliRunner().invoke(cli, ["schema"]).exit_code == 2
