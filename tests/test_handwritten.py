"""bench/handwritten.py, the yardstick of issue 17's first target, stays the same program as the
engine: every rule of the Guangdong rule set has a hand-written version, and the two give the same
result (every firing, every document, reason, finding, piece of advice, footer and timeline in
both languages) on the bench's applications, every national and Guangdong pack case filed in
Guangdong, and the public examples filed there. The packs gained ten rules once without it, and
the bench could only say "not measured". No timing is asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from budget import guangdong_applications  # noqa: E402
from handwritten import Guangdong, NotWrittenByHand, compared_applications, disagreement  # noqa: E402

from engine import RuleBook  # noqa: E402


@pytest.fixture(scope="module")
def book():
    return RuleBook.load(only=["guangdong"])


@pytest.fixture(scope="module")
def hand(book):
    return Guangdong(book.ruleset("guangdong"))  # NotWrittenByHand names any rule it lacks


def test_every_guangdong_rule_is_written_by_hand(book, hand):
    assert [step.__name__ for step in hand.steps] == ["r_" + rule.id for rule in book.ruleset("guangdong").rules]


def test_a_rule_without_a_hand_written_version_is_named(book, monkeypatch):
    monkeypatch.delattr(Guangdong, "r_upload_format")
    with pytest.raises(NotWrittenByHand) as missing:
        Guangdong(book.ruleset("guangdong"))
    assert missing.value.rules == ["upload_format"]


def test_the_hand_written_rules_give_the_engines_results(book, hand):
    compared = compared_applications(book, guangdong_applications(book, 120))
    fired = set()
    for label, app, on in compared:
        engine = book.evaluate(app, as_of=on)
        assert disagreement(engine, hand.evaluate(app, on)) is None, label
        fired.update(f.rule for f in engine.fired)
    # the comparison reaches every rule (a rule no application fires would be compared on nothing)
    assert fired == {rule.id for rule in book.ruleset("guangdong").rules}


def test_a_difference_is_found(book, hand, monkeypatch):
    """The other side: a hand-written rule that drifts is caught, with what differs."""
    app = guangdong_applications(book, 1)[0]
    monkeypatch.setattr(Guangdong, "r_upload_format", lambda self, s: None)
    drifted = Guangdong(book.ruleset("guangdong"))
    found = disagreement(book.evaluate(app, as_of=app.submitted_on), drifted.evaluate(app, app.submitted_on))
    assert found is not None and "upload_format" in found
