"""The domain error tree. Services raise these; each API dialect maps them once, at its edge.

    MastheadError
    ├── NotFound            SpaceNotFound, DocumentNotFound, MediaNotFound, BlobNotFound, ...
    ├── Conflict            UsernameTaken, SlugTaken, StaleVersion, MediaInUse, UploadMissing...
    ├── Invalid             field errors in ``details``; WeakPassword, BlobMismatch, MediaRejected
    ├── Unauthenticated     AuthRequired, InvalidToken, InvalidCredentials, UploadTokenInvalid...
    ├── Forbidden           SpaceAccessDenied, SelfApprovalForbidden
    └── RateLimited         carries ``retry_after`` seconds

Classes name what happened; how each API phrases it is the dialect's business. Statuses live
in ``api/errors.py``, error codes in each dialect's ``errors.py`` (the native /v1 codes, such
as DOCUMENT_NOT_FOUND, in ``api/native/errors.py``). A field error carries a machine-readable
``kind`` and its parameters, so that every dialect can word it in its own style (the apps API
writes ``title: "title" is a required property``, Toast ``{code, message, path}``, Trokky
``{field, message}``) from the same error.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar


class ErrorKind(enum.StrEnum):
    """What kind of rule a field broke. ``params`` of a FieldError say more, by kind:

    required: {}                  type: {"expected": "string" | ["string", "null"], "value"}
    format: {"format", "value"}   pattern: {"pattern", "value"}
    minimum / maximum: {"limit", "value"}          enum: {"allowed": [...], "value"}
    min_length / max_length (strings): {"limit", "value"}
    min_items / max_items (lists): {"limit", "value"}
    unique, reference, unknown_field, not_allowed, malformed, invalid: {"value"?}
    """

    REQUIRED = "required"
    TYPE = "type"
    FORMAT = "format"
    PATTERN = "pattern"
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    MIN_LENGTH = "min_length"
    MAX_LENGTH = "max_length"
    MIN_ITEMS = "min_items"
    MAX_ITEMS = "max_items"
    ENUM = "enum"
    UNIQUE = "unique"
    REFERENCE = "reference"  # names a document or asset that does not exist (here)
    UNKNOWN_FIELD = "unknown_field"  # not a field of the type, or not a known parameter
    NOT_ALLOWED = "not_allowed"  # a known field or operator that may not be used so
    MALFORMED = "malformed"  # not parseable at all (a body that is not JSON, a bad header)
    INVALID = "invalid"  # any other rule; the message says which


@dataclass(frozen=True)
class FieldError:
    """One failing input field: ``field`` is a dotted path, ``message`` says what is wrong in
    plain words, ``kind`` and ``params`` say it for machines (see ErrorKind)."""

    field: str
    message: str
    kind: ErrorKind = ErrorKind.INVALID
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


class MastheadError(Exception):
    default_message: ClassVar[str] = "Unexpected error"

    def __init__(self, message: str | None = None, *, details: list[FieldError] | None = None):
        self.message = message or self.default_message
        self.details: list[FieldError] = list(details or [])
        super().__init__(self.message)


# --- categories -------------------------------------------------------------------------------


class NotFound(MastheadError):
    default_message = "Resource not found"


class Conflict(MastheadError):
    default_message = "Resource conflict"


class Invalid(MastheadError):
    default_message = "Validation failed"


class Unauthenticated(MastheadError):
    default_message = "Authentication required"


class Forbidden(MastheadError):
    default_message = "Insufficient permissions"


class Gone(MastheadError):
    """The resource existed and has expired for good (a preview link past its expiry)."""

    default_message = "This resource has expired"


class RateLimited(MastheadError):
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
    default_message = "Document not found"


class RevisionNotFound(NotFound):
    default_message = "Revision not found"


class MediaNotFound(NotFound):
    default_message = "Media asset not found"


class RouteNotFound(NotFound):
    """No route matches the request path (raised by the HTTP layer, shaped by each dialect)."""

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


class BuiltinTypeProtected(Conflict):
    """Deleting a built-in type (``post``, ``page``), which creates without a type rely on."""

    default_message = "Built-in content types cannot be deleted"


class SlugTaken(Conflict):
    default_message = "Another document of this type already has that slug"


class SingleTypeTaken(Conflict):
    """A second document for a single type, which holds one."""

    default_message = "This single type already has its document"


class UniqueValueTaken(Conflict):
    default_message = "Another document already has that value"


class StaleVersion(Conflict):
    """The caller edited an older version than the stored one: saving would lose an update."""

    default_message = "The document changed since you loaded it; reload and try again"


class RevisionNotOlder(Conflict):
    """A revert names the current revision or a later one: only older content is reverted to."""

    default_message = "Only an earlier version can be reverted to"


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


class BlocksInvalid(Invalid):
    """A ``blocks`` value that is not a list of blocks: each block is an object with a string
    ``name`` (the block-editor shape) or ``type``."""

    default_message = "Blocks must be objects with a string 'name' (or 'type')"


class RenditionLimitReached(Invalid):
    default_message = "This image has as many renditions as allowed"


class WeakPassword(Invalid):
    default_message = "Password is too weak"


class AuthRequired(Unauthenticated):
    default_message = "Authentication required: send Authorization: Bearer <token>"


class InvalidToken(Unauthenticated):
    default_message = "Access token is invalid or expired"


class InvalidCredentials(Unauthenticated):
    default_message = "Invalid username or password"


class InvalidRefreshToken(Unauthenticated):
    default_message = "Refresh token is unknown, already used or revoked"


class UploadTokenInvalid(Unauthenticated):
    default_message = "The upload token is wrong, expired or already used for this media"


class SpaceAccessDenied(Forbidden):
    default_message = "You have no access to this space"


class PayloadTooLarge(MastheadError):
    """Request body over the configured limit (raised by the HTTP layer)."""

    default_message = "Request body is too large"


class MethodNotAllowed(MastheadError):
    default_message = "Method not allowed on this route"


def category_of(error: MastheadError) -> type[MastheadError]:
    """The direct child of MastheadError that ``error`` descends from (or MastheadError)."""
    for cls in type(error).__mro__:
        if MastheadError in cls.__bases__:
            return cls
    return MastheadError
