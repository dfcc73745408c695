"""Step 4b: the rules in force for one period, generated as one Python function.

The closures of engine/conditions.py make every comparison a call and every rule over items a
loop over merged copies of the application's facts. For the rules of one period this module
writes the source of a single function that decides which rules fire, straight from the checked
condition trees:

- each application fact the period reads is looked up once, into a local variable;
- a rule over items tests the parts of its condition about the application once, before its
  loop, and reads each item's own facts from the item (no merged copy per item);
- three-valued logic is kept exactly, with no call per node: a rule fires when its condition is
  true, so each node is written as two expressions, "is true" and "is false", and Kleene's
  ``all``/``any``/``not`` map onto Python's ``and``/``or`` of those.

What goes into the source is built only from the checked tree and the fact catalogue: fact
names are looked up in the catalogue (and written with ``repr``), every constant is written with
``repr`` and must be a str, int, bool, date or a tuple of them, local names are made up here.
No pack text is pasted in as code. A node the generator does not know — a new node class, or a
known class with fields it does not know (a new unit on a comparison, say), an operator or a
value type it has no template for — makes its rule fall back to that rule's closure
(``Rule.predicate``) over the merged contexts, exactly as before this module existed; tests
compare every firing with the plain loop (tests/test_plan.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .conditions import AllOf, Always, AnyOf, Compare, Node, Not, Quantifier, contains_any, item_contexts, searcher
from .facts import BY_NAME, FACTS_KEY, REF_FACT

if TYPE_CHECKING:
    from .facts import Facts
    from .packs import Rule

# The node classes the generator writes, with the exact fields it reads: anything else is a node
# it does not know (see the module docstring).
KNOWN_FIELDS: dict[type, tuple[str, ...]] = {
    Always: ("path",),
    Compare: ("path", "fact", "op", "value", "pattern"),
    AllOf: ("path", "children"),
    AnyOf: ("path", "children"),
    Not: ("path", "child"),
    Quantifier: ("path", "mode", "scope", "child"),
}
# "is true" of a comparison with the value in x (never None there); "is false" is its negation
_TESTS = {"equals": "{x} == {c}", "not_equals": "{x} != {c}", "greater_than": "{x} > {c}",
          "at_least": "{x} >= {c}", "less_than": "{x} < {c}", "at_most": "{x} <= {c}",
          "in": "{x} in {c}", "not_in": "{x} not in {c}"}
_NEGATED = {"equals": "not_equals", "not_equals": "equals", "greater_than": "at_most", "at_most": "greater_than",
            "at_least": "less_than", "less_than": "at_least", "in": "not_in", "not_in": "in"}


class Unsupported(Exception):
    """A node the generator does not write: its rule uses its closure."""


def _literal(value: Any) -> str:
    """Python source for a checked constant: repr of a str, int, bool or date only."""
    kind = type(value)
    if kind in (str, int, bool):
        return repr(value)
    if kind is dt.date:  # written among the constants: made once, when the code is loaded
        return f"_date({value.year!r}, {value.month!r}, {value.day!r})"
    raise Unsupported(f"a constant of type {kind.__name__}")


def _known(node: Node) -> None:
    fields = KNOWN_FIELDS.get(type(node))
    if fields is None or tuple(f.name for f in dataclasses.fields(node)) != fields:
        raise Unsupported(type(node).__name__)


class _Writer:
    """Writes the function for one period; collects the constants and the names it needs."""

    def __init__(self) -> None:
        self.constants: list[str] = []  # "K3 = frozenset((...))" lines, run once when the code is loaded
        self.searchers: list[Any] = []  # compiled patterns, handed in at load (S0, S1, …)
        self.app_facts: dict[str, str] = {}  # application fact -> its local name
        self.scopes: dict[str, str] = {}  # item scope -> the local holding its items
        self.walrus = 0

    # -- reading facts --------------------------------------------------------------------------

    def app_fact(self, name: str) -> str:
        local = self.app_facts.get(name)
        if local is None:
            local = self.app_facts[name] = f"a{len(self.app_facts)}"
        return local

    def fact(self, name: str, item: "str | None", scope: "str | None") -> tuple[str, bool]:
        """An expression for the fact's value, and whether it is a local (application facts are
        read once into locals; item facts are read from the item)."""
        fact = BY_NAME.get(name)
        if fact is None:
            raise Unsupported(f"fact {name!r} is not in the catalogue")
        if fact.scope == "application":
            return self.app_fact(fact.name), True
        if item is None or fact.scope != scope:
            raise Unsupported(f"item fact {name!r} outside its scope")
        return f"{item}.get({fact.name!r})", False

    def items(self, scope: str) -> str:
        """The local holding the items of ``scope`` (one of the catalogue's item scopes)."""
        if scope not in REF_FACT:
            raise Unsupported(f"items of {scope!r}")
        local = self.scopes.get(scope)
        if local is None:
            local = self.scopes[scope] = f"i{len(self.scopes)}"
        return local

    def constant(self, source: str) -> str:
        self.constants.append(source)
        return f"K{len(self.constants) - 1}"

    # -- conditions -----------------------------------------------------------------------------

    def compare(self, node: Compare, item: "str | None", scope: "str | None", want: bool) -> str:
        """An expression that is True exactly when the comparison is ``want`` (True or False)."""
        value, local = self.fact(node.fact, item, scope)
        op = node.op
        if op == "exists":
            if type(node.value) is not bool:
                raise Unsupported("exists takes a boolean")
            return f"({value} is {'not ' if node.value is want else ''}None)"
        # the value is needed twice when it may be None: bind it once (items) or use the local
        if local:
            x, bound = value, value
        else:
            self.walrus += 1
            x, bound = f"w{self.walrus}", f"(w{self.walrus} := {value})"
        if op in _TESTS:
            test_op = op if want else _NEGATED[op]
            if op in ("in", "not_in"):
                if type(node.value) is not tuple or not node.value:
                    raise Unsupported("in takes a tuple")
                const = self.constant(f"frozenset(({', '.join(map(_literal, node.value))},))")
            elif type(node.value) is dt.date:
                const = self.constant(_literal(node.value))
            else:
                const = _literal(node.value)
            if test_op in ("equals", "in"):  # None equals no checked constant and is in no set of them
                return "(" + _TESTS[test_op].format(x=value, c=const) + ")"
            test = _TESTS[test_op].format(x=x, c=const)
            return f"({bound} is not None and {test})"
        if op == "contains_any":
            if type(node.value) is not tuple or not node.value:
                raise Unsupported("contains_any takes a tuple")
            words = f"({', '.join(map(_literal, node.value))},)"
            const = self.constant(f"({words}, frozenset({words}))")
            return f"({bound} is not None and {'' if want else 'not '}_contains({x}, *{const}))"
        if op == "matches":
            if node.pattern is None:
                raise Unsupported("matches without a compiled pattern")
            self.searchers.append(node.pattern)
            n = len(self.searchers) - 1
            # M{n}: the answers so far (suffixes and names repeat): a hit is two dict operations, no call
            found = f"(M{n}[{x}] if {x} in M{n} else S{n}({x}))"
            return f"({bound} is not None and {'' if want else 'not '}{found})"
        raise Unsupported(f"operator {op!r}")

    def test(self, node: Node, item: "str | None", scope: "str | None", want: bool) -> str:
        """An expression that is True exactly when ``node`` evaluates to ``want`` (Kleene logic)."""
        _known(node)
        if isinstance(node, Always):
            return "True" if want else "False"
        if isinstance(node, Compare):
            return self.compare(node, item, scope, want)
        if isinstance(node, Not):
            return self.test(node.child, item, scope, not want)
        if isinstance(node, (AllOf, AnyOf)):
            # all is true when every part is, false when one part is; any the other way round
            every = isinstance(node, AllOf) == want
            parts = [self.test(child, item, scope, want) for child in node.children]
            return "(" + (" and " if every else " or ").join(parts) + ")"
        if isinstance(node, Quantifier):
            if item is not None or node.scope not in REF_FACT:
                raise Unsupported("a quantifier inside an item rule")
            name = f"q{self.walrus + 1}"
            self.walrus += 1
            inner = self.test(node.child, name, node.scope, want)
            # any is true when some item is true, false when every item is false; every the other way round
            some = (node.mode == "any") == want
            return f"{'any' if some else 'all'}({inner} for {name} in {self.items(node.scope)})"
        raise Unsupported(type(node).__name__)  # pragma: no cover - _known admits only the classes above

    def hoisted(self, node: Node) -> tuple[list[Node], list[Node]]:
        """The parts of an item rule's top-level ``all`` about the application alone, and the rest."""
        _known(node)
        parts = list(node.children) if type(node) is AllOf else [node]
        app: list[Node] = []
        rest: list[Node] = []
        for part in parts:
            (rest if _reads_items(part) else app).append(part)
        return app, rest


def _reads_items(node: Node) -> bool:
    if isinstance(node, Compare):
        fact = BY_NAME.get(node.fact)
        return fact is None or fact.scope != "application"
    if isinstance(node, Quantifier):
        return True
    return any(_reads_items(child) for child in _children(node))


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (AllOf, AnyOf)):
        return node.children
    if isinstance(node, (Not, Quantifier)):
        return (node.child,)
    return ()


def source(rules: "list[Rule]") -> tuple[str, list[Any], list[int]]:
    """The source of ``match(ctx, facts, fired)`` for these rules (in order), the patterns it
    needs (S0, S1, …), and the positions of the rules that fall back to their closures."""
    writer = _Writer()
    body: list[str] = []
    fallbacks: list[int] = []
    for index, rule in enumerate(rules):
        try:
            if rule.for_each is None:
                test = writer.test(rule.when, None, None, True)
                lines = [f"if {test}:", f"    append((R{index}, ctx, 'subject', None))"]
            else:
                scope = rule.for_each
                if scope not in REF_FACT:
                    raise Unsupported(f"items of {scope!r}")
                app_parts, item_parts = writer.hoisted(rule.when)
                guard = " and ".join(writer.test(p, None, None, True) for p in app_parts) or "True"
                inner = " and ".join(writer.test(p, "it", scope, True) for p in item_parts) or "True"
                lines = [f"if {guard}:",
                         f"    for it in {writer.items(scope)}:",
                         f"        if {inner}:",
                         f"            append((R{index}, _Item(ctx, it), {scope!r}, str(it[{REF_FACT[scope]!r}])))"]
        except Unsupported:
            fallbacks.append(index)
            if rule.for_each is None:
                lines = [f"if R{index}.predicate(ctx) is True:", f"    append((R{index}, ctx, 'subject', None))"]
            else:
                scope = rule.for_each
                lines = [f"for it in _contexts(ctx, {scope!r}):",
                         f"    if R{index}.predicate(it) is True:",
                         f"        append((R{index}, it, {scope!r}, str(it[{REF_FACT[scope]!r}])))"]
        body.append(f"# {index}")
        body.extend(lines)
    head = [f"{name} = {value}" for name, value in
            ((f"K{i}", text) for i, text in enumerate(writer.constants))]
    loads = [f"    {local} = get({name!r})" for name, local in writer.app_facts.items()]
    text = "\n".join([
        *head,
        "def match(ctx, facts):",
        "    fired = []",
        "    append = fired.append",
        "    get = ctx.get",
        "    items = facts.items",
        *(f"    {local} = items.get({scope!r}, ())" for scope, local in writer.scopes.items()),
        *loads,
        *("    " + line for line in body),
        "    return fired",
        "",
    ])
    return text, writer.searchers, fallbacks


class ItemContext(Mapping[str, Any]):
    """The facts one item rule fired on: the item's own facts, then the application's (read
    through, not copied). Messages and reasons are filled from it."""

    __slots__ = ("app", "item")

    def __init__(self, app: Mapping[str, Any], item: Mapping[str, Any]):
        self.app, self.item = app, item

    def __getitem__(self, name: str) -> Any:
        item = self.item
        return item[name] if name in item else self.app[name]

    def get(self, name: str, default: Any = None) -> Any:
        item = self.item
        return item[name] if name in item else self.app.get(name, default)

    def __iter__(self) -> Iterator[str]:
        yield from self.app
        yield from (name for name in self.item if name not in self.app)

    def __len__(self) -> int:
        return len(self.app) + sum(name not in self.app for name in self.item)


MEMO_SIZE = 4096  # answers kept per pattern (a pure function of the text)


def _remembering(found: Callable[[str], bool]) -> tuple[Callable[[str], bool], dict[str, bool]]:
    """The search and the answers it gave: the generated code looks an answer up before searching."""
    memo: dict[str, bool] = {}

    def search(text: str) -> bool:
        answer = found(text)
        if len(memo) < MEMO_SIZE:
            memo[text] = answer
        return answer

    return search, memo


Match = Callable[[Mapping[str, Any], "Facts"], list[Any]]


def build(rules: "list[Rule]") -> tuple[Match, list[int]]:
    """The generated ``match`` for these rules, and which of them fall back to their closures.

    The code object is kept in the user cache (engine/cache.py) under a digest of its source, so
    a process that evaluates once (``icp-rules check``) does not compile it again."""
    from . import cache

    text, patterns, fallbacks = source(rules)
    key = [text.encode(), sys.version.encode()]
    stored = cache.lookup("plan-code", key)
    code = None
    if isinstance(stored, bytes):
        try:
            code = marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            code = None
    if code is None:
        code = compile(text, f"<plan {hashlib.sha256(text.encode()).hexdigest()[:12]}>", "exec")
        cache.store("plan-code", key, marshal.dumps(code), keep=64)
    namespace: dict[str, Any] = {"_date": dt.date, "_contains": contains_any, "_Item": ItemContext,
                                 "_contexts": item_contexts, "__builtins__": {"any": any, "all": all, "str": str,
                                                                               "frozenset": frozenset}}
    namespace.update({f"R{i}": rule for i, rule in enumerate(rules)})
    for i, pattern in enumerate(patterns):
        namespace[f"S{i}"], namespace[f"M{i}"] = _remembering(searcher(pattern))
    exec(code, namespace)  # noqa: S102 - source written above from the checked tree, constants by repr
    return namespace["match"], fallbacks
