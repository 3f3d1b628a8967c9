"""Actors for driving the core services directly, on both databases.

Users are built through ``tests/factories.py`` (and so through ``accounts.create_user``), and
turned into actors the way a request is: ``access.actor_for`` resolves the role a principal
holds in a space. Every actor below acts in the space ``default`` except ``outsider``.
"""

from __future__ import annotations

import pytest

from masthead.core import access
from masthead.core.models import Actor, Principal, Role, Space, TokenKind
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space, make_user


def _member(db: Database, clock: FakeClock, space: Space, username: str, role: Role) -> Actor:
    user = make_user(db, clock, username, role, space=space.slug)
    return access.actor_for(Principal(kind=TokenKind.ACCESS, user=user), space)


@pytest.fixture
def space(db: Database, clock: FakeClock) -> Space:
    return make_space(db, clock, "default")


@pytest.fixture
def admin(db: Database, clock: FakeClock, space: Space) -> Actor:
    return _member(db, clock, space, "ada", Role.ADMIN)


@pytest.fixture
def editor(db: Database, clock: FakeClock, space: Space) -> Actor:
    return _member(db, clock, space, "ed", Role.EDITOR)


@pytest.fixture
def editor2(db: Database, clock: FakeClock, space: Space) -> Actor:
    """A second editor: the reviewer of what ``editor`` submits."""
    return _member(db, clock, space, "eve", Role.EDITOR)


@pytest.fixture
def viewer(db: Database, clock: FakeClock, space: Space) -> Actor:
    return _member(db, clock, space, "vic", Role.VIEWER)


@pytest.fixture
def viewer_token(db: Database, clock: FakeClock, space: Space) -> Actor:
    """A viewer API token: what a frontend reads with."""
    token = accounts.create_api_token(db.uow(), clock, space.slug, Role.VIEWER).token
    return access.actor_for(Principal(kind=TokenKind.API, api_token=token), space)


@pytest.fixture
def anonymous(db: Database, space: Space) -> Actor:
    """An anonymous reader of ``default``, made public for it (private spaces refuse them)."""
    public = accounts.set_public_read(db.uow(), space.slug, is_public_read=True)
    return access.actor_for(Principal(kind=TokenKind.ANONYMOUS), public)


@pytest.fixture
def outsider(db: Database, clock: FakeClock, space: Space) -> Actor:
    """An admin of another space: nothing in ``default`` exists for it."""
    other = make_space(db, clock, "other")
    return _member(db, clock, other, "otto", Role.ADMIN)
