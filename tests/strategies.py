"""Hypothesis strategies for filing applications, shared by the property tests.

``applications()`` draws applications that satisfy the schema and every check in
engine/application.py (real ID-card and credit-code check digits, valid domains, real dates),
in any province spelling SPEC §2 allows. ``mutated_applications()`` draws those and then breaks
them at random: a field deleted, renamed or replaced by a value of any JSON type, or an
unknown field added. Other tests (e.g. a second engine backend's differential test) can import
these directly: ``from strategies import applications``.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from engine import provinces
from engine.application import certificate_number
from engine.facts import CERTIFICATE_TYPES, CONTENT_CATEGORIES, SUBJECT_TYPES

UNIT_TYPES = [t for t in SUBJECT_TYPES if t != "individual"]
UNIT_CERTIFICATES = ["business_license", "institution_certificate", "social_organization_certificate",
                     "law_firm_license", "government_certificate"]
OTHER_CERTIFICATES = [c for c in CERTIFICATE_TYPES
                      if c not in UNIT_CERTIFICATES and c not in ("id_card", "hk_macau_residence_permit",
                                                                  "taiwan_residence_permit")]
SUFFIXES = ["com", "cn", "com.cn", "net", "org", "net.cn", "gov.cn", "中国", "公司", "xyz", "top"]
# Text that has tripped template engines and HTML before: it must come out as plain text.
NASTY_TEXT = ["{{ 7*7 }}", "{% raw %}", "<script>alert(1)</script>", "{subject.name}", "${jndi:x}",
              "&amp;", "\u202e", "名称\u0000", "'; DROP TABLE--", "a\nb"]

# A person name, website name or remark: ordinary Chinese, or anything at all.
names = st.one_of(
    st.sampled_from(["王芳", "李明", "深圳市云帆科技有限公司", "张三", "Acme 有限公司"]),
    st.sampled_from(NASTY_TEXT),
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != ""),
)

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
# Dates that cannot lie after the submission (verification, registration, issue) come before every
# submission date drawn below, and before today: a later one is an input error (SPEC §7).
past_dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2014, 12, 31))
submission_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31))


def iso(day: dt.date) -> str:
    return day.isoformat()


@st.composite
def province_spellings(draw: Any, key: str | None = None) -> Any:
    """Any accepted spelling of a province: key, code, 6-digit code, abbreviation or name."""
    province = provinces.BY_KEY[key] if key else draw(st.sampled_from(provinces.PROVINCES))
    return draw(st.sampled_from([province.key, province.code, province.code + "0000", province.abbr,
                                 province.name, province.short, int(province.code)]))


@st.composite
def id_card_numbers(draw: Any, region: str | None = None) -> str:
    """A mainland ID number with a real birth date and the right check digit."""
    code = region or draw(st.sampled_from([p.code for p in provinces.PROVINCES]))
    county = draw(st.sampled_from(["0101", "0106", "0305", "0102"]))
    born = draw(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2012, 12, 31)))
    serial = draw(st.integers(min_value=0, max_value=999))
    body = f"{code}{county}{born:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


@st.composite
def credit_codes(draw: Any) -> str:
    """A unified social credit code with the right check character."""
    region = draw(st.sampled_from([p.code for p in provinces.PROVINCES]))
    org = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9))
    body = f"91{region}0300{org}"
    return body + uscc.calc_check_digit(body)


@st.composite
def certificates(draw: Any, kind: str, expires: bool = True) -> dict[str, Any]:
    if kind == "id_card":
        number = draw(id_card_numbers())
    elif kind in UNIT_CERTIFICATES:
        number = draw(credit_codes()) if draw(st.booleans()) else draw(st.from_regex(r"[A-Z0-9]{6,15}", fullmatch=True))
    else:
        number = draw(st.from_regex(r"[A-Z][0-9]{7,10}", fullmatch=True))
    cert: dict[str, Any] = {"type": kind, "number": number}
    if expires and draw(st.booleans()):
        cert["expires_on"] = iso(draw(dates))
    return cert


@st.composite
def persons(draw: Any) -> dict[str, Any]:
    identity = draw(st.sampled_from(["mainland", "mainland", "hong_kong", "macau", "taiwan", "foreign"]))
    kind = "id_card" if identity == "mainland" else draw(st.sampled_from(OTHER_CERTIFICATES))
    person: dict[str, Any] = {"name": draw(names), "identity": identity, "certificate": draw(certificates(kind))}
    if draw(st.booleans()):
        person["is_legal_representative"] = draw(st.booleans())
    if draw(st.booleans()):
        person["other_filings"] = draw(st.integers(min_value=0, max_value=5))
    return person


domain_labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@st.composite
def domain_names(draw: Any) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["例子.中国", "测试.公司", "中文网.cn"]))
    return f"{draw(domain_labels)}.{draw(st.sampled_from(SUFFIXES))}"


@st.composite
def applications(draw: Any, province: str | None = None) -> dict[str, Any]:
    """A valid application (a plain dict, as intake systems hand it over)."""
    subject_type = draw(st.sampled_from(["individual", *UNIT_TYPES]))
    principal = draw(persons())
    if subject_type == "individual":
        subject_cert = copy.deepcopy(principal["certificate"])
    else:
        subject_cert = draw(certificates(draw(st.sampled_from(UNIT_CERTIFICATES))))
    subject: dict[str, Any] = {"type": subject_type,
                               "name": principal["name"] if subject_type == "individual" else draw(names),
                               "certificate": subject_cert}
    if draw(st.booleans()):
        subject["residence"] = draw(st.sampled_from(["广东省深圳市南山区", "福建省厦门市", "四川省成都市", "香港"]))
    if draw(st.booleans()):
        subject["business_scope"] = draw(st.sampled_from(["软件开发", "电子商务；网上商城", "贸易", "咨询"]))
    if draw(st.booleans()):
        subject["name_changed"] = draw(st.booleans())
    if draw(st.booleans()):
        existing: dict[str, Any] = {}
        if draw(st.booleans()):
            existing["subject_number"] = "粤ICP备12345678号"
        if draw(st.booleans()):
            existing["filed_domains"] = draw(st.lists(domain_names(), max_size=12))
        if draw(st.booleans()):
            existing["filed_services"] = draw(st.integers(min_value=0, max_value=40))
        subject["existing"] = existing

    websites = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        site: dict[str, Any] = {"name": draw(names), "domains": draw(st.lists(domain_names(), min_size=1, max_size=3))}
        if draw(st.booleans()):
            site["content_categories"] = draw(st.lists(st.sampled_from(CONTENT_CATEGORIES), max_size=3))
        if draw(st.booleans()):
            site["remarks"] = draw(names)
        if draw(st.integers(0, 3)) == 0:
            site["manager"] = draw(persons())
        websites.append(site)
    # One certificate number is one person (SPEC §7): a manager drawn with a number already given
    # is that person, not a second one (which the application check refuses).
    people = {certificate_number(principal["certificate"]): principal}
    for site in websites:
        if "manager" in site:
            site["manager"] = copy.deepcopy(people.setdefault(certificate_number(site["manager"]["certificate"]),
                                                              site["manager"]))
    domains = []
    for name in dict.fromkeys(d for site in websites for d in site["domains"]):
        # every website domain is described in domains[]: one that is not is an input error (SPEC §7)
        entry: dict[str, Any] = {
            "name": name,
            "registrant_name": subject["name"] if draw(st.booleans()) else draw(names),
            "registrant_type": draw(st.sampled_from(["individual", "organization"])),
            "real_name_verified": draw(st.booleans()),
            "expires_on": iso(draw(dates)),
        }
        for optional in ("verified_on", "registered_on"):
            if draw(st.booleans()):
                entry[optional] = iso(draw(past_dates))
        domains.append(entry)

    app: dict[str, Any] = {"filing_province": draw(province_spellings(province)), "subject": subject,
                           "principal": principal}
    optional_fields = {
        "application_id": st.from_regex(r"[A-Z]{2}-[0-9]{4}-[0-9]{4}", fullmatch=True),
        "submitted_on": submission_dates.map(iso),
        "filing_type": st.sampled_from(["first_filing", "new_website", "access", "change"]),
        "service_type": st.sampled_from(["website", "app", "mini_program", "quick_app"]),
        "operating": st.booleans(),
        "server": st.fixed_dictionaries({"location": st.sampled_from(["mainland"] * 4 + ["hong_kong", "overseas"])},
                                        optional={"provider": st.sampled_from(["aliyun", "tencent", "huawei"])}),
    }
    for name, strategy in optional_fields.items():
        if draw(st.booleans()):
            app[name] = draw(strategy)
    if websites:
        app["websites"] = websites
    if domains:
        app["domains"] = domains
    if draw(st.booleans()):
        app["documents_on_hand"] = draw(st.lists(st.fixed_dictionaries(
            {"id": st.sampled_from(["employment_proof", "authorization_letter", "business_statement",
                                    "residence_permit", "domain_certificate"])},
            optional={"issued_on": past_dates.map(iso), "expires_on": dates.map(iso)}), max_size=3))
    return app


# Any JSON value, to put where it does not belong.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20) | st.sampled_from(["2024-02-30", "", "9999-12-31", "0001-01-01", "粤", "fujain"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out += _paths(inner, prefix + (index,))
    return out


@st.composite
def mutated_applications(draw: Any) -> dict[str, Any]:
    """A valid application with one to three random breakages."""
    app = draw(applications())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(app)
        path = draw(st.sampled_from(paths))
        parent: Any = app
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "rename", "add"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(json_values)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(last)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return app
