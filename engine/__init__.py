"""icp-rulepacks: evaluate China ICP filing applications against provincial rule packs.

    from engine import RuleBook
    book = RuleBook.load()
    result = book.evaluate("application.yaml")
    print(result.render(format="md", lang="zh"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .application import Application
    from .errors import ApplicationError, IcpRulesError, InputError, PackError, Problem, UnknownProvinceError
    from .result import Finding, RequiredDocument, Result
    from .rulebook import ApplicationSource, RuleBook

# Each public name and the module that defines it. They are imported on first use, not when the
# package is: `icp-rules` imports engine.cli, and every command should pay only for what it runs.
_EXPORTS = {
    "Application": "application",
    "ApplicationError": "errors",
    "ApplicationSource": "rulebook",
    "Finding": "result",
    "IcpRulesError": "errors",
    "InputError": "errors",
    "PackError": "errors",
    "Problem": "errors",
    "RequiredDocument": "result",
    "Result": "result",
    "RuleBook": "rulebook",
    "UnknownProvinceError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups find it directly
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
