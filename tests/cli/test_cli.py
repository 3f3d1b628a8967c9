"""The ``masthead`` command, driven in-process with typer's CliRunner on SQLite and PostgreSQL.

Effects are checked through the core services and the database, never through the command's
own output alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text
from typer.main import Typer
from typer.testing import CliRunner

from masthead.cli import app
from masthead.core import access
from masthead.core.errors import InvalidCredentials
from masthead.core.models import Role, TokenKind
from masthead.core.security import TokenSigner
from masthead.core.services import auth, uploads
from masthead.media.setup import build_media_context
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.conftest import FakeClock

CLI_SECRET = "cli-test-secret-key-0123456789abcdefghij"
assert len(CLI_SECRET) == 40
STRONG_PASSWORD = "correct-horse-battery"
PASSWORD_LINE = re.compile(r"^Generated admin password \(shown once\): (\S+)$", re.MULTILINE)

Invoke = Callable[..., Result]


def clean_env(**values: str) -> dict[str, str | None]:
    """Every MASTHEAD_* setting unset (so the developer's shell cannot leak in), then ``values``."""
    env: dict[str, str | None] = {
        f"MASTHEAD_{name.upper()}": None for name in Settings.model_fields
    }
    env.update(values)
    return env


def flat(output: str) -> str:
    """Rich wraps long lines at the console width; compare messages with whitespace collapsed."""
    return " ".join(output.split())


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str | None]:
    return clean_env(
        MASTHEAD_DATABASE_URL=database_url,
        MASTHEAD_DATA_DIR=str(tmp_path),
        MASTHEAD_SECRET_KEY=CLI_SECRET,
    )


@pytest.fixture
def cli(runner: CliRunner, cli_env: dict[str, str | None]) -> Invoke:
    def invoke(*args: str, **env: str) -> Result:
        return runner.invoke(app, list(args), env={**cli_env, **env}, prog_name="masthead")

    return invoke


@pytest.fixture
def migrated(cli: Invoke) -> Result:
    """The database after `masthead migrate`: space `default` and the admin exist."""
    return succeeded(cli("migrate"))


@contextmanager
def open_database(url: str) -> Iterator[Database]:
    db = Database(make_engine(url))
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    with open_database(database_url) as db:
        yield db


@pytest.fixture
def policy(clock: FakeClock) -> auth.AuthPolicy:
    return auth.AuthPolicy(
        signer=TokenSigner(CLI_SECRET, timedelta(minutes=15)),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(days=1),
        login_limit="1000/minute",
    )


def space_slugs(database: Database) -> list[str]:
    with database.read_uow() as uow:
        return sorted(space.slug for space in uow.spaces.list())


def user_count(database: Database) -> int:
    with database.read_uow() as uow:
        return uow.users.count()


def can_log_in(database: Database, policy: auth.AuthPolicy, username: str, password: str) -> bool:
    try:
        auth.login(database.uow(), policy, username, password, "cli-test")
    except InvalidCredentials:
        return False
    return True


# --- migrate ---------------------------------------------------------------------------------


def test_migrate_on_empty_database_creates_default_space_and_superuser_admin(
    migrated: Result, database: Database
) -> None:
    assert space_slugs(database) == ["default"]
    with database.read_uow() as uow:
        credentials = uow.users.find_credentials("admin")
        default = uow.spaces.get_by_slug("default")
    assert credentials is not None
    admin = credentials.user
    assert admin.is_superuser
    assert admin.is_active
    assert admin.role_in(default.id) is Role.ADMIN
    assert "admin" in migrated.stdout


def test_migrate_without_admin_password_prints_a_generated_one_once_that_logs_in(
    migrated: Result, database: Database, policy: auth.AuthPolicy
) -> None:
    passwords = PASSWORD_LINE.findall(migrated.stdout)
    assert len(passwords) == 1, migrated.output
    password = passwords[0]
    assert len(password) >= 20
    assert migrated.output.count(password) == 1
    assert can_log_in(database, policy, "admin", password)
    assert not can_log_in(database, policy, "admin", password + "x")


def test_second_migrate_prints_no_password_and_creates_nothing(
    migrated: Result, cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    password = PASSWORD_LINE.findall(migrated.stdout)[0]

    again = succeeded(cli("migrate"))

    assert "password" not in again.output.lower()
    assert "Created" not in again.output
    assert space_slugs(database) == ["default"]
    assert user_count(database) == 1
    assert can_log_in(database, policy, "admin", password)


def test_migrate_with_admin_password_set_uses_it_and_prints_no_password(
    cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    chosen = "a-chosen-passphrase-42"

    result = succeeded(cli("migrate", MASTHEAD_ADMIN_PASSWORD=chosen))

    assert PASSWORD_LINE.search(result.stdout) is None
    assert chosen not in result.output
    assert "password" not in result.output.lower()
    assert can_log_in(database, policy, "admin", chosen)


def test_migrate_creates_the_admin_named_by_admin_username(
    cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    succeeded(
        cli("migrate", MASTHEAD_ADMIN_USERNAME="chief", MASTHEAD_ADMIN_PASSWORD=STRONG_PASSWORD)
    )

    with database.read_uow() as uow:
        assert uow.users.count() == 1
        assert not uow.users.exists("admin")
    assert can_log_in(database, policy, "chief", STRONG_PASSWORD)


def test_migrate_with_weak_admin_password_exits_1_and_a_later_migrate_recovers(
    cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    result = cli("migrate", MASTHEAD_ADMIN_PASSWORD="short")

    assert result.exit_code == 1
    assert "Password is too weak" in flat(result.stderr)
    assert user_count(database) == 0

    succeeded(cli("migrate", MASTHEAD_ADMIN_PASSWORD=STRONG_PASSWORD))
    assert space_slugs(database) == ["default"]
    assert can_log_in(database, policy, "admin", STRONG_PASSWORD)


# --- spaces ----------------------------------------------------------------------------------


def test_spaces_create_then_list_shows_the_space(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    created = succeeded(cli("spaces", "create", "blog", "--name", "Blog"))
    assert "blog" in created.stdout

    listed = succeeded(cli("spaces", "list"))

    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines() if line.strip()}
    assert set(rows) == {"blog", "default"}
    with database.read_uow() as uow:
        blog = uow.spaces.get_by_slug("blog")
    assert blog.name == "Blog"
    assert rows["blog"] == ["blog", "Blog", str(blog.id)]


def test_spaces_create_without_name_uses_the_slug_as_name(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    succeeded(cli("spaces", "create", "news"))

    with database.read_uow() as uow:
        assert uow.spaces.get_by_slug("news").name == "news"


def test_spaces_create_duplicate_exits_1_saying_it_already_exists(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    succeeded(cli("spaces", "create", "blog", "--name", "Blog"))

    result = cli("spaces", "create", "blog", "--name", "Other")

    assert result.exit_code == 1
    assert "Space 'blog' already exists" in flat(result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with database.read_uow() as uow:
        assert uow.spaces.get_by_slug("blog").name == "Blog"


def test_spaces_create_invalid_slug_exits_1_and_creates_nothing(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    result = cli("spaces", "create", "Bad Slug!")

    assert result.exit_code == 1
    assert "Invalid space slug" in flat(result.stderr)
    assert "lowercase letters, digits and hyphens" in flat(result.stderr)
    assert space_slugs(database) == ["default"]


# --- users -----------------------------------------------------------------------------------


@pytest.fixture
def blog(migrated: Result, cli: Invoke) -> None:
    succeeded(cli("spaces", "create", "blog", "--name", "Blog"))


def test_users_create_gives_the_user_the_role_in_the_space_and_a_working_password(
    blog: None, cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    result = cli(
        "users",
        "create",
        "bob",
        "--password",
        STRONG_PASSWORD,
        "--role",
        "viewer",
        "--space",
        "blog",
    )

    succeeded(result)
    assert "bob" in result.stdout
    with database.read_uow() as uow:
        credentials = uow.users.find_credentials("bob")
        blog_space = uow.spaces.get_by_slug("blog")
        default_space = uow.spaces.get_by_slug("default")
    assert credentials is not None
    bob = credentials.user
    assert not bob.is_superuser
    assert bob.role_in(blog_space.id) is Role.VIEWER
    assert bob.role_in(default_space.id) is None
    assert can_log_in(database, policy, "bob", STRONG_PASSWORD)


def test_users_create_defaults_to_editor_in_space_default(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    succeeded(cli("users", "create", "dora", "--password", STRONG_PASSWORD))

    with database.read_uow() as uow:
        credentials = uow.users.find_credentials("dora")
        default_space = uow.spaces.get_by_slug("default")
    assert credentials is not None
    assert credentials.user.role_in(default_space.id) is Role.EDITOR


def test_users_create_duplicate_exits_1_saying_it_already_exists(
    blog: None, cli: Invoke, database: Database
) -> None:
    args = ("users", "create", "bob", "--password", STRONG_PASSWORD, "--role", "viewer")
    succeeded(cli(*args, "--space", "blog"))

    result = cli(*args, "--space", "default")

    assert result.exit_code == 1
    assert "already exists" in flat(result.stderr)
    assert user_count(database) == 2  # the admin and the first bob


def test_users_create_in_unknown_space_exits_1_and_creates_no_user(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    result = cli("users", "create", "carol", "--password", STRONG_PASSWORD, "--space", "nowhere")

    assert result.exit_code == 1
    assert "not found" in flat(result.stderr)
    assert "nowhere" in flat(result.stderr)
    with database.read_uow() as uow:
        assert not uow.users.exists("carol")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10 characters"),
        ("aaaaaaaaaaaa", "at least 5 different characters"),
        ("password123", "commonly used password"),
        ("my-name-is-carol", "must not contain the username"),
    ],
)
def test_users_create_weak_password_exits_1_naming_the_reason(
    migrated: Result, cli: Invoke, database: Database, password: str, reason: str
) -> None:
    result = cli("users", "create", "carol", "--password", password)

    assert result.exit_code == 1
    assert "Password is too weak" in flat(result.stderr)
    assert reason in flat(result.stderr)
    with database.read_uow() as uow:
        assert not uow.users.exists("carol")


def test_users_create_invalid_role_is_a_usage_error(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    result = cli("users", "create", "carol", "--password", STRONG_PASSWORD, "--role", "owner")

    assert result.exit_code == 2
    assert "--role" in result.stderr
    with database.read_uow() as uow:
        assert not uow.users.exists("carol")


# --- tokens ----------------------------------------------------------------------------------


def test_tokens_create_prints_a_working_token_stored_only_as_its_sha256(
    migrated: Result, cli: Invoke, database: Database, policy: auth.AuthPolicy
) -> None:
    result = succeeded(cli("tokens", "create", "--space", "default", "--role", "editor"))

    token_lines = [line for line in result.stdout.splitlines() if line.startswith("mh_")]
    assert len(token_lines) == 1, result.stdout
    token = token_lines[0]
    assert re.fullmatch(r"mh_[A-Za-z0-9_-]{40,}", token)
    assert result.stdout.count(token) == 1

    principal = auth.authenticate(database.read_uow(), database.uow(), policy, token)
    assert principal.kind is TokenKind.API
    assert principal.api_token is not None
    assert principal.api_token.role is Role.EDITOR
    actor = auth.resolve_actor(database.read_uow(), principal, None)
    assert actor.space.slug == "default"
    assert actor.role is Role.EDITOR

    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert len(rows) == 1
    row = rows[0]
    assert row["secret_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())


def test_tokens_create_uses_the_given_name(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    succeeded(
        cli("tokens", "create", "--space", "default", "--role", "viewer", "--name", "frontend")
    )

    with database.engine.connect() as connection:
        names = connection.execute(text("SELECT name, role FROM api_tokens")).all()
    assert [tuple(row) for row in names] == [("frontend", "viewer")]


def test_tokens_create_for_unknown_space_exits_1_and_stores_no_token(
    migrated: Result, cli: Invoke, database: Database
) -> None:
    result = cli("tokens", "create", "--space", "nowhere", "--role", "editor")

    assert result.exit_code == 1
    assert "not found" in flat(result.stderr)
    assert "mh_" not in result.output
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM api_tokens")).scalar_one() == 0


# --- worker ----------------------------------------------------------------------------------


def test_worker_runs_queued_jobs_and_stops_cleanly_on_sigterm(
    migrated: Result, cli_env: dict[str, str | None], database: Database
) -> None:
    """A real `masthead worker` process: it builds the release of a queued publish, then
    SIGTERM stops it with status 0 (the job in hand would be finished first)."""
    from masthead.core.jobs import JobStatus
    from masthead.core.services import publishing

    with database.read_uow() as uow:
        actor = access.system_actor(uow.spaces.get_by_slug("default"))
    job = publishing.request_publish(database.uow(), lambda: datetime.now(UTC), actor)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    env |= {k: v for k, v in cli_env.items() if v is not None}
    env["MASTHEAD_WORKER_POLL_SECONDS"] = "0.1"
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "masthead"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = publishing.get_job(database.read_uow(), actor, job.id)
            if found.status.finished:
                break
            time.sleep(0.1)
        assert found.status is JobStatus.COMPLETED, found.error
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


# --- media ------------------------------------------------------------------------------------


def test_media_sweep_removes_expired_pending_uploads_and_keeps_live_ones(
    migrated: Result, cli: Invoke, cli_env: dict[str, str | None], database: Database
) -> None:
    settings = Settings(data_dir=Path(str(cli_env["MASTHEAD_DATA_DIR"])))
    with database.read_uow() as uow:
        actor = access.system_actor(uow.spaces.get_by_slug("default"))
    long_ago = build_media_context(settings, lambda: datetime(2020, 1, 1, tzinfo=UTC))
    expired = uploads.start_upload(
        database.uow(), long_ago, actor, filename="old.jpg", mime_type=None, size=None
    )
    live = uploads.start_upload(
        database.uow(),
        build_media_context(settings, lambda: datetime.now(UTC)),
        actor,
        filename="new.jpg",
        mime_type=None,
        size=None,
    )

    result = succeeded(cli("media", "sweep"))

    assert "Removed 1 abandoned upload" in flat(result.stdout)
    with database.read_uow() as uow:
        assert uow.media.find(actor.space_id, expired.asset.id) is None
        assert uow.media.find(actor.space_id, live.asset.id) is not None


# --- help, unmigrated database (no database fixture needed) ----------------------------------


def command_paths(typer_app: Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of ``typer_app``, as the words typed after ``masthead``."""
    paths: list[tuple[str, ...]] = []
    for command in typer_app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        paths.append((*prefix, name))
    for group in typer_app.registered_groups:
        assert group.name is not None
        paths.append((*prefix, group.name))
        paths.extend(command_paths(group.typer_instance, (*prefix, group.name)))
    return paths


ALL_COMMANDS = command_paths(app)


def test_command_walk_finds_every_documented_command() -> None:
    assert set(ALL_COMMANDS) >= {
        ("migrate",),
        ("serve",),
        ("worker",),
        ("spaces",),
        ("spaces", "create"),
        ("spaces", "list"),
        ("users", "create"),
        ("tokens", "create"),
    }


@pytest.mark.parametrize("path", [(), *ALL_COMMANDS], ids=lambda p: " ".join(p) or "masthead")
def test_help_works_for_every_command(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env=clean_env(), prog_name="masthead")

    assert result.exit_code == 0, result.output
    usage = " ".join(["masthead", *path])
    assert "Usage:" in result.stdout
    assert usage in flat(result.stdout)


def test_no_arguments_shows_help_listing_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(app, [], env=clean_env(), prog_name="masthead")

    for name in ("migrate", "serve", "worker", "spaces", "users", "tokens"):
        assert name in result.output


@pytest.fixture
def unmigrated_env(tmp_path: Path) -> dict[str, str | None]:
    empty = tmp_path / "empty.db"
    empty.touch()
    return clean_env(
        MASTHEAD_DATABASE_URL=f"sqlite:///{empty}",
        MASTHEAD_DATA_DIR=str(tmp_path),
        MASTHEAD_SECRET_KEY=CLI_SECRET,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("spaces", "list"),
        ("spaces", "create", "blog"),
        ("users", "create", "bob", "--password", STRONG_PASSWORD),
        ("tokens", "create", "--space", "default", "--role", "editor"),
    ],
    ids=" ".join,
)
def test_commands_on_unmigrated_database_exit_1_asking_to_run_migrate(
    runner: CliRunner, unmigrated_env: dict[str, str | None], args: tuple[str, ...], tmp_path: Path
) -> None:
    result = runner.invoke(app, list(args), env=unmigrated_env, prog_name="masthead")

    assert result.exit_code == 1, result.output
    assert "run `masthead migrate`" in flat(result.stderr)
    with (
        open_database(f"sqlite:///{tmp_path / 'empty.db'}") as database,
        database.engine.connect() as connection,
    ):
        tables = connection.execute(text("SELECT name FROM sqlite_master")).all()
    assert tables == []  # the command did not migrate (or create anything) behind our back


def test_invalid_settings_exit_1_naming_the_setting(runner: CliRunner, tmp_path: Path) -> None:
    env = clean_env(MASTHEAD_DATA_DIR=str(tmp_path), MASTHEAD_SECRET_KEY="too-short")

    result = runner.invoke(app, ["spaces", "list"], env=env, prog_name="masthead")

    assert result.exit_code == 1
    assert "invalid settings" in flat(result.stderr)
    assert "at least 32 characters" in flat(result.stderr)


def test_spaces_set_public_read_turns_anonymous_reads_on_and_off(
    cli: Invoke, migrated: Result, database: Database
) -> None:
    def is_public() -> bool:
        with database.read_uow() as uow:
            return uow.spaces.get_by_slug("default").is_public_read

    assert not is_public()
    on = succeeded(cli("spaces", "set-public-read", "default"))
    assert "is on" in flat(on.output)
    assert is_public()
    succeeded(cli("spaces", "set-public-read", "default", "--off"))
    assert not is_public()
    missing = cli("spaces", "set-public-read", "nope")
    assert missing.exit_code == 1
    assert "not found" in flat(missing.output)


def test_demo_generates_posts_with_references_through_the_import_service(
    cli: Invoke, migrated: Result, database: Database
) -> None:
    succeeded(cli("demo", "--documents", "30", "--seed", "7"))
    with database.read_uow() as uow:
        space = uow.spaces.get_by_slug("default")
        assert uow.documents.count(space.id, "post") == 30
        assert uow.documents.count(space.id, "author") == 50
        post_type = uow.content_types.find(space.id, "post")
    assert post_type is not None
    assert post_type.field("author") is not None
