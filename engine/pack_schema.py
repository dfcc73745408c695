"""The JSON Schema of a rule pack, built from the fact catalogue so editors complete fact names.

``schemas/rulepack.schema.json`` is this module's output (``icp-rules schema rulepack --write``);
a test fails when the file and the code differ.
"""

from __future__ import annotations

from typing import Any

from .conditions import COMBINATORS, OPERATORS, QUANTIFIERS
from .facts import CATALOGUE, CONTENT_CATEGORIES, ITEM_SCOPES
from .provinces import KEYS

SPEC_DOCUMENTS = (
    "subject_certificate", "principal_certificate", "website_manager_certificate", "verification_form",
    "authorization_letter", "domain_certificate", "handheld_id_photo", "domain_registrant_proof",
    "establishment_proof", "name_change_proof", "website_construction_plan", "provider_guarantee_letter",
    "residence_permit", "social_security_record", "employment_proof", "business_statement",
    "commitment_letter", "authenticity_notice", "pre_approval",
)
SPEC_FINDINGS = (
    "filing_not_required", "icp_license_required", "domain_expires_too_soon", "domain_not_verified",
    "domain_verified_recently", "domain_registrant_mismatch", "certificate_expires_too_soon",
    "document_too_old", "person_too_young", "website_name_invalid", "too_many_services",
    "cross_province_not_allowed",
)
ID_PATTERN = "^[a-z][a-z0-9_]*$"
AUTHORITIES = ("administration", "provider", "third_party")

# A source of the registry (``sources:`` of a pack) and a rule's citation of one (SPEC §7a).
SOURCE = {
    "type": "object", "additionalProperties": False, "required": ["publisher", "title", "authority"],
    "properties": {
        "publisher": {"type": "string", "minLength": 1, "description": "Who published it, as a reader would look for it"},
        "title": {"type": "string", "minLength": 1, "description": "Its title (a seed document's own title, never a file name)"},
        "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$",
                 "description": "Publication or update date where known: YYYY-MM-DD or YYYY-MM"},
        "url": {"type": "string", "pattern": "^https?://", "description": "Where it is public"},
        "authority": {"enum": list(AUTHORITIES),
                      "description": "administration: a communications administration or MIIT; provider: an access "
                                     "provider's own published rules; third_party: blogs, mirrors, agencies, aggregators "
                                     "(a rule citing only these may warn but not block)",
                      "enumDescriptions": ["A communications administration or MIIT", "An access provider's own published rules",
                                           "Blogs, mirrors, filing agencies, aggregators"]},
        "notes": {"type": "string", "description": "How it was read, copies, caveats: never printed"},
    },
}
CITATIONS = {
    "type": "array", "minItems": 1, "description": "The sources this rule follows, by id from a sources registry",
    "items": {
        "type": "object", "additionalProperties": False, "required": ["id"],
        "properties": {"id": {"type": "string", "pattern": ID_PATTERN, "description": "Id of a source in this pack or the national pack"},
                       "section": {"type": "string", "minLength": 1, "description": "Where in the source: heading, question, clause"}},
    },
}

# Shown by editors when completing an operator (docs/rulepacks.md has the same table).
OPERATOR_HELP = {
    "equals": "The fact has exactly this value (any fact but lists). {fact: subject.type, equals: enterprise}",
    "not_equals": "The fact is known and differs from this value. {fact: server.location, not_equals: mainland}",
    "greater_than": "Whole number or date strictly above the value. {fact: subject.domain_prefix_count, greater_than: 31}",
    "at_least": "Whole number or date at or above the value (>=). {fact: person.other_filings, at_least: 1}",
    "less_than": "Whole number or date strictly below the value. {fact: person.age, less_than: 18}",
    "at_most": "Whole number or date at or below the value (<=). {fact: domain.days_until_expiry, at_most: 90}",
    "in": "The fact is one of a non-empty list of values. {fact: subject.type, in: [enterprise, individual_business]}",
    "not_in": "The fact is known and none of the listed values. {fact: person.identity, not_in: [mainland]}",
    "contains_any": "Text contains any of the words, or a list shares an item; a list of words or the name of a "
                    "keywords list. {fact: subject.business_scope, contains_any: operating_words}",
    "matches": "A regular expression (RE2 syntax: no lookaround or backreferences) finds a match in the text; "
               "checked when the pack loads. "
               "{fact: website.name, matches: '^[^0-9]+$'}",
    "exists": "true: the fact is known; false: the application does not give it. {fact: person.birth_date, exists: true}",
}


def _known_or_new(known: tuple[str, ...], what: str) -> dict[str, Any]:
    """An id from the catalogue (offered for completion) or a new snake_case id a pack adds."""
    return {"anyOf": [{"enum": list(known), "description": f"A {what} of the SPEC catalogue"},
                      {"type": "string", "pattern": ID_PATTERN, "description": f"A {what} id this pack's catalogue adds"}],
            "description": f"{what.capitalize()} id (snake_case)"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}


# The footer a rule sets and a test case expects: one shape for both.
FOOTER: dict[str, Any] = {"type": "object", "additionalProperties": False,
                          "properties": {"number_kind": {"enum": ["subject", "website"]},
                                         "copyright_required": {"type": "boolean"}}}


def _text(description: str) -> dict[str, Any]:
    return {
        "type": "object", "description": description, "additionalProperties": False,
        "required": ["zh", "en"],
        "properties": {"zh": {"type": "string", "minLength": 1}, "en": {"type": "string", "minLength": 1}},
    }


def _test_case() -> dict[str, Any]:
    """One test case, as written in a pack's tests: or in a case file (icp-rules test --cases)."""
    return {
        "type": "object", "additionalProperties": False, "required": ["name", "expect"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "base": {"type": "string", "description": "Name of a fixture the application starts from"},
            "application": {"type": "object", "description": "Fields merged over the base fixture (mappings merge, lists replace)"},
            "as_of": DATE,
            "expect": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "documents": {"type": "array", "items": {"type": "string"}, "description": "Exactly these document ids"},
                    "documents_include": {"type": "array", "items": {"type": "string"}},
                    "documents_exclude": {"type": "array", "items": {"type": "string"}},
                    "documents_for": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                                      "description": "Document id -> the refs (names, domains, categories) it is required for"},
                    "findings": {"type": "array", "items": {"type": "string"}, "description": "Exactly these finding ids"},
                    "findings_include": {"type": "array", "items": {"type": "string"}},
                    "findings_exclude": {"type": "array", "items": {"type": "string"}},
                    "rules_fired": {"type": "array", "items": {"type": "string"}, "description": "These rules fire (others may too)"},
                    "rules_not_fired": {"type": "array", "items": {"type": "string"}},
                    "filing_required": {"type": "boolean"},
                    "blocking": {"type": "boolean"},
                    "footer": FOOTER,
                    "max_age_days": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "min_validity_days": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "max_age_months": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "min_validity_months": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    }


def build() -> dict[str, Any]:
    fact_names = [f.name for f in CATALOGUE]
    value = {"description": "A value, a list of values, or (contains_any) the name of a keyword list"}
    condition_props: dict[str, Any] = {
        "fact": {"enum": fact_names, "description": "A fact from docs/facts.md",
                 "enumDescriptions": [f"{f.type}: {f.meaning}" for f in CATALOGUE],
                 "markdownEnumDescriptions": [f"`{f.type}` {f.meaning}" for f in CATALOGUE]},
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"},
                "description": "Every condition holds"},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"},
                "description": "At least one condition holds"},
        "not": {"$ref": "#/$defs/condition", "description": "The condition does not hold"},
    }
    for op in OPERATORS:
        condition_props[op] = dict(value, description=f"{op}: {OPERATOR_HELP[op]}")
    for name, (mode, scope) in QUANTIFIERS.items():
        condition_props[name] = {"$ref": "#/$defs/condition",
                                 "description": f"{'Some' if mode == 'any' else 'Every'} {scope} satisfies the condition"}
    assert set(COMBINATORS) <= set(condition_props)
    requirement = {
        "type": "object", "additionalProperties": False,
        "description": "A document the applicant must bring: one id, or a choice (any_of)",
        "properties": {
            "document": _known_or_new(SPEC_DOCUMENTS, "document"),
            "any_of": {"type": "array", "minItems": 2, "items": _known_or_new(SPEC_DOCUMENTS, "document"),
                       "description": "The applicant brings any one of these documents"},
            "for": {"enum": ["subject"], "description": "Ask it of the subject instead of each item of for_each"},
            "max_age_days": {"type": "integer", "minimum": 1, "description": "Issued at most this many days before submission"},
            "max_age_months": {"type": "integer", "minimum": 1,
                               "description": "Issued at most this many calendar months before submission "
                                              "(3: issued 2025-02-19 is accepted on 2025-05-19, not on 2025-05-20)"},
            "min_validity_days": {"type": "integer", "minimum": 0, "description": "Valid at least this many days after submission"},
            "min_validity_months": {"type": "integer", "minimum": 0,
                                    "description": "Valid at least this many calendar months after submission "
                                                   "(3 on 2025-05-20: expires on or after 2025-08-20)"},
        },
        "oneOf": [{"required": ["document"]}, {"required": ["any_of"]}],
        # a limit has one unit: the source's (days or calendar months)
        "not": {"anyOf": [{"required": ["max_age_days", "max_age_months"]},
                          {"required": ["min_validity_days", "min_validity_months"]}]},
    }
    finding = {
        "type": "object", "additionalProperties": False, "required": ["id", "severity", "message"],
        "properties": {
            "id": _known_or_new(SPEC_FINDINGS, "finding"),
            "severity": {"enum": ["blocking", "warning", "info"],
                         "description": "blocking: the filing cannot go ahead (exit 1); warning: must be looked at; info: for the record",
                         "enumDescriptions": ["The filing cannot go ahead as it is", "Must be looked at", "For the record"]},
            "message": _text("What the applicant reads; {fact.name} placeholders are filled in"),
        },
    }
    rule = {
        "type": "object", "additionalProperties": False, "required": ["id", "title", "sources"],
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN, "description": "Unique across the pack and its base"},
            "title": _text("Short title of the rule"),
            "for_each": {"enum": list(ITEM_SCOPES), "description": "Evaluate once per person, website, app, domain, category or document"},
            "when": {"$ref": "#/$defs/condition"},
            "require": {"type": "array", "minItems": 1, "items": requirement},
            "reason": _text("Why the documents are required, in words; {fact.name} placeholders allowed"),
            "findings": {"type": "array", "minItems": 1, "items": finding},
            "advice": _text("A line of advice the checklist shows when the rule fires (what to do, not a document or a "
                            "problem); {fact.name} placeholders allowed"),
            "footer": FOOTER,
            "timeline": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "provider_review_working_days": {"type": "integer", "minimum": 1},
                    "bureau_review_working_days": {"type": "integer", "minimum": 1},
                    "sms_verification_hours": {"type": "integer", "minimum": 1},
                    "public_security_filing_days": {"type": "integer", "minimum": 1},
                    "change_filing_days": {"type": "integer", "minimum": 1,
                                           "description": "Days after a change of filed information to file the change"},
                },
            },
            "filing_required": {"type": "boolean", "description": "false: no ICP filing is needed; no documents are listed"},
            "sources": CITATIONS,
            "notes": {"type": "string", "description": "Other claims, disagreements between sources, how the rule was "
                                                      "settled, working references: never printed on a checklist"},
            "replaces": {"type": "string", "pattern": ID_PATTERN, "description": "Id of the base rule this rule replaces"},
            "effective_from": DATE,
            "effective_until": dict(DATE, description="First day the rule no longer applies (half-open period)"),
            "review_by": dict(DATE, description="Date by which a person should re-check the rule against its source"),
        },
    }
    test_case = _test_case()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://icp-rulepacks.github.io/schemas/v1/rulepack.schema.json",
        "title": "icp-rulepacks rule pack",
        "description": "A national base pack or a province pack (docs/rulepacks.md).",
        "type": "object", "additionalProperties": False,
        "required": ["pack", "version", "title", "rules"],
        "properties": {
            "pack": {"enum": ["national", *KEYS], "description": "national, or the province key (also the file name)"},
            "extends": {"const": "national", "description": "Province packs extend the national pack"},
            "version": {"type": "string", "minLength": 1},
            "title": _text("Name of the pack"),
            "description": {"type": "string"},
            "review_by": DATE,
            "sources": {
                "type": "object", "description": "Source registry: id -> the document a person can look up (SPEC §7a); "
                                                 "a province pack also cites the national pack's sources",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": SOURCE,
            },
            "documents": {
                "type": "object", "description": "Document catalogue: id -> category and names",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": {
                    "type": "object", "additionalProperties": False, "required": ["category", "name"],
                    "properties": {"category": {"enum": ["basic", "supplementary", "pre_approval"]},
                                   "name": _text("Name of the document"),
                                   "description": _text("What the document is and where it comes from")},
                },
            },
            "categories": {
                "type": "object", "description": "Content categories (前置审批): id -> names",
                "propertyNames": {"pattern": ID_PATTERN, "examples": list(CONTENT_CATEGORIES)},
                "additionalProperties": _text("Name of the content category"),
            },
            "findings": {
                "type": "object", "description": "Finding catalogue: id -> names",
                "propertyNames": {"pattern": ID_PATTERN, "examples": list(SPEC_FINDINGS)},
                "additionalProperties": _text("Name of the finding"),
            },
            "keywords": {
                "type": "object", "description": "Named keyword lists for contains_any",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
            },
            "disables": {
                "type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["rule", "sources"],
                    "properties": {"rule": {"type": "string", "pattern": ID_PATTERN}, "sources": CITATIONS,
                                   "notes": {"type": "string"}},
                },
            },
            "rules": {"type": "array", "items": rule},
            "fixtures": {"type": "object", "description": "Named base applications for tests",
                         "additionalProperties": {"type": "object"}},
            "tests": {"type": "array", "items": test_case},
        },
        "$defs": {
            "condition": {
                "type": "object", "additionalProperties": False, "minProperties": 1,
                "description": "{fact: NAME, OPERATOR: VALUE}, all, any, not, or a quantifier such as any_domain",
                "properties": condition_props,
            },
        },
    }


def case_file_schema() -> dict[str, Any]:
    """A file of test cases kept outside the packs (``icp-rules test --cases DIR``)."""
    case = _test_case()
    case["properties"] = dict(case["properties"], pack={
        "enum": ["national", *KEYS],
        "description": "Pack whose rules and fixtures this case uses (default: the file's pack, else the filing province)"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "icp-rulepacks test cases",
        "type": "object", "additionalProperties": False, "required": ["tests"],
        "properties": {
            "pack": {"enum": ["national", *KEYS], "description": "Pack every case of this file uses"},
            "description": {"type": "string"},
            "tests": {"type": "array", "minItems": 1, "items": case},
        },
    }
