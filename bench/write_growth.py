"""Benchmark: the cost of one document write as a space grows (SQLite, core services, no HTTP).

Creates posts in one space in steps up to ``--documents`` and times, at each step, ``--writes``
creates and as many patches; prints the median per write. The cost at the last step should stay
close to the cost at the first (issue 19: within 1.3x from 1,000 to 100,000 documents).

    python bench/write_growth.py [--documents 20000] [--writes 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from masthead.core import access
from masthead.core.models import Actor, Principal, Role, TokenKind
from masthead.core.security import Passwords
from masthead.core.services import accounts, documents
from masthead.core.services.documents import DocumentInput
from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.uow import Database

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "editors",
    "write",
    "long",
    "articles",
]


def now() -> datetime:
    return datetime.now(UTC)


def admin(db: Database) -> Actor:
    space = accounts.create_space(db.uow(), now, "bench", "Bench")
    user = accounts.create_user(
        db.uow(),
        now,
        "admin",
        "bench-password-123",
        role=Role.ADMIN,
        space_slug="bench",
        passwords=Passwords.for_tests(),
    )
    return access.actor_for(Principal(kind=TokenKind.ACCESS, user=user), space)


def post(i: int) -> DocumentInput:
    body = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(60)) + f" post{i}"
    return DocumentInput(type="post", title=f"Post {i}", data={"body": body})


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        db = Database(make_engine(url))
        actor = admin(db)
        made = 0
        step = 1_000
        print("| documents | create ms | patch ms |")
        print("| --- | --- | --- |")
        while step <= args.documents:
            while made < step - args.writes:
                documents.create_document(db.uow(), now, actor, post(made))
                made += 1
            creates, patches, ids = [], [], []
            for _ in range(args.writes):
                started = time.perf_counter()
                write = documents.create_document(db.uow(), now, actor, post(made))
                creates.append(time.perf_counter() - started)
                ids.append(write.document.id)
                made += 1
            for document_id in ids:
                started = time.perf_counter()
                documents.update_document(
                    db.uow(), now, actor, document_id, DocumentInput(title="Edited")
                )
                patches.append(time.perf_counter() - started)
            print(f"| {made:,} | {median_ms(creates):.2f} | {median_ms(patches):.2f} |", flush=True)
            step *= 4 if step < args.documents // 4 else 2
        db.dispose()


if __name__ == "__main__":
    main()
