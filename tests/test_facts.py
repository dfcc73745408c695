from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine import application, facts

ROOT = Path(__file__).resolve().parent.parent


def _facts(data, on=dt.date(2024, 10, 8)):
    return facts.derive(application.load(data), on)


def test_prefixes_are_counted_across_suffixes_and_filed_domains(enterprise):
    enterprise["subject"]["existing"] = {"filed_domains": ["example-tech.cn", "other.com.cn", "www.third.net"]}
    enterprise["websites"][0]["domains"] = ["example-tech.com", "www.example-tech.com", "例子.中国"]
    enterprise["domains"].append(dict(enterprise["domains"][0], name="例子.中国"))
    f = _facts(enterprise)
    # example-tech (.com/.cn/www), other, third, 例子
    assert f.application["subject.domain_prefix_count"] == 4
    # example-tech.cn, other.com.cn, third.net, example-tech.com (www. counts once), 例子.中国
    assert f.application["subject.domain_count"] == 5
    site = f.scope("website")[0]
    assert (site["website.domain_count"], site["website.registered_domain_count"], site["website.domain_prefix_count"]) == (3, 2, 2)


def test_idn_domains_are_split_with_the_public_suffix_list():
    assert facts.split_domain("xn--fsqu00a.xn--fiqs8s") == ("例子.中国", "中国", "例子")
    assert facts.split_domain("shop.example.com.cn") == ("shop.example.com.cn", "com.cn", "example")


def test_household_province_age_and_cross_province(individual):
    individual["filing_province"] = "fujian"
    individual["principal"]["certificate"]["number"] = "440106199203156782"
    individual["subject"]["certificate"]["number"] = "440106199203156782"
    person = _facts(individual).scope("person")[0]
    assert person["person.household_province"] == "guangdong"
    assert person["person.cross_province"] is True
    assert person["person.birth_date"] == dt.date(1992, 3, 15)
    assert person["person.age"] == 32


def test_day_counts_are_measured_from_submission(individual):
    f = _facts(individual)
    domain = f.scope("domain")[0]
    assert domain["domain.days_until_expiry"] == (dt.date(2026, 7, 1) - dt.date(2024, 10, 8)).days
    assert domain["domain.days_since_verification"] == (dt.date(2024, 10, 8) - dt.date(2024, 8, 1)).days


def test_credit_code_registration_province(enterprise):
    assert _facts(enterprise).application["subject.certificate.registration_province"] == "beijing"


def test_website_manager_who_is_another_person_is_a_second_person(enterprise):
    enterprise["websites"][0]["manager"] = {
        "name": "王五", "identity": "mainland",
        "certificate": {"type": "id_card", "number": "510104198503032213"}, "is_legal_representative": False}
    people = _facts(enterprise).scope("person")
    assert [p["person.name"] for p in people] == ["李娜", "王五"]
    assert people[1]["person.is_website_manager"] and not people[1]["person.is_principal"]
    assert not people[0]["person.is_website_manager"]


def test_catalogue_lists_exactly_the_derived_facts(enterprise):
    enterprise["websites"][0]["content_categories"] = ["news"]
    enterprise["documents_on_hand"] = [{"id": "authorization_letter", "issued_on": "2024-09-01"}]
    enterprise["apps"] = [{"name": "示例记账", "platforms": ["android"], "package": "com.example.ledger",
                           "signature_md5": "9e107d9d372bb6826bd81d3542a419d6"}]
    f = _facts(enterprise)
    derived = set(f.application)
    for scope in facts.ITEM_SCOPES:
        items = f.scope(scope)
        assert items, scope
        derived |= set(items[0])
    assert derived == set(facts.BY_NAME)


def test_docs_facts_md_is_current():
    assert (ROOT / "docs" / "facts.md").read_text(encoding="utf-8") == facts.catalogue_markdown(), \
        "docs/facts.md is stale: run `icp-rules facts > docs/facts.md`"


def test_enum_facts_take_exactly_the_values_the_application_schema_allows():
    # The catalogue names the values rules may compare with; the schema names what an application
    # may say. Written twice (the catalogue must not read the schema at start-up): keep them equal.
    from engine import bundled

    schema = bundled.schema("application")
    props, defs = schema["properties"], schema["$defs"]
    allowed = {
        "filing.type": props["filing_type"]["enum"],
        "service.type": props["service_type"]["enum"],
        "server.location": props["server"]["properties"]["location"]["enum"],
        "subject.type": props["subject"]["properties"]["type"]["enum"],
        "subject.certificate.type": defs["certificate"]["properties"]["type"]["enum"],
        "person.certificate.type": defs["certificate"]["properties"]["type"]["enum"],
        "person.identity": defs["person"]["properties"]["identity"]["enum"],
        "domain.registrant_type": props["domains"]["items"]["properties"]["registrant_type"]["enum"],
    }
    for name, values in allowed.items():
        assert list(facts.BY_NAME[name].values) == values, name


def test_an_id_number_in_full_width_digits_gives_the_same_facts(individual):
    # The checks read ID numbers in python-stdnum's compact form; so must the facts.
    individual["filing_province"] = "fujian"
    wide = "４４０１０６１９９２０３１５６７８２"
    individual["principal"]["certificate"]["number"] = wide
    individual["subject"]["certificate"]["number"] = wide
    f = _facts(individual)
    (person,) = f.scope("person")
    assert person["person.household_province"] == "guangdong" and person["person.age"] == 32
    assert f.application["persons.count"] == 1


def test_calendar_months_follow_spec_7():
    """SPEC §7: issued 2025-02-19 is within 3 months on 2025-05-19, not on 2025-05-20; valid at least 3
    more months on 2025-05-20 means expiring on or after 2025-08-20. Month ends clamp."""
    from engine.facts import add_months, months_begun, whole_months

    d = dt.date
    assert months_begun(d(2025, 2, 19), d(2025, 5, 19)) == 3
    assert months_begun(d(2025, 2, 19), d(2025, 5, 20)) == 4
    assert whole_months(d(2025, 5, 20), d(2025, 8, 20)) == 3
    assert whole_months(d(2025, 5, 20), d(2025, 8, 19)) == 2
    assert whole_months(d(2025, 5, 20), d(2025, 5, 19)) == -1
    assert add_months(d(2024, 11, 30), 3) == d(2025, 2, 28)
    assert add_months(d(2024, 5, 31), -3) == d(2024, 2, 29)
    # the longest month still counts whole: Jan 31 + 1 month is Feb 28, so Feb 28 is one month on
    assert whole_months(d(2025, 1, 31), d(2025, 2, 28)) == 1


# --- apps[] -------------------------------------------------------------------------------------

def test_app_facts_count_services_managers_categories_and_domains(enterprise):
    enterprise["service_type"] = "app"
    enterprise["subject"]["existing"] = {"filed_services": 2}
    enterprise["apps"] = [
        {"name": "示例记账", "platforms": ["android", "ios", "android"], "package": "com.example.ledger",
         "signature_md5": "9E:10:7D:9D:37:2B:B6:82:6B:D8:1D:35:42:A4:19:D6", "content_categories": ["news", "finance"],
         "domains": ["api.example-tech.cn"]},
        {"name": "示例小程序", "kind": "mini_program", "package": "wx0123456789abcdef", "content_categories": ["news"],
         "manager": {"name": "王五", "identity": "mainland", "is_legal_representative": False,
                     "certificate": {"type": "id_card", "number": "510104198503032213"}}},
    ]
    enterprise["websites"][0]["content_categories"] = ["news"]
    enterprise["domains"].append({"name": "api.example-tech.cn", "registrant_name": "北京示例科技有限公司",
                                  "registrant_type": "organization", "real_name_verified": True,
                                  "expires_on": "2026-07-01"})
    f = _facts(enterprise)
    first, second = f.scope("app")
    assert first["app.kind"] == "app" and second["app.kind"] == "mini_program"
    assert first["app.platforms"] == ["android", "ios"] and first["app.platform_count"] == 2
    assert first["app.signature_md5"] == "9e107d9d372bb6826bd81d3542a419d6"  # one spelling
    assert second["app.signature_md5"] is None and second["app.platform_count"] == 0
    assert first["app.manager_is_principal"] and not second["app.manager_is_principal"]
    assert f.application["apps.count"] == 2
    assert f.application["subject.service_count"] == 2 + 1 + 2  # filed, the website, the two apps
    assert f.application["apps.content_categories"] == ["news", "finance"]
    assert f.application["websites.content_categories"] == ["news"]
    categories = {c["category.name"]: c for c in f.scope("category")}
    assert (categories["news"]["category.website_count"], categories["news"]["category.app_count"]) == (1, 2)
    assert (categories["finance"]["category.website_count"], categories["finance"]["category.app_count"]) == (0, 1)
    people = {p["person.name"]: p for p in f.scope("person")}
    assert people["李娜"]["person.is_app_manager"] and people["李娜"]["person.app_count"] == 1
    assert people["王五"]["person.is_app_manager"] and not people["王五"]["person.is_website_manager"]
    domains = {d["domain.name"]: d for d in f.scope("domain")}
    assert domains["api.example-tech.cn"]["domain.for_app"] and not domains["example-tech.com"]["domain.for_app"]
    assert f.application["subject.domain_prefix_count"] == 1  # example-tech.com and api.example-tech.cn share it


def test_a_filing_without_apps_has_no_app_items(enterprise):
    f = _facts(enterprise)
    assert f.scope("app") == () and f.application["apps.count"] == 0 and f.application["apps.content_categories"] == []


def _whole_months_by_definition(start, end):
    """The largest n with start + n months <= end, by searching (as whole_months was first written)."""

    def within(n):
        try:
            return facts.add_months(start, n) <= end
        except OverflowError:
            return n < 0

    n = (end.year - start.year) * 12 + end.month - start.month
    while not within(n):
        n -= 1
    while within(n + 1):
        n += 1
    return n


def test_whole_months_is_the_largest_n_with_start_plus_n_months_within_end():
    # every pair of days across a leap year and its neighbours, in both orders (month ends,
    # 29 February, the 31st of a month followed by a shorter one), and the ends of the calendar
    days = [dt.date(2023, 11, 1) + dt.timedelta(days=i) for i in range(0, 520, 3)]
    days += [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2023, 2, 28),
             dt.date(2025, 2, 28), dt.date(1900, 2, 28), dt.date(2000, 2, 29), dt.date(2100, 2, 28)]
    ends = days + [dt.date(1, 1, 1), dt.date(1, 1, 31), dt.date(9999, 12, 31), dt.date(9999, 12, 1)]
    checked = 0
    for start in ends:
        for end in ends:
            assert facts.whole_months(start, end) == _whole_months_by_definition(start, end), (start, end)
            begun = facts.months_begun(start, end)
            if start <= end and end.year < 9999:
                # the smallest n with end <= start + n months
                assert facts.add_months(start, begun) >= end
                assert begun == 0 or facts.add_months(start, begun - 1) < end
            checked += 1
    assert checked > 30000
