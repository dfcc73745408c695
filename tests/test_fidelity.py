"""Answers an outside review found wrong (issue 14), each pinned where a pack case cannot say it:
input errors for applications whose parts contradict each other, and messages that tell people apart."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import ApplicationError
from engine.cli import cli


@pytest.fixture
def enterprise(book):
    app = json.loads(json.dumps(book.rulesets["national"].fixtures["enterprise"], default=str))
    return copy.deepcopy(app)


def _problems(book, app):
    with pytest.raises(ApplicationError) as err:
        book.evaluate(app)
    return err.value.problems


def test_a_website_domain_missing_from_domains_is_an_input_error(book, enterprise):
    enterprise["websites"][0]["domains"].append("example-shop.cn")
    [problem] = _problems(book, enterprise)
    assert problem.path == "$.websites[0].domains[1]" and "example-shop.cn" in problem.message
    assert "domains[]" in problem.message


def test_host_names_under_a_listed_registered_domain_stay_valid(book, enterprise):
    enterprise["websites"][0]["domains"] = ["example-tech.com", "www.example-tech.com", "blog.example-tech.com"]
    assert book.evaluate(enterprise).to_dict()["findings"] == []


@pytest.mark.parametrize("where, value", [
    (("domains", 0, "verified_on"), "2024-10-09"),
    (("domains", 0, "registered_on"), "2025-01-01"),
    (("principal", "birth_date"), "2024-10-09"),
])
def test_a_date_after_the_submission_is_an_input_error_naming_the_field(book, enterprise, where, value):
    target = enterprise
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    [problem] = _problems(book, enterprise)
    assert problem.path == "$." + ".".join(f"{p}" if isinstance(p, str) else f"[{p}]" for p in where).replace(".[", "[")
    assert where[-1] in problem.message and "2024-10-08" in problem.message


def test_an_issue_date_after_the_submission_is_an_input_error(book, enterprise):
    enterprise["documents_on_hand"] = [{"id": "authorization_letter", "issued_on": "2024-10-09"}]
    [problem] = _problems(book, enterprise)
    assert problem.path == "$.documents_on_hand[0].issued_on"


def test_the_submission_day_itself_is_fine(book, enterprise):
    enterprise["domains"][0]["verified_on"] = "2024-10-08"
    enterprise["documents_on_hand"] = [{"id": "authorization_letter", "issued_on": "2024-10-08"}]
    book.evaluate(enterprise)


def test_the_cli_answers_exit_2_with_the_field(tmp_path, enterprise):
    enterprise["domains"][0]["registered_on"] = "2030-01-01"
    path = tmp_path / "app.json"
    path.write_text(json.dumps(enterprise, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "registered_on" in result.output and "Traceback" not in result.output


def test_a_document_for_nobody_in_the_application_is_an_input_error(book, enterprise):
    enterprise["documents_on_hand"] = [{"id": "authorization_letter", "for": {"kind": "person", "ref": "110101199001011237"}}]
    [problem] = _problems(book, enterprise)
    assert problem.path == "$.documents_on_hand[0].for.ref"


def test_two_letters_for_two_people_name_whose_letter_is_too_old(book, enterprise):
    enterprise["principal"]["is_legal_representative"] = False
    enterprise["websites"][0]["manager"] = {
        "name": "王芳", "identity": "mainland", "is_legal_representative": False,
        "certificate": {"type": "id_card", "number": "110101199001011237", "expires_on": "2036-01-01"}}
    enterprise["documents_on_hand"] = [
        {"id": "authorization_letter", "issued_on": "2024-01-01", "for": {"kind": "person", "ref": "110105198805051227"}},
        {"id": "authorization_letter", "issued_on": "2024-08-01", "for": {"kind": "person", "ref": "110101199001011237"}}]
    result = book.evaluate(enterprise).to_dict("zh")
    [finding] = [f for f in result["findings"] if f["id"] == "document_too_old"]
    assert finding["id"] == "document_too_old" and "李娜" in finding["message"] and "王芳" not in finding["message"]
    assert "110105198805051227" not in json.dumps(result, ensure_ascii=False)


def test_seed_claims_reach_the_checklist_as_advice_in_every_format(book, enterprise):
    result = book.evaluate(enterprise)
    advice = {a["rule"]: a["text"] for a in result.to_dict("zh")["advice"]}
    assert {"agent_brings_identity", "domains_closed_until_approved", "registrar_approved_and_domestic",
            "upload_format"} <= set(advice)
    assert "200 KB–4 MB" in advice["upload_format"]
    for fmt, heading in (("md", "## 办理提示"), ("text", "办理提示"), ("html", "<h2>办理提示</h2>")):
        out = result.render(format=fmt, lang="zh")
        assert heading in out and "2018年1月1日" in out
    assert "Advice" in result.render(format="md", lang="en")


def test_an_offshore_server_still_owes_the_public_security_filing(book, enterprise):
    enterprise["server"] = {"location": "overseas"}
    data = book.evaluate(enterprise).to_dict("zh")
    assert data["filing_required"] is False and data["required_documents"] == []
    assert [a["rule"] for a in data["advice"]] == ["filing_not_required_offshore"]
    assert "公安联网备案" in data["advice"][0]["text"]


def test_an_app_managers_document_and_birth_date_are_checked_like_a_website_managers(book):
    # check_consistency knew the principal and the websites' managers only: a letter for an app's
    # manager was refused as for nobody, and an app manager's birth date was never checked
    from engine import application
    from engine.source import load_file

    app = application.as_written(load_file(Path(__file__).resolve().parent.parent / "examples" / "shanghai-company-app.yaml"))
    app["documents_on_hand"] = [{"id": "authorization_letter", "issued_on": "2024-09-01",
                                 "for": {"kind": "person", "ref": "310101198603122017"}}]
    book.evaluate(app)
    app["apps"][0]["manager"]["birth_date"] = "2030-01-01"
    [problem] = _problems(book, app)
    assert problem.path == "$.apps[0].manager.birth_date"
