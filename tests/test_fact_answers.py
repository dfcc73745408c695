"""Each fact says where in the application its answer is written (engine.facts.ANSWERS), so the
intake page's "still missing" panel marks the right fields: every fact of the catalogue has such
places, and each is a field the application schema has."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine import bundled, facts


def _schema_at(path: str) -> Any:
    """The schema of the field at a JSON path with [*] for list items, else KeyError."""
    root = bundled.schema("application")
    node = root
    for part in re.findall(r"\.[^.[]+|\[\*\]", path[1:]):
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        node = node["items"] if part == "[*]" else node["properties"][part[1:]]
    assert re.fullmatch(r"\$(?:\.[a-z0-9_]+|\[\*\])*", path), path
    return node


def test_every_fact_says_where_its_answer_is_written():
    assert set(facts.ANSWERS) == {fact.name for fact in facts.CATALOGUE}


@pytest.mark.parametrize("name", sorted(facts.ANSWERS))
def test_each_place_is_a_field_of_the_application(name):
    places = facts.ANSWERS[name]
    assert places, name
    for path in places:
        try:
            _schema_at(path)
        except KeyError:
            pytest.fail(f"{name}: {path} is not a field of schemas/application.schema.json")


def test_a_derived_fact_points_at_the_answer_it_is_derived_from():
    # the days and months of a domain's registration are asked as its registration date
    assert facts.ANSWERS["domain.months_since_registration"] == ("$.domains[*].registered_on",)
    assert "$.principal.birth_date" in facts.ANSWERS["person.age"]
