"""Repositories for content types, documents (working and published), revisions and
workflow transitions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    ColumnElement,
    Text,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masthead.core.content_types import ContentType, FieldDef, TypeKind, WorkflowMode
from masthead.core.documents import Document, Perspective, Revision, TransitionRecord
from masthead.core.errors import (
    ContentTypeExists,
    DocumentNotFound,
    FieldError,
    SingleTypeTaken,
    SlugTaken,
)
from masthead.core.listing import DocumentQuery
from masthead.core.workflow import Action, Status
from masthead.storage import field_indexes, list_values, queries, search
from masthead.storage.repositories.generations import PublishedChange
from masthead.storage.tables import (
    ContentTypeRow,
    DocumentRow,
    PublishedDocumentRow,
    RevisionRow,
    TransitionRow,
)


def _content_type(row: ContentTypeRow) -> ContentType:
    return ContentType(
        id=row.id,
        space_id=row.space_id,
        name=row.name,
        title=row.title,
        kind=TypeKind(row.kind),
        fields=tuple(FieldDef.model_validate(f) for f in row.fields),
        route_pattern=row.route_pattern,
        template=row.template,
        workflow=WorkflowMode(row.workflow),
        is_builtin=row.is_builtin,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _fields_json(content_type: ContentType) -> list[dict[str, Any]]:
    return [
        f.model_dump(mode="json", by_alias=True, exclude_defaults=True) for f in content_type.fields
    ]


class SqlContentTypeRepository:
    def __init__(self, session: Session, changed: PublishedChange = lambda _: None):
        self._session = session
        self._changed = changed

    def list(self, space_id: UUID) -> list[ContentType]:
        rows = self._session.scalars(
            select(ContentTypeRow)
            .where(ContentTypeRow.space_id == space_id)
            .order_by(ContentTypeRow.name)
        )
        return [_content_type(r) for r in rows]

    def find(
        self, space_id: UUID, name: str, *, for_update: bool = False, for_share: bool = False
    ) -> ContentType | None:
        """``for_update``: lock the row until the transaction ends; ``for_share``: only
        against changes of the type (FOR KEY SHARE, which writers of documents share).
        PostgreSQL; SQLite's writers already hold the database's one write lock."""
        statement = select(ContentTypeRow).where(
            ContentTypeRow.space_id == space_id, ContentTypeRow.name == name
        )
        if for_update:
            statement = statement.with_for_update()
        elif for_share:
            statement = statement.with_for_update(read=True, key_share=True)
        row = self._session.scalar(statement)
        return _content_type(row) if row else None

    def add(self, content_type: ContentType) -> None:
        self._session.add(
            ContentTypeRow(
                id=content_type.id,
                space_id=content_type.space_id,
                name=content_type.name,
                title=content_type.title,
                kind=content_type.kind.value,
                fields=_fields_json(content_type),
                route_pattern=content_type.route_pattern,
                template=content_type.template,
                workflow=content_type.workflow.value,
                is_builtin=content_type.is_builtin,
                created_at=content_type.created_at,
                updated_at=content_type.updated_at,
            )
        )
        try:
            self._session.flush()
        except IntegrityError as exc:
            # A concurrent create of the same name committed first (PostgreSQL; SQLite's
            # writers queue on one lock, so the service's own check already saw it).
            reason = str(exc.orig)
            if not ("uq_content_types_space_name" in reason or "content_types.name" in reason):
                raise
            raise ContentTypeExists(f"Content type '{content_type.name}' already exists") from exc
        self.ensure_indexes(content_type)

    def update(self, content_type: ContentType) -> None:
        """Also keeps ``documents.single_type`` in step when the kind changes (the service
        has refused a change to single while the type has more than one document)."""
        self._changed(content_type.space_id)
        stored_kind = self._session.scalar(
            select(ContentTypeRow.kind).where(ContentTypeRow.id == content_type.id)
        )
        was_single = stored_kind == TypeKind.SINGLE.value
        is_single = content_type.kind is TypeKind.SINGLE
        self._session.execute(
            update(ContentTypeRow)
            .where(ContentTypeRow.id == content_type.id)
            .values(
                title=content_type.title,
                kind=content_type.kind.value,
                fields=_fields_json(content_type),
                route_pattern=content_type.route_pattern,
                template=content_type.template,
                workflow=content_type.workflow.value,
                updated_at=content_type.updated_at,
            )
        )
        if is_single != was_single:
            self._session.execute(
                update(DocumentRow)
                .where(
                    DocumentRow.space_id == content_type.space_id,
                    DocumentRow.type == content_type.name,
                )
                .values(single_type=content_type.name if is_single else None)
            )
        # Fields may have lost their index flag or gone: drop what no type wants any more.
        field_indexes.reconcile(self._session)

    def delete(self, space_id: UUID, name: str) -> None:
        self._changed(space_id)
        self._session.execute(
            delete(ContentTypeRow).where(
                ContentTypeRow.space_id == space_id, ContentTypeRow.name == name
            )
        )
        field_indexes.reconcile(self._session)

    def ensure_indexes(self, content_type: ContentType) -> None:
        """The expression indexes the type's fields want (storage/field_indexes.py), shared
        by every type that has a field of that name."""
        field_indexes.ensure(self._session, (f.name for f in content_type.fields if f.wants_index))


SINGLE_TYPE_INDEX = "uq_documents_space_single_type"


def _is_single_type_violation(exc: IntegrityError) -> bool:
    """PostgreSQL names the violated index; SQLite names its columns."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return bool(getattr(diag, "constraint_name", None) == SINGLE_TYPE_INDEX)
    return "documents.single_type" in str(exc.orig)


@contextmanager
def _unique_guard(
    session: Session, slug: str | None, type_name: str | None, *, published: bool = False
) -> Iterator[None]:
    """Turn a unique violation into the core's error: SingleTypeTaken (a second document of
    a single type) or SlugTaken, in a savepoint so the transaction stays usable (the service
    may retry with another slug). Other integrity errors propagate.

    On PostgreSQL the violation of a concurrent writer's row is raised once that writer has
    committed (until then the insert waits for it), so a retry sees the row."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        if _is_single_type_violation(exc):
            raise SingleTypeTaken(
                f"'{type_name}' is a single type and already has its document"
                if type_name
                else None
            ) from exc
        if "slug" not in str(exc.orig).lower():
            raise
        where = "a published document" if published else "another document"
        raise SlugTaken(
            f"Slug '{slug}' is already used by {where} of this type"
            if slug
            else f"A slug is already used by {where} of its type",
            details=[FieldError("slug", "already taken")],
        ) from exc


def _document_values(document: Document, search_text: str) -> dict[str, Any]:
    return {
        "id": document.id,
        "space_id": document.space_id,
        "type": document.type,
        "slug": document.slug,
        "title": document.title,
        "data": document.data,
        "status": document.status.value,
        "version": document.version,
        "revision": document.revision,
        "author_id": document.author_id,
        "submitted_by": document.submitted_by,
        "created_via": document.created_via,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "published_at": document.published_at,
        "last_published_at": document.last_published_at,
        "published_revision": document.published_revision,
        "search_text": search_text,
    }


def _published_values(document: Document, search_text: str) -> dict[str, Any]:
    return {
        "document_id": document.id,
        "space_id": document.space_id,
        "type": document.type,
        "slug": document.slug,
        "title": document.title,
        "data": document.data,
        "revision": document.revision,
        "author_id": document.author_id,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "published_at": document.published_at or document.updated_at,
        "search_text": search_text,
    }


def _document(row: Any) -> Document:
    """From a DocumentRow or a Row of the documents table."""
    return Document(
        id=row.id,
        space_id=row.space_id,
        type=row.type,
        title=row.title,
        slug=row.slug,
        data=row.data,
        status=Status(row.status),
        version=row.version,
        revision=row.revision,
        author_id=row.author_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        last_published_at=row.last_published_at,
        published_revision=row.published_revision,
        submitted_by=row.submitted_by,
        created_via=row.created_via,
    )


def _published(row: Any) -> Document:
    return Document(
        id=row.document_id,
        space_id=row.space_id,
        type=row.type,
        title=row.title,
        slug=row.slug,
        data=row.data,
        status=Status.PUBLISHED,
        version=row.revision,
        revision=row.revision,
        author_id=row.author_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        last_published_at=row.published_at,
        published_revision=row.revision,
    )


def _from_row(row: Any, perspective: Perspective) -> Document:
    return _published(row) if perspective is Perspective.PUBLISHED else _document(row)


class SqlDocumentRepository:
    def __init__(self, session: Session, changed: PublishedChange = lambda _: None):
        self._session = session
        self._changed = changed
        # Documents inserted in this transaction and not published yet: they have no
        # published copy, full-text row or values to remove when they are published.
        self._never_published: set[UUID] = set()

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    # --- working copies ---------------------------------------------------------------------

    def get(self, space_id: UUID, document_id: UUID, *, for_update: bool = False) -> Document:
        """``for_update``: lock the row until the transaction ends, so concurrent writers
        queue and each reads the version the previous one wrote (PostgreSQL: FOR NO KEY
        UPDATE, the lock the UPDATE takes anyway, which leaves inserts of rows referencing
        the document free; SQLite's writers already hold the database's one write lock)."""
        statement = select(DocumentRow).where(
            DocumentRow.id == document_id, DocumentRow.space_id == space_id
        )
        if for_update:
            statement = statement.with_for_update(key_share=True).execution_options(
                populate_existing=True
            )
        row = self._session.scalar(statement)
        if row is None:
            raise DocumentNotFound()
        return _document(row)

    def find_single(self, space_id: UUID, type_name: str) -> Document | None:
        row = self._session.scalar(
            select(DocumentRow)
            .where(DocumentRow.space_id == space_id, DocumentRow.type == type_name)
            .order_by(DocumentRow.created_at)
            .limit(1)
        )
        return _document(row) if row else None

    def find_by_slug(
        self, space_id: UUID, type_name: str, slug: str, *, for_update: bool = False
    ) -> Document | None:
        statement = select(DocumentRow).where(
            DocumentRow.space_id == space_id,
            DocumentRow.type == type_name,
            DocumentRow.slug == slug,
        )
        if for_update:
            statement = statement.with_for_update(key_share=True).execution_options(
                populate_existing=True
            )
        row = self._session.scalar(statement)
        return _document(row) if row else None

    def slug_taken(self, space_id: UUID, type_name: str, slug: str, exclude: UUID | None) -> bool:
        query = select(DocumentRow.id).where(
            DocumentRow.space_id == space_id,
            DocumentRow.type == type_name,
            DocumentRow.slug == slug,
        )
        if exclude is not None:
            query = query.where(DocumentRow.id != exclude)
        return self._session.scalar(query.limit(1)) is not None

    def lock_slug(self, space_id: UUID, type_name: str, slug: str) -> None:
        """Hold, until the transaction ends, the lock on slugs generated from ``slug`` in the
        type: creates that derive slugs from one title queue here, so each sees the slugs
        the earlier ones stored (PostgreSQL: an advisory transaction lock; SQLite's writers
        already hold the database's one write lock)."""
        if self._dialect == "postgresql":
            key = f"slug:{space_id}:{type_name}:{slug}"
            self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))

    def _single_type(self, space_id: UUID, type_name: str) -> str | None:
        """``type_name`` if it names a single type, else None (the services hold the type's
        row share-locked while they store its documents, so its kind stays what this read)."""
        kind = self._session.scalar(
            select(ContentTypeRow.kind).where(
                ContentTypeRow.space_id == space_id, ContentTypeRow.name == type_name
            )
        )
        return type_name if kind == TypeKind.SINGLE.value else None

    def value_taken(
        self, space_id: UUID, type_name: str, field: str, value: Any, exclude: UUID | None
    ) -> bool:
        """Whether another document of the type holds ``value`` in ``field``.

        On PostgreSQL this first takes a transaction-scoped advisory lock on the value, so
        concurrent writers of one value queue here and the later one sees the earlier one's
        commit (SQLite's BEGIN IMMEDIATE already serialises writers).
        """
        if self._dialect == "postgresql":
            key = f"{space_id}:{type_name}:{field}:{value!r}"
            self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
        expr = queries.field_expr(self._dialect, queries.DOCUMENTS, field)
        bound = queries.json_value(self._dialect, value)
        query = select(DocumentRow.id).where(
            DocumentRow.space_id == space_id, DocumentRow.type == type_name, expr == bound
        )
        if exclude is not None:
            query = query.where(DocumentRow.id != exclude)
        return self._session.scalar(query.limit(1)) is not None

    def count(self, space_id: UUID, type_name: str) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(DocumentRow)
                .where(DocumentRow.space_id == space_id, DocumentRow.type == type_name)
            )
            or 0
        )

    def count_using_field(self, space_id: UUID, type_name: str, field: str) -> int:
        expr = queries.field_expr(self._dialect, queries.DOCUMENTS, field)
        condition: ColumnElement[bool] = expr.is_not(None)
        if self._dialect != "sqlite":
            condition = condition & (expr != text("'null'::jsonb"))
        return (
            self._session.scalar(
                select(func.count())
                .select_from(DocumentRow)
                .where(DocumentRow.space_id == space_id, DocumentRow.type == type_name, condition)
            )
            or 0
        )

    def field_values(
        self, space_id: UUID, type_name: str, field: str
    ) -> Iterator[tuple[UUID, Any]]:
        """(document id, value) of every working copy of the type that holds ``field``,
        streamed, with JSON types intact (SQLite's ``->`` yields JSON text, decoded here)."""
        # Bound parameters: the path is data, never SQL text.
        if self._dialect == "sqlite":
            path = literal(f"$.{field}")
            expr: ColumnElement[Any] = DocumentRow.data.op("->", return_type=Text())(path)
        else:
            expr = DocumentRow.data.op("->", return_type=JSONB())(literal(field))
        rows = self._session.execute(
            select(DocumentRow.id, expr)
            .where(DocumentRow.space_id == space_id, DocumentRow.type == type_name)
            .execution_options(yield_per=1000)
        )
        for document_id, value in rows:
            if self._dialect == "sqlite":
                value = None if value is None else orjson.loads(value)
            if value is not None:
                yield document_id, value

    def existing_ids(self, space_id: UUID, ids: Iterable[UUID], type_name: str | None) -> set[UUID]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        query = select(DocumentRow.id).where(
            DocumentRow.space_id == space_id, DocumentRow.id.in_(wanted)
        )
        if type_name is not None:
            query = query.where(DocumentRow.type == type_name)
        return set(self._session.scalars(query))

    def add(self, document: Document, search_text: str) -> None:
        """Raises SlugTaken when a concurrent writer took the slug first, SingleTypeTaken
        when one stored the document of a single type first."""
        single_type = self._single_type(document.space_id, document.type)
        row = DocumentRow(**_document_values(document, search_text), single_type=single_type)
        with _unique_guard(self._session, document.slug, document.type):
            self._session.add(row)
            self._session.flush()
        search.index(
            self._session,
            queries.DOCUMENTS,
            document.id,
            document.space_id,
            search_text,
            fresh=True,
        )
        list_values.replace(self._session, [document], list_values.WORKING, fresh=True)
        self._never_published.add(document.id)

    def add_many(self, documents: list[tuple[Document, str]]) -> None:
        """Insert many new documents in one statement (bulk import). Raises SlugTaken and
        SingleTypeTaken as ``add``."""
        if not documents:
            return
        types = {(d.space_id, d.type) for d, _ in documents}
        singles = {key: self._single_type(*key) for key in types}
        with _unique_guard(self._session, None, None):
            self._session.execute(
                insert(DocumentRow),
                [
                    {**_document_values(d, text_), "single_type": singles[(d.space_id, d.type)]}
                    for d, text_ in documents
                ],
            )
        search.index_many(
            self._session, queries.DOCUMENTS, [(d.id, d.space_id, t) for d, t in documents]
        )
        list_values.replace(
            self._session, [d for d, _ in documents], list_values.WORKING, fresh=True
        )

    def publish_many(self, documents: list[tuple[Document, str]]) -> None:
        """Publish many new (never published) documents at once (bulk import)."""
        if not documents:
            return
        for space_id in {d.space_id for d, _ in documents}:
            self._changed(space_id)
        self._session.execute(
            insert(PublishedDocumentRow),
            [_published_values(d, text_) for d, text_ in documents],
        )
        search.index_many(
            self._session, queries.PUBLISHED, [(d.id, d.space_id, t) for d, t in documents]
        )
        list_values.replace(
            self._session, [d for d, _ in documents], list_values.PUBLISHED, fresh=True
        )

    def save(self, document: Document, expected_version: int, search_text: str | None) -> bool:
        """Write ``document`` only if the stored version is still ``expected_version``.

        The version check and the write are one UPDATE, so of two concurrent saves from the
        same version exactly one succeeds; the other gets False and must report a conflict.
        """
        values = _document_values(document, search_text or "")
        for fixed in ("id", "space_id", "author_id", "created_via", "created_at", "search_text"):
            del values[fixed]
        if search_text is not None:
            values["search_text"] = search_text
        # A document moved to another type takes that type's single_type (both sides of a
        # SET read the row as it was, so ``DocumentRow.type`` is the type it had).
        values["single_type"] = case(
            (DocumentRow.type == document.type, DocumentRow.single_type),
            else_=select(ContentTypeRow.name)
            .where(
                ContentTypeRow.space_id == document.space_id,
                ContentTypeRow.name == document.type,
                ContentTypeRow.kind == TypeKind.SINGLE.value,
            )
            .scalar_subquery(),
        )
        with _unique_guard(self._session, document.slug, document.type):
            result = self._session.execute(
                update(DocumentRow)
                .where(
                    DocumentRow.id == document.id,
                    DocumentRow.space_id == document.space_id,
                    DocumentRow.version == expected_version,
                )
                .values(**values)
            )
        if not getattr(result, "rowcount", 0):
            return False
        if search_text is not None:  # the content changed
            search.index(
                self._session, queries.DOCUMENTS, document.id, document.space_id, search_text
            )
            list_values.replace(self._session, [document], list_values.WORKING, fresh=False)
        return True

    def delete(self, space_id: UUID, document_id: UUID) -> None:
        self._changed(space_id)
        search.unindex(self._session, queries.DOCUMENTS, document_id)
        search.unindex(self._session, queries.PUBLISHED, document_id)
        self._session.execute(
            delete(DocumentRow).where(
                DocumentRow.id == document_id, DocumentRow.space_id == space_id
            )
        )

    def delete_all_of_type(self, space_id: UUID, type_name: str) -> None:
        self._changed(space_id)
        ids = list(
            self._session.scalars(
                select(DocumentRow.id).where(
                    DocumentRow.space_id == space_id, DocumentRow.type == type_name
                )
            )
        )
        for document_id in ids:
            search.unindex(self._session, queries.DOCUMENTS, document_id)
            search.unindex(self._session, queries.PUBLISHED, document_id)
        self._session.execute(
            delete(DocumentRow).where(
                DocumentRow.space_id == space_id, DocumentRow.type == type_name
            )
        )

    # --- published copies -------------------------------------------------------------------

    def get_published(self, space_id: UUID, document_id: UUID) -> Document:
        row = self._session.scalar(
            select(PublishedDocumentRow).where(
                PublishedDocumentRow.document_id == document_id,
                PublishedDocumentRow.space_id == space_id,
            )
        )
        if row is None:
            raise DocumentNotFound()
        return _published(row)

    def find_published_single(self, space_id: UUID, type_name: str) -> Document | None:
        row = self._session.scalar(
            select(PublishedDocumentRow)
            .where(
                PublishedDocumentRow.space_id == space_id, PublishedDocumentRow.type == type_name
            )
            .limit(1)
        )
        return _published(row) if row else None

    def publish(self, document: Document, search_text: str) -> None:
        """Make ``document`` (its current content) what readers get. Raises SlugTaken when
        another published document of the type holds the slug."""
        if document.id in self._never_published:
            self._never_published.discard(document.id)
            self._changed(document.space_id)
        else:
            self.unpublish(document.space_id, document.id)
        row = PublishedDocumentRow(**_published_values(document, search_text))
        with _unique_guard(self._session, document.slug, document.type, published=True):
            self._session.add(row)
            self._session.flush()
        # It has no full-text row or values (removed above, or never had any)
        search.index(
            self._session,
            queries.PUBLISHED,
            document.id,
            document.space_id,
            search_text,
            fresh=True,
        )
        list_values.replace(self._session, [document], list_values.PUBLISHED, fresh=True)

    def unpublish(self, space_id: UUID, document_id: UUID) -> None:
        self._changed(space_id)
        search.unindex(self._session, queries.PUBLISHED, document_id)
        list_values.clear(self._session, [document_id], list_values.PUBLISHED)
        self._session.execute(
            delete(PublishedDocumentRow).where(
                PublishedDocumentRow.document_id == document_id,
                PublishedDocumentRow.space_id == space_id,
            )
        )
        self._session.flush()

    # --- queries ----------------------------------------------------------------------------

    def query(
        self, space_id: UUID, query: DocumentQuery, content_type: ContentType | None
    ) -> tuple[list[Document], int]:
        page, count = queries.build(self._dialect, space_id, query, content_type)
        ids = list(self._session.scalars(page))
        total = self._session.scalar(count) or 0
        perspective = query.perspective or Perspective.DRAFT  # the core has resolved it
        by_id = {d.id: d for d in self.get_many(space_id, ids, perspective)}
        return [by_id[i] for i in ids if i in by_id], total

    def published_batch(self, space_id: UUID, after: UUID | None, limit: int) -> list[Document]:
        """Published documents of the space in id order, ``limit`` after ``after``: a release
        build reads the whole space in batches, never all of it at once."""
        statement = select(PublishedDocumentRow).where(PublishedDocumentRow.space_id == space_id)
        if after is not None:
            statement = statement.where(PublishedDocumentRow.document_id > after)
        rows = self._session.scalars(
            statement.order_by(PublishedDocumentRow.document_id).limit(limit)
        )
        return [_published(r) for r in rows]

    def count_published(self, space_id: UUID) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(PublishedDocumentRow)
                .where(PublishedDocumentRow.space_id == space_id)
            )
            or 0
        )

    def drafts_of_types(self, space_id: UUID, type_names: Iterable[str]) -> list[UUID]:
        """Ids of the documents of ``type_names`` whose working copy is a draft (never
        published, or edited since): what a site publish publishes first."""
        names = list(type_names)
        if not names:
            return []
        return list(
            self._session.scalars(
                select(DocumentRow.id)
                .where(
                    DocumentRow.space_id == space_id,
                    DocumentRow.type.in_(names),
                    DocumentRow.status == Status.DRAFT.value,
                )
                .order_by(DocumentRow.id)
            )
        )

    def get_many(
        self, space_id: UUID, ids: Iterable[UUID], perspective: Perspective
    ) -> list[Document]:
        wanted = list(set(ids))
        if not wanted:
            return []
        table = queries.table_for(perspective)
        id_column = table.c.document_id if perspective is Perspective.PUBLISHED else table.c.id
        # Look up by primary key alone and drop other spaces' rows here: with a space_id
        # condition in SQL, SQLite may prefer a space index and scan the whole space.
        rows = self._session.execute(select(table).where(id_column.in_(wanted)))
        return [_from_row(r, perspective) for r in rows if r.space_id == space_id]


def _revision(row: RevisionRow) -> Revision:
    return Revision(
        id=row.id,
        document_id=row.document_id,
        number=row.number,
        title=row.title,
        slug=row.slug,
        data=row.data,
        status=Status(row.status),
        message=row.message,
        author_id=row.author_id,
        created_at=row.created_at,
    )


class SqlRevisionRepository:
    def __init__(self, session: Session):
        self._session = session

    def add_many(self, space_id: UUID, revisions: list[Revision]) -> None:
        if revisions:
            self._session.execute(
                insert(RevisionRow),
                [
                    {
                        "id": r.id,
                        "document_id": r.document_id,
                        "space_id": space_id,
                        "number": r.number,
                        "title": r.title,
                        "slug": r.slug,
                        "data": r.data,
                        "status": r.status.value,
                        "message": r.message,
                        "author_id": r.author_id,
                        "created_at": r.created_at,
                    }
                    for r in revisions
                ],
            )

    def add(self, space_id: UUID, revision: Revision) -> None:
        self.add_many(space_id, [revision])

    def list(self, document_id: UUID, limit: int, offset: int) -> tuple[list[Revision], int]:
        rows = self._session.scalars(
            select(RevisionRow)
            .where(RevisionRow.document_id == document_id)
            .order_by(RevisionRow.number.desc())
            .limit(limit)
            .offset(offset)
        )
        total = (
            self._session.scalar(
                select(func.count())
                .select_from(RevisionRow)
                .where(RevisionRow.document_id == document_id)
            )
            or 0
        )
        return [_revision(r) for r in rows], total

    def get(self, document_id: UUID, number: int) -> Revision | None:
        row = self._session.scalar(
            select(RevisionRow).where(
                RevisionRow.document_id == document_id, RevisionRow.number == number
            )
        )
        return _revision(row) if row else None


class SqlTransitionRepository:
    def __init__(self, session: Session):
        self._session = session

    def add_many(self, space_id: UUID, records: list[TransitionRecord]) -> None:
        if records:
            self._session.execute(
                insert(TransitionRow),
                [
                    {
                        "id": r.id,
                        "document_id": r.document_id,
                        "space_id": space_id,
                        "action": r.action.value,
                        "from_status": r.from_status.value,
                        "to_status": r.to_status.value,
                        "actor_id": r.actor_id,
                        "reason": r.reason,
                        "at": r.at,
                        "version": r.version,
                    }
                    for r in records
                ],
            )

    def add(self, space_id: UUID, record: TransitionRecord) -> None:
        self.add_many(space_id, [record])

    def list(self, document_id: UUID) -> list[TransitionRecord]:
        rows = self._session.scalars(
            select(TransitionRow)
            .where(TransitionRow.document_id == document_id)
            .order_by(TransitionRow.version, TransitionRow.at)
        )
        return [
            TransitionRecord(
                id=r.id,
                document_id=r.document_id,
                action=Action(r.action),
                from_status=Status(r.from_status),
                to_status=Status(r.to_status),
                actor_id=r.actor_id,
                reason=r.reason,
                at=r.at,
                version=r.version,
            )
            for r in rows
        ]
