"""Every test case written inside a rule pack runs as its own pytest item."""

from __future__ import annotations

import pytest

from engine import RuleBook, packtests

_BOOK = RuleBook.load()
_CASES = list(packtests.iter_cases(_BOOK))


@pytest.mark.parametrize(
    ("ruleset", "index", "case"), _CASES,
    ids=[f"{rs.key}:{i}:{case['name']}" for rs, i, case in _CASES],
)
def test_pack_case(ruleset, index, case):
    outcome = packtests.run_case(_BOOK, ruleset, index, case)
    assert outcome.passed, "\n".join(outcome.failures)


def test_every_rule_is_fired_by_some_test():
    outcomes = packtests.run_all(_BOOK)
    assert packtests.uncovered_rules(_BOOK, outcomes) == []


def test_a_failing_expectation_is_reported_readably(book):
    ruleset = book.rulesets["national"]
    case = {"name": "wrong on purpose", "base": "individual",
            "expect": {"documents": ["subject_certificate"], "findings": ["document_too_old"]}}
    outcome = packtests.run_case(book, ruleset, 0, case)
    assert not outcome.passed
    text = "\n".join(outcome.failures)
    assert "+ unexpected: verification_form" in text
    assert "- missing: document_too_old" in text
