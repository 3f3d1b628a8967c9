"""Benchmark: how long a release of the peers' posts takes to build, and its peak memory.

For each size (``--documents``, default 10,000 then 100,000 posts, 90 % published; imported
once under ``var/`` as ``make bench`` does), runs ``masthead releases publish`` three times
as its own process, each timed with its peak resident memory (GNU ``time``):

- P1 the first release: every document's JSON and HTML is rendered and written
- P2 the same again, nothing changed: rendered again, no file written (same hashes)
- P3 after one post changed: one new JSON and HTML file

    python bench/publish_release.py [--documents 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import bench_env, masthead, timed_publish
from http_load import BENCH, ensure_loaded


def change_one_post(env: dict[str, str]) -> None:
    os.environ.update(env)
    from masthead.core import access
    from masthead.core.listing import DocumentQuery
    from masthead.core.services import documents, queries, workflow
    from masthead.settings import Settings
    from masthead.storage.database import make_engine
    from masthead.storage.uow import Database

    db = Database(make_engine(Settings().effective_database_url))

    def now() -> datetime:
        return datetime.now(UTC)

    with db.read_uow() as uow:
        actor = access.system_actor(uow.spaces.get_by_slug("default"))
    post = queries.list_documents(db.read_uow(), actor, DocumentQuery(type="post", limit=1)).items[
        0
    ]
    inp = documents.DocumentInput(data={"body": f"<p>Changed at {now().isoformat()}</p>"})
    documents.update_document(db.uow(), now, actor, post.id, inp)
    workflow.publish(db.uow(), now, actor, post.id)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--peers-dir", type=Path, default=BENCH.parent.parent / "shared/bench/peers"
    )
    args = parser.parse_args()
    stamp = datetime.now(UTC)
    print(
        f"Masthead release builds, SQLite, {stamp:%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        flush=True,
    )
    runs = []
    for documents in args.documents:
        env = bench_env(ensure_loaded(args.peers_dir, documents))
        masthead("migrate", env=env)  # data loaded by an older version
        run: dict[str, Any] = {"documents": documents}
        # P1 writes every file: start from an empty blob store (the benchmark's data has no
        # media, so only earlier runs' release files are dropped).
        shutil.rmtree(Path(env["MASTHEAD_DATA_DIR"]) / "media" / "blobs", ignore_errors=True)
        run["P1 first release"] = timed_publish(env)
        run["P2 unchanged"] = timed_publish(env)
        change_one_post(env)
        run["P3 one post changed"] = timed_publish(env)
        runs.append(run)
        print(f"\n{documents:,} posts")
        print("| scenario | seconds | peak RSS (MiB) |\n| --- | --- | --- |")
        for name, value in run.items():
            if isinstance(value, dict):
                print(f"| {name} | {value['seconds']} | {value['peak_rss_mib']} |")
        sys.stdout.flush()
    out = BENCH / "results" / f"{stamp:%Y-%m-%d}-publish-{'-'.join(map(str, args.documents))}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": stamp.isoformat(), "runs": runs}, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
