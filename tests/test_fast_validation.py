"""The compiled application schema check that runs first must never accept what jsonschema rejects.

(Packs have no such fast path: jsonschema checks them, and only when the pack cache misses.)"""

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


# Values a caller's mapping may hold anywhere: dates, numbers where text is wanted (an ID number
# as an int), lone surrogates in text and in keys, str subclasses, tuples.
class _Text(str):
    pass


caller_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6) | st.dates().map(lambda d: d) | st.sampled_from(["\ud800", "a\udfffb", _Text("x"), (1, "\ud800")]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4) | st.just("\udc00"), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(BASES) - 1), st.data(), caller_values)
def test_one_walk_over_a_callers_mapping_is_the_three_walks_it_replaced(which, data, value):
    """``_as_input`` copies, writes dates as text, coerces numbers where the schema wants text and
    collects every text for the lone-surrogate search, in one walk: it must give what
    ``_dates_as_text``, ``_coerce_strings`` and ``refuse_lone_surrogates`` gave one after another."""
    from engine.errors import InputError
    from engine.source import Document, SourceMap, refuse_lone_surrogates

    app = copy.deepcopy(BASES[which])
    path = data.draw(st.sampled_from([p for p in paths(app) if p]))
    target = app
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    reference = application._coerce_strings(application._dates_as_text(dict(app)), SourceMap(None))
    texts: list = []
    walked = application._as_input(dict(app), application._shape(), texts)
    assert walked == reference and repr(walked) == repr(reference)
    try:
        refuse_lone_surrogates(Document(application._dates_as_text(dict(app)), SourceMap(None)))
        refused = None
    except InputError as err:
        refused = err.first.message
    assert (application.first_surrogate("\x00".join(texts)) >= 0) == (refused is not None)
    # and the call as a whole refuses the same lone surrogate, at the same field
    if refused is not None:
        with pytest.raises(InputError) as err:
            application.load(app)
        assert err.value.first.message == refused
