"""Post-filing duties of the national pack reach the result: footer link, public security and change filings."""

from __future__ import annotations


def test_timeline_lists_public_security_and_change_filing_duties(book, individual):
    steps = {s["id"]: s for s in book.evaluate(individual).to_dict()["timeline"]["steps"]}
    assert steps["public_security_filing"]["days_after_launch"] == 30
    assert steps["change_filing"]["days_after_change"] == 30


def test_checklist_names_the_change_filing_duty_in_both_languages(book, individual):
    result = book.evaluate(individual)
    assert "变化后 30 日内" in result.render(format="md", lang="zh")
    assert "within 30 days of the change" in result.render(format="md", lang="en")
