"""Listing documents: checking a DocumentQuery against the content type (unknown or
non-filterable fields are refused, naming the field), coercing filter values to the field's
type, running it, and resolving ``expand`` paths one query per level (never per document)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from uuid import UUID

from masthead.core.content import utc_datetime, utc_text
from masthead.core.content_types import ContentType, FieldDef, FieldType
from masthead.core.documents import Document, Expanded, Perspective
from masthead.core.errors import ContentTypeNotFound, ErrorKind, FieldError, Invalid
from masthead.core.limits import MAX_SEARCH
from masthead.core.listing import (
    DocumentQuery,
    Filter,
    FilterOp,
    Page,
    default_perspective,
    parse_bool,
)
from masthead.core.models import Actor
from masthead.core.paging import paging_errors
from masthead.core.ports import UnitOfWork
from masthead.core.services.content_types import load_type
from masthead.core.services.documents import load_document, require_read
from masthead.core.storable import MAX_INTEGER, MIN_INTEGER
from masthead.core.system_fields import SYSTEM_FIELDS, ValueKind

MAX_EXPAND_DEPTH = 3
_SCALAR_OPS = frozenset(
    {
        FilterOp.EQ,
        FilterOp.NE,
        FilterOp.LT,
        FilterOp.LTE,
        FilterOp.GT,
        FilterOp.GTE,
        FilterOp.IN,
        FilterOp.EXISTS,
    }
)
_TEXT_OPS = _SCALAR_OPS | {FilterOp.CONTAINS}
_LIST_OPS = frozenset({FilterOp.CONTAINS, FilterOp.EQ, FilterOp.EXISTS})


def _coerce(kind: str, raw: Any) -> Any:
    if kind in {"string", "text", "slug", "enum", "media", "reference"}:
        return str(raw)
    if kind == "integer":
        integer = int(str(raw))
        if not MIN_INTEGER <= integer <= MAX_INTEGER:
            raise ValueError("expected an integer between -2^63 and 2^63-1")
        return integer
    if kind == "number":
        number = float(str(raw))
        if not math.isfinite(number):
            raise ValueError("expected a finite number")
        # Whole numbers compare as integers (jsonb equality); beyond 64 bits they stay
        # floats, which both databases compare with stored numbers of either kind.
        is_integer = number.is_integer() and MIN_INTEGER <= number <= MAX_INTEGER
        return int(number) if is_integer else number
    if kind == "boolean":
        return parse_bool(raw)
    if kind == "uuid":
        return UUID(str(raw))
    if kind == "datetime":
        return utc_datetime(str(raw))
    if kind == "datetime_text":
        return utc_text(str(raw))  # as datetime fields are stored (normalize_datetimes)
    raise ValueError(f"cannot filter on {kind}")


def _field_kind(field: FieldDef) -> str:
    if field.type is FieldType.DATETIME:
        return "datetime_text"  # stored as normalised UTC text; compared as such
    if field.type is FieldType.LIST:
        return (field.of or FieldType.STRING).value
    return field.type.value


def _ops_for(field: FieldDef) -> frozenset[FilterOp]:
    if field.type is FieldType.LIST or (field.type is FieldType.REFERENCE and field.many):
        return _LIST_OPS
    if field.type in {FieldType.STRING, FieldType.SLUG, FieldType.ENUM, FieldType.TEXT}:
        return _TEXT_OPS
    return _SCALAR_OPS


def _filterable(field: FieldDef) -> bool:
    return (
        field.is_indexable
        or field.type is FieldType.LIST
        or (field.type is FieldType.REFERENCE and field.many)
    )


def _check_filter(flt: Filter, content_type: ContentType | None) -> Filter:
    system = SYSTEM_FIELDS.get(flt.field)
    is_nfc = False  # the field's strings are stored in NFC (core.content.normalize_unique_text)
    if system is not None:
        kind: str = system.kind.value
        allowed = _TEXT_OPS if system.kind is ValueKind.STRING else _SCALAR_OPS
    else:
        field = content_type.field(flt.field) if content_type else None
        if field is None:
            hint = "" if content_type else " (filter by type to use its fields)"
            raise Invalid(
                f"Unknown field '{flt.field}'{hint}",
                details=[FieldError(flt.field, "unknown field" + hint, ErrorKind.UNKNOWN_FIELD)],
            )
        if not _filterable(field):
            raise Invalid(
                f"Field '{flt.field}' cannot be filtered",
                details=[
                    FieldError(
                        flt.field,
                        f"{field.type.value} fields are not filterable",
                        ErrorKind.NOT_ALLOWED,
                    )
                ],
            )
        kind, allowed = _field_kind(field), _ops_for(field)
        is_nfc = field.unique and field.type is not FieldType.ENUM
    if flt.op not in allowed:
        raise Invalid(
            f"Operator '{flt.op.value}' does not apply to '{flt.field}'",
            details=[
                FieldError(
                    flt.field, f"operator {flt.op.value} not allowed here", ErrorKind.NOT_ALLOWED
                )
            ],
        )
    try:
        if flt.op is FilterOp.EXISTS:
            value: Any = parse_bool(flt.value)
        elif flt.op is FilterOp.IN:
            raw = flt.value if isinstance(flt.value, list) else str(flt.value).split(",")
            value = [_coerce(kind, v) for v in raw if str(v) != ""]
            if not value:
                raise ValueError("give at least one value")
        elif flt.op is FilterOp.CONTAINS:
            value = (
                str(flt.value)
                if kind in {"uuid", "datetime", "datetime_text"}
                else _coerce(kind, flt.value)
            )
        else:
            value = _coerce(kind, flt.value)
    except ValueError as exc:
        raise Invalid(
            f"Invalid value for '{flt.field}'",
            details=[FieldError(flt.field, str(exc), ErrorKind.TYPE, {"value": flt.value})],
        ) from exc
    if is_nfc and flt.op is not FilterOp.EXISTS:
        value = [_nfc(v) for v in value] if isinstance(value, list) else _nfc(value)
    return Filter(flt.field, flt.op, value)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _check_sort(name: str, content_type: ContentType | None) -> None:
    system = SYSTEM_FIELDS.get(name)
    if system is not None:
        if not system.sortable:
            raise Invalid(
                f"Cannot sort by '{name}'", details=[FieldError(name, "not a sortable field")]
            )
        return
    field = content_type.field(name) if content_type else None
    if field is None or not field.is_indexable:
        reason = "unknown field" if field is None else f"{field.type.value} fields are not sortable"
        raise Invalid(f"Cannot sort by '{name}'", details=[FieldError(name, reason)])


def _varies_in(name: str, perspective: Perspective) -> bool:
    """False for a system field that holds one value for every document of ``perspective``
    (status, when reading what is published): sorting by it orders nothing."""
    system = SYSTEM_FIELDS.get(name)
    return not (
        system is not None
        and system.published_value is not None
        and perspective is Perspective.PUBLISHED
    )


def prepare_query(
    query: DocumentQuery, content_type: ContentType | None, perspective: Perspective
) -> DocumentQuery:
    """Check every part of ``query`` and coerce filter values, for reading ``perspective``.
    Raises Invalid naming the fields at fault."""
    details = paging_errors(query.limit, query.offset)
    if query.search is not None and len(query.search) > MAX_SEARCH:
        details.append(FieldError("q", f"at most {MAX_SEARCH} characters"))
    if details:
        raise Invalid("Invalid query", details=details)
    filters = tuple(_check_filter(f, content_type) for f in query.filters)
    for sort in query.sort:
        _check_sort(sort.field, content_type)
    search = query.search.strip() if query.search else None
    return replace(
        query,
        perspective=perspective,
        filters=filters,
        sort=tuple(s for s in query.sort if _varies_in(s.field, perspective)),
        search=search or None,
    )


def list_documents(uow: UnitOfWork, actor: Actor, query: DocumentQuery) -> Page:
    """Run a query (in the caller's default perspective unless it names one). Raises
    Forbidden, Invalid (unknown type, field, operator or value)."""
    perspective = query.perspective or default_perspective(actor)
    require_read(actor, perspective)
    with uow:
        content_type = None
        if query.type is not None:
            try:
                content_type = load_type(uow, actor.space_id, query.type)
            except ContentTypeNotFound as exc:
                raise Invalid(
                    f"Unknown content type '{query.type}'",
                    details=[FieldError("type", "unknown content type")],
                ) from exc
        prepared = prepare_query(query, content_type, perspective)
        check_expand(prepared.expand, content_type)
        items, total = uow.documents.query(actor.space_id, prepared, content_type)
        expanded = expand(uow, actor, items, prepared.expand, perspective)
    return Page(items, total, prepared.limit, prepared.offset, expanded)


def get_expanded(
    uow: UnitOfWork,
    actor: Actor,
    document_id: UUID,
    perspective: Perspective | None,
    paths: tuple[str, ...],
) -> tuple[Document, dict[UUID, Expanded]]:
    """One document and the references ``paths`` name. Raises Forbidden, DocumentNotFound,
    Invalid (a path that is not a reference field)."""
    perspective = perspective or default_perspective(actor)
    require_read(actor, perspective)
    with uow:
        document = load_document(uow, actor.space_id, document_id, perspective)
        if not paths:
            return document, {}
        check_expand(paths, uow.content_types.find(actor.space_id, document.type))
        return document, expand(uow, actor, [document], paths, perspective)


def expand(
    uow: UnitOfWork,
    actor: Actor,
    documents: list[Document],
    paths: Iterable[str],
    perspective: Perspective,
) -> dict[UUID, Expanded]:
    """Resolve reference paths ("author", "author.company") and media fields ("featureImage")
    for ``documents``: one query per level of the paths plus one for all media, whatever the
    number of documents. Returns id → referenced document or media asset; references the
    reader may not see (other spaces, unpublished) are simply absent."""
    tree = _path_tree(paths)
    if not tree or not documents:
        return {}
    types = {t.name: t for t in uow.content_types.list(actor.space_id)}
    resolved: dict[UUID, Expanded] = {}
    media_ids: set[UUID] = set()
    level: list[tuple[Document, dict[str, Any]]] = [(d, tree) for d in documents]
    while level:
        wanted: dict[UUID, dict[str, Any]] = {}
        for document, subtree in level:
            content_type = types.get(document.type)
            for name, children in subtree.items():
                field = content_type.field(name) if content_type else None
                if field is not None and field.type is FieldType.MEDIA:
                    media_ids.update(_ids(document.data.get(name)))
                if field is None or field.type is not FieldType.REFERENCE:
                    continue
                for raw in _ids(document.data.get(name)):
                    wanted.setdefault(raw, {}).update(children)
        fetch = [i for i in wanted if i not in resolved]
        found = uow.documents.get_many(actor.space_id, fetch, perspective) if fetch else []
        resolved.update({d.id: d for d in found})
        level = [(d, wanted[d.id]) for d in found if wanted.get(d.id)]
    if media_ids:
        resolved.update({a.id: a for a in uow.media.get_many(actor.space_id, media_ids)})
    return resolved


def _ids(value: Any) -> list[UUID]:
    values = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for raw in values:
        try:
            out.append(UUID(str(raw)))
        except ValueError:
            continue
    return out


def _path_tree(paths: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        parts = [p for p in path.strip().split(".") if p]
        if len(parts) > MAX_EXPAND_DEPTH:
            raise Invalid(
                f"Expand path '{path}' is too deep",
                details=[FieldError("expand", f"at most {MAX_EXPAND_DEPTH} levels")],
            )
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    return tree


def check_expand(paths: Iterable[str], content_type: ContentType | None) -> None:
    """The first segment of every path must be a reference field of ``content_type``, or a
    media field with nothing after it."""
    if content_type is None:
        return
    for path in paths:
        head, _, rest = path.partition(".")
        field = content_type.field(head)
        if field is not None and field.type is FieldType.MEDIA and not rest:
            continue
        if field is None or field.type is not FieldType.REFERENCE:
            raise Invalid(
                f"Cannot expand '{path}'",
                details=[FieldError("expand", f"'{head}' is not a reference or media field")],
            )
