"""Media assets and renditions: rows ↔ core models, list queries, blob locks, references."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Text, cast, delete, func, literal, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.errors import MediaNotFound
from masthead.core.media import (
    MediaAsset,
    MediaQuery,
    MediaSort,
    MediaStatus,
    Rendition,
    UploadTicket,
)
from masthead.core.transforms import FocalPoint
from masthead.storage import folding, queries
from masthead.storage.repositories.generations import PublishedChange
from masthead.storage.tables import MediaAssetRow, MediaRenditionRow

_SORT_COLUMNS = {
    MediaSort.CREATED_AT: MediaAssetRow.created_at,
    MediaSort.UPDATED_AT: MediaAssetRow.updated_at,
    MediaSort.FILENAME: MediaAssetRow.filename,
    MediaSort.SIZE: MediaAssetRow.size,
    MediaSort.MIME_TYPE: MediaAssetRow.mime_type,
}


def _asset(row: MediaAssetRow) -> MediaAsset:
    upload = None
    if row.upload_key and row.upload_token_hash and row.upload_expires_at:
        upload = UploadTicket(
            temp_key=row.upload_key,
            token_hash=row.upload_token_hash,
            expires_at=row.upload_expires_at,
            declared_size=row.declared_size,
            declared_mime_type=row.declared_mime_type,
        )
    focal = None
    if row.focal_x is not None and row.focal_y is not None:
        focal = FocalPoint(row.focal_x, row.focal_y)
    return MediaAsset(
        id=row.id,
        space_id=row.space_id,
        status=MediaStatus(row.status),
        filename=row.filename,
        original_filename=row.original_filename,
        mime_type=row.mime_type,
        size=row.size,
        sha256=row.sha256,
        width=row.width,
        height=row.height,
        alt=row.alt,
        title=row.title,
        caption=row.caption,
        description=row.description,
        focal_point=focal,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        upload=upload,
    )


def _values(asset: MediaAsset) -> dict[str, Any]:
    upload = asset.upload
    return {
        "id": asset.id,
        "space_id": asset.space_id,
        "status": asset.status.value,
        "filename": asset.filename,
        "original_filename": asset.original_filename,
        "mime_type": asset.mime_type,
        "size": asset.size,
        "sha256": asset.sha256,
        "width": asset.width,
        "height": asset.height,
        "alt": asset.alt,
        "title": asset.title,
        "caption": asset.caption,
        "description": asset.description,
        "focal_x": asset.focal_point.x if asset.focal_point else None,
        "focal_y": asset.focal_point.y if asset.focal_point else None,
        "created_by": asset.created_by,
        "created_at": asset.created_at,
        "updated_at": asset.updated_at,
        "upload_key": upload.temp_key if upload else None,
        "upload_token_hash": upload.token_hash if upload else None,
        "upload_expires_at": upload.expires_at if upload else None,
        "declared_size": upload.declared_size if upload else None,
        "declared_mime_type": upload.declared_mime_type if upload else None,
    }


class SqlMediaRepository:
    def __init__(self, session: Session, changed: PublishedChange = lambda _: None):
        self._session = session
        self._changed = changed  # media shown in published reads (expand, URLs) changed
        self._dialect = session.get_bind().dialect.name

    # --- assets ---------------------------------------------------------------------------

    def add(self, asset: MediaAsset) -> None:
        self._session.add(MediaAssetRow(**_values(asset)))
        self._session.flush()

    def find(
        self, space_id: UUID, media_id: UUID, *, for_update: bool = False
    ) -> MediaAsset | None:
        """``for_update``: lock the row until commit (PostgreSQL), so a read-modify-write of
        it never overwrites a concurrent one (SQLite writers are serialised already)."""
        row = self._session.get(MediaAssetRow, media_id, with_for_update=for_update)
        return _asset(row) if row is not None and row.space_id == space_id else None

    def get(self, space_id: UUID, media_id: UUID, *, for_update: bool = False) -> MediaAsset:
        asset = self.find(space_id, media_id, for_update=for_update)
        if asset is None:
            raise MediaNotFound()
        return asset

    def find_any_space(self, media_id: UUID) -> MediaAsset | None:
        """For the direct-upload PUT, which carries an upload token rather than a space."""
        row = self._session.get(MediaAssetRow, media_id)
        return _asset(row) if row is not None else None

    def get_many(self, space_id: UUID, ids: Iterable[UUID]) -> list[MediaAsset]:
        wanted = list(set(ids))
        if not wanted:
            return []
        rows = self._session.scalars(
            select(MediaAssetRow).where(
                MediaAssetRow.id.in_(wanted),
                MediaAssetRow.space_id == space_id,
                MediaAssetRow.status == MediaStatus.READY.value,
            )
        )
        return [_asset(row) for row in rows]

    def finish_upload(self, asset: MediaAsset, token_hash: str) -> bool:
        """Store the finalized asset only if it is still pending under ``token_hash``; False
        when a concurrent finalize (or an expiry sweep) got there first."""
        values = _values(asset)
        del values["id"], values["space_id"], values["created_at"], values["created_by"]
        result = self._session.execute(
            update(MediaAssetRow)
            .where(
                MediaAssetRow.id == asset.id,
                MediaAssetRow.status == MediaStatus.PENDING.value,
                MediaAssetRow.upload_token_hash == token_hash,
            )
            .values(**values)
            .returning(MediaAssetRow.id)
        )
        return result.first() is not None

    def update(self, asset: MediaAsset) -> None:
        self._changed(asset.space_id)
        values = _values(asset)
        del values["id"], values["space_id"]
        self._session.execute(
            update(MediaAssetRow)
            .where(MediaAssetRow.id == asset.id, MediaAssetRow.space_id == asset.space_id)
            .values(**values)
        )

    def delete(self, space_id: UUID, media_id: UUID) -> None:
        self._changed(space_id)
        self._session.execute(
            delete(MediaAssetRow).where(
                MediaAssetRow.id == media_id, MediaAssetRow.space_id == space_id
            )
        )

    def query(self, space_id: UUID, query: MediaQuery) -> tuple[list[MediaAsset], int]:
        conditions: list[Any] = [
            MediaAssetRow.space_id == space_id,
            MediaAssetRow.status == MediaStatus.READY.value,
        ]
        if query.mime_type:
            wanted = query.mime_type.lower()
            if "/" in wanted and not wanted.endswith("/"):
                conditions.append(MediaAssetRow.mime_type == wanted)
            else:
                prefix = wanted.rstrip("/") + "/"
                conditions.append(
                    MediaAssetRow.mime_type.like(f"{queries.escape_like(prefix)}%", escape="\\")
                )
        if query.search:
            # Case- and accent-insensitive, as document filters (storage/folding.py).
            dialect = self._session.get_bind().dialect.name
            conditions.append(
                or_(
                    *(
                        folding.contains(dialect, column, query.search)
                        for column in (
                            MediaAssetRow.filename,
                            MediaAssetRow.original_filename,
                            MediaAssetRow.alt,
                            MediaAssetRow.title,
                        )
                    )
                )
            )
        total = self._session.scalar(select(func.count()).where(*conditions)) or 0
        column = _SORT_COLUMNS[query.sort]
        order = (
            [column.desc(), MediaAssetRow.id.desc()]
            if query.descending
            else [column, MediaAssetRow.id]
        )
        rows = self._session.scalars(
            select(MediaAssetRow)
            .where(*conditions)
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        )
        return [_asset(row) for row in rows], total

    def find_by_hash(self, space_id: UUID, sha256: str) -> MediaAsset | None:
        """The space's newest ready asset with these bytes (upload hash references)."""
        return self._newest_ready(
            MediaAssetRow.created_at,
            MediaAssetRow.sha256 == sha256,
            MediaAssetRow.space_id == space_id,
        )

    def find_served(self, sha256: str, filename: str) -> MediaAsset | None:
        """A ready asset (any space) with these bytes and this name: what a public URL names."""
        return self._newest_ready(
            MediaAssetRow.updated_at,
            MediaAssetRow.sha256 == sha256,
            MediaAssetRow.filename == filename,
        )

    def _newest_ready(self, newest_by: Any, *conditions: Any) -> MediaAsset | None:
        row = self._session.scalar(
            select(MediaAssetRow)
            .where(*conditions, MediaAssetRow.status == MediaStatus.READY.value)
            .order_by(newest_by.desc())
            .limit(1)
        )
        return _asset(row) if row is not None else None

    def expired_uploads(self, before: datetime, limit: int) -> list[MediaAsset]:
        rows = self._session.scalars(
            select(MediaAssetRow)
            .where(
                MediaAssetRow.status == MediaStatus.PENDING.value,
                MediaAssetRow.upload_expires_at < before,
            )
            .limit(limit)
        )
        return [_asset(row) for row in rows]

    # --- blobs ----------------------------------------------------------------------------

    def lock_blob(self, sha256: str) -> None:
        """Serialise writers that add or remove users of one blob, so a blob is never removed
        while an asset is being stored over it. PostgreSQL: an advisory lock on the hash.
        SQLite: the write transaction itself, which must start here (BEGIN IMMEDIATE runs at
        the first statement, and the caller's next step may be a check of the blob store)."""
        if self._dialect == "postgresql":
            key = f"blob:{sha256}"
            self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
        else:
            self._session.execute(select(literal(1)))

    def blob_in_use(self, sha256: str) -> bool:
        """Whether any asset (any space) or rendition is stored as this blob."""
        as_asset = select(MediaAssetRow.id).where(MediaAssetRow.sha256 == sha256).limit(1)
        as_rendition = (
            select(MediaRenditionRow.key).where(MediaRenditionRow.sha256 == sha256).limit(1)
        )
        return (
            self._session.scalar(as_asset) is not None
            or self._session.scalar(as_rendition) is not None
        )

    # --- renditions -----------------------------------------------------------------------

    def find_rendition(self, source_sha256: str, key: str) -> Rendition | None:
        row = self._session.get(MediaRenditionRow, (source_sha256, key))
        return _rendition(row) if row is not None else None

    def add_rendition(self, rendition: Rendition, at: datetime) -> None:
        """Record a rendition; a concurrent render of the same one already recorded wins."""
        insert = sqlite_insert if self._dialect == "sqlite" else pg_insert
        self._session.execute(
            insert(MediaRenditionRow)
            .values(
                source_sha256=rendition.source_sha256,
                key=rendition.key,
                sha256=rendition.sha256,
                size=rendition.size,
                width=rendition.width,
                height=rendition.height,
                mime_type=rendition.mime_type,
                created_at=at,
            )
            .on_conflict_do_nothing()
        )

    def count_renditions(self, source_sha256: str) -> int:
        query = select(func.count()).where(MediaRenditionRow.source_sha256 == source_sha256)
        return self._session.scalar(query) or 0

    def renditions_of(self, source_sha256: str) -> list[Rendition]:
        rows = self._session.scalars(
            select(MediaRenditionRow).where(MediaRenditionRow.source_sha256 == source_sha256)
        )
        return [_rendition(row) for row in rows]

    def delete_renditions_of(self, source_sha256: str) -> None:
        self._session.execute(
            delete(MediaRenditionRow).where(MediaRenditionRow.source_sha256 == source_sha256)
        )

    # --- references -----------------------------------------------------------------------

    def count_references(
        self,
        space_id: UUID,
        media_id: UUID,
        fields: dict[str, list[str]],
        scanned: list[str],
        needles: list[str],
    ) -> int:
        """Documents (working or published copies) that reference an asset: through a media
        field holding ``media_id`` (``fields``: type → field names; indexed), or anywhere in
        the content of the ``scanned`` types (blocks, rich text, JSON) whose text contains
        one of ``needles`` (the asset's id, its URL path)."""
        selects = []
        for table in (queries.DOCUMENTS, queries.PUBLISHED):
            conditions = [
                (table.c.type == type_name)
                & or_(
                    *(
                        queries.field_expr(self._dialect, table, name)
                        == queries.json_value(self._dialect, str(media_id))
                        for name in names
                    )
                )
                for type_name, names in fields.items()
            ]
            if scanned:
                text_of = cast(table.c.data, Text)
                conditions.append(
                    table.c.type.in_(scanned)
                    & or_(
                        *(text_of.like(f"%{queries.escape_like(n)}%", escape="\\") for n in needles)
                    )
                )
            if conditions:
                id_column = table.c.id if table is queries.DOCUMENTS else table.c.document_id
                selects.append(
                    select(id_column.label("id")).where(
                        table.c.space_id == space_id, or_(*conditions)
                    )
                )
        if not selects:
            return 0
        # A document referencing it in both its working and its published copy counts once.
        ids = union(*selects).subquery()
        return self._session.scalar(select(func.count()).select_from(ids)) or 0


def _rendition(row: MediaRenditionRow) -> Rendition:
    return Rendition(
        source_sha256=row.source_sha256,
        key=row.key,
        sha256=row.sha256,
        size=row.size,
        width=row.width,
        height=row.height,
        mime_type=row.mime_type,
    )
