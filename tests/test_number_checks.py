"""ID and credit-code checks are python-stdnum's, with its region database read from the user
cache; and the compiled application schema is current."""

from __future__ import annotations

import pytest
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric

from engine import application
from engine.errors import ApplicationError


@pytest.fixture
def fresh_database(tmp_path, monkeypatch):
    """A temporary user cache, and stdnum as if the region database had never been opened."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(folder))
    monkeypatch.setattr(numdb, "_open_databases", {})
    application._open_region_database.cache_clear()
    application._region_code_known.cache_clear()
    yield folder
    application._open_region_database.cache_clear()
    application._region_code_known.cache_clear()


def _stdnum_knows(code: str, year: str) -> bool:
    try:
        ric.get_birth_place(code + year + "01010000")
    except (stdnum_errors.ValidationError, KeyError):
        return False
    return True


def test_the_region_database_comes_from_the_user_cache_and_answers_as_stdnum(fresh_database, monkeypatch):
    assert application._region_code_known("440106", "1992")
    assert list(fresh_database.glob("stdnum-cn-loc-*.pickle")), "the parsed database was not kept"
    parsed = numdb._open_databases[application.REGION_DATABASE]

    # a new process: stdnum has nothing open, and must not parse the file again
    monkeypatch.setattr(numdb, "_open_databases", {})
    application._open_region_database.cache_clear()
    application._region_code_known.cache_clear()
    monkeypatch.setattr(numdb, "read", lambda *a: pytest.fail("stdnum parsed the database instead of the cached one"))
    codes = ["110101", "110103", "440106", "449999", "110199", "990101", "810000", "320102", "510104"]
    answers = {(code, year): application._region_code_known(code, year)
               for code in codes for year in ("1950", "1985", "2005", "2010", "2011", "2024")}
    cached = numdb._open_databases[application.REGION_DATABASE]
    assert cached is not parsed and cached.prefixes == parsed.prefixes

    monkeypatch.setattr(numdb, "_open_databases", {application.REGION_DATABASE: parsed})
    assert answers == {(code, year): _stdnum_knows(code, year) for code, year in answers}
    assert answers[("440106", "1985")] and not answers[("449999", "1985")]


def test_with_the_cache_off_stdnum_reads_its_database(fresh_database, monkeypatch):
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", "off")
    assert application._region_code_known("440106", "1992")
    assert not list(fresh_database.glob("*"))


@pytest.mark.parametrize("number", ["1234567\n0000000000", "9144030\n0MA5F0000X"])
def test_a_line_break_inside_a_credit_code_is_an_error_not_a_crash(number):
    data = {**VALID, "subject": {"type": "enterprise", "name": "深圳示例科技有限公司",
                                 "certificate": {"type": "business_license", "number": number}}}
    with pytest.raises(ApplicationError) as err:
        application.load(data)
    assert err.value.path == "$.subject.certificate.number"


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


def test_a_remembered_verdict_is_reported_at_every_place_and_in_every_application():
    """The check remembers what is wrong with a number or a domain name, not where: the same bad
    number (the subject's and the principal's) and the same bad domain (a website's and its entry
    in domains[]) are each reported at both places, and again, the same, in the next application."""
    bad_id = "440106199203156781"  # wrong check digit
    data = {**VALID,
            "subject": {**VALID["subject"], "certificate": {"type": "id_card", "number": bad_id}},
            "principal": {**VALID["principal"], "certificate": {"type": "id_card", "number": bad_id}},
            "websites": [{"name": "示例网站", "domains": ["https://example.cn/"]}],
            "domains": [{"name": "https://example.cn/", "registrant_name": "王芳", "registrant_type": "individual",
                         "real_name_verified": True, "expires_on": "2030-01-01"}]}
    reports = []
    for _ in range(2):
        with pytest.raises(ApplicationError) as err:
            application.load(data)
        reports.append(sorted((p.path, p.message) for p in err.value.problems))
    assert reports[0] == reports[1]
    assert [path for path, _ in reports[0]] == ["$.domains[0].name", "$.principal.certificate.number",
                                                "$.subject.certificate.number", "$.websites[0].domains[0]"]
    assert all(bad_id not in message for _, message in reports[0])  # masked, remembered or not
