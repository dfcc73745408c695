"""The package is typed (py.typed, SPEC §8) and mypy finds nothing in engine/ (settings in pyproject.toml)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean_on_the_engine_package(monkeypatch):
    api = pytest.importorskip("mypy.api")
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "engine"])
    assert status == 0, stdout + stderr
    assert (ROOT / "engine" / "py.typed").exists()
    assert os.path.getsize(ROOT / "engine" / "py.typed") == 0
