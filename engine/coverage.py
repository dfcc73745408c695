"""Condition coverage of pack test cases (``icp-rules test --coverage``): an authoring tool.

For every condition node of every rule (each comparison, ``all``, ``any``, ``not`` and
quantifier), which outcomes the test cases gave it: true, false and, where the node can be
undecided (a comparison with a fact the application may lack, ``facts.MAY_BE_ABSENT``), unknown. A rule whose
condition is only ever true has an untested side, as a branch no test takes.

Built on ``Node.trace``, the same walk ``explain`` shows, and checked against what the
evaluation fired for each case: a rule whose traced outcome disagrees with the matcher is an
internal error, never a coverage figure. The percentage counts true and false of every node
(only true for a rule without condition); unknown is reported beside it, not in it, because a
fact that is absent in principle may be present in every real application.

Nothing in the pipeline imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from . import facts as facts_module
from .conditions import AllOf, Always, AnyOf, Compare, Node, Not, Quantifier, Trace, item_contexts, walk
from .packs import Rule
from .result import Result
from .rulebook import RuleBook
from .source import PathKey

OUTCOMES = (True, False, None)
_NAMES = {True: "true", False: "false", None: "unknown"}


def possible(node: Node) -> frozenset[bool | None]:
    """The outcomes ``node`` can have: a rule without condition is always true; a comparison is
    undecided when its fact is absent (except ``exists``); a combinator can be undecided when a
    part can."""
    if isinstance(node, Always):
        return frozenset({True})
    if isinstance(node, Compare):
        absent = node.op != "exists" and node.fact in facts_module.MAY_BE_ABSENT
        return frozenset(OUTCOMES if absent else (True, False))
    children: tuple[Node, ...] = ()
    if isinstance(node, (AllOf, AnyOf)):
        children = node.children
    elif isinstance(node, (Not, Quantifier)):
        children = (node.child,)
    undecided = any(None in possible(c) for c in children)
    return frozenset(OUTCOMES if undecided else (True, False))


def describe(node: Node) -> str:
    """A node as its author wrote it, in one line."""
    if isinstance(node, Always):
        return "(no condition)"
    if isinstance(node, Compare):
        value = node.value
        if isinstance(value, (tuple, list)):
            shown = "[" + ", ".join(map(_scalar, value)) + "]"
        else:
            shown = _scalar(value)
        return f"{node.fact} {node.op} {shown}"
    if isinstance(node, AllOf):
        return f"all ({len(node.children)})"
    if isinstance(node, AnyOf):
        return f"any ({len(node.children)})"
    if isinstance(node, Not):
        return "not"
    if isinstance(node, Quantifier):
        return f"{node.mode}_{node.scope}"
    return type(node).__name__  # pragma: no cover - every node kind is named above


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class NodeCoverage:
    pack: str
    rule: str
    path: PathKey
    condition: str
    possible: frozenset[bool | None]
    line: int | None = None
    column: int | None = None
    seen: set[bool | None] = field(default_factory=set)

    @property
    def goals(self) -> frozenset[bool | None]:
        """The outcomes the percentage counts: true and false (those the node can have)."""
        return self.possible - {None}

    @property
    def missing(self) -> list[bool | None]:
        """Outcomes the node can have that no case gave it (unknown included)."""
        return [o for o in OUTCOMES if o in self.possible and o not in self.seen]

    def to_dict(self) -> dict[str, Any]:
        def state(outcome: bool | None) -> bool | None:
            return (outcome in self.seen) if outcome in self.possible else None

        return {"rule": self.rule, "path": _path_text(self.path), "line": self.line, "column": self.column,
                "condition": self.condition, "true": state(True), "false": state(False), "unknown": state(None)}


def _path_text(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class PackCoverage:
    key: str
    file: str | None
    nodes: list[NodeCoverage]
    rules_never_fired: list[tuple[str, int | None]]  # (rule id, line of the rule)

    @property
    def covered(self) -> int:
        return sum(len(n.goals & n.seen) for n in self.nodes)

    @property
    def total(self) -> int:
        return sum(len(n.goals) for n in self.nodes)

    @property
    def unknown_reached(self) -> int:
        return sum(1 for n in self.nodes if None in n.possible and None in n.seen)

    @property
    def unknown_possible(self) -> int:
        return sum(1 for n in self.nodes if None in n.possible)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def to_dict(self) -> dict[str, Any]:
        return {"pack": self.key, "file": self.file, "covered": self.covered, "total": self.total,
                "percent": round(self.percent, 1),
                "unknown": {"reached": self.unknown_reached, "possible": self.unknown_possible},
                "rules_never_fired": [r for r, _ in self.rules_never_fired], "conditions": [n.to_dict() for n in self.nodes]}


class CoverageDisagreement(AssertionError):
    """The traced outcome of a rule differs from what the evaluation fired: a bug, never a figure."""


class Recorder:
    """Collects the outcomes of every condition node over the results of many test cases."""

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self.nodes: dict[tuple[str, PathKey], NodeCoverage] = {}
        self.fired: dict[str, set[str]] = {}  # pack -> rules that fired in some case
        self.rule_lines: dict[tuple[str, str], int | None] = {}
        for key, pack in book.packs.items():
            for rule in book.rulesets[key].rules:
                if rule.pack != key:
                    continue
                self.rule_lines[(key, rule.id)] = rule.line
                for node in walk(rule.when):
                    line, column = pack.source.locate(node.path)
                    self.nodes[(key, node.path)] = NodeCoverage(key, rule.id, node.path, describe(node),
                                                                possible(node), line, column)

    def observe(self, result: Result) -> None:
        """Record every rule of ``result``'s rule set on the application it evaluated."""
        ctx = facts_module.derive(result.application, result.evaluated_on).context()
        fired = {rule.id for rule, *_ in result.matched}
        for rule in result.ruleset.rules:
            if not rule.in_force(result.evaluated_on):
                continue
            traces = list(self._traces(rule, ctx))
            if any(t.value is True for t in traces) != (rule.id in fired):
                raise CoverageDisagreement(f"rule {rule.id}: traced {[t.value for t in traces]}, "
                                           f"{'fired' if rule.id in fired else 'not fired'} in the evaluation")
            if rule.id in fired:
                self.fired.setdefault(rule.pack, set()).add(rule.id)
            for trace in traces:
                self._record(rule, trace)

    @staticmethod
    def _traces(rule: Rule, ctx: Mapping[str, Any]) -> Iterator[Trace]:
        if rule.for_each is None:
            yield rule.when.trace(ctx)
            return
        for item in item_contexts(ctx, rule.for_each):
            yield rule.when.trace(item)

    def _record(self, rule: Rule, trace: Trace) -> None:
        entry = self.nodes.get((rule.pack, trace.node.path))
        if entry is not None:
            entry.seen.add(trace.value)
        for child in trace.children:
            self._record(rule, child)

    def report(self, packs: Iterable[str] | None = None) -> "Report":
        wanted = set(packs) if packs else None
        out = []
        for key in sorted(self.book.packs, key=lambda k: (k != "national", k)):
            if wanted is not None and key not in wanted:
                continue
            nodes = [n for (pack, _), n in self.nodes.items() if pack == key]
            rules = list(dict.fromkeys(n.rule for n in nodes))
            # A national rule counts as fired when any pack's case fires it (as the rule listing did).
            fired = set().union(*self.fired.values()) if key == "national" and self.fired else self.fired.get(key, set())
            never = [(r, self.rule_lines[(key, r)]) for r in rules if r not in fired]
            out.append(PackCoverage(key, self.book.packs[key].file, nodes, never))
        return Report(out)


@dataclass
class Report:
    packs: list[PackCoverage]

    @property
    def covered(self) -> int:
        return sum(p.covered for p in self.packs)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.packs)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def to_dict(self) -> dict[str, Any]:
        return {"covered": self.covered, "total": self.total, "percent": round(self.percent, 1),
                "packs": [p.to_dict() for p in self.packs]}

    def text(self, lang: str = "en") -> str:
        """The report a person reads, in ``lang`` (the UNCOVERED and PARTIAL tags stay, for grep)."""
        from .messages import counted, text as message_text

        lines = []
        for pack in self.packs:
            for rule, line in pack.rules_never_fired:
                lines.append(message_text("coverage_uncovered", lang, {"file": pack.file, "line": line, "pack": pack.key,
                                                                       "rule": rule}))
            for node in pack.nodes:
                if node.missing:
                    lines.append(message_text("coverage_partial", lang, {
                        "file": pack.file, "line": node.line, "column": node.column, "pack": pack.key,
                        "rule": node.rule, "path": _path_text(node.path[2:]), "condition": node.condition,
                        "never": [_NAMES[o] for o in node.missing]}))
            lines.append(message_text("coverage_pack", lang, {
                "pack": pack.key, "covered": pack.covered, "total": pack.total, "percent": f"{pack.percent:.1f}",
                "reached": pack.unknown_reached, "possible": pack.unknown_possible,
                "never": counted("n_rule", len(pack.rules_never_fired))}))
        lines.append(message_text("coverage_total", lang, {"covered": self.covered, "total": self.total,
                                                           "percent": f"{self.percent:.1f}",
                                                           "packs": counted("n_pack", len(self.packs))}))
        return "\n".join(lines) + "\n"

    def junit(self) -> str:
        """JUnit XML: a test suite per pack, a test case per condition node, failing when an outcome
        it can have was never reached (CI servers show these like any other test)."""
        suites = ElementTree.Element("testsuites", name="icp-rules condition coverage",
                                     tests=str(sum(len(p.nodes) for p in self.packs)))
        for pack in self.packs:
            failing = [n for n in pack.nodes if n.missing]
            suite = ElementTree.SubElement(suites, "testsuite", name=pack.key, tests=str(len(pack.nodes)),
                                           failures=str(len(failing)), errors="0", skipped="0")
            ElementTree.SubElement(ElementTree.SubElement(suite, "properties"), "property",
                                   name="percent", value=f"{pack.percent:.1f}")
            for node in pack.nodes:
                case = ElementTree.SubElement(suite, "testcase", classname=f"{pack.key}.{node.rule}",
                                              name=f"{_path_text(node.path)}: {node.condition}",
                                              file=str(pack.file), line=str(node.line or 0))
                if node.missing:
                    never = ", ".join(_NAMES[o] for o in node.missing)
                    failure = ElementTree.SubElement(case, "failure", message=f"never {never}", type="coverage")
                    failure.text = f"{pack.file}:{node.line}:{node.column}  {node.condition}: no test case makes it {never}"
        ElementTree.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
