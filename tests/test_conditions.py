from __future__ import annotations

import pytest

from engine import conditions as c


def _parse(raw, scope="application", keywords=None):
    errors: list[c.ConditionError] = []
    env = c.Environment(scope, keywords or {"ops": ("商城", "支付")}, frozenset({"news", "games"}))
    node = c.parse(raw, ("when",), env, errors)
    return node, errors


def _ctx(**facts):
    return {k.replace("__", "."): v for k, v in facts.items()}


def test_comparisons_and_three_valued_logic():
    node, errors = _parse({"all": [{"fact": "subject.is_unit", "equals": True},
                                   {"fact": "subject.domain_prefix_count", "greater_than": 31}]})
    assert not errors
    pred = node.compile()
    assert pred(_ctx(subject__is_unit=True, subject__domain_prefix_count=32)) is True
    assert pred(_ctx(subject__is_unit=True, subject__domain_prefix_count=31)) is False
    assert pred(_ctx(subject__is_unit=True)) is None  # absent fact: undecided
    assert pred(_ctx(subject__is_unit=False)) is False  # false wins over undecided
    negated, _ = _parse({"not": {"fact": "subject.domain_prefix_count", "greater_than": 31}})
    assert negated.compile()(_ctx()) is None  # not(undecided) stays undecided


def test_any_is_true_when_one_part_is_true_even_if_others_are_undecided():
    node, _ = _parse({"any": [{"fact": "subject.business_scope", "contains_any": "ops"},
                              {"fact": "subject.name", "contains_any": ["商贸"]}]})
    pred = node.compile()
    assert pred(_ctx(subject__name="锦程商贸")) is True
    assert pred(_ctx(subject__name="锦程科技")) is None
    assert pred(_ctx(subject__name="锦程科技", subject__business_scope="软件")) is False


def test_exists_and_membership_and_regex():
    assert _parse({"fact": "server.provider", "exists": True})[0].compile()(_ctx()) is False
    node, _ = _parse({"fact": "subject.type", "in": ["government", "public_institution"]})
    assert node.compile()(_ctx(subject__type="government")) is True
    node, _ = _parse({"fact": "subject.name", "matches": "^(网站|首页)$"})
    assert node.compile()(_ctx(subject__name="首页")) is True
    assert node.compile()(_ctx(subject__name="首页设计")) is False


@pytest.mark.parametrize(("raw", "message", "suggestion"), [
    ({"fact": "subject.domain_prefix_cout", "greater_than": 3}, "unknown fact", "subject.domain_prefix_count"),
    ({"fact": "subject.type", "equals": "enterprse"}, "not a value", "enterprise"),
    ({"fact": "subject.domain_prefix_count", "greater_then": 3}, "unknown operator", "greater_than"),
    ({"fact": "subject.name", "greater_than": 3}, "compares numbers or dates", None),
    ({"fact": "subject.domain_prefix_count", "greater_than": "31"}, "whole number", None),
    ({"fact": "subject.name", "matches": "(unclosed"}, "invalid regular expression", None),
    ({"fact": "subject.name", "contains_any": "opz"}, "unknown keyword list", "ops"),
    ({"fact": "person.age", "less_than": 18}, "is a person fact", None),
    ({"alll": []}, "unknown condition", "all"),
])
def test_type_errors_are_caught_before_evaluation(raw, message, suggestion):
    _, errors = _parse(raw)
    assert errors, raw
    assert message in errors[0].message
    assert errors[0].suggestion == suggestion


def test_quantifiers_reach_items_and_scoped_facts_need_a_scope():
    node, errors = _parse({"any_person": {"fact": "person.age", "less_than": 18}})
    assert not errors
    node, errors = _parse({"fact": "person.age", "less_than": 18}, scope="person")
    assert not errors
    _, errors = _parse({"any_domain": {"fact": "domain.is_new", "equals": True}}, scope="person")
    assert errors and "cannot be used inside" in errors[0].message


def test_trace_names_the_deciding_comparison():
    node, _ = _parse({"all": [{"fact": "subject.is_unit", "equals": True},
                              {"fact": "subject.domain_prefix_count", "greater_than": 31}]})
    trace = node.trace(_ctx(subject__is_unit=True, subject__domain_prefix_count=12))
    assert trace.value is False
    (deciding,) = trace.deciding()
    assert deciding.node.fact == "subject.domain_prefix_count" and deciding.actual == 12


@pytest.mark.parametrize(("raw", "zh", "en"), [
    ({"fact": "websites.count", "equals": True}, "“websites.count”是整数，true 不是整数", "'websites.count' is a whole number; true is not"),
    ({"fact": "websites.count", "equals": "31"}, "“websites.count”是整数，“31”不是整数", "'websites.count' is a whole number; '31' is not"),
    ({"fact": "subject.is_unit", "equals": None}, "的值为 true 或 false，空值不是", "is true or false; nothing is not"),
    ({"fact": "subject.is_unit", "equals": 1}, "的值为 true 或 false，1 不是", "is true or false; 1 is not"),
    ({"fact": "subject.name", "equals": [1, 2]}, "请与文本比较，而不是列表", "compare it with text, not a list"),
])
def test_a_value_of_the_wrong_kind_is_shown_as_yaml_writes_it(raw, zh, en):
    # it was Python's repr: True, None, '31', [1, 2]
    from engine import messages

    _, errors = _parse({"fact": raw["fact"], "equals": raw["equals"]})
    [error] = errors
    assert zh in messages.text(error.message_id, "zh", error.message_args)
    assert en in messages.text(error.message_id, "en", error.message_args)
