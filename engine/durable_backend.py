"""A second matcher: the same condition trees, decided by durable_rules (a Rete engine in C).

The python backend (``evaluate.match_rules``) is the reference; this backend exists to
cross-check them and for users who ask for it (``--backend durable``). It must give exactly the
reference answer: the same rules, for the same items, in the same order. durable_rules has
sharp edges (docs/backends.md, research notes in durable-rules-eval.md), so:

* Three-valued logic is compiled away. For every node we build two durable expressions, "is
  true" and "is false" (Kleene logic pushed down to the leaves: ``not`` swaps them, ``all``/``any``
  swap under De Morgan). A leaf is true or false only when its fact is present, so an absent
  fact (undecided) satisfies neither, and a rule fires only on "is true" — as in the reference.
  Absent facts are left out of the durable fact (durable never sees a null), and every durable
  test, ``$neq`` included, is false on a missing property (a test in tests/test_backends.py
  keeps that assumption honest).
* Only operators durable gets right are emitted natively: equality, inequality, the four
  comparisons, ``in``/``not_in`` as ``$or``/``$and`` of equalities, and presence. Dates travel as
  day ordinals, integers are clamped to ±2**52 (durable saturates beyond int64) with pack
  literals required to lie inside that range. ``contains_any`` and ``matches`` are computed in
  Python per context and passed as booleans (durable's regex dialect gives false negatives).
* Items: one durable fact per item of every scope a rule needs (``for_each`` rules and
  quantifier bodies), carrying that item's facts and the application facts the conditions read.
  Quantifier bodies are durable rules on item facts; Python only counts which items they fired
  for (any/every, with the empty-scope cases) and hands the two answers to the application fact.
* Size: durable holds at most 15 ``$and``/``$or`` groups per rule (error code 113); nested groups
  of one kind are flattened, and a bigger condition becomes several durable rules (``split``).
* Lifecycle: a private Host without its timer threads, ``assert_fact`` (never ``post``: an event
  is consumed by the first rule), a positive guard (``_k``) on every rule, firings collected in a
  Python dict keyed by session id (never in ``c.s``, which outlives an evaluation) and
  deduplicated, every asserted fact retracted in ``finally`` (``delete_state`` can crash the
  stock build), ``MessageNotHandledException`` caught, and one session id per thread at a time:
  ids are leased from a pool for each evaluation, so their number stays at the peak concurrency.

Imported only when ``backend="durable"`` is asked for.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from . import facts as facts_module
from .conditions import AllOf, Always, AnyOf, Compare, Node, Not, Quantifier, item_contexts
from .errors import InputError, PackError, Problem, problem
from .messages import text as message_text
from .evaluate import Fired
from .packs import Rule, RuleSet

INSTALL_HINT = "pip install 'icp-rulepacks[durable]'"
SAFE_INTEGER = 2 ** 52  # durable keeps numbers as int64/double; beyond this equality and order break
MAX_PROPERTIES = 240  # durable rejects a fact with 252 or more properties (error code 302)
MAX_GROUPS = 15  # $and/$or groups in one durable rule (MAX_SEQUENCE_EXPRESSIONS 32, two slots each)
MAX_SPLIT = 512  # durable rules one pack rule may become
PYTHON_OPERATORS = ("contains_any", "matches")
APPLICATION = "application"

# A durable expression, or a constant the compiler folds away.
Expr = Union[bool, dict]


def _import_durable() -> Any:
    """durable.engine, or an InputError saying how to get it (the extra is optional)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import durable.engine as durable_engine
    except ImportError as exc:
        raise InputError([problem("durable_not_importable", reason=str(exc), hint=INSTALL_HINT)]) from None
    # On Python 3.12+ durable calls datetime.utcfromtimestamp once per fired rule.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"durable(\.|$)")
    return durable_engine


# ---------------------------------------------------------------------------------------------
# Compiling condition trees into durable expressions


def _join(op: str, parts: list[Expr], absorbing: bool) -> Expr:
    """``$and``/``$or`` of ``parts``, folding constants and flattening nested groups of the same kind
    (every group costs durable two of the 31 slots a rule has; see ``split``)."""
    kept: list[dict] = []
    for part in parts:
        if part is absorbing:
            return absorbing
        if isinstance(part, dict):  # the other constant is neutral and dropped
            kept.extend(part[op] if op in part else [part])
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else {op: kept}


def _and(parts: list[Expr]) -> Expr:
    return _join("$and", parts, absorbing=False)


def _or(parts: list[Expr]) -> Expr:
    return _join("$or", parts, absorbing=True)


def _groups(expr: Expr) -> int:
    if isinstance(expr, dict):
        for op in ("$and", "$or"):
            if op in expr:
                return 1 + sum(_groups(part) for part in expr[op])
    return 0


def split(expr: dict) -> list[dict]:
    """``expr`` as a disjunction of expressions durable accepts.

    durable keeps a rule's expression in a fixed array of 31 slots and every ``$and``/``$or``
    group takes two (error code 113 beyond that). A rule that is too big becomes several durable
    rules — the branches of its top ``$or``, or of an ``$or`` distributed over its ``$and`` —
    whose firings count as the one rule's.
    """
    if _groups(expr) <= MAX_GROUPS:
        return [expr]
    if "$or" in expr:
        return [piece for branch in expr["$or"] for piece in split(branch)]
    parts = expr["$and"]
    at = next(i for i, part in enumerate(parts) if isinstance(part, dict) and "$or" in part)
    others = parts[:at] + parts[at + 1:]
    out: list[dict] = []
    for branch in parts[at]["$or"]:
        conjunction = _and([*others, branch])
        assert isinstance(conjunction, dict)  # only leaves and groups are left: no constants
        out.extend(split(conjunction))
    if len(out) > MAX_SPLIT:
        raise Unsupported("durable_condition_too_large", limit=MAX_SPLIT)
    return out


def fact_key(name: str) -> str:
    """The property a fact travels under: durable reads "a.b" as a path into nested objects."""
    return name.replace(".", "__")


def _clamp(number: int) -> int:
    return max(-SAFE_INTEGER, min(SAFE_INTEGER, number))


def encode(fact: facts_module.Fact, value: Any) -> Any:
    """A fact's value as durable sees it. Lists are only ever tested for presence natively."""
    if fact.type == "date":
        return value.toordinal()
    if fact.type == "integer":
        return _clamp(value)
    if fact.type == "list":
        return True
    return value


class Unsupported(ValueError):
    """A condition this backend cannot decide exactly as the reference does: a message id of
    engine.messages and its arguments (the exception's text is the English)."""

    def __init__(self, message_id: str, **args: Any):
        super().__init__(message_text(message_id, "en", args))
        self.message_id, self.message_args = message_id, args


def _literal(fact: facts_module.Fact, value: Any) -> Any:
    if fact.type == "date":
        return value.toordinal()
    if fact.type == "integer" and not -SAFE_INTEGER < value < SAFE_INTEGER:
        raise Unsupported("durable_number_range", value=value)
    return value


_NATIVE = {  # operator -> (durable test when true, durable test when false)
    "greater_than": ("$gt", "$lte"),
    "at_least": ("$gte", "$lt"),
    "less_than": ("$lt", "$gte"),
    "at_most": ("$lte", "$gt"),
}


@dataclass
class Plan:
    """One RuleSet compiled for durable: its rules, and what each kind of fact must carry."""

    name: str
    ruleset: RuleSet
    definition: dict[str, dict[str, Any]] = field(default_factory=dict)  # durable rule name -> rule
    facts: dict[str, set[str]] = field(default_factory=dict)  # scope -> fact names to encode
    leaves: dict[str, list[tuple[str, Callable[[Any], Any]]]] = field(default_factory=dict)  # scope -> Python-decided leaves
    quantifiers: list[tuple[str, str, str]] = field(default_factory=list)  # (key, any|every, scope)
    rule_names: dict[int, str] = field(default_factory=dict)  # index in ruleset.rules -> durable rule name
    _keys: dict[int, str] = field(default_factory=dict)  # id(node) -> property, so a node is compiled once

    @property
    def item_scopes(self) -> tuple[str, ...]:
        used = {scope for _, _, scope in self.quantifiers}
        used |= {rule.for_each for rule in self.ruleset.rules if rule.for_each}
        return tuple(s for s in facts_module.ITEM_SCOPES if s in used)

    def truth(self, node: Node, scope: str, want: bool) -> Expr:
        """A durable expression that holds exactly when ``node`` evaluates to ``want`` (not undecided)."""
        if isinstance(node, Always):
            return want
        if isinstance(node, Not):
            return self.truth(node.child, scope, not want)
        if isinstance(node, AllOf):
            parts = [self.truth(c, scope, want) for c in node.children]
            return _and(parts) if want else _or(parts)
        if isinstance(node, AnyOf):
            parts = [self.truth(c, scope, want) for c in node.children]
            return _or(parts) if want else _and(parts)
        if isinstance(node, Quantifier):
            key = self._keys.get(id(node))
            if key is None:
                key = self._keys[id(node)] = f"_q{len(self.quantifiers)}"
                self.quantifiers.append((key, node.mode, node.scope))
                for polarity, suffix in ((True, "t"), (False, "f")):
                    body = self.truth(node.child, node.scope, polarity)
                    self._add(f"{key}{suffix}", node.scope, body)
            return {f"{key}{'t' if want else 'f'}": True}
        if isinstance(node, Compare):
            return self._compare(node, scope, want)
        raise AssertionError(type(node))  # pragma: no cover - the parser makes only these nodes

    def _compare(self, node: Compare, scope: str, want: bool) -> Expr:
        if node.op in PYTHON_OPERATORS:
            key = self._keys.get(id(node))
            if key is None:
                key = self._keys[id(node)] = f"_p{len(self._keys)}"
                self.leaves.setdefault(scope, []).append((key, node.compile()))
            return {key: want}
        fact = facts_module.BY_NAME[node.fact]
        self.facts.setdefault(scope, set()).add(fact.name)
        key = fact_key(fact.name)
        if node.op == "exists":
            return {"$ex" if bool(node.value) is want else "$nex": {key: 1}}
        # An absent fact is left out of the durable fact, and durable's tests (even $neq) are all
        # false on a missing property: a leaf with an absent fact is neither true nor false.
        if node.op in ("equals", "not_equals"):
            value = _literal(fact, node.value)
            positive = (node.op == "equals") is want
            return {key: value} if positive else {"$neq": {key: value}}
        if node.op in ("in", "not_in"):
            values = [_literal(fact, v) for v in node.value]
            positive = (node.op == "in") is want
            return _or([{key: v} for v in values]) if positive else _and([{"$neq": {key: v}} for v in values])
        true_op, false_op = _NATIVE[node.op]
        return {true_op if want else false_op: {key: _literal(fact, node.value)}}

    def _add(self, name: str, scope: str, expr: Expr) -> None:
        """Durable rules that record ``name`` when ``expr`` holds for a fact of ``scope``."""
        matched = _and([{"_k": scope}, expr])  # the positive guard: the session's state never matches
        if not isinstance(matched, dict):  # never true: no durable rule at all
            return
        for number, piece in enumerate(split(matched)):
            self.definition[f"{name}#{number}"] = {"all": [{"m": piece}]}

    def add_rule(self, index: int, rule: Rule) -> None:
        scope = rule.for_each or APPLICATION
        in_force = _and([
            {"$gte": {"_on": rule.effective_from.toordinal()}} if rule.effective_from else True,
            {"$lt": {"_on": rule.effective_until.toordinal()}} if rule.effective_until else True,
        ])
        name = f"r{index}"
        self.rule_names[index] = name
        self._add(name, scope, _and([in_force, self.truth(rule.when, scope, True)]))

    def check_size(self) -> None:
        for scope in (APPLICATION, *self.item_scopes):
            count = len(self.facts.get(scope, ())) + len(self.leaves.get(scope, ())) + 5  # _k, _on, _i, id, sid
            if scope == APPLICATION:
                count += 2 * len(self.quantifiers)
            if count > MAX_PROPERTIES:
                raise Unsupported("durable_too_many_properties", scope=scope, count=count)


def _rule_path(ruleset: RuleSet, rule: Rule) -> str:
    for pack in ruleset.packs:
        if pack.id == rule.pack and rule.id in pack.rule_index:
            return f"$.rules[{pack.rule_index[rule.id]}].when"
    return "$"


def compile_plan(name: str, ruleset: RuleSet) -> Plan:
    plan = Plan(name, ruleset)
    problems: list[Problem] = []
    for index, rule in enumerate(ruleset.rules):
        try:
            plan.add_rule(index, rule)
        except Unsupported as exc:
            problems.append(problem("durable_rule_unsupported", file=rule.file, line=rule.line,
                                    path=_rule_path(ruleset, rule), rule=rule.id,
                                    reason=(exc.message_id, tuple(exc.message_args.items()))))
    try:
        plan.check_size()
    except Unsupported as exc:
        problems.append(problem("durable_ruleset_unsupported", file=ruleset.pack.file, pack=ruleset.key,
                                reason=(exc.message_id, tuple(exc.message_args.items()))))
    if problems:
        raise PackError(problems)
    return plan


# ---------------------------------------------------------------------------------------------
# Running


class DurableMatcher:
    """A ``Matcher`` (evaluate.Matcher) backed by durable_rules; one private Host per RuleBook."""

    def __init__(self, rulesets: Mapping[str, RuleSet]):
        durable_engine = _import_durable()
        self._not_handled = durable_engine.MessageNotHandledException

        class QuietHost(durable_engine.Host):  # type: ignore[name-defined]  # a module object, not a name
            def _run(self) -> None:
                """No dispatch threads: every action runs synchronously inside assert_fact."""

        self._host = QuietHost()
        self._lock = threading.Lock()
        self._plans: dict[str, tuple[RuleSet, Plan]] = {}
        self._free_sessions: list[str] = []
        self._session_numbers = itertools.count()
        self._fact_numbers = itertools.count()
        self._fired: dict[str, set[tuple[str, int]]] = {}  # session id -> (durable rule, item) that fired
        problems: list[Problem] = []
        for ruleset in rulesets.values():
            try:
                self._plan(ruleset)
            except PackError as exc:  # a national rule would otherwise be reported once per province
                problems.extend(p for p in exc.problems if p not in problems)
        if problems:
            raise PackError(problems)

    # -- compiling -----------------------------------------------------------------------------

    def _plan(self, ruleset: RuleSet) -> Plan:
        known = self._plans.get(ruleset.key)
        if known is not None and known[0] is ruleset:
            return known[1]
        with self._lock:
            known = self._plans.get(ruleset.key)
            if known is not None and known[0] is ruleset:
                return known[1]
            plan = compile_plan(f"rs{len(self._host._ruleset_list)}", ruleset)
            definition = {rule: dict(body, run=self._action(rule.split("#")[0])) for rule, body in plan.definition.items()}
            if definition:
                try:
                    self._host.register_rulesets({plan.name: definition})
                except Exception as exc:  # durable reports only a numeric code: say which pack it was
                    raise PackError([problem("durable_refused", file=ruleset.pack.file, pack=ruleset.key,
                                             detail=str(exc))]) from None
            self._plans[ruleset.key] = (ruleset, plan)
            return plan

    def _action(self, rule_name: str) -> Callable[[Any], None]:
        fired = self._fired

        def record(c: Any) -> None:
            # Into a Python dict keyed by session, never into c.s: that state outlives the evaluation.
            fact = c.m
            fired[fact["sid"]].add((rule_name, fact["_i"]))

        return record

    # -- sessions ------------------------------------------------------------------------------

    def _lease(self) -> str:
        with self._lock:
            if self._free_sessions:
                return self._free_sessions.pop()
        return f"s{next(self._session_numbers)}"

    def _release(self, sid: str) -> None:
        with self._lock:
            self._free_sessions.append(sid)

    # -- matching ------------------------------------------------------------------------------

    def __call__(self, ruleset: RuleSet, facts: facts_module.Facts, as_of: dt.date) -> list[Fired]:
        plan = self._plan(ruleset)
        app_ctx = facts.context()
        contexts = {scope: list(item_contexts(app_ctx, scope)) for scope in plan.item_scopes}
        fired: set[tuple[str, int]] = set()
        if plan.definition:
            fired = self._run(plan, app_ctx, contexts, as_of)
        out: list[Fired] = []
        for index, rule in enumerate(ruleset.rules):
            name = plan.rule_names[index]
            if rule.for_each is None:
                if (name, -1) in fired:
                    out.append((rule, app_ctx, "subject", None))
                continue
            ref_name = facts_module.REF_FACT[rule.for_each]
            for item, ctx in enumerate(contexts[rule.for_each]):
                if (name, item) in fired:
                    out.append((rule, ctx, rule.for_each, str(ctx[ref_name])))
        return out

    def _fact(self, plan: Plan, scope: str, item: int, ctx: Mapping[str, Any], on: int, sid: str) -> dict[str, Any]:
        fact: dict[str, Any] = {"id": f"{next(self._fact_numbers)}", "sid": sid, "_k": scope, "_i": item, "_on": on}
        for name in plan.facts.get(scope, ()):
            value = ctx.get(name)
            if value is not None:  # absent stays absent: durable never sees a null
                fact[fact_key(name)] = encode(facts_module.BY_NAME[name], value)
        for key, predicate in plan.leaves.get(scope, ()):
            value = predicate(ctx)
            if value is not None:
                fact[key] = value
        return fact

    def _run(self, plan: Plan, app_ctx: dict[str, Any], contexts: Mapping[str, list[dict[str, Any]]],
             as_of: dt.date) -> set[tuple[str, int]]:
        sid = self._lease()
        fired = self._fired[sid] = set()
        asserted: list[dict[str, Any]] = []
        on = as_of.toordinal()
        try:
            for scope, items in contexts.items():
                for item, ctx in enumerate(items):
                    self._assert(plan, self._fact(plan, scope, item, ctx, on, sid), asserted)
            app_fact = self._fact(plan, APPLICATION, -1, app_ctx, on, sid)
            for key, mode, scope in plan.quantifiers:
                count = len(contexts[scope])
                true = sum((f"{key}t", i) in fired for i in range(count))
                false = sum((f"{key}f", i) in fired for i in range(count))
                if mode == "any":
                    app_fact[f"{key}t"], app_fact[f"{key}f"] = true > 0, false == count
                else:
                    app_fact[f"{key}t"], app_fact[f"{key}f"] = true == count, false > 0
            self._assert(plan, app_fact, asserted)
            return set(fired)
        finally:
            for fact in reversed(asserted):
                try:
                    self._host.retract_fact(plan.name, fact)
                except self._not_handled:
                    pass
            del self._fired[sid]
            self._release(sid)

    def _assert(self, plan: Plan, fact: dict[str, Any], asserted: list[dict[str, Any]]) -> None:
        asserted.append(fact)
        try:
            self._host.assert_fact(plan.name, fact)
        except self._not_handled:
            pass  # no rule matched this fact
