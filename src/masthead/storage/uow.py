"""The SQL unit of work: one session, one transaction, the repositories bound to it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from masthead.storage.database import READ_ONLY_OPTION, SQLITE_BUSY_TIMEOUT_MS, is_sqlite
from masthead.storage.freshness import AUTH, GenerationWatch, database_changed, notifier_for
from masthead.storage.repositories.accounts import SqlSpaceRepository, SqlUserRepository
from masthead.storage.repositories.content import (
    SqlContentTypeRepository,
    SqlDocumentRepository,
    SqlRevisionRepository,
    SqlTransitionRepository,
)
from masthead.storage.repositories.forms import SqlFormRepository, SqlSubmissionRepository
from masthead.storage.repositories.generations import SqlGenerationRepository
from masthead.storage.repositories.idempotency import SqlIdempotencyRepository
from masthead.storage.repositories.jobs import SqlJobRepository
from masthead.storage.repositories.media import SqlMediaRepository
from masthead.storage.repositories.navigation import SqlMenuRepository
from masthead.storage.repositories.releases import SqlPreviewRepository, SqlReleaseRepository
from masthead.storage.repositories.tokens import (
    SqlApiTokenRepository,
    SqlRefreshTokenRepository,
    SqlRevokedAccessTokenRepository,
)


class SqlUnitOfWork:
    spaces: SqlSpaceRepository
    users: SqlUserRepository
    api_tokens: SqlApiTokenRepository
    refresh_tokens: SqlRefreshTokenRepository
    revoked_access_tokens: SqlRevokedAccessTokenRepository
    content_types: SqlContentTypeRepository
    documents: SqlDocumentRepository
    revisions: SqlRevisionRepository
    transitions: SqlTransitionRepository
    idempotency: SqlIdempotencyRepository
    media: SqlMediaRepository
    menus: SqlMenuRepository
    forms: SqlFormRepository
    submissions: SqlSubmissionRepository
    jobs: SqlJobRepository
    releases: SqlReleaseRepository
    previews: SqlPreviewRepository
    generations: SqlGenerationRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        on_raised: Callable[[], None],
        writer_lock: threading.RLock | None = None,
    ):
        self._session_factory = session_factory
        self._on_raised = on_raised  # tells the caches checked against the generations
        self._writer_lock = writer_lock
        self._holds_lock = False
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant")
        session = self._session_factory()
        self._session = session
        self._published_changes: set[UUID] = set()
        self._auth_changed = False
        changed = self._published_changes.add
        auth_changed = self._note_auth_change
        self.spaces = SqlSpaceRepository(session, auth_changed)
        self.users = SqlUserRepository(session, auth_changed)
        self.api_tokens = SqlApiTokenRepository(session, auth_changed)
        self.refresh_tokens = SqlRefreshTokenRepository(session)
        self.revoked_access_tokens = SqlRevokedAccessTokenRepository(session, auth_changed)
        self.content_types = SqlContentTypeRepository(session, changed)
        self.documents = SqlDocumentRepository(session, changed)
        self.revisions = SqlRevisionRepository(session)
        self.transitions = SqlTransitionRepository(session)
        self.idempotency = SqlIdempotencyRepository(session)
        self.media = SqlMediaRepository(session, changed)
        self.menus = SqlMenuRepository(session)
        self.forms = SqlFormRepository(session)
        self.submissions = SqlSubmissionRepository(session)
        self.jobs = SqlJobRepository(session)
        self.releases = SqlReleaseRepository(session, changed)
        self.previews = SqlPreviewRepository(session)
        self.generations = SqlGenerationRepository(session)
        if self._writer_lock is not None:
            # After the timeout, SQLite's own lock decides (and reports "database is locked").
            self._holds_lock = self._writer_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            session.rollback()  # a no-op after commit(); undoes everything otherwise
        finally:
            session.close()
            if self._holds_lock and self._writer_lock is not None:
                self._holds_lock = False
                self._writer_lock.release()

    def _note_auth_change(self) -> None:
        self._auth_changed = True

    def commit(self) -> None:
        # What cached actors or published reads hold changed: raise the generations in the
        # same transaction, so no cache checked against the old ones outlives the change.
        raised = self._auth_changed or bool(self._published_changes)
        if self._auth_changed:
            self.generations.bump_named(AUTH)
            self._auth_changed = False
        if self._published_changes:
            self.generations.bump(self._published_changes)
            self._published_changes.clear()
        self.session.commit()
        if raised:
            self._on_raised()

    def rollback(self) -> None:
        self._published_changes.clear()
        self._auth_changed = False
        self.session.rollback()


DEFAULT_FRESHNESS_SECONDS = 0.5

# SQLite lets one transaction write at a time. Writers of one process queue here, on a lock
# that wakes the next one the moment it is free, rather than in SQLite's busy handler, which
# sleeps and retries (up to 100 ms a sleep): with 8 concurrent creates, most of their time
# went to those sleeps. Writers in other processes still meet SQLite's lock.
_writer_locks: dict[str, threading.RLock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(url: str) -> threading.RLock:
    with _writer_locks_guard:
        return _writer_locks.setdefault(url, threading.RLock())


class Database:
    """An engine plus the unit-of-work factories built on it; one per process."""

    def __init__(
        self,
        engine: Engine,
        freshness_seconds: float = DEFAULT_FRESHNESS_SECONDS,
        redis_url: str | None = None,
    ):
        """``redis_url``: where other processes of the deployment listen for raised
        generations (storage/freshness.py); without it they poll."""
        self.engine = engine
        self.freshness = GenerationWatch(engine, freshness_seconds)
        self._url = engine.url.render_as_string()
        self._notifier = notifier_for(redis_url) if redis_url else None
        self._writer_lock = _writer_lock(self._url) if is_sqlite(self._url) else None
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._reader = sessionmaker(
            engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )

    def uow(self) -> SqlUnitOfWork:
        """A unit of work that may write (SQLite: BEGIN IMMEDIATE)."""
        return SqlUnitOfWork(self._writer, self._raised, self._writer_lock)

    def read_uow(self) -> SqlUnitOfWork:
        """A unit of work for reads only: never waits for a writer on SQLite."""
        return SqlUnitOfWork(self._reader, self._raised)

    def _raised(self) -> None:
        """A commit raised a generation: this process's caches read them again at once, and
        (with Redis) the other processes' too."""
        database_changed(self._url)
        if self._notifier is not None:
            self._notifier.announce()

    def dispose(self) -> None:
        self.engine.dispose()
