"""Demo content: realistic posts, authors, categories and companies, for trying Masthead
and for benchmarks. Written through the core services (bulk import), like any importer."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import accumulate
from uuid import UUID

from masthead.core.content_types import ContentTypeSpec, FieldDef, FieldType
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services import content_types
from masthead.core.services.documents import DocumentInput
from masthead.core.services.imports import import_documents

WORDS = (
    "editor",
    "release",
    "content",
    "headless",
    "schema",
    "preview",
    "publish",
    "draft",
    "review",
    "image",
    "media",
    "page",
    "story",
    "launch",
    "design",
    "garden",
    "travel",
    "coffee",
    "music",
    "winter",
    "harbour",
    "city",
    "river",
    "mountain",
    "science",
    "history",
    "kitchen",
    "recipe",
    "market",
    "energy",
    "ocean",
    "forest",
    "code",
    "python",
    "search",
    "speed",
    "library",
    "archive",
    "studio",
    "camera",
    "light",
    "summer",
    "night",
    "morning",
    "journal",
    "letter",
    "bridge",
)
FIRST = (
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Edsger",
    "Donald",
    "Frances",
)
LAST = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Dijkstra",
    "Knuth",
)
CATEGORIES = (
    "News",
    "Engineering",
    "Design",
    "Culture",
    "Travel",
    "Food",
    "Science",
    "Business",
    "Opinion",
    "Guides",
)

UnitOfWorkFactory = Callable[[], UnitOfWork]


_SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vo", "quel", "dor", "ni", "sa", "bri", "ton")
# A few thousand words with Zipf-like frequencies, as in real text: search terms then match a
# realistic share of posts instead of nearly all of them.
VOCABULARY = tuple(
    random.Random(0).sample(  # noqa: S311 - a fixed shuffle: real words at varied ranks
        [*WORDS, *(a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES)],
        k=len(WORDS) + len(_SYLLABLES) ** 3,
    )
)
_WEIGHTS = tuple(accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(VOCABULARY, cum_weights=_WEIGHTS, k=words))
    return text[0].upper() + text[1:]


def ensure_demo_types(uow: UnitOfWorkFactory, clock: Clock, actor: Actor) -> None:
    """Add author, category and company types, and author/categories/featured to posts."""
    existing = {t.name: t for t in content_types.list_types(uow(), actor)}
    specs = [
        ContentTypeSpec(name="company", fields=(FieldDef(name="name", type=FieldType.STRING),)),
        ContentTypeSpec(
            name="author",
            fields=(
                FieldDef(name="name", type=FieldType.STRING, required=True),
                FieldDef(name="bio", type=FieldType.TEXT),
                FieldDef(name="company", type=FieldType.REFERENCE, to="company"),
            ),
        ),
        ContentTypeSpec(name="category", fields=(FieldDef(name="name", type=FieldType.STRING),)),
    ]
    for spec in specs:
        if spec.name not in existing:
            content_types.create_type(uow(), clock, actor, spec)
    post = content_types.get_type(uow(), actor, "post")
    extra = (
        # Indexed: the fields the demo's list queries (bench/content_queries.py) filter and
        # sort on.
        FieldDef(name="author", type=FieldType.REFERENCE, to="author", indexed=True),
        FieldDef(name="categories", type=FieldType.REFERENCE, to="category", many=True),
        FieldDef(name="featured", type=FieldType.BOOLEAN, indexed=True),
        FieldDef(name="readingTime", type=FieldType.INTEGER, min=1, indexed=True),
    )
    missing = tuple(f for f in extra if post.field(f.name) is None)
    if missing:
        spec = ContentTypeSpec(
            name="post",
            title=post.title,
            kind=post.kind,
            fields=(*post.fields, *missing),
            route_pattern=post.route_pattern,
            template=post.template,
            workflow=post.workflow,
        )
        content_types.update_type(uow(), clock, actor, "post", spec)


def _ids_of(uow: UnitOfWorkFactory, actor: Actor, type_name: str) -> list[UUID]:
    from masthead.core.listing import DocumentQuery
    from masthead.core.services.queries import list_documents

    ids: list[UUID] = []
    offset = 0
    while True:
        page = list_documents(uow(), actor, DocumentQuery(type=type_name, limit=100, offset=offset))
        ids.extend(d.id for d in page.items)
        offset += 100
        if offset >= page.total:
            return ids


def generate(
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    documents: int,
    *,
    seed: int = 42,
) -> Iterator[int]:
    """Create the demo types and ``documents`` posts (90% published); yields progress."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    ensure_demo_types(uow, clock, actor)
    companies = [
        DocumentInput(type="company", title=f"{rng.choice(LAST)} & Co {i}") for i in range(10)
    ]
    for _ in import_documents(uow(), clock, actor, companies, publish=True):
        pass
    company_ids = [str(i) for i in _ids_of(uow, actor, "company")]
    authors = [
        DocumentInput(
            type="author",
            data={
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                "bio": _sentence(rng, 20),
                "company": rng.choice(company_ids),
            },
        )
        for i in range(50)
    ]
    for _ in import_documents(uow(), clock, actor, authors, publish=True):
        pass
    categories = [DocumentInput(type="category", data={"name": c}) for c in CATEGORIES]
    for _ in import_documents(uow(), clock, actor, categories, publish=True):
        pass
    author_ids = [str(i) for i in _ids_of(uow, actor, "author")]
    category_ids = [str(i) for i in _ids_of(uow, actor, "category")]

    def post(i: int) -> DocumentInput:
        paragraphs = "".join(f"<p>{_sentence(rng, 40)}.</p>" for _ in range(4))
        return DocumentInput(
            type="post",
            title=f"{_sentence(rng, rng.randint(3, 7))} {i}",
            data={
                "body": paragraphs,
                "excerpt": _sentence(rng, 25),
                "tags": rng.sample(WORDS, 3),
                "author": rng.choice(author_ids),
                "categories": rng.sample(category_ids, rng.randint(1, 3)),
                "featured": rng.random() < 0.1,
                "readingTime": rng.randint(1, 20),
                "metaTitle": _sentence(rng, 6),
            },
        )

    published = documents - documents // 10
    yield from import_documents(
        uow(), clock, actor, (post(i) for i in range(published)), publish=True
    )
    yield from import_documents(
        uow(), clock, actor, (post(i) for i in range(published, documents)), publish=False
    )
