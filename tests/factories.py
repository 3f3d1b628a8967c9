"""Build test data through the core services (never by writing rows directly)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from masthead.core.models import Role, Space, User
from masthead.core.ports import Clock
from masthead.core.security import Passwords
from masthead.core.services import accounts
from masthead.storage.uow import Database

PASSWORD = "correct-horse-battery"
# Production argon2 takes about a quarter of a second per hash on a small machine, and most API
# tests hash twice (create the user, log in). The app fixture logs in with the same parameters;
# tests of hashing itself pass ``security.DEFAULT_PASSWORDS``.
FAST_PASSWORDS = Passwords.for_tests()


def make_space(db: Database, clock: Clock, slug: str = "default") -> Space:
    return accounts.create_space(db.uow(), clock, slug, slug.title())


def make_user(
    db: Database,
    clock: Clock,
    username: str,
    role: Role | None = Role.EDITOR,
    space: str = "default",
    *,
    password: str = PASSWORD,
    is_superuser: bool = False,
    passwords: Passwords = FAST_PASSWORDS,
) -> User:
    return accounts.create_user(
        db.uow(),
        clock,
        username,
        password,
        role=role,
        space_slug=space if role else None,
        is_superuser=is_superuser,
        passwords=passwords,
    )


def make_api_token(db: Database, clock: Clock, space: str, role: Role) -> str:
    return accounts.create_api_token(db.uow(), clock, space, role).secret


@dataclass
class Session:
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Session:
    response = await client.post(
        "/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return Session(body["accessToken"], body["refreshToken"])
