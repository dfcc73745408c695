"""Every result validates against schemas/result.schema.json, in both languages."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from engine import bundled

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_examples_match_the_result_schema(book, name, lang):
    data = book.evaluate(EXAMPLES / name).to_dict(lang)
    jsonschema.validate(data, bundled.schema("result"))


def test_offshore_result_matches_the_result_schema(book, enterprise):
    enterprise["server"] = {"location": "overseas"}
    data = book.evaluate(enterprise).to_dict()
    jsonschema.validate(data, bundled.schema("result"))
    assert data["required_documents"] == [] and data["filing_required"] is False
