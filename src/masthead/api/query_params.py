"""Parsing list query strings into the core's DocumentQuery. Shared by dialects that use the
same syntax (``filter[field]=v``, ``filter[field][op]=v``, ``sort=-a,b``, ``expand=a,b.c``).

Only syntax is checked here; whether a field exists or can be filtered is the core's call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from masthead.core.documents import Filter, FilterOp, Sort
from masthead.core.errors import FieldError, Invalid

_FILTER_KEY = re.compile(r"^filter\[([^\[\]]+)\](?:\[([a-z]+)\])?$")


def parse_filters(params: Iterable[tuple[str, str]]) -> tuple[Filter, ...]:
    filters: list[Filter] = []
    for key, value in params:
        if not key.startswith("filter"):
            continue
        match = _FILTER_KEY.match(key)
        if match is None:
            raise Invalid(
                f"Malformed filter parameter '{key}'",
                details=[FieldError(key, "use filter[field]=value or filter[field][op]=value")],
            )
        field, op_name = match.group(1), match.group(2) or "eq"
        try:
            op = FilterOp(op_name)
        except ValueError as exc:
            ops = ", ".join(o.value for o in FilterOp)
            raise Invalid(
                f"Unknown filter operator '{op_name}'",
                details=[FieldError(field, f"operator must be one of {ops}")],
            ) from exc
        filters.append(Filter(field, op, value))
    return tuple(filters)


def parse_sort(text: str) -> tuple[Sort, ...]:
    """'-publishedAt,title' → publishedAt descending, then title ascending."""
    sorts = []
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        descending = name.startswith("-")
        sorts.append(Sort(name.lstrip("-+"), descending))
    return tuple(sorts)


def parse_direction(text: str | None, default_descending: bool, param: str) -> bool:
    if text is None:
        return default_descending
    lowered = text.lower()
    if lowered not in {"asc", "desc"}:
        raise Invalid(f"Invalid {param}", details=[FieldError(param, "use asc or desc")])
    return lowered == "desc"


def parse_list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())
