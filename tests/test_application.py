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


# --- apps[] (SPEC §3): package names per platform, mini program AppIDs, signature MD5 ----------

def _apps(service_type: str, items: str) -> str:
    return _app(extra=f"service_type: {service_type}\napps:\n{items}")


def test_an_app_filing_without_apps_stays_valid():
    app = _load(_app(extra="service_type: app\n"))
    assert app.data["apps"] == [] and app.data["service_type"] == "app"


def test_an_app_takes_the_filing_service_type_as_its_kind():
    app = _load(_apps("mini_program", "  - {name: 榕城摄影小助手, package: wx0123456789abcdef}\n"))
    assert app.data["apps"][0]["kind"] == "mini_program"
    # apps[] in a website filing are apps
    app = _load(_apps("website", "  - {name: 榕城摄影日历, package: com.wangfang.photo, platforms: [android]}\n"))
    assert app.data["apps"][0]["kind"] == "app"


@pytest.mark.parametrize("platforms, package", [
    ("[android]", "com.wangfang.photo_2"), ("[ios]", "com.wang-fang.2photo"), ("[ios]", "photos"),
    ("[harmony]", "com.wangfang.photo"), ("[android, ios, harmony]", "com.wangfang.photo"),
    ("[other]", "任意写法"), ("[]", "com.wangfang.photo"),
])
def test_valid_package_names_pass(platforms, package):
    text = _apps("app", f"  - {{name: 榕城摄影日历, platforms: {platforms}, package: '{package}'}}\n")
    assert _load(text).data["apps"][0]["package"] == package


@pytest.mark.parametrize("platforms, package, words", [
    ("[android]", "photo", "Android package name"),                # one segment
    ("[android]", "com.2wangfang", "Android package name"),        # a segment starting with a digit
    ("[android]", "com.wang-fang", "Android package name"),        # hyphen
    ("[android, ios]", "com.wang-fang", "Android package name"),   # fine for iOS, not for Android
    ("[ios]", "com.wang_fang", "iOS bundle id"),                   # underscore
    ("[ios]", "com.", "iOS bundle id"),                            # empty part
    ("[harmony]", "a.b.c", "HarmonyOS bundle name"),               # shorter than 7
    ("[harmony]", "com.wang-fang.photo", "HarmonyOS bundle name"),
    ("[]", "com wangfang", "package name or bundle id"),           # no platform: the loose check
])
def test_malformed_package_names_name_the_app(platforms, package, words):
    items = ("  - {name: 榕城摄影小站, platforms: [android], package: com.wangfang.site}\n"
             f"  - {{name: 榕城摄影日历, platforms: {platforms}, package: '{package}'}}\n")
    with pytest.raises(ApplicationError) as err:
        _load(_apps("app", items))
    assert err.value.path == "$.apps[1].package" and words in str(err.value)


@pytest.mark.parametrize("appid", ["wx0123456789abcdef", "wx0123456789ABCDEF", "tt0123456789abcdef",
                                   "2021001234567890", "ks680123456789"])
def test_mini_program_appids_of_each_platform_pass(appid):
    assert _load(_apps("mini_program", f"  - {{name: 榕城摄影小助手, package: '{appid}'}}\n")).data["apps"][0]["package"] == appid


@pytest.mark.parametrize("appid", ["wx0123456789abcde", "wx0123456789abcdeg", "WX0123456789abcdef", "tt01", "abc",
                                   "wx-0123456789abcd", "2021-0012-3456"])
def test_malformed_mini_program_appids_are_refused(appid):
    with pytest.raises(ApplicationError) as err:
        _load(_apps("mini_program", f"  - {{name: 榕城摄影小助手, package: '{appid}'}}\n"))
    assert err.value.path == "$.apps[0].package" and "mini program AppID" in str(err.value)


def test_a_quick_app_package_follows_the_android_rule():
    _load(_apps("quick_app", "  - {name: 榕城摄影快应用, package: com.wangfang.quickapp}\n"))
    with pytest.raises(ApplicationError) as err:
        _load(_apps("quick_app", "  - {name: 榕城摄影快应用, package: wangfang}\n"))
    assert err.value.path == "$.apps[0].package" and "quick app package name" in str(err.value)


@pytest.mark.parametrize("md5, ok", [
    ("9e107d9d372bb6826bd81d3542a419d6", True), ("9E107D9D372BB6826BD81D3542A419D6", True),
    ("9E:10:7D:9D:37:2B:B6:82:6B:D8:1D:35:42:A4:19:D6", True),
    ("9e107d9d372bb6826bd81d3542a419d", False), ("9e107d9d372bb6826bd81d3542a419d6a", False),
    ("9e107d9d372bb6826bd81d3542a419dg", False), ("9E:10:7D:9D:37:2B:B6:82:6B:D8:1D:35:42:A4:19", False),
    ("9E10:7D9D:372B:B682:6BD8:1D35:42A4:19D6", False),
])
def test_signature_md5_is_32_hexadecimal_digits(md5, ok):
    text = _apps("app", f"  - {{name: 榕城摄影日历, platforms: [android], package: com.wangfang.photo, signature_md5: '{md5}'}}\n")
    if ok:
        assert _load(text).data["apps"][0]["signature_md5"] == md5
        return
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert err.value.path == "$.apps[0].signature_md5" and "32 hexadecimal digits" in str(err.value)


def test_an_app_managers_certificate_is_checked_like_a_website_managers():
    items = ("  - name: 榕城摄影日历\n    manager: {name: 李四, identity: mainland,"
             " certificate: {type: id_card, number: '110101199003074515'}}\n")
    with pytest.raises(ApplicationError) as err:
        _load(_apps("app", items))
    assert err.value.path == "$.apps[0].manager.certificate.number" and "check digit" in str(err.value)


def test_a_misspelt_required_field_is_reported_once_as_the_typo():
    """'subjct' for 'subject': one problem at the typo with its suggestion, not a second 'missing subject'."""
    text = _app().replace("subject:", "subjct:")
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert [(p.path, p.suggestion) for p in err.value.problems] == [("$.subjct", "subject")]
    assert err.value.line == 2


def test_every_misspelt_field_of_a_mapping_is_reported():
    """Two typos side by side: jsonschema gives one error for both, and the second typo's required
    field was neither reported as unknown nor as missing, so it surfaced only after a second run."""
    text = _app().replace("subject:", "subjct:").replace("principal:", "princpal:")
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert sorted((p.path, p.suggestion) for p in err.value.problems) == [("$.princpal", "principal"),
                                                                        ("$.subjct", "subject")]


def test_a_missing_field_is_named_from_the_data_not_the_validators_wording():
    """Two required fields missing at once: each is named, whatever jsonschema's message says."""
    lines = _app().splitlines()
    text = "\n".join(line for index, line in enumerate(lines)
                     if not line.startswith("filing_province")
                     and not (line == "  name: 王芳" and lines[index - 1] == "principal:"))
    with pytest.raises(ApplicationError) as err:
        _load(text)
    named = {(p.path, p.message) for p in err.value.problems}
    assert ("$", "missing required field 'filing_province'") in named
    assert ("$.principal", "missing required field 'name'") in named


@pytest.mark.parametrize(("name", "where"), [
    ("440106199203156782", "subject"), ("440106199203156782", "principal"),  # the number pasted twice
    ("11010119900307451X", "principal"),  # someone else's ID number
    ("E12345678", "subject"),  # a passport number
])
def test_a_certificate_number_where_a_name_goes_is_an_error_that_does_not_repeat_it(name, where):
    """The checklist shows names as written: a number typed into a name would be printed unmasked."""
    text = _app().replace(f"{where}:\n  type: individual\n  name: 王芳", f"{where}:\n  type: individual\n  name: '{name}'") \
        if where == "subject" else _app().replace("principal:\n  name: 王芳", f"principal:\n  name: '{name}'")
    assert name in text
    with pytest.raises(ApplicationError) as err:
        _load(text)
    assert [(p.path, p.id) for p in err.value.problems] == [(f"$.{where}.name", "name_is_number")]
    for lang in ("zh", "en"):
        assert name not in err.value.problems[0].format(lang)


def test_a_name_with_digits_is_still_a_name():
    _load(_app().replace("subject:\n  type: individual\n  name: 王芳", "subject:\n  type: individual\n  name: 王芳2024"))
