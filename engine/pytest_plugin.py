"""pytest plugin: every test case in a rule pack or a case file becomes its own pytest item.

Registered through the ``pytest11`` entry point (pyproject.toml), so ``pytest rulepacks/`` or a
``testpaths`` that names the packs runs them without any conftest. A rule pack is collected from
its own directory's packs; a case file (``tests:`` without ``rules:``) runs against the packs
named by ``--icp-packs`` / the ``icp_rules_packs`` ini option, else the bundled packs.
Failures are shown as the case's file:line and the expected-versus-actual diff, not a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from . import packtests
from .errors import IcpRulesError
from .rulebook import RuleBook
from .source import YAML_SUFFIXES

_TESTS_KEY = re.compile(r"^tests:", re.MULTILINE)
_RULES_KEY = re.compile(r"^rules:", re.MULTILINE)
_BOOKS = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("icp-rules", "ICP rule pack test cases")
    group.addoption("--icp-packs", dest="icp_packs", default=None,
                    help="Directory of rule packs that case files run against (default: the bundled packs).")
    parser.addini("icp_rules_packs", "Directory of rule packs that case files run against.", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_BOOKS] = {}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in YAML_SUFFIXES:
        return None
    try:
        head = file_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not _TESTS_KEY.search(head):
        return None  # neither a pack with tests nor a case file: some other YAML
    kind = "pack" if _RULES_KEY.search(head) else "cases"
    return CaseFile.from_parent(parent, path=file_path, kind=kind)


def _book(config: pytest.Config, directory: Path | None) -> RuleBook:
    books: dict[Any, RuleBook] = config.stash[_BOOKS]
    key = directory.resolve() if directory is not None else None
    if key not in books:
        books[key] = RuleBook.load(directory)
    return books[key]


class CaseFile(pytest.File):
    """A rule pack with ``tests:``, or a file of cases."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def collect(self) -> Any:
        try:
            if self.kind == "pack":
                book = _book(self.config, self.path.parent)  # a pack's id is its file's stem
                cases = packtests.pack_cases(book, [self.path.stem])
            else:
                option = self.config.getoption("icp_packs") or self.config.getini("icp_rules_packs") or None
                directory = Path(option) if option else None
                if directory is not None and not directory.is_absolute():
                    directory = Path(self.config.rootpath) / directory
                book = _book(self.config, directory)
                cases = packtests.load_case_file(self.path)
        except IcpRulesError as exc:
            raise self.CollectError(exc.format_message()) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=f"{case.index}: {case.name}", book=book, case=case)


class CaseFailed(Exception):
    def __init__(self, outcome: packtests.CaseOutcome):
        super().__init__(outcome.describe())
        self.outcome = outcome


class CaseItem(pytest.Item):
    def __init__(self, *, book: RuleBook, case: packtests.Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.book, self.case = book, case

    def runtest(self) -> None:
        outcome = packtests.run(self.book, self.case)
        if not outcome.passed:
            raise CaseFailed(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.outcome.describe()
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.line - 1 if self.case.line else None
        return self.path, line, f"{self.case.pack or 'case'}: {self.case.name}"
