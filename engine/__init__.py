"""icp-rulepacks: evaluate China ICP filing applications against provincial rule packs.

    from engine import RuleBook
    book = RuleBook.load()
    result = book.evaluate("application.yaml")
    print(result.render(format="md", lang="zh"))
"""

from .application import Application
from .errors import ApplicationError, IcpRulesError, InputError, PackError, Problem, UnknownProvinceError
from .result import Finding, RequiredDocument, Result
from .rulebook import ApplicationSource, RuleBook

__all__ = [
    "Application",
    "ApplicationError",
    "ApplicationSource",
    "Finding",
    "IcpRulesError",
    "InputError",
    "PackError",
    "Problem",
    "RequiredDocument",
    "Result",
    "RuleBook",
    "UnknownProvinceError",
]
