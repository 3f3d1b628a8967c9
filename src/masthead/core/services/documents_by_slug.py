"""Documents of a collection type addressed by their slug, as APIs whose entry ids are slugs
(the apps API's ``/content/:schema/:entry_id``): find, create, replace, delete, publish and
unpublish, each in one transaction, so that the slug is resolved where the write happens.

A single type has no entries by slug (its one document is ``documents.get_singleton``'s), so
naming one here is Invalid; a collection type named where a single one is expected is refused
by ``documents`` itself.
"""

from __future__ import annotations

from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.content_types import ContentType, TypeKind
from masthead.core.documents import Document, Perspective
from masthead.core.errors import DocumentNotFound, FieldError, Invalid
from masthead.core.listing import default_perspective
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services import documents
from masthead.core.services import workflow as workflow_service
from masthead.core.services.content_types import load_type
from masthead.core.services.documents import DocumentInput, DocumentWrite
from masthead.core.services.revisions import create_snapshot_in
from masthead.core.workflow import Action, Status

SNAPSHOT_MESSAGE = "Before update"


def _collection(uow: UnitOfWork, space_id: UUID, type_name: str) -> ContentType:
    """Raises ContentTypeNotFound, Invalid (a single type)."""
    content_type = load_type(uow, space_id, type_name)
    if content_type.kind is not TypeKind.COLLECTION:
        raise Invalid(
            f"'{type_name}' is a single type, not a collection type",
            details=[FieldError("type", "not a collection type")],
        )
    return content_type


def _not_found(type_name: str, slug: str) -> DocumentNotFound:
    return DocumentNotFound(f"No {type_name} document with slug '{slug}'")


def _locked(uow: UnitOfWork, actor: Actor, type_name: str, slug: str) -> Document:
    _collection(uow, actor.space_id, type_name)
    document = uow.documents.find_by_slug(actor.space_id, type_name, slug, for_update=True)
    if document is None or document.status is Status.ARCHIVED:
        raise _not_found(type_name, slug)
    return document


def require_collection(uow: UnitOfWork, actor: Actor, type_name: str) -> ContentType:
    """The collection type ``type_name`` (to list its documents). Raises Forbidden,
    ContentTypeNotFound, Invalid (a single type)."""
    access.require(actor, Permission.READ_PUBLISHED)
    with uow:
        return _collection(uow, actor.space_id, type_name)


def get_by_slug(
    uow: UnitOfWork,
    actor: Actor,
    type_name: str,
    slug: str,
    perspective: Perspective | None = None,
) -> Document:
    """The live document of a collection type with this slug, as ``perspective`` sees it.
    Raises Forbidden, ContentTypeNotFound, Invalid (a single type), DocumentNotFound."""
    perspective = perspective or default_perspective(actor)
    documents.require_read(actor, perspective)
    with uow:
        _collection(uow, actor.space_id, type_name)
        document = uow.documents.find_by_slug(actor.space_id, type_name, slug)
        if document is None or document.status is Status.ARCHIVED:
            raise _not_found(type_name, slug)
        if perspective is Perspective.PUBLISHED:
            return uow.documents.get_published(actor.space_id, document.id)
    return document


def create_in_collection(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, inp: DocumentInput
) -> DocumentWrite:
    """Create a draft of a collection type; its slug comes from ``inp`` or its title (made
    unique in the type). Raises as ``documents.create_document``, and Invalid (a single
    type), ContentTypeNotFound."""
    access.require(actor, Permission.WRITE)
    with uow:
        _collection(uow, actor.space_id, type_name)
    typed = DocumentInput(type=type_name, title=inp.title, slug=inp.slug, data=inp.data)
    return documents.create_document(uow, clock, actor, typed)


def replace_by_slug(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, slug: str, inp: DocumentInput
) -> DocumentWrite:
    """Replace the content of the document with this slug, after recording a snapshot of
    its current content as a revision of its own ("Before update"). The slug stays unless
    ``inp`` names another. Raises Forbidden, ContentTypeNotFound, Invalid, DocumentNotFound,
    SlugTaken, UniqueValueTaken."""
    access.require(actor, Permission.WRITE)
    with uow:
        current = _locked(uow, actor, type_name, slug)
        snapshot, _ = create_snapshot_in(uow, clock, actor, current, SNAPSHOT_MESSAGE)
        typed = DocumentInput(title=inp.title, slug=inp.slug, data=inp.data)
        document, revision = documents.write_content(uow, clock, actor, snapshot, typed, True, None)
        uow.commit()
    return DocumentWrite(document, revision)


def delete_by_slug(uow: UnitOfWork, actor: Actor, type_name: str, slug: str) -> None:
    """Delete the document with this slug for good. Raises Forbidden, ContentTypeNotFound,
    Invalid (a single type), DocumentNotFound."""
    access.require(actor, Permission.DELETE)
    with uow:
        document = _locked(uow, actor, type_name, slug)
        uow.documents.delete(actor.space_id, document.id)
        uow.commit()


def publish_by_slug(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, slug: str
) -> Document:
    """Publish the document with this slug; one already published stays as it is
    (idempotent). Raises Forbidden, ContentTypeNotFound, Invalid, DocumentNotFound,
    IllegalTransition (a type with review not yet approved)."""
    return _move(uow, clock, actor, type_name, slug, Action.PUBLISH)


def unpublish_by_slug(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, slug: str
) -> Document:
    """Withdraw the document with this slug from readers; one not published stays as it is
    (idempotent). Raises as ``publish_by_slug``."""
    return _move(uow, clock, actor, type_name, slug, Action.UNPUBLISH)


def _move(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, slug: str, action: Action
) -> Document:
    access.require(actor, workflow_service.PERMISSION[action])
    with uow:
        document = _locked(uow, actor, type_name, slug)
        done = (
            document.status is Status.PUBLISHED
            if action is Action.PUBLISH
            else not document.is_published
        )
        if done:
            return document
        document = workflow_service.apply_action(uow, clock, actor, document, None, action, None)
        uow.commit()
    return document
