"""Property tests: valid applications never crash and are deterministic; broken ones fail cleanly.

Examples are bounded (100 per property; HYPOTHESIS_EXAMPLES changes it) and the example database
is off, so the file takes seconds and leaves nothing behind.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import yaml
import os

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from strategies import applications, mutated_applications

from engine import RuleBook, bundled
from engine.errors import IcpRulesError
from engine.source import parse_text

# Not the session fixture: hypothesis prints its arguments, and a RuleBook's repr is enormous.
BOOK = RuleBook.load()
RESULT_SCHEMA = jsonschema.Draft202012Validator(bundled.schema("result"))

# Shrinking a failure can take minutes; `make test` reports the first failing example as drawn,
# and HYPOTHESIS_SHRINK=1 asks for the minimal one when debugging.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if os.environ.get("HYPOTHESIS_SHRINK") else [])
BOUNDED = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")), deadline=None, database=None,
                   phases=PHASES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@BOUNDED
@given(applications())
def test_valid_applications_give_a_result_and_the_same_one_twice(app):
    original = copy.deepcopy(app)
    first = BOOK.evaluate(app)
    second = BOOK.evaluate(copy.deepcopy(app))
    assert app == original, "evaluation must not change the caller's data"
    for lang in ("zh", "en"):
        data = first.to_dict(lang)
        assert data == second.to_dict(lang)
        RESULT_SCHEMA.validate(data)
    assert first.render(format="md") == second.render(format="md")
    assert json.loads(first.render(format="json")) == first.to_dict("zh")


@BOUNDED
@given(applications(province="guangdong"))
def test_guangdong_applications_give_a_result(app):
    assert BOOK.evaluate(app).to_dict()["province"]["key"] == "guangdong"


@BOUNDED
@given(mutated_applications())
def test_mutated_applications_give_a_result_or_a_clean_error(app):
    try:
        result = BOOK.evaluate(app)
    except IcpRulesError as exc:
        assert exc.problems, "an error must say what is wrong"
        for problem in exc.problems:
            assert problem.message and problem.path.startswith("$")
        return
    result.to_dict()
    result.render(format="md")


def _mutate_text(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length:]
    return text


@BOUNDED
@given(applications(), st.sampled_from(["json", "yaml"]),
       st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 5),
                          st.sampled_from(["", "{", "}", "[", "]", ":", ",", '"', "'", "\n", " ", "-", "&a", "*a",
                                           "!!python/object:os.system", "\\u0000", "NaN", "1e999", "\t"])),
                min_size=1, max_size=4))
def test_damaged_text_gives_a_result_or_a_clean_error(app, kind, edits):
    text = json.dumps(app, ensure_ascii=False) if kind == "json" else yaml.safe_dump(app, allow_unicode=True)
    damaged = _mutate_text(text, edits)
    try:
        document = parse_text(damaged, f"app.{kind}")
        result = BOOK.evaluate(document.data)
    except IcpRulesError as exc:
        assert exc.problems
        return
    result.to_dict()


# What engine/text.py did with regular expressions before they were made lazy or replaced (issue
# 17's cold start): the same answers on any text, surrogates, CJK and spaces included.
_TEXT_ALPHABET = st.one_of(st.characters(), st.sampled_from(" \u3000\u200b\u202e\ud800\udfff中文\U00020000a"))


@given(st.text(alphabet=_TEXT_ALPHABET, max_size=40))
def test_text_helpers_answer_as_their_regular_expressions_did(text):
    import re
    import unicodedata

    from engine.text import first_surrogate, neutralise, normalise

    found = re.search("[\ud800-\udfff]", text)
    assert first_surrogate(text) == (found.start() if found else -1)
    unsafe = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
    assert neutralise(text) == re.sub(unsafe, "", text)
    cjk = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
    if not (text.isascii() and text.isprintable() and "  " not in text and text == text.strip()):
        folded = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
        expected = re.sub(f"(?<=[{cjk}]) (?=[{cjk}])", "", re.sub(r"\s+", " ", folded)).strip()
        assert normalise(text) == expected
