"""Content-type PATCH merges and writes in one core transaction with the type's row locked:
two concurrent patches of different parts both persist (no lost update)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from masthead.core.content_types import ContentTypeChanges, ContentTypeSpec, FieldDef, FieldType
from masthead.core.errors import ContentTypeNotFound, Forbidden
from masthead.core.models import Actor
from masthead.core.services import content_types
from masthead.storage.uow import Database
from tests.conftest import FakeClock

ROUNDS = 8


def _event(db: Database, clock: FakeClock, admin: Actor) -> None:
    spec = ContentTypeSpec(name="event", fields=(FieldDef(name="venue", type=FieldType.STRING),))
    content_types.create_type(db.uow(), clock, admin, spec)


def test_a_patch_changes_only_what_it_names(db: Database, clock: FakeClock, admin: Actor) -> None:
    _event(db, clock, admin)
    content_types.patch_type(
        db.uow(),
        clock,
        admin,
        "event",
        ContentTypeChanges.model_validate({"routePattern": "/e/{slug}"}),
    )
    patched = content_types.patch_type(
        db.uow(), clock, admin, "event", ContentTypeChanges(title="Events")
    )
    assert (patched.title, patched.route_pattern) == ("Events", "/e/{slug}")
    assert [f.name for f in patched.fields] == ["venue"]
    cleared = content_types.patch_type(
        db.uow(), clock, admin, "event", ContentTypeChanges(route_pattern=None)
    )
    assert (cleared.title, cleared.route_pattern) == ("Events", None)


def test_a_patch_of_an_unknown_type_or_by_an_editor_is_refused(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor
) -> None:
    _event(db, clock, admin)
    with pytest.raises(ContentTypeNotFound):
        content_types.patch_type(db.uow(), clock, admin, "nope", ContentTypeChanges(title="x"))
    with pytest.raises(Forbidden):
        content_types.patch_type(db.uow(), clock, editor, "event", ContentTypeChanges(title="x"))


def _together(*calls: Callable[[], object]) -> None:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_patches_of_different_parts_both_persist(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    _event(db, clock, admin)
    for round_ in range(ROUNDS):
        title = f"Events {round_}"
        route = f"/events-{round_}/{{slug}}"
        _together(
            lambda title=title: content_types.patch_type(
                db.uow(), clock, admin, "event", ContentTypeChanges(title=title)
            ),
            lambda route=route: content_types.patch_type(
                db.uow(), clock, admin, "event", ContentTypeChanges(route_pattern=route)
            ),
        )
        stored = content_types.get_type(db.read_uow(), admin, "event")
        assert (stored.title, stored.route_pattern) == (title, route), round_
