"""Documents of a collection type addressed by slug (the apps API's entry ids): found,
replaced (after a snapshot), deleted, published and unpublished idempotently, each in one
transaction; single types refused; upload references resolved to the space's assets."""

from __future__ import annotations

import io

import pytest

from masthead.core.documents import Perspective
from masthead.core.errors import DocumentNotFound, Forbidden, Invalid
from masthead.core.models import Actor
from masthead.core.services import documents_by_slug as by_slug
from masthead.core.services import revisions, uploads
from masthead.core.services.documents import DocumentInput
from masthead.core.services.media_store import MediaContext
from masthead.core.workflow import Status
from masthead.media.setup import build_media_context
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_type

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
POSTS = {
    "name": "blog-posts",
    "fields": [
        {"name": "title", "type": "string", "required": True},
        {"name": "body", "type": "text"},
        {"name": "cover", "type": "media"},
    ],
}


@pytest.fixture
def posts(db: Database, clock: FakeClock, admin: Actor) -> str:
    new_type(db, clock, admin, **POSTS)
    new_type(db, clock, admin, name="settings", kind="single", fields=[])
    return "blog-posts"


@pytest.fixture
def media_ctx(settings: Settings, clock: FakeClock) -> MediaContext:
    return build_media_context(settings, clock)


def _create(db: Database, clock: FakeClock, actor: Actor, **data: object) -> str:
    write = by_slug.create_in_collection(
        db.uow(), clock, actor, "blog-posts", DocumentInput(data=dict(data))
    )
    return write.document.slug


def test_slugs_come_from_titles_and_stay_unique(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    first = _create(db, clock, editor, title="Hello World")
    second = _create(db, clock, editor, title="Hello World")
    assert (first, second) == ("hello-world", "hello-world-2")
    found = by_slug.get_by_slug(db.read_uow(), editor, posts, "hello-world-2")
    assert (found.title, found.status) == ("Hello World", Status.DRAFT)


def test_a_required_title_is_not_derived(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    with pytest.raises(Invalid) as raised:
        _create(db, clock, editor, body="No title")
    assert [(d.field, d.kind.value) for d in raised.value.details] == [("title", "required")]


def test_replace_snapshots_first_and_keeps_the_slug(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    slug = _create(db, clock, editor, title="Old", body="before")
    write = by_slug.replace_by_slug(
        db.uow(), clock, editor, posts, slug, DocumentInput(data={"title": "New"})
    )
    assert (write.document.slug, write.document.title, write.document.data) == (slug, "New", {})
    history = revisions.list_revisions(db.read_uow(), editor, write.document.id, limit=10)
    numbers = sorted((r.number, r.title, r.message) for r in history.items)
    assert numbers == [(1, "Old", None), (2, "Old", "Before update"), (3, "New", None)]


def test_missing_slugs_and_single_types(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    with pytest.raises(DocumentNotFound):
        by_slug.get_by_slug(db.read_uow(), editor, posts, "nope")
    with pytest.raises(DocumentNotFound):
        by_slug.delete_by_slug(db.uow(), editor, posts, "nope")
    with pytest.raises(DocumentNotFound):
        by_slug.publish_by_slug(db.uow(), clock, editor, posts, "nope")
    with pytest.raises(Invalid):
        by_slug.get_by_slug(db.read_uow(), editor, "settings", "x")
    with pytest.raises(Invalid):
        by_slug.create_in_collection(db.uow(), clock, editor, "settings", DocumentInput())


def test_publish_and_unpublish_are_idempotent(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    slug = _create(db, clock, editor, title="Pub")
    first = by_slug.publish_by_slug(db.uow(), clock, editor, posts, slug)
    again = by_slug.publish_by_slug(db.uow(), clock, editor, posts, slug)
    assert (first.status, again.status, again.version) == (
        Status.PUBLISHED,
        Status.PUBLISHED,
        first.version,
    )
    assert [d.slug for d in listed(db, editor, Perspective.PUBLISHED, type=posts)] == [slug]
    by_slug.unpublish_by_slug(db.uow(), clock, editor, posts, slug)
    still = by_slug.unpublish_by_slug(db.uow(), clock, editor, posts, slug)
    assert (still.status, still.is_published) == (Status.DRAFT, False)
    assert listed(db, editor, Perspective.PUBLISHED, type=posts) == []


def test_delete_by_slug_and_viewers(
    db: Database, clock: FakeClock, editor: Actor, viewer: Actor, posts: str
) -> None:
    slug = _create(db, clock, editor, title="Gone")
    with pytest.raises(Forbidden):
        by_slug.delete_by_slug(db.uow(), viewer, posts, slug)
    assert by_slug.get_by_slug(db.read_uow(), viewer, posts, slug).slug == slug
    by_slug.delete_by_slug(db.uow(), editor, posts, slug)
    with pytest.raises(DocumentNotFound):
        by_slug.get_by_slug(db.read_uow(), editor, posts, slug)


def test_upload_references_resolve_to_the_spaces_asset(
    db: Database, clock: FakeClock, editor: Actor, posts: str, media_ctx: MediaContext
) -> None:
    asset = uploads.upload_media(db.uow, media_ctx, editor, io.BytesIO(PDF), filename="a.pdf")
    ref = {"hash": asset.sha256, "filename": "a.pdf", "mime": asset.mime_type}
    slug = _create(db, clock, editor, title="With", cover=ref)
    stored = by_slug.get_by_slug(db.read_uow(), editor, posts, slug)
    assert stored.data["cover"] == str(asset.id)
    with pytest.raises(Invalid) as raised:
        _create(db, clock, editor, title="Bad", cover={**ref, "hash": "0" * 64})
    assert [(d.field, d.kind.value) for d in raised.value.details] == [("cover", "reference")]


def test_a_declared_title_keeps_the_columns_bound(
    db: Database, clock: FakeClock, editor: Actor, posts: str
) -> None:
    with pytest.raises(Invalid) as raised:
        _create(db, clock, editor, title="x" * 501)
    [detail] = raised.value.details
    assert (detail.field, detail.kind.value, detail.params["limit"]) == ("title", "max_length", 500)
