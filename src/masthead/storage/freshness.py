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

import logging
import threading
import time
import weakref
from collections.abc import Callable
from uuid import UUID

import redis
from sqlalchemy import Engine, select

from masthead.storage.tables import CacheGenerationRow, PublishGenerationRow

AUTH = "auth"
log = logging.getLogger("masthead.freshness")

# Every watch of each database (by URL) in this process, so a commit through any Database
# object of it, tests' and the CLI's included, marks them all.
_watches: dict[str, weakref.WeakSet[GenerationWatch]] = {}
_watches_lock = threading.Lock()


def database_changed(url: str | None) -> None:
    """Tell every watch of ``url`` in this process (of every database: None) that a
    generation was raised."""
    with _watches_lock:
        groups = _watches.values() if url is None else [_watches.get(url, weakref.WeakSet())]
        watches = [watch for group in groups for watch in group]
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


# --- other processes, told through Redis --------------------------------------------------------

CHANNEL = "masthead:generations"
_notifiers: dict[str, RedisNotifier] = {}
_notifiers_lock = threading.Lock()


class RedisNotifier:
    """With Redis (several processes), a commit that raised a generation is announced on a
    channel every process listens to, so the others read the generations again at their next
    request instead of up to ``interval`` later. A lost message (Redis away) costs only that:
    the interval still bounds how stale a process may be."""

    def __init__(self, url: str):
        self._url = url
        # Short timeouts: an announcement is made in a commit's path, and a lost one only
        # leaves the others to their interval.
        self._client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self._listener = threading.Thread(target=self._listen, name="masthead-generations")
        self._listener.daemon = True
        self._listener.start()

    def announce(self) -> None:
        try:
            self._client.publish(CHANNEL, b"changed")
        except redis.RedisError:
            log.warning("could not announce a raised generation on Redis; others poll")

    def _listen(self) -> None:
        while True:
            try:
                client = redis.Redis.from_url(self._url, socket_connect_timeout=1)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                database_changed(None)  # whatever was announced while we were not listening
                while True:
                    message = pubsub.get_message(timeout=30.0)
                    if message is not None and message.get("type") == "message":
                        database_changed(None)
            except (redis.RedisError, OSError):  # Redis away: the interval still holds
                log.warning("listening for raised generations on Redis failed; retrying")
                time.sleep(1.0)


def notifier_for(redis_url: str) -> RedisNotifier:
    """The process's notifier for ``redis_url`` (one listener per process)."""
    with _notifiers_lock:
        found = _notifiers.get(redis_url)
        if found is None:
            found = _notifiers[redis_url] = RedisNotifier(redis_url)
        return found
