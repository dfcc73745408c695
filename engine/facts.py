"""Step 2: derive the facts rules are written against, from a checked application.

``CATALOGUE`` is the one list of facts a rule may name: its type and meaning. The pack
compiler type-checks conditions against it and ``docs/facts.md`` is generated from it.
Facts live in scopes: ``application`` facts hold once per application; ``person``, ``website``,
``app``, ``domain``, ``category`` and ``document`` facts hold once per item of that kind, and a rule
reaches them with ``for_each`` or a quantifier such as ``any_domain``.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from publicsuffixlist import PublicSuffixList

from . import names, provinces
from .application import APP_KINDS, UNIT_CERTIFICATES, Application, idna_error, parse_date, to_ascii
from .errors import ApplicationError  # loaded with .application already: no cost at start-up
from .source import SourceMap
from .text import normalise

SUBJECT_TYPES = ("individual", "enterprise", "individual_business", "public_institution", "government",
                 "social_organization", "law_firm", "other_organization")
CERTIFICATE_TYPES = ("id_card", "hk_macau_residence_permit", "hk_macau_travel_permit", "taiwan_residence_permit",
                     "taiwan_travel_permit", "passport", "business_license", "institution_certificate",
                     "social_organization_certificate", "law_firm_license", "government_certificate", "other")
CONTENT_CATEGORIES = ("news", "publishing", "education", "medical", "drugs_medical_devices", "culture",
                      "broadcasting", "finance", "religion", "games", "online_car_hailing", "food")
SCOPES = ("application", "person", "website", "app", "domain", "category", "document")
PLATFORMS = ("android", "ios", "harmony", "other")
ITEM_SCOPES = SCOPES[1:]


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # text | integer | boolean | date | list | enum
    meaning: str
    zh: str  # its plain Chinese name, as explain and the docs show it
    values: tuple[str, ...] = ()  # allowed values of an enum fact

    @property
    def scope(self) -> str:
        head = self.name.split(".", 1)[0]
        return head if head in ITEM_SCOPES else "application"


def _f(name: str, type_: str, meaning: str, values: tuple[str, ...] = (), *, zh: str) -> Fact:
    return Fact(name, type_, meaning, zh, values)


P = provinces.KEYS
CATALOGUE: tuple[Fact, ...] = (
    _f("application.id", "text", "The application's own id, if it has one.", zh="申请编号"),
    _f("filing.province", "enum", "Province the filing is submitted in (the pack that applies).", P, zh="备案省份"),
    _f("filing.type", "enum", "first_filing, new_website, access or change.", ("first_filing", "new_website", "access", "change"), zh="备案类型"),
    _f("filing.submitted_on", "date", "Submission date; every day count is measured from it.", zh="提交日期"),
    _f("service.type", "enum", "What is filed: website, app, mini_program or quick_app.", ("website", "app", "mini_program", "quick_app"), zh="服务类型"),
    _f("service.operating", "boolean", "The service is operating (经营性: paid or e-commerce).", zh="经营性服务"),
    _f("server.location", "enum", "Where the server is.", ("mainland", "hong_kong", "macau", "taiwan", "overseas"), zh="服务器所在地"),
    _f("server.in_mainland", "boolean", "The server is in mainland China (filing is required).", zh="服务器在中国内地"),
    _f("server.provider", "text", "Access provider (aliyun, tencent, …), if given.", zh="接入商"),
    _f("subject.type", "enum", "Kind of filing subject (主办者).", SUBJECT_TYPES, zh="主办者性质"),
    _f("subject.is_unit", "boolean", "The subject is an organisation of any kind, not an individual.", zh="主办者为单位"),
    _f("subject.name", "text", "Name of the subject.", zh="主办者名称"),
    _f("subject.certificate.type", "enum", "Type of the subject's certificate.", CERTIFICATE_TYPES, zh="主办者证件类型"),
    _f("subject.certificate.days_until_expiry", "integer", "Days from submission until the subject's certificate expires (absent: long-term).", zh="主办者证件剩余有效天数"),
    _f("subject.certificate.months_until_expiry", "integer", "Whole calendar months from submission until the subject's certificate expires: at least 3 means it expires on or after the submission day 3 months later.", zh="主办者证件剩余有效月数"),
    _f("subject.certificate.registration_province", "enum", "Province a unified social credit code was issued in (its digits 3–4).", P, zh="统一社会信用代码登记省份"),
    _f("subject.residence", "text", "Address on the subject's certificate (证件住所).", zh="证件住所"),
    _f("subject.residence_province", "enum", "Province the certificate address starts with, if it names one.", P, zh="证件住所所在省份"),
    _f("subject.registered_elsewhere", "boolean", "A unit's registration (its credit code's region, or the province its certificate address names) is outside the filing province (absent when neither is known).", zh="单位登记地不在备案省份"),
    _f("subject.business_scope", "text", "Business scope (经营范围) of a unit.", zh="经营范围"),
    _f("subject.name_changed", "boolean", "The subject's name has changed since its certificate or last filing.", zh="主办者名称已变更"),
    _f("subject.existing.has_subject_number", "boolean", "The subject already holds a subject filing number.", zh="已有主体备案号"),
    _f("subject.existing.filed_domain_count", "integer", "Domains already filed by the subject.", zh="已备案域名数"),
    _f("subject.existing.filed_services", "integer", "Services (websites, apps, …) already filed by the subject.", zh="已备案服务数"),
    _f("subject.service_count", "integer", "Services of the subject after this filing: filed plus the websites and apps of this application.", zh="主体名下服务数（含本次）"),
    _f("subject.domain_count", "integer", "Distinct registered domains of the subject, filed and new (www.example.com counts as example.com).", zh="主体名下域名数（含本次）"),
    _f("subject.domain_prefix_count", "integer", "Distinct domain prefixes of the subject, filed and new (example.com and example.cn share 'example').", zh="主体名下不同域名前缀数"),
    _f("websites.count", "integer", "Websites in this application.", zh="本次网站数"),
    _f("websites.content_categories", "list", "Content categories (前置审批) of all websites in this application.", zh="网站前置审批类别"),
    _f("apps.count", "integer", "Apps, mini programs and quick apps in this application (apps[]).", zh="本次App数"),
    _f("apps.content_categories", "list", "Content categories (前置审批) of all apps in this application.", zh="App前置审批类别"),
    _f("domains.count", "integer", "Domains described in this application.", zh="本次域名数"),
    _f("persons.count", "integer", "Distinct people in this application (principal, website and app managers).", zh="本次涉及人数"),
    _f("documents_on_hand.ids", "list", "Ids of the documents the applicant already holds.", zh="已有材料"),
    # person: the principal and every distinct website or app manager
    _f("person.name", "text", "The person's name.", zh="姓名"),
    _f("person.identity", "enum", "mainland, hong_kong, macau, taiwan or foreign.", ("mainland", "hong_kong", "macau", "taiwan", "foreign"), zh="身份"),
    _f("person.is_principal", "boolean", "The person is the subject's principal (主体负责人).", zh="是主体负责人"),
    _f("person.is_website_manager", "boolean", "The person manages at least one website (网站负责人).", zh="是网站负责人"),
    _f("person.is_app_manager", "boolean", "The person manages at least one app, mini program or quick app (App负责人).", zh="是App负责人"),
    _f("person.certificate.type", "enum", "Type of the person's certificate.", CERTIFICATE_TYPES, zh="证件类型"),
    _f("person.certificate.days_until_expiry", "integer", "Days from submission until the person's certificate expires (absent: long-term).", zh="证件剩余有效天数"),
    _f("person.certificate.months_until_expiry", "integer", "Whole calendar months from submission until the person's certificate expires (at least 3: it expires on or after the submission day 3 months later).", zh="证件剩余有效月数"),
    _f("person.household_province", "enum", "Household-register province (户籍地) from the first two digits of a mainland ID card.", P, zh="户籍省份"),
    _f("person.cross_province", "boolean", "Household-register province differs from the filing province (absent when unknown).", zh="户籍不在备案省份"),
    _f("person.birth_date", "date", "Birth date, given or read from the ID card.", zh="出生日期"),
    _f("person.age", "integer", "Age in whole years on the submission date.", zh="年龄"),
    _f("person.is_legal_representative", "boolean", "The person is the unit's legal representative (absent when not stated).", zh="是法定代表人"),
    _f("person.other_filings", "integer", "How many other subjects' filings already carry this person's certificate number.", zh="证件已出现在其他主体备案中的次数"),
    _f("person.website_count", "integer", "How many websites of this application the person manages.", zh="负责的网站数"),
    _f("person.app_count", "integer", "How many apps of this application the person manages.", zh="负责的App数"),
    # website
    _f("website.name", "text", "The website's name.", zh="网站名称"),
    _f("website.domains", "list", "Domains of the website, in ASCII (punycode) form.", zh="网站域名"),
    _f("website.domain_count", "integer", "Number of domains of the website.", zh="网站域名数"),
    _f("website.registered_domain_count", "integer", "Distinct registered domains of the website (www.example.com counts as example.com).", zh="网站已注册域名数"),
    _f("website.domain_prefix_count", "integer", "Distinct domain prefixes of the website (example.com and example.cn share one).", zh="网站不同域名前缀数"),
    _f("website.content_categories", "list", "Content categories (前置审批) of the website.", zh="网站前置审批类别"),
    _f("website.remarks", "text", "Remarks (备注) of the website.", zh="网站备注"),
    _f("website.manager_is_principal", "boolean", "The website's manager is the principal.", zh="网站负责人即主体负责人"),
    # app: each entry of apps[] (an app, mini program or quick app)
    _f("app.name", "text", "The app's name (App名称).", zh="App名称"),
    _f("app.kind", "enum", "app, mini_program or quick_app.", APP_KINDS, zh="App类型"),
    _f("app.platforms", "list", "Platforms the app runs on: android, ios, harmony, other.", zh="运行平台"),
    _f("app.platform_count", "integer", "Number of platforms the app names.", zh="运行平台数"),
    _f("app.package", "text", "Package name, bundle id or mini program AppID (absent when not given).", zh="包名/AppID"),
    _f("app.signature_md5", "text", "MD5 of the signing certificate, 32 lower-case hex digits (absent when not given).", zh="签名MD5"),
    _f("app.domains", "list", "Domains the app uses, in ASCII (punycode) form.", zh="App域名"),
    _f("app.domain_count", "integer", "Number of domains the app uses.", zh="App域名数"),
    _f("app.content_categories", "list", "Content categories (前置审批) of the app.", zh="App前置审批类别"),
    _f("app.remarks", "text", "Remarks (备注) of the app.", zh="App备注"),
    _f("app.manager_is_principal", "boolean", "The app's manager is the principal.", zh="App负责人即主体负责人"),
    # domain: each entry of domains[]
    _f("domain.name", "text", "The domain, in ASCII (punycode) form.", zh="域名"),
    _f("domain.unicode_name", "text", "The domain in Unicode (例子.中国).", zh="域名（中文）"),
    _f("domain.suffix", "text", "Public suffix of the domain (com, com.cn, 中国).", zh="域名后缀"),
    _f("domain.tld", "text", "Top-level domain (com, cn, 中国): the last label of the domain.", zh="顶级域名"),
    _f("domain.tld_approved", "boolean", "The top-level domain is on MIIT's list of approved top-level domains (engine/data/approved_tlds.yaml).", zh="顶级域名已获工信部批复"),
    _f("domain.prefix", "text", "Label left of the public suffix (the part shared by example.com and example.cn).", zh="域名前缀"),
    _f("domain.is_idn", "boolean", "The domain has non-ASCII (Chinese) labels.", zh="中文域名"),
    _f("domain.is_new", "boolean", "The domain is not among the subject's already filed domains.", zh="新域名（未备案）"),
    _f("domain.registrant_name", "text", "Registrant (holder) of the domain.", zh="域名持有者"),
    _f("domain.registrant_type", "enum", "individual or organization.", ("individual", "organization"), zh="域名持有者类型"),
    _f("domain.registrant_is_subject", "boolean", "The registrant's name equals the subject's name.", zh="域名持有者与主办者一致"),
    _f("domain.real_name_verified", "boolean", "Real-name verification of the domain is complete.", zh="域名已实名认证"),
    _f("domain.days_since_verification", "integer", "Days from real-name verification to submission.", zh="实名认证至今天数"),
    _f("domain.days_until_expiry", "integer", "Days from submission until the domain registration expires.", zh="域名剩余有效天数"),
    _f("domain.days_since_registration", "integer", "Days from registration of the domain to submission.", zh="域名注册至今天数"),
    _f("domain.months_since_registration", "integer", "Whole calendar months from registration of the domain to submission (at least 3: registered on or before the submission day 3 months earlier).", zh="域名注册至今月数"),
    _f("domain.for_app", "boolean", "An app of this application uses the domain.", zh="App使用的域名"),
    # category: each distinct content category across websites and apps
    _f("category.name", "text", "Content category id (news, medical, …; packs may add more).", zh="前置审批类别"),
    _f("category.website_count", "integer", "How many websites of the application carry the category.", zh="涉及该类别的网站数"),
    _f("category.app_count", "integer", "How many apps of the application carry the category.", zh="涉及该类别的App数"),
    # document: each entry of documents_on_hand[]
    _f("document.id", "text", "Id of a document the applicant holds.", zh="材料"),
    _f("document.for_kind", "enum", "Whose the document is, as the application says (documents_on_hand[].for.kind); absent when it does not say.", ("subject", "person", "website", "domain", "category"), zh="材料所属对象类型"),
    _f("document.for", "text", "Whose the document is: the person's name (the application names them by certificate number), the domain, website or category.", zh="材料所属对象"),
    _f("document.age_days", "integer", "Days from the document's issue date to submission.", zh="材料开具至今天数"),
    _f("document.age_months", "integer", "Calendar months begun since the document was issued: at most 3 means issued within 3 months (issued 2025-02-19: 3 on 2025-05-19, 4 on 2025-05-20).", zh="材料开具至今月数"),
    _f("document.months_until_expiry", "integer", "Whole calendar months from submission until the document expires.", zh="材料剩余有效月数"),
    _f("document.days_until_expiry", "integer", "Days from submission until the document expires.", zh="材料剩余有效天数"),
)
BY_NAME: dict[str, Fact] = {f.name: f for f in CATALOGUE}


# Names of the application's enumerated values (schemas/application.schema.json): the checklist's
# summary shows them, and a message placeholder of such a fact shows the name, never the key. The
# table lives on the ground floor (engine/names.py) so that the application check can read it too.
VALUE_NAMES = names.VALUE_NAMES

# The facts whose values are keys (enum values, content categories, document ids) and the names that
# show them: a message shows 广东省 or 广播电影电视节目, never guangdong or broadcasting.
LABEL_GROUPS: dict[str, str] = {
    "subject.type": "subject_type", "subject.certificate.type": "certificate_type",
    "person.certificate.type": "certificate_type", "person.identity": "identity", "filing.type": "filing_type",
    "service.type": "service_type", "server.location": "server_location", "domain.registrant_type": "registrant_type",
    "app.kind": "app_kind", "app.platforms": "platform", "document.for_kind": "document_for_kind",
}
CATEGORY_FACTS = frozenset({"category.name", "website.content_categories", "websites.content_categories",
                            "app.content_categories", "apps.content_categories"})
DOCUMENT_FACTS = frozenset({"document.id", "documents_on_hand.ids"})


def shows_keys(fact: Fact) -> bool:
    """Whether the fact's values are keys a reader should never see as they are."""
    return bool(fact.values) or fact.name in CATEGORY_FACTS or fact.name in DOCUMENT_FACTS


def has_labels(fact: Fact) -> bool:
    """Whether ``label`` can name every value of the fact (province facts name provinces)."""
    if fact.name in CATEGORY_FACTS or fact.name in DOCUMENT_FACTS:
        return True
    if fact.values == P:
        return True
    group = VALUE_NAMES.get(LABEL_GROUPS.get(fact.name, ""))
    return group is not None and all(value in group for value in fact.values)


Names = Mapping[str, Mapping[str, str]]  # id -> {zh, en}


def label(fact_name: str, value: Any, lang: str, categories: Names | None = None, documents: Names | None = None) -> Any:
    """``value`` of ``fact_name`` as a reader sees it in ``lang``: a key becomes its name (``categories``
    and ``documents``: the rule set's catalogues); anything else is returned as it is."""
    if isinstance(value, (list, tuple)):
        return [label(fact_name, item, lang, categories, documents) for item in value]
    if not isinstance(value, str):
        return value
    group = LABEL_GROUPS.get(fact_name)
    if group is not None:
        named = VALUE_NAMES[group].get(value)
        return named[lang] if named else value
    fact = BY_NAME.get(fact_name)
    if fact is not None and fact.values == P:
        province = provinces.resolve(value)
        return (province.name if lang == "zh" else province.english) if province else value
    names: Names | None = categories if fact_name in CATEGORY_FACTS else documents if fact_name in DOCUMENT_FACTS else None
    found = names.get(value) if names is not None else None
    return found[lang] if found else value


FACTS_KEY = "__facts__"  # the Facts object rides in every context, for quantifiers


@dataclass(frozen=True)
class Facts:
    """All facts of one application, by scope. Items keep their own fact dicts."""

    application: dict[str, Any]
    items: dict[str, tuple[dict[str, Any], ...]]  # scope -> one fact dict per item
    # scope -> evaluation contexts of its items (conditions.item_contexts fills it on first use)
    contexts: dict[str, list[dict[str, Any]]] = field(default_factory=dict, compare=False, repr=False)

    def scope(self, name: str) -> tuple[dict[str, Any], ...]:
        return self.items.get(name, ())

    def context(self) -> dict[str, Any]:
        """A new evaluation context: the application facts, and these Facts for quantifiers."""
        ctx = dict(self.application)
        ctx[FACTS_KEY] = self
        return ctx


# The public suffix list ships inside the publicsuffixlist package: nothing is fetched.
@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # Parsing the list takes 100-400 ms, a tenth of that to unpickle: a one-shot `icp-rules check`
    # reuses the parsed list from the user cache, keyed by the list's exact bytes.
    import publicsuffixlist

    from .cache import cached_parse

    code = Path(publicsuffixlist.__file__)
    return cached_parse("public-suffix-list", [code.with_name("public_suffix_list.dat"), code], PublicSuffixList)


def _days(start: dt.date | None, end: dt.date | None) -> int | None:
    if start is None or end is None:
        return None
    return (end - start).days


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (or earlier), on the month's last day when the
    month is shorter: 2025-02-19 + 3 = 2025-05-19, 2024-11-30 + 3 = 2025-02-28. OverflowError beyond
    the years 1-9999."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError(f"{months} months from {day} is outside the calendar")
    return dt.date(year, month, min(day.day, _month_length(year, month)))


def whole_months(start: dt.date | None, end: dt.date | None) -> int | None:
    """Whole calendar months from ``start`` to ``end``: the largest n with start + n months <= end
    (negative when end is before start). "Valid at least 3 more months" is whole_months(on, expiry) >= 3."""
    if start is None or end is None:
        return None
    # start + n months, for n the difference of the two months, falls in end's month, on start's
    # day or that month's last: it is within end exactly when that day is; else n - 1 months is (the
    # month before end's), and n + 1 months never is (the month after). tests/test_facts.py holds
    # this to the definition above on every pair of days of several years.
    n = (end.year - start.year) * 12 + end.month - start.month
    day = start.day
    if day > 28:
        day = min(day, _month_length(end.year, end.month))
    return n if day <= end.day else n - 1


def _month_length(year: int, month: int) -> int:
    # calendar.monthrange says the same, but importing calendar (and its locale) costs a cold check ~2 ms
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def months_begun(start: dt.date | None, end: dt.date | None) -> int | None:
    """Calendar months begun from ``start`` to ``end``: the smallest n with end <= start + n months.
    "Issued within 3 months" is months_begun(issued, on) <= 3 (2025-02-19: 3 on 2025-05-19, 4 on 05-20)."""
    n = whole_months(start, end)
    if n is None or start is None:
        return None
    try:
        return n if add_months(start, n) == end else n + 1
    except OverflowError:  # pragma: no cover - n months from start is at most end, inside the calendar
        return n + 1


def _unicode(ascii_name: str) -> str:
    if "xn--" not in ascii_name:
        return ascii_name
    import idna  # only punycode names need it (see application.idna_error)

    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name


@lru_cache(maxsize=65536)  # a pure function of the name; the suffix lookup dominates fact derivation
def split_domain(name: str) -> tuple[str, str, str]:
    """(unicode name, public suffix, prefix) of a domain, IDN-aware."""
    uni = _unicode(to_ascii(name))
    psl = _psl()
    suffix = psl.publicsuffix(uni) or uni.rsplit(".", 1)[-1]
    registrable = psl.privatesuffix(uni)
    if registrable is None:
        prefix = uni
    else:
        prefix = registrable[: -len(suffix) - 1] if registrable.endswith("." + suffix) else registrable.split(".")[0]
    return uni, suffix, prefix


class DomainParts(NamedTuple):
    ascii: str  # as filed: lower-case ASCII, Chinese labels in punycode
    unicode: str
    suffix: str
    prefix: str
    registered: str  # prefix.suffix


# Keyed by the name as the applicant typed it: a subject's filed domains are listed again in each of
# its filings (dozens of them for the large subjects that the domain limits are about), so
# normalising and splitting each name once per process, not once per evaluation, matters.
@lru_cache(maxsize=65536)
def domain_parts(name: str) -> DomainParts:
    ascii_name = to_ascii(name)
    uni, suffix, prefix = split_domain(ascii_name)
    return DomainParts(ascii_name, uni, suffix, prefix, f"{prefix}.{suffix}")


_ASCII, _PREFIX, _REGISTERED = (operator.itemgetter(DomainParts._fields.index(name)) for name in ("ascii", "prefix", "registered"))


APPROVED_TLDS_FILE = Path(__file__).with_name("data") / "approved_tlds.yaml"


@lru_cache(maxsize=1)
def approved_tlds() -> dict[str, Any]:
    """MIIT's list of approved top-level domains as shipped (source, checked_on, tlds).

    Kept parsed in the user cache under the file's bytes, so that a check of a JSON application
    does not import PyYAML for it."""
    from .cache import cached_parse

    def parse() -> dict[str, Any]:
        import yaml

        with APPROVED_TLDS_FILE.open(encoding="utf-8") as handle:
            data: dict[str, Any] = yaml.safe_load(handle)
        return data

    return cached_parse("approved-tlds", [APPROVED_TLDS_FILE], parse)


@lru_cache(maxsize=1)
def _approved_tld_set() -> frozenset[str]:
    return frozenset(str(t).lower() for t in approved_tlds()["tlds"])


def tld_approved(unicode_name: str) -> bool:
    return unicode_name.rsplit(".", 1)[-1].lower() in _approved_tld_set()


# A pure function of the address text; intake forms repeat the same few addresses.
_residence_province = lru_cache(maxsize=4096)(provinces.from_address)


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _text(value: str | None) -> str | None:
    """Text as rules compare it (engine/text.py): a zero-width space cannot hide a keyword."""
    return None if value is None else normalise(value)


def _person_facts(person: dict[str, Any], number: str, filing_province: str, on: dt.date, role: list[Any],
                  want: tuple[bool, ...]) -> dict[str, Any]:
    """``number``: the person's certificate_number, which also tells people apart; ``role``: whether
    the person is the principal, a website manager, how many websites, an app manager, how many
    apps; ``want``: which of the person facts after the name to derive (``_Wanted.person``)."""
    (w_identity, w_principal, w_website_manager, w_cert_type, w_cert_days, w_cert_months, w_household, w_cross,
     w_birth, w_age, w_legal, w_other, w_website_count, w_app_manager, w_app_count) = want
    cert = person["certificate"]
    facts: dict[str, Any] = {"person.name": normalise(person["name"])}
    if w_identity:
        facts["person.identity"] = person["identity"]
    if w_principal:
        facts["person.is_principal"] = role[0]
    if w_website_manager:
        facts["person.is_website_manager"] = role[1]
    if w_cert_type:
        facts["person.certificate.type"] = cert["type"]
    if w_cert_days or w_cert_months:
        expires = parse_date(cert.get("expires_on"))
        if w_cert_days:
            facts["person.certificate.days_until_expiry"] = _days(on, expires)
        if w_cert_months:
            facts["person.certificate.months_until_expiry"] = whole_months(on, expires)
    if w_household or w_cross or w_birth or w_age:
        household = None
        birth = parse_date(person.get("birth_date"))
        if cert["type"] == "id_card" and len(number) == 18:
            region = provinces.from_code(number[:2])
            household = region.key if region else None
            if birth is None:
                birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if w_household:
            facts["person.household_province"] = household
        if w_cross:
            facts["person.cross_province"] = None if household is None else household != filing_province
        if w_birth:
            facts["person.birth_date"] = birth
        if w_age:
            facts["person.age"] = _age(birth, on)
    if w_legal:
        facts["person.is_legal_representative"] = person.get("is_legal_representative")
    if w_other:
        facts["person.other_filings"] = person.get("other_filings", 0)
    if w_website_count:
        facts["person.website_count"] = role[2]
    if w_app_manager:
        facts["person.is_app_manager"] = role[3]
    if w_app_count:
        facts["person.app_count"] = role[4]
    return facts


# The facts of each item scope after the one that names the item, in the order derive writes them.
_ITEM_FACT_ORDER = {
    "person": ("person.identity", "person.is_principal", "person.is_website_manager", "person.certificate.type",
               "person.certificate.days_until_expiry", "person.certificate.months_until_expiry",
               "person.household_province", "person.cross_province", "person.birth_date", "person.age",
               "person.is_legal_representative", "person.other_filings", "person.website_count",
               "person.is_app_manager", "person.app_count"),
    "website": ("website.domains", "website.domain_count", "website.registered_domain_count",
                "website.domain_prefix_count", "website.content_categories", "website.remarks",
                "website.manager_is_principal"),
    "app": ("app.kind", "app.platforms", "app.platform_count", "app.package", "app.signature_md5", "app.domains",
            "app.domain_count", "app.content_categories", "app.remarks", "app.manager_is_principal"),
    "domain": ("domain.unicode_name", "domain.suffix", "domain.tld", "domain.tld_approved", "domain.prefix",
               "domain.is_idn", "domain.is_new", "domain.registrant_name", "domain.registrant_type",
               "domain.registrant_is_subject", "domain.real_name_verified", "domain.days_since_verification",
               "domain.days_until_expiry", "domain.days_since_registration", "domain.months_since_registration",
               "domain.for_app"),
    "category": ("category.website_count", "category.app_count"),
}


class _Wanted(NamedTuple):
    """Which facts to derive, worked out once per set of needs: per item scope a flag for each fact
    of ``_ITEM_FACT_ORDER``, and a flag per application fact."""

    person: tuple[bool, ...]
    website: tuple[bool, ...]
    app: tuple[bool, ...]
    domain: tuple[bool, ...]
    category: tuple[bool, ...]
    application: dict[str, bool]


@lru_cache(maxsize=256)  # one set of needs per rule set
def _wanted(needs: "frozenset[str] | None") -> _Wanted:
    def wanted(name: str) -> bool:
        return needs is None or name in needs

    scoped = {scope: tuple(map(wanted, names)) for scope, names in _ITEM_FACT_ORDER.items()}
    return _Wanted(application={f.name: wanted(f.name) for f in CATALOGUE if f.scope == "application"}, **scoped)


def check_consistency(app: Application, on: dt.date) -> None:
    """What the application schema cannot see, refused as input errors (SPEC §7), every one at once
    (``_inconsistencies``). Every evaluation asks, and nearly every application passes: a quick
    walk that builds no problem and no path proves the common case first."""
    if not _plainly_consistent(app.data, on):
        _inconsistencies(app, on)


def _plainly_consistent(data: Mapping[str, Any], on: dt.date) -> bool:
    """True only when ``_inconsistencies`` finds nothing: every website domain is described, no
    date lies after ``on``, and no document on hand names its holder (those are left to the full
    check, which resolves certificate numbers and domain names)."""
    if next(_undescribed(data), None) is not None or any(doc.get("for") for doc in data["documents_on_hand"]):
        return False
    return not any(value is not None and parse_date(value) > on for _, value in _dates(data))  # type: ignore[operator]


def _undescribed(data: Mapping[str, Any]) -> Iterator[tuple[int, int, str, str]]:
    """(website index, domain index, name, registered domain) of each website domain whose
    registered domain (www.example.com -> example.com) has no entry in domains[]."""
    described = {domain_parts(entry["name"]).registered for entry in data["domains"]}
    for i, site in enumerate(data["websites"]):
        for j, name in enumerate(site["domains"]):
            registered = domain_parts(name).registered
            if registered not in described:
                yield i, j, name, registered


def _dates(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every date that cannot lie after the submission: domains' verified_on and
    registered_on, documents' issued_on, the principal's and every manager's birth_date."""
    for i, entry in enumerate(data["domains"]):
        yield ("domains", i, "verified_on"), entry.get("verified_on")
        yield ("domains", i, "registered_on"), entry.get("registered_on")
    for i, doc in enumerate(data["documents_on_hand"]):
        yield ("documents_on_hand", i, "issued_on"), doc.get("issued_on")
    yield ("principal", "birth_date"), data["principal"].get("birth_date")
    for group in ("websites", "apps"):
        for i, item in enumerate(data[group]):
            if item.get("manager"):
                yield (group, i, "manager", "birth_date"), item["manager"].get("birth_date")


def _inconsistencies(app: Application, on: dt.date) -> None:
    """The consistency check in full, every problem located:

    * a website's domain whose registered domain (www.example.com -> example.com) has no entry in
      domains[]: every domain check would silently skip it. Host names under a listed registered
      domain are fine;
    * a date that cannot lie after the submission (verified_on, registered_on, issued_on, birth_date)
      but does: it would count as a negative age, not as a mistake.
    """
    data = app.data
    source = app.source or SourceMap(None)
    problems = []
    for i, j, name, registered in _undescribed(data):
        problems.append(source.problem(("websites", i, "domains", j), "domain_not_described", value=name,
                                       registered=registered))
    for path, value in _dates(data):
        day = parse_date(value)
        if day is not None and day > on:
            problems.append(source.problem(path, "date_after_submission" if app.submitted_on else "date_after_evaluation",
                                           name=path[-1], value=str(day), on=str(on)))
    managed = [(group, i) for group in ("websites", "apps") for i, item in enumerate(data[group]) if item.get("manager")]
    numbers = {app.certificate_number(("principal", "certificate")): True}
    numbers.update({app.certificate_number((group, i, "manager", "certificate")): True for group, i in managed})
    for i, doc in enumerate(data["documents_on_hand"]):
        whose = doc.get("for") or {}
        if whose.get("kind") == "person" and _holder(numbers, whose.get("ref")) is None:
            problems.append(source.problem(("documents_on_hand", i, "for", "ref"), "document_for_no_person"))
        elif whose.get("kind") == "domain" and _ascii_or_none(whose.get("ref")) not in {
                domain_parts(entry["name"]).ascii for entry in data["domains"]}:
            problems.append(source.problem(("documents_on_hand", i, "for", "ref"), "document_for_no_domain",
                                           value=whose.get("ref")))
    if problems:
        raise ApplicationError(problems)


def _ascii_or_none(name: Any) -> str | None:
    try:
        return to_ascii(str(name))
    except idna_error():  # not a domain name at all: it names no domain of the application
        return None


def _holder(people: Mapping[str, Any], ref: Any) -> Any:
    """The person a document's ``for`` names by certificate number, in any spelling the checks accept."""
    from .application import certificate_number

    text = str(ref)
    for number in (text.strip(), text.strip().upper(), certificate_number({"type": "id_card", "number": text})):
        if number in people:
            return people[number]
    return None


def derive(app: Application, as_of: dt.date, needs: "frozenset[str] | None" = None) -> Facts:
    """The facts of ``app``: every fact, or with ``needs`` only those it names (a rule set's
    evaluation passes the facts its rules, messages and combining read: ``evaluate.Plan.needs``).
    Items are kept whatever is needed (a count or a quantifier sees each one), each with at least
    the fact that names it (``REF_FACT``). Day counts are measured from ``submitted_on``, else
    ``as_of``. An application whose parts contradict each other is refused first
    (``check_consistency``), whatever is needed."""
    data = app.data
    on = app.submitted_on or as_of
    check_consistency(app, on)
    want = _wanted(needs)
    province = app.province.key
    subject = data["subject"]
    existing = subject["existing"]
    websites = data["websites"]
    principal = data["principal"]

    # People: the principal first, then each distinct website or app manager (same certificate =
    # same person); their roles are counted first, their facts made once at the end.
    principal_key = app.certificate_number(("principal", "certificate"))
    people_data: dict[str, dict[str, Any]] = {principal_key: principal}
    roles: dict[str, list[Any]] = {principal_key: [True, False, 0, False, 0]}  # principal, website manager, websites, app manager, apps
    w_domains, w_domain_count, w_registered, w_prefixes, w_categories, w_remarks, w_manager = want.website
    website_facts: list[dict[str, Any]] = []
    new_parts: list[DomainParts] = []
    for index, site in enumerate(websites):
        key = principal_key
        if site.get("manager"):
            key = app.certificate_number(("websites", index, "manager", "certificate"))
            if key not in people_data:
                people_data[key], roles[key] = site["manager"], [False, False, 0, False, 0]
        role = roles[key]
        role[1] = True
        role[2] += 1
        parts = list(map(domain_parts, site["domains"]))
        new_parts += parts
        site_facts: dict[str, Any] = {"website.name": normalise(site["name"])}
        if w_domains:
            site_facts["website.domains"] = list(map(_ASCII, parts))
        if w_domain_count:
            site_facts["website.domain_count"] = len(parts)
        if w_registered:
            site_facts["website.registered_domain_count"] = len(set(map(_REGISTERED, parts)))
        if w_prefixes:
            site_facts["website.domain_prefix_count"] = len(set(map(_PREFIX, parts)))
        if w_categories:
            site_facts["website.content_categories"] = list(site.get("content_categories") or [])
        if w_remarks:
            site_facts["website.remarks"] = _text(site.get("remarks"))
        if w_manager:
            site_facts["website.manager_is_principal"] = key == principal_key
        website_facts.append(site_facts)

    (a_kind, a_platforms, a_platform_count, a_package, a_md5, a_domains, a_domain_count, a_categories, a_remarks,
     a_manager) = want.app
    app_facts_list = []
    app_domains: set[str] = set()
    for index, app_entry in enumerate(data["apps"]):
        key = principal_key
        if app_entry.get("manager"):
            key = app.certificate_number(("apps", index, "manager", "certificate"))
            if key not in people_data:
                people_data[key], roles[key] = app_entry["manager"], [False, False, 0, False, 0]
        role = roles[key]
        role[3] = True
        role[4] += 1
        parts = list(map(domain_parts, app_entry.get("domains") or ()))
        new_parts += parts
        ascii_domains = list(map(_ASCII, parts))
        app_domains.update(ascii_domains)
        app_item: dict[str, Any] = {"app.name": normalise(app_entry["name"])}
        if a_kind:
            app_item["app.kind"] = app_entry["kind"]
        if a_platforms or a_platform_count:
            platforms = list(dict.fromkeys(app_entry.get("platforms") or ()))
            if a_platforms:
                app_item["app.platforms"] = platforms
            if a_platform_count:
                app_item["app.platform_count"] = len(platforms)
        if a_package:
            app_item["app.package"] = app_entry.get("package")
        if a_md5:
            md5 = app_entry.get("signature_md5")
            # one spelling, whether written with colons or capitals
            app_item["app.signature_md5"] = None if md5 is None else md5.replace(":", "").lower()
        if a_domains:
            app_item["app.domains"] = ascii_domains
        if a_domain_count:
            app_item["app.domain_count"] = len(ascii_domains)
        if a_categories:
            app_item["app.content_categories"] = list(app_entry.get("content_categories") or [])
        if a_remarks:
            app_item["app.remarks"] = _text(app_entry.get("remarks"))
        if a_manager:
            app_item["app.manager_is_principal"] = key == principal_key
        app_facts_list.append(app_item)

    person_want = want.person
    people = {key: _person_facts(person, key, province, on, roles[key], person_want)
              for key, person in people_data.items()}

    # map() over the memoised split: a subject may list dozens of filed domains
    filed = list(map(domain_parts, existing.get("filed_domains") or ()))
    filed_set = set(map(_ASCII, filed))
    entries = [(entry, domain_parts(entry["name"])) for entry in data["domains"]]

    (d_unicode, d_suffix, d_tld, d_tld_approved, d_prefix, d_idn, d_new, d_registrant, d_registrant_type,
     d_registrant_is_subject, d_verified, d_since_verification, d_until_expiry, d_since_registration,
     d_months_since_registration, d_for_app) = want.domain
    subject_name = normalise(subject["name"])
    domain_facts = []
    for entry, (ascii_name, uni, suffix, prefix, _) in entries:
        domain: dict[str, Any] = {"domain.name": ascii_name}
        if d_unicode:
            domain["domain.unicode_name"] = uni
        if d_suffix:
            domain["domain.suffix"] = suffix
        if d_tld:
            domain["domain.tld"] = uni.rsplit(".", 1)[-1]
        if d_tld_approved:
            domain["domain.tld_approved"] = tld_approved(uni)
        if d_prefix:
            domain["domain.prefix"] = prefix
        if d_idn:
            domain["domain.is_idn"] = uni != ascii_name
        if d_new:
            domain["domain.is_new"] = ascii_name not in filed_set
        if d_registrant:
            domain["domain.registrant_name"] = normalise(entry["registrant_name"])
        if d_registrant_type:
            domain["domain.registrant_type"] = entry["registrant_type"]
        if d_registrant_is_subject:
            domain["domain.registrant_is_subject"] = normalise(entry["registrant_name"]) == subject_name
        if d_verified:
            domain["domain.real_name_verified"] = entry["real_name_verified"]
        if d_since_verification:
            domain["domain.days_since_verification"] = _days(parse_date(entry.get("verified_on")), on)
        if d_until_expiry:
            domain["domain.days_until_expiry"] = _days(on, parse_date(entry["expires_on"]))
        if d_since_registration or d_months_since_registration:
            registered_on = parse_date(entry.get("registered_on"))
            if d_since_registration:
                domain["domain.days_since_registration"] = _days(registered_on, on)
            if d_months_since_registration:
                domain["domain.months_since_registration"] = whole_months(registered_on, on)
        if d_for_app:
            domain["domain.for_app"] = ascii_name in app_domains
        domain_facts.append(domain)

    categories: dict[str, list[int]] = {}  # name -> [websites, apps] carrying it, in order of appearance
    for site in websites:
        for name in dict.fromkeys(site.get("content_categories") or ()):
            categories.setdefault(name, [0, 0])[0] += 1
    app_categories: dict[str, None] = {}
    for app_entry in data["apps"]:
        for name in dict.fromkeys(app_entry.get("content_categories") or ()):
            categories.setdefault(name, [0, 0])[1] += 1
            app_categories[name] = None
    c_websites, c_apps = want.category
    category_facts = []
    for name, (sites, apps) in categories.items():
        category: dict[str, Any] = {"category.name": name}
        if c_websites:
            category["category.website_count"] = sites
        if c_apps:
            category["category.app_count"] = apps
        category_facts.append(category)

    # documents on hand: combining measures each against the limits rules set, so all their facts
    document_facts = []
    for doc in data["documents_on_hand"]:
        issued, expires = parse_date(doc.get("issued_on")), parse_date(doc.get("expires_on"))
        whose = doc.get("for") or {}
        for_ref = whose.get("ref")
        if whose.get("kind") == "person":  # named by certificate number; the number itself is no fact
            holder = _holder(people, for_ref)
            for_ref = holder["person.name"] if holder else None
        elif whose.get("kind") == "domain" and for_ref:
            for_ref = _ascii_or_none(for_ref)
        elif whose.get("kind") == "subject":
            for_ref = subject["name"]
        document_facts.append({
            "document.id": doc["id"],
            "document.for_kind": whose.get("kind"),
            "document.for": for_ref,
            "document.age_days": _days(issued, on),
            "document.age_months": months_begun(issued, on),
            "document.days_until_expiry": _days(on, expires),
            "document.months_until_expiry": whole_months(on, expires),
        })

    w = want.application
    cert = subject["certificate"]
    filed_services = existing.get("filed_services", 0)
    app_facts: dict[str, Any] = {}
    if w["application.id"]:
        app_facts["application.id"] = app.application_id
    if w["filing.province"]:
        app_facts["filing.province"] = province
    if w["filing.type"]:
        app_facts["filing.type"] = data["filing_type"]
    app_facts["filing.submitted_on"] = on
    if w["service.type"]:
        app_facts["service.type"] = data["service_type"]
    if w["service.operating"]:
        app_facts["service.operating"] = data["operating"]
    if w["server.location"]:
        app_facts["server.location"] = data["server"]["location"]
    if w["server.in_mainland"]:
        app_facts["server.in_mainland"] = data["server"]["location"] == "mainland"
    if w["server.provider"]:
        app_facts["server.provider"] = _text(data["server"].get("provider"))
    if w["subject.type"]:
        app_facts["subject.type"] = subject["type"]
    if w["subject.is_unit"]:
        app_facts["subject.is_unit"] = subject["type"] != "individual"
    app_facts["subject.name"] = subject_name
    if w["subject.certificate.type"]:
        app_facts["subject.certificate.type"] = cert["type"]
    if w["subject.certificate.days_until_expiry"] or w["subject.certificate.months_until_expiry"]:
        expires = parse_date(cert.get("expires_on"))
        if w["subject.certificate.days_until_expiry"]:
            app_facts["subject.certificate.days_until_expiry"] = _days(on, expires)
        if w["subject.certificate.months_until_expiry"]:
            app_facts["subject.certificate.months_until_expiry"] = whole_months(on, expires)
    homes = w["subject.certificate.registration_province"] or w["subject.residence_province"] \
        or w["subject.registered_elsewhere"]
    if homes:
        cert_number = app.certificate_number(("subject", "certificate"))
        registration = None
        if cert["type"] in UNIT_CERTIFICATES and len(cert_number) == 18:
            region = provinces.from_code(cert_number[2:4])
            registration = region.key if region else None
        residence = _residence_province(subject.get("residence"))
        if w["subject.certificate.registration_province"]:
            app_facts["subject.certificate.registration_province"] = registration
    if w["subject.residence"]:
        app_facts["subject.residence"] = _text(subject.get("residence"))
    if homes:
        if w["subject.residence_province"]:
            app_facts["subject.residence_province"] = residence.key if residence else None
        if w["subject.registered_elsewhere"]:
            known_homes = {home for home in (registration, residence.key if residence else None) if home is not None}
            app_facts["subject.registered_elsewhere"] = any(home != province for home in known_homes) if known_homes else None
    if w["subject.business_scope"]:
        app_facts["subject.business_scope"] = _text(subject.get("business_scope"))
    if w["subject.name_changed"]:
        app_facts["subject.name_changed"] = subject["name_changed"]
    if w["subject.existing.has_subject_number"]:
        app_facts["subject.existing.has_subject_number"] = bool(existing.get("subject_number"))
    if w["subject.existing.filed_domain_count"]:
        app_facts["subject.existing.filed_domain_count"] = len(filed_set)
    if w["subject.existing.filed_services"]:
        app_facts["subject.existing.filed_services"] = filed_services
    if w["subject.service_count"]:
        app_facts["subject.service_count"] = filed_services + len(websites) + len(data["apps"])
    if w["subject.domain_count"] or w["subject.domain_prefix_count"]:
        every = filed + new_parts + [p for _, p in entries]
        if w["subject.domain_count"]:
            app_facts["subject.domain_count"] = len(set(map(_REGISTERED, every)))
        if w["subject.domain_prefix_count"]:
            app_facts["subject.domain_prefix_count"] = len(set(map(_PREFIX, every)))
    if w["websites.count"]:
        app_facts["websites.count"] = len(websites)
    if w["websites.content_categories"]:
        app_facts["websites.content_categories"] = [name for name, (sites, _) in categories.items() if sites]
    if w["apps.count"]:
        app_facts["apps.count"] = len(data["apps"])
    if w["apps.content_categories"]:
        app_facts["apps.content_categories"] = list(app_categories)
    if w["domains.count"]:
        app_facts["domains.count"] = len(data["domains"])
    if w["persons.count"]:
        app_facts["persons.count"] = len(people)
    if w["documents_on_hand.ids"]:
        app_facts["documents_on_hand.ids"] = [d["id"] for d in data["documents_on_hand"]]
    return Facts(
        application=app_facts,
        items={
            "person": tuple(people.values()),
            "website": tuple(website_facts),
            "app": tuple(app_facts_list),
            "domain": tuple(domain_facts),
            "category": tuple(category_facts),
            "document": tuple(document_facts),
        },
    )


# Facts ``derive`` may leave absent (None): optional fields of the application, and what cannot
# be worked out from them (no household province from a passport). Every other fact is always
# there, so a comparison with it is never undecided; condition coverage relies on this, and
# tests/test_coverage.py derives applications with every optional field left out to keep it true.
MAY_BE_ABSENT = frozenset({
    "application.id", "server.provider", "subject.certificate.days_until_expiry",
    "subject.certificate.registration_province", "subject.residence", "subject.residence_province",
    "subject.business_scope", "website.remarks", "domain.days_since_verification",
    "domain.days_since_registration", "document.age_days", "document.days_until_expiry",
    "person.certificate.days_until_expiry", "person.household_province", "person.cross_province",
    "person.birth_date", "person.age", "person.is_legal_representative",
    "subject.certificate.months_until_expiry", "person.certificate.months_until_expiry",
    "domain.months_since_registration", "document.age_months", "document.months_until_expiry",
    "subject.registered_elsewhere",
})


# The fact that names an item in results (``for: [{kind, ref}]``) and in messages.
REF_FACT = {"person": "person.name", "website": "website.name", "app": "app.name", "domain": "domain.name",
            "category": "category.name", "document": "document.id"}


def catalogue_markdown() -> str:
    """docs/facts.md: the facts rules may use. Generated; a test keeps the file in step."""
    lines = ["# Fact catalogue", "",
             "Generated from `engine/facts.py` by `icp-rules facts`; do not edit by hand.", "",
             "Rules name these facts in conditions (`{fact: NAME, OP: VALUE}`) and in message",
             "placeholders (`{NAME}`). Application facts hold once per application. Item facts hold once",
             "per person, website, app, domain, content category or document on hand, and are reached with",
             "`for_each: KIND` on a rule or with a quantifier (`any_person`, `every_domain`, …).",
             "A fact that the application does not supply is *absent*: comparisons with it are undecided,",
             "so the rule does not fire and `explain` says which fact was missing.", ""]
    for scope in SCOPES:
        facts = [f for f in CATALOGUE if f.scope == scope]
        lines += [f"## {scope} facts", "", "| fact | 名称 | type | meaning |", "|---|---|---|---|"]
        for f in facts:
            kind = f.type
            if f.values:
                shown = ", ".join(f.values) if len(f.values) <= 12 else "a province key (SPEC §2)"
                kind = f"enum: {shown}"
            lines.append(f"| `{f.name}` | {f.zh} | {kind} | {f.meaning} |")
        lines.append("")
    return "\n".join(lines)


# Where the answers each fact is derived from are written in the application (JSON paths, [*] for
# every item of a list): the intake page marks those fields when a rule waits for the fact
# (``explain``'s undecided items), so the clerk asks the applicant the right question first. A
# test holds every fact of the catalogue to a place the application schema has.
_PEOPLE = ("$.principal", "$.websites[*].manager", "$.apps[*].manager")
_ALL_DOMAINS = ("$.domains[*].name", "$.websites[*].domains", "$.apps[*].domains", "$.subject.existing.filed_domains")


def _of_people(*fields: str) -> tuple[str, ...]:
    return tuple(f"{place}.{field}" for field in fields for place in _PEOPLE)


ANSWERS: dict[str, tuple[str, ...]] = {
    "application.id": ("$.application_id",), "filing.province": ("$.filing_province",),
    "filing.type": ("$.filing_type",), "filing.submitted_on": ("$.submitted_on",), "service.type": ("$.service_type",),
    "service.operating": ("$.operating",), "server.location": ("$.server.location",),
    "server.in_mainland": ("$.server.location",), "server.provider": ("$.server.provider",),
    "subject.type": ("$.subject.type",), "subject.is_unit": ("$.subject.type",), "subject.name": ("$.subject.name",),
    "subject.certificate.type": ("$.subject.certificate.type",),
    "subject.certificate.days_until_expiry": ("$.subject.certificate.expires_on",),
    "subject.certificate.months_until_expiry": ("$.subject.certificate.expires_on",),
    "subject.certificate.registration_province": ("$.subject.certificate.number",),
    "subject.residence": ("$.subject.residence",), "subject.residence_province": ("$.subject.residence",),
    "subject.registered_elsewhere": ("$.subject.certificate.number", "$.subject.residence"),
    "subject.business_scope": ("$.subject.business_scope",), "subject.name_changed": ("$.subject.name_changed",),
    "subject.existing.has_subject_number": ("$.subject.existing.subject_number",),
    "subject.existing.filed_domain_count": ("$.subject.existing.filed_domains",),
    "subject.existing.filed_services": ("$.subject.existing.filed_services",),
    "subject.service_count": ("$.subject.existing.filed_services", "$.websites", "$.apps"),
    "subject.domain_count": _ALL_DOMAINS, "subject.domain_prefix_count": _ALL_DOMAINS,
    "websites.count": ("$.websites",), "websites.content_categories": ("$.websites[*].content_categories",),
    "apps.count": ("$.apps",), "apps.content_categories": ("$.apps[*].content_categories",),
    "domains.count": ("$.domains",), "persons.count": _PEOPLE, "documents_on_hand.ids": ("$.documents_on_hand[*].id",),
    "person.name": _of_people("name"), "person.identity": _of_people("identity"),
    "person.is_principal": ("$.principal",), "person.is_website_manager": ("$.websites[*].manager",),
    "person.is_app_manager": ("$.apps[*].manager",), "person.certificate.type": _of_people("certificate.type"),
    "person.certificate.days_until_expiry": _of_people("certificate.expires_on"),
    "person.certificate.months_until_expiry": _of_people("certificate.expires_on"),
    "person.household_province": _of_people("certificate.number"),
    "person.cross_province": _of_people("certificate.number"),
    "person.birth_date": _of_people("birth_date", "certificate.number"), "person.age": _of_people("birth_date"),
    "person.is_legal_representative": _of_people("is_legal_representative"),
    "person.other_filings": _of_people("other_filings"), "person.website_count": ("$.websites[*].manager",),
    "person.app_count": ("$.apps[*].manager",),
    "website.name": ("$.websites[*].name",), "website.domains": ("$.websites[*].domains",),
    "website.domain_count": ("$.websites[*].domains",), "website.registered_domain_count": ("$.websites[*].domains",),
    "website.domain_prefix_count": ("$.websites[*].domains",),
    "website.content_categories": ("$.websites[*].content_categories",), "website.remarks": ("$.websites[*].remarks",),
    "website.manager_is_principal": ("$.websites[*].manager",),
    "app.name": ("$.apps[*].name",), "app.kind": ("$.apps[*].kind", "$.service_type"),
    "app.platforms": ("$.apps[*].platforms",), "app.platform_count": ("$.apps[*].platforms",),
    "app.package": ("$.apps[*].package",), "app.signature_md5": ("$.apps[*].signature_md5",),
    "app.domains": ("$.apps[*].domains",), "app.domain_count": ("$.apps[*].domains",),
    "app.content_categories": ("$.apps[*].content_categories",), "app.remarks": ("$.apps[*].remarks",),
    "app.manager_is_principal": ("$.apps[*].manager",),
    "domain.name": ("$.domains[*].name",), "domain.unicode_name": ("$.domains[*].name",),
    "domain.suffix": ("$.domains[*].name",), "domain.tld": ("$.domains[*].name",),
    "domain.tld_approved": ("$.domains[*].name",), "domain.prefix": ("$.domains[*].name",),
    "domain.is_idn": ("$.domains[*].name",), "domain.is_new": ("$.domains[*].name", "$.subject.existing.filed_domains"),
    "domain.registrant_name": ("$.domains[*].registrant_name",),
    "domain.registrant_type": ("$.domains[*].registrant_type",),
    "domain.registrant_is_subject": ("$.domains[*].registrant_name", "$.subject.name"),
    "domain.real_name_verified": ("$.domains[*].real_name_verified",),
    "domain.days_since_verification": ("$.domains[*].verified_on",),
    "domain.days_until_expiry": ("$.domains[*].expires_on",),
    "domain.days_since_registration": ("$.domains[*].registered_on",),
    "domain.months_since_registration": ("$.domains[*].registered_on",),
    "domain.for_app": ("$.apps[*].domains",),
    "category.name": ("$.websites[*].content_categories", "$.apps[*].content_categories"),
    "category.website_count": ("$.websites[*].content_categories",),
    "category.app_count": ("$.apps[*].content_categories",),
    "document.id": ("$.documents_on_hand[*].id",), "document.for_kind": ("$.documents_on_hand[*].for.kind",),
    "document.for": ("$.documents_on_hand[*].for.ref",), "document.age_days": ("$.documents_on_hand[*].issued_on",),
    "document.age_months": ("$.documents_on_hand[*].issued_on",),
    "document.months_until_expiry": ("$.documents_on_hand[*].expires_on",),
    "document.days_until_expiry": ("$.documents_on_hand[*].expires_on",),
}
