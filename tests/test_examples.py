"""The public examples give exactly what ../shared/spec/examples/README.md lists (the three there), and
the app and mini-program examples what examples/README.md lists for them."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The principal manages the websites too: the certificate is asked once, naming both roles (SPEC §7).
BASIC = {"subject_certificate", "principal_certificate", "verification_form"}


def _docs(result):
    return {d["id"]: d for d in result.to_dict()["required_documents"]}


def test_guangdong_enterprise_many_domains(book):
    result = book.evaluate(EXAMPLES / "guangdong-enterprise-many-domains.yaml")
    docs = _docs(result)
    assert set(docs) == BASIC | {"website_construction_plan", "provider_guarantee_letter", "commitment_letter"}
    plan_for = [(t["kind"], t["ref"]) for t in docs["website_construction_plan"]["for"]]
    assert plan_for == [("domain", "yunfan-docs.com"), ("domain", "yunfan-blog.cn")]
    data = result.to_dict()
    assert data["footer"]["number_kind"] == "subject"
    assert data["footer"]["number"] == "粤ICP备12345678号"
    assert not result.blocking
    assert "32" in docs["website_construction_plan"]["reasons"][0]["text"]
    [reason] = docs["principal_certificate"]["reasons"]
    assert "主体负责人" in reason["text"] and "网站负责人" in reason["text"]


def test_fujian_individual_cross_province(book):
    result = book.evaluate(EXAMPLES / "fujian-individual-cross-province.yaml")
    docs = _docs(result)
    assert set(docs) == {"subject_certificate", "verification_form", "residence_permit"}
    assert docs["residence_permit"]["for"] == [{"kind": "person", "ref": "王芳"}]
    assert result.to_dict()["footer"]["copyright_required"] is True


def test_sichuan_trading_company(book):
    result = book.evaluate(EXAMPLES / "sichuan-trading-company.yaml")
    docs = _docs(result)
    assert {"authorization_letter", "employment_proof", "business_statement"} <= set(docs)
    assert docs["employment_proof"]["max_age_days"] == 45
    blocking = [f for f in result.to_dict()["findings"] if f["severity"] == "blocking"]
    assert [(f["id"], f["ref"]) for f in blocking] == [("document_too_old", "employment_proof")]
    assert "99" in blocking[0]["message"] and "45" in blocking[0]["message"]
    assert blocking[0]["rule"] == "sc_employment_proof_other_filings"


def test_shanghai_company_app(book):
    result = book.evaluate(EXAMPLES / "shanghai-company-app.yaml")
    docs = _docs(result)
    assert set(docs) == {"subject_certificate", "principal_certificate", "app_manager_certificate", "verification_form",
                         "app_icon", "authorization_letter", "handheld_id_photo", "commitment_letter"}
    assert docs["handheld_id_photo"]["for"] == [{"kind": "person", "ref": "刘洋"}]
    assert result.to_dict()["footer"]["apps"][0]["shown"] == "沪ICP备20241234号-NA"
    assert not result.blocking


def test_zhejiang_individual_mini_program(book):
    result = book.evaluate(EXAMPLES / "zhejiang-individual-mini-program.yaml")
    docs = _docs(result)
    assert set(docs) == {"subject_certificate", "verification_form", "app_icon", "pre_approval"}
    assert docs["app_icon"]["for"] == [{"kind": "app", "ref": "周敏的读书会"}]
    assert result.to_dict()["footer"]["apps"][0]["shown"] == "浙ICP备XXXXXXXX号-NX"
    assert not result.blocking


def test_results_are_deterministic(book):
    path = EXAMPLES / "guangdong-enterprise-many-domains.yaml"
    assert book.evaluate(path).to_dict() == book.evaluate(path).to_dict()
