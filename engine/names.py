"""The names of the application's enumerated values in Chinese and English, and the other words
people use for them: one table, read by the checklist (render), the intake page and the
application check's hints (``教育`` where ``education`` was meant).

The ground floor: imports nothing of the pipeline, so the application check can use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

# Names of the application's enumerated values (schemas/application.schema.json), for the summary.
VALUE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "subject_type": {
        "individual": {"zh": "个人", "en": "Individual"}, "enterprise": {"zh": "企业", "en": "Enterprise"},
        "individual_business": {"zh": "个体工商户", "en": "Individual business"},
        "public_institution": {"zh": "事业单位", "en": "Public institution"},
        "government": {"zh": "政府机关", "en": "Government body"},
        "social_organization": {"zh": "社会团体", "en": "Social organisation"},
        "law_firm": {"zh": "律师事务所", "en": "Law firm"}, "other_organization": {"zh": "其他组织", "en": "Other organisation"},
    },
    "certificate_type": {
        "id_card": {"zh": "居民身份证", "en": "Resident ID card"},
        "hk_macau_residence_permit": {"zh": "港澳居民居住证", "en": "Residence permit for Hong Kong and Macao residents"},
        "hk_macau_travel_permit": {"zh": "港澳居民来往内地通行证", "en": "Mainland travel permit for Hong Kong and Macao residents"},
        "taiwan_residence_permit": {"zh": "台湾居民居住证", "en": "Residence permit for Taiwan residents"},
        "taiwan_travel_permit": {"zh": "台湾居民来往大陆通行证", "en": "Mainland travel permit for Taiwan residents"},
        "passport": {"zh": "护照", "en": "Passport"}, "business_license": {"zh": "营业执照", "en": "Business licence"},
        "institution_certificate": {"zh": "事业单位法人证书", "en": "Public institution legal person certificate"},
        "social_organization_certificate": {"zh": "社会团体法人登记证书", "en": "Social organisation registration certificate"},
        "law_firm_license": {"zh": "律师事务所执业许可证", "en": "Law firm practising licence"},
        "government_certificate": {"zh": "统一社会信用代码证书", "en": "Unified social credit code certificate"},
        "other": {"zh": "其他证件", "en": "Other certificate"},
    },
    "identity": {
        "mainland": {"zh": "中国内地居民", "en": "Mainland resident"}, "hong_kong": {"zh": "香港居民", "en": "Hong Kong resident"},
        "macau": {"zh": "澳门居民", "en": "Macao resident"}, "taiwan": {"zh": "台湾居民", "en": "Taiwan resident"},
        "foreign": {"zh": "外籍人士", "en": "Foreign national"},
    },
    "filing_type": {
        "first_filing": {"zh": "首次备案", "en": "First filing"}, "new_website": {"zh": "新增网站", "en": "New website"},
        "access": {"zh": "新增接入", "en": "New access"}, "change": {"zh": "变更备案", "en": "Change of filing"},
    },
    "service_type": {
        "website": {"zh": "网站", "en": "Website"}, "app": {"zh": "App", "en": "App"},
        "mini_program": {"zh": "小程序", "en": "Mini program"}, "quick_app": {"zh": "快应用", "en": "Quick app"},
    },
    "server_location": {
        "mainland": {"zh": "中国内地", "en": "Mainland China"}, "hong_kong": {"zh": "中国香港", "en": "Hong Kong"},
        "macau": {"zh": "中国澳门", "en": "Macao"}, "taiwan": {"zh": "中国台湾", "en": "Taiwan"},
        "overseas": {"zh": "境外", "en": "Outside China"},
    },
    "registrant_type": {
        "individual": {"zh": "个人", "en": "Individual"}, "organization": {"zh": "单位", "en": "Organisation"},
    },
    "app_kind": {
        "app": {"zh": "App", "en": "App"}, "mini_program": {"zh": "小程序", "en": "Mini program"},
        "quick_app": {"zh": "快应用", "en": "Quick app"},
    },
    "platform": {
        "android": {"zh": "安卓", "en": "Android"}, "ios": {"zh": "iOS", "en": "iOS"},
        "harmony": {"zh": "鸿蒙", "en": "HarmonyOS"}, "other": {"zh": "其他平台", "en": "Other platform"},
    },
    "document_for_kind": {  # documents_on_hand[].for.kind: whose a document is
        "subject": {"zh": "主办者", "en": "Subject"}, "person": {"zh": "人员", "en": "Person"},
        "website": {"zh": "网站", "en": "Website"}, "domain": {"zh": "域名", "en": "Domain"},
        "category": {"zh": "前置审批类别", "en": "Content category"},
    },
}

# Words people write for a value that are neither its key nor its label (English, mostly). A word
# may mean one value in one place and another elsewhere: a company is an enterprise as a subject,
# an organisation as a domain's registrant; the first value the place allows is the one meant.
SYNONYMS: dict[str, str | list[str]] = {
    "company": ["enterprise", "organization"], "corporation": ["enterprise", "organization"],
    "business": ["enterprise", "organization"], "公司": ["enterprise", "organization"],
    "enterprise": "organization", "企业": "organization",
    "person": "individual", "personal": "individual", "private": "individual",
    "sole_proprietor": "individual_business", "self_employed": "individual_business",
    "institution": "public_institution", "ngo": "social_organization", "association": "social_organization",
    "id": "id_card", "identity_card": "id_card", "身份证": "id_card",
    "china": "mainland", "cn": "mainland", "hk": "hong_kong", "hongkong": "hong_kong", "macao": "macau",
    "abroad": "overseas", "foreign": "overseas", "new": "first_filing",
    "miniprogram": "mini_program", "applet": "mini_program", "quickapp": "quick_app",
    "organisation": "organization", "company_registrant": "organization",
}


# Other names of the languages and of the checklist formats, for "did you mean" where one is chosen
# (--lang and --format on the command line, lang= and format= over HTTP), as ``synonym`` reads them:
# cn, 中文 or zh-CN mean zh; markdown means md.
LANG_NAMES: dict[str, dict[str, str]] = {
    "zh": {"zh": "中文", "en": "Chinese", "code": "cn", "other": "汉语", "written": "简体中文", "short": "chs",
           "tag": "zh-CN", "script": "zh-Hans", "mainland": "zh_CN"},
    "en": {"zh": "英文", "en": "English", "other": "英语", "short": "eng", "tag": "en-US", "british": "en-GB"},
}
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "md": {"en": "Markdown", "short": "mkd"}, "text": {"en": "plain text", "plain": "plain", "code": "txt"},
    "html": {"code": "htm"}, "json": {"media": "application/json"},
}

# Words people write for true or false (as ``_key`` spells them): 是 for true in a field that
# wants true or false.
BOOLEAN_WORDS: dict[str, str] = {
    "是": "true", "对": "true", "有": "true", "已认证": "true", "yes": "true", "y": "true", "true": "true",
    "否": "false", "不是": "false", "错": "false", "无": "false", "没有": "false", "未认证": "false",
    "no": "false", "n": "false", "false": "false",
}


def boolean_word(value: object) -> str | None:
    """'true' or 'false' if ``value`` is text that means it (是, 否, yes, "true"), else None."""
    return BOOLEAN_WORDS.get(_key(value)) if isinstance(value, str) else None


def enum_names(values: Iterable[object]) -> dict[str, dict[str, str]] | None:
    """The names of an enum's values: the smallest table of ``VALUE_NAMES`` that holds every value
    (apps[].kind is named as an app kind, not as a service type), else None."""
    wanted = [str(v) for v in values]
    tables = [table for table in VALUE_NAMES.values() if all(v in table for v in wanted)]
    return min(tables, key=len) if tables else None


def _key(text: object) -> str:
    return str(text).strip().lower().replace(" ", "_").replace("-", "_")


def synonym(value: object, options: Iterable[str], extra: dict[str, dict[str, str]] | None = None) -> str | None:
    """The option ``value`` names in other words (its Chinese or English label, or a synonym), if any.

    ``extra`` adds {option: {lang: name}} names, e.g. a pack's content categories."""
    wanted = _key(value)
    pool = [str(o) for o in options]
    if not wanted or str(value) in pool:
        return None
    if wanted in pool:  # Finance, ID-card: the value itself, spelt another way
        return wanted
    tables = list(VALUE_NAMES.values()) + ([extra] if extra else [])
    for table in tables:
        for option in pool:
            names = table.get(option) or {}
            if any(_key(name) == wanted for name in names.values()):
                return option
    meant = SYNONYMS.get(wanted) or []
    return next((option for option in ([meant] if isinstance(meant, str) else meant) if option in pool), None)


@lru_cache(maxsize=1)
def bundled_category_names() -> dict[str, dict[str, str]]:
    """The content categories the bundled national pack names ({key: {zh, en}}), for hints."""
    from . import bundled
    from .source import load_file

    document = load_file(bundled.packs_dir() / "national.yaml")
    categories = document.data.get("categories") if isinstance(document.data, dict) else None
    return {str(k): dict(v) for k, v in (categories or {}).items() if isinstance(v, dict)}
