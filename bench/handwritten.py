"""The Guangdong rules (national pack with Guangdong's laid over it) written by hand, as closures.

This is the yardstick of issue 17: what a careful programmer would write for one province without
a rules engine. Facts are worked out straight from the checked application, only those the rules
read; each rule is a plain Python function testing them; effects are combined into the same
``Result`` the engine builds. Texts (reasons, messages, sources) come from the loaded rule set by
rule id, as a hand-written program would keep them in a table. ``bench/targets.py`` checks that it
gives the engine's result (every document, reason, finding, footer and timeline in both languages,
and every firing) on each application it times, before it times anything.

Written for evaluation dates from 2024-07-01 on (every Guangdong rule in force then).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from functools import lru_cache

from engine import provinces, timeline
from engine.application import UNIT_CERTIFICATES, Application, parse_date
from engine.evaluate import (Template, _check_documents_on_hand, _tighten_age, _tighten_validity, app_numbers,
                             footer_numbers, template)
from engine.facts import domain_parts, tld_approved, whole_months
from engine.text import normalise
from engine.packs import RuleSet
from engine.result import CATEGORY_ORDER, SEVERITY_ORDER, Advice, Finding, Footer, Reason, RequiredDocument, Result

FROM = dt.date(2024, 7, 1)
ID_LIKE = {"id_card": "mainland"}
INDIVIDUAL_CERTIFICATES = frozenset({"id_card", "hk_macau_residence_permit", "hk_macau_travel_permit",
                                     "taiwan_residence_permit", "taiwan_travel_permit", "passport"})
GENERIC_NAMES = frozenset({"网站", "首页", "主页", "官网", "网页", "个人网站", "个人主页", "个人博客", "博客"})
GENERIC_SHORT = frozenset({"网站", "首页", "主页", "官网", "网页", "博客"})
APP_KINDS = ("app", "mini_program", "quick_app")
APP_NAME_SYMBOLS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F★☆※#@*_~|<>{}\\[\\]]")
APP_MARKETING = ("免费", "限免", "限时", "特价", "折扣", "打折", "优惠", "促销", "秒杀", "破解", "官方正版", "最新版")
APP_GENERIC = frozenset({"App", "APP", "app", "应用", "软件", "客户端", "小程序", "快应用", "工具", "助手", "浏览器", "相机",
                         "天气", "日历", "计算器", "视频", "音乐", "地图", "游戏", "商城"})
PRE_APPROVAL = frozenset({"news", "publishing", "education", "medical", "drugs_medical_devices", "culture",
                          "broadcasting", "finance", "religion", "games", "online_car_hailing", "food"})


class NotWrittenByHand(Exception):
    """Rules of the current Guangdong rule set that this file has no hand-written version of."""

    def __init__(self, rules: list[str]):
        super().__init__(", ".join(rules))
        self.rules = rules


def _days(start: dt.date | None, end: dt.date | None) -> int | None:
    return None if start is None or end is None else (end - start).days


_residence_province = lru_cache(maxsize=4096)(provinces.from_address)


def _has_word(text: str | None, words: tuple[str, ...]) -> bool:
    if text is None:
        return False
    for word in words:
        if word in text:
            return True
    return False


class Person:
    __slots__ = ("name", "identity", "cert_type", "cert_left", "cert_months", "household", "age", "legal_rep",
                 "principal", "manager", "app_manager", "other_filings")

    def __init__(self, raw: dict[str, Any], number: str, on: dt.date):
        cert = raw["certificate"]
        self.name, self.identity, self.cert_type = normalise(raw["name"]), raw["identity"], cert["type"]
        expires = parse_date(cert.get("expires_on"))
        self.cert_left, self.cert_months = _days(on, expires), whole_months(on, expires)
        birth = parse_date(raw.get("birth_date"))
        self.household = None
        if cert["type"] == "id_card" and len(number) == 18:
            region = provinces.from_code(number[:2])
            self.household = region.key if region else None
            if birth is None:
                birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        self.age = None if birth is None else on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        self.legal_rep = raw.get("is_legal_representative")
        self.other_filings = raw.get("other_filings", 0)
        self.principal = self.manager = self.app_manager = False


class Guangdong:
    """``evaluate(app, as_of)``: the Result the engine gives under the Guangdong rule set."""

    def __init__(self, ruleset: RuleSet):
        assert ruleset.key == "guangdong"
        self.ruleset = ruleset
        self.rules = {rule.id: rule for rule in ruleset.rules}
        self.order = ruleset.rule_order
        keywords = {}
        for pack in ruleset.packs:
            keywords.update(pack.keywords)
        self.sensitive, self.business, self.finance = (tuple(map(normalise, keywords[k])) for k in
                                                       ("sensitive_name_words", "business_name_words", "finance_words"))
        # each rule's reason and finding texts, as a hand-written program keeps them in a table
        names = {doc_id: doc.name for doc_id, doc in ruleset.documents.items()}
        self.reasons = {rule.id: template(rule.reason or rule.title, ruleset.categories, names)
                        for rule in ruleset.rules if rule.require}
        self.messages = {rule.id: [(spec.id, spec.severity, template(spec.message, ruleset.categories, names))
                                   for spec in rule.findings] for rule in ruleset.rules}
        self.advice = {rule.id: template(rule.advice, ruleset.categories, names) for rule in ruleset.rules if rule.advice}
        self.categories = {doc_id: doc.category for doc_id, doc in ruleset.documents.items()}
        # Python's re: these patterns are fixed here, not typed by pack authors (the engine runs
        # pack patterns on RE2 for its linear-time guarantee)
        self.letters_only = re.compile(r"^[A-Za-z0-9 ._-]+$")
        self.few_chinese = re.compile(r"^[^\u4e00-\u9fff]*([\u4e00-\u9fff][^\u4e00-\u9fff]*){1,2}$")
        self.reserved = re.compile(r"^(中国|中华|中央|全国|人民|人大|国家)")
        self.public_suffix = re.compile(r"(^|\.)(cn|公益)$")
        self.gov_suffix = re.compile(r"(^|\.)(gov\.cn|政务)$")
        # the rules in the rule set's order, each a function of (evaluation, fire)
        unwritten = [rule.id for rule in ruleset.rules if not hasattr(self, "r_" + rule.id)]
        if unwritten:  # the packs gained rules since this file was written: a comparison would be unfair
            raise NotWrittenByHand(unwritten)
        self.steps: list[Callable[[Any, Any], None]] = [getattr(self, "r_" + rule.id) for rule in ruleset.rules]

    # ------------------------------------------------------------------ facts and evaluation

    def evaluate(self, app: Application, as_of: dt.date) -> Result:
        assert as_of >= FROM
        data = app.data
        on = app.submitted_on or as_of
        subject = data["subject"]
        principal_key = app.certificate_number(("principal", "certificate"))
        people = {principal_key: Person(data["principal"], principal_key, on)}
        people[principal_key].principal = True
        sites = []
        new_parts = []
        for index, site in enumerate(data["websites"]):
            manager = site.get("manager")
            key = app.certificate_number(("websites", index, "manager", "certificate")) if manager else principal_key
            person = people.get(key)
            if person is None:
                person = people[key] = Person(manager, key, on)
            person.manager = True
            parts = [domain_parts(name) for name in site["domains"]]
            new_parts += parts
            sites.append((normalise(site["name"]), len({p.prefix for p in parts}), site.get("content_categories") or ()))
        apps = []
        app_domains: set[str] = set()
        for index, entry in enumerate(data["apps"]):
            manager = entry.get("manager")
            key = app.certificate_number(("apps", index, "manager", "certificate")) if manager else principal_key
            person = people.get(key)
            if person is None:
                person = people[key] = Person(manager, key, on)
            person.app_manager = True
            parts = [domain_parts(name) for name in entry.get("domains") or ()]
            new_parts += parts
            app_domains.update(p.ascii for p in parts)
            apps.append(entry)
        existing = subject["existing"]
        filed = [domain_parts(name) for name in existing.get("filed_domains") or ()]
        filed_names = {p.ascii for p in filed}
        entries = [(entry, domain_parts(entry["name"])) for entry in data["domains"]]
        prefixes = {p.prefix for p in filed} | {p.prefix for p in new_parts} | {p.prefix for _, p in entries}
        app_categories = list(dict.fromkeys(c for entry in apps for c in entry.get("content_categories") or ()))
        categories = list(dict.fromkeys([*(c for _, _, cats in sites for c in dict.fromkeys(cats)), *app_categories]))
        state = _State(self, app, on, subject, people, sites, entries, filed_names, len(prefixes), categories)
        state.name = normalise(subject["name"])
        state.apps, state.app_domains, state.app_categories = apps, app_domains, app_categories
        state.service_count = existing.get("filed_services", 0) + len(sites) + len(apps)
        for step in self.steps:
            step(state)
        return state.result(as_of)

    # ------------------------------------------------------------------ rules, in no particular order

    def r_filing_not_required_offshore(self, s: "_State") -> None:
        if s.app.data["server"]["location"] != "mainland" and s.app.data["service_type"] == "website":
            s.gate = True
            s.fire("filing_not_required_offshore", None, None, {"server.location": s.app.data["server"]["location"]})

    def r_operating_service_needs_licence(self, s: "_State") -> None:
        if s.app.data["operating"] and s.type == "enterprise":
            s.fire("operating_service_needs_licence", None, None, {})

    def r_operating_service_not_for_non_enterprise(self, s: "_State") -> None:
        if s.app.data["operating"] and s.type != "enterprise":
            s.fire("operating_service_not_for_non_enterprise", None, None, {})

    def r_basic_subject_certificate(self, s: "_State") -> None:
        s.fire("basic_subject_certificate", None, None, {"subject.name": s.name})

    def _subject_type_rule(self, s: "_State", rule: str, types: tuple[str, ...]) -> None:
        if s.type in types:
            s.fire(rule, None, None, {"subject.name": s.name})

    def r_basic_business_licence(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_business_licence", ("enterprise", "individual_business"))

    def r_basic_institution_certificate(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_institution_certificate", ("public_institution",))

    def r_basic_government_certificate(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_government_certificate", ("government",))

    def r_basic_social_organization_certificate(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_social_organization_certificate", ("social_organization",))

    def r_basic_law_firm_licence_all_pages(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_law_firm_licence_all_pages", ("law_firm",))

    def r_basic_individual_identity_document(self, s: "_State") -> None:
        self._subject_type_rule(s, "basic_individual_identity_document", ("individual",))

    def r_certificate_matches_subject_type(self, s: "_State") -> None:
        kind, cert = s.type, s.subject["certificate"]["type"]
        wrong = ((kind == "individual" and cert not in INDIVIDUAL_CERTIFICATES)
                 or (kind in ("enterprise", "individual_business") and cert != "business_license")
                 or (kind == "public_institution" and cert != "institution_certificate")
                 or (kind == "social_organization" and cert != "social_organization_certificate")
                 or (kind == "law_firm" and cert != "law_firm_license")
                 or (kind == "government" and cert not in ("government_certificate", "institution_certificate")))
        if wrong:
            s.fire("certificate_matches_subject_type", None, None, {"subject.type": kind, "subject.certificate.type": cert})

    def r_certificate_matches_identity(self, s: "_State") -> None:
        for p in s.people.values():
            who, cert = p.identity, p.cert_type
            if ((who == "mainland" and cert != "id_card")
                    or (who in ("hong_kong", "macau") and cert not in ("hk_macau_residence_permit", "hk_macau_travel_permit"))
                    or (who == "taiwan" and cert not in ("taiwan_residence_permit", "taiwan_travel_permit"))
                    or (who == "foreign" and cert != "passport")):
                s.fire("certificate_matches_identity", "person", p.name,
                       {"person.name": p.name, "person.identity": who, "person.certificate.type": cert})

    # A unit's principal brings a principal's certificate, and a manager who is someone else brings
    # a manager's; one rule per pairing of roles, as the national pack words each reason.
    def _role_rule(self, s: "_State", rule: str, test: Callable[[Person], bool]) -> None:
        if s.unit:
            for p in s.people.values():
                if test(p):
                    s.fire(rule, "person", p.name, {"person.name": p.name})

    def r_basic_principal_certificate(self, s: "_State") -> None:
        self._role_rule(s, "basic_principal_certificate", lambda p: p.principal and not p.manager)

    def r_basic_principal_and_manager_certificate(self, s: "_State") -> None:
        self._role_rule(s, "basic_principal_and_manager_certificate", lambda p: p.principal and p.manager)

    def r_basic_website_manager_certificate(self, s: "_State") -> None:
        self._role_rule(s, "basic_website_manager_certificate", lambda p: p.manager and not p.principal)

    def r_first_filing_with_existing_subject_number(self, s: "_State") -> None:
        if s.app.data["filing_type"] == "first_filing" and s.subject["existing"].get("subject_number"):
            s.fire("first_filing_with_existing_subject_number", None, None, {})

    def r_individual_domain_held_by_organization(self, s: "_State") -> None:
        if not s.unit:
            for entry, parts in s.entries:
                if entry["registrant_type"] == "organization":
                    s.fire("individual_domain_held_by_organization", "domain", parts.ascii, self._domain_values(s, entry, parts))

    def r_individual_business_premises_proof(self, s: "_State") -> None:
        self._subject_type_rule(s, "individual_business_premises_proof", ("individual_business",))

    def r_agent_brings_identity(self, s: "_State") -> None:
        if s.unit:
            s.fire("agent_brings_identity", None, None, {})

    def r_domains_closed_until_approved(self, s: "_State") -> None:
        if s.sites:
            s.fire("domains_closed_until_approved", None, None, {})

    def r_registrar_approved_and_domestic(self, s: "_State") -> None:
        if s.entries:
            s.fire("registrar_approved_and_domestic", None, None, {})

    def r_upload_format(self, s: "_State") -> None:
        s.fire("upload_format", None, None, {})

    def r_certificate_in_other_filings(self, s: "_State") -> None:
        for p in s.people.values():
            if p.other_filings >= 1:
                s.fire("certificate_in_other_filings", "person", p.name, {"person.name": p.name, "person.other_filings": p.other_filings})

    def r_gd_verification_form_recent(self, s: "_State") -> None:
        s.fire("gd_verification_form_recent", None, None, {})

    def r_subject_certificate_validity(self, s: "_State") -> None:
        expires = parse_date(s.subject["certificate"].get("expires_on"))
        months = whole_months(s.on, expires)
        if months is not None and months < 3:
            s.fire("subject_certificate_validity", None, None, {"subject.certificate.days_until_expiry": _days(s.on, expires)})

    def r_unit_files_in_its_own_province(self, s: "_State") -> None:
        if not s.unit:
            return
        cert = s.subject["certificate"]
        number = s.app.certificate_number(("subject", "certificate"))
        registration = None
        if cert["type"] in UNIT_CERTIFICATES and len(number) == 18:
            region = provinces.from_code(number[2:4])
            registration = region.key if region else None
        residence = _residence_province(s.subject.get("residence"))
        home = residence.key if residence else None
        province = s.app.province.key
        if (registration is not None and registration != province) or (home is not None and home != province):
            s.fire("unit_files_in_its_own_province", None, None,
                   {"filing.province": province, "subject.certificate.registration_province": registration,
                    "subject.residence_province": home})

    def r_person_certificate_validity(self, s: "_State") -> None:
        for p in s.people.values():
            if p.cert_months is not None and p.cert_months < 3:
                s.fire("person_certificate_validity", "person", p.name,
                       {"person.name": p.name, "person.certificate.days_until_expiry": p.cert_left})

    def r_domain_validity(self, s: "_State") -> None:
        for entry, parts in s.entries:
            left = _days(s.on, parse_date(entry["expires_on"]))
            if left is not None and left <= 90:
                s.fire("domain_validity", "domain", parts.ascii, {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode,
                                                                  "domain.days_until_expiry": left})

    def r_domain_real_name_verified(self, s: "_State") -> None:
        for entry, parts in s.entries:
            if entry["real_name_verified"] is False:
                s.fire("domain_real_name_verified", "domain", parts.ascii, {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode})

    def r_domain_verified_recently(self, s: "_State") -> None:
        for entry, parts in s.entries:
            if entry["real_name_verified"] is True:
                since = _days(parse_date(entry.get("verified_on")), s.on)
                if since is not None and since < 3:
                    s.fire("domain_verified_recently", "domain", parts.ascii,
                           {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode, "domain.days_since_verification": since})

    def _registrant_is_subject(self, s: "_State", entry: dict[str, Any]) -> bool:
        return bool(normalise(entry["registrant_name"]) == s.name)

    def r_individual_domain_registrant(self, s: "_State") -> None:
        if not s.unit:
            for entry, parts in s.entries:
                if not self._registrant_is_subject(s, entry):
                    s.fire("individual_domain_registrant", "domain", parts.ascii, self._domain_values(s, entry, parts))

    def r_unit_domain_held_by_person(self, s: "_State") -> None:
        if s.unit:
            for entry, parts in s.entries:
                if entry["registrant_type"] == "individual":
                    s.fire("unit_domain_held_by_person", "domain", parts.ascii, self._domain_values(s, entry, parts))

    def r_unit_domain_registrant_mismatch(self, s: "_State") -> None:
        if s.unit:
            for entry, parts in s.entries:
                if entry["registrant_type"] == "organization" and not self._registrant_is_subject(s, entry):
                    s.fire("unit_domain_registrant_mismatch", "domain", parts.ascii, self._domain_values(s, entry, parts))

    def _domain_values(self, s: "_State", entry: dict[str, Any], parts: Any) -> dict[str, Any]:
        return {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode, "domain.registrant_name": normalise(entry["registrant_name"]),
                "subject.name": s.name}

    def r_unit_name_changed(self, s: "_State") -> None:
        if s.unit and s.subject["name_changed"]:
            s.fire("unit_name_changed", None, None, {"subject.name": s.name})

    def r_pre_approval_per_category(self, s: "_State") -> None:
        for name in s.categories:
            if name in PRE_APPROVAL:
                s.fire("pre_approval_per_category", "category", name, {"category.name": name})

    def _site_rule(self, s: "_State", rule: str, test: Callable[[str], bool]) -> None:
        for name, _, _ in s.sites:
            if test(name):
                s.fire(rule, "website", name, {"website.name": name})

    def r_website_name_not_generic(self, s: "_State") -> None:
        self._site_rule(s, "website_name_not_generic", GENERIC_NAMES.__contains__)

    def r_website_name_letters_only(self, s: "_State") -> None:
        search = self.letters_only.search
        self._site_rule(s, "website_name_letters_only", lambda name: search(name) is not None)

    def r_website_name_few_chinese_characters(self, s: "_State") -> None:
        search = self.few_chinese.search
        self._site_rule(s, "website_name_few_chinese_characters",
                        lambda name: search(name) is not None and name not in GENERIC_SHORT)

    def r_website_name_reserved_words(self, s: "_State") -> None:
        if s.type != "government":
            search = self.reserved.search
            self._site_rule(s, "website_name_reserved_words", lambda name: search(name) is not None)

    def r_website_name_sensitive_words(self, s: "_State") -> None:
        self._site_rule(s, "website_name_sensitive_words", lambda name: _has_word(name, self.sensitive))

    def r_website_name_personal_with_business_words(self, s: "_State") -> None:
        if not s.unit:
            self._site_rule(s, "website_name_personal_with_business_words", lambda name: _has_word(name, self.business))

    def r_personal_service_limit(self, s: "_State") -> None:
        if not s.unit and s.service_count > 5:
            s.fire("personal_service_limit", None, None, {"subject.service_count": s.service_count})

    def _suffix_rule(self, s: "_State", rule: str, test: Callable[[str], bool]) -> None:
        for _, parts in s.entries:
            if test(parts.suffix):
                s.fire(rule, "domain", parts.ascii, {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode,
                                                     "domain.suffix": parts.suffix})

    def r_domain_suffix_not_approved(self, s: "_State") -> None:
        for _, parts in s.entries:
            if not tld_approved(parts.unicode):
                s.fire("domain_suffix_not_approved", "domain", parts.ascii,
                       {"domain.unicode_name": parts.unicode, "domain.tld": parts.unicode.rsplit(".", 1)[-1]})

    def r_public_institution_domain_suffix(self, s: "_State") -> None:
        if s.type == "public_institution":
            search = self.public_suffix.search
            self._suffix_rule(s, "public_institution_domain_suffix", lambda suffix: search(suffix) is None)

    def r_government_domain_suffix(self, s: "_State") -> None:
        if s.type == "government":
            search = self.gov_suffix.search
            self._suffix_rule(s, "government_domain_suffix", lambda suffix: search(suffix) is None)

    def r_domain_registered_recently(self, s: "_State") -> None:
        for entry, parts in s.entries:
            registered = parse_date(entry.get("registered_on"))
            months = whole_months(registered, s.on)
            if months is not None and months < 3:
                s.fire("domain_registered_recently", "domain", parts.ascii,
                       {"domain.name": parts.ascii, "domain.unicode_name": parts.unicode,
                        "domain.days_since_registration": _days(registered, s.on)})

    def r_finance_words_need_pre_approval(self, s: "_State") -> None:
        words = self.finance
        site_categories = {c for _, _, cats in s.sites for c in cats}
        if "finance" in site_categories or "finance" in s.app_categories:
            return
        scope = s.subject.get("business_scope")
        if (_has_word(s.name, words) or _has_word(None if scope is None else normalise(scope), words)
                or any(_has_word(name, words) for name, _, _ in s.sites)
                or any(_has_word(normalise(entry["name"]), words) for entry in s.apps)):
            s.fire("finance_words_need_pre_approval", None, None, {"subject.name": s.name})

    def r_app_filing_required_offshore(self, s: "_State") -> None:
        if s.app.data["server"]["location"] != "mainland" and s.app.data["service_type"] in APP_KINDS:
            s.fire("app_filing_required_offshore", None, None, {})

    def r_basic_app_manager_certificate(self, s: "_State") -> None:
        self._role_rule(s, "basic_app_manager_certificate", lambda p: p.app_manager and not p.principal)

    def r_basic_principal_and_app_manager_certificate(self, s: "_State") -> None:
        self._role_rule(s, "basic_principal_and_app_manager_certificate", lambda p: p.principal and p.app_manager)

    def _app_rule(self, s: "_State", rule: str, test: Callable[[dict[str, Any], str], bool]) -> None:
        for entry in s.apps:
            name = normalise(entry["name"])
            if test(entry, name):
                s.fire(rule, "app", name, {"app.name": name})

    def r_app_icon_required(self, s: "_State") -> None:
        self._app_rule(s, "app_icon_required", lambda entry, name: True)

    def r_app_platforms_missing(self, s: "_State") -> None:
        self._app_rule(s, "app_platforms_missing", lambda entry, name: entry["kind"] == "app" and not entry.get("platforms"))

    def r_app_package_missing(self, s: "_State") -> None:
        self._app_rule(s, "app_package_missing", lambda entry, name: entry["kind"] == "app" and entry.get("package") is None)

    def r_app_signature_missing(self, s: "_State") -> None:
        self._app_rule(s, "app_signature_missing", lambda entry, name: (
            entry["kind"] == "app" and bool({"android", "harmony"} & set(entry.get("platforms") or ()))
            and entry.get("signature_md5") is None))

    def r_app_domain_with_www(self, s: "_State") -> None:
        for _, parts in s.entries:
            if parts.ascii in s.app_domains and parts.ascii.startswith("www."):
                s.fire("app_domain_with_www", "domain", parts.ascii, {"domain.unicode_name": parts.unicode})

    def r_app_name_emoji_or_symbols(self, s: "_State") -> None:
        search = APP_NAME_SYMBOLS.search
        self._app_rule(s, "app_name_emoji_or_symbols", lambda entry, name: search(name) is not None)

    def r_app_name_marketing_words(self, s: "_State") -> None:
        self._app_rule(s, "app_name_marketing_words", lambda entry, name: _has_word(name, APP_MARKETING))

    def r_app_name_generic(self, s: "_State") -> None:
        self._app_rule(s, "app_name_generic", lambda entry, name: name in APP_GENERIC)

    def r_gd_footer_subject_number(self, s: "_State") -> None:
        s.fire("gd_footer_subject_number", None, None, {})

    def r_gd_timeline(self, s: "_State") -> None:
        s.fire("gd_timeline", None, None, {})

    def _prefix_rule(self, s: "_State", rule: str, unit: bool, limit: int, per_domain: bool) -> None:
        if s.unit is unit and s.prefix_count > limit:
            values = {"subject.domain_prefix_count": s.prefix_count}
            if not per_domain:
                s.fire(rule, None, None, values)
                return
            if s.app.data["service_type"] != "website":
                return
            for _, parts in s.entries:
                if parts.ascii not in s.filed_names:
                    s.fire(rule, "domain", parts.ascii, values)

    def r_gd_construction_plan_unit(self, s: "_State") -> None:
        self._prefix_rule(s, "gd_construction_plan_unit", True, 31, True)

    def r_gd_guarantee_letter_unit(self, s: "_State") -> None:
        self._prefix_rule(s, "gd_guarantee_letter_unit", True, 31, False)

    def r_gd_construction_plan_individual(self, s: "_State") -> None:
        self._prefix_rule(s, "gd_construction_plan_individual", False, 5, True)

    def r_gd_guarantee_letter_individual(self, s: "_State") -> None:
        self._prefix_rule(s, "gd_guarantee_letter_individual", False, 9, False)

    def r_gd_commitment_letter(self, s: "_State") -> None:
        s.fire("gd_commitment_letter", None, None, {})

    def r_gd_principal_must_be_legal_representative(self, s: "_State") -> None:
        if s.unit:
            for p in s.people.values():
                if p.principal and p.legal_rep is False:
                    s.fire("gd_principal_must_be_legal_representative", "person", p.name, {"person.name": p.name})

    def r_gd_person_too_young(self, s: "_State") -> None:
        for p in s.people.values():
            if p.age is not None and p.age < 16:
                s.fire("gd_person_too_young", "person", p.name, {"person.name": p.name, "person.age": p.age})

    def r_gd_minor_employment_proof(self, s: "_State") -> None:
        if not s.unit:
            for p in s.people.values():
                if p.age is not None and 16 <= p.age < 18:
                    s.fire("gd_minor_employment_proof", "person", p.name, {"person.name": p.name, "person.age": p.age})

    def r_gd_residence_proof_outside_household(self, s: "_State") -> None:
        if not s.unit:
            for p in s.people.values():
                if p.household is not None and p.household != s.app.province.key:
                    s.fire("gd_residence_proof_outside_household", "person", p.name,
                           {"person.name": p.name, "person.household_province": p.household})

    def r_gd_one_prefix_per_website(self, s: "_State") -> None:
        for name, prefixes, _ in s.sites:
            if prefixes > 1:
                s.fire("gd_one_prefix_per_website", "website", name, {"website.name": name, "website.domain_prefix_count": prefixes})


class _State:
    """One evaluation: its facts and what fired, combined as it goes."""

    def __init__(self, book: Guangdong, app: Application, on: dt.date, subject: dict[str, Any], people: dict[str, Person],
                 sites: list[Any], entries: list[Any], filed_names: set[str], prefix_count: int, categories: list[str]):
        self.book, self.app, self.on, self.subject, self.people = book, app, on, subject, people
        self.sites, self.entries, self.filed_names, self.prefix_count, self.categories = sites, entries, filed_names, prefix_count, categories
        self.type = subject["type"]
        self.unit = self.type != "individual"
        self.gate = False
        self.fired: list[tuple[Any, Any, str, str | None]] = []
        self.service_count = 0
        self.apps: list[dict[str, Any]] = []
        self.app_domains: set[str] = set()
        self.app_categories: list[str] = []
        self.name = ""

    def fire(self, rule_id: str, kind: str | None, ref: str | None, values: dict[str, Any]) -> None:
        self.fired.append((self.book.rules[rule_id], values, kind or "subject", ref))

    def result(self, as_of: dt.date) -> Result:
        book, app = self.book, self.app
        gates = [f for f in self.fired if f[0].filing_required is False]
        required = not gates
        subject_name = self.name
        documents: dict[tuple[Any, ...], tuple[RequiredDocument, set[Any], set[Any]]] = {}
        findings = []
        advice, advised = [], set()
        footer_settings: dict[str, Any] = {"number_kind": "website", "copyright_required": False}
        timeline_settings: dict[str, int] = {}
        for rule, values, kind, ref in (gates or self.fired):
            if required:
                if rule.require:
                    text = book.reasons[rule.id]
                    if isinstance(text, Template):
                        filled = text.fill(values)
                        reason, reason_key = Reason(rule.id, filled, rule.source), (rule.id, filled.inputs)
                    else:
                        reason, reason_key = Reason(rule.id, text, rule.source), (rule.id,)
                for req in rule.require:
                    target = ("subject", subject_name) if (req.for_subject or ref is None) else (kind, ref)
                    category = book.categories[req.document]
                    key: tuple[Any, ...] = (req.document, req.any_of) + (target if category == "pre_approval" else ())
                    found = documents.get(key)
                    if found is None:
                        found = documents[key] = (RequiredDocument(req.document, req.any_of, category), set(), set())
                    entry, targets, reasons = found
                    if target not in targets:
                        targets.add(target)
                        entry.targets.append(target)
                    if reason_key not in reasons:
                        reasons.add(reason_key)
                        entry.reasons.append(reason)
                    if req.max_age_days is not None or req.max_age_months is not None:
                        _tighten_age(entry, req, reason, self.on)
                    if req.min_validity_days is not None or req.min_validity_months is not None:
                        _tighten_validity(entry, req, reason, self.on)
                if rule.footer:
                    footer_settings.update(rule.footer)
                if rule.timeline:
                    timeline_settings.update(rule.timeline)
            line = book.advice.get(rule.id)
            if line is not None:  # advice stands where no filing is needed too; each line once
                if isinstance(line, Template):
                    line = line.fill(values)
                    key = (rule.id, tuple(line.inputs))
                else:
                    key = (rule.id,)
                if key not in advised:
                    advised.add(key)
                    advice.append(Advice(rule.id, line, rule.source))
            for spec_id, severity, message in book.messages[rule.id]:
                text = message.fill(values) if isinstance(message, Template) else message
                findings.append((SEVERITY_ORDER[severity], book.order[rule.id], ref or "", spec_id,
                                 Finding(spec_id, severity, text, rule.id, rule.source, ref)))
        entries = [found[0] for found in documents.values()]
        if required and app.data["documents_on_hand"]:
            from engine.facts import derive  # the documents-on-hand check reads document facts

            findings.extend(_check_documents_on_hand(entries, derive(app, as_of), book.ruleset))
        order = book.ruleset.document_order
        entries.sort(key=lambda d: (CATEGORY_ORDER[d.category], order[d.id], d.targets[0][1]))
        findings.sort(key=lambda item: item[:-1])
        on = app.submitted_on or as_of
        return Result(
            application_id=app.application_id, evaluated_on=as_of, filing_required=required, province=app.province,
            ruleset=book.ruleset, required_documents=tuple(entries), findings=tuple(f[-1] for f in findings),
            advice=tuple(advice),
            footer=Footer(footer_settings["number_kind"], bool(footer_settings["copyright_required"]),
                          footer_numbers(app, footer_settings["number_kind"]), subject_name, apps=app_numbers(app)),
            timeline=timeline.build(on, timeline_settings) if required else timeline.Timeline((), None, True),
            matched=tuple([(rule, kind, ref) for rule, _, kind, ref in self.fired]), application=app)


# ---------------------------------------------------------------------- the comparison

def disagreement(engine: Result, hand: Result) -> str | None:
    """Where the hand-written result differs from the engine's (every firing, then each part of
    the result in both languages), or None when they are the same."""
    if engine.fired != hand.fired:
        only_engine = [f for f in engine.fired if f not in hand.fired]
        only_hand = [f for f in hand.fired if f not in engine.fired]
        return f"fired: engine only {only_engine}, hand-written only {only_hand} (or the same in another order)"
    for lang in ("zh", "en"):
        ours, theirs = engine.to_dict(lang), hand.to_dict(lang)
        for key in ours.keys() | theirs.keys():
            if ours.get(key) != theirs.get(key):
                return f"{key} ({lang}): engine {ours.get(key)!r}, hand-written {theirs.get(key)!r}"
    return None


def compared_applications(book: Any, bench: list[Application]) -> list[tuple[str, Application, dt.date]]:
    """What the two are compared on before anything is timed: the bench's applications, every
    pack test case of the national and Guangdong packs filed in Guangdong (so each rule fires
    somewhere, apps included), and each public example filed in Guangdong."""
    import copy
    from pathlib import Path

    from engine import application, packtests

    ruleset = book.ruleset("guangdong")
    out = [(app.application_id or "", app, app.submitted_on or FROM) for app in bench]
    for rs, _, case in packtests.iter_cases(book):
        data = packtests.build_application(case, ruleset)
        data["filing_province"] = "guangdong"
        try:
            app = application.load(data)
        except Exception:  # a case about an application refused as input
            continue
        on = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else (app.submitted_on or dt.date.today())
        if on >= FROM:
            out.append((f"{rs.key} pack case {case['name']!r}", app, on))
    for path in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml")):
        data = copy.deepcopy(application.load(path).data)
        data["filing_province"] = "guangdong"
        app = application.load(data)
        out.append((f"examples/{path.name} filed in Guangdong", app, max(app.submitted_on or FROM, FROM)))
    return out
