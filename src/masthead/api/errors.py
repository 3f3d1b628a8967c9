"""Domain error category → HTTP status: the one table. Dialects only shape the body.

Each dialect registers an ``ErrorRenderer`` for its path prefix; every error raised while
serving a path, by a handler, by request validation, by routing or by a middleware, is
rendered by the renderer of the longest matching prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from masthead.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
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
    (Conflict, 409),
    (Invalid, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (MastheadError, 500),
)

ErrorRenderer = Callable[[MastheadError, int], Response]


def status_for(error: MastheadError) -> int:
    for cls, status in STATUS_BY_CATEGORY:
        if isinstance(error, cls):
            return status
    return 500  # pragma: no cover - MastheadError closes the table


class ErrorRenderers:
    """Path prefix → renderer, longest prefix first."""

    def __init__(self, default: ErrorRenderer):
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


def invalid_from_validation(exc: RequestValidationError) -> Invalid:
    """FastAPI's validation errors, as one Invalid listing every failing field."""
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Invalid("Malformed JSON body", details=[FieldError("body", "invalid JSON")])
    details = [FieldError(_field_path(e.get("loc", ())), str(e.get("msg", ""))) for e in errors]
    return Invalid("Validation failed", details=details)


def invalid_from_pydantic(exc: ValidationError) -> Invalid:
    """A core value refused by its own validators (e.g. a content type spec)."""
    details = [
        FieldError(_field_path(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()
    ]
    return Invalid("Validation failed", details=details)


def error_from_http_exception(exc: StarletteHTTPException) -> MastheadError:
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
