from __future__ import annotations

import pytest

from engine import application
from engine.errors import ApplicationError
from engine.source import parse_text


def _load(text: str):
    return application.check_document(parse_text(text, "app.yaml"))


BASE = """\
filing_province: {province}
subject:
  type: individual
  name: 王芳
  certificate: {{type: id_card, number: {number}}}
principal:
  name: 王芳
  identity: mainland
  certificate: {{type: id_card, number: {number}}}
"""


def _app(province="fujian", number="440106199203156782", extra=""):
    return BASE.format(province=province, number=number) + extra


@pytest.mark.parametrize("spelling", ["fujian", "35", "350000", "闽", "福建", "福建省", 35])
def test_every_province_spelling_is_accepted(spelling):
    assert _load(_app(province=spelling)).province.key == "fujian"


def test_unknown_province_is_located_with_a_suggestion():
    with pytest.raises(ApplicationError) as err:
        _load(_app(province="fujain"))
    problem = err.value.problems[0]
    assert (problem.line, problem.column, problem.path) == (1, 18, "$.filing_province")
    assert problem.suggestion == "fujian"


def test_misspelled_field_names_the_closest_known_one():
    with pytest.raises(ApplicationError) as err:
        _load(_app(extra="submited_on: 2024-10-08\n"))
    problem = err.value.problems[0]
    assert problem.suggestion == "submitted_on"
    assert problem.line == 10 and problem.path == "$.submited_on"
    assert "did you mean 'submitted_on'" in problem.format()


def test_impossible_date_is_located():
    with pytest.raises(ApplicationError) as err:
        _load(_app(extra="submitted_on: 2024-02-30\n"))
    assert err.value.line == 10 and "not a valid date" in str(err.value)


def test_bad_id_checksum_names_the_field():
    with pytest.raises(ApplicationError) as err:
        _load(_app(number="440106199203156783"))
    paths = [p.path for p in err.value.problems]
    assert paths == ["$.subject.certificate.number", "$.principal.certificate.number"]
    assert "check digit" in str(err.value)


def test_bad_credit_code_checksum():
    text = _app().replace("type: individual", "type: enterprise").replace(
        "certificate: {type: id_card, number: 440106199203156782}\nprincipal",
        "certificate: {type: business_license, number: 91440300MA5F00001B}\nprincipal")
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert err.value.path == "$.subject.certificate.number"
    assert "credit code" in str(err.value)


def test_unknown_region_in_a_valid_id_is_only_a_warning():
    # 449999 is not a county code, but the checksum is right: old IDs keep retired codes.
    from stdnum.cn import ric
    base = "44999919920315678"
    number = base + ric.calc_check_digit(base + "0")
    app = _load(_app(number=number))
    assert app.warnings and app.warnings[0].severity == "warning"


def test_unquoted_numbers_keep_their_exact_text():
    app = _load(_app(number="44030519900101123X").replace("王芳", "李明"))
    assert app.data["principal"]["certificate"]["number"] == "44030519900101123X"
    app = _load(_app(number="440106199203156782"))
    assert app.data["principal"]["certificate"]["number"] == "440106199203156782"


def test_wrong_types_and_enums_are_explained():
    text = _app().replace("identity: mainland", "identity: mainlnd") + "operating: maybe\n"
    with pytest.raises(ApplicationError) as err:
        _load(text)
    messages = {p.path: p for p in err.value.problems}
    assert messages["$.principal.identity"].suggestion == "mainland"
    assert "true or false" in messages["$.operating"].message


def test_missing_required_field():
    text = "\n".join(line for line in _app().splitlines() if not line.startswith("filing_province"))
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert "missing required field 'filing_province'" in str(err.value)


def test_invalid_domain_name():
    text = _app(extra="websites:\n  - {name: 博客园地, domains: ['bad..example']}\n")
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert err.value.path == "$.websites[0].domains[0]"


@pytest.mark.parametrize("domain", ["bad..example", "a\\n.example", "-a.example", "a-.example", "x.-", "a_b.example",
                                    "x" * 64 + ".example", "nosuffix"])
def test_every_label_of_a_domain_is_checked(domain):
    text = _app(extra=f'websites:\n  - {{name: 博客园地, domains: ["{domain}"]}}\n')
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert err.value.path == "$.websites[0].domains[0]"


@pytest.mark.parametrize("domain", ["a.example", "a-b.c-d.example", "x" * 63 + ".example", "例子.中国"])
def test_valid_domains_pass(domain):
    app = _load(_app(extra=f'websites:\n  - {{name: 博客园地, domains: ["{domain}"]}}\n'))
    assert app.data["websites"][0]["domains"] == [domain]


def test_defaults_are_filled():
    app = _load(_app())
    assert app.data["filing_type"] == "first_filing"
    assert app.data["server"]["location"] == "mainland"
    assert app.data["websites"] == []


def test_invalid_filed_domain_is_an_input_error_not_a_crash():
    # Found by the property tests: a filed domain reached the IDNA encoder unchecked.
    text = _app().replace("  certificate: {type: id_card, number: 440106199203156782}\nprincipal",
                          "  certificate: {type: id_card, number: 440106199203156782}\n"
                          "  existing: {filed_domains: [ok.cn, \"\\u202e.com\"]}\nprincipal", 1)
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert err.value.path == "$.subject.existing.filed_domains[1]" and err.value.line == 6


def test_a_mapping_from_yaml_safe_load_with_date_objects_is_accepted(book):
    import datetime as dt
    from pathlib import Path

    import yaml

    from engine import application as app_module

    examples = Path(__file__).resolve().parent.parent / "examples"
    data = yaml.safe_load((examples / "sichuan-trading-company.yaml").read_text(encoding="utf-8"))
    assert isinstance(data["submitted_on"], dt.date)
    data["principal"]["certificate"]["number"] = "510104199001011230"
    checked = app_module.load(data)
    assert checked.submitted_on.isoformat() == "2024-10-08"
    assert book.evaluate(data).to_dict() == book.evaluate(examples / "sichuan-trading-company.yaml").to_dict()
