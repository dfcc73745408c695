"""Which packs an authoring command names: pack files, directories of packs, or pack names.

``icp-rules validate``, ``lint`` and ``test`` take the same PACKS arguments, read the same way:

- a pack file (``rulepacks/guangdong.yaml``): that pack, over the national pack beside it (or the
  bundled one when its directory has none), with its directory's other packs at hand for the
  cases that need them;
- a directory: every pack in it;
- a name in any spelling (guangdong, 44, 粤, 广东, SPEC §2): that pack of ``--packs`` (default: the
  bundled packs).

A path that names no pack (a missing file, a Markdown file, an application, a file of test cases)
is bad input, said with the file and the pack probably meant; a pack that does not load is a
PackError with every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import bundled, provinces
from .errors import InputError, PackError, Problem, problem
from .packs import Pack, load_pack, merge
from .rulebook import RuleBook
from .source import YAML_SUFFIXES, load_file
from .suggest import closest



@dataclass(frozen=True)
class Target:
    """A book and the packs of it that were named (None: every pack of the book)."""

    book: RuleBook
    keys: list[str] | None


def looks_like_path(target: str) -> bool:
    """A path, not a pack name: pack names (keys, codes, 粤, 广东) hold no separator and no suffix."""
    return "/" in target or "\\" in target or Path(target).suffix != ""


def _pack_stems(directory: Path) -> list[str]:
    """The packs of a directory of packs (one with a national pack), by file name."""
    return sorted(p.stem for p in directory.glob("*.yaml")) if (directory / "national.yaml").is_file() else []


def _meant(path: Path, packs_dir: str | Path | None) -> str | None:
    """The pack a path that is no pack probably meant: the closest pack file of its directory (or of
    --packs), said as a path when the path was one; else a province its name starts with
    (guangdong-enterprise.yaml: guangdong)."""
    stems = _pack_stems(path.parent) or _pack_stems(Path(packs_dir) if packs_dir else bundled.packs_dir())
    found = closest(path.stem, stems)
    if found is None:
        words = [w for w in re.split(r"[-_. ]+", path.stem) if w]
        found = next((key for key in (provinces.pack_key(w) for w in words) if key in stems), None)
    if found is None:
        return None
    return str(path.with_name(found + ".yaml")) if (path.parent / f"{found}.yaml").is_file() else found


def _not_a_pack(path: Path, packs_dir: str | Path | None) -> Problem | None:
    """Why ``path`` is no pack file, or None when it is one (valid or not: ``validate`` says which)."""
    if path.is_dir():
        return None
    suggestion = _meant(path, packs_dir)
    if not path.exists():
        return problem("pack_target_missing", file=str(path), suggestion=suggestion)
    if path.suffix not in YAML_SUFFIXES:
        return problem("pack_target_not_yaml", file=str(path), suggestion=suggestion)
    return None


def _not_a_pack_document(path: Path, packs_dir: str | Path | None) -> Problem | None:
    """For a YAML file that did not load as a pack: whether it is no pack at all (an application,
    a file of test cases), which is bad input rather than a broken pack."""
    try:
        data = load_file(path).data
    except InputError:
        return None  # not even YAML: the pack's own problems say where
    if not isinstance(data, dict) or "rules" in data:
        return None
    if "tests" in data:  # a case file may name its pack too
        message_id = "pack_target_case_file"
    elif "pack" not in data:
        message_id = "pack_target_not_pack"
    else:
        return None
    return problem(message_id, file=str(path), suggestion=_meant(path, packs_dir))


def _files_book(directory: Path, packs: list[Pack], backend: str, whole_directory: bool) -> RuleBook:
    """The book pack files of one directory are read in: the directory's (only those packs and the
    national one, unless ``whole_directory``), or, where it holds no national pack, the packs over
    the bundled national pack."""
    if (directory / "national.yaml").is_file():
        only = None if whole_directory else [Path(p.file).stem for p in packs]
        return RuleBook.load(directory, only=only, backend=backend)
    base = load_pack(bundled.packs_dir() / "national.yaml")
    rulesets = {"national": merge(base, None)}
    rulesets.update((p.id, merge(base, p)) for p in packs if p.id != "national")
    return RuleBook.from_rulesets(directory, rulesets, backend=backend)


def resolve(targets: tuple[str, ...] | list[str], packs_dir: str | Path | None = None, *, backend: str = "python",
            whole_directory: bool = False, problems: list[Problem] | None = None) -> list[Target]:
    """The books and packs ``targets`` name, in the order named (none: every pack of ``packs_dir``).

    ``whole_directory``: load every pack of a named pack's directory, not only it and the national
    pack (test cases from files may use any of them). Raises InputError naming each target that is
    no pack (before any pack is loaded), else PackError with the problems of every pack that does
    not load; or, given a list as ``problems``, adds them to it and returns the books that load
    (``lint`` still lints those)."""
    collect = problems
    if not targets:
        return [Target(RuleBook.load(packs_dir, backend=backend), None)]
    refused = [p for p in (_not_a_pack(Path(t), packs_dir) for t in targets if looks_like_path(t) or Path(t).exists())
               if p is not None]
    if refused:
        raise InputError(refused)
    out: list[Target] = []
    problems = []
    names = [t for t in targets if not looks_like_path(t) and not Path(t).exists()]
    if names:
        try:
            book = RuleBook.load(packs_dir, only=None if whole_directory else [provinces.pack_key(n) or n for n in names],
                                 backend=backend)
            out.append(Target(book, book.pack_keys(names)))
        except PackError as exc:
            problems.extend(exc.problems)
    files: dict[Path, tuple[Path, list[Pack]]] = {}  # pack files by directory: one book each
    for target in (t for t in targets if t not in names):
        path = Path(target)
        if path.is_dir():
            try:
                out.append(Target(RuleBook.load(path, backend=backend), None))
            except PackError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
            continue
        try:
            pack = load_pack(path)  # alone first: a file that is no pack at all is bad input, not a broken pack
        except PackError as exc:
            refusal = _not_a_pack_document(path, packs_dir)
            if refusal is not None:
                raise InputError([refusal]) from None
            problems.extend(p for p in exc.problems if p not in problems)
            continue
        files.setdefault(path.parent.resolve(), (path.parent, []))[1].append(pack)
    for directory, packs in files.values():
        try:
            book = _files_book(directory, packs, backend, whole_directory)
        except PackError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
            continue
        out.append(Target(book, list(dict.fromkeys(p.id for p in packs))))
    if collect is not None:
        collect.extend(problems)
    elif problems:
        raise PackError(problems)
    return _once(out)


def _once(targets: list[Target]) -> list[Target]:
    """Each pack once, however often it was named (by its path and its name, or as a file and in its
    directory): a pack named twice is validated, linted and tested once, not twice."""
    seen: set[Path] = set()
    out = []
    for target in targets:
        keys = target.keys if target.keys is not None else sorted(target.book.packs)
        fresh = []
        for key in keys:
            file = Path(target.book.rulesets[key].pack.file).resolve()
            if file not in seen:
                seen.add(file)
                fresh.append(key)
        if fresh:
            out.append(Target(target.book, None if target.keys is None and fresh == keys else fresh))
    return out
