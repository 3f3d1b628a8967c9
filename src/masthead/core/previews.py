"""Preview links: a signed, expiring URL that shows one document's working copy inside the
active release's site, to whoever holds it, without a login.

The token is random and stored only as its SHA-256; the signature (HMAC of the token and
the expiry) is checked after the token is found, so the three failures stay distinct: an
unknown token (404), a wrong signature (401), an expired link (410).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from masthead.core.errors import Gone, NotFound, Unauthenticated

PURPOSE = "preview"
DEFAULT_TTL = timedelta(hours=1)
MAX_TTL = timedelta(days=7)


class PreviewNotFound(NotFound):
    default_message = "This preview link does not exist"


class PreviewTokenInvalid(Unauthenticated):
    default_message = "This preview link's signature is not valid"


class PreviewExpired(Gone):
    default_message = "This preview link has expired"


@dataclass(frozen=True)
class PreviewLink:
    token_hash: str
    space_id: UUID
    document_id: UUID
    expires_at: datetime
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class IssuedPreview:
    url: str  # "/preview/<token>?sig=<hmac>"
    expires_at: datetime
    release_like_ref: str  # opaque: which release and which working copy it shows
