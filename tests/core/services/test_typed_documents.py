"""Documents addressed by type and id: another type's document is not found, and the
permission is checked before the lookup."""

from __future__ import annotations

from uuid import uuid4

import pytest

from masthead.core.access import Permission
from masthead.core.errors import DocumentNotFound, Forbidden
from masthead.core.models import Actor
from masthead.core.services import documents, typed_documents
from masthead.core.services.documents import DocumentInput
from masthead.storage.uow import Database
from tests.conftest import FakeClock


def test_a_document_is_found_only_under_its_own_type(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    page = documents.create_document(db.uow(), clock, admin, DocumentInput(type="page", title="A"))
    doc_id = page.document.id
    found, _ = typed_documents.get_of_type(db.read_uow(), admin, "page", doc_id)
    assert found.id == doc_id
    with pytest.raises(DocumentNotFound):
        typed_documents.get_of_type(db.read_uow(), admin, "post", doc_id)
    with pytest.raises(DocumentNotFound):
        typed_documents.require_of_type(db.read_uow(), admin, Permission.WRITE, "post", doc_id)
    assert typed_documents.exists_of_type(db.read_uow(), admin, "page", doc_id)
    assert not typed_documents.exists_of_type(db.read_uow(), admin, "post", doc_id)
    assert not typed_documents.exists_of_type(db.read_uow(), admin, "page", uuid4())


def test_the_permission_is_checked_before_the_lookup(db: Database, viewer: Actor) -> None:
    with pytest.raises(Forbidden):
        typed_documents.require_of_type(db.read_uow(), viewer, Permission.WRITE, "post", uuid4())
