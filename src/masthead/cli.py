"""The ``masthead`` command: parse arguments, build settings, call a core service, print.

No SQL here; every command goes through the same services as the HTTP API.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from masthead.core import access
from masthead.core.errors import MastheadError
from masthead.core.models import Actor, Role
from masthead.core.services import accounts
from masthead.settings import Settings
from masthead.storage import migrate as migrations
from masthead.storage.database import analyze, make_engine
from masthead.storage.uow import Database

app = typer.Typer(
    help="Masthead: a headless CMS. Settings come from MASTHEAD_* environment variables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
spaces_app = typer.Typer(help="Manage spaces (tenants).", no_args_is_help=True)
users_app = typer.Typer(help="Manage users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
media_app = typer.Typer(help="Maintain the media library.", no_args_is_help=True)
app.add_typer(spaces_app, name="spaces")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(media_app, name="media")
releases_app = typer.Typer(
    help="Publish, list, activate and export releases.", no_args_is_help=True
)
app.add_typer(releases_app, name="releases")

out = Console()
err = Console(stderr=True)


def now() -> datetime:
    return datetime.now(UTC)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise fail(f"invalid settings: {problems}") from exc


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    db = Database(
        make_engine(settings.effective_database_url),
        settings.freshness_seconds,
        redis_url=settings.redis_url,
    )
    try:
        if not migrations.is_up_to_date(db.engine):
            raise fail("the database is not migrated: run `masthead migrate` first")
        yield db
    finally:
        db.dispose()


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except MastheadError as exc:
        details = "".join(f"\n  {d.field}: {d.message}" for d in exc.details)
        raise fail(exc.message + details) from exc


def apply_migrations_and_bootstrap(settings: Settings) -> None:
    migrations.upgrade(settings.effective_database_url)
    with database(settings) as db, domain_errors():
        created = accounts.bootstrap(
            db.uow(), now, settings.admin_username, settings.admin_password
        )
    if created is not None:
        user, password = created
        name = escape(user.username)
        out.print(f"Created space [bold]default[/] and admin user [bold]{name}[/].")
        if settings.admin_password is None:
            out.print(f"Generated admin password (shown once): [bold yellow]{password}[/]")


@app.command()
def migrate() -> None:
    """Apply database migrations; on an empty database create the space `default` and the
    admin user (MASTHEAD_ADMIN_USERNAME / MASTHEAD_ADMIN_PASSWORD)."""
    settings = load_settings()
    apply_migrations_and_bootstrap(settings)
    out.print("Database is up to date.")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default: MASTHEAD_HOST)."),
    port: int | None = typer.Option(None, help="Port (default: MASTHEAD_PORT)."),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Apply migrations and first-start setup first."
    ),
) -> None:
    """Start the HTTP server (all APIs) with uvicorn."""
    import uvicorn

    settings = load_settings()
    if migrate_first:
        apply_migrations_and_bootstrap(settings)
    settings.signing_key()  # create the dev key once, before several workers race for it
    bind_host, bind_port = host or settings.host, port or settings.port
    out.print(f"Masthead listening on http://{bind_host}:{bind_port}")
    sys.stdout.flush()
    # X-Forwarded-* are believed only from the proxies named in MASTHEAD_FORWARDED_ALLOW_IPS;
    # unset, uvicorn must not trust them from anyone (its own default trusts 127.0.0.1).
    trusted_proxies = (settings.forwarded_allow_ips or "").strip()
    uvicorn.run(
        "masthead.api.asgi:app_from_env",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=settings.effective_workers,
        access_log=False,
        log_config=None,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )


@app.command()
def worker() -> None:
    """Run publish jobs until stopped (SIGTERM/SIGINT finish the job in hand first). Run as
    many as you like, on any machine that reaches the database: each job runs once. Set
    MASTHEAD_EMBEDDED_WORKER=false on the servers when workers run apart."""
    from masthead.logs import configure_logging
    from masthead.media.setup import build_media_context, media_urls
    from masthead.workers import build_runner, publish_deps, run_worker_process

    settings = load_settings()
    configure_logging(settings.log_level)
    with database(settings) as db:
        blobs = build_media_context(settings, now).blobs
        deps = publish_deps(settings, db, now, blobs, media_urls(settings))
        runner = build_runner(settings, deps)
        out.print(f"Worker {escape(runner.owner)} waiting for jobs.")
        sys.stdout.flush()
        run_worker_process(runner, settings.worker_poll_seconds)


@app.command()
def demo(
    documents: int = typer.Option(1000, "--documents", "-n", min=1, help="Posts to generate."),
    space: str = typer.Option("default", help="Slug of the space to fill."),
    seed: int = typer.Option(42, help="Random seed, for repeatable data."),
) -> None:
    """Generate realistic demo content: companies, authors, categories and N posts (90%
    published) with references between them, through the bulk-import service."""
    from rich.progress import Progress

    from masthead import demo as demo_data

    settings = load_settings()
    with database(settings) as db, domain_errors():
        with db.read_uow() as uow:
            target = uow.spaces.get_by_slug(space)
        actor = access.system_actor(target)
        with Progress(console=out) as progress:
            task = progress.add_task(f"Generating {documents} posts", total=documents)
            for written in demo_data.generate(db.uow, now, actor, documents, seed=seed):
                progress.advance(task, written)
        analyze(db.engine)
    out.print(f"Generated {documents} posts in space [bold]{escape(space)}[/].")


@media_app.command("sweep")
def media_sweep() -> None:
    """Remove uploads that were started but never finalized, and their temporary bytes."""
    from masthead.core.services.media import sweep_abandoned_uploads
    from masthead.media.setup import build_media_context

    settings = load_settings()
    with database(settings) as db, domain_errors():
        removed = sweep_abandoned_uploads(db.uow, build_media_context(settings, now))
    out.print(f"Removed {removed} abandoned upload(s).")


@spaces_app.command("create")
def spaces_create(
    slug: str = typer.Argument(..., help="Lowercase letters, digits and hyphens."),
    name: str | None = typer.Option(None, help="Display name (default: the slug)."),
) -> None:
    """Create a space."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        space = accounts.create_space(db.uow(), now, slug, name)
    out.print(f"Created space [bold]{escape(space.slug)}[/] ({space.id}).")


@spaces_app.command("set-public-read")
def spaces_set_public_read(
    slug: str = typer.Argument(..., help="Slug of the space."),
    enabled: bool = typer.Option(
        True, "--on/--off", help="Allow (or stop) anonymous reads of published content."
    ),
) -> None:
    """Let anonymous callers read the space's published content (off by default)."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        space = accounts.set_public_read(db.uow(), slug, enabled)
    state = "on" if space.is_public_read else "off"
    out.print(f"Public read for space [bold]{escape(space.slug)}[/] is {state}.")


@spaces_app.command("list")
def spaces_list() -> None:
    """List spaces."""
    settings = load_settings()
    with database(settings) as db, db.read_uow() as uow:
        spaces = uow.spaces.list()
    for space in spaces:
        print(f"{space.slug}\t{space.name}\t{space.id}")  # noqa: T201 - plain, tab-separated


@users_app.command("create")
def users_create(
    username: str = typer.Argument(..., help="Login name (case-insensitive)."),
    password: str = typer.Option(..., help="At least 10 characters."),
    role: Role = typer.Option(Role.EDITOR, help="Role in the space."),
    space: str = typer.Option("default", help="Slug of the space the role applies to."),
    name: str | None = typer.Option(None, help="Display name."),
) -> None:
    """Create a user with a role in a space."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        user = accounts.create_user(
            db.uow(), now, username, password, role=role, space_slug=space, name=name
        )
    out.print(
        f"Created user [bold]{escape(user.username)}[/] as {role.value} in space {escape(space)}."
    )


@tokens_app.command("create")
def tokens_create(
    space: str = typer.Option(..., help="Slug of the space the token is bound to."),
    role: Role = typer.Option(..., help="Role the token acts with."),
    name: str | None = typer.Option(None, help="A label to recognise the token by."),
) -> None:
    """Create an API token. The token is printed once and cannot be shown again."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        created = accounts.create_api_token(db.uow(), now, space, role, name)
    name = escape(created.token.name)
    out.print(
        f"Created API token [bold]{name}[/] ({role.value} in {escape(space)}), "
        f"id {created.token.id}."
    )
    out.print("Token (shown once):", style="bold")
    print(created.secret)  # noqa: T201 - plain line, so scripts can capture it


@tokens_app.command("list")
def tokens_list(
    space: str = typer.Option(..., help="Slug of the space whose tokens to list."),
) -> None:
    """List a space's API tokens (never their secrets): id, name, role, state, last use."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        tokens = accounts.list_space_api_tokens(db.read_uow(), space)
    for token in tokens:
        state = "revoked" if token.revoked_at else "active"
        last_used = token.last_used_at.isoformat() if token.last_used_at else "never"
        fields = (str(token.id), token.name, token.role.value, token.prefix, state, last_used)
        print("\t".join(fields))  # noqa: T201 - plain, tab-separated


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: str = typer.Argument(..., metavar="ID", help="Id of the token (`tokens list`)."),
) -> None:
    """Revoke an API token: it stops working at once."""
    try:
        parsed = UUID(token_id)
    except ValueError as exc:
        raise fail(f"'{token_id}' is not an API token id (a UUID)") from exc
    settings = load_settings()
    with database(settings) as db, domain_errors():
        accounts.revoke_any_api_token(db.uow(), now, parsed)
    out.print(f"Revoked API token {parsed}.")


@users_app.command("deactivate")
def users_deactivate(
    username: str = typer.Argument(..., help="Login name of the user."),
) -> None:
    """Deactivate a user: no more logins or refreshes, and their access tokens stop working."""
    settings = load_settings()
    with database(settings) as db, domain_errors():
        user = accounts.deactivate_user_by_name(db.uow(), now, username)
    out.print(f"Deactivated user [bold]{escape(user.username)}[/]; their sessions are revoked.")


def _space_actor(db: Database, slug: str) -> Actor:
    with db.read_uow() as uow:
        space = uow.spaces.find_by_slug(slug)
    if space is None:
        raise fail(f"no space '{slug}'")
    return access.system_actor(space).model_copy(update={"via": "cli"})


@releases_app.command("list")
def releases_list(space: str = typer.Option("default", help="Slug of the space.")) -> None:
    """The space's releases, newest first; * marks the active one."""
    from masthead.core.services import publishing

    settings = load_settings()
    with database(settings) as db, domain_errors():
        found = publishing.list_releases(db.read_uow(), _space_actor(db, space), 100)
    active = found.active.release.id if found.active else None
    for release in found.items:
        mark = "*" if release.id == active else " "
        print(  # noqa: T201 - plain, tab-separated
            f"{mark}\t{release.id}\t{release.hash[:16]}\t{release.document_count}\t"
            f"{release.created_at.isoformat()}"
        )


@releases_app.command("publish")
def releases_publish(
    space: str = typer.Option("default", help="Slug of the space."),
    activate: bool = typer.Option(False, help="Activate the new release (the first always is)."),
) -> None:
    """Build a release now, in this process (no worker needed), and print it."""
    from masthead.core.jobs import JobStatus
    from masthead.core.services import publishing
    from masthead.media.setup import build_media_context, media_urls
    from masthead.workers import build_runner, publish_deps

    settings = load_settings()
    with database(settings) as db, domain_errors():
        actor = _space_actor(db, space)
        job = publishing.request_publish(db.uow(), now, actor, activate=activate)
        deps = publish_deps(
            settings, db, now, build_media_context(settings, now).blobs, media_urls(settings)
        )
        runner = build_runner(settings, deps)
        while runner.run_next() is not None:
            job = publishing.get_job(db.read_uow(), actor, job.id)
            if job.status.finished:
                break
        job = publishing.get_job(db.read_uow(), actor, job.id)
    if job.status is not JobStatus.COMPLETED:
        raise fail(f"job {job.id} is {job.status.value}: {job.error or 'not finished'}")
    result = job.result or {}
    out.print(
        f"Release [bold]{result.get('releaseId')}[/] ({str(result.get('hash'))[:16]}), "
        f"{result.get('documents')} documents"
        + (", unchanged" if result.get("unchanged") else "")
        + (", active" if result.get("activated") else "")
    )


@releases_app.command("activate")
def releases_activate(
    release_id: UUID = typer.Argument(..., help="Id of the release."),
    space: str = typer.Option("default", help="Slug of the space."),
) -> None:
    """Make a release the active one (an older one: a rollback)."""
    from masthead.core.services import publishing

    settings = load_settings()
    with database(settings) as db, domain_errors():
        active = publishing.activate_release(db.uow(), now, _space_actor(db, space), release_id)
    out.print(f"Release [bold]{active.release.id}[/] is active.")


@releases_app.command("export")
def releases_export(
    release_id: UUID = typer.Argument(..., help="Id of the release."),
    directory: Path = typer.Argument(..., help="Directory to write the site into."),
    space: str = typer.Option("default", help="Slug of the space."),
) -> None:
    """Write a release's files (HTML, JSON, feeds, sitemap, manifest) into DIRECTORY, ready
    for a static host."""
    from rich.progress import Progress

    from masthead.core.services import publishing
    from masthead.media.setup import build_media_context

    settings = load_settings()
    blobs = build_media_context(settings, now).blobs
    with database(settings) as db, domain_errors():
        found = publishing.release_files(db.read_uow(), blobs, _space_actor(db, space), release_id)
        directory.mkdir(parents=True, exist_ok=True)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Exporting", total=len(found.files))
            for path, sha256 in sorted(found.files.items()):
                target = publishing.export_path(directory, path)
                target.parent.mkdir(parents=True, exist_ok=True)
                with blobs.open(sha256) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
                progress.advance(task)
    out.print(
        f"Wrote {len(found.files)} files of release {found.release.id} to {escape(str(directory))}."
    )
