"""Benchmark: HTTP load on `masthead serve`, beside the framework floor, with the peers' posts.

For each size (``--documents``, default 10,000 then 100,000): generates the posts the peer
scripts load into Strapi, Directus and Wagtail (``gen_posts.py`` in ``--peers-dir``: 90 %
published, ~2 KB bodies, 10 authors), imports them once into a data directory under ``var/``
(SQLite; the import service, as ``masthead demo`` does), starts ``masthead serve`` on it and,
in the same run, the floor: a bare async FastAPI route on uvicorn returning a constant 2 KB
JSON. Then runs each scenario with ``wrk`` for ``--duration`` seconds after a warm-up, at
each of ``--conns``:

- R1 one published post by id, viewer API token
- R2 20 published posts sorted by ``-publishedAt``, offset 100
- R3 a post by slug, with ``expand=author``
- R4 full-text ``q=``
- H1 ``/health`` and H2 an unknown path (404, no database)
- W1 create a post (admin access token), W2 patch a post (round-robin over 200 posts)

It prints a markdown table (req/s, p50, p99, reads as a fraction of the floor), the server's
resident memory after the load, and writes ``bench/results/<date>-<documents>.json``.

    python bench/http_load.py [--documents 10000 100000] [--duration 10] [--conns 8 32]

``wrk`` comes from Debian's package (``make bench`` installs it when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
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

from harness import MASTHEAD, bench_env, free_port, masthead, serving_process

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


def load(data_dir: Path, posts_dir: Path) -> None:
    """Migrate, then import the authors and posts through the core's import service."""
    env = bench_env(data_dir)
    masthead("migrate", env=env)
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


def ensure_loaded(peers_dir: Path, documents: int) -> Path:
    """The data directory holding ``documents`` of the peers' posts, imported once."""
    data_dir = (Path("var") / f"load-{documents}").resolve()
    marker = data_dir / "loaded"
    if not marker.exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        posts = generate_posts(peers_dir, documents, data_dir / "posts")
        started = time.perf_counter()
        load(data_dir, posts)
        print(f"loaded {documents:,} posts in {time.perf_counter() - started:.0f} s", flush=True)
        marker.write_text(datetime.now(UTC).isoformat())
    return data_dir


def run_size(args: argparse.Namespace, documents: int) -> dict[str, Any]:
    data_dir = ensure_loaded(args.peers_dir, documents)
    env = bench_env(data_dir)
    token = (
        subprocess.run(  # noqa: S603
            [str(MASTHEAD), "tokens", "create", "--space", "default", "--role", "viewer"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    viewer = ["-H", f"Authorization: Bearer {token}"]
    results: list[Result] = []
    probe_n = PROBE_N if documents >= PROBE_N else 1
    with floor() as floor_base, serving_process(env) as (client, server):
        admin = ["-H", client.headers["Authorization"].join(["Authorization: ", ""])]
        probe = client.get(
            "/v1/documents", params={"type": "post", "filter[slug]": f"post-{probe_n}"}
        )
        probe_id = probe.json()["items"][0]["id"]
        patched = client.get("/v1/documents", params={"type": "post", "limit": 100}).json()["items"]
        base = str(client.base_url).rstrip("/")
        reads = {
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
            "H1 /health": (f"{base}/health", []),
            "H2 unknown path 404": (f"{base}/nope", []),
        }
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
    return {
        "documents": documents,
        "rss_mib_after_load": round(rss, 1),
        "results": [asdict(r) for r in results],
    }


def table(run: dict[str, Any]) -> str:
    lines = [
        f"#### {run['documents']:,} posts (RSS after load: {run['rss_mib_after_load']} MiB)",
        "",
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
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--conns", type=int, nargs="+", default=[8, 32])
    parser.add_argument(
        "--peers-dir", type=Path, default=BENCH.parent.parent / "shared/bench/peers"
    )
    args = parser.parse_args()
    if not Path(WRK).is_absolute():
        sys.exit("wrk is not installed (Debian package wrk; `make bench` installs it)")
    stamp = datetime.now(UTC)
    print(
        f"Masthead HTTP load, SQLite, {stamp:%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"wrk -t2 {args.duration:g} s per run after a {args.warmup:g} s warm-up",
        flush=True,
    )
    runs = []
    for documents in args.documents:
        run = run_size(args, documents)
        runs.append(run)
        print(table(run), flush=True)
    out = BENCH / "results" / f"{stamp:%Y-%m-%d}-{'-'.join(map(str, args.documents))}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": stamp.isoformat(), "runs": runs}, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
