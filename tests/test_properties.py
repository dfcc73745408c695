"""Property tests: valid applications never crash and are deterministic; broken ones fail cleanly.

Examples are bounded (100 per property; HYPOTHESIS_EXAMPLES changes it) and the example database
is off, so the file takes seconds and leaves nothing behind.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import jsonschema
import yaml
import os
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from strategies import applications, mutated_applications, persons

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


@st.composite
def _inconsistent_applications(draw: Any) -> tuple[dict[str, Any], dt.date]:
    """A valid application with one kind of what check_consistency refuses (or nearly refuses)
    done to it, and an evaluation date: dates around it, a website domain not described, documents
    on hand for a person or a domain that is or is not in the application."""
    app = draw(applications())
    on = draw(st.dates(min_value=dt.date(2014, 6, 1), max_value=dt.date(2041, 6, 1)))
    around = st.dates(min_value=on - dt.timedelta(days=2), max_value=on + dt.timedelta(days=2)).map(dt.date.isoformat)
    edit = draw(st.sampled_from(["none", "domain_dates", "birth_dates", "website_manager_born_after",
                                 "app_manager_born_after", "undescribed", "documents_for", "documents_issued"]))
    if edit == "domain_dates":
        for entry in app.get("domains", []):
            for key in ("verified_on", "registered_on"):
                if draw(st.booleans()):
                    entry[key] = draw(around)
    elif edit == "birth_dates":
        people_by_number: dict[str, list[dict[str, Any]]] = {}  # one number is one person: one birth date
        for person in [app["principal"], *(item["manager"] for item in app.get("websites", []) if "manager" in item)]:
            people_by_number.setdefault(person["certificate"]["number"], []).append(person)
        for same in people_by_number.values():
            born = draw(around)
            for person in same:
                person["birth_date"] = born
    elif edit in ("website_manager_born_after", "app_manager_born_after"):
        # a manager alone born after the day, of a website or of an app: the walk must read every
        # manager, not only the principal (birth_dates rarely gives a manager alone a late date)
        app["principal"].pop("birth_date", None)
        manager = draw(persons())
        manager["birth_date"] = (on + dt.timedelta(days=draw(st.integers(1, 2)))).isoformat()
        if edit == "website_manager_born_after" and app.get("websites"):
            app["websites"][0]["manager"] = manager
        else:
            app["apps"] = [*app.get("apps", []), {"name": "记账本", "manager": manager}]
    elif edit == "undescribed":
        for site in app.get("websites", []):
            if draw(st.booleans()):
                site["domains"].append(draw(st.sampled_from(["undescribed-example.cn", "www.undescribed.com"])))
    elif edit == "documents_for":
        people = [app["principal"]["certificate"]["number"], "110101199003070000"]
        domains = [entry["name"] for entry in app.get("domains", [])] + ["not-in-this-application.cn"]
        app["documents_on_hand"] = app.get("documents_on_hand", []) + [
            {"id": "authorization_letter", "for": draw(st.sampled_from([
                {"kind": "person", "ref": draw(st.sampled_from(people))},
                {"kind": "domain", "ref": draw(st.sampled_from(domains))}]))}]
    elif edit == "documents_issued":
        app["documents_on_hand"] = app.get("documents_on_hand", []) + [
            {"id": "authorization_letter", "issued_on": draw(around)}]
    return app, on


@given(_inconsistent_applications())
@BOUNDED
def test_the_quick_consistency_walk_passes_only_what_the_full_check_passes(case):
    # check_consistency runs the full, locating check only when the quick walk cannot prove the
    # application consistent: the walk must never pass what the full check refuses.
    from engine import application, facts
    from engine.errors import ApplicationError

    data, on = case
    try:
        app = application.load(data)
    except IcpRulesError:
        return  # an edit the application check refuses first (e.g. an impossible birth date)

    def refused(check: Any) -> list[Any] | None:
        try:
            check(app, on)
        except ApplicationError as error:
            return [(p.path, p.message) for p in error.problems]
        return None

    full = refused(facts._inconsistencies)
    if facts._plainly_consistent(app.data, on):
        assert full is None
    assert refused(facts.check_consistency) == full
