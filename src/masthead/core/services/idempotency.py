"""Idempotency keys: a POST repeated with the same key within 24 hours gets the first
result again instead of acting twice; the same key with a different request is refused.

The key is reserved before the request runs (one row, unique per space, caller and key), so
of two concurrent requests with one key exactly one runs; the other is told to retry.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import orjson

from masthead.core.errors import Conflict, FieldError, IdempotencyKeyReused, Invalid
from masthead.core.models import Actor
from masthead.core.ports import Clock, StoredResponse, UnitOfWork
from masthead.core.workflow import actor_key

TTL = timedelta(hours=24)
MAX_KEY = 255
PENDING = 0  # status code of a reservation whose request is still running


class IdempotentRequestInProgress(Conflict):
    default_message = "A request with this Idempotency-Key is still in progress; retry shortly"


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _scope(actor: Actor, key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY:
        raise Invalid(
            "Invalid Idempotency-Key",
            details=[FieldError("Idempotency-Key", f"1 to {MAX_KEY} characters")],
        )
    return str(actor_key(actor) or "anonymous")


def begin(
    uow: UnitOfWork, clock: Clock, actor: Actor, key: str, request_hash: str
) -> StoredResponse | None:
    """Reserve ``key`` for this request (returns None: go ahead), or return the stored first
    response of a completed repeat.

    Raises IdempotencyKeyReused (same key, other request), IdempotentRequestInProgress.
    """
    scope = _scope(actor, key)
    now = clock()
    with uow:
        uow.idempotency.purge_older_than(now - TTL)
        reserved = uow.idempotency.reserve(
            actor.space_id, scope, key, StoredResponse(request_hash, PENDING, {}, now)
        )
        stored = None if reserved else uow.idempotency.find(actor.space_id, scope, key)
        uow.commit()
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused()
    if stored.status_code == PENDING:
        raise IdempotentRequestInProgress()
    return stored


def complete(
    uow: UnitOfWork, actor: Actor, key: str, status_code: int, body: dict[str, Any]
) -> None:
    """Store the response of the request that holds the reservation."""
    scope = _scope(actor, key)
    with uow:
        uow.idempotency.complete(actor.space_id, scope, key, status_code, body)
        uow.commit()


def abandon(uow: UnitOfWork, actor: Actor, key: str) -> None:
    """Drop the reservation of a request that failed, so the key can be used again."""
    scope = _scope(actor, key)
    with uow:
        uow.idempotency.delete(actor.space_id, scope, key)
        uow.commit()
