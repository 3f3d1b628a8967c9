"""The per-field expression indexes (storage/field_indexes.py): only fields marked ``indexed``
or ``unique`` get one, their number stays bounded however many types and spaces there are,
an index nobody wants any more is dropped, filters and sorts on an indexed field are read
off its index, and a field without one still filters and sorts (by scanning its type).

The PostgreSQL test database is shared by a worker's tests, whose types are emptied without
going through the services; each test starts by reconciling, so it counts only its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from masthead.core import access
from masthead.core.content_types import ContentTypeChanges, FieldDef
from masthead.core.documents import Perspective
from masthead.core.limits import MAX_INDEXED_FIELD_NAMES, MAX_INDEXED_FIELDS_PER_TYPE
from masthead.core.listing import DocumentQuery, Filter, FilterOp, Sort
from masthead.core.models import Actor, Principal, Role, TokenKind
from masthead.core.services import content_types
from masthead.core.workflow import Status
from masthead.storage import field_indexes, migrate, queries
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document, new_type
from tests.factories import make_space, make_user


@pytest.fixture(autouse=True)
def _no_leftovers(db: Database) -> None:
    field_indexes.reconcile_database(db.engine)


def _present(db: Database) -> set[str]:
    """The field indexes in the database's own catalog."""
    catalog = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if db.engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with db.engine.connect() as connection:
        names = connection.execute(text(catalog)).scalars()
        return {n for n in names if n.startswith(("ix_doc_f_", "ix_pub_f_"))}


def _indexed_fields(db: Database) -> set[str]:
    """The field names with both of their indexes."""
    present = _present(db)
    with Session(db.engine) as session:
        candidates = field_indexes.wanted(session)
    return {f for f in candidates if set(field_indexes.index_names(f)) <= present}


def _admin_of(db: Database, clock: FakeClock, slug: str) -> Actor:
    space = make_space(db, clock, slug)
    user = make_user(db, clock, f"admin-{slug}", Role.ADMIN, space=slug)
    return access.actor_for(Principal(kind=TokenKind.ACCESS, user=user), space)


@pytest.fixture
def admin(db: Database, clock: FakeClock) -> Actor:
    return _admin_of(db, clock, "default")


@pytest.fixture
def outsider(db: Database, clock: FakeClock) -> Actor:
    """The admin of another space."""
    return _admin_of(db, clock, "other")


def _field(name: str, kind: str = "string", **flags: Any) -> FieldDef:
    return FieldDef(name=name, type=kind, **flags)


def test_only_fields_marked_indexed_or_unique_get_an_index(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    fields = (
        _field("colour"),
        _field("price", "number", indexed=True),
        _field("sku", unique=True),
        _field("notes", "json"),
        _field("tags", "list"),
    )
    new_type(db, clock, admin, name="product", fields=fields)
    assert _indexed_fields(db) == {"price", "sku"}
    assert len(_present(db)) == 4  # one per document table each


def test_index_names_tell_apart_names_that_differ_in_case_or_only_past_the_limit() -> None:
    long_a, long_b = "a" * 63 + "x", "a" * 63 + "y"
    names = [field_indexes.index_names(f) for f in ("title", "Title", long_a, long_b)]
    flat = [n for pair in names for n in pair]
    assert len(set(flat)) == len(flat)
    assert all(len(n) <= 63 for n in flat)
    assert all(n.startswith(field_indexes.PREFIXES) for n in flat)


def test_the_number_of_field_indexes_stays_bounded_across_spaces(
    db: Database, clock: FakeClock
) -> None:
    """Ten spaces, each with types whose indexed fields have names no other type uses: far more
    names than the bound, yet never more indexes than it allows; all gone once the types are."""
    admins = [_admin_of(db, clock, f"tenant{s}") for s in range(10)]
    types_per_space = 2
    for s, admin in enumerate(admins):
        for t in range(types_per_space):
            name = f"t{s}x{t}"
            fields = tuple(
                _field(f"{name}_f{i}", indexed=True) for i in range(MAX_INDEXED_FIELDS_PER_TYPE)
            )
            new_type(db, clock, admin, name=name, fields=(*fields, _field(f"{name}_plain")))
            assert len(_present(db)) <= 2 * MAX_INDEXED_FIELD_NAMES
    wanted = len(admins) * types_per_space * MAX_INDEXED_FIELDS_PER_TYPE
    assert wanted > MAX_INDEXED_FIELD_NAMES
    assert len(_indexed_fields(db)) == MAX_INDEXED_FIELD_NAMES
    for s, admin in enumerate(admins):
        for t in range(types_per_space):
            content_types.delete_type(db.uow(), admin, f"t{s}x{t}")
    assert _present(db) == set()


def test_deleting_a_type_drops_the_indexes_no_other_type_uses(
    db: Database, clock: FakeClock, admin: Actor, outsider: Actor
) -> None:
    new_type(
        db,
        clock,
        admin,
        name="product",
        fields=(_field("price", "number", indexed=True), _field("sku", indexed=True)),
    )
    new_type(db, clock, outsider, name="offer", fields=(_field("price", "number", indexed=True),))
    assert _indexed_fields(db) == {"price", "sku"}

    content_types.delete_type(db.uow(), admin, "product")
    assert _indexed_fields(db) == {"price"}  # the other space's type still uses it
    content_types.delete_type(db.uow(), outsider, "offer")
    assert _present(db) == set()


def test_removing_a_field_or_its_flag_drops_its_index(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    fields = (
        _field("price", "number", indexed=True),
        _field("sku", indexed=True),
        _field("ean", unique=True),
    )
    new_type(db, clock, admin, name="product", fields=fields)
    assert _indexed_fields(db) == {"price", "sku", "ean"}

    unflagged = (_field("price", "number"), _field("sku", indexed=True), _field("ean", unique=True))
    content_types.patch_type(
        db.uow(), clock, admin, "product", ContentTypeChanges(fields=unflagged)
    )
    assert _indexed_fields(db) == {"sku", "ean"}

    removed = (_field("price", "number"),)
    content_types.patch_type(db.uow(), clock, admin, "product", ContentTypeChanges(fields=removed))
    assert _present(db) == set()

    flagged = (_field("price", "number", indexed=True),)
    content_types.patch_type(db.uow(), clock, admin, "product", ContentTypeChanges(fields=flagged))
    assert _indexed_fields(db) == {"price"}


def test_a_field_past_the_bound_filters_and_sorts_unindexed(
    db: Database, clock: FakeClock, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(field_indexes, "MAX_INDEXED_FIELD_NAMES", 1)
    new_type(db, clock, admin, name="shoe", fields=(_field("size", "integer", indexed=True),))
    new_type(db, clock, admin, name="hat", fields=(_field("width", "integer", indexed=True),))
    assert _indexed_fields(db) == {"size"}
    for width in (3, 1, 2):
        new_document(db, clock, admin, type_name="hat", title=f"w{width}", width=width)
    narrow = listed(
        db,
        admin,
        type="hat",
        filters=(Filter("width", FilterOp.LTE, 2),),
        sort=(Sort("width", descending=True),),
    )
    assert [d.data["width"] for d in narrow] == [2, 1]

    # Once the room is free again, the next change of the type gets its index.
    content_types.delete_type(db.uow(), admin, "shoe")
    content_types.patch_type(db.uow(), clock, admin, "hat", ContentTypeChanges(title="Hats"))
    assert _indexed_fields(db) == {"width"}


def test_index_ddl_does_not_wait_long_for_other_spaces_writers(
    db: Database,
    clock: FakeClock,
    admin: Actor,
    outsider: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL: CREATE INDEX waits for every open writer of the table, and every later one
    queues behind it. A type change gives up on its index after a short wait instead."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns: a type change waits for the database's lock")
    monkeypatch.setattr(field_indexes, "DDL_LOCK_TIMEOUT", "200ms")
    new_document(db, clock, outsider, type_name="post", title="busy")
    with db.engine.connect() as writer:
        writer.execute(text("UPDATE documents SET title = 'still busy'"))  # holds the table
        new_type(db, clock, admin, name="product", fields=(_field("price", indexed=True),))
        assert _indexed_fields(db) == set()  # created, unindexed for now
        writer.rollback()
    content_types.patch_type(db.uow(), clock, admin, "product", ContentTypeChanges(title="P"))
    assert _indexed_fields(db) == {"price"}


def test_migrate_drops_field_indexes_that_no_type_wants(db: Database) -> None:
    """What earlier versions left behind: an index for every field ever created."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE INDEX ix_doc_f_legacy ON documents "
                "(space_id, type, json_extract(data, '$.legacy'), id, status)"
                if db.engine.dialect.name == "sqlite"
                else "CREATE INDEX ix_doc_f_legacy ON documents "
                "(space_id, type, (data -> 'legacy'), id, status)"
            )
        )
    assert _present(db) == {"ix_doc_f_legacy"}
    migrate.upgrade(db.engine.url.render_as_string(hide_password=False))
    assert _present(db) == set()


# --- query plans ------------------------------------------------------------------------------


@contextmanager
def _explained(engine: Engine) -> Iterator[None]:
    """Statements executed inside are EXPLAINed instead of run (parameters bound as usual)."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "

    def explain(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool
    ) -> tuple[str, Any]:
        return prefix + statement, parameters

    event.listen(engine, "before_cursor_execute", explain, retval=True)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", explain)


def _plan(db: Database, admin: Actor, query: DocumentQuery) -> str:
    content_type = content_types.get_type(db.uow(), admin, query.type or "")
    dialect = db.engine.dialect.name
    page, _ = queries.build(dialect, admin.space_id, query, content_type)
    with db.engine.connect() as connection:
        if dialect == "postgresql":
            # The tables hold a handful of rows, where a sequential scan is cheapest; this
            # asks whether the index can serve the query, as it will on a large table.
            connection.execute(text("SET enable_seqscan = off"))
        with _explained(db.engine):
            # Raw rows: the result's column types are the page's, not the plan's.
            rows = connection.execute(page).cursor.fetchall()
    return "\n".join(str(row[-1] if dialect == "sqlite" else row[0]) for row in rows)


@pytest.mark.parametrize("perspective", [Perspective.DRAFT, Perspective.PUBLISHED])
def test_filters_and_sorts_on_an_indexed_field_are_read_off_its_index(
    db: Database, clock: FakeClock, admin: Actor, perspective: Perspective
) -> None:
    fields = (_field("price", "integer", indexed=True), _field("colour"))
    new_type(db, clock, admin, name="product", fields=fields)
    for price in range(12):
        new_document(
            db,
            clock,
            admin,
            type_name="product",
            title=f"p{price}",
            status=Status.PUBLISHED,
            price=price,
            colour="red",
        )
    documents, published = field_indexes.index_names("price")
    index = published if perspective is Perspective.PUBLISHED else documents

    by_price = DocumentQuery(
        perspective=perspective, type="product", sort=(Sort("price", descending=True),), offset=5
    )
    plan = _plan(db, admin, by_price)
    assert index in plan, plan
    # Read in index order: no sort step.
    assert "TEMP B-TREE" not in plan, plan
    assert "Sort" not in plan, plan

    cheap = DocumentQuery(
        perspective=perspective,
        type="product",
        filters=(Filter("price", FilterOp.LT, 3),),
        sort=(Sort("price"),),
    )
    plan = _plan(db, admin, cheap)
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    assert "Sort" not in plan, plan

    # A field without an index is still answered, from the type's documents.
    red = listed(
        db,
        admin,
        perspective,
        type="product",
        filters=(Filter("colour", FilterOp.EQ, "red"),),
        sort=(Sort("colour"), Sort("price", descending=True)),
    )
    assert [d.data["price"] for d in red] == list(range(11, -1, -1))
