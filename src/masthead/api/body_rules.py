"""What a route declares about its request body, for the body middleware to read once the
request is routed: whether it carries a file (its size limit is then the media limit, not
the JSON one), and whether its service checks the body's text itself (so the NUL guard lets
its JSON through). Routes declare it where they are defined, with ``@body_rules(...)`` under
the router decorator, instead of the app keeping lists of path patterns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.types import Scope

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__masthead_body_rules__"


@dataclass(frozen=True)
class BodyRules:
    carries_file: bool = False
    checks_own_text: bool = False


DEFAULT_RULES = BodyRules()


def body_rules(*, carries_file: bool = False, checks_own_text: bool = False) -> Callable[[F], F]:
    """Declare a route's body rules (put it under ``@router.post(...)``)."""

    def declare(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, BodyRules(carries_file, checks_own_text))
        return endpoint

    return declare


def rules_for(scope: Scope) -> BodyRules:
    """The rules of the route serving ``scope`` (known once the router has matched it; the
    body is only read after that)."""
    return getattr(scope.get("endpoint"), _ATTRIBUTE, DEFAULT_RULES)
