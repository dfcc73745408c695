"""``icp-rules diff`` reads JSONL samples (one application per line, named FILE:LINE) and names,
per application, the documents it now needs or no longer needs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import RuleBook
from engine.application import load
from engine.cli import cli
from engine.diff import diff

ROOT = Path(__file__).resolve().parent.parent
GD = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"


@pytest.fixture(scope="module")
def lowered(tmp_path_factory):
    """A copy of the packs (in a separate directory) with Guangdong's threshold lowered 31 -> 30."""
    new = tmp_path_factory.mktemp("diff") / "draft"
    shutil.copytree(ROOT / "rulepacks", new)
    text = (new / "guangdong.yaml").read_text(encoding="utf-8")
    (new / "guangdong.yaml").write_text(text.replace("{fact: subject.domain_prefix_count, greater_than: 31}",
                                                     "{fact: subject.domain_prefix_count, greater_than: 30}"),
                                        encoding="utf-8")
    return new


def _sample(tmp_path: Path) -> Path:
    app = json.loads(json.dumps(load(GD).data, default=str))
    filed = app["subject"]["existing"]["filed_domains"]
    first = filed[0].split(".")[0]
    thirty_one = dict(app, application_id="GD-31", subject=dict(
        app["subject"], existing=dict(app["subject"]["existing"],
                                      filed_domains=[d for d in filed if d.split(".")[0] != first])))
    lines = [json.dumps(app, ensure_ascii=False), "", json.dumps(thirty_one, ensure_ascii=False)]
    path = tmp_path / "samples.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_samples_are_diffed_line_by_line_naming_the_documents(lowered, tmp_path, book):
    samples = _sample(tmp_path)
    result = diff(book, RuleBook.load(lowered), [samples])
    assert [a.application for a in result.applications] == [f"{samples}:1", f"{samples}:3"]
    (changed,) = result.changed_applications
    assert changed.application == f"{samples}:3" and changed.application_id == "GD-31"
    assert [doc for doc, _ in changed.documents_added] == ["website_construction_plan", "provider_guarantee_letter"] \
        or sorted(doc for doc, _ in changed.documents_added) == ["provider_guarantee_letter", "website_construction_plan"]
    assert changed.documents_removed == ()
    out = CliRunner().invoke(cli, ["diff", str(ROOT / "rulepacks"), str(lowered), "--applications", str(samples)])
    assert out.exit_code == 0, out.output
    assert f"  {samples}:3 (GD-31, Guangdong)" in out.output
    documents = next(line for line in out.output.splitlines() if line.startswith("    documents: "))
    assert "+ " in documents and "(provider_guarantee_letter)" in documents and "(website_construction_plan)" in documents
    data = json.loads(CliRunner().invoke(cli, ["diff", str(ROOT / "rulepacks"), str(lowered), "--applications",
                                               str(samples), "--format", "json"]).output)
    assert sorted(d["id"] for d in data["applications"][0]["documents_added"]) == [
        "provider_guarantee_letter", "website_construction_plan"]


def test_a_bad_sample_line_is_bad_input_at_its_line(lowered, tmp_path):
    samples = _sample(tmp_path)
    samples.write_text(samples.read_text(encoding="utf-8") + '{"filing_province": "guangdong"}\n', encoding="utf-8")
    out = CliRunner().invoke(cli, ["diff", str(ROOT / "rulepacks"), str(lowered), "--applications", str(samples)])
    assert out.exit_code == 2 and f"{samples}:4" in out.output and "Traceback" not in out.output
