"""HTTP helpers shared by dialects: ETags from document versions, If-Match parsing."""

from __future__ import annotations

import re

from masthead.core.errors import FieldError, Invalid

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?\Z')


def etag(version: int) -> str:
    return f'"{version}"'


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
