"""Benchmark: HTTP load on `masthead serve`, beside the framework floor, with the peers' posts.

Generates the posts the peer scripts load into Strapi, Directus and Wagtail (``gen_posts.py``
in ``--peers-dir``: 90 % published, ~2 KB bodies, 10 authors) and imports them once per size
and database under ``var/`` (the core's import service). Then, per setup (``--setups``):

- ``sqlite``: the embedded default, as ``make run`` starts it (one process), at every
  ``--documents`` size (default 10,000 and 100,000);
- ``sqlite-redis``, ``postgresql-redis``: rate limits in Redis, so ``masthead serve`` starts
  one process per CPU (``MASTHEAD_WORKERS=auto``), at the smallest size.

Each builds a release with the CLI (up to ``--publish-upto`` posts: P1 the first, with its
seconds and peak memory), starts ``masthead serve`` bound to 127.0.0.1 and, in the same run,
the floor (a bare async FastAPI route on uvicorn returning a constant 2 KB JSON), and runs each
scenario with ``wrk -t2`` for ``--duration`` seconds after a warm-up, at each of ``--conns``:

- R1 one published post by id, viewer API token; and the first read after a publish (30
  rounds of: publish a change to another post, then time one read)
- R2 20 published posts sorted by ``-publishedAt``, offset 100
- R3 a post by slug, with ``expand=author``
- R4 full-text ``q=``
- R5 a rendered route of the active release, and its ``304`` revalidation
- H1 ``/health`` and H2 an unknown path (404, no database)
- W1 create a post (admin access token), W2 patch a post (round-robin over 100 posts)

It prints a markdown table per setup and size (req/s, p50, p99, reads as a fraction of the
floor, the server's resident memory after the load) and writes
``bench/results/<date>-<documents>.json``. About 12 minutes once the data is loaded.

    python bench/http_load.py [--documents 10000 100000] [--setups sqlite ...] [--duration 5]

``wrk`` comes from Debian's package (``make bench`` installs it when missing); PostgreSQL and
Redis are the machine's (``--pg-url``, ``--redis-url``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from harness import MASTHEAD, bench_env, free_port, masthead, serving_process, timed_publish

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "lua"
WRK = shutil.which("wrk") or "wrk"
PROBE_N = 4321  # the post R1 and R3 read, as in the peers' scripts (published: 4321 % 10 != 0)


@dataclass
class Result:
    scenario: str
    conns: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    floor_fraction: float | None = None


# --- data --------------------------------------------------------------------------------------


def generate_posts(peers_dir: Path, count: int, out: Path) -> Path:
    script = peers_dir / "gen_posts.py"
    if not script.exists():
        sys.exit(f"{script} not found: pass --peers-dir (the peers' benchmark scripts)")
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"N_POSTS": str(count), "DATA_DIR": str(out)}
    subprocess.run([sys.executable, str(script)], env=env, check=True)  # noqa: S603
    return out


def load(data_dir: Path, posts_dir: Path, database_url: str | None = None) -> None:
    """Migrate, then import the authors and posts through the core's import service."""
    env = bench_env(data_dir, database_url)
    masthead("migrate", env=env)
    for name in [n for n in os.environ if n.startswith("MASTHEAD_")]:
        del os.environ[name]  # an earlier setup's (its database URL)
    os.environ.update(env)
    from masthead.core import access
    from masthead.core.content_types import ContentTypeChanges, ContentTypeSpec, FieldDef
    from masthead.core.listing import DocumentQuery
    from masthead.core.services import content_types, imports, queries
    from masthead.core.services.documents import DocumentInput
    from masthead.settings import Settings
    from masthead.storage.database import make_engine
    from masthead.storage.uow import Database

    settings = Settings()
    db = Database(make_engine(settings.effective_database_url))

    def now() -> datetime:
        return datetime.now(UTC)

    with db.read_uow() as uow:
        space = uow.spaces.get_by_slug("default")
    actor = access.system_actor(space)
    content_types.create_type(
        db.uow(),
        now,
        actor,
        ContentTypeSpec.model_validate(
            {
                "name": "author",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "email", "type": "string"},
                ],
            }
        ),
    )
    post = content_types.get_type(db.read_uow(), actor, "post")
    author_field = FieldDef.model_validate(
        {"name": "author", "type": "reference", "to": "author", "indexed": True}
    )
    content_types.patch_type(
        db.uow(), now, actor, "post", ContentTypeChanges(fields=(*post.fields, author_field))
    )
    authors = [json.loads(line) for line in (posts_dir / "authors.jsonl").open()]
    author_inputs = [
        DocumentInput(type="author", title=a["name"], data={"name": a["name"], "email": a["email"]})
        for a in authors
    ]
    for _ in imports.import_documents(db.uow(), now, actor, author_inputs, publish=True):
        pass
    listed = queries.list_documents(db.read_uow(), actor, DocumentQuery(type="author", limit=100))
    by_name = {d.title: str(d.id) for d in listed.items}
    author_ids = {a["id"]: by_name[a["name"]] for a in authors}
    from masthead.core.documents import Status

    def inputs() -> Iterator[DocumentInput]:
        with (posts_dir / "posts.jsonl").open() as lines:
            for line in lines:
                p = json.loads(line)
                yield DocumentInput(
                    type="post",
                    title=p["title"],
                    slug=p["slug"],
                    data={"body": p["body"], "author": author_ids[p["author"]]},
                    status=Status.PUBLISHED if p["status"] == "published" else Status.DRAFT,
                )

    for _ in imports.import_documents(db.uow(), now, actor, inputs(), batch_size=1000):
        pass
    db.dispose()


# --- servers -----------------------------------------------------------------------------------


@contextmanager
def floor() -> Iterator[str]:
    """The floor: a bare async FastAPI route on uvicorn, a constant 2 KB JSON."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "floor_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=BENCH,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/post").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def resident_mib(pid: int) -> float:
    """VmRSS of ``pid`` and its children, in MiB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, AttributeError):
            continue
        pending.extend(int(c) for c in children)
    return total / 1024


# --- wrk ---------------------------------------------------------------------------------------

_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT[unit]


def wrk(
    url: str, conns: int, seconds: int, *extra: str, script_args: tuple[str, ...] = ()
) -> tuple[float, float, float, int, int]:
    """(req/s, p50 ms, p99 ms, requests, non-2xx) of one wrk run."""
    ran = subprocess.run(  # noqa: S603
        [WRK, "-t2", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "--latency", *extra, url]
        + (["--", *script_args] if script_args else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        sys.exit(f"wrk failed on {url}: {ran.stderr or ran.stdout}")
    output = ran.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p50, p99, requests, int(bad.group(1)) if bad else 0


# --- the run -----------------------------------------------------------------------------------


def ensure_loaded(peers_dir: Path, documents: int, database_url: str | None = None) -> Path:
    """The data directory holding ``documents`` of the peers' posts, imported once (into
    SQLite under it, or into ``database_url``, a PostgreSQL database created if missing)."""
    name = f"load-{documents}" if database_url is None else f"load-pg-{documents}"
    data_dir = (Path("var") / name).resolve()
    marker = data_dir / "loaded"
    if database_url is not None and not _database_exists(database_url):
        marker.unlink(missing_ok=True)
    if not marker.exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        if database_url is not None:
            _recreate_database(database_url)
        posts = generate_posts(peers_dir, documents, data_dir / "posts")
        started = time.perf_counter()
        load(data_dir, posts, database_url)
        print(f"loaded {documents:,} posts in {time.perf_counter() - started:.0f} s", flush=True)
        marker.write_text(datetime.now(UTC).isoformat())
    return data_dir


def _libpq(url: str) -> tuple[str, str]:
    """(a libpq URL of the server's ``postgres`` database, the database's name)."""
    base, _, name = url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    return f"{base}/postgres", name


def _database_exists(url: str) -> bool:
    import psycopg

    server, name = _libpq(url)
    with psycopg.connect(server, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def _recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = _libpq(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass(frozen=True)
class Setup:
    """How Masthead is run for a set of measurements."""

    name: str
    postgres: bool  # else SQLite
    redis: bool  # shared rate limits; MASTHEAD_WORKERS=auto then starts one process per CPU
    writes: bool  # W1, W2 (they add posts: run after the reads)


SETUPS = {
    "sqlite": Setup("sqlite (embedded default, 1 process)", False, False, True),
    "sqlite-redis": Setup("sqlite + redis (1 process per CPU)", False, True, False),
    "postgresql-redis": Setup("postgresql + redis (1 process per CPU)", True, True, True),
}


def create_viewer_token(env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [str(MASTHEAD), "tokens", "create", "--space", "default", "--role", "viewer"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def first_touch(
    client: httpx.Client, url: str, viewer: dict[str, str], other_id: str, rounds: int = 30
) -> tuple[float, float]:
    """(p50, p99 ms) of the first published read after a publish: each round publishes a
    change to another post, which makes every cached answer of the space stale, then times
    one read."""
    timings = []
    for n in range(rounds):
        client.patch(f"/v1/documents/{other_id}", json={"title": f"Touched {n}"})
        published = client.post(f"/v1/documents/{other_id}/publish")
        published.raise_for_status()
        started = time.perf_counter()
        client.get(url, headers=viewer).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def run_size(args: argparse.Namespace, setup: Setup, documents: int) -> dict[str, Any]:
    database_url = (
        f"{args.pg_url.rstrip('/')}/masthead_bench_{documents}" if setup.postgres else None
    )
    data_dir = ensure_loaded(args.peers_dir, documents, database_url)
    env = bench_env(data_dir, database_url)
    masthead("migrate", env=env)  # data loaded by an older version
    if setup.redis:
        env["MASTHEAD_REDIS_URL"] = args.redis_url
    token = create_viewer_token(env)
    viewer = ["-H", f"Authorization: Bearer {token}"]
    run: dict[str, Any] = {"setup": setup.name, "documents": documents}
    results: list[Result] = []
    probe_n = PROBE_N if documents >= PROBE_N else 1
    publish = documents <= args.publish_upto
    if publish:
        # A release of these posts, built by the CLI in its own process; the server below
        # serves its routes (R5). The first one renders and writes every page (P1); later
        # ones reuse the pages of unchanged posts (P2, as bench/publish_release.py measures).
        released = subprocess.run(  # noqa: S603
            [str(MASTHEAD), "releases", "list"], env=env, capture_output=True, text=True
        ).stdout.strip()
        key = "P2 release, nothing changed" if released else "P1 first release"
        run["release"] = {"scenario": key, **timed_publish(env)}
        print(f"{key}, {documents:,} posts: {run['release']}", flush=True)
    with floor() as floor_base, serving_process(env) as (client, server):
        admin = ["-H", client.headers["Authorization"].join(["Authorization: ", ""])]
        probe = client.get(
            "/v1/documents", params={"type": "post", "filter[slug]": f"post-{probe_n}"}
        )
        probe_id = probe.json()["items"][0]["id"]
        patched = client.get("/v1/documents", params={"type": "post", "limit": 100}).json()["items"]
        base = str(client.base_url).rstrip("/")
        reads: dict[str, tuple[str, list[str]]] = {
            "R1 post by id": (f"{base}/v1/documents/{probe_id}", viewer),
            "R2 list -publishedAt offset 100": (
                f"{base}/v1/documents?type=post&sort=-publishedAt&limit=20&offset=100",
                viewer,
            ),
            "R3 by slug + expand=author": (
                f"{base}/v1/documents?type=post&filter[slug]=post-{probe_n}&expand=author",
                viewer,
            ),
            "R4 full text q=": (f"{base}/v1/documents?type=post&q=laborum%20post&limit=20", viewer),
        }
        if publish:
            route = f"{base}/v1/private/blog/post-{probe_n}"
            page = httpx.get(route, headers={"Authorization": f"Bearer {token}"})
            page.raise_for_status()
            reads["R5 rendered route"] = (route, viewer)
            reads["R5 rendered route, 304"] = (
                route,
                [*viewer, "-H", f"If-None-Match: {page.headers['etag']}"],
            )
        reads["H1 /health"] = (f"{base}/health", [])
        reads["H2 unknown path 404"] = (f"{base}/nope", [])
        floor_rps: dict[int, float] = {}
        for conns in args.conns:
            wrk(floor_base + "/post", 8, args.warmup)
            rps, p50, p99, count, bad = wrk(floor_base + "/post", conns, args.duration)
            floor_rps[conns] = rps
            results.append(Result("F floor (2 KB constant)", conns, rps, p50, p99, count, bad, 1.0))
        for name, (url, headers) in reads.items():
            wrk(url, 8, args.warmup, *headers)
            for conns in args.conns:
                rps, p50, p99, count, bad = wrk(url, conns, args.duration, *headers)
                results.append(
                    Result(name, conns, rps, p50, p99, count, bad, rps / floor_rps[conns])
                )
        p50, p99 = first_touch(
            client,
            f"/v1/documents/{probe_id}",
            {"Authorization": f"Bearer {token}"},
            patched[-1]["id"],
        )
        results.append(Result("R1 first read after a publish", 1, 1000 / p50, p50, p99, 30, 0))
        if setup.writes:
            ids = ",".join(d["id"] for d in patched)
            writes = {
                "W1 create a post": ("create.lua", []),
                "W2 patch a post": ("patch.lua", [ids]),
            }
            for name, (script, script_args) in writes.items():
                for conns in args.conns:
                    rps, p50, p99, count, bad = wrk(
                        f"{base}/v1/documents",
                        conns,
                        args.duration,
                        *admin,
                        "-s",
                        str(LUA / script),
                        script_args=tuple(script_args),
                    )
                    results.append(Result(name, conns, rps, p50, p99, count, bad))
        rss = resident_mib(server.pid)
    run["rss_mib_after_load"] = round(rss, 1)
    run["results"] = [asdict(r) for r in results]
    return run


def table(run: dict[str, Any]) -> str:
    lines = [
        f"#### {run['setup']}, {run['documents']:,} posts "
        f"(server RSS after the load: {run['rss_mib_after_load']} MiB)",
        "",
    ]
    if "release" in run:
        built = run["release"]
        lines += [
            f"{built['scenario']}: {built['seconds']} s, peak {built['peak_rss_mib']} MiB",
            "",
        ]
    lines += [
        "| scenario | conns | req/s | p50 ms | p99 ms | of floor | non-2xx |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in run["results"]:
        fraction = "" if r["floor_fraction"] is None else f"{100 * r['floor_fraction']:.0f} %"
        lines.append(
            f"| {r['scenario']} | {r['conns']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {fraction} | {r['non_2xx']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--setups",
        nargs="+",
        choices=sorted(SETUPS),
        default=["sqlite", "sqlite-redis", "postgresql-redis"],
        help="sqlite runs at every --documents size; the others at the smallest",
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--conns", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--publish-upto", type=int, default=10_000, help="P1 and R5 up to")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--peers-dir", type=Path, default=BENCH.parent.parent / "shared/bench/peers"
    )
    args = parser.parse_args()
    if not Path(WRK).is_absolute():
        sys.exit("wrk is not installed (Debian package wrk; `make bench` installs it)")
    stamp = datetime.now(UTC)
    print(
        f"Masthead HTTP load, {stamp:%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"wrk -t2 {args.duration:g} s per run after a {args.warmup:g} s warm-up",
        flush=True,
    )
    runs = []
    for name in args.setups:
        setup = SETUPS[name]
        sizes = args.documents if name == "sqlite" else [min(args.documents)]
        for documents in sizes:
            run = run_size(args, setup, documents)
            runs.append(run)
            print(table(run), flush=True)
    out = BENCH / "results" / f"{stamp:%Y-%m-%d}-{'-'.join(map(str, args.documents))}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": stamp.isoformat(), "runs": runs}, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
