"""Releases, their routes, the active pointer of each space, and preview links."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.previews import PreviewLink
from masthead.core.releases import ActiveRelease, Release, ReleaseNotFound, ReleaseRoute
from masthead.storage.repositories.generations import PublishedChange
from masthead.storage.tables import (
    ActiveReleaseRow,
    PreviewLinkRow,
    ReleaseRouteRow,
    ReleaseRow,
)

ROUTE_BATCH = 500


def _release(row: ReleaseRow) -> Release:
    return Release(
        id=row.id,
        space_id=row.space_id,
        number=row.number,
        job_id=row.job_id,
        hash=row.hash,
        manifest_sha256=row.manifest_sha256,
        document_count=row.document_count,
        route_count=row.route_count,
        file_count=row.file_count,
        total_bytes=row.total_bytes,
        created_by=row.created_by,
        created_at=row.created_at,
    )


class SqlReleaseRepository:
    def __init__(self, session: Session, changed: PublishedChange = lambda _: None):
        self._session = session
        self._changed = changed

    def lock_space(self, space_id: UUID) -> None:
        """Hold, until the transaction ends, the space's release lock: two builds finishing
        at once take their numbers one after the other (PostgreSQL: an advisory transaction
        lock; SQLite's writers already hold the database's one write lock)."""
        if self._session.get_bind().dialect.name == "postgresql":
            key = f"releases:{space_id}"
            self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))

    def add(self, release: Release, routes: list[ReleaseRoute]) -> None:
        self._session.add(
            ReleaseRow(
                id=release.id,
                space_id=release.space_id,
                number=release.number,
                job_id=release.job_id,
                hash=release.hash,
                manifest_sha256=release.manifest_sha256,
                document_count=release.document_count,
                route_count=release.route_count,
                file_count=release.file_count,
                total_bytes=release.total_bytes,
                created_by=release.created_by,
                created_at=release.created_at,
            )
        )
        self._session.flush()
        rows = [
            {
                "release_id": release.id,
                "path": r.path,
                "document_id": r.document_id,
                "sha256": r.sha256,
            }
            for r in routes
        ]
        for start in range(0, len(rows), ROUTE_BATCH):
            self._session.execute(insert(ReleaseRouteRow), rows[start : start + ROUTE_BATCH])

    def get(self, space_id: UUID, release_id: UUID) -> Release:
        row = self._session.get(ReleaseRow, release_id)
        if row is None or row.space_id != space_id:
            raise ReleaseNotFound()
        return _release(row)

    def list(self, space_id: UUID, limit: int, offset: int = 0) -> list[Release]:
        rows = self._session.scalars(
            select(ReleaseRow)
            .where(ReleaseRow.space_id == space_id)
            .order_by(ReleaseRow.number.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_release(r) for r in rows]

    def latest(self, space_id: UUID) -> Release | None:
        found = self.list(space_id, 1)
        return found[0] if found else None

    def active(self, space_id: UUID) -> ActiveRelease | None:
        found = self._session.execute(
            select(ActiveReleaseRow, ReleaseRow)
            .join(ReleaseRow, ReleaseRow.id == ActiveReleaseRow.release_id)
            .where(ActiveReleaseRow.space_id == space_id)
        ).first()
        if found is None:
            return None
        pointer, release = found
        return ActiveRelease(
            release=_release(release),
            activated_at=pointer.activated_at,
            activated_by=pointer.activated_by,
        )

    def activate(self, space_id: UUID, release_id: UUID, at: datetime, by: str | None) -> None:
        """Point the space at ``release_id``: one row written, so readers see the old
        release or the new one, never a mix."""
        self._changed(space_id)
        values = {
            "space_id": space_id,
            "release_id": release_id,
            "activated_at": at,
            "activated_by": by,
        }
        dialect = self._session.get_bind().dialect.name
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(ActiveReleaseRow)
        self._session.execute(
            statement.values(**values).on_conflict_do_update(
                index_elements=[ActiveReleaseRow.space_id],
                set_={k: v for k, v in values.items() if k != "space_id"},
            )
        )

    def find_route(self, release_id: UUID, path: str) -> ReleaseRoute | None:
        row = self._session.get(ReleaseRouteRow, (release_id, path))
        if row is None:
            return None
        return ReleaseRoute(path=row.path, document_id=row.document_id, sha256=row.sha256)

    def find_document_route(self, release_id: UUID, document_id: UUID) -> ReleaseRoute | None:
        row = self._session.scalars(
            select(ReleaseRouteRow)
            .where(
                ReleaseRouteRow.release_id == release_id,
                ReleaseRouteRow.document_id == document_id,
            )
            .limit(1)
        ).first()
        if row is None:
            return None
        return ReleaseRoute(path=row.path, document_id=row.document_id, sha256=row.sha256)


class SqlPreviewRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, link: PreviewLink) -> None:
        self._session.add(
            PreviewLinkRow(
                token_hash=link.token_hash,
                space_id=link.space_id,
                document_id=link.document_id,
                expires_at=link.expires_at,
                created_by=link.created_by,
                created_at=link.created_at,
            )
        )
        self._session.flush()

    def find(self, token_hash: str) -> PreviewLink | None:
        row = self._session.get(PreviewLinkRow, token_hash)
        if row is None:
            return None
        return PreviewLink(
            token_hash=row.token_hash,
            space_id=row.space_id,
            document_id=row.document_id,
            expires_at=row.expires_at,
            created_by=row.created_by,
            created_at=row.created_at,
        )
