"""``icp-rules fmt``: one canonical layout for rule packs and case files (an authoring tool).

The layout: two spaces per mapping level, list dashes indented two spaces under their key, one
space after each colon and comma, no trailing spaces, one newline at the end. A flow collection
(``{…}`` or ``[…]``) written on one line stays on one line, however long (a rule's bilingual
title reads best that way); one written over several lines is written in block style, each key
or item on its own line (a hand-wrapped line is a sign it did not fit, and block style is the
one layout of a long collection that needs no wrapping rules). Everything else is kept as
written: comments, blank lines, key order, quoting, folded text (``>``) and anchors. The formatter is ruamel.yaml's round trip, so it never re-orders or
drops anything; it is idempotent (formatting formatted text changes nothing), which
tests/test_fmt.py checks on every bundled pack.

Nothing a user wrote is lost: a file is rewritten only when the new text reads back (with the
engine's own YAML reader) as exactly the same data, and through ``output.atomic_writer``, which
replaces it only once the new text is complete and keeps the file's permissions. Nothing in the
pipeline imports this module.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Problem, problem
from .source import YAML_SUFFIXES, decode_text, parse_text, read_bytes, yaml_syntax_problem



def _yaml(width: int = 1 << 16) -> Any:
    from ruamel.yaml import YAML  # imported here: only fmt needs it

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = width  # never fold a line: long titles and sources stay as written
    yaml.allow_unicode = True
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{document: x}], as packs write it
    return yaml


def _lines(node: Any) -> set[int]:
    """The lines a collection's keys and items start on, its nested collections' included
    (ruamel keeps each one's position)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        found = {node.lc.line}
        for key, value in node.items():
            found |= {node.lc.key(key)[0], node.lc.value(key)[0]} | _lines(value)
        return found
    if isinstance(node, CommentedSeq):
        found = {node.lc.line}
        for index, value in enumerate(node):
            found |= {node.lc.item(index)[0]} | _lines(value)
        return found
    return set()


def _canonical_styles(node: Any) -> None:
    """Block style for every flow collection written over several lines (see the module docstring).

    A collection's style depends only on how it was written, never on its parents, so one pass
    gives the final layout: formatting again changes nothing."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, (CommentedMap, CommentedSeq)):
        if node.fa.flow_style() and len(_lines(node)) > 1:
            node.fa.set_block_style()
        for value in (node.values() if isinstance(node, CommentedMap) else node):
            _canonical_styles(value)


def format_text(text: str, file: str | None = None) -> str:
    """``text`` in the canonical layout. InputError (located) if it is not valid YAML."""
    from ruamel.yaml.error import MarkedYAMLError

    yaml = _yaml()
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError([yaml_syntax_problem(text, file, mark.line if mark else None, mark.column if mark else None,
                                              exc.problem or exc.context or "")]) from None
    if data is None:
        return text
    _canonical_styles(data)
    out = io.StringIO()
    yaml.dump(data, out)
    formatted = "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
    return formatted


def _same_data(before: str, after: str, file: str) -> bool:
    """Whether both texts read as the same data with the engine's reader (which packs go through)."""
    return parse_text(before, file).data == parse_text(after, file).data


@dataclass(frozen=True)
class Outcome:
    file: Path
    changed: bool


def yaml_files(targets: Iterable[str | Path]) -> list[Path]:
    """Each file named, and every YAML file under each directory named (sorted)."""
    files: list[Path] = []
    problems = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append(problem("no_such_path_file", file=str(path)))
    if problems:
        raise InputError(problems)
    return list(dict.fromkeys(files))


def format_file(path: Path, *, write: bool) -> Outcome:
    """Format one file; with ``write``, replace it (atomically) when its layout changes.

    InputError if the file cannot be read or parsed, or if formatting would change its data
    (then the file is left alone: a formatter bug must never cost a user their text)."""
    name = str(path)
    text = decode_text(read_bytes(path), name)
    parse_text(text, name)  # the engine's located error for anything it would refuse anyway
    formatted = format_text(text, name)
    if formatted == text:
        return Outcome(path, False)
    if not _same_data(text, formatted, name):
        raise InputError([problem("fmt_would_change_meaning", file=name)])
    if write:
        from .output import atomic_writer

        real = path.resolve()  # through a symbolic link to the file itself, keeping the link
        with atomic_writer(real) as handle:
            handle.write(formatted)
    return Outcome(path, True)


def format_paths(targets: Iterable[str | Path], *, write: bool) -> tuple[list[Outcome], list[Problem]]:
    """Format every YAML file of ``targets``: the outcome of each file that could be formatted,
    and the problems of those that could not (left untouched)."""
    outcomes: list[Outcome] = []
    problems: list[Problem] = []
    for file in yaml_files(targets):
        try:
            outcomes.append(format_file(file, write=write))
        except InputError as exc:
            problems.extend(exc.problems)
    return outcomes, problems
