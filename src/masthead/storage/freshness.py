"""What this process knows of the generations its caches are checked against.

Published answers are cached under their space's publish generation, and actors under the
``auth`` generation (``tables.CacheGenerationRow``). Reading those from the database on every
request cost more than the rest of a cached read, so each process keeps them in memory and
reads them again:

- at once after any commit of this process that raised one (``changed``: every unit of work
  of the same database marks every watch of it), so a read after a write in the same process
  always sees the write;
- otherwise at most ``interval`` seconds after the last reading, so a write by another
  process (another server process, a worker, the CLI) is seen within ``interval``
  (``MASTHEAD_FRESHNESS_SECONDS``; 0 reads them on every request).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from uuid import UUID

from sqlalchemy import Engine, select

from masthead.storage.tables import CacheGenerationRow, PublishGenerationRow

AUTH = "auth"

# Every watch of each database (by URL) in this process, so a commit through any Database
# object of it, tests' and the CLI's included, marks them all.
_watches: dict[str, weakref.WeakSet[GenerationWatch]] = {}
_watches_lock = threading.Lock()


def database_changed(url: str) -> None:
    """Tell every watch of ``url`` in this process that a generation was raised."""
    with _watches_lock:
        watches = list(_watches.get(url, ()))
    for watch in watches:
        watch.changed()


class GenerationWatch:
    def __init__(
        self, engine: Engine, interval: float, clock: Callable[[], float] = time.monotonic
    ):
        self._engine = engine
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._dirty = True
        self._read_at = 0.0
        self._auth = 0
        self._publish: dict[UUID, int] = {}
        with _watches_lock:
            _watches.setdefault(engine.url.render_as_string(), weakref.WeakSet()).add(self)

    def changed(self) -> None:
        self._dirty = True

    def auth_generation(self) -> int:
        self._refresh()
        return self._auth

    def publish_generation(self, space_id: UUID) -> int:
        self._refresh()
        return self._publish.get(space_id, 0)

    def _stale(self) -> bool:
        return self._dirty or self._clock() - self._read_at >= self._interval

    def _refresh(self) -> None:
        if not self._stale():
            return
        with self._lock:
            if not self._stale():  # another thread read them while this one waited
                return
            # Cleared before reading: a commit that lands while we read marks it again.
            self._dirty = False
            started = self._clock()
            try:
                with self._engine.connect() as connection:
                    auth = connection.execute(
                        select(CacheGenerationRow.generation).where(CacheGenerationRow.name == AUTH)
                    ).scalar()
                    rows = connection.execute(
                        select(PublishGenerationRow.space_id, PublishGenerationRow.generation)
                    ).all()
                    connection.rollback()
            except BaseException:
                self._dirty = True
                raise
            self._auth = int(auth or 0)
            self._publish = {space_id: int(generation) for space_id, generation in rows}
            self._read_at = started
