"""Routers that claim path prefixes, so a request is matched only against its own API's routes.

FastAPI matches a request by trying every route in order, and a miss (a 404, or a path with a
trailing slash) tries them all again for the slash redirect: with five dialects, about 250
routes, matching was most of the time of a 404 and a large share of every request. A
``ClaimedRouter`` refuses, with one string comparison, every path outside its prefixes, so a
request is matched only against the routes of the API that owns its path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import iter_route_contexts
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from masthead.api.errors import ErrorRenderers
from masthead.core.errors import RouteNotFound


def route_path(scope: Scope) -> str:
    """The path routes are matched against: the request's, less the app's root path."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def claims_path(claims: tuple[str, ...], path: str) -> bool:
    """True when ``path`` is one of ``claims`` or lies under one."""
    for prefix in claims:
        if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
            return True
    return False


class ClaimedRouter(APIRouter):
    """An APIRouter whose routes all lie under ``claims`` (full paths, as requested)."""

    def __init__(self, *, claims: tuple[str, ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.claims = tuple(prefix.rstrip("/") for prefix in claims)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not claims_path(self.claims, route_path(scope)):
            return Match.NONE, {}
        return super().matches(scope)


def claimed(router: APIRouter, *claims: str) -> ClaimedRouter:
    """``router``'s routes in a router claiming ``claims``: for routers built elsewhere."""
    wrapper = ClaimedRouter(claims=claims)
    wrapper.include_router(router)
    return wrapper


def first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def owned_segments(paths: Iterable[str | None]) -> frozenset[str] | None:
    """The first segments of route ``paths``; None when one is empty or a parameter (that
    route may serve any path) or there are none."""
    segments = frozenset(first_segment(path or "") for path in paths)
    if not segments or any(not s or s.startswith("{") for s in segments):
        return None
    return segments


def claiming_segments(router: APIRouter, under: str) -> APIRouter:
    """``router`` in a ClaimedRouter claiming, under ``under`` (where it is included), the
    first path segment of each of its routes; ``router`` itself when they may be any."""
    segments = owned_segments(route.path for route in router.routes if hasattr(route, "path"))
    if segments is None:
        return router
    return claimed(router, *(f"{under.rstrip('/')}/{segment}" for segment in sorted(segments)))


class UnownedPathGuard:
    """Answers a path whose first segment no route begins with (``/nope``, ``/wp-login.php``)
    with the 404 FastAPI would give, without FastAPI trying every route, again for a slash
    redirect, and again for its low-priority routes. The segments are read off the app's
    routes at the first request (all are added by then); a route whose path begins with a
    parameter would own every segment, and turns the guard off."""

    def __init__(self, app: ASGIApp, router: Router, renderers: ErrorRenderers):
        self.app = app
        self.router = router
        self.renderers = renderers
        self._owned: frozenset[str] | None = None
        self._has_read = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if not self._has_read:
                contexts = iter_route_contexts(self.router.routes)
                self._owned = owned_segments(c.path_format for c in contexts)
                self._has_read = True
            if self._owned is not None and first_segment(route_path(scope)) not in self._owned:
                response = self.renderers.render(scope["path"], RouteNotFound())
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
