"""Sources per SPEC §7a: a registry of documents a person can look up, cited by id from rules;
checklists name the document (title, publisher, date, section, URL), never a file, "SPEC",
"research" or a repository path; a rule backed only by third parties may warn but not block."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from engine import RuleBook, packtests
from engine.errors import PackError

ROOT = Path(__file__).resolve().parent.parent
HEAD = "pack: fujian\nextends: national\nversion: '1'\ntitle: {zh: 福建, en: Fujian}\n"
# What a checklist must never show: seed file names, the contract's or the research's name,
# repository paths (ours or the ones research read documents from).
FORBIDDEN = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|\bSPEC\b|(?i:(?<![\w.-])research(?![\w.-])|github|rulepacks/|tests/|docs/|qcloud-documents|"
                       r"huaweicloud-skills|jdcloudcom|\.ya?ml\b|\.md\b)")


def _applications(book: RuleBook):
    """Every pack case's application and every example: what the suite knows how to ask."""
    for case in packtests.pack_cases(book) + packtests.load_cases([ROOT / "tests" / "cases"]):
        ruleset = book.rulesets.get(case.pack or "national") or book.rulesets["national"]
        try:
            application = packtests.build_application(case.data, ruleset)
        except KeyError:
            continue
        as_of = dt.date.fromisoformat(str(case.data["as_of"])) if case.data.get("as_of") else None
        pack = "national" if ruleset.key == "national" else None
        yield case.name, application, as_of, pack
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        yield example.name, example, None, None


def test_no_checklist_names_a_file_the_contract_research_or_a_repository(book):
    from engine.errors import IcpRulesError

    schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    checked = 0
    for name, application, as_of, pack in _applications(book):
        try:
            result = book.evaluate(application, as_of=as_of, pack=pack)
        except IcpRulesError:
            continue  # a case that expects an input error has no checklist
        for lang in ("zh", "en"):
            data = result.to_dict(lang)
            jsonschema.validate(data, schema)
            shown = [r["source"] for d in data["required_documents"] for r in d["reasons"]]
            shown += [f["source"] for f in data["findings"]] + [a["source"] for a in data.get("advice", [])]
            assert all(isinstance(s, str) and s for s in shown), name
            for fmt in ("md", "text", "json") + (("html",) if checked % 5 == 0 else ()):
                text = result.render(format=fmt, lang=lang)
                found = FORBIDDEN.search(text)
                assert found is None, (name, fmt, lang, text[max(0, found.start() - 120):found.end() + 40])
        checked += 1
    assert checked > 100  # every pack's cases, not a handful


def test_a_source_is_shown_as_title_publisher_date_section_and_url(book):
    sichuan = book.rulesets["sichuan"]
    rule = next(r for r in sichuan.rules if r.id == "sc_employment_proof_other_filings")
    assert rule.source == "《ICP备案前准备概述》 (阿里云（Alibaba Cloud）), 辅助资料（工作证明，如四川）；时效要求（四川省工作证明不超过45天）"
    # a province cites its own sources (Tencent's Sichuan page, with its date and URL) beside national's
    rule = next(r for r in sichuan.rules if r.id == "sc_residence_proof_trading_unit")
    assert rule.source == "《四川管局备案要求》 (腾讯云（Tencent Cloud）, 2023-12-08), https://cloud.tencent.cn/document/product/243/51725"
    assert "tencent_sichuan" in book.packs["sichuan"].sources and "tencent_sichuan" not in book.packs["national"].sources
    result = book.evaluate(ROOT / "examples" / "sichuan-trading-company.yaml")
    for lang in ("zh", "en"):
        assert "《ICP备案前准备概述》 (阿里云（Alibaba Cloud）), 辅助资料（工作证明，如四川）" in result.render(format="md", lang=lang)
    sources = [f["source"] for f in result.to_dict()["findings"]]
    assert "《ICP备案前准备概述》 (阿里云（Alibaba Cloud）), 辅助资料（工作证明，如四川）；时效要求（四川省工作证明不超过45天）" in sources


def test_every_seed_is_cited_by_its_title_and_publisher(book):
    national = book.packs["national"]
    seeds = {i: s for i, s in national.sources.items() if i.startswith("seed_")}
    assert sorted(seeds) == [f"seed_00{n}" for n in range(5)]
    assert {s.title for s in seeds.values()} >= {"ICP备案快速入门", "ICP备案前准备概述", "ICP备案申请指南"}
    assert all(s.publisher and not re.search(r"\.txt|_[0-9a-f]{8}", s.title + s.publisher) for s in seeds.values())


def _load(tmp_path: Path, fujian: str) -> RuleBook:
    shutil.copy(ROOT / "rulepacks" / "national.yaml", tmp_path / "national.yaml")
    (tmp_path / "fujian.yaml").write_text(HEAD + fujian, encoding="utf-8")
    return RuleBook.load(tmp_path)


RULE = """\
  - id: fj_rule
    title: {{zh: 甲, en: A}}
    when: {{fact: subject.is_unit, equals: true}}
    require: [{{document: residence_permit}}]
    sources: {sources}
"""


def test_an_unknown_source_id_is_a_located_error_with_the_closest_id(tmp_path):
    with pytest.raises(PackError) as exc:
        _load(tmp_path, "rules:\n" + RULE.format(sources="[{id: seed_03, section: 时效要求}]")
              + "disables:\n  - {rule: website_name_not_generic, sources: [{id: tencent_rejection}]}\n")
    problems = {p.path: p for p in exc.value.problems}
    rule = problems["$.rules[0].sources[0].id"]
    assert rule.line == 10 and "unknown source 'seed_03'" in rule.message and rule.suggestion == "seed_003"
    disable = problems["$.disables[0].sources[0].id"]
    assert disable.line == 12 and disable.suggestion == "tencent_rejections"


def test_a_province_defines_its_own_sources_and_cites_the_national_ones(tmp_path):
    book = _load(tmp_path, "sources:\n  fj_notice:\n    publisher: 福建省通信管理局\n    title: 福建备案须知\n"
                 "    date: '2024-03'\n    url: https://example.gov.cn/notice\n    authority: administration\n"
                 "rules:\n" + RULE.format(sources="[{id: fj_notice, section: 第三条}, {id: seed_002}]"))
    rule = next(r for r in book.rulesets["fujian"].rules if r.id == "fj_rule")
    assert rule.source == ("《福建备案须知》 (福建省通信管理局, 2024-03), 第三条, https://example.gov.cn/notice; "
                           "《ICP备案快速入门》 (阿里云（Alibaba Cloud）, 2022-07-11)")
    assert [c.source.authority for c in rule.sources] == ["administration", "provider"]


def test_a_province_may_not_redefine_a_national_source(tmp_path):
    with pytest.raises(PackError) as exc:
        _load(tmp_path, "sources:\n  seed_003: {publisher: 某人, title: 另一篇, authority: third_party}\n"
              "rules:\n" + RULE.format(sources="[{id: seed_003}]"))
    (problem,) = [p for p in exc.value.problems if p.path == "$.sources.seed_003"]
    assert "already defined by the base pack" in problem.message and problem.line == 6


@pytest.mark.parametrize(("text", "path", "words"), [
    ("  x: {publisher: 某, title: 某, authority: blog}\n", "$.sources.x.authority", "'blog' is not one of"),
    ("  x: {publisher: 某, title: 某, authority: provider, date: 2024/01/01}\n", "$.sources.x.date", ""),
    ("  x: {publisher: 某, authority: provider}\n", "$.sources.x", "missing required key 'title'"),
])
def test_a_malformed_source_is_a_located_schema_error(tmp_path, text, path, words):
    with pytest.raises(PackError) as exc:
        _load(tmp_path, "sources:\n" + text + "rules:\n" + RULE.format(sources="[{id: seed_003}]"))
    assert any(p.path == path and words in p.message for p in exc.value.problems), exc.value.problems


THIRD = ("sources:\n  fj_blog: {publisher: 某博客, title: 福建备案经验, authority: third_party}\n"
         "findings:\n  fj_refused: {zh: 拒绝, en: Refused}\n")
FINDING_RULE = """\
  - id: fj_refuse
    title: {{zh: 乙, en: B}}
    when: {{fact: subject.is_unit, equals: true}}
    findings: [{{id: fj_refused, severity: {severity}, message: {{zh: 不行, en: Not allowed}}}}]
    sources: {sources}
"""


def test_a_rule_backed_only_by_third_parties_may_warn_but_not_block(tmp_path):
    with pytest.raises(PackError) as exc:
        _load(tmp_path, THIRD + "rules:\n" + FINDING_RULE.format(severity="blocking", sources="[{id: fj_blog}, {id: seed_000}]")
              + RULE.replace("fj_rule", "fj_limit").replace("[{{document: residence_permit}}]",
                                                            "[{{document: residence_permit, max_age_months: 3}}]").format(sources="[{id: fj_blog}]"))
    problems = {p.path: p for p in exc.value.problems}
    blocking = problems["$.rules[0].findings[0].severity"]
    assert "cites only third-party sources (fj_blog, seed_000)" in blocking.message and "may warn but not block" in blocking.message
    limit = problems["$.rules[1].require[0].max_age_months"]
    assert "would refuse a document" in limit.message
    assert len(exc.value.problems) == 2


@pytest.mark.parametrize(("severity", "sources"), [
    ("warning", "[{id: fj_blog}]"),                       # a third party may warn
    ("blocking", "[{id: fj_blog}, {id: seed_003}]"),      # an access provider's rules back the refusal
])
def test_a_third_party_warning_or_a_provider_backed_refusal_loads(tmp_path, severity, sources):
    book = _load(tmp_path, THIRD + "rules:\n" + FINDING_RULE.format(severity=severity, sources=sources))
    rule = next(r for r in book.rulesets["fujian"].rules if r.id == "fj_refuse")
    assert rule.findings[0].severity == severity


def test_no_bundled_rule_blocks_on_third_parties_alone(book):
    for ruleset in book.rulesets.values():
        for rule in ruleset.rules:
            if rule.third_party_only:
                assert all(f.severity != "blocking" for f in rule.findings), rule.id
                assert not any(q.max_age_days or q.max_age_months or q.min_validity_days or q.min_validity_months
                               for q in rule.require), rule.id
    # the seeds' generic-name and ICP-licence claims (blog articles) warn now
    national = {r.id: r for r in book.rulesets["national"].rules}
    assert national["website_name_not_generic"].findings[0].severity == "warning"
    assert national["operating_service_not_for_non_enterprise"].findings[0].severity == "warning"
