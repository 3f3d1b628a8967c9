"""Renewing an access token with itself, for APIs whose clients refresh with the bearer token
they hold (Trokky's ``POST /api/auth/refresh``) rather than with a refresh token.

The new token has the usual lifetime from now; only a valid, unexpired access token of an
active user is renewed (never an API token, which does not expire).
"""

from __future__ import annotations

from datetime import datetime

from masthead.core import security
from masthead.core.errors import AuthRequired, InvalidToken
from masthead.core.models import TokenKind, User
from masthead.core.ports import UnitOfWork
from masthead.core.services import auth


def renew_access_token(
    uow: UnitOfWork, write_uow: UnitOfWork, policy: auth.AuthPolicy, bearer: str | None
) -> tuple[str, datetime, User]:
    """A fresh access token for the user ``bearer`` names, its expiry, and the user.
    Raises AuthRequired (no token), InvalidToken (expired, malformed, an API token)."""
    if not bearer:
        raise AuthRequired("Send the access token to renew as 'Authorization: Bearer <token>'")
    if bearer.startswith(security.API_TOKEN_PREFIX):
        raise InvalidToken("API tokens do not expire and cannot be renewed")
    principal = auth.authenticate(uow, write_uow, policy, bearer)
    if principal.kind is not TokenKind.ACCESS or principal.user is None:  # pragma: no cover
        raise InvalidToken()
    token, expires_at = policy.signer.issue(principal.user.id, policy.clock())
    return token, expires_at, principal.user
