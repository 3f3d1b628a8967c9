"""Typed SQLAlchemy 2 mappings: the tables. Repositories turn rows into core models.

The same tables run on SQLite and PostgreSQL; every schema change also gets an Alembic
migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLE_CHECK = "role IN ('admin', 'editor', 'viewer')"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class SpaceRow(Base):
    __tablename__ = "spaces"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_public_read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RefreshTokenRow(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The access token issued with this refresh token, so revoking the session can deny it.
    access_jti: Mapped[str | None] = mapped_column(String(64))
    access_expires_at: Mapped[datetime | None]


class RevokedAccessTokenRow(Base):
    """The deny-list: access tokens revoked before they expire (logout, a revoked session,
    a deactivated user). A row is useless once ``expires_at`` passes, and is swept then."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


# --- content ----------------------------------------------------------------------------------

JSONData = JSON().with_variant(JSONB(), "postgresql")


class ContentTypeRow(Base):
    __tablename__ = "content_types"
    __table_args__ = (UniqueConstraint("space_id", "name", name="uq_content_types_space_name"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONData)
    route_pattern: Mapped[str | None] = mapped_column(String(200))
    template: Mapped[str | None] = mapped_column(String(200))
    workflow: Mapped[str] = mapped_column(String(16))
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DocumentRow(Base):
    """The working copy of a document, with a pointer to its published revision."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("space_id", "type", "slug", name="uq_documents_space_type_slug"),
        # Sort indexes end with the id, the tie-breaker of every ordering, so a page is read
        # straight off the index; then the status, so the "not archived" test never reads
        # the row (whose JSON spills into overflow pages on SQLite).
        Index("ix_documents_space_type_updated", "space_id", "type", "updated_at", "id", "status"),
        Index(
            "ix_documents_space_type_published", "space_id", "type", "published_at", "id", "status"
        ),
        Index("ix_documents_space_type_created", "space_id", "type", "created_at", "id", "status"),
        Index("ix_documents_space_updated", "space_id", "updated_at", "id", "status"),
        Index("ix_documents_space_type_status", "space_id", "type", "status"),  # counts
        # A single type's one document: NULLs are distinct on both databases, so only the
        # documents of single types (single_type = their type) meet this index.
        Index("uq_documents_space_single_type", "space_id", "single_type", unique=True),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[UUID | None]
    submitted_by: Mapped[UUID | None]
    created_via: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    last_published_at: Mapped[datetime | None]
    published_revision: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The type's name while the type is single, else NULL (storage keeps it in step with
    # the type's kind): the database holds a single type to one document.
    single_type: Mapped[str | None] = mapped_column(String(64))


class PublishedDocumentRow(Base):
    """What readers get: each published document's published revision, kept as its own row
    so published reads never assemble it from history."""

    __tablename__ = "published_documents"
    __table_args__ = (
        UniqueConstraint("space_id", "type", "slug", name="uq_published_documents_space_type_slug"),
        Index(
            "ix_published_documents_space_type_published",
            "space_id",
            "type",
            "published_at",
            "document_id",
        ),
        Index(
            "ix_published_documents_space_type_updated",
            "space_id",
            "type",
            "updated_at",
            "document_id",
        ),
        Index(
            "ix_published_documents_space_type_created",
            "space_id",
            "type",
            "created_at",
            "document_id",
        ),
        Index("ix_published_documents_space_published", "space_id", "published_at", "document_id"),
    )

    document_id: Mapped[UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    revision: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    search_text: Mapped[str] = mapped_column(Text, default="")


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_revisions_document_number"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    document_id: Mapped[UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    slug: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[UUID | None]
    created_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    message: Mapped[str | None] = mapped_column(Text)


class TransitionRow(Base):
    __tablename__ = "document_transitions"
    __table_args__ = (Index("ix_document_transitions_document_at", "document_id", "at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    document_id: Mapped[UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[UUID | None]
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)  # the document's version after it


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("space_id", "actor_key", "key", name="uq_idempotency_keys_scope"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    actor_key: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSONData)
    created_at: Mapped[datetime] = mapped_column(index=True)


class DocumentValueRow(Base):
    """One element of a list field (tags, many-references) of a working ('d') or published
    ('p') document, so "list contains" filters use an index instead of scanning JSON."""

    __tablename__ = "document_values"
    __table_args__ = (
        Index(
            "ix_document_values_lookup",
            "space_id",
            "type",
            "source",
            "field",
            "value",
            "document_id",
        ),
    )

    source: Mapped[str] = mapped_column(String(1), primary_key=True)
    document_id: Mapped[UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))


# --- media ------------------------------------------------------------------------------------


class MediaAssetRow(Base):
    """One asset of a space. Bytes live in the blob store under ``sha256``; assets of any
    space with the same bytes share that blob. Pending rows wait for a direct upload."""

    __tablename__ = "media_assets"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'ready')", name="status"),
        Index("ix_media_assets_space_created", "space_id", "status", "created_at", "id"),
        Index("ix_media_assets_sha256", "sha256"),
        Index("ix_media_assets_upload_expires", "upload_expires_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    original_filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    focal_x: Mapped[float | None] = mapped_column(Float)
    focal_y: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    upload_key: Mapped[str | None] = mapped_column(String(64))
    upload_token_hash: Mapped[str | None] = mapped_column(String(64))
    upload_expires_at: Mapped[datetime | None]
    declared_size: Mapped[int | None] = mapped_column(BigInteger)
    declared_mime_type: Mapped[str | None] = mapped_column(String(127))


class MediaRenditionRow(Base):
    """A cached rendition (variant or on-the-fly transform) of a source blob. Derived from
    bytes alone, so shared by every asset with that blob."""

    __tablename__ = "media_renditions"

    source_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(127))
    created_at: Mapped[datetime]


# --- navigation and forms ---------------------------------------------------------------------


class MenuRow(Base):
    """A space's menu; ``items`` is the item tree, references stored as document ids."""

    __tablename__ = "menus"
    __table_args__ = (UniqueConstraint("space_id", "key", name="uq_menus_space_key"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONData)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FormRow(Base):
    __tablename__ = "forms"
    __table_args__ = (Index("ix_forms_space_created", "space_id", "created_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONData)
    honeypot: Mapped[str | None] = mapped_column(String(64))
    rate_limit: Mapped[str] = mapped_column(String(64))
    is_enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FormSubmissionRow(Base):
    __tablename__ = "form_submissions"
    __table_args__ = (Index("ix_form_submissions_form_created", "form_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    form_id: Mapped[UUID] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    created_at: Mapped[datetime]


JOB_STATUS_CHECK = "status IN ('queued', 'running', 'completed', 'failed')"


class JobRow(Base):
    """A background job (publish a release, ...) and its lease: claimed by one worker at a
    time, renewed while it runs, taken over by another worker when the lease lapses."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(JOB_STATUS_CHECK, name="status"),
        Index("ix_jobs_status_run_at", "status", "run_at"),
        Index("ix_jobs_space_created", "space_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONData)
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    progress_done: Mapped[int] = mapped_column(Integer)
    progress_total: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ReleaseRow(Base):
    """An immutable snapshot of a space's published site. ``hash`` is the SHA-256 of its
    manifest, whose file is the blob ``manifest_sha256``: the same content, the same hash."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("space_id", "number", name="uq_releases_space_number"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... in the space: orders them
    job_id: Mapped[UUID | None]
    hash: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    document_count: Mapped[int] = mapped_column(Integer)
    route_count: Mapped[int] = mapped_column(Integer)
    file_count: Mapped[int] = mapped_column(Integer)
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ReleaseRouteRow(Base):
    """One rendered route of a release, found by its path or by its document's id."""

    __tablename__ = "release_routes"
    __table_args__ = (Index("ix_release_routes_release_document", "release_id", "document_id"),)

    release_id: Mapped[UUID] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(1000), primary_key=True)
    document_id: Mapped[UUID | None]
    sha256: Mapped[str] = mapped_column(String(64))


class ActiveReleaseRow(Base):
    """The one active release of a space: activation and rollback swap this pointer."""

    __tablename__ = "active_releases"

    space_id: Mapped[UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    release_id: Mapped[UUID] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    activated_at: Mapped[datetime]
    activated_by: Mapped[str | None] = mapped_column(String(64))


class PreviewLinkRow(Base):
    """A preview link: the token's SHA-256 (never the token), its document and its expiry."""

    __tablename__ = "preview_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    space_id: Mapped[UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class PublishGenerationRow(Base):
    """A counter per space, raised by every commit that changes what published reads
    answer (a publish, an unpublish, an activation, a type or media change): caches of
    published reads in any process are keyed by it, so none serves a stale answer."""

    __tablename__ = "publish_generations"

    space_id: Mapped[UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(BigInteger)


class CacheGenerationRow(Base):
    """Named counters that in-process caches are checked against. ``auth`` is raised by
    every commit that changes who a bearer token is or what it may do (a role, a
    deactivation, a revoked token or session, a space's settings), so cached actors in every
    process are resolved again (``storage/freshness.py``)."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
