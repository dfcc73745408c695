"""The evaluation plan (engine/evaluate.py ``Plan``) must fire exactly the rules a plain loop fires.

The plan skips rules whose guards (``equals``/``in`` on an application fact in a rule's top-level
``all``) do not hold, tests only the rest of their condition, and works out the rules in force
once per period between effective dates. The reference below is the plain loop it replaced:
every rule, its whole condition, ``in_force`` asked for every rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import shutil

import pytest
import yaml
from stdnum.cn import ric

from engine import RuleBook, application, bundled, packtests
from engine.conditions import FACTS_KEY, Compare, compile_regex, item_contexts, searcher, walk
from engine import facts as facts_module
from engine.evaluate import Fired, combine, plan_of
from engine.facts import REF_FACT


def reference_matcher(ruleset, facts, as_of) -> list[Fired]:
    app_ctx = dict(facts.application)
    app_ctx[FACTS_KEY] = facts
    fired: list[Fired] = []
    for rule in ruleset.rules:
        if not rule.in_force(as_of):
            continue
        if rule.for_each is None:
            if rule.predicate(app_ctx) is True:
                fired.append((rule, app_ctx, "subject", None))
            continue
        for ctx in item_contexts(app_ctx, rule.for_each):
            if rule.predicate(ctx) is True:
                fired.append((rule, ctx, rule.for_each, str(ctx[REF_FACT[rule.for_each]])))
    return fired


def reference_result(book: RuleBook, checked, as_of=None):
    """The result by the plain loop over every rule's closure, on every fact of the application
    (evaluation derives only the facts its rule set reads: ``Plan.needs``)."""
    on = application.as_of_date(as_of) or checked.submitted_on or dt.date.today()
    ruleset = book.ruleset(checked.province)
    facts = facts_module.derive(checked, on)
    return combine(ruleset, checked, facts, reference_matcher(ruleset, facts, on), on)


def assert_same(book: RuleBook, app, as_of=None) -> None:
    checked = application.load(app)
    expected = reference_result(book, checked, as_of)
    actual = book.evaluate(checked, as_of=as_of)
    assert actual.fired == expected.fired
    for lang in ("zh", "en"):
        assert actual.to_dict(lang) == expected.to_dict(lang)


@functools.cache
def bundled_book() -> RuleBook:
    return RuleBook.load()


_CASES = list(packtests.iter_cases(bundled_book()))


@pytest.mark.parametrize(("ruleset", "index", "case"), _CASES,
                         ids=[f"{rs.key}:{i}:{case['name']}" for rs, i, case in _CASES])
def test_pack_cases_fire_what_the_plain_loop_fires(ruleset, index, case):
    app = packtests.build_application(case, ruleset)
    as_of = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else None
    assert_same(bundled_book(), app, as_of)


def test_bundled_rules_have_guards_and_the_index_skips_rules():
    """Not vacuous: the Guangdong rules are indexed, and a company is not tried on individuals' rules."""
    book = bundled_book()
    ruleset = book.ruleset("guangdong")
    period = plan_of(ruleset).period(dt.date(2024, 10, 8))
    assert {fact for fact, _, _ in period.guards} >= {"subject.is_unit", "subject.type"}
    company = dict(ruleset.fixtures["enterprise"], filing_province="guangdong")
    facts = application.load(company)
    ctx = {"subject.is_unit": True, "subject.type": "enterprise", "server.in_mainland": True,
           "service.operating": False}
    tried = {rule.id for rule, *_ in period.steps(ctx)}
    assert "basic_business_licence" in tried
    assert "basic_individual_identity_document" not in tried and "basic_law_firm_licence_all_pages" not in tried
    assert len(tried) < len(period.candidates)
    assert_same(book, facts)


GUARD_RULES = [
    # equals and in on the same fact: only their common value lets the rule fire
    {"id": "plan_law_firm_only", "when": {"all": [{"fact": "subject.type", "in": ["law_firm", "enterprise"]},
                                                  {"fact": "subject.type", "equals": "law_firm"}]}},
    # guards whose values have nothing in common: never fires
    {"id": "plan_never", "when": {"all": [{"fact": "subject.type", "equals": "enterprise"},
                                          {"fact": "subject.type", "equals": "government"}]}},
    # a guard on a fact the application may leave out (absent: undecided, so the rule cannot fire)
    {"id": "plan_provider", "when": {"fact": "server.provider", "equals": "aliyun"}},
    # guards plus item facts, per item
    {"id": "plan_unit_new_domains", "for_each": "domain",
     "when": {"all": [{"fact": "subject.is_unit", "equals": True}, {"fact": "filing.type", "in": ["first_filing", "access"]},
                      {"fact": "domain.is_new", "equals": True}]}},
    # a guard beside a part that is undecided for some applications
    {"id": "plan_unit_expiring", "when": {"all": [{"fact": "subject.is_unit", "equals": True},
                                                  {"fact": "subject.certificate.days_until_expiry", "less_than": 3650}]}},
    # not a guard: not_equals, any, not, and a guard under any
    {"id": "plan_not_individual", "when": {"any": [{"fact": "subject.type", "equals": "government"},
                                                   {"not": {"fact": "subject.is_unit", "equals": False}}]}},
    # in force only for a while: the periods between effective dates
    {"id": "plan_from_2024", "effective_from": "2024-06-01", "when": {"fact": "subject.is_unit", "equals": False}},
    {"id": "plan_until_2025", "effective_until": "2025-01-01", "when": {"fact": "subject.is_unit", "equals": True}},
]


@pytest.fixture(scope="module")
def guard_book(tmp_path_factory) -> RuleBook:
    packs = tmp_path_factory.mktemp("packs")
    shutil.copy(bundled.packs_dir() / "national.yaml", packs / "national.yaml")
    rules = []
    for raw in GUARD_RULES:
        rule = {"title": {"zh": raw["id"], "en": raw["id"]}, "sources": [{"id": "seed_003"}], **raw,
                "findings": [{"id": "plan_fired", "severity": "info",
                              "message": {"zh": "{subject.name}", "en": "{subject.name}"}}]}
        rules.append(rule)
    pack = {"pack": "zhejiang", "version": "2026.1", "extends": "national",
            "title": {"zh": "测试", "en": "test"}, "findings": {"plan_fired": {"zh": "触发", "en": "fired"}},
            "rules": rules}
    (packs / "zhejiang.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return RuleBook.load(packs)


def _applications(book: RuleBook):
    fixtures = book.rulesets["national"].fixtures
    for name in ("enterprise", "individual"):
        for subject_type in ("enterprise", "law_firm", "government", "individual"):
            for provider in (None, "aliyun", "tencent"):
                if (name == "individual") != (subject_type == "individual"):
                    continue
                data = {**fixtures[name], "filing_province": "zhejiang"}
                data["subject"] = {**data["subject"], "type": subject_type}
                data["server"] = {"location": "mainland", **({"provider": provider} if provider else {})}
                yield data


@pytest.mark.parametrize("as_of", [None, "2024-05-31", "2024-06-01", "2024-12-31", "2025-01-01"])
def test_guards_and_periods_fire_what_the_plain_loop_fires(guard_book, as_of):
    fired_somewhere: set[str] = set()
    for data in _applications(guard_book):
        checked = application.load(data)
        assert_same(guard_book, checked, as_of)
        fired_somewhere |= {f.rule for f in guard_book.evaluate(checked, as_of=as_of).fired}
    assert "plan_never" not in fired_somewhere
    assert {"plan_provider", "plan_unit_new_domains", "plan_not_individual"} <= fired_somewhere
    if as_of in ("2024-06-01", "2024-12-31"):
        assert {"plan_from_2024", "plan_until_2025"} <= fired_somewhere
    if as_of == "2024-05-31":
        assert "plan_from_2024" not in fired_somewhere
    if as_of == "2025-01-01":
        assert "plan_until_2025" not in fired_somewhere


@pytest.mark.parametrize("pattern", [r"^[A-Za-z0-9 ._-]+$", r"(^|\.)(hk|mo|tw|香港|澳門|台灣|台湾)$",
                                     r"^[^\u4e00-\u9fff]*([\u4e00-\u9fff][^\u4e00-\u9fff]*){0,2}$", r"^$", r"科技", r"x*"])
def test_regex_searcher_agrees_with_search_and_takes_the_direct_path(pattern):
    compiled = compile_regex(pattern)
    found = searcher(compiled)
    assert getattr(found, "direct", False), "google-re2 moved its compiled RE2: the fast path is no longer used"
    for text in ["", "abc", "example.com.hk", "深圳示例科技", "示例", "a示b例c", "😀 emoji 名称", "ends.台湾", "x" * 1000]:
        assert found(text) is (compiled.search(text) is not None), (pattern, text)


def _old_combining(result):
    """Each document's targets and reasons as the list scans gave them (first occurrence kept)."""
    out = {}
    for doc in result.required_documents:
        targets, reasons = [], []
        for target in doc.targets:
            if target not in targets:
                targets.append(target)
        for reason in doc.reasons:
            if reason not in reasons:
                reasons.append(reason)
        out[doc.id, doc.targets[0]] = (targets, reasons)
    return out


def test_combining_keeps_each_target_and_reason_once_with_many_items(tmp_path):
    """Combining keys targets and reasons in sets; the result must be what the list scans gave:
    one target per item, one reason per distinct filled text, also when a placeholder holds a list
    (which cannot be hashed) and when items repeat a person."""
    shutil.copy(bundled.packs_dir() / "national.yaml", tmp_path / "national.yaml")
    rules = [
        {"id": "many_sites_list_reason", "for_each": "website", "title": {"zh": "t", "en": "t"}, "sources": [{"id": "seed_003"}],
         "reason": {"zh": "{websites.content_categories}", "en": "{websites.content_categories}"},
         "require": [{"document": "verification_form", "for": "subject"}]},
        {"id": "many_sites_item_list_reason", "for_each": "website", "title": {"zh": "t", "en": "t"}, "sources": [{"id": "seed_003"}],
         "reason": {"zh": "{website.domains}", "en": "{website.domains}"},
         "require": [{"document": "verification_form", "for": "subject"}]},
        {"id": "many_sites_same_reason", "for_each": "website", "title": {"zh": "t", "en": "t"}, "sources": [{"id": "seed_003"}],
         "reason": {"zh": "{subject.name}", "en": "{subject.name}"},
         "require": [{"document": "verification_form", "for": "subject"}]},
        {"id": "many_people_reason", "for_each": "person", "title": {"zh": "t", "en": "t"}, "sources": [{"id": "seed_003"}],
         "reason": {"zh": "{person.name}", "en": "{person.name}"},
         "require": [{"document": "website_manager_certificate"}]},
    ]
    pack = {"pack": "zhejiang", "version": "2026.1", "extends": "national", "title": {"zh": "测试", "en": "test"},
            "rules": rules}
    (tmp_path / "zhejiang.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book = RuleBook.load(tmp_path)
    data = {**book.rulesets["national"].fixtures["enterprise"], "filing_province": "zhejiang"}
    manager = data["principal"]
    sites = []
    for i in range(40):  # every second site is managed by the principal; domains repeat in pairs
        site = {"name": f"网站{i}", "domains": [f"site{i // 2}.com"], "content_categories": ["news"] if i % 3 else []}
        if i % 2:  # ten distinct managers, each managing two sites
            body = f"110101199001{i // 4 + 10:02d}123"
            number = body + ric.calc_check_digit(body + "0")
            site["manager"] = {**manager, "name": f"经理{i // 4}", "certificate": {"type": "id_card", "number": number}}
        sites.append(site)
    data["websites"] = sites
    # every website's domain is described in domains[] (a missing one is an input error)
    data["domains"] = [dict(data["domains"][0], name=f"site{i}.com") for i in range(20)]
    result = book.evaluate(data)
    assert_same(book, application.load(data))
    combined = _old_combining(result)
    by_id = {doc.id: doc for doc in result.required_documents}
    form = by_id["verification_form"]
    assert combined["verification_form", form.targets[0]] == (form.targets, form.reasons)
    mine = [r for r in form.reasons if r.rule == "many_sites_list_reason"]
    assert len(mine) == 1  # one list, equal for every website
    assert len([r for r in form.reasons if r.rule == "many_sites_same_reason"]) == 1
    assert len([r for r in form.reasons if r.rule == "many_sites_item_list_reason"]) == 20  # one per distinct domain list
    certificate = by_id["website_manager_certificate"]
    people = [target for target in certificate.targets if target[0] == "person"]
    assert len(people) == len(set(people)) == 1 + 10  # the principal and ten distinct managers
    assert len([r for r in certificate.reasons if r.rule == "many_people_reason"]) == 11
    assert combined["website_manager_certificate", certificate.targets[0]] == (certificate.targets, certificate.reasons)


# ---------------------------------------------------------------------------------------------
# The generated code of a period (engine/codegen.py)

HOSTILE = ["x'); import os; os.system('echo owned') #", 'a"b\\nc', "\n__import__('os')\n", "{subject.name}", "R0", "K0"]


def _hostile_book(tmp_path) -> RuleBook:
    """A pack whose values look like code: they must reach the generated source only as constants."""
    shutil.copy(bundled.packs_dir() / "national.yaml", tmp_path / "national.yaml")
    rules = [
        {"id": "hostile_equals", "when": {"fact": "server.provider", "equals": HOSTILE[0]}},
        {"id": "hostile_in", "when": {"fact": "subject.name", "in": HOSTILE}},
        {"id": "hostile_words", "for_each": "website", "when": {"fact": "website.name", "contains_any": HOSTILE}},
        {"id": "hostile_regex", "for_each": "website", "when": {"fact": "website.name", "matches": "'\\); import os #"}},
        {"id": "hostile_any", "when": {"any_website": {"fact": "website.remarks", "not_in": HOSTILE}}},
    ]
    for rule in rules:
        rule.update({"title": {"zh": rule["id"], "en": rule["id"]}, "sources": [{"id": "hostile", "section": HOSTILE[1]}],
                     "findings": [{"id": "plan_fired", "severity": "info", "message": {"zh": "x", "en": "x"}}]})
    pack = {"pack": "zhejiang", "version": "2026.1", "extends": "national", "title": {"zh": "测试", "en": "test"},
            "findings": {"plan_fired": {"zh": "触发", "en": "fired"}}, "rules": rules,
            "sources": {"hostile": {"publisher": HOSTILE[1], "title": HOSTILE[0], "authority": "provider"}}}
    (tmp_path / "zhejiang.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return RuleBook.load(tmp_path)


def test_generated_source_is_made_of_the_checked_tree_only(tmp_path):
    """Every name in the generated code is one the generator makes up (or a builtin it hands in);
    every string constant is a fact of the catalogue or a value of the checked tree; no import,
    no attribute beyond the few the generator uses. Pack text that looks like code stays data."""
    import ast
    import re

    from engine import codegen
    from engine.conditions import walk
    from engine.facts import BY_NAME

    book = _hostile_book(tmp_path)
    ruleset = book.ruleset("zhejiang")
    rules = list(ruleset.rules)
    text, patterns, fallbacks = codegen.source(rules)
    assert fallbacks == [] and len(patterns) >= 1
    values = set()
    for rule in rules:
        for node in walk(rule.when):
            value = getattr(node, "value", None)
            values |= set(value) if isinstance(value, tuple) else {value}
    tree = ast.parse(text)
    allowed_names = re.compile(r"(a|w|q|i|K|S|M|R)\d+|it|ctx|facts|items|fired|append|get|_Item|_contexts|_contains|_date"
                               r"|any|all|str|frozenset|match")
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda, ast.ClassDef)), ast.dump(node)
        if isinstance(node, ast.Name):
            assert allowed_names.fullmatch(node.id), node.id
        if isinstance(node, ast.Attribute):
            assert node.attr in ("get", "append", "items", "predicate"), node.attr
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in BY_NAME or node.value in values or node.value in REF_FACT or node.value == "subject", node.value
    # the hostile texts are there, as constants (as conditions keep text: normalised)
    from engine.text import normalise

    constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert set(map(normalise, HOSTILE)) <= constants
    # and the code decides as the closures do
    data = {**book.rulesets["national"].fixtures["enterprise"], "filing_province": "zhejiang"}
    data["server"] = {"location": "mainland", "provider": HOSTILE[0]}
    data["websites"] = [{**data["websites"][0], "name": "有R0的网站", "remarks": "普通"}]
    result = book.evaluate(data)
    assert {"hostile_equals", "hostile_words", "hostile_any"} <= {f.rule for f in result.fired}
    assert_same(book, application.load(data))


def test_a_node_the_generator_does_not_know_falls_back_to_its_closure():
    """Other condition features may add node classes, or fields to a known one: such a rule is
    decided by its own closure, and the period still fires exactly what the plain loop fires."""
    from engine import codegen
    from engine.conditions import Compare
    from engine.evaluate import Period, match_by_closures

    @dataclasses.dataclass(frozen=True)
    class Unknown(Compare):  # a known class with a field the generator has never heard of
        unit: str = "days"

    book = bundled_book()
    ruleset = book.ruleset("guangdong")
    rules = list(plan_of(ruleset).period(dt.date(2024, 10, 8)).candidates)
    changed = []
    for rule, *_ in rules:  # every rule whose whole condition is one comparison
        when = rule.when
        if isinstance(when, Compare):
            when = Unknown(when.path, when.fact, when.op, when.value, when.pattern)
            rule = dataclasses.replace(rule, when=when, predicate=when.compile())
        changed.append(rule)
    _, _, fallbacks = codegen.source(changed)
    assert fallbacks and all(isinstance(changed[i].when, Unknown) for i in fallbacks)
    assert any(changed[i].for_each for i in fallbacks) and any(not changed[i].for_each for i in fallbacks)
    period = Period(changed)
    varied = dataclasses.replace(ruleset, rules=tuple(changed))
    compared = 0
    for case in (c for rs, _, c in _CASES if rs.key == "guangdong"):
        try:
            checked = application.load(packtests.build_application(case, ruleset))
        except Exception:
            continue
        from engine import facts as facts_module

        facts = facts_module.derive(checked, dt.date(2024, 10, 8))
        generated = period.match(facts.context(), facts)
        reference = match_by_closures(varied, facts_module.derive(checked, dt.date(2024, 10, 8)), dt.date(2024, 10, 8))
        assert [(r.id, kind, ref) for r, _, kind, ref in generated] == [(r.id, kind, ref) for r, _, kind, ref in reference]
        compared += bool(generated)
    assert compared >= 10


def test_generated_code_is_kept_in_the_user_cache(tmp_path, monkeypatch):
    """A process that evaluates once does not compile the period again; a corrupt entry is rebuilt."""
    from engine import codegen

    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(tmp_path))
    rules = list(bundled_book().ruleset("guangdong").rules)
    compiled = []
    real_compile = compile
    monkeypatch.setattr(codegen, "compile", lambda *a, **k: compiled.append(1) or real_compile(*a, **k), raising=False)
    first, _ = codegen.build(rules)
    entries = list(tmp_path.glob("plan-code-*.pickle"))
    assert len(entries) == 1 and compiled == [1]
    second, _ = codegen.build(rules)
    assert compiled == [1]  # from the cache
    assert second.__code__ == first.__code__
    entries[0].write_bytes(b"not a pickle")
    codegen.build(rules)
    assert compiled == [1, 1]


def test_evaluation_derives_only_the_facts_its_rule_set_reads():
    """Each bundled rule set reads fewer facts than the catalogue holds, evaluation derives only
    those (items kept, each named), and every pack case still gives what every fact gives
    (test_pack_cases_fire_what_the_plain_loop_fires compares with the reference on every fact)."""
    book = bundled_book()
    catalogue = {f.name for f in facts_module.CATALOGUE}
    for key, ruleset in book.rulesets.items():
        needs = plan_of(ruleset).needs
        assert needs is not None and needs < catalogue, key
        for rule in ruleset.rules:  # what the conditions compare is among them
            for node in walk(rule.when):
                if isinstance(node, Compare):
                    assert node.fact in needs, (key, rule.id, node.fact)
    guangdong = book.ruleset("guangdong")
    needs = plan_of(guangdong).needs
    case = next(case for rs, _, case in _CASES if rs.key == "guangdong" and "websites" in case.get("application", {}))
    checked = application.load(packtests.build_application(case, guangdong))
    on = dt.date(2024, 10, 8)
    every, pruned = facts_module.derive(checked, on), facts_module.derive(checked, on, needs)
    assert set(pruned.application) == set(every.application) & needs < set(every.application)
    for scope, items in every.items.items():
        assert len(pruned.items[scope]) == len(items)  # counts and quantifiers see every item
        for full, fewer in zip(items, pruned.items[scope]):
            assert set(fewer) == set(full) & (needs | {REF_FACT[scope]})
            assert all(fewer[name] == full[name] for name in fewer)


def test_every_fact_of_the_catalogue_is_derived_when_all_are_needed():
    """Without needs derive writes each catalogue fact of every scope (a fact added to the catalogue
    but to no list of derive's would silently never be derived)."""
    book = bundled_book()
    case = next(case for rs, _, case in _CASES if rs.key == "guangdong")
    data = packtests.build_application(case, book.ruleset("guangdong"))
    data["apps"] = [{"name": "应用", "kind": "app", "platforms": ["android"], "content_categories": ["news"]}]
    data["documents_on_hand"] = [{"id": "business_license_copy", "issued_on": "2024-09-01"}]
    facts = facts_module.derive(application.load(data), dt.date(2024, 10, 8))
    by_scope: dict = {}
    for fact in facts_module.CATALOGUE:
        by_scope.setdefault(fact.scope, set()).add(fact.name)
    assert set(facts.application) == by_scope["application"]
    for scope, items in facts.items.items():
        assert items, scope
        for item in items:
            assert set(item) == by_scope[scope], scope


def test_a_result_keeps_neither_the_facts_nor_the_contexts_rules_fired_in(book, enterprise, monkeypatch):
    """A result holds what it shows, not every derived fact: the facts (and the item contexts the
    rules fired in, which hold them) are freed once the result is made, however long it is kept."""
    import gc
    import weakref

    made: list[weakref.ref] = []
    real = facts_module.derive

    def derive(*args, **kwargs):
        facts = real(*args, **kwargs)
        made.append(weakref.ref(facts))
        return facts

    monkeypatch.setattr(facts_module, "derive", derive)
    enterprise["websites"].append({"name": "第二个网站", "domains": [enterprise["domains"][0]["name"]]})
    result = book.evaluate(enterprise)
    assert len(made) == 1 and any(f.kind != "subject" for f in result.fired)  # item rules fired too
    gc.collect()
    assert made[0]() is None, [type(r).__name__ for r in gc.get_referrers(made[0]())]
    assert result.fired and result.to_dict()["required_documents"]  # the result still says everything


def test_an_evaluated_result_has_every_field_and_equals_one_made_by_init(book, enterprise):
    """Evaluation makes its Result with ``Result.made`` (every field at once, not the frozen
    dataclass's __init__): a field added to Result and not given there would be missing."""
    result = book.evaluate(enterprise)
    names = [f.name for f in dataclasses.fields(result)]
    assert set(names) <= set(vars(result))
    again = type(result)(**{name: getattr(result, name) for name in names})
    assert again == result and repr(again) == repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.findings = ()  # type: ignore[misc]
