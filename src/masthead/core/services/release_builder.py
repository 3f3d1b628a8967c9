"""The publish job: build a release of a space, store its files, commit it.

1. For types whose workflow is ``none``, publish the working copies that are drafts, as the
   /v1 contract's upstream does (the body's ``publishDrafts: false`` skips this step).
2. Read every published document in batches; write one JSON file per document and one HTML
   file per routable document, a list page and an Atom feed per collection type with a
   route, and the sitemap. Files go to the blob store by their SHA-256 (a file that did not
   change is not written again).
3. Write the manifest (every file's path and hash, the documents, the routes, the resolved
   menus) and take its SHA-256 as the release's hash.
4. In one transaction: the release, its routes, the activation (first release of the space,
   or when asked) and the job's completion, under the job's lease.

A worker that dies mid-build leaves only unreferenced blobs: nothing is visible until step 4.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from xml.etree import ElementTree as ET

import orjson

from masthead.core.blobs import BlobNotFound, BlobStore
from masthead.core.content_types import ContentType, TypeKind, WorkflowMode
from masthead.core.documents import Document, Perspective
from masthead.core.errors import MastheadError
from masthead.core.media import MediaUrls
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWorkFactory
from masthead.core.releases import (
    MANIFEST_FORMAT,
    Release,
    ReleaseFile,
    ReleaseRoute,
    file_for_route,
)
from masthead.core.services import navigation
from masthead.core.services.job_runner import JobContext
from masthead.core.services.site_pages import (
    document_route,
    media_ids,
    media_url_map,
    menus_data,
    page_for,
    safe_route,
    site_for,
)
from masthead.core.services.workflow import apply_action
from masthead.core.workflow import Action, Status
from masthead.rendering import Page, Renderer, Site, atom_feed, sitemap_xml
from masthead.rendering.renderer import DEFAULT_TEMPLATES

log = logging.getLogger("masthead.publish")

BATCH = 200
DRAFT_BATCH = 100
LIST_SIZE = 50  # newest documents on a type's list page
FEED_SIZE = 20
SITEMAP_URLS = 50_000  # sitemaps.org's limit per file
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class PublishDeps:
    uow: UnitOfWorkFactory
    read_uow: UnitOfWorkFactory
    clock: Clock
    blobs: BlobStore
    media_urls: MediaUrls
    site_url: str
    templates_dir: Path | None = None

    def renderer_for(self, space_slug: str) -> Renderer:
        """A space's own templates (``<dir>/<space>/``) override the shared ones (``<dir>/``),
        which override Masthead's defaults."""
        if self.templates_dir is None:
            return Renderer(None)
        own = self.templates_dir / space_slug
        return Renderer(own if own.is_dir() else self.templates_dir)


@dataclass
class _Listing:
    """A collection type's newest pages, for its list page and feed."""

    route: str
    title: str
    newest: list[tuple[datetime, str, Page]] = field(default_factory=list)

    def offer(self, page: Page) -> None:
        item = (page.published_at or datetime.min, page.document_id, page)
        if len(self.newest) < LIST_SIZE:
            heapq.heappush(self.newest, item)
        else:
            heapq.heappushpop(self.newest, item)

    def pages(self) -> list[Page]:
        return [p for _, _, p in sorted(self.newest, key=lambda i: (i[0], i[1]), reverse=True)]


@dataclass
class _Build:
    deps: PublishDeps
    files: dict[str, ReleaseFile] = field(default_factory=dict)
    routes: dict[str, ReleaseRoute] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    # Pages are rendered again only when what they show changed: each document's entry keeps
    # a fingerprint of its page's inputs, compared with the previous release's.
    site_fingerprint: str = ""
    previous: dict[str, Any] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0
    type_prints: dict[str, str] = field(default_factory=dict)

    def type_print(self, content_type: ContentType) -> str:
        found = self.type_prints.get(content_type.name)
        if found is None:
            dumped = orjson.dumps(content_type.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
            found = self.type_prints[content_type.name] = hashlib.sha256(dumped).hexdigest()
        return found

    pending: list[tuple[bytes, str]] = field(default_factory=list)

    def put(self, path: str, data: bytes, content_type: str) -> ReleaseFile:
        """Record a file of the release; its bytes reach the blob store at the next
        ``flush`` (a batch at a time: one durable write for many files)."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.pending.append((data, content_type))
        stored = ReleaseFile(path=path, sha256=sha256, size=len(data), content_type=content_type)
        self.files[path] = stored
        return stored

    def flush(self) -> None:
        if self.pending:
            self.deps.blobs.put_many(self.pending)
            self.pending = []

    def problem(self, document_id: str, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"documentId": document_id, "problem": reason})


def templates_fingerprint(deps: PublishDeps, space_slug: str) -> str:
    """A hash of every template a space's pages may use: Masthead's and its overrides."""
    digest = hashlib.sha256()
    dirs = [DEFAULT_TEMPLATES]
    if deps.templates_dir is not None:
        dirs += [deps.templates_dir, deps.templates_dir / space_slug]
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def previous_documents(deps: PublishDeps, manifest_sha256: str | None) -> dict[str, Any]:
    """The documents of the previous release's manifest (empty when there is none)."""
    if manifest_sha256 is None:
        return {}
    try:
        with deps.blobs.open(manifest_sha256) as stream:
            manifest = orjson.loads(stream.read())
    except BlobNotFound:
        return {}
    if manifest.get("format") != MANIFEST_FORMAT:
        return {}
    documents = manifest.get("documents")
    return documents if isinstance(documents, dict) else {}


def list_route(content_type: ContentType) -> str | None:
    """The list page of a collection type: its route pattern up to the first placeholder
    (``/blog/{slug}`` → ``/blog``); None when that leaves nothing but ``/``."""
    if content_type.kind is not TypeKind.COLLECTION or not content_type.route_pattern:
        return None
    prefix = content_type.route_pattern.split("{", 1)[0]
    route = safe_route(prefix)
    return None if route in {None, "/"} or route == content_type.route_pattern else route


def document_json(document: Document, route: str | None) -> bytes:
    return orjson.dumps(
        {
            "id": str(document.id),
            "type": document.type,
            "slug": document.slug,
            "title": document.title,
            "revision": document.revision,
            "publishedAt": document.published_at,
            "updatedAt": document.updated_at,
            "route": route,
            "data": document.data,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def publish_drafts(ctx: JobContext, deps: PublishDeps, actor: Actor) -> dict[str, Any]:
    """Publish the drafts of the space's ``workflow: none`` types; how many, and which
    could not be published (and why)."""
    with deps.read_uow() as uow:
        types = {t.name: t for t in uow.content_types.list(actor.space_id)}
        open_types = [t.name for t in types.values() if t.workflow is WorkflowMode.NONE]
        ids = uow.documents.drafts_of_types(actor.space_id, open_types)
    published = 0
    skipped: list[dict[str, str]] = []
    for start in range(0, len(ids), DRAFT_BATCH):
        ctx.check()
        with deps.uow() as uow:
            for document_id in ids[start : start + DRAFT_BATCH]:
                try:
                    document = uow.documents.get(actor.space_id, document_id, for_update=True)
                    if document.status is not Status.DRAFT:
                        continue  # published or moved on since the list was read
                    apply_action(
                        uow,
                        deps.clock,
                        actor,
                        document,
                        types.get(document.type),
                        Action.PUBLISH,
                        None,
                    )
                    published += 1
                except MastheadError as exc:
                    if len(skipped) < MAX_PROBLEMS:
                        skipped.append({"documentId": str(document_id), "problem": exc.message})
            uow.commit()
    return {"publishedDrafts": published, "skippedDrafts": skipped}


def build_release(ctx: JobContext, deps: PublishDeps) -> None:
    """The handler of a publish job (see the module's docstring)."""
    job = ctx.job
    actor = Actor.model_validate(job.payload["actor"])
    drafts: dict[str, Any] = {}
    if job.payload.get("publishDrafts", True):
        drafts = publish_drafts(ctx, deps, actor)
    build = _Build(deps)
    renderer = deps.renderer_for(actor.space.slug)
    with deps.read_uow() as uow:
        space = uow.spaces.get(actor.space_id)
        types = {t.name: t for t in uow.content_types.list(space.id)}
        menus = navigation.resolve_all(
            uow, space.id, uow.menus.list(space.id), Perspective.PUBLISHED
        )
        total = uow.documents.count_published(space.id)
        latest = uow.releases.latest(space.id)
    ctx.report(0, total)
    menu_data = menus_data(menus)
    site = site_for(space, deps.site_url, menu_data)
    build.previous = previous_documents(deps, latest.manifest_sha256 if latest else None)
    build.site_fingerprint = hashlib.sha256(
        orjson.dumps(
            [space.name, deps.site_url, menu_data, templates_fingerprint(deps, space.slug)],
            option=orjson.OPT_SORT_KEYS,
        )
    ).hexdigest()
    listings = {
        name: _Listing(route, t.title)
        for name, t in types.items()
        if (route := list_route(t)) is not None
    }
    lastmod: list[tuple[str, datetime | None]] = []
    after: UUID | None = None
    done = 0
    while True:
        ctx.check()
        with deps.read_uow() as uow:
            batch = uow.documents.published_batch(space.id, after, BATCH)
            if not batch:
                break
            wanted: set[UUID] = set()
            for name, content_type in types.items():
                wanted |= media_ids(content_type, (d for d in batch if d.type == name))
            urls = media_url_map(uow, space.id, wanted, deps.media_urls, deps.site_url)
        for document in batch:
            _add_document(build, renderer, site, types, listings, lastmod, document, urls)
        build.flush()
        after = batch[-1].id
        done += len(batch)
        ctx.report(done, max(total, done))
    for listing in listings.values():
        _add_listing(build, renderer, site, listing)
    _add_sitemaps(build, lastmod)
    manifest = orjson.dumps(
        {
            "format": MANIFEST_FORMAT,
            "space": space.slug,
            "files": {path: f.sha256 for path, f in sorted(build.files.items())},
            "documents": build.documents,
            "routes": {
                p: str(r.document_id) if r.document_id else None
                for p, r in sorted(build.routes.items())
            },
            "menus": menu_data,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    manifest_file = build.put("manifest.json", manifest, "application/json")
    build.flush()  # every file is stored before the release that names them commits
    _commit(ctx, deps, actor, build, manifest_file, drafts)


def _add_document(
    build: _Build,
    renderer: Renderer,
    site: Site,
    types: dict[str, ContentType],
    listings: dict[str, _Listing],
    lastmod: list[tuple[str, datetime | None]],
    document: Document,
    media_urls: dict[str, str],
) -> None:
    content_type = types.get(document.type)
    key = str(document.id)
    route = document_route(content_type, document) if content_type else None
    if content_type and content_type.route_pattern and route is None:
        build.problem(key, "its route pattern gives no servable path for this document")
    if route is not None and route in build.routes:
        build.problem(key, f"route {route} is already taken by another document")
        route = None
    json_file = build.put(
        f"documents/{key}.json", document_json(document, route), "application/json"
    )
    entry: dict[str, Any] = {
        "type": document.type,
        "slug": document.slug,
        "revision": document.revision,
        "route": route,
        "file": json_file.path,
    }
    build.documents[key] = entry
    if content_type is None or route is None:
        return
    own_media = {str(i): media_urls.get(str(i)) for i in media_ids(content_type, [document])}
    page = page_for(content_type, document, route, media_urls)
    fingerprint = hashlib.sha256(
        orjson.dumps(
            [
                build.site_fingerprint,
                build.type_print(content_type),
                document.revision,
                document.published_at,
                route,
                own_media,
            ],
            option=orjson.OPT_SORT_KEYS,
        )
    ).hexdigest()
    stored = _reuse_page(build, key, route, fingerprint)
    if stored is None:
        html = renderer.render_page(site, page).encode()
        stored = build.put(file_for_route(route), html, "text/html; charset=utf-8")
        build.rendered += 1
    entry.update(fingerprint=fingerprint, html=stored.sha256, htmlSize=stored.size)
    build.routes[route] = ReleaseRoute(path=route, document_id=document.id, sha256=stored.sha256)
    lastmod.append((route, document.updated_at))
    listing = listings.get(document.type)
    if listing is not None:
        listing.offer(page)


def _reuse_page(build: _Build, key: str, route: str, fingerprint: str) -> ReleaseFile | None:
    """The previous release's page of the document, when its inputs are the same and its
    file is still stored; None means: render it."""
    before = build.previous.get(key)
    if not isinstance(before, dict) or before.get("fingerprint") != fingerprint:
        return None
    sha256, size = before.get("html"), before.get("htmlSize")
    if before.get("route") != route or not isinstance(sha256, str) or not isinstance(size, int):
        return None
    if not build.deps.blobs.exists(sha256):
        return None
    reused = ReleaseFile(file_for_route(route), sha256, size, "text/html; charset=utf-8")
    build.files[reused.path] = reused
    build.reused += 1
    return reused


def _add_listing(build: _Build, renderer: Renderer, site: Site, listing: _Listing) -> None:
    pages = listing.pages()
    if listing.route not in build.routes:
        html = renderer.render_list(site, listing.title, listing.route, pages).encode()
        stored = build.put(file_for_route(listing.route), html, "text/html; charset=utf-8")
        build.routes[listing.route] = ReleaseRoute(listing.route, None, stored.sha256)
    feed = atom_feed(site, listing.title, listing.route, pages[:FEED_SIZE])
    build.put(f"{listing.route.strip('/')}/feed.xml", feed, "application/atom+xml")


def _add_sitemaps(build: _Build, lastmod: list[tuple[str, datetime | None]]) -> None:
    base = build.deps.site_url.rstrip("/")
    entries = sorted(lastmod)
    chunks = [entries[i : i + SITEMAP_URLS] for i in range(0, len(entries), SITEMAP_URLS)] or [[]]
    if len(chunks) == 1:
        build.put("sitemap.xml", sitemap_xml(base, chunks[0]), "application/xml")
        return
    names = []
    for number, chunk in enumerate(chunks, start=1):
        name = f"sitemap-{number}.xml"
        build.put(name, sitemap_xml(base, chunk), "application/xml")
        names.append(name)
    build.put("sitemap.xml", _sitemap_index(base, names), "application/xml")


def _sitemap_index(base: str, names: list[str]) -> bytes:
    root = ET.Element("sitemapindex", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for name in names:
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = f"{base}/{name}"
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _commit(
    ctx: JobContext,
    deps: PublishDeps,
    actor: Actor,
    build: _Build,
    manifest: ReleaseFile,
    drafts: dict[str, Any],
) -> None:
    job = ctx.job
    now = deps.clock()
    with deps.uow() as uow:
        uow.releases.lock_space(job.space_id)  # numbers are taken one build at a time
        previous = uow.releases.latest(job.space_id)
        release = Release(
            id=uuid4(),
            space_id=job.space_id,
            number=previous.number + 1 if previous else 1,
            job_id=job.id,
            hash=manifest.sha256,
            manifest_sha256=manifest.sha256,
            document_count=len(build.documents),
            route_count=len(build.routes),
            file_count=len(build.files),
            total_bytes=sum(f.size for f in build.files.values()),
            created_by=job.created_by,
            created_at=now,
        )
        uow.releases.add(release, list(build.routes.values()))
        active = uow.releases.active(job.space_id)
        activated = active is None or bool(job.payload.get("activate"))
        if activated:
            uow.releases.activate(job.space_id, release.id, now, job.created_by)
        result = {
            "releaseId": str(release.id),
            "hash": release.hash,
            "unchanged": previous is not None and previous.hash == release.hash,
            "previousReleaseId": str(previous.id) if previous else None,
            "activated": activated,
            "documents": release.document_count,
            "routes": release.route_count,
            "problems": build.problems,
            "rendered": build.rendered,
            "reusedPages": build.reused,
            **drafts,
        }
        ctx.complete(uow, result)
        uow.commit()
    log.info("space %s: release %s (%s) built", actor.space.slug, release.id, release.hash[:12])
