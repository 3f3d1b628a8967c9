"""`masthead users deactivate`, `masthead tokens list|revoke`, and how `masthead serve` tells
uvicorn which proxies to trust. In-process with typer's CliRunner; effects are checked through
the core services, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from masthead.cli import app
from masthead.core.errors import InvalidCredentials, InvalidToken
from masthead.core.security import TokenSigner
from masthead.core.services import auth
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.conftest import FakeClock

SECRET = "cli-accounts-test-secret-0123456789abcdef"
PASSWORD = "correct-horse-battery"


def _env(**values: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {f"MASTHEAD_{n.upper()}": None for n in Settings.model_fields}
    env.update(values)
    return env


def _flat(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = _env(
        MASTHEAD_DATABASE_URL=database_url,
        MASTHEAD_DATA_DIR=str(tmp_path),
        MASTHEAD_SECRET_KEY=SECRET,
        MASTHEAD_ADMIN_PASSWORD=PASSWORD,
    )

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env, prog_name="masthead")

    assert invoke("migrate").exit_code == 0
    return invoke


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


@pytest.fixture
def policy(clock: FakeClock) -> auth.AuthPolicy:
    return auth.AuthPolicy(
        signer=TokenSigner(SECRET, timedelta(minutes=15)),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(days=1),
        login_limit="1000/minute",
    )


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result


def _authenticates(database: Database, policy: auth.AuthPolicy, bearer: str) -> bool:
    try:
        auth.authenticate(database.read_uow(), database.uow(), policy, bearer)
    except InvalidToken:
        return False
    return True


# --- users deactivate -------------------------------------------------------------------------


def test_users_deactivate_ends_logins_refreshes_and_access_tokens(
    cli: Any, database: Database, policy: auth.AuthPolicy
) -> None:
    _ok(cli("users", "create", "bob", "--password", PASSWORD))
    session = auth.login(database.uow(), policy, "bob", PASSWORD, "test").tokens
    assert _authenticates(database, policy, session.access_token)

    result = _ok(cli("users", "deactivate", "BOB"))

    assert "Deactivated user bob" in _flat(result.stdout)
    assert not _authenticates(database, policy, session.access_token)
    with pytest.raises(InvalidCredentials):
        auth.login(database.uow(), policy, "bob", PASSWORD, "test")
    with database.read_uow() as uow:
        credentials = uow.users.find_credentials("bob")
    assert credentials is not None
    assert not credentials.user.is_active
    # The admin is untouched.
    assert auth.login(database.uow(), policy, "admin", PASSWORD, "test")


def test_users_deactivate_of_an_unknown_user_exits_1(cli: Any) -> None:
    result = cli("users", "deactivate", "nobody")
    assert result.exit_code == 1
    assert "User 'nobody' not found" in _flat(result.stderr)


# --- tokens list / revoke ---------------------------------------------------------------------


def test_tokens_revoke_stops_the_token_at_once_and_only_once(
    cli: Any, database: Database, policy: auth.AuthPolicy
) -> None:
    created = _ok(cli("tokens", "create", "--space", "default", "--role", "editor"))
    secret = next(line for line in created.stdout.splitlines() if line.startswith("mh_"))
    token_id = re.search(r"id ([0-9a-f-]{36})", _flat(created.stdout))
    assert token_id is not None, created.stdout
    listed = _ok(cli("tokens", "list", "--space", "default")).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [token_id[1]]
    assert listed[0].split("\t")[4] == "active"
    assert secret not in "".join(listed)
    assert _authenticates(database, policy, secret)

    revoked = _ok(cli("tokens", "revoke", token_id[1]))

    assert f"Revoked API token {token_id[1]}" in _flat(revoked.stdout)
    assert not _authenticates(database, policy, secret)
    assert _ok(cli("tokens", "list", "--space", "default")).stdout.split("\t")[4] == "revoked"
    again = cli("tokens", "revoke", token_id[1])
    assert again.exit_code == 1
    assert "No active API token" in _flat(again.stderr)


@pytest.mark.parametrize("token_id", ["nope", "00000000-0000-4000-8000-000000000000"])
def test_tokens_revoke_of_no_token_exits_1(cli: Any, token_id: str) -> None:
    result = cli("tokens", "revoke", token_id)
    assert result.exit_code == 1
    assert "API token" in _flat(result.stderr)


def test_tokens_list_of_an_unknown_space_exits_1(cli: Any) -> None:
    result = cli("tokens", "list", "--space", "nowhere")
    assert result.exit_code == 1
    assert "not found" in _flat(result.stderr)


# --- serve: trusted proxies (no database needed) ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "proxy_headers", "allowed"),
    [
        (None, False, None),
        ("", False, None),
        ("10.0.0.1, 10.0.0.0/8", True, "10.0.0.1, 10.0.0.0/8"),
        ("*", True, "*"),
    ],
)
def test_serve_trusts_forwarded_headers_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    value: str | None,
    proxy_headers: bool,
    allowed: str | None,
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    env = _env(MASTHEAD_DATA_DIR=str(tmp_path), MASTHEAD_SECRET_KEY=SECRET)
    if value is not None:
        env["MASTHEAD_FORWARDED_ALLOW_IPS"] = value

    result = CliRunner().invoke(app, ["serve", "--no-migrate"], env=env, prog_name="masthead")

    assert result.exit_code == 0, result.output
    [kwargs] = calls
    assert kwargs["proxy_headers"] is proxy_headers
    assert kwargs["forwarded_allow_ips"] == allowed
