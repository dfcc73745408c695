"""Condition coverage (``icp-rules test --coverage``): every condition node's outcomes, per pack,
as text, JSON and JUnit XML, ``--fail-under``; built on Node.trace and checked against the
evaluation."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from engine import facts as facts_module
from engine import packtests
from engine.application import load as load_application
from engine.cli import cli
from engine.coverage import CoverageDisagreement, Recorder

ROOT = Path(__file__).resolve().parent.parent

# One rule whose cases make its `all` true and false, its first part true and false, but its
# second part (person.age, which may be absent) only ever true: never false, never unknown.
PACK = """\
pack: fujian
extends: national
version: '1'
title: {zh: 福建, en: Fujian}
rules:
  - id: fj_adult_unit
    title: {zh: 测试, en: Test}
    for_each: person
    when:
      all:
        - {fact: subject.is_unit, equals: true}
        - {fact: person.age, at_least: 18}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
tests:
  - name: a unit
    base: enterprise
    expect: {rules_fired: [fj_adult_unit]}
  - name: an individual
    base: individual
    expect: {rules_not_fired: [fj_adult_unit]}
"""


@pytest.fixture
def packs(tmp_path):
    folder = tmp_path / "team-packs"  # a copy outside this repository
    folder.mkdir()
    shutil.copy(ROOT / "rulepacks" / "national.yaml", folder / "national.yaml")
    (folder / "fujian.yaml").write_text(PACK, encoding="utf-8")
    return folder


def _run(*args):
    return CliRunner().invoke(cli, ["test", *args, "--lang", "en"])  # the report's English wording


def test_text_names_each_outcome_no_case_gave(packs):
    result = _run("--packs", str(packs), "--coverage", "fujian")
    assert result.exit_code == 0, result.output
    partial = [line for line in result.output.splitlines() if line.startswith("PARTIAL")]
    assert partial == [f"PARTIAL {packs / 'fujian.yaml'}:10:7  fujian: fj_adult_unit when: all (2): never unknown",
                       f"PARTIAL {packs / 'fujian.yaml'}:12:11  fujian: fj_adult_unit when.all[1]: "
                       "person.age at_least 18: never false, unknown"]
    # all: true, false; is_unit: true, false; age: true (of 2) -> 5 of 6 true/false outcomes
    assert "coverage fujian: 5/6 condition outcomes (83.3%), unknown reached at 0/2 nodes" in result.output


def test_json_report_per_node(packs):
    result = CliRunner().invoke(cli, ["test", "--packs", str(packs), "--format", "json", "fujian"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    (pack,) = data["packs"]
    assert (pack["pack"], pack["covered"], pack["total"]) == ("fujian", 5, 6)
    by_path = {c["path"]: c for c in pack["conditions"]}
    assert by_path["rules[0].when.all[0]"] | {"line": 0} == {
        "rule": "fj_adult_unit", "path": "rules[0].when.all[0]", "line": 0, "column": 11,
        "condition": "subject.is_unit equals true", "true": True, "false": True, "unknown": None}
    assert by_path["rules[0].when.all[1]"]["false"] is False and by_path["rules[0].when.all[1]"]["unknown"] is False


def test_junit_fails_the_node_with_a_missing_outcome(packs, tmp_path):
    out = tmp_path / "coverage.xml"
    result = _run("--packs", str(packs), "--format", "junit", "-o", str(out), "fujian")
    assert result.exit_code == 0, result.output
    suite = ElementTree.parse(out).getroot().find("testsuite")
    assert suite.get("name") == "fujian" and suite.get("tests") == "3" and suite.get("failures") == "2"
    failing = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["rules[0].when: all (2)", "rules[0].when.all[1]: person.age at_least 18"]
    assert failing[1].find("failure").get("message") == "never false, unknown"
    # the report file is never replaced unasked
    again = _run("--packs", str(packs), "--format", "junit", "-o", str(out), "fujian")
    assert again.exit_code == 2 and "--force" in again.output


def test_fail_under(packs):
    assert _run("--packs", str(packs), "--fail-under", "80", "fujian").exit_code == 0
    below = _run("--packs", str(packs), "--fail-under", "90", "fujian", "--lang", "en")
    assert below.exit_code == 1 and "below --fail-under 90%" in below.output


def test_a_case_that_reaches_the_missing_outcomes_covers_them(packs):
    text = (packs / "fujian.yaml").read_text(encoding="utf-8") + """\
  - name: a young unit principal
    base: enterprise
    application: {principal: {birth_date: '2010-01-01'}}
    expect: {rules_not_fired: [fj_adult_unit]}
"""
    (packs / "fujian.yaml").write_text(text, encoding="utf-8")
    result = _run("--packs", str(packs), "--coverage", "fujian")
    assert "coverage fujian: 6/6 condition outcomes (100.0%)" in result.output, result.output


def test_bundled_packs_are_covered_and_tracing_agrees_with_evaluation(book):
    recorder = Recorder(book)  # observe() raises CoverageDisagreement if a trace and the matcher differ
    packtests.run_all(book, None, packtests.load_cases([ROOT / "tests" / "cases"]), observe=recorder.observe)
    report = recorder.report()
    assert len(report.packs) == len(book.packs)
    assert not any(p.rules_never_fired for p in report.packs)
    assert report.percent > 90


def test_a_trace_that_disagrees_with_the_evaluation_is_an_error(book, enterprise):
    result = book.evaluate(enterprise)
    assert result.matched
    recorder = Recorder(book)
    with pytest.raises(CoverageDisagreement):
        recorder.observe(dataclasses.replace(result, matched=result.matched[1:]))


def test_only_facts_named_may_be_absent_are_ever_absent(enterprise, individual):
    """A node is reported as possibly unknown only for these facts: derive applications with every
    optional field left out and check nothing else comes out absent."""
    for data in (enterprise, individual):
        bare = copy.deepcopy(dict(load_application(data).data))  # with every default filled in
        bare.pop("application_id", None)
        bare["server"].pop("provider", None)
        for key in ("residence", "business_scope"):
            bare["subject"].pop(key, None)
        bare["subject"]["certificate"].pop("expires_on", None)
        for person in [bare["principal"], *(s.get("manager") or {} for s in bare["websites"])]:
            for key in ("birth_date", "is_legal_representative"):
                person.pop(key, None)
            person.get("certificate", {}).pop("expires_on", None)
        for entry in bare["domains"]:
            entry.pop("verified_on", None)
            entry.pop("registered_on", None)
        for website in bare["websites"]:
            website.pop("remarks", None)
        for doc in bare.get("documents_on_hand", []):
            doc.pop("issued_on", None)
            doc.pop("expires_on", None)
        for variant in (data, bare):
            facts = facts_module.derive(load_application(variant), facts_module.parse_date("2026-01-01"))
            rows = [facts.application, *(item for items in facts.items.values() for item in items)]
            absent = {name for row in rows for name, value in row.items() if value is None}
            assert absent <= facts_module.MAY_BE_ABSENT, absent - facts_module.MAY_BE_ABSENT
