"""Shared fixtures. Pack test cases are collected as pytest items in test_pack_cases.py."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from engine import RuleBook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_configure(config):
    # The suite never reads or writes the user's own cache (engine/cache.py): it gets a cache of its
    # own for the session, which the CLI run in subprocesses inherits through the environment.
    config.icp_rules_cache_dir = tempfile.mkdtemp(prefix="icp-rules-test-cache-")
    os.environ["ICP_RULES_CACHE_DIR"] = config.icp_rules_cache_dir
    # Nor the installation secret (engine/secret.py): one made for the session.
    config.icp_rules_secret_dir = tempfile.mkdtemp(prefix="icp-rules-test-secret-")
    os.environ["ICP_RULES_SECRET_FILE"] = os.path.join(config.icp_rules_secret_dir, "secret")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # A browser test skips on a machine without Chromium, its driver, poppler or a Chinese font, and
    # its reason names .ci/run, which installs them. In CI (.ci/run sets ICP_REQUIRE_BROWSER=1) such
    # a skip is a failure: the browser tests must run there, not pass by being left out.
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("ICP_REQUIRE_BROWSER") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if ".ci/run" in reason:
            report.outcome = "failed"
            report.longrepr = f"required by ICP_REQUIRE_BROWSER=1 but skipped: {reason}"


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "icp_rules_cache_dir", ""), ignore_errors=True)
    shutil.rmtree(getattr(config, "icp_rules_secret_dir", ""), ignore_errors=True)


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
