"""A second editor (the reviewer of what ``ed`` submits), beside the shared role fixtures."""

from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role, Space
from masthead.storage.uow import Database
from tests.api.conftest import Headers
from tests.conftest import FakeClock
from tests.factories import login, make_user


@pytest.fixture
async def eve(client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space) -> Headers:
    make_user(db, clock, "eve", Role.EDITOR, space=space.slug)
    return {**(await login(client, "eve")).headers, "X-Space": space.slug}
