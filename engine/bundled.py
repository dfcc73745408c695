"""Where the bundled rule packs, schemas and templates live, installed or in a checkout."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def _dir(folder: str) -> Path:
    # Installed from a wheel, the folders sit inside the package (engine/rulepacks); in a
    # checkout or an editable install they are the folders beside engine/ (SPEC §2 layout).
    inside = _HERE / folder
    return inside if inside.is_dir() else _HERE.parent / folder


def packs_dir() -> Path:
    return _dir("rulepacks")


def schemas_dir() -> Path:
    return _dir("schemas")


SCHEMA_NAMES = ("application", "rulepack", "result")


@lru_cache(maxsize=None)  # schema files never change while the process runs
def schema(name: str) -> dict[str, Any]:
    path = schemas_dir() / f"{name}.schema.json"
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def schema_text(name: str) -> str:
    """A schema as ``icp-rules schema`` prints and writes it (the rule pack schema is built from the
    fact catalogue, as the file in schemas/ is; a test keeps the two equal)."""
    if name == "rulepack":
        from .pack_schema import build

        data: Any = build()
    else:
        data = schema(name)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
