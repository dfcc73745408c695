from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import PackError, RuleBook, pack_schema

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "rulepacks"


def _pack_dir(tmp_path: Path, province_text: str, name: str = "fujian") -> Path:
    shutil.copy(PACKS / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / f"{name}.yaml").write_text(province_text, encoding="utf-8")
    return tmp_path


HEAD = "pack: fujian\nextends: national\nversion: '1'\ntitle: {zh: 福建, en: Fujian}\n"


def test_bundled_packs_load(book):
    assert {"national", "guangdong", "fujian", "sichuan"} <= set(book.packs)


def test_replaces_takes_the_base_rules_place_and_disables_removes_it(tmp_path):
    text = HEAD + """\
disables:
  - {rule: website_name_not_generic, sources: [{id: seed_003}]}
rules:
  - id: fj_footer
    replaces: footer_website_number
    title: {zh: 页脚, en: Footer}
    footer: {number_kind: website, copyright_required: true}
    sources: [{id: seed_003}]
"""
    book = RuleBook.load(_pack_dir(tmp_path, text))
    ids = [r.id for r in book.rulesets["fujian"].rules]
    assert "website_name_not_generic" not in ids and "footer_website_number" not in ids
    national_ids = [r.id for r in book.rulesets["national"].rules]
    assert ids.index("fj_footer") == national_ids.index("footer_website_number") - 1


def test_silent_shadowing_and_unknown_targets_are_errors(tmp_path):
    text = HEAD + """\
rules:
  - id: footer_website_number
    title: {zh: 页脚, en: Footer}
    footer: {number_kind: subject}
    sources: [{id: seed_003}]
  - id: fj_x
    replaces: footer_websit_number
    title: {zh: 页脚, en: Footer}
    footer: {number_kind: subject}
    sources: [{id: seed_003}]
"""
    with pytest.raises(PackError) as err:
        RuleBook.load(_pack_dir(tmp_path, text))
    text_out = str(err.value)
    assert "fujian.yaml:6:" in text_out and "replaces: footer_website_number" in text_out
    assert "did you mean 'footer_website_number'" in text_out


def test_schema_errors_are_located_with_suggestions(tmp_path):
    text = HEAD + """\
rules:
  - id: fj_x
    title: {zh: 页脚, en: Footer}
    wehn: {fact: subject.is_unit, equals: true}
    findings:
      - {id: too_many_services, severity: blocking, message: {zh: 多, en: many}}
    sources: [{id: seed_003}]
"""
    with pytest.raises(PackError) as err:
        RuleBook.load(_pack_dir(tmp_path, text))
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (8, 5)
    assert problem.suggestion == "when"


def test_every_unknown_key_of_a_rule_is_reported(tmp_path):
    # jsonschema gives one error for all the unknown keys of a mapping; each is a problem of its own
    text = HEAD + """\
rules:
  - id: fj_x
    title: {zh: 页脚, en: Footer}
    wehn: {fact: subject.is_unit, equals: true}
    findngs:
      - {id: too_many_services, severity: blocking, message: {zh: 多, en: many}}
    sources: [{id: seed_003}]
"""
    with pytest.raises(PackError) as err:
        RuleBook.load(_pack_dir(tmp_path, text))
    found = [(p.line, p.suggestion) for p in err.value.problems if p.id == "pack_unknown_key"]
    assert found == [(8, "when"), (9, "findings")]


def test_semantic_errors_are_all_reported_at_once(tmp_path):
    text = HEAD + """\
rules:
  - id: fj_x
    title: {zh: 甲, en: A}
    when: {fact: subject.nmae, equals: x}
    require: [{document: residense_permit}]
    sources: [{id: seed_003}]
  - id: fj_y
    title: {zh: 乙, en: B}
    when: {fact: subject.type, equals: enterprize}
    findings:
      - {id: too_many_service, severity: blocking, message: {zh: "{person.name}", en: x}}
    sources: [{id: seed_003}]
"""
    with pytest.raises(PackError) as err:
        RuleBook.load(_pack_dir(tmp_path, text))
    suggestions = {p.suggestion for p in err.value.problems}
    assert {"subject.name", "residence_permit", "enterprise", "too_many_services"} <= suggestions
    assert any("is a person fact" in p.message for p in err.value.problems)


def test_effective_period_is_half_open(book):
    rule = next(r for r in book.rulesets["guangdong"].rules if r.id == "gd_commitment_letter")
    import datetime as dt
    assert not rule.in_force(dt.date(2021, 6, 20))
    assert rule.in_force(dt.date(2021, 6, 21))


def test_schema_file_matches_the_code():
    on_disk = json.loads((ROOT / "schemas" / "rulepack.schema.json").read_text(encoding="utf-8"))
    assert on_disk == pack_schema.build(), "run: icp-rules schema rulepack > schemas/rulepack.schema.json"


def test_no_pack_text_reaches_eval_or_exec():
    """Only the code generator compiles and runs code, once each, in ``build``, and what it compiles
    is the source ``source()`` writes from the checked tree (tests/test_plan.py checks that source:
    names made up, constants by repr, facts from the catalogue)."""
    import ast
    for path in (ROOT / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [(n.func.id, n.lineno) for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("eval", "exec", "compile")]
        if path.name != "codegen.py":
            assert calls == [], path
            continue
        assert sorted(name for name, _ in calls) == ["compile", "exec"], calls
        build = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build")
        assert all(build.lineno <= line <= build.end_lineno for _, line in calls)
        compiled = next(n for n in ast.walk(build) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "compile")
        assert isinstance(compiled.args[0], ast.Name) and compiled.args[0].id == "text"
        assigned = [n for n in ast.walk(build) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Tuple) and any(getattr(e, "id", "") == "text" for e in t.elts) for t in n.targets)]
        assert len(assigned) == 1 and ast.unparse(assigned[0].value) == "source(rules)"


def test_every_bundled_pack_starts_with_a_schema_comment():
    for path in PACKS.glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schemas/rulepack.schema.json")


def test_digest_is_sha256_of_the_packs_used(book):
    import hashlib
    expected = hashlib.sha256((PACKS / "national.yaml").read_bytes() + (PACKS / "guangdong.yaml").read_bytes()).hexdigest()
    assert book.rulesets["guangdong"].digest == expected


def test_every_spec_document_and_finding_has_names(book):
    ruleset = book.rulesets["national"]
    assert set(pack_schema.SPEC_DOCUMENTS) <= set(ruleset.documents)
    assert set(pack_schema.SPEC_FINDINGS) <= set(ruleset.findings)


def test_every_province_spelling_picks_its_pack(book):
    from engine import UnknownProvinceError

    for spelling in ("guangdong", "44", "440000", "粤", "广东", "广东省"):
        assert book.ruleset(spelling).key == "guangdong"
        assert book.pack_keys([spelling]) == ["guangdong"]
    assert book.ruleset("national").key == "national"
    with pytest.raises(UnknownProvinceError) as err:
        book.ruleset("guangdnog")  # was: silently the national rules
    assert err.value.suggestion == "guangdong"


def test_a_limit_is_in_days_or_in_months_not_both(tmp_path):
    text = HEAD + """\
rules:
  - id: fj_x
    title: {zh: 甲, en: A}
    require: [{document: authorization_letter, max_age_days: 90, max_age_months: 3}]
    sources: [{id: seed_003}]
"""
    with pytest.raises(PackError) as err:
        RuleBook.load(_pack_dir(tmp_path, text))
    assert any("days or in calendar months" in p.message for p in err.value.problems)


def test_months_and_days_limits_on_one_document_keep_the_tighter(tmp_path):
    """3 months against 45 days: on any date 45 days is the tighter; the result keeps its unit."""
    text = HEAD + """\
rules:
  - id: fj_x
    title: {zh: 甲, en: A}
    require: [{document: authorization_letter, max_age_days: 45}]
    sources: [{id: seed_003}]
  - id: fj_y
    title: {zh: 乙, en: B}
    require: [{document: authorization_letter, max_age_months: 3}]
    sources: [{id: seed_003}]
"""
    book = RuleBook.load(_pack_dir(tmp_path, text))
    app = json.loads(json.dumps(book.rulesets["fujian"].fixtures["enterprise"], default=str))
    app["filing_province"] = "fujian"
    doc = next(d for d in book.evaluate(app).to_dict()["required_documents"] if d["id"] == "authorization_letter")
    assert doc.get("max_age_days") == 45 and "max_age_months" not in doc
