"""Concurrent writes through the core services, on real threads and both databases.

A write that names no version applies to the latest one: concurrent writers queue on the
document's row (PostgreSQL) or the database's write lock (SQLite) instead of failing. A write
that names a stale version still fails. A single type never gets a second document, and
generated slugs stay unique however many creates race (issue 13, defects 2 and 5).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import pytest

from masthead.core.content_types import ContentTypeChanges, TypeKind
from masthead.core.documents import Document
from masthead.core.errors import Conflict, SingleTypeTaken, StaleVersion
from masthead.core.models import Actor
from masthead.core.services import content_types, documents, revisions, workflow
from masthead.core.services.documents import DocumentInput, DocumentWrite
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document, new_type

JOIN_TIMEOUT = 60


def race(calls: Sequence[Callable[[], object]]) -> list[object]:
    """Run ``calls`` at once on their own threads; each one's result or the exception it
    raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[index] = exc

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racing writer never finished"
    return results


def errors_of(results: list[object]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


def count_of_type(db: Database, actor: Actor, type_name: str) -> int:
    with db.read_uow() as uow:
        return uow.documents.count(actor.space_id, type_name)


def all_revisions(db: Database, actor: Actor, document: Document) -> list[int]:
    page = revisions.list_revisions(db.uow(), actor, document.id, limit=100)
    return sorted(r.number for r in page.items)


# --- a single type gets one document ----------------------------------------------------------


@pytest.fixture
def settings_type(db: Database, clock: FakeClock, admin: Actor) -> str:
    new_type(db, clock, admin, name="settings", kind=TypeKind.SINGLE)
    return "settings"


def test_racing_creates_of_a_single_type_store_one_and_refuse_the_rest(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    results = race(
        [
            lambda i=i: documents.create_document(
                db.uow(), clock, editor, DocumentInput(type=settings_type, title=f"S {i}")
            )
            for i in range(20)
        ]
    )
    assert sum(isinstance(r, DocumentWrite) for r in results) == 1
    assert all(isinstance(e, Conflict) for e in errors_of(results)), errors_of(results)
    assert count_of_type(db, editor, settings_type) == 1


def test_racing_puts_of_a_singleton_all_succeed_on_one_document(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    titles = [f"Site {i}" for i in range(20)]
    results = race(
        [
            lambda title=title: documents.put_singleton(
                db.uow(), clock, editor, settings_type, DocumentInput(title=title)
            )
            for title in titles
        ]
    )
    assert errors_of(results) == []
    assert count_of_type(db, editor, settings_type) == 1
    stored = documents.get_singleton(db.uow(), editor, settings_type)
    assert stored.title in titles
    assert stored.version == 20
    assert all_revisions(db, editor, stored) == list(range(1, 21))


def test_a_type_becomes_single_only_with_one_document_and_then_keeps_one(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    new_type(db, clock, admin, name="note")
    first = new_document(db, clock, admin, type_name="note", title="One")
    second = new_document(db, clock, admin, type_name="note", title="Two")

    def make(kind: TypeKind) -> None:
        changes = ContentTypeChanges(kind=kind)
        content_types.patch_type(db.uow(), clock, admin, "note", changes)

    with pytest.raises(Conflict):
        make(TypeKind.SINGLE)
    documents.delete_document(db.uow(), clock, admin, second.id, permanent=True)
    make(TypeKind.SINGLE)
    assert documents.get_singleton(db.uow(), admin, "note").id == first.id
    with pytest.raises(SingleTypeTaken):
        new_document(db, clock, admin, type_name="note", title="Three")
    make(TypeKind.COLLECTION)
    new_document(db, clock, admin, type_name="note", title="Three")
    assert count_of_type(db, admin, "note") == 2


def test_a_document_cannot_move_into_a_single_type_that_has_one(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    documents.put_singleton(db.uow(), clock, editor, settings_type, DocumentInput(title="S"))
    post = new_document(db, clock, editor, type_name="post", title="A post")
    with pytest.raises(SingleTypeTaken):
        documents.update_document(
            db.uow(), clock, editor, post.id, DocumentInput(type=settings_type)
        )
    assert count_of_type(db, editor, settings_type) == 1


# --- writes that name no version apply to the latest one --------------------------------------


def test_racing_edits_without_a_version_all_apply(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    document = new_document(db, clock, editor, title="Start")
    titles = [f"Edit {i}" for i in range(50)]
    results = race(
        [
            lambda title=title: documents.update_document(
                db.uow(), clock, editor, document.id, DocumentInput(title=title)
            )
            for title in titles
        ]
    )
    assert errors_of(results) == []
    stored = documents.get_document(db.uow(), editor, document.id)
    assert (stored.version, stored.revision) == (51, 51)
    page = revisions.list_revisions(db.uow(), editor, document.id, limit=100)
    assert {r.title for r in page.items} == {"Start", *titles}


def test_racing_edits_from_one_stale_version_let_exactly_one_win(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    document = new_document(db, clock, editor, title="Start")
    results = race(
        [
            lambda i=i: documents.update_document(
                db.uow(),
                clock,
                editor,
                document.id,
                DocumentInput(title=f"Edit {i}"),
                expected_version=document.version,
            )
            for i in range(20)
        ]
    )
    assert sum(isinstance(r, DocumentWrite) for r in results) == 1
    errors = errors_of(results)
    assert len(errors) == 19
    assert all(isinstance(e, StaleVersion) for e in errors), errors
    assert documents.get_document(db.uow(), editor, document.id).version == 2


def test_racing_snapshots_and_restores_with_edits_all_apply(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    document = new_document(db, clock, editor, title="Start")
    calls: list[Callable[[], object]] = []
    for i in range(10):
        calls.append(
            lambda i=i: documents.update_document(
                db.uow(), clock, editor, document.id, DocumentInput(title=f"Edit {i}")
            )
        )
        calls.append(
            lambda i=i: revisions.create_snapshot(
                db.uow(), clock, editor, document.id, f"Snapshot {i}"
            )
        )
        calls.append(lambda: revisions.restore_revision(db.uow(), clock, editor, document.id, 1))
    results = race(calls)
    assert errors_of(results) == []
    stored = documents.get_document(db.uow(), editor, document.id)
    assert (stored.version, stored.revision) == (31, 31)
    assert all_revisions(db, editor, stored) == list(range(1, 32))


def test_a_workflow_action_racing_edits_applies_to_the_latest_version(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    document = new_document(db, clock, admin, title="Start")
    calls: list[Callable[[], object]] = [
        lambda i=i: documents.update_document(
            db.uow(), clock, admin, document.id, DocumentInput(title=f"Edit {i}")
        )
        for i in range(10)
    ]
    calls.insert(5, lambda: workflow.publish(db.uow(), clock, admin, document.id))
    results = race(calls)
    assert errors_of(results) == []
    assert documents.get_document(db.uow(), admin, document.id).version == 12


# --- generated slugs --------------------------------------------------------------------------


def test_racing_creates_with_one_title_get_distinct_generated_slugs(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    results = race(
        [
            lambda: documents.create_document(
                db.uow(), clock, editor, DocumentInput(type="post", title="Same Title")
            )
            for _ in range(20)
        ]
    )
    assert errors_of(results) == []
    slugs = {r.document.slug for r in results if isinstance(r, DocumentWrite)}
    assert slugs == {"same-title", *(f"same-title-{n}" for n in range(2, 21))}
