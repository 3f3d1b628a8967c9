"""Fixtures shared by the API tests: a space, and a logged-in user per role as request headers.

``admin`` (ada), ``ed`` (an editor) and ``viewer`` (vic) are members of the space that
``space_slug`` names: ``default`` unless a module overrides that fixture. Each returns the
headers a client of that user sends: the bearer token and ``X-Space``.
"""

from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role, Space
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

Headers = dict[str, str]


@pytest.fixture
def space_slug() -> str:
    """Override in a test module to put the role fixtures in another space."""
    return "default"


@pytest.fixture
def space(db: Database, clock: FakeClock, space_slug: str) -> Space:
    return make_space(db, clock, space_slug)


async def _member(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space, name: str, role: Role
) -> Headers:
    make_user(db, clock, name, role, space=space.slug)
    return {**(await login(client, name)).headers, "X-Space": space.slug}


@pytest.fixture
async def admin(client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space) -> Headers:
    return await _member(client, db, clock, space, "ada", Role.ADMIN)


@pytest.fixture
async def ed(client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space) -> Headers:
    return await _member(client, db, clock, space, "ed", Role.EDITOR)


@pytest.fixture
async def viewer(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space
) -> Headers:
    return await _member(client, db, clock, space, "vic", Role.VIEWER)
