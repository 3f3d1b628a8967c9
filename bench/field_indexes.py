"""Benchmark: document writes in one space while other spaces' admins add and delete types.

Drives the core services directly (no HTTP) on a fresh SQLite file and a fresh PostgreSQL
database. Times ``create_document`` and a ``PATCH`` (``update_document``) of a post in the
space ``quiet``; then ten other spaces get five types each (``--fields`` fields per type, every
type with its own field names, as many marked ``indexed`` as a type may have) and the writes
are timed again; then those 50 types are deleted and the writes are timed a third time. It
prints, per phase, the best median of a few rounds, the p95 and the number of per-field
expression indexes.

    python bench/field_indexes.py [--writes 200] [--fields 100] [--pg URL | --no-pg]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from masthead.core import access, limits
from masthead.core.content_types import ContentTypeSpec, FieldDef, FieldType
from masthead.core.models import Actor, Principal, Role, TokenKind
from masthead.core.security import Passwords
from masthead.core.services import accounts, content_types, documents
from masthead.core.services.documents import DocumentInput
from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.uow import Database

SPACES, TYPES_PER_SPACE = 10, 5
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORDS = Passwords.for_tests()


def now() -> datetime:
    return datetime.now(UTC)


def admin_of(db: Database, slug: str) -> Actor:
    space = accounts.create_space(db.uow(), now, slug, slug.title())
    user = accounts.create_user(
        db.uow(),
        now,
        f"admin-{slug}",
        "bench-password-123",
        role=Role.ADMIN,
        space_slug=slug,
        passwords=PASSWORDS,
    )
    return access.actor_for(Principal(kind=TokenKind.ACCESS, user=user), space)


def wide_type(name: str, fields: int) -> ContentTypeSpec:
    """A type whose field names no other type uses, with as many indexed fields as allowed."""
    indexed = getattr(limits, "MAX_INDEXED_FIELDS_PER_TYPE", fields)
    kinds = (FieldType.STRING, FieldType.INTEGER, FieldType.DATETIME, FieldType.BOOLEAN)
    specs = []
    for i in range(fields):
        extra = {"indexed": True} if i < indexed and "indexed" in FieldDef.model_fields else {}
        specs.append(FieldDef(name=f"{name}_f{i}", type=kinds[i % len(kinds)], **extra))
    return ContentTypeSpec(name=name, fields=tuple(specs))


def timed(action: Callable[[int], object], count: int, rounds: int) -> tuple[float, float]:
    """(best median of ``rounds`` rounds, p95 of all) in ms: on a shared machine the best
    round is the one least disturbed by other work."""
    medians, timings = [], []
    per_round = max(1, count // rounds)
    for r in range(rounds):
        these = []
        for i in range(r * per_round, (r + 1) * per_round):
            started = time.perf_counter()
            action(i)
            these.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(these))
        timings.extend(these)
    timings.sort()
    return min(medians), timings[max(0, int(len(timings) * 0.95) - 1)]


def field_index_count(db: Database) -> int:
    catalog = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
        "(name LIKE 'ix_doc_f_%' OR name LIKE 'ix_pub_f_%')"
        if db.engine.dialect.name == "sqlite"
        else "SELECT count(*) FROM pg_indexes WHERE "
        "indexname LIKE 'ix_doc_f_%' OR indexname LIKE 'ix_pub_f_%'"
    )
    with db.engine.connect() as connection:
        return int(connection.execute(text(catalog)).scalar_one())


def run(label: str, db: Database, writes: int, fields: int, rounds: int) -> None:
    quiet = admin_of(db, "quiet")
    phase = 0

    def measure(name: str) -> None:
        nonlocal phase
        phase += 1
        ids = []

        def create(i: int) -> None:
            inp = DocumentInput(
                type="post", title=f"Post {phase}-{i}", data={"excerpt": "x", "tags": ["a"]}
            )
            ids.append(documents.create_document(db.uow(), now, quiet, inp).document.id)

        def patch(i: int) -> None:
            inp = DocumentInput(data={"excerpt": f"edited {i}"})
            documents.update_document(db.uow(), now, quiet, ids[i], inp)

        create_ms, create_p95 = timed(create, writes, rounds)
        patch_ms, patch_p95 = timed(patch, writes, rounds)
        print(
            f"| {label} | {name} | {field_index_count(db)} | {create_ms:.1f} | {create_p95:.1f}"
            f" | {patch_ms:.1f} | {patch_p95:.1f} |"
        )

    measure("before")
    admins = [admin_of(db, f"tenant{s}") for s in range(SPACES)]
    started = time.perf_counter()
    for s, admin in enumerate(admins):
        for t in range(TYPES_PER_SPACE):
            content_types.create_type(db.uow(), now, admin, wide_type(f"t{s}x{t}", fields))
    created_s = time.perf_counter() - started
    measure(f"after {SPACES * TYPES_PER_SPACE} types ({created_s:.1f} s to create)")
    for s, admin in enumerate(admins):
        for t in range(TYPES_PER_SPACE):
            content_types.delete_type(db.uow(), admin, f"t{s}x{t}")
    measure("after deleting them")


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        migrate.upgrade(url)
        db = Database(make_engine(url))
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def pg_database(base: str) -> Iterator[Database]:
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"masthead_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        db = None
        try:
            migrate.upgrade(url)
            db = Database(make_engine(url))
            yield db
        finally:
            if db is not None:
                db.dispose()
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=200, help="creates (and patches) per phase")
    parser.add_argument("--fields", type=int, default=100, help="fields per created type")
    parser.add_argument("--rounds", type=int, default=4, help="report the best round's median")
    parser.add_argument("--pg", default=os.environ.get("MASTHEAD_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    # The fields past the database-wide bound of indexed names are logged; expected here.
    logging.getLogger("masthead.storage").setLevel(logging.ERROR)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {now():%Y-%m-%d}; {args.writes} writes per phase"
        f", best median of {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}"
    )
    print("| database | phase | field indexes | create ms | create p95 | patch ms | patch p95 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with sqlite_database() as db:
        run("SQLite", db, args.writes, args.fields, args.rounds)
    if not args.no_pg:
        with pg_database(args.pg) as db:
            run("PostgreSQL", db, args.writes, args.fields, args.rounds)


if __name__ == "__main__":
    main()
