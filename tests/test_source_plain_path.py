"""engine/source.py reads plain YAML in one pass over libyaml's events (``_build_plain``) and leaves
everything else to the general path (``_parse_composed``): both must give the same values (types
included), positions and raw scalars, and the same problems, for any text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import source
from engine.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted({*ROOT.glob("rulepacks/*.yaml"), *ROOT.glob("examples/*.yaml"), *ROOT.glob("tests/**/*.yaml"),
                 *ROOT.glob("tests/bad_inputs/**/*.json")})


def _typed(value):
    """Values compared with their types: True == 1 and 1 == 1.0 in Python, not in a document."""
    if isinstance(value, dict):
        return ("map", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _outcome(parse, text: str):
    try:
        data, found = parse(text, "doc.yaml", None)
    except InputError as exc:
        return ("error", [(p.message, p.file, p.line, p.column, p.path) for p in exc.problems])
    return ("ok", _typed(data), found.positions, found.key_positions, found.raw)


def _same(text: str) -> None:
    general = _outcome(source._parse_composed, text)
    assert _outcome(source._parse_yaml, text) == general


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_the_same(path):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: refused before parsing")
    _same(text)


EDGES = [
    "", "---\n", "# only a comment\n", "a: 1\n", "- 1\n- 2\n", "plain", "'quoted'", "~", "null: 1\n",
    "a: &x 1\nb: *x\n", "a: &x [1, 2]\nb: *x\n", "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "'<<': 1\n", "<<: {a: 1}\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "a: !!str 1\n", "a: !!int '7'\n",
    "a: !!python/object:os.system x\n", "a: ! 12\n", "a: !!map {b: 1}\n", "!!set {a, b}\n", "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n", "1: one\n2.5: two\ntrue: three\n", "a: .nan\n", "a: -.inf\n", "a: 1e400\n",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 1:30\nf: +12\n", "a: yes\nb: No\nc: on\nd: ~\ne: ''\n",
    "a: 2024-02-30\nb: 2024-01-01 10:00:00\n", "a: [1, {b: [2, {c: 3}]}]\n", "a:\n  - b: 1\n    c: 2\n  - []\n  - {}\n",
    "a: [1, 2\n", "a: b: c\n", "\tx: 1\n", "a: \x07\n", "[" * 300 + "]" * 300, "{a: " * 250 + "1" + "}" * 250,
    "- " + "[" * 199 + "]" * 199 + "\n", "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "a: 'it''s'\nb: \"tab\\there\"\n", "x: &a [1]\n", "? a\n", "a:\nb:\n",
]


@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_read_the_same(text):
    _same(text)


def test_a_document_with_more_values_than_allowed_reads_the_same(monkeypatch):
    monkeypatch.setattr(source, "MAX_NODES", 50)
    _same("[" + ", ".join(str(i) for i in range(60)) + "]")
    _same("[" + ", ".join(str(i) for i in range(40)) + "]")


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.text(max_size=12), st.dates().map(dt.date.isoformat),
                    st.sampled_from(["yes", "no", "on", "off", "~", "null", "1:30", "0x1f", "<<", "- a", "a: b", "#x"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'", "|"]))
def test_generated_documents_read_the_same(data, flow, style):
    try:
        text = yaml.safe_dump({"root": data}, default_flow_style=flow, default_style=style, allow_unicode=True)
    except yaml.YAMLError:
        return
    _same(text)


@pytest.mark.parametrize("path", sorted([*ROOT.glob("rulepacks/*.yaml"), *ROOT.glob("examples/*.yaml")]),
                         ids=lambda p: p.name)
def test_packs_and_examples_take_the_plain_path(path):
    # Otherwise the comparisons above would compare the general path with itself.
    text = path.read_text(encoding="utf-8")
    assert source._build_plain(text, source.SourceMap(str(path), text=text)) is not None
