"""Small builders for service tests: documents and content types made through the services,
and read-backs that go through them too (never rows written or read directly)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from masthead.core.content_types import ContentType, ContentTypeSpec
from masthead.core.documents import Document, Perspective
from masthead.core.errors import MastheadError
from masthead.core.listing import DocumentQuery
from masthead.core.models import Actor
from masthead.core.ports import Clock
from masthead.core.services import content_types, documents, queries
from masthead.core.workflow import Status
from masthead.storage.uow import Database


def new_document(
    db: Database,
    clock: Clock,
    actor: Actor,
    *,
    type_name: str | None = None,
    title: str | None = None,
    slug: str | None = None,
    status: Status | None = None,
    **data: Any,
) -> Document:
    inp = documents.DocumentInput(type=type_name, title=title, slug=slug, data=data, status=status)
    return documents.create_document(db.uow(), clock, actor, inp).document


def new_type(db: Database, clock: Clock, actor: Actor, **spec: Any) -> ContentType:
    return content_types.create_type(db.uow(), clock, actor, ContentTypeSpec(**spec))


def listed(
    db: Database,
    actor: Actor,
    perspective: Perspective | None = Perspective.DRAFT,
    **query: Any,
) -> list[Document]:
    """Every document ``actor`` lists in ``perspective`` (up to 100), in list order."""
    page = queries.list_documents(
        db.uow(), actor, DocumentQuery(perspective=perspective, limit=100, **query)
    )
    return page.items


def ids(items: list[Document]) -> set[Any]:
    return {d.id for d in items}


def outcome(call: Callable[[], object]) -> str:
    """The name of the domain error ``call`` raises, or "allowed": for tables of cases whose
    failures should name the case."""
    try:
        call()
    except MastheadError as exc:
        return type(exc).__name__
    return "allowed"
