"""The compiled schema check that runs first must never accept what jsonschema rejects."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import application, packs
from engine.errors import ApplicationError
from engine.source import load_file, parse_text

ROOT = Path(__file__).resolve().parent.parent
BASES = [json.loads(json.dumps(application.load(p).data, default=str)) for p in sorted((ROOT / "examples").glob("*.yaml"))]

values = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=12), st.sampled_from(["2024-02-30", "2024-13-01", "2024-10-08", "20241008", "", "x" * 300]),
                   st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, prefix + (index,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(BASES) - 1), st.data(), values)
def test_fast_check_is_never_more_lenient_than_jsonschema(which, data, value):
    app = copy.deepcopy(BASES[which])
    path = data.draw(st.sampled_from([p for p in paths(app) if p]))
    target = app
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()) and isinstance(target, dict):
        target[str(path[-1]) + data.draw(st.sampled_from(["", "_x"]))] = value  # replace, or add an unknown field
    else:
        target[path[-1]] = value
    if application._schema_valid(app):
        assert not list(application._validator().iter_errors(app)), (path, value)


def test_json_text_is_taken_at_its_word():
    """YAML's unquoted 0755 is text as written; JSON's 0 for a name is a number, and an error."""
    app = copy.deepcopy(BASES[0])
    app["principal"]["name"] = 0
    with pytest.raises(ApplicationError) as err:
        application.check_document(parse_text(json.dumps(app)))
    assert err.value.path == "$.principal.name" and "expected text" in err.value.first.message


# Packs: jsonschema_rs answers first (engine/packs.py), jsonschema explains. Mutations of the bundled packs.
PACKS = [json.loads(json.dumps(load_file(p, max_bytes=4 << 20).data)) for p in sorted((ROOT / "rulepacks").glob("*.yaml"))]
pack_values = st.one_of(values, st.sampled_from(["2024-02-29", "2023-02-29", "２０２４-01-01", "abc\n", "Abc", "a-b", "_a",
                                                  "filing_not_required", "subject.type", "greater_than", 10**30, -1, 0]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(PACKS) - 1), st.data(), pack_values)
def test_fast_pack_check_is_never_more_lenient_than_jsonschema(which, data, value):
    pack = copy.deepcopy(PACKS[which])
    path = data.draw(st.sampled_from([p for p in paths(pack) if p]))
    target = pack
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()) and isinstance(target, dict):
        target[str(path[-1]) + data.draw(st.sampled_from(["", "_x"]))] = value
    else:
        target[path[-1]] = value
    if packs._schema_valid(pack):
        assert not list(packs._validator().iter_errors(pack)), (path, value)


def test_the_fast_pack_check_runs_and_agrees_on_the_bundled_packs():
    assert packs._fast_validator() is not None, "jsonschema-rs is a dependency (pyproject.toml)"
    for pack in PACKS:
        assert packs._schema_valid(pack)
    broken = copy.deepcopy(PACKS[0])
    broken["rules"][0]["when"] = {"fact": "subject.type", "equals": "enterprise", "extra": 1}
    assert not packs._schema_valid(broken) and list(packs._validator().iter_errors(broken))


def test_fast_pack_check_on_every_date_and_id_of_a_pack():
    # Where the two could differ: real dates and the patterns (Python's re and ECMA's disagree on
    # \d, $ before a newline). Every date and snake_case id of the pack, replaced by near misses.
    import re

    base = next(p for p in PACKS if p.get("pack") == "guangdong")
    near_misses = {"date": ["2023-02-29", "２０２４-01-01", "2024-01-01\n"], "id": ["abc\n", "ａbc", "a-b"]}
    checked = 0
    for path in paths(base):
        target = base
        for part in path:
            target = target[part]
        if not isinstance(target, str) or path[0] in ("tests", "fixtures"):  # cases are checked when they run
            continue
        kind = "date" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", target) else "id" if re.fullmatch(r"[a-z][a-z0-9_]*", target) else None
        if kind is None:
            continue
        for value in near_misses[kind]:
            pack = copy.deepcopy(base)
            parent = pack
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
            if packs._schema_valid(pack):
                assert not list(packs._validator().iter_errors(pack)), (path, value)
            checked += 1
    assert checked > 50
