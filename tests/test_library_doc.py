"""docs/library.md: every Python block runs, in order, as a reader would run them (docs/scale.md needs a
cluster: tests/test_cluster.py runs it on a real one)."""

from __future__ import annotations

import re
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


def python_blocks(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def run_blocks(name: str) -> dict:
    namespace: dict = {"__name__": f"docs_{name.replace('.', '_')}"}
    blocks = python_blocks(name)
    assert blocks, f"no python blocks in docs/{name}"
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"docs/{name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples
    return namespace


def test_library_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace = run_blocks("library.md")
    assert namespace["result"].application_id == "WEB-2024-118"

