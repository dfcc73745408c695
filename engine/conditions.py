"""Step 4: a rule's ``when`` condition — parsed into a typed tree, checked, compiled to closures.

Conditions are data, never code: the pack's YAML is parsed into the node classes below, every
fact name, operator and value is checked against the fact catalogue before anything runs, and
each tree is compiled once into nested Python closures. No pack text reaches eval or exec as code:
engine/codegen.py writes the rules of a period as Python source from these checked trees, with
every value written by ``repr`` and every fact name taken from the catalogue.

Logic is three-valued (Kleene): a comparison with an absent fact is *undecided* (None), ``all``
is false if any part is false, ``any`` is true if any part is true, ``not`` keeps undecided
undecided. A rule fires only when its condition is true.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from . import messages
from .errors import json_type
from .facts import BY_NAME, FACTS_KEY, ITEM_SCOPES, Fact
from .source import PathKey
from .suggest import closest
from .text import normalise

Context = Mapping[str, Any]
Pattern = Any  # a compiled RE2 pattern (re2._Regexp): search(text) -> match or None
Predicate = Callable[[Context], Union[bool, None]]

COMPARISONS = ("greater_than", "at_least", "less_than", "at_most")
OPERATORS = ("equals", "not_equals", *COMPARISONS, "in", "not_in", "contains_any", "matches", "exists")
QUANTIFIERS = {f"any_{s}": ("any", s) for s in ITEM_SCOPES} | {f"every_{s}": ("every", s) for s in ITEM_SCOPES}
COMBINATORS = ("all", "any", "not")
MAX_REGEX_LENGTH = 500


class ConditionError(ValueError):
    """A problem in a pack's condition: a message id of engine.messages and its arguments
    (``message`` is the English text, for whoever reads the exception)."""

    def __init__(self, path: PathKey, message_id: str, suggestion: str | None = None, key: bool = False, **args: Any):
        self.message_id, self.message_args = message_id, args
        message = messages.text(message_id, "en", args)
        super().__init__(message)
        self.path, self.message, self.suggestion, self.key = path, message, suggestion, key


@dataclass(frozen=True)
class Node:
    path: PathKey

    def compile(self) -> Predicate:
        raise NotImplementedError

    def trace(self, ctx: Context) -> "Trace":
        raise NotImplementedError


@dataclass(frozen=True)
class Trace:
    """How a node evaluated on one context, with its children: the basis of ``explain``."""

    node: Node
    value: bool | None
    actual: Any = None
    children: tuple["Trace", ...] = ()

    def decisive(self) -> list[int]:
        """Which children decided this outcome: those with the same value (the failing parts of a
        false ``all``, …), all of them when none has it, and the one child of a ``not``."""
        every = list(range(len(self.children)))
        if isinstance(self.node, Not):
            return every
        return [i for i, child in enumerate(self.children) if child.value is self.value] or every

    def deciding(self) -> list["Trace"]:
        """The comparisons that decided this outcome."""
        if not self.children:
            return [self]
        out: list[Trace] = []
        for i in self.decisive():
            out.extend(self.children[i].deciding())
        return out


@dataclass(frozen=True)
class Always(Node):
    def compile(self) -> Predicate:
        return lambda ctx: True

    def trace(self, ctx: Context) -> Trace:
        return Trace(self, True)


@dataclass(frozen=True)
class Compare(Node):
    fact: str
    op: str
    value: Any
    pattern: Pattern | None = field(default=None, compare=False)

    def compile(self) -> Predicate:
        # One closure per operator, reading the fact itself: a comparison is one call, not two.
        # This runs for every rule and item of every evaluation.
        name, op, expected = self.fact, self.op, self.value
        if op == "exists":
            want = bool(expected)
            return lambda ctx: (ctx.get(name) is not None) is want
        if op == "equals":
            def equals(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual == expected
            return equals
        if op == "not_equals":
            def not_equals(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual != expected
            return not_equals
        if op == "greater_than":
            def greater_than(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual > expected
            return greater_than
        if op == "at_least":
            def at_least(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual >= expected
            return at_least
        if op == "less_than":
            def less_than(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual < expected
            return less_than
        if op == "at_most":
            def at_most(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual <= expected
            return at_most
        if op in ("in", "not_in"):
            options = frozenset(expected)
            if op == "in":
                def member(ctx: Context) -> bool | None:
                    actual = ctx.get(name)
                    return None if actual is None else actual in options
                return member

            def not_member(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else actual not in options
            return not_member
        if op == "contains_any":
            words = tuple(expected)
            wordset = frozenset(words)

            def contains(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else contains_any(actual, words, wordset)
            return contains
        if op == "matches":
            assert self.pattern is not None
            found = searcher(self.pattern)

            def matches(ctx: Context) -> bool | None:
                actual = ctx.get(name)
                return None if actual is None else found(actual)
            return matches
        raise AssertionError(op)  # pragma: no cover - parse() admits only known operators

    def trace(self, ctx: Context) -> Trace:
        return Trace(self, self.compile()(ctx), ctx.get(self.fact))


def contains_any(actual: Any, words: tuple[str, ...], wordset: frozenset[str]) -> bool:
    """``contains_any`` of a value that is present: a word inside text, or a shared list element
    (the closures above and the generated code, engine/codegen.py, both ask this)."""
    if isinstance(actual, str):
        for word in words:
            if word in actual:
                return True
        return False
    return not wordset.isdisjoint(actual)


def _kleene_all(values: Iterator[bool | None]) -> bool | None:
    undecided = False
    for value in values:
        if value is False:
            return False
        if value is None:
            undecided = True
    return None if undecided else True


def _kleene_any(values: Iterator[bool | None]) -> bool | None:
    undecided = False
    for value in values:
        if value is True:
            return True
        if value is None:
            undecided = True
    return None if undecided else False


@dataclass(frozen=True)
class AllOf(Node):
    children: tuple[Node, ...]

    def compile(self) -> Predicate:
        parts = tuple(c.compile() for c in self.children)
        if len(parts) == 1:
            return parts[0]

        def all_of(ctx: Context) -> bool | None:  # _kleene_all, unrolled: this runs for every rule
            undecided = False
            for part in parts:
                value = part(ctx)
                if value is False:
                    return False
                if value is None:
                    undecided = True
            return None if undecided else True

        return all_of

    def trace(self, ctx: Context) -> Trace:
        kids = tuple(c.trace(ctx) for c in self.children)
        return Trace(self, _kleene_all(k.value for k in kids), None, kids)


@dataclass(frozen=True)
class AnyOf(Node):
    children: tuple[Node, ...]

    def compile(self) -> Predicate:
        parts = tuple(c.compile() for c in self.children)

        def any_of(ctx: Context) -> bool | None:  # _kleene_any, unrolled
            undecided = False
            for part in parts:
                value = part(ctx)
                if value is True:
                    return True
                if value is None:
                    undecided = True
            return None if undecided else False

        return any_of

    def trace(self, ctx: Context) -> Trace:
        kids = tuple(c.trace(ctx) for c in self.children)
        return Trace(self, _kleene_any(k.value for k in kids), None, kids)


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def compile(self) -> Predicate:
        inner = self.child.compile()

        def negate(ctx: Context) -> bool | None:
            value = inner(ctx)
            return None if value is None else not value

        return negate

    def trace(self, ctx: Context) -> Trace:
        kid = self.child.trace(ctx)
        return Trace(self, None if kid.value is None else not kid.value, None, (kid,))


def item_contexts(ctx: Context, scope: str) -> list[dict[str, Any]]:
    """One context per item of ``scope``: the application facts plus that item's facts.

    Built once per evaluation and kept on the Facts: every rule and quantifier over the same
    scope reads the same contexts (nothing writes to them).
    """
    facts = ctx[FACTS_KEY]
    built = facts.contexts.get(scope)
    if built is None:
        base = facts.application
        built = []
        for item in facts.scope(scope):
            merged = dict(base)
            merged.update(item)
            merged[FACTS_KEY] = facts
            built.append(merged)
        facts.contexts[scope] = built
    return built


@dataclass(frozen=True)
class Quantifier(Node):
    mode: str  # any | every
    scope: str
    child: Node

    def compile(self) -> Predicate:
        inner, scope = self.child.compile(), self.scope
        # Kleene any/every over the items, unrolled: "any" stops at the first true, "every" at the first false.
        decisive = self.mode == "any"

        def quantified(ctx: Context) -> bool | None:
            undecided = False
            for item in item_contexts(ctx, scope):
                value = inner(item)
                if value is decisive:
                    return decisive
                if value is None:
                    undecided = True
            return None if undecided else not decisive

        return quantified

    def trace(self, ctx: Context) -> Trace:
        kids = tuple(self.child.trace(c) for c in item_contexts(ctx, self.scope))
        combine = _kleene_any if self.mode == "any" else _kleene_all
        return Trace(self, combine(k.value for k in kids), None, kids)


# ---------------------------------------------------------------------------------------------
# Parsing and type checking


@dataclass(frozen=True)
class Environment:
    """What a condition may refer to: the current scope and the pack's named keyword lists."""

    scope: str  # application or an item scope (a rule's for_each)
    keywords: Mapping[str, tuple[str, ...]]
    extra_categories: frozenset[str] = frozenset()


def parse(raw: Any, path: PathKey, env: Environment, errors: list[ConditionError]) -> Node:
    """A typed condition tree from pack data; problems are appended to ``errors``."""
    if raw is None:
        return Always(path)
    if not isinstance(raw, dict) or not raw:
        errors.append(ConditionError(path, "condition_not_mapping"))
        return Always(path)
    if "fact" in raw:
        return _parse_compare(raw, path, env, errors)
    if len(raw) != 1:
        errors.append(ConditionError(path, "condition_combinators", found=[str(k) for k in raw]))
        return Always(path)
    (key, value), = raw.items()
    here = path + (key,)
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            errors.append(ConditionError(here, "condition_list_empty", key_name=key))
            return Always(path)
        kids = tuple(parse(v, here + (i,), env, errors) for i, v in enumerate(value))
        return AllOf(path, kids) if key == "all" else AnyOf(path, kids)
    if key == "not":
        return Not(path, parse(value, here, env, errors))
    if key in QUANTIFIERS:
        mode, scope = QUANTIFIERS[key]
        if env.scope != "application":
            errors.append(ConditionError(here, "condition_quantifier_in_for_each", key=True, key_name=key, scope=env.scope))
        inner = Environment(scope, env.keywords, env.extra_categories)
        return Quantifier(path, mode, scope, parse(value, here, inner, errors))
    known = list(COMBINATORS) + list(QUANTIFIERS) + ["fact"]
    errors.append(ConditionError(here, "condition_unknown", closest(key, known), key=True, key_name=key))
    return Always(path)


def _parse_compare(raw: dict[str, Any], path: PathKey, env: Environment, errors: list[ConditionError]) -> Node:
    name = raw["fact"]
    fact = BY_NAME.get(str(name))
    if fact is None:
        errors.append(ConditionError(path + ("fact",), "unknown_fact", closest(name, BY_NAME), name=name))
        return Always(path)
    if fact.scope != "application" and fact.scope != env.scope:
        errors.append(ConditionError(
            path + ("fact",), "fact_scope_application" if env.scope == "application" else "fact_scope_item",
            name=name, scope=fact.scope, here=env.scope))
        return Always(path)
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1:
        if not ops:
            errors.append(ConditionError(path, "condition_no_operator", name=name, options=OPERATORS))
        else:
            errors.append(ConditionError(path, "condition_operators", found=[str(o) for o in ops]))
        return Always(path)
    op = ops[0]
    here = path + (op,)
    if op not in OPERATORS:
        errors.append(ConditionError(here, "condition_unknown_operator", closest(op, OPERATORS), key=True, op=op))
        return Always(path)
    try:
        value, pattern = _check_value(fact, op, raw[op], env)
    except ConditionError as exc:
        errors.append(ConditionError(here, exc.message_id, exc.suggestion, **exc.message_args))
        return Always(path)
    return Compare(path, fact.name, op, value, pattern)


# How a fact's kind reads in a message: {kind:fact_kind} (engine/messages.py); a list of texts is tested as text.
_KIND = {"list": "text"}


def _written(value: Any) -> tuple[str, str]:
    """A value from a pack as a message shows it ({value:written}): its JSON type and, for a scalar,
    how YAML writes it (true, not Python's True); a list or a mapping is named by its type."""
    kind = json_type(value)
    if kind == "string":
        return kind, value
    if kind == "boolean":
        return kind, "true" if value else "false"
    return kind, repr(value) if kind in ("integer", "number") else ""


def _scalar(fact: Fact, value: Any, env: Environment) -> Any:
    kind = fact.type
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConditionError((), "condition_not_integer", name=fact.name, value=_written(value))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ConditionError((), "condition_not_boolean", name=fact.name, value=_written(value))
        return value
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConditionError((), "condition_not_date", value=value) from None
    if kind == "enum":
        if value not in fact.values:
            raise ConditionError((), "condition_not_value", closest(value, fact.values), value=value, name=fact.name)
        return value
    if not isinstance(value, str):
        raise ConditionError((), "condition_not_text", name=fact.name, value=_written(value))
    if fact.name == "category.name" and value not in env.extra_categories:
        raise ConditionError((), "condition_unknown_category", closest(value, env.extra_categories), value=value)
    return normalise(value)  # as the text facts are (engine/text.py)


def _check_value(fact: Fact, op: str, value: Any, env: Environment) -> tuple[Any, Pattern | None]:
    kind = fact.type
    if op == "exists":
        if not isinstance(value, bool):
            raise ConditionError((), "condition_exists_boolean")
        return value, None
    if op in ("equals", "not_equals"):
        if kind == "list":
            raise ConditionError((), "condition_list_equals", name=fact.name)
        return _scalar(fact, value, env), None
    if op in COMPARISONS:
        if kind not in ("integer", "date"):
            raise ConditionError((), "condition_compares_numbers", op=op, name=fact.name, kind=_KIND.get(kind, kind))
        return _scalar(fact, value, env), None
    if op in ("in", "not_in"):
        if kind in ("list", "boolean"):
            raise ConditionError((), "condition_in_single", op=op, name=fact.name, kind=_KIND.get(kind, kind))
        if not isinstance(value, list) or not value:
            raise ConditionError((), "condition_values_empty", op=op)
        return tuple(_scalar(fact, v, env) for v in value), None
    if op == "contains_any":
        if kind not in ("text", "list"):
            raise ConditionError((), "condition_contains_kind", name=fact.name, kind=_KIND.get(kind, kind))
        if isinstance(value, str):
            if value not in env.keywords:
                raise ConditionError((), "condition_unknown_keywords", closest(value, env.keywords), value=value)
            return tuple(map(normalise, env.keywords[value])), None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ConditionError((), "condition_contains_value")
        return tuple(map(normalise, value)), None  # words are looked for as the facts are written
    if op == "matches":
        if kind != "text":
            raise ConditionError((), "condition_matches_kind", name=fact.name, kind=_KIND.get(kind, kind))
        return value, compile_regex(value)
    raise AssertionError(op)  # pragma: no cover


# Pack regexes run on text applicants typed, so they use RE2: matching takes time linear in the
# text whatever the pattern (no catastrophic backtracking), and a pattern's compiled size is capped.
REGEX_MAX_MEMORY = 1 << 20  # bytes of RE2 program; far above any sensible pack pattern
# Syntax RE2 leaves out on purpose (it would break linear-time matching), recognised in the pattern
# itself: which feature a failing pattern uses is never read out of RE2's error text. A token counts
# when it is not escaped (an even number of backslashes before it).
_UNESCAPED = r"(?<!\\)(?:\\\\)*"
_UNSUPPORTED = ((re.compile(_UNESCAPED + r"\(\?<[=!]"), "lookbehind"),
                (re.compile(_UNESCAPED + r"\(\?="), "lookahead"),
                (re.compile(_UNESCAPED + r"\(\?!"), "negative lookahead"),
                (re.compile(_UNESCAPED + r"(?:\\[1-9]|\(\?P=)"), "backreferences"),
                (re.compile(_UNESCAPED + r"\(\?\("), "conditional groups"),
                (re.compile(_UNESCAPED + r"\(\?>"), "atomic groups"),
                (re.compile(_UNESCAPED + r"[*+?}][+]"), "possessive repetition"))
_REPETITION = re.compile(_UNESCAPED + r"\{(\d+)(?:,(\d*))?\}")
RE2_MAX_REPEAT = 1000  # RE2 refuses a counted repetition above this
_REGEX_MEMORY_TO_TELL_SIZE = 256 << 20  # a pattern RE2 compiles with this much, but not REGEX_MAX_MEMORY, is too large


# Packs written for Python's re spell code points \u4e00 / \U0001f600; RE2 spells them \x{4e00}.
_PYTHON_CODEPOINT = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def _re2_syntax(pattern: str) -> str:
    return _PYTHON_CODEPOINT.sub(lambda m: f"{m.group(1)}\\x{{{m.group(2) or m.group(3)}}}", pattern)


def compile_regex(value: Any) -> Pattern:
    """A pack's ``matches`` pattern compiled with RE2; errors say which syntax RE2 lacks."""
    if not isinstance(value, str) or not value:
        raise ConditionError((), "regex_not_text")
    if len(value) > MAX_REGEX_LENGTH:
        raise ConditionError((), "regex_too_long", limit=MAX_REGEX_LENGTH)
    import re2  # imported here: only packs that use `matches` pay for it

    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr; the message below says it instead
    options.max_mem = REGEX_MAX_MEMORY
    try:
        return re2.compile(_re2_syntax(value), options)
    except re2.error as exc:
        rejected = exc
    for pattern, feature in _UNSUPPORTED:
        if pattern.search(value):
            raise ConditionError((), "regex_unsupported", feature=feature) from None
    for repetition in _REPETITION.finditer(value):
        counts = [int(n) for n in repetition.groups() if n]
        if max(counts) > RE2_MAX_REPEAT:
            raise ConditionError((), "regex_repeat", repetition=repetition.group(0), limit=RE2_MAX_REPEAT) from None
    roomy = re2.Options()
    roomy.log_errors = False
    roomy.max_mem = _REGEX_MEMORY_TO_TELL_SIZE
    if _re2_compiles(re2, value, roomy):
        raise ConditionError((), "regex_too_large", limit=REGEX_MAX_MEMORY // 1024) from None
    once = _REPETITION.sub(lambda m: m.group(0)[:m.group(0).rindex("{")] + "{1}", value)  # every count made 1
    if once != value and _re2_compiles(re2, once, roomy):
        raise ConditionError((), "regex_nested_repeat", limit=RE2_MAX_REPEAT) from None
    try:  # a plain syntax error: Python's message is the one pack authors know
        re.compile(value)
    except re.error as py_exc:
        reason = str(py_exc)
    else:  # valid for Python, not for RE2: RE2's own words, for whoever knows them
        reason = str(rejected.args[0].decode("utf-8", "replace") if rejected.args and isinstance(rejected.args[0], bytes)
                     else rejected)
    raise ConditionError((), "regex_invalid", reason=reason) from None


def _re2_compiles(re2: Any, pattern: str, options: Any) -> bool:
    try:
        re2.compile(_re2_syntax(pattern), options)
    except re2.error:
        return False
    return True


def searcher(pattern: Pattern) -> Callable[[str], bool]:
    """``pattern.search(text) is not None`` for a compiled pack pattern, made cheaper.

    google-re2's ``search`` builds a generator and a match object with decoded offsets; a
    condition only asks whether there is a match. When the installed google-re2 has the
    compiled RE2 and its ``Match`` call where this version keeps them, ask it directly with the
    UTF-8 text (the same call ``search`` makes); otherwise use ``search``. tests/test_conditions.py
    checks the two agree and that the direct call is in use, so an upgrade that moves them is seen.
    """
    import re2

    regexp = getattr(pattern, "_regexp", None)
    anchor = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    no_match = getattr(re2, "_NULL_SPAN", None)
    if regexp is None or anchor is None or no_match is None or not hasattr(regexp, "Match"):
        search = pattern.search
        return lambda text: search(text) is not None
    match = regexp.Match

    def found(text: str) -> bool:
        data = text.encode("utf-8")
        return match(anchor, data, 0, len(data))[0] != no_match

    found.direct = True  # type: ignore[attr-defined]  # for the test that the fast path is used
    return found


def walk(node: Node) -> Iterator[Node]:
    yield node
    children: Sequence[Node] = ()
    if isinstance(node, (AllOf, AnyOf)):
        children = node.children
    elif isinstance(node, (Not, Quantifier)):
        children = (node.child,)
    for child in children:
        yield from walk(child)
