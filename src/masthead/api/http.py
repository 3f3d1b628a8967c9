"""HTTP helpers shared by dialects: ETags, If-None-Match and If-Match parsing."""

from __future__ import annotations

import re

from masthead.core.errors import FieldError, Invalid, InvalidToken

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?\Z')


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weakly compared) or is ``*``."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version a write expects: from If-Match (a quoted version) or the body's ``version``.

    ``*`` and absence mean "any version". Raises Invalid for a malformed header.
    """
    if if_match is not None and if_match.strip() not in {"", "*"}:
        match = _ETAG.match(if_match.strip())
        if match is None:
            raise Invalid(
                "Malformed If-Match header",
                details=[FieldError("If-Match", 'expected a quoted version, such as "3"')],
            )
        return int(match.group(1))
    return body_version


def parse_bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without one."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization header must be 'Bearer <token>'")
    return token.strip()
