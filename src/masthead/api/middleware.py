"""ASGI middleware: request ids and one log line per request, the general rate limit and the
request body limit.

Written as plain ASGI (not BaseHTTPMiddleware) so streaming bodies pass through untouched.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masthead.api.body_rules import rules_for
from masthead.api.errors import ErrorRenderers, RefusedBody
from masthead.core.errors import FieldError, Invalid, RateLimited
from masthead.core.ports import RateLimiter
from masthead.core.storable import unstorable

log = logging.getLogger("masthead.request")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}\Z")


def header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's raw value (``name`` in lower case, as ASGI gives names), without
    building a Headers object: the middleware reads one or two per request."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestIds:
    """Request ids: a random prefix per process and a counter. Unique, as ids must be, for
    a fraction of the cost of a random UUID per request."""

    def __init__(self) -> None:
        self._prefix = uuid.uuid4().hex[:16]
        self._next = itertools.count(1)

    def new(self) -> str:
        return f"{self._prefix}{next(self._next):016x}"


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RequestContextMiddleware:
    """Gives every response an ``X-Request-ID`` (the caller's, if well-formed) and logs one
    structured line per request: id, method, path, status, duration."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.ids = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = (header(scope, b"x-request-id") or b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else self.ids.new()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                self._log(scope, request_id, status, started)

    @staticmethod
    def _log(scope: Scope, request_id: str, status: int, started: float) -> None:
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client_address(scope),
            },
        )


class RateLimitMiddleware:
    """The general per-client limit on every route; answers 429 in the dialect's format."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, limit: str, renderers: ErrorRenderers):
        self.app = app
        self.limiter = limiter
        self.limit = limit
        self.renderers = renderers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            retry_after = self.limiter.hit(self.limit, "client", client_address(scope))
            if retry_after is not None:
                response = self.renderers.render(scope["path"], RateLimited(retry_after))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses request bodies over the limit with a 413 in the dialect's format.

    Used instead of FastAPI's ``max_body_size``, which answers a too-large Content-Length in
    plain text from outside every user middleware (no error body, no request id). The limit
    is ``max_bytes``, or ``file_max_bytes`` for routes that declare they carry a file
    (``api/body_rules.py``); it is decided when the body is first read, which happens after
    routing. A declared length over it is refused before any byte is read; a body without
    one (chunked) is counted as it arrives and refused once it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, file_max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.file_max_bytes = file_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = (header(scope, b"content-length") or b"").decode("latin-1")
        max_bytes: int | None = None
        received = 0

        async def receive_with_limit() -> Message:
            nonlocal received, max_bytes
            if max_bytes is None:
                carries_file = rules_for(scope).carries_file
                max_bytes = self.file_max_bytes if carries_file else self.max_bytes
                if declared.isdigit() and int(declared) > max_bytes:
                    # An HTTPException passes through FastAPI's body parsing unchanged and is
                    # rendered by the dialect's handler (api/errors.py) as PayloadTooLarge.
                    raise HTTPException(status_code=413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise HTTPException(status_code=413)
            return message

        await self.app(scope, receive_with_limit, send)


# A JSON string escape for NUL: \u0000 preceded by an even number of backslashes (an odd
# number would make the first backslash itself escaped text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_NUL_MESSAGE = "Text may not contain NUL characters"
# What may stand for a value that can be neither stored nor sent back (core/storable.py) in a
# JSON body, which Python's parser (FastAPI's) accepts: an escaped surrogate (a lone one is
# refused, a pair is one ordinary character), a surrogate's bytes encoded as if UTF-8, NaN,
# Infinity, a number of 19 or more digits or with a 3-digit exponent (past 64 bits or past
# float range), and a NUL byte (a UTF-16 or UTF-32 body). A hit costs one parse of the body
# to find out and to name the field; a body without one passes untouched.
_SUSPECT = re.compile(
    rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|NaN|Infinity|[0-9]{19}|[eE][+-]?[0-9]{3}|\x00"
)
_UNSTORABLE_MESSAGE = "Text must be valid Unicode, and numbers finite and within 64 bits"


def unstorable_json(body: bytes) -> Invalid | None:
    """The values of a JSON body that cannot be stored, as an Invalid naming each by its
    JSON path (``data.j``, ``blocks.0.attributes.content``); None when there are none, or
    when the body is not JSON at all (the route's own parsing reports that)."""
    try:
        value = json.loads(body)  # the parser FastAPI uses, so it sees what handlers would
    except (ValueError, RecursionError):
        return None
    details = unstorable(value, nul=False)
    return Invalid(_UNSTORABLE_MESSAGE, details=details) if details else None


class NulGuardMiddleware:
    """Refuses NUL characters in the path, the query string and JSON bodies with a 422, on
    every route of every dialect: PostgreSQL text cannot hold them (SQLite can), so without
    this guard the same request would be stored on one database and fail on the other.
    Multipart fields, and the JSON bodies of routes that declare they check their own text
    (``api/body_rules.py``), are checked by the services that take them (media uploads
    sanitise file names: a NUL there is dropped, as the media issue asks of control
    characters, rather than refused).

    It also refuses, on every route (those that check their own text included), JSON bodies
    holding values that can be neither stored nor sent back (``core/storable.py``): lone
    surrogates, NaN, Infinity, integers past 64 bits. The 422 names each by its JSON path.
    The body is kept while it is read to find them; a body over ``max_bytes`` (a file sent
    with a JSON content type to a route that carries files) is bytes, not text the API reads,
    and is not kept or checked for them.
    """

    def __init__(self, app: ASGIApp, renderers: ErrorRenderers, max_bytes: int = 1024 * 1024):
        self.app = app
        self.renderers = renderers
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"].lower():
            error = Invalid(_NUL_MESSAGE, details=[FieldError("url", "contains NUL (%00)")])
            await self.renderers.render(scope["path"], error)(scope, receive, send)
            return
        content_type = (header(scope, b"content-type") or b"").lower()
        if b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        tail = b""
        kept: list[bytes] | None = []
        kept_bytes = 0
        is_suspect = False

        async def receive_checked() -> Message:
            nonlocal tail, kept, kept_bytes, is_suspect
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk = message.get("body", b"")
            window = tail + chunk
            if (
                not rules_for(scope).checks_own_text
                and b"u0000" in window
                and _JSON_NUL.search(window)
            ):
                # Rendered by the dialect's handler as Invalid (see BodyLimitMiddleware).
                raise HTTPException(status_code=422, detail=_NUL_MESSAGE)
            is_suspect = is_suspect or _SUSPECT.search(window) is not None
            tail = window[-64:]
            if kept is not None:
                kept.append(chunk)
                kept_bytes += len(chunk)
                if kept_bytes > self.max_bytes:
                    kept = None
            if is_suspect and kept is not None and not message.get("more_body", False):
                error = unstorable_json(b"".join(kept))
                if error is not None:
                    raise RefusedBody(error)
            return message

        await self.app(scope, receive_checked, send)
