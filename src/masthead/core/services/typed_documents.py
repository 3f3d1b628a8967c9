"""Documents addressed by type and id, as APIs whose paths name both do
(``/api/documents/:type/:id``): a document of another type, like an unknown id, is not found.

Only the lookup is here; reads, writes and deletes are the documents, queries and workflow
services, called after it.
"""

from __future__ import annotations

from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.documents import Document, Expanded, Perspective
from masthead.core.errors import DocumentNotFound
from masthead.core.models import Actor
from masthead.core.ports import UnitOfWork
from masthead.core.services import queries


def _not_found(type_name: str) -> DocumentNotFound:
    return DocumentNotFound(f"No {type_name} document with this id")


def get_of_type(
    uow: UnitOfWork,
    actor: Actor,
    type_name: str,
    document_id: UUID,
    perspective: Perspective | None = None,
    paths: tuple[str, ...] = (),
) -> tuple[Document, dict[UUID, Expanded]]:
    """The document and the references ``paths`` name, if it is of ``type_name``.
    Raises Forbidden, DocumentNotFound, Invalid (a path that is not a reference)."""
    document, expanded = queries.get_expanded(uow, actor, document_id, perspective, paths)
    if document.type != type_name:
        raise _not_found(type_name)
    return document, expanded


def require_of_type(
    uow: UnitOfWork, actor: Actor, permission: Permission, type_name: str, document_id: UUID
) -> None:
    """Check ``permission`` first (a viewer's write is 403 whatever the id), then that the
    document exists and is of ``type_name``. Raises Forbidden, DocumentNotFound."""
    access.require(actor, permission)
    with uow:
        document = uow.documents.get(actor.space_id, document_id)
    if document.type != type_name:
        raise _not_found(type_name)


def exists_of_type(
    uow: UnitOfWork,
    actor: Actor,
    type_name: str,
    document_id: UUID,
    perspective: Perspective | None = None,
) -> bool:
    """Whether the caller can read a document of ``type_name`` with this id. Raises Forbidden."""
    try:
        get_of_type(uow, actor, type_name, document_id, perspective)
    except DocumentNotFound:
        return False
    return True
