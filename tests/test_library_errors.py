"""SPEC §8: whatever goes wrong, callers get an IcpRulesError carrying its location as attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import IcpRulesError, RuleBook

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "sichuan-trading-company.yaml"


@pytest.mark.parametrize(("call", "where"), [
    (lambda b: b.evaluate(APP, as_of="2024-13-01"), "as_of"),
    (lambda b: b.explain(APP, as_of="2024-13-01"), "as_of"),
    (lambda b: __import__("engine.batch").batch.check_partition(["{}"], as_of="2024-13-01"), "as_of"),
    (lambda b: b.evaluate(42), "$"),
    (lambda b: b.evaluate(["not", "a", "mapping"]), "$"),
    (lambda b: b.evaluate(ROOT / "no-such-file.yaml"), "$"),
    (lambda b: b.evaluate({"filing_province": "fujain"}), "$"),
    (lambda b: b.evaluate(APP, pack="nowhere"), "$"),
    (lambda b: b.evaluate(APP).render(format="pdf"), "$"),
    (lambda b: b.evaluate(APP).render(lang="fr"), "$"),
    (lambda b: RuleBook.load(ROOT / "no-such-dir"), "$"),
    (lambda b: RuleBook.load(APP), "$"),
    (lambda b: RuleBook.load(backend="fortran"), "$"),
])
def test_every_failure_is_an_icp_rules_error_with_location_attributes(book, call, where):
    with pytest.raises(IcpRulesError) as caught:
        call(book)
    error = caught.value
    assert error.problems and str(error)
    for name in ("file", "line", "column", "path", "suggestion"):
        assert hasattr(error, name)
    assert (error.path or "$").startswith(where)
