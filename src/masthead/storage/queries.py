"""DocumentQuery → SQL. The only place that turns field names into SQL expressions.

Field names reach here already checked against the content type by the core, and are
checked again against the identifier pattern before they appear in an expression: the JSON
path must be a literal (not a bound parameter) for SQLite and PostgreSQL to use the
expression indexes of ``field_indexes.py`` (fields without one are filtered and sorted by
scanning their type's documents). Values are always bound parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from masthead.core.content_types import FIELD_NAME, ContentType, FieldType
from masthead.core.documents import Perspective
from masthead.core.listing import DocumentQuery, Filter, FilterOp, Sort
from masthead.core.system_fields import SYSTEM_FIELDS
from masthead.storage import folding, list_values, search
from masthead.storage.tables import DocumentRow, DocumentValueRow, PublishedDocumentRow

DOCUMENTS: Table = DocumentRow.__table__  # type: ignore[assignment]
PUBLISHED: Table = PublishedDocumentRow.__table__  # type: ignore[assignment]


def table_for(perspective: Perspective | None) -> Table:
    return PUBLISHED if perspective is Perspective.PUBLISHED else DOCUMENTS


def _checked(name: str) -> str:
    if not FIELD_NAME.match(name):  # defence in depth: the core has already checked
        raise ValueError(f"not a field name: {name!r}")
    return name


def field_expr(dialect: str, table: Table, name: str) -> ColumnElement[Any]:
    """The JSON value of field ``name``, as ``field_indexes`` builds its indexes on."""
    name = _checked(name)
    if dialect == "sqlite":
        return literal_column(f"json_extract({table.name}.data, '$.{name}')")
    return literal_column(f"({table.name}.data -> '{name}')", type_=JSONB)


def field_text_expr(dialect: str, table: Table, name: str) -> ColumnElement[Any]:
    """The field's value as text (for substring matching)."""
    name = _checked(name)
    if dialect == "sqlite":
        return literal_column(f"json_extract({table.name}.data, '$.{name}')")
    return literal_column(f"({table.name}.data ->> '{name}')")


def json_value(dialect: str, value: Any) -> Any:
    """``value`` bound for comparison with ``field_expr`` (jsonb on PostgreSQL)."""
    return bindparam(None, value, type_=JSONB) if dialect != "sqlite" else bindparam(None, value)


def system_column(table: Table, name: str) -> ColumnElement[Any] | None:
    """The SQL expression of system field ``name`` (core/system_fields.py) in ``table``, or
    None when ``name`` is not a system field. Published rows store no status: there it is
    the constant the core says every published document has."""
    field = SYSTEM_FIELDS.get(name)
    if field is None:
        return None
    if table is PUBLISHED:
        if field.published_value is not None:
            return cast(literal(field.published_value), String)
        if field.attribute == "id":
            return table.c.document_id
    return table.c[field.attribute]


def escape_like(value: str) -> str:
    """``value`` with LIKE's wildcards escaped (use with ``escape="\\"``): matched literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_clause(
    dialect: str,
    table: Table,
    flt: Filter,
    content_type: ContentType | None,
    space_id: Any,
) -> ColumnElement[bool]:
    column = system_column(table, flt.field)
    if column is not None:
        return _compare(column, flt, column_is_json=False, dialect=dialect)
    field = content_type.field(flt.field) if content_type else None
    if field is None:  # pragma: no cover - the core refuses unknown fields first
        raise ValueError(f"unknown field {flt.field}")
    is_list = field.type is FieldType.LIST or (field.type is FieldType.REFERENCE and field.many)
    if is_list and flt.op in {FilterOp.CONTAINS, FilterOp.EQ}:
        return _list_contains(
            dialect,
            table,
            flt.field,
            flt.value,
            space_id,
            content_type.name if content_type else None,
        )
    if flt.op is FilterOp.CONTAINS:
        return _compare(
            field_text_expr(dialect, table, flt.field), flt, column_is_json=False, dialect=dialect
        )
    return _compare(
        field_expr(dialect, table, flt.field), flt, column_is_json=True, dialect=dialect
    )


def _list_contains(
    dialect: str, table: Table, name: str, value: Any, space_id: Any, type_name: str | None
) -> ColumnElement[bool]:
    name = _checked(name)
    text_value = list_values.canonical(value)
    id_column = table.c.document_id if table is PUBLISHED else table.c.id
    if text_value is not None and type_name is not None:
        # The indexed side table of list elements (storage/list_values.py).
        source = list_values.PUBLISHED if table is PUBLISHED else list_values.WORKING
        values = DocumentValueRow
        return id_column.in_(
            select(values.document_id).where(
                values.space_id == space_id,
                values.type == type_name,
                values.source == source,
                values.field == name,
                values.value == text_value,
            )
        )
    if dialect == "sqlite":
        each = func.json_each(literal_column(f"{table.name}.data"), f"$.{name}").table_valued(
            "value"
        )
        return exists(select(1).select_from(each).where(each.c.value == value))
    return field_expr(dialect, table, name).op("@>")(bindparam(None, [value], type_=JSONB))


def _compare(
    expr: ColumnElement[Any], flt: Filter, *, column_is_json: bool, dialect: str
) -> ColumnElement[bool]:
    json_pg = column_is_json and dialect != "sqlite"

    def val(v: Any) -> Any:
        return json_value(dialect, v) if column_is_json else bindparam(None, v)

    op, value = flt.op, flt.value
    if op is FilterOp.EXISTS:
        present: ColumnElement[bool] = expr.is_not(None)
        if json_pg:
            present = and_(present, expr != text("'null'::jsonb"))
        return present if value else not_(present)
    if op is FilterOp.EQ:
        equal: ColumnElement[bool] = expr == val(value)
        return equal
    if op is FilterOp.NE:
        return or_(expr != val(value), expr.is_(None))
    if op is FilterOp.IN:
        return expr.in_([val(v) for v in value])
    if op is FilterOp.CONTAINS:
        # Case- and accent-insensitive on both databases (storage/folding.py).
        return folding.contains(dialect, expr, str(value))
    comparison: ColumnElement[bool] = {
        FilterOp.LT: expr < val(value),
        FilterOp.LTE: expr <= val(value),
        FilterOp.GT: expr > val(value),
        FilterOp.GTE: expr >= val(value),
    }[op]
    if json_pg:  # JSON null sorts below every number in jsonb; it is not a value here
        comparison = and_(comparison, expr != text("'null'::jsonb"))
    return comparison


def _order(
    dialect: str, table: Table, sort: Sort, content_type: ContentType | None
) -> ColumnElement[Any]:
    column = system_column(table, sort.field)
    expr = column if column is not None else field_expr(dialect, table, sort.field)
    ordered = expr.desc() if sort.descending else expr.asc()
    if dialect == "sqlite" or getattr(column, "nullable", True) is False:
        return ordered
    # A missing value sorts as the smallest, as on SQLite: first going up, last going down.
    # That is also the order of the field indexes (NULLS FIRST, storage/field_indexes.py),
    # read forwards or backwards; a NOT NULL column has no nulls, and naming no NULLS
    # order lets its index serve both directions too.
    return ordered.nulls_last() if sort.descending else ordered.nulls_first()


def build(
    dialect: str, space_id: Any, query: DocumentQuery, content_type: ContentType | None
) -> tuple[Select[Any], Select[Any]]:
    """(page-of-ids query, count query) for ``query`` in ``space_id``."""
    table = table_for(query.perspective)
    conditions: list[ColumnElement[bool]] = [table.c.space_id == space_id]
    if query.type is not None:
        conditions.append(table.c.type == query.type)
    status = system_column(table, "status")
    if query.statuses is not None and status is not None:
        conditions.append(status.in_([s.value for s in query.statuses]))
    elif table is DOCUMENTS:
        conditions.append(table.c.status != "archived")
    conditions.extend(
        _filter_clause(dialect, table, f, content_type, space_id) for f in query.filters
    )
    if query.search:
        conditions.append(search.matches(dialect, table, query.search))
    where = and_(*conditions)
    id_column = table.c.document_id if table is PUBLISHED else table.c.id
    order = [_order(dialect, table, s, content_type) for s in query.sort]
    # The tie-breaker runs the same way as the last key, so one index scan serves both.
    last_descending = bool(query.sort) and query.sort[-1].descending
    order.append(id_column.desc() if last_descending else id_column.asc())
    # Page through ids only; the wide rows are fetched for the page alone (a "deferred
    # join"), so a sort or a deep offset never drags every row's JSON along.
    page = select(id_column).where(where).order_by(*order).limit(query.limit).offset(query.offset)
    count = select(func.count()).select_from(table).where(where)
    return page, count
