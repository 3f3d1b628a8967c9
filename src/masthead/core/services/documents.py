"""Documents: create, edit, read, delete, and single-type documents ("singletons").

Every successful content write appends a revision and bumps the version; a write that names
a stale version fails with StaleVersion and changes nothing. Status changes go through the
workflow service, so a write that also asks for a status runs the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from masthead.core import access, slugs
from masthead.core.access import Permission
from masthead.core.content import (
    check_media_references,
    check_references,
    check_title_sent,
    derive_title,
    normalize_datetimes,
    normalize_unique_text,
    resolve_upload_references,
    search_text,
    validate_content,
)
from masthead.core.content_types import ContentType, TypeKind
from masthead.core.documents import Document, Perspective, Revision
from masthead.core.errors import (
    DocumentNotFound,
    ErrorKind,
    FieldError,
    Invalid,
    SingleTypeTaken,
    SlugTaken,
    StaleVersion,
    UniqueValueTaken,
)
from masthead.core.listing import default_perspective
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services import workflow as workflow_service
from masthead.core.services.content_types import load_type
from masthead.core.storable import require_storable
from masthead.core.workflow import Action, Status, actor_key, status_after_edit

ExistingIds = Callable[[Iterable[UUID], str | None], set[UUID]]
DEFAULT_TYPE = "page"
SLUG_RETRIES = 3
DEFAULT_TITLE = "Untitled"


@dataclass(frozen=True)
class DocumentInput:
    """Content sent by a caller. ``None`` means "not sent"; ``data`` holds the type's fields
    (``title`` and ``slug`` may also arrive inside it, as some dialects send them)."""

    type: str | None = None
    title: str | None = None
    slug: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    status: Status | None = None

    @property
    def changes_content(self) -> bool:
        return any(v is not None for v in (self.type, self.title, self.slug)) or bool(self.data)


@dataclass(frozen=True)
class DocumentWrite:
    document: Document
    revision: Revision


def require_read(actor: Actor, perspective: Perspective) -> None:
    access.require(
        actor, Permission.READ if perspective is Perspective.DRAFT else Permission.READ_PUBLISHED
    )


def type_for_write(uow: UnitOfWork, space_id: UUID, name: str, *, lock: bool = True) -> ContentType:
    """The type a document is stored as. ``lock``: keep the type from changing until the
    transaction ends, so a type cannot turn single while a document of it is being stored.
    Lock before reading documents: a change of the type holds its lock while it updates
    them. Raises Invalid (no such type)."""
    content_type = uow.content_types.find(space_id, name, for_share=lock)
    if content_type is None:
        raise Invalid(
            f"Unknown content type '{name}'",
            details=[FieldError("type", f"unknown content type '{name}'")],
        )
    return content_type


def split_input(inp: DocumentInput) -> tuple[str | None, str | None, dict[str, Any]]:
    data = dict(inp.data)
    title = inp.title if inp.title is not None else data.pop("title", None)
    slug = inp.slug if inp.slug is not None else data.pop("slug", None)
    data.pop("title", None)
    data.pop("slug", None)
    details = [
        FieldError(name, "must be a string", ErrorKind.TYPE, {"expected": "string", "value": value})
        for name, value in (("title", title), ("slug", slug))
        if value is not None and not isinstance(value, str)
    ]
    if details:
        raise Invalid("Validation failed", details=details)
    return title, slug, data


def _choose_slug(
    uow: UnitOfWork,
    space_id: UUID,
    type_name: str,
    title: str,
    requested: str | None,
    exclude: UUID | None,
    also_taken: Callable[[str], bool] | None = None,
) -> str:
    """The requested slug if valid and free, else one made unique from the title.
    ``also_taken``: slugs claimed but not yet stored (the earlier documents of an import).

    Writers generating slugs from one title queue on a lock until the earlier ones commit,
    so each sees the slugs taken before it. A batch import, which checks its own claims,
    takes no such locks (a batch would hold one per title)."""

    def taken(candidate: str) -> bool:
        return (also_taken is not None and also_taken(candidate)) or uow.documents.slug_taken(
            space_id, type_name, candidate, exclude
        )

    if requested is not None:
        if not slugs.is_valid_slug(requested):
            raise Invalid(
                "Invalid slug",
                details=[
                    FieldError("slug", "use letters, digits and single hyphens", ErrorKind.PATTERN)
                ],
            )
        if taken(requested):
            raise SlugTaken(
                f"Slug '{requested}' is already used by another {type_name}",
                details=[FieldError("slug", "already taken", ErrorKind.UNIQUE)],
            )
        return requested
    base = slugs.slugify(title)
    if also_taken is None:
        uow.documents.lock_slug(space_id, type_name, base)
    return slugs.unique_slug(base, taken)


@dataclass
class Claims:
    """What documents built earlier in the same transaction claim but have not stored yet
    (a batch import): single types, slugs and unique values, per type."""

    singles: set[str] = field(default_factory=set)
    slugs: set[tuple[str, str]] = field(default_factory=set)
    values: set[tuple[str, str, str]] = field(default_factory=set)

    def claim(self, content_type: ContentType, document: Document) -> None:
        self.singles.add(content_type.name)
        self.slugs.add((content_type.name, document.slug))
        for field_def in content_type.fields:
            value = document.data.get(field_def.name)
            if field_def.unique and value is not None:
                self.values.add((content_type.name, field_def.name, _canonical(value)))

    def has_value(self, type_name: str, field_name: str, value: Any) -> bool:
        return (type_name, field_name, _canonical(value)) in self.values


def _canonical(value: Any) -> str:
    return repr(value)


def _check_unique(
    uow: UnitOfWork,
    content_type: ContentType,
    data: dict[str, Any],
    exclude: UUID | None,
    claims: Claims | None = None,
) -> None:
    for field_def in content_type.fields:
        value = data.get(field_def.name)
        if (
            field_def.unique
            and value is not None
            and (
                (claims is not None and claims.has_value(content_type.name, field_def.name, value))
                or uow.documents.value_taken(
                    content_type.space_id, content_type.name, field_def.name, value, exclude
                )
            )
        ):
            raise UniqueValueTaken(
                f"Another {content_type.name} already has this {field_def.name}",
                details=[FieldError(field_def.name, "must be unique", ErrorKind.UNIQUE)],
            )


def prepare_content(
    uow: UnitOfWork,
    content_type: ContentType,
    title: str,
    slug: str,
    data: dict[str, Any],
    exclude: UUID | None,
    existing: ExistingIds | None = None,
    claims: Claims | None = None,
) -> dict[str, Any]:
    """Validate and normalise content; ``existing`` answers which referenced ids exist
    (default: ask storage); ``claims``: unique values taken earlier in this transaction."""
    require_storable({"title": title, "slug": slug, **data}, root="data")
    data = resolve_upload_references(content_type, data, _asset_by_hash(uow, content_type))
    data = normalize_unique_text(content_type, data)
    validate_content(content_type, title, slug, data)
    data = normalize_datetimes(content_type, data)
    check_references(
        content_type,
        data,
        existing
        or (lambda ids, target: uow.documents.existing_ids(content_type.space_id, ids, target)),
    )
    check_media_references(
        content_type,
        data,
        lambda ids: {asset.id for asset in uow.media.get_many(content_type.space_id, ids)},
    )
    _check_unique(uow, content_type, data, exclude, claims)
    return data


def _asset_by_hash(uow: UnitOfWork, content_type: ContentType) -> Callable[[str], UUID | None]:
    def find(sha256: str) -> UUID | None:
        asset = uow.media.find_by_hash(content_type.space_id, sha256)
        return asset.id if asset is not None else None

    return find


def new_revision(document: Document, actor: Actor, message: str | None) -> Revision:
    """The revision recording ``document``'s current content (not yet stored)."""
    return Revision.of(document, actor_key(actor), message, document.updated_at)


def append_revision(
    uow: UnitOfWork, document: Document, actor: Actor, message: str | None
) -> Revision:
    revision = new_revision(document, actor, message)
    uow.revisions.add(document.space_id, revision)
    return revision


def check_initial_status(status: Status | None) -> None:
    if status in {Status.APPROVED, Status.ARCHIVED}:
        raise Invalid(
            f"A new document cannot start as {status.value}",
            details=[FieldError("status", "use draft, in_review or published", ErrorKind.ENUM)],
        )


def plan_document(
    uow: UnitOfWork,
    actor: Actor,
    content_type: ContentType,
    inp: DocumentInput,
    now: datetime,
    *,
    claims: Claims | None = None,
    existing: ExistingIds | None = None,
) -> Document:
    """A new draft document (revision 1) of ``content_type``, validated but not stored: the
    one way documents are built, whether created one by one or imported in batches.

    ``claims``: what documents built earlier in the same transaction took (single types,
    slugs, unique values); the new document's claims are added to it. Raises Invalid,
    SlugTaken, UniqueValueTaken, SingleTypeTaken."""
    if content_type.kind is TypeKind.SINGLE and (
        (claims is not None and content_type.name in claims.singles)
        or uow.documents.find_single(actor.space_id, content_type.name)
    ):
        raise _single_type_taken(content_type.name)
    title, slug, data = split_input(inp)
    data = {**content_type.defaults(), **{k: v for k, v in data.items() if v is not None}}
    check_title_sent(content_type, title, data)
    if title is None:
        title = derive_title(content_type, data, DEFAULT_TITLE)
    pending = (lambda s: (content_type.name, s) in claims.slugs) if claims is not None else None
    slug = _choose_slug(uow, actor.space_id, content_type.name, title, slug, None, pending)
    data = prepare_content(uow, content_type, title, slug, data, None, existing, claims)
    document = Document(
        id=uuid4(),
        space_id=actor.space_id,
        type=content_type.name,
        title=title,
        slug=slug,
        data=data,
        status=Status.DRAFT,
        version=1,
        revision=1,
        author_id=actor_key(actor),
        created_at=now,
        updated_at=now,
        published_at=None,
        published_revision=None,
        created_via=actor.via,
    )
    if claims is not None:
        claims.claim(content_type, document)
    return document


def _single_type_taken(type_name: str) -> SingleTypeTaken:
    return SingleTypeTaken(f"'{type_name}' is a single type and already has its document")


def create_document(
    uow: UnitOfWork, clock: Clock, actor: Actor, inp: DocumentInput
) -> DocumentWrite:
    """Create a document (revision 1). Raises Forbidden, Invalid, SlugTaken, UniqueValueTaken,
    SingleTypeTaken (also when a concurrent create of the type's document commits first)."""
    access.require(actor, Permission.WRITE)
    check_initial_status(inp.status)
    with uow:
        content_type = type_for_write(uow, actor.space_id, inp.type or DEFAULT_TYPE)
        document = plan_document(uow, actor, content_type, inp, clock())
        text = search_text(content_type, document.title, document.data)
        # Created to be published at once: the published state is planned first (the publish
        # permission and the state machine checked as for any publish) and inserted as it
        # is, rather than inserted as a draft and updated; the same rows either way.
        published = None
        if inp.status is Status.PUBLISHED:
            published = workflow_service.plan_action(
                actor, document, content_type, Action.PUBLISH, None, clock()
            )
        for attempt in range(SLUG_RETRIES):
            try:
                uow.documents.add(published[0] if published else document, text)
                break
            except SlugTaken:
                # A concurrent writer took the generated slug: take the next free one.
                if inp.slug is not None or attempt == SLUG_RETRIES - 1:
                    raise
                slug = _choose_slug(
                    uow, actor.space_id, content_type.name, document.title, None, None
                )
                document = document.model_copy(update={"slug": slug})
                if published is not None:
                    published = (published[0].model_copy(update={"slug": slug}), published[1])
        revision = append_revision(uow, document, actor, None)
        if published is not None:
            document, record = published
            uow.documents.publish(document, text)
            uow.transitions.add(actor.space_id, record)
        elif inp.status is not None and inp.status is not Status.DRAFT:
            document = workflow_service.move_towards(
                uow, clock, actor, document, content_type, inp.status, None
            )
        uow.commit()
    return DocumentWrite(document, revision)


def update_document(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    document_id: UUID,
    inp: DocumentInput,
    *,
    expected_version: int | None = None,
    replace: bool = False,
) -> DocumentWrite:
    """Change a document's content (PATCH: only the keys sent; ``replace``: the whole data).

    Appends a revision and returns the working copy to draft; the published revision stays
    what readers get. Without ``expected_version`` the change applies to the latest version:
    concurrent writers queue on the document instead of failing. Raises Forbidden,
    DocumentNotFound, StaleVersion, Invalid, SlugTaken, SingleTypeTaken, IllegalTransition.
    """
    access.require(actor, Permission.WRITE)
    with uow:
        current = uow.documents.get(actor.space_id, document_id, for_update=True)
        if expected_version is not None and expected_version != current.version:
            raise StaleVersion(
                f"Version {expected_version} is stale; the document is at version {current.version}"
            )
        if not inp.changes_content and inp.status is not None:
            document = workflow_service.move_towards(
                uow, clock, actor, current, None, inp.status, None
            )
            revision = uow.revisions.get(document.id, document.revision)
            uow.commit()
            if revision is None:  # pragma: no cover - every document has its revisions
                raise StaleVersion()
            return DocumentWrite(document, revision)
        document, revision = write_content(uow, clock, actor, current, inp, replace, None)
        if inp.status is not None and inp.status is not document.status:
            document = workflow_service.move_towards(
                uow, clock, actor, document, None, inp.status, None
            )
        uow.commit()
    return DocumentWrite(document, revision)


def write_content(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    current: Document,
    inp: DocumentInput,
    replace: bool,
    message: str | None,
) -> tuple[Document, Revision]:
    """Store new content for ``current`` inside the caller's unit of work (no commit) and
    append its revision. ``current`` was read with its row locked, so the conditional save
    cannot miss."""
    status = status_after_edit(current.status)
    # A move to another type locks that type as a create does. The document's own type is
    # not locked: a change of it waits for this document's row, held here.
    type_name = inp.type or current.type
    content_type = type_for_write(uow, actor.space_id, type_name, lock=type_name != current.type)
    if (
        content_type.kind is TypeKind.SINGLE
        and content_type.name != current.type
        and uow.documents.find_single(actor.space_id, content_type.name)
    ):
        raise _single_type_taken(content_type.name)
    title, slug, sent = split_input(inp)
    # PATCH keeps what was not sent; a replace starts again from the type's defaults.
    data = {**content_type.defaults(), **sent} if replace else {**current.data, **sent}
    data = {k: v for k, v in data.items() if v is not None}
    if replace:  # a replacement without the title a type requires lacks it
        check_title_sent(content_type, title, data)
    title = title if title is not None else current.title
    if slug is None and content_type.name == current.type:
        slug = current.slug
    slug = _choose_slug(uow, actor.space_id, content_type.name, title, slug, current.id)
    data = prepare_content(uow, content_type, title, slug, data, current.id)
    document = current.model_copy(
        update={
            "type": content_type.name,
            "title": title,
            "slug": slug,
            "data": data,
            "status": status,
            "version": current.version + 1,
            "revision": current.revision + 1,
            "updated_at": clock(),
            "submitted_by": None if status is Status.DRAFT else current.submitted_by,
        }
    )
    if not uow.documents.save(document, current.version, search_text(content_type, title, data)):
        raise StaleVersion()
    revision = append_revision(uow, document, actor, message)
    return document, revision


def restore_content(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    current: Document,
    source: Revision,
) -> tuple[Document, Revision]:
    """Append a revision carrying ``source``'s content (used by restore and revert)."""
    inp = DocumentInput(title=source.title, slug=source.slug, data=dict(source.data))
    return write_content(
        uow, clock, actor, current, inp, True, f"Restored from revision {source.number}"
    )


def get_document(
    uow: UnitOfWork, actor: Actor, document_id: UUID, perspective: Perspective | None = None
) -> Document:
    """Raises Forbidden, DocumentNotFound (also for documents never published, when reading
    the published perspective)."""
    perspective = perspective or default_perspective(actor)
    require_read(actor, perspective)
    with uow:
        return load_document(uow, actor.space_id, document_id, perspective)


def require_live_document(
    uow: UnitOfWork,
    actor: Actor,
    document_id: UUID,
    *,
    permission: Permission = Permission.READ,
    types: Collection[str] | None = None,
) -> Document:
    """Check ``permission`` first (a viewer's write is 403 whatever the id), then return the
    working copy if it is live and, with ``types``, of one of them. To an API without an
    archive and with a fixed set of types (Toast), an archived document or one of another
    type is as absent as a deleted one. Raises Forbidden, DocumentNotFound."""
    access.require(actor, permission)
    with uow:
        document = uow.documents.get(actor.space_id, document_id)
    if document.status is Status.ARCHIVED or (types is not None and document.type not in types):
        raise DocumentNotFound()
    return document


def load_document(
    uow: UnitOfWork, space_id: UUID, document_id: UUID, perspective: Perspective
) -> Document:
    """The document as ``perspective`` sees it, inside an open unit of work (no access check).
    Raises DocumentNotFound."""
    if perspective is Perspective.PUBLISHED:
        return uow.documents.get_published(space_id, document_id)
    return uow.documents.get(space_id, document_id)


def delete_document(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, *, permanent: bool = False
) -> Document | None:
    """Soft delete (archive; restorable) or, with ``permanent``, delete for good.

    Returns the archived document, or None when deleted for good. Raises Forbidden,
    DocumentNotFound, IllegalTransition.
    """
    if not permanent:
        return workflow_service.archive(uow, clock, actor, document_id)
    access.require(actor, Permission.DELETE)
    with uow:
        uow.documents.get(actor.space_id, document_id)
        uow.documents.delete(actor.space_id, document_id)
        uow.commit()
    return None


# --- single types -----------------------------------------------------------------------------


def _single_type(uow: UnitOfWork, space_id: UUID, name: str) -> ContentType:
    content_type = load_type(uow, space_id, name)
    if content_type.kind is not TypeKind.SINGLE:
        raise Invalid(
            f"'{name}' is a collection type, not a single type",
            details=[FieldError("type", "not a single type")],
        )
    return content_type


def get_singleton(
    uow: UnitOfWork, actor: Actor, type_name: str, perspective: Perspective | None = None
) -> Document:
    """Raises Forbidden, ContentTypeNotFound, Invalid, DocumentNotFound."""
    perspective = perspective or default_perspective(actor)
    require_read(actor, perspective)
    with uow:
        _single_type(uow, actor.space_id, type_name)
        if perspective is Perspective.PUBLISHED:
            document = uow.documents.find_published_single(actor.space_id, type_name)
        else:
            document = uow.documents.find_single(actor.space_id, type_name)
    if document is None:
        raise DocumentNotFound(f"'{type_name}' has no document yet")
    return document


def put_singleton(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, inp: DocumentInput
) -> DocumentWrite:
    """Create or replace the document of a single type. Of concurrent first PUTs, one
    creates the document and the others replace it. Raises as create_document and
    update_document."""
    typed = DocumentInput(
        type=type_name, title=inp.title, slug=inp.slug, data=inp.data, status=inp.status
    )
    try:
        return _put_singleton_once(uow, clock, actor, type_name, typed)
    except SingleTypeTaken:
        # Another PUT created the document after we looked: replace what it stored.
        return _put_singleton_once(uow, clock, actor, type_name, typed)


def _put_singleton_once(
    uow: UnitOfWork, clock: Clock, actor: Actor, type_name: str, typed: DocumentInput
) -> DocumentWrite:
    with uow:
        _single_type(uow, actor.space_id, type_name)
        existing = uow.documents.find_single(actor.space_id, type_name)
    if existing is None:
        return create_document(uow, clock, actor, typed)
    return update_document(uow, clock, actor, existing.id, typed, replace=True)


def delete_singleton(uow: UnitOfWork, actor: Actor, type_name: str) -> None:
    """Delete a single type's document for good. Raises Forbidden, DocumentNotFound."""
    access.require(actor, Permission.DELETE)
    with uow:
        _single_type(uow, actor.space_id, type_name)
        existing = uow.documents.find_single(actor.space_id, type_name)
        if existing is None:
            raise DocumentNotFound(f"'{type_name}' has no document yet")
        uow.documents.delete(actor.space_id, existing.id)
        uow.commit()
