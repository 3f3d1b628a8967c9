"""The domain error tree. Services raise these; each API dialect maps them once, at its edge.

    MastheadError
    ├── NotFound            SpaceNotFound, DocumentNotFound, MediaNotFound, BlobNotFound, ...
    ├── Conflict            UsernameTaken, SlugTaken, StaleVersion, MediaInUse, UploadMissing...
    ├── Invalid             field errors in ``details``; WeakPassword, BlobMismatch, MediaRejected
    ├── Unauthenticated     AuthRequired, InvalidToken, InvalidCredentials, UploadTokenInvalid...
    ├── Forbidden           SpaceAccessDenied, SelfApprovalForbidden
    └── RateLimited         carries ``retry_after`` seconds

Each class carries ``code``: the code the native /v1 contract uses. Leaves override it only
where ``api-docs/native-v1-behaviour.md`` names a specific code (AUTH_REQUIRED,
DOCUMENT_NOT_FOUND, ...); the others keep their category's generic code and say what
happened in their message. The category (the direct child of MastheadError) is what
dialects with only generic codes use. No HTTP here: statuses live in ``api/errors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldError:
    """One failing input field: ``field`` is a dotted path, ``message`` says what is wrong."""

    field: str
    message: str


class MastheadError(Exception):
    code: ClassVar[str] = "INTERNAL_ERROR"
    default_message: ClassVar[str] = "Unexpected error"

    def __init__(self, message: str | None = None, *, details: list[FieldError] | None = None):
        self.message = message or self.default_message
        self.details: list[FieldError] = list(details or [])
        super().__init__(self.message)


# --- categories -------------------------------------------------------------------------------


class NotFound(MastheadError):
    code = "NOT_FOUND"
    default_message = "Resource not found"


class Conflict(MastheadError):
    code = "CONFLICT"
    default_message = "Resource conflict"


class Invalid(MastheadError):
    code = "VALIDATION_ERROR"
    default_message = "Validation failed"


class Unauthenticated(MastheadError):
    code = "UNAUTHORIZED"
    default_message = "Authentication required"


class Forbidden(MastheadError):
    code = "FORBIDDEN"
    default_message = "Insufficient permissions"


class RateLimited(MastheadError):
    code = "RATE_LIMITED"
    default_message = "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


# --- leaves -----------------------------------------------------------------------------------


class SpaceNotFound(NotFound):
    default_message = "Space not found"


class UserNotFound(NotFound):
    default_message = "User not found"


class TokenNotFound(NotFound):
    default_message = "API token not found"


class ContentTypeNotFound(NotFound):
    default_message = "Content type not found"


class DocumentNotFound(NotFound):
    code = "DOCUMENT_NOT_FOUND"
    default_message = "Document not found"


class RevisionNotFound(NotFound):
    default_message = "Revision not found"


class MediaNotFound(NotFound):
    code = "MEDIA_NOT_FOUND"
    default_message = "Media asset not found"


class RouteNotFound(NotFound):
    """No route matches the request path (raised by the HTTP layer, shaped by each dialect)."""

    code = "NOT_FOUND"
    default_message = "No such route"


class UsernameTaken(Conflict):
    default_message = "That username is already taken"


class SpaceSlugTaken(Conflict):
    default_message = "A space with that slug already exists"


class ContentTypeExists(Conflict):
    default_message = "A content type with that name already exists"


class ContentTypeInUse(Conflict):
    """Removing a type or field that stored documents still use (allowed with force)."""

    default_message = "Documents still use this; pass force=true to proceed anyway"


class SlugTaken(Conflict):
    default_message = "Another document of this type already has that slug"


class UniqueValueTaken(Conflict):
    default_message = "Another document already has that value"


class StaleVersion(Conflict):
    """The caller edited an older version than the stored one: saving would lose an update."""

    default_message = "The document changed since you loaded it; reload and try again"


class IdempotencyKeyReused(Conflict):
    default_message = "This Idempotency-Key was already used for a different request"


class MediaInUse(Conflict):
    """Deleting an asset that documents still reference (allowed with force)."""

    default_message = "Documents still reference this media; pass force=true to delete anyway"


class BlobRemoved(Conflict):
    """The bytes were removed (their last asset deleted) while this request stored them."""

    default_message = "The file was removed while it was being stored; upload it again"


class UploadMissing(Conflict):
    default_message = "Nothing was uploaded for this media yet: PUT the bytes to its uploadUrl"


class MediaRejected(Invalid):
    """The bytes are not a file Masthead accepts (type, emptiness): nothing was kept."""

    default_message = "This file is not accepted"


class RenditionLimitReached(Invalid):
    default_message = "This image has as many renditions as allowed"


class WeakPassword(Invalid):
    default_message = "Password is too weak"


class AuthRequired(Unauthenticated):
    code = "AUTH_REQUIRED"
    default_message = "Authentication required: send Authorization: Bearer <token>"


class InvalidToken(Unauthenticated):
    code = "AUTH_INVALID_TOKEN"
    default_message = "Access token is invalid or expired"


class InvalidCredentials(Unauthenticated):
    code = "AUTH_INVALID"
    default_message = "Invalid username or password"


class InvalidRefreshToken(Unauthenticated):
    code = "AUTH_INVALID_REFRESH"
    default_message = "Refresh token is unknown, already used or revoked"


class UploadTokenInvalid(Unauthenticated):
    code = "MEDIA_UPLOAD_TOKEN_INVALID"
    default_message = "The upload token is wrong, expired or already used for this media"


class SpaceAccessDenied(Forbidden):
    default_message = "You have no access to this space"


class PayloadTooLarge(MastheadError):
    """Request body over the configured limit (raised by the HTTP layer)."""

    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body is too large"


class MethodNotAllowed(MastheadError):
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed on this route"


def category_of(error: MastheadError) -> type[MastheadError]:
    """The direct child of MastheadError that ``error`` descends from (or MastheadError)."""
    for cls in type(error).__mro__:
        if MastheadError in cls.__bases__:
            return cls
    return MastheadError
