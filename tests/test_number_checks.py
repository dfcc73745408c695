"""ID and credit-code checks computed without importing python-stdnum agree with stdnum itself,
the region table comes back from the user cache, and the compiled application schema is current."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from engine import application
from strategies import credit_codes, id_card_numbers

ASCII = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=24)
# Look-alike dashes and spaces that stdnum maps to ASCII, full-width digits, and CJK text.
UNICODE = st.text(alphabet=st.sampled_from(list("0123456789X -‐–—　－０１２３４５６７８９x号")), max_size=22)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(folder))
    application._region_table.cache_clear()
    application._region_code_known.cache_clear()
    yield folder
    application._region_table.cache_clear()
    application._region_code_known.cache_clear()


def _stdnum_credit_code_problem(number: str) -> str | None:
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        return "checksum"
    except (stdnum_errors.ValidationError, ValueError):
        return "invalid"
    return None


def _ours(number: str) -> str | None:
    problem = application._credit_code_problem(number)
    if problem is None:
        return None
    return "checksum" if "check character" in problem else "invalid"


@settings(max_examples=300, deadline=None)
@given(st.one_of(ASCII, UNICODE))
def test_id_numbers_are_compacted_as_stdnum_does(text):
    assert application._compact_id(text.strip()) == ric.compact(text.strip())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_id_check_digit_is_stdnums(body):
    assert application._id_check_digit(body + "0") == ric.calc_check_digit(body + "0")


@settings(max_examples=300, deadline=None)
@given(id_card_numbers())
def test_generated_id_numbers_pass(number):
    assert application._id_check_digit(number) == number[-1]


def _one_changed(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1:]


@settings(max_examples=400, deadline=None)
@given(credit_codes(), st.integers(0, 17), st.sampled_from(list("0123456789ABCDEFGHJKLMNPQRTUWXYZIOSVaz -")))
def test_credit_codes_are_judged_as_stdnum_judges_them(code, index, char):
    for number in (code, _one_changed(code, index, char), code.lower(), code[:9] + "-" + code[9:]):
        assert _ours(number) == _stdnum_credit_code_problem(number), number


MIXED = st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from(list("‐–—　－０１２３４５６７８９号"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MIXED, min_size=18, max_size=18) | st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY -", max_size=20))
def test_arbitrary_text_is_judged_as_stdnum_judges_it(text):
    number = text.strip()
    assert _ours(number) == _stdnum_credit_code_problem(number), number


def test_a_line_break_is_not_a_digit():
    # stdnum's digit pattern ends in $, which matches before a final line break, and then fails
    # inside its checksum with a ValueError: here it is simply not a credit code.
    assert _ours("1234567\n0000000000") == "invalid"


def test_region_codes_and_years_agree_with_stdnum(cache_dir):
    table = application._region_table()
    assert len(table) > 3000 and "110101" in table
    codes = sorted(table) + ["449999", "110199", "990101", "810000"]
    for code in codes:
        for year in ("1950", "1985", "2005", "2010", "2011", "2024"):
            try:
                ric.get_birth_place(code + year + "01010000")
                expected = True
            except (stdnum_errors.ValidationError, KeyError):
                expected = False
            assert application._region_code_known(code, year) is expected, (code, year)


def test_the_region_table_comes_from_the_user_cache(cache_dir, monkeypatch):
    first = application._region_table()
    assert list(cache_dir.glob("id-region-codes-*.pickle"))
    application._region_table.cache_clear()
    from stdnum import numdb

    monkeypatch.setattr(numdb, "get", lambda name: pytest.fail("the table was rebuilt instead of read from the cache"))
    assert application._region_table() == first


VALID = {"filing_province": "guangdong",
         "subject": {"type": "individual", "name": "王芳",
                     "certificate": {"type": "id_card", "number": "440106199203156782"}},
         "principal": {"name": "王芳", "identity": "mainland",
                       "certificate": {"type": "id_card", "number": "440106199203156782"}}}
BROKEN = ({**VALID, "submitted_on": "2024-02-30"}, {**VALID, "unknown": 1}, {"subject": {}})


def test_the_compiled_schema_module_is_current():
    from engine import bundled, compiled_application_schema as compiled

    assert compiled.SCHEMA_DIGEST == application._schema_digest(bundled.schema("application")), \
        "schemas/application.schema.json changed: run `make compiled-schema`"
    import fastjsonschema

    if f"fastjsonschema {fastjsonschema.VERSION}:" in application.COMPILED_SCHEMA.read_text(encoding="utf-8"):
        assert application.COMPILED_SCHEMA.read_text(encoding="utf-8") == application.compiled_schema_source(), \
            "engine/compiled_application_schema.py was edited by hand: run `make compiled-schema`"


def test_a_schema_newer_than_its_compiled_module_is_compiled_when_used(monkeypatch):
    import fastjsonschema

    from engine import compiled_application_schema as compiled

    application._fast_validator.cache_clear()
    monkeypatch.setattr(compiled, "SCHEMA_DIGEST", "an older schema")
    monkeypatch.setattr(compiled, "validate", lambda *a, **k: pytest.fail("the stale module was used"))
    try:
        validate = application._fast_validator()
        validate(dict(VALID))
        for broken in BROKEN:
            with pytest.raises(fastjsonschema.JsonSchemaException):
                validate(broken)
    finally:
        application._fast_validator.cache_clear()


def test_with_the_cache_off_the_region_table_is_built_in_process(monkeypatch):
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", "off")
    application._region_table.cache_clear()
    try:
        assert "440106" in application._region_table()
    finally:
        application._region_table.cache_clear()
