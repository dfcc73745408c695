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
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}


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
                    "footer": {"type": "object", "additionalProperties": False,
                               "properties": {"number_kind": {"enum": ["subject", "website"]},
                                              "copyright_required": {"type": "boolean"}}},
                    "max_age_days": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "min_validity_days": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    }


def build() -> dict[str, Any]:
    fact_names = [f.name for f in CATALOGUE]
    value = {"description": "A value, a list of values, or (contains_any) the name of a keyword list"}
    condition_props: dict[str, Any] = {
        "fact": {"enum": fact_names, "description": "A fact from docs/facts.md"},
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"},
                "description": "Every condition holds"},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"},
                "description": "At least one condition holds"},
        "not": {"$ref": "#/$defs/condition", "description": "The condition does not hold"},
    }
    for op in OPERATORS:
        condition_props[op] = dict(value, description=f"Operator: {op.replace('_', ' ')}")
    for name, (mode, scope) in QUANTIFIERS.items():
        condition_props[name] = {"$ref": "#/$defs/condition",
                                 "description": f"{'Some' if mode == 'any' else 'Every'} {scope} satisfies the condition"}
    assert set(COMBINATORS) <= set(condition_props)
    requirement = {
        "type": "object", "additionalProperties": False,
        "description": "A document the applicant must bring: one id, or a choice (any_of)",
        "properties": {
            "document": {"type": "string", "pattern": ID_PATTERN, "examples": list(SPEC_DOCUMENTS)},
            "any_of": {"type": "array", "minItems": 2, "items": {"type": "string", "pattern": ID_PATTERN,
                                                                 "examples": list(SPEC_DOCUMENTS)}},
            "for": {"enum": ["subject"], "description": "Ask it of the subject instead of each item of for_each"},
            "max_age_days": {"type": "integer", "minimum": 1, "description": "Issued at most this many days before submission"},
            "min_validity_days": {"type": "integer", "minimum": 0, "description": "Valid at least this many days after submission"},
        },
        "oneOf": [{"required": ["document"]}, {"required": ["any_of"]}],
    }
    finding = {
        "type": "object", "additionalProperties": False, "required": ["id", "severity", "message"],
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN, "examples": list(SPEC_FINDINGS)},
            "severity": {"enum": ["blocking", "warning", "info"]},
            "message": _text("What the applicant reads; {fact.name} placeholders are filled in"),
        },
    }
    rule = {
        "type": "object", "additionalProperties": False, "required": ["id", "title", "source"],
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN, "description": "Unique across the pack and its base"},
            "title": _text("Short title of the rule"),
            "for_each": {"enum": list(ITEM_SCOPES), "description": "Evaluate once per person, website, domain, category or document"},
            "when": {"$ref": "#/$defs/condition"},
            "require": {"type": "array", "minItems": 1, "items": requirement},
            "reason": _text("Why the documents are required, in words; {fact.name} placeholders allowed"),
            "findings": {"type": "array", "minItems": 1, "items": finding},
            "footer": {
                "type": "object", "additionalProperties": False,
                "properties": {"number_kind": {"enum": ["subject", "website"]}, "copyright_required": {"type": "boolean"}},
            },
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
            "source": {"type": "string", "minLength": 1, "description": "Citation: seed file, or research source as written"},
            "notes": {"type": "string", "description": "Other claims, disagreements between sources, reviewer notes"},
            "replaces": {"type": "string", "pattern": ID_PATTERN, "description": "Id of the base rule this rule replaces"},
            "effective_from": DATE,
            "effective_until": dict(DATE, description="First day the rule no longer applies (half-open period)"),
            "review_by": dict(DATE, description="Date by which a person should re-check the rule against its source"),
        },
    }
    test_case = _test_case()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://icp-rulepacks.invalid/schemas/rulepack.schema.json",
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
                    "type": "object", "additionalProperties": False, "required": ["rule", "source"],
                    "properties": {"rule": {"type": "string", "pattern": ID_PATTERN}, "source": {"type": "string", "minLength": 1},
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
