"""The apps tests' app ``my-app`` (the document's), its two schemas as the document's
examples use them (``blog-posts``, a collection; ``site-settings``, a single), created
through the Schemas API, and API tokens per role as a client sends them."""

from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role, Space
from masthead.storage.uow import Database
from tests.api.conftest import Headers
from tests.conftest import FakeClock
from tests.factories import make_api_token

BLOG_POSTS = {
    "slug": "blog-posts",
    "name": "Blog posts",
    "kind": "collection",
    "schema": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 120},
            "body": {"type": "string"},
            "published": {"type": "boolean"},
            "category": {"type": "string", "enum": ["news", "tips"]},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "event_at": {"type": "string", "format": "date-time"},
            "cover": {
                "type": "object",
                "properties": {
                    "hash": {"type": "string"},
                    "filename": {"type": "string"},
                    "mime": {"type": "string"},
                },
                "required": ["hash"],
            },
        },
        "required": ["title"],
    },
}
SITE_SETTINGS = {
    "slug": "site-settings",
    "kind": "single",
    "schema": {
        "type": "object",
        "properties": {"site_name": {"type": "string"}, "tagline": {"type": "string"}},
        "required": ["site_name"],
    },
}
BASE = "/api/v1/apps/my-app"


@pytest.fixture
def space_slug() -> str:
    return "my-app"


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def schemas(client: httpx.AsyncClient, admin: Headers) -> None:
    for schema in (BLOG_POSTS, SITE_SETTINGS):
        made = await client.post(f"{BASE}/schemas", json=schema, headers=admin)
        assert made.status_code == 201, made.text


@pytest.fixture
def token(db: Database, clock: FakeClock, space: Space, schemas: None) -> Headers:
    """``$TOKEN`` of the document's examples: an editor's API token of ``my-app``."""
    return bearer(make_api_token(db, clock, space.slug, Role.EDITOR))


@pytest.fixture
def viewer_token(db: Database, clock: FakeClock, space: Space, schemas: None) -> Headers:
    return bearer(make_api_token(db, clock, space.slug, Role.VIEWER))
