"""Benchmark: list queries on a large space, through real HTTP.

Fills a data directory with ``masthead demo`` (once; reused on later runs), starts
``masthead serve`` on it, and times sequential requests for list queries that combine a
filter, a sort and an expand, in both perspectives. Prints median and p95 per query.

    python bench/content_queries.py --documents 100000 [--requests 200] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import bench_env, masthead, serving

QUERIES = {
    "filter+sort+expand (draft)": "/v1/documents?type=post&filter[featured]=true"
    "&sort=-publishedAt&expand=author&limit=20",
    "filter+sort+expand (published)": "/v1/documents?type=post&filter[featured]=true"
    "&sort=-publishedAt&expand=author,categories&limit=20&perspective=published",
    "range filter+sort by field": "/v1/documents?type=post&filter[readingTime][gte]=15"
    "&sort=-readingTime&expand=author&limit=20",
    "list contains + nested expand": "/v1/documents?type=post&filter[tags][contains]=coffee"
    "&sort=-createdAt&expand=author.company&limit=20",
    "full-text search": "/v1/documents?type=post&q=harbour&limit=20",
    "deep page": "/v1/documents?type=post&sort=-updatedAt&page=200&limit=20",
    "get one with expand": None,  # filled in at run time
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()

    data_dir = (args.data_dir or Path("var") / f"bench-{args.documents}").resolve()
    env = bench_env(data_dir)
    marker = data_dir / "demo-complete"
    if not marker.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        masthead("migrate", env=env)
        started = time.perf_counter()
        masthead("demo", "--documents", str(args.documents), env=env)
        print(f"generated {args.documents} posts in {time.perf_counter() - started:.0f} s")
        marker.write_text(datetime.now(UTC).isoformat())

    with serving(env) as client:
        first = client.get("/v1/documents?type=post&limit=1").json()["items"][0]["id"]
        QUERIES["get one with expand"] = f"/v1/documents/{first}?expand=author.company"
        print(
            f"Masthead list queries, {args.documents} posts, SQLite, {args.requests} requests each"
        )
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
        )
        print(f"{'query':34} {'median ms':>10} {'p95 ms':>8} {'total':>8}")
        for name, path in QUERIES.items():
            assert path is not None
            response = client.get(path)
            response.raise_for_status()
            total = response.json().get("pagination", {}).get("total", 1)
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{name:34} {statistics.median(timings):10.2f} {p95:8.2f} {total:>8}")


if __name__ == "__main__":
    main()
