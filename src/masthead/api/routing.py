"""Routers that claim path prefixes, so a request is matched only against its own API's routes.

FastAPI matches a request by trying every route in order, and a miss (a 404, or a path with a
trailing slash) tries them all again for the slash redirect: with five dialects, about 250
routes, matching was most of the time of a 404 and a large share of every request. A
``ClaimedRouter`` refuses, with one string comparison, every path outside its prefixes, so a
request is matched only against the routes of the API that owns its path.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


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


def claiming_segments(router: APIRouter, under: str) -> APIRouter:
    """``router`` in a ClaimedRouter claiming, under ``under`` (where it is included), the
    first path segment of each of its routes; ``router`` itself when a route's first segment
    is a parameter (it may serve any path there)."""
    segments = {route.path.split("/")[1] for route in router.routes if hasattr(route, "path")}
    if not segments or any(not s or s.startswith("{") for s in segments):
        return router
    return claimed(router, *(f"{under.rstrip('/')}/{segment}" for segment in sorted(segments)))
