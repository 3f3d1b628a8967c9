"""Idempotency keys: a POST repeated with the same key within 24 hours gets the first
result again instead of acting twice; the same key with a different request is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import orjson

from masthead.core.errors import FieldError, IdempotencyKeyReused, Invalid
from masthead.core.models import Actor
from masthead.core.ports import Clock, StoredResponse, UnitOfWork
from masthead.core.workflow import actor_key

TTL = timedelta(hours=24)
MAX_KEY = 255


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _scope(actor: Actor, key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY:
        raise Invalid(
            "Invalid Idempotency-Key",
            details=[FieldError("Idempotency-Key", f"1 to {MAX_KEY} characters")],
        )
    return str(actor_key(actor) or "anonymous")


def find_replay(
    uow: UnitOfWork, clock: Clock, actor: Actor, key: str, request_hash: str
) -> StoredResponse | None:
    """The stored first response for ``key``, if fresh. Raises IdempotencyKeyReused when
    the key was used for a different request."""
    scope = _scope(actor, key)
    with uow:
        stored = uow.idempotency.find(actor.space_id, scope, key)
    if stored is None or stored.created_at < clock() - TTL:
        return None
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return stored


def remember(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    key: str,
    request_hash: str,
    status_code: int,
    body: dict[str, Any],
) -> None:
    """Store the first response for ``key`` (a concurrent first writer wins; stale keys are
    purged on the way)."""
    scope = _scope(actor, key)
    now = clock()
    with uow:
        uow.idempotency.purge_older_than(now - TTL)
        uow.idempotency.add(
            actor.space_id, scope, key, StoredResponse(request_hash, status_code, body, now)
        )
        uow.commit()
