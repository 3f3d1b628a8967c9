"""Domain error category → HTTP status: the one table. Dialects only shape the body.

Each dialect registers an ``ErrorRenderer`` for its path prefix; every error raised while
serving a path, by a handler, by request validation, by routing or by a middleware, is
rendered by the renderer of the longest matching prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masthead.api.cors import allowed_methods
from masthead.core.errors import (
    Conflict,
    ErrorKind,
    FieldError,
    Forbidden,
    Gone,
    Invalid,
    MastheadError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RouteNotFound,
    Unauthenticated,
)

log = logging.getLogger("masthead.api")

# Most specific class first; the first match wins.
STATUS_BY_CATEGORY: tuple[tuple[type[MastheadError], int], ...] = (
    (PayloadTooLarge, 413),
    (MethodNotAllowed, 405),
    (NotFound, 404),
    (Gone, 410),
    (Conflict, 409),
    (Invalid, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (MastheadError, 500),
)

ErrorRenderer = Callable[[MastheadError, int], Response]

CodeTable = tuple[tuple[type[MastheadError], str], ...]

# The generic code of each category, in the style every API document here shares; a dialect
# puts the codes its document names for particular errors ahead of these (``error_code``).
CATEGORY_CODES: CodeTable = (
    (PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
    (MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (NotFound, "NOT_FOUND"),
    (Gone, "GONE"),
    (Conflict, "CONFLICT"),
    (Invalid, "VALIDATION_ERROR"),
    (Unauthenticated, "UNAUTHORIZED"),
    (Forbidden, "FORBIDDEN"),
    (RateLimited, "RATE_LIMITED"),
    (MastheadError, "INTERNAL_ERROR"),
)


def error_code(error: MastheadError, specific: CodeTable = ()) -> str:
    """The first code of ``specific`` (most specific class first) that ``error`` is an
    instance of, else its category's generic code."""
    for cls, code in (*specific, *CATEGORY_CODES):
        if isinstance(error, cls):
            return code
    return "INTERNAL_ERROR"  # pragma: no cover - MastheadError closes the table


def status_for(error: MastheadError) -> int:
    for cls, status in STATUS_BY_CATEGORY:
        if isinstance(error, cls):
            return status
    return 500  # pragma: no cover - MastheadError closes the table


def render_problem(error: MastheadError, status: int) -> Response:
    """The neutral format, for paths outside every dialect (an unknown path, ``/health``,
    ``/media``): RFC 9457 problem details, which no dialect's client mistakes for its own."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": error.message,
    }
    if error.details:
        body["errors"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, RateLimited):
        body["retryAfter"] = error.retry_after  # an RFC 9457 extension member
    return Response(orjson.dumps(body), status_code=status, media_type="application/problem+json")


class ErrorRenderers:
    """Path prefix → renderer, longest prefix first; ``render_problem`` elsewhere."""

    def __init__(self, default: ErrorRenderer = render_problem):
        self._default = default
        self._by_prefix: list[tuple[str, ErrorRenderer]] = []

    def register(self, prefix: str, renderer: ErrorRenderer) -> None:
        self._by_prefix.append((prefix.rstrip("/"), renderer))
        self._by_prefix.sort(key=lambda item: len(item[0]), reverse=True)

    def for_path(self, path: str) -> ErrorRenderer:
        for prefix, renderer in self._by_prefix:
            if path == prefix or path.startswith(prefix + "/"):
                return renderer
        return self._default

    def render(self, path: str, error: MastheadError) -> Response:
        response = self.for_path(path)(error, status_for(error))
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(error.retry_after)
        return response


def _field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


# pydantic error type → (kind, the ``ctx`` entry holding the limit or the allowed values)
_PYDANTIC_KINDS: dict[str, tuple[ErrorKind, str | None]] = {
    "missing": (ErrorKind.REQUIRED, None),
    "string_too_long": (ErrorKind.MAX_LENGTH, "max_length"),
    "string_too_short": (ErrorKind.MIN_LENGTH, "min_length"),
    "too_long": (ErrorKind.MAX_ITEMS, "max_length"),
    "too_short": (ErrorKind.MIN_ITEMS, "min_length"),
    "greater_than_equal": (ErrorKind.MINIMUM, "ge"),
    "greater_than": (ErrorKind.MINIMUM, "gt"),
    "less_than_equal": (ErrorKind.MAXIMUM, "le"),
    "less_than": (ErrorKind.MAXIMUM, "lt"),
    "string_pattern_mismatch": (ErrorKind.PATTERN, "pattern"),
    "enum": (ErrorKind.ENUM, "expected"),
    "literal_error": (ErrorKind.ENUM, "expected"),
    "extra_forbidden": (ErrorKind.UNKNOWN_FIELD, None),
    "json_invalid": (ErrorKind.MALFORMED, None),
}


def field_error_from_pydantic(error: Mapping[str, Any]) -> FieldError:
    """One pydantic error as a FieldError with its kind (``*_type`` and ``*_parsing`` errors
    are type errors) and parameters, for dialects to word in their own style."""
    error_type = str(error.get("type", ""))
    kind, ctx_key = _PYDANTIC_KINDS.get(error_type, (ErrorKind.INVALID, None))
    if kind is ErrorKind.INVALID and error_type.endswith(("_type", "_parsing")):
        kind = ErrorKind.TYPE
    params: dict[str, Any] = {}
    if "input" in error and kind is not ErrorKind.REQUIRED:
        params["value"] = error["input"]
    ctx = error.get("ctx") or {}
    if ctx_key is not None and ctx_key in ctx:
        params["allowed" if kind is ErrorKind.ENUM else "limit"] = ctx[ctx_key]
    if kind is ErrorKind.TYPE:
        params["expected"] = error_type.removesuffix("_type").removesuffix("_parsing")
    return FieldError(_field_path(error.get("loc", ())), str(error.get("msg", "")), kind, params)


def invalid_from_validation(exc: RequestValidationError) -> Invalid:
    """FastAPI's validation errors, as one Invalid listing every failing field."""
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Invalid(
            "Malformed JSON body",
            details=[FieldError("body", "invalid JSON", ErrorKind.MALFORMED)],
        )
    return Invalid("Validation failed", details=[field_error_from_pydantic(e) for e in errors])


def invalid_from_pydantic(exc: ValidationError) -> Invalid:
    """A core value refused by its own validators (e.g. a content type spec)."""
    details = [field_error_from_pydantic(e) for e in exc.errors()]
    return Invalid("Validation failed", details=details)


class RefusedBody(StarletteHTTPException):
    """A request body refused by a middleware while it is read, carrying the core error that
    says why (with its field errors). Raised as an HTTPException because FastAPI lets those
    through its body parsing unchanged (anything else becomes a 400 there); rendered by the
    dialect that owns the path like any domain error."""

    def __init__(self, error: MastheadError):
        super().__init__(status_code=status_for(error), detail=error.message)
        self.error = error


def error_from_http_exception(exc: StarletteHTTPException) -> MastheadError:
    if isinstance(exc, RefusedBody):
        return exc.error
    if exc.status_code == 404:
        return RouteNotFound()
    if exc.status_code == 405:
        return MethodNotAllowed()
    if exc.status_code == 413:
        return PayloadTooLarge()
    if exc.status_code == 401:
        return Unauthenticated(str(exc.detail))
    if exc.status_code == 403:
        return Forbidden(str(exc.detail))
    if 400 <= exc.status_code < 500:
        return Invalid(str(exc.detail))
    return MastheadError()


def install_error_handlers(app: FastAPI, renderers: ErrorRenderers) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, MastheadError):  # registered for this type only
            raise exc
        return renderers.render(request.url.path, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, RequestValidationError):  # registered for this type only
            raise exc
        return renderers.render(request.url.path, invalid_from_validation(exc))

    async def on_pydantic_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, ValidationError):  # registered for this type only
            raise exc
        return renderers.render(request.url.path, invalid_from_pydantic(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):  # registered for this type only
            raise exc
        response = renderers.render(request.url.path, error_from_http_exception(exc))
        # Keep the headers the exception carries, e.g. the Allow a 405 must send (RFC 9110).
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            # Starlette names only the first route's methods; a path served by several routes
            # (GET and POST /v1/documents) must list them all.
            methods = allowed_methods(request.app.router.routes, request.scope) or []
            served = [m for m in methods if m != "OPTIONS"]
            if served:
                response.headers["Allow"] = ", ".join(served)
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = renderers.render(request.url.path, MastheadError())
        # Starlette answers this from its outermost middleware, outside RequestContextMiddleware,
        # so the request id is copied here or the one response most worth tracing lacks it.
        request_id = request.scope.get("state", {}).get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response

    app.add_exception_handler(MastheadError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ValidationError, on_pydantic_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


class UnexpectedErrorMiddleware:
    """An exception no handler took → the dialect's 500 body, answered here, inside the CORS
    and request-id middleware, so a browser may read it and it carries its request id.
    (Starlette's own fallback answers from outside every middleware.) An exception after the
    response has started cannot be answered: it is re-raised, and the server closes the
    connection."""

    def __init__(self, app: ASGIApp, renderers: ErrorRenderers):
        self.app = app
        self.renderers = renderers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            response = self.renderers.render(scope["path"], MastheadError())
            await response(scope, receive, send)
