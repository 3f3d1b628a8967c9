"""List parameters shared by every dialect: filters (``filter[field]=v``,
``filter[field][op]=v``), the three sort styles, paging by offset or by page, status lists,
boolean flags, ``expand``/``fields`` lists, and the perspective.

Only syntax is checked here; whether a field exists, can be filtered or sorted on, and the
paging bounds, are the core's call (core/listing.py, core/paging.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query

from masthead.core.documents import Perspective
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.listing import FALSE_WORDS, TRUE_WORDS, Filter, FilterOp, Sort, parse_bool
from masthead.core.paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from masthead.core.workflow import Status

PerspectiveParam = Annotated[
    Perspective | None,
    Query(description="draft: working copies; published: what readers get. Default by role."),
]

_FILTER_KEY = re.compile(r"^filter\[([^\[\]]+)\](?:\[([a-z]+)\])?\Z")


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


# --- flags, statuses, sort styles, paging -----------------------------------------------------

TRUTHY = TRUE_WORDS
FALSY = FALSE_WORDS | {""}  # a flag sent empty (?force=) is off


def parse_flag(text: str | None, param: str) -> bool:
    """A boolean query flag: 1/true/yes/on, or 0/false/no/off (absent: False)."""
    if text is None or not text.strip():
        return False
    try:
        return parse_bool(text)
    except ValueError as exc:
        raise Invalid(
            f"Invalid {param}",
            details=[FieldError(param, "use true or false", ErrorKind.TYPE, {"value": text})],
        ) from exc


def parse_statuses(text: str | None, param: str = "status") -> tuple[Status, ...] | None:
    """A comma list of workflow statuses, or ``all``. Absent or empty: None (the core's
    default, every status but archived)."""
    if text is None or text == "":
        return None
    if text == "all":
        return tuple(Status)
    try:
        return tuple(Status(s) for s in parse_list(text))
    except ValueError as exc:
        allowed = [s.value for s in Status]
        raise Invalid(
            "Unknown status",
            details=[
                FieldError(
                    param,
                    f"use one of {', '.join(allowed)} or all",
                    ErrorKind.ENUM,
                    {"allowed": [*allowed, "all"], "value": text},
                )
            ],
        ) from exc


@dataclass(frozen=True)
class SortParams:
    """The three sort styles clients send: ``sort=-a,b``; ``orderBy=a&order=desc`` (Trokky);
    ``sortBy=a&sortDir=desc`` (the /v1 contract). The first one given wins; a direction
    without its field applies to ``default_field``."""

    sort: str | None = None
    order_by: str | None = None
    order: str | None = None
    sort_by: str | None = None
    sort_dir: str | None = None

    def resolve(self, default_field: str, default_descending: bool = True) -> tuple[Sort, ...]:
        if self.sort:
            return parse_sort(self.sort)
        if self.order_by or self.order:
            field = self.order_by or default_field
            return (Sort(field, parse_direction(self.order, default_descending, "order")),)
        descending = parse_direction(self.sort_dir, default_descending, "sortDir")
        return (Sort(self.sort_by or default_field, descending),)


def page_window(
    *,
    limit: int | None = None,
    offset: int | None = None,
    page: int | None = None,
    default_limit: int = DEFAULT_LIMIT,
) -> tuple[int, int]:
    """(limit, offset) from either paging style: ``limit``/``offset`` or ``page`` (from 1)
    with a page size. Bounds are the core's (core/paging.py) and are checked there."""
    size = default_limit if limit is None else limit
    if offset is not None:
        return size, offset
    return size, ((page or 1) - 1) * max(size, 1)


# --- declarations: what the OpenAPI document says of these parameters -------------------------
# FastAPI checks them before a handler runs, so the document and the server agree by
# construction; the parsers above and the core check the same rules again for callers that
# are not HTTP. The bounds are the core's (core/paging.py), never restated here.

MAX_PAGE = MAX_OFFSET // MAX_LIMIT + 1
"""The last page number: with any page size its offset stays within the core's MAX_OFFSET."""


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def any_case_pattern(words: Iterable[str]) -> str:
    """A JSON-Schema ``pattern`` matching exactly one of ``words`` in any letter case (and the
    empty string if one of them is empty), as the parsers above compare them."""
    spelled = sorted(w for w in words if w)
    optional = "?" if any(w == "" for w in words) else ""
    return f"^(?:{'|'.join(_any_case(w) for w in spelled)}){optional}$"


PageSizeParam = Annotated[
    int | None,
    Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT} (default {DEFAULT_LIMIT})"),
]
OffsetParam = Annotated[
    int | None, Query(ge=0, le=MAX_OFFSET, description="Items to skip (wins over page)")
]
PageParam = Annotated[
    int | None, Query(ge=1, le=MAX_PAGE, description="Page number, from 1, of the page size")
]
SortDirParam = Annotated[
    str | None,
    Query(pattern=any_case_pattern(("asc", "desc")), description="asc or desc, in any case"),
]
FLAG_PATTERN = any_case_pattern(TRUTHY | FALSY)


def flag_query(meaning: str) -> Any:
    """A ``parse_flag`` parameter: ``Query`` declaring the values it accepts."""
    return Query(
        None,
        pattern=FLAG_PATTERN,
        description=f"{meaning}: 1, true, yes or on (0, false, no, off or empty: no), any case",
    )


FILTER_PARAMETER: dict[str, Any] = {
    "name": "filter",
    "in": "query",
    "required": False,
    "style": "deepObject",
    "explode": True,
    "description": (
        "Filters, all of which must match: filter[field]=value (equal), or "
        "filter[field][op]=value with op one of "
        + ", ".join(op.value for op in FilterOp)
        + ". The fields are the system fields and the type's own; the value is read as the "
        "field's kind (in: a comma list; exists: true or false). Any other parameter whose "
        "name starts with 'filter' is refused."
    ),
    "schema": {
        "type": "object",
        "propertyNames": {"pattern": r"^[^\[\]\x00]+$"},
        "additionalProperties": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "propertyNames": {"enum": [op.value for op in FilterOp]},
                    "additionalProperties": {"type": "string"},
                },
            ]
        },
    },
}
"""The ``filter[...]`` parameters (``parse_filters``) as one OpenAPI deepObject parameter, for
the ``openapi_extra`` of the routes that take them: FastAPI cannot declare a family of names."""
