"""Browsers: ``OPTIONS`` on every route, and CORS. Shared by every dialect, none imported here.

Two plain ASGI middlewares (not BaseHTTPMiddleware, like ``middleware.py``):

- ``OptionsMiddleware`` answers ``OPTIONS`` on any path a route serves with 204 and an ``Allow``
  header naming what the routes at that path accept (RFC 9110 §9.3.7), instead of FastAPI's
  405. All dialects are routers of one app, so every route, a future dialect's included, gets
  it. A path no route serves falls through to the app's 404. Other methods pass straight
  through: only ``OPTIONS`` pays for resolving the path.
- ``CorsMiddleware`` is Starlette's CORSMiddleware with one change: it does not answer
  preflights itself (with 200, or 400 for a refused origin, and for any path). It lets them
  through to ``OptionsMiddleware``, so they are rate limited and resolved like every
  ``OPTIONS``, and adds the ``Access-Control-*`` headers to that 204 when the origin, method
  and headers are allowed. ``native-v1-behaviour.md`` (Clients): a preflight on any route
  answers 204, with the CORS headers when the origin is allowed, never 405.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "ETag",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Space",
    "X-Request-ID",
    "X-Upload-Token",
    # The workflow API's callers (workflow-content-api.txt): tenant, key, and the marker
    # header its browser clients send on every request.
    "X-Tenant-Id",
    "X-API-Key",
    "X-Requested-With",
)
"""Request headers a browser script may send (besides the CORS-safelisted ones)."""

EXPOSED_HEADERS = ("ETag", "X-Request-ID", "Idempotent-Replayed", "Retry-After", "Location")
"""Response headers a browser script may read (besides the CORS-safelisted ones)."""

CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PREFLIGHT_MAX_AGE = 600  # seconds a browser may cache a preflight answer


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str] | None:
    """The methods served at ``scope``'s path, ``OPTIONS`` last; None when no route serves
    the path, or one answers ``OPTIONS`` itself.

    Asks each route whether it would fully match the path with each method, the one question
    every route (FastAPI's included routers too, which keep their routes nested) answers.
    """

    def is_served(method: str) -> bool:
        probe = {**scope, "method": method}
        return any(route.matches(probe)[0] is Match.FULL for route in routes)

    if is_served("OPTIONS"):
        return None
    methods = [m for m in CORS_METHODS if m != "OPTIONS" and is_served(m)]
    return [*methods, "OPTIONS"] if methods else None


class OptionsMiddleware:
    """``OPTIONS`` on a served path → 204 with ``Allow``, no body."""

    def __init__(self, app: ASGIApp, router: Router):
        """``router``: the app's router, whose routes are read at each request."""
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(self.router.routes, scope)
        if methods is None:
            await self.app(scope, receive, send)
            return
        response = Response(status_code=204, headers={"Allow": ", ".join(methods)})
        await response(scope, receive, send)


class CorsMiddleware(CORSMiddleware):
    """CORS headers for the allowed ``origins`` (``*``: any) and ``origin_regex``; bearer
    tokens, not cookies, so no credentials mode. Preflights: see the module docstring."""

    def __init__(self, app: ASGIApp, origins: Sequence[str], origin_regex: str | None):
        super().__init__(
            app,
            allow_origins=origins,
            allow_origin_regex=origin_regex,
            allow_methods=CORS_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await super().__call__(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        is_preflight = "origin" in request_headers and (
            "access-control-request-method" in request_headers
        )
        if not is_preflight:
            await self.simple_response(scope, receive, send, request_headers)
            return
        granted = self._preflight(request_headers)
        await self.app(scope, receive, functools.partial(_add_to_success, send, granted))

    def _preflight(self, request_headers: Headers) -> dict[str, str]:
        """The headers granting this preflight, or only ``Vary`` when it is refused."""
        verdict = self.preflight_response(request_headers=request_headers)
        if verdict.status_code != 200:
            return {"Vary": self.preflight_headers["Vary"]}
        return {
            name: value
            for name, value in verdict.headers.items()
            if name not in {"content-length", "content-type"}
        }


async def _add_to_success(send: Send, headers: dict[str, str], message: Message) -> None:
    if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
        MutableHeaders(scope=message).update(headers)
    await send(message)
