"""Ending sessions early: revoking refresh tokens together with the access tokens issued with
them, which go on a short deny-list until they would have expired anyway.

Called inside a caller's open unit of work (logout, reuse detection, deactivating a user), so
the revocation and its deny-list entries commit together. Every revocation also sweeps the
entries that have expired, so the deny-list only ever holds a few minutes of revocations.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from masthead.core.ports import UnitOfWork


def revoke_family(uow: UnitOfWork, family_id: UUID, now: datetime) -> None:
    """Revoke one session (a refresh-token family) and deny its unexpired access tokens."""
    deny(uow, uow.refresh_tokens.live_access_tokens(now, family_id=family_id), now)
    uow.refresh_tokens.revoke_family(family_id, now)


def revoke_user_sessions(uow: UnitOfWork, user_id: UUID, now: datetime) -> None:
    """Revoke every session of a user and deny their unexpired access tokens."""
    deny(uow, uow.refresh_tokens.live_access_tokens(now, user_id=user_id), now)
    uow.refresh_tokens.revoke_user(user_id, now)


def deny(uow: UnitOfWork, tokens: list[tuple[str, datetime]], now: datetime) -> None:
    """Put (jti, expiry) pairs on the deny-list, and forget the entries already expired."""
    uow.revoked_access_tokens.add([(jti, expires) for jti, expires in tokens if expires > now])
    uow.revoked_access_tokens.sweep(now)
