"""Shared fixtures. Pack test cases are collected as pytest items in test_pack_cases.py."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import RuleBook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return RuleBook.load()


@pytest.fixture(scope="session")
def _fixtures(book):
    return book.rulesets["national"].fixtures


@pytest.fixture
def enterprise(_fixtures):
    return copy.deepcopy(_fixtures["enterprise"])


@pytest.fixture
def individual(_fixtures):
    return copy.deepcopy(_fixtures["individual"])
