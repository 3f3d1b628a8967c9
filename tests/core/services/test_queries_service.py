"""Listing documents through the core service, on both databases: type, status, filters,
sort, paging, search and expand; the default perspective by role; and every system field
with every operator in both perspectives, which must answer a page or Invalid, nothing else."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from masthead.core.content_types import FieldDef, FieldType
from masthead.core.documents import Document, Perspective
from masthead.core.errors import AuthRequired, Invalid
from masthead.core.listing import DocumentQuery, Filter, FilterOp, Page, Sort
from masthead.core.models import Actor
from masthead.core.services import documents, queries, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.system_fields import SYSTEM_FIELDS, ValueKind
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import ids, listed, new_document, new_type, outcome

F = Filter  # short, for the many filter tables below


def _page(db: Database, actor: Actor, **query: object) -> Page:
    return queries.list_documents(db.uow(), actor, DocumentQuery(**query))  # type: ignore[arg-type]


# --- a small library: people and books --------------------------------------------------------


@dataclass(frozen=True)
class Library:
    person: Document
    alpha: Document  # 120 pages, novel, available, released 2020, by person, tags sea+storm
    beta: Document  # 80 pages, essay, not available, released 2022, tags sea
    gamma: Document  # 300 pages, novel, no release date, no author, no tags


@pytest.fixture
def library(db: Database, clock: FakeClock, admin: Actor, editor: Actor) -> Library:
    new_type(
        db,
        clock,
        admin,
        name="person",
        fields=(FieldDef(name="name", type=FieldType.STRING, required=True),),
    )
    new_type(
        db,
        clock,
        admin,
        name="book",
        fields=(
            FieldDef(name="pages", type=FieldType.INTEGER),
            FieldDef(name="rating", type=FieldType.NUMBER),
            FieldDef(name="genre", type=FieldType.ENUM, options=("novel", "essay")),
            FieldDef(name="available", type=FieldType.BOOLEAN),
            FieldDef(name="released", type=FieldType.DATETIME),
            FieldDef(name="author", type=FieldType.REFERENCE, to="person"),
            FieldDef(name="tags", type=FieldType.LIST, of=FieldType.STRING),
            FieldDef(name="body", type=FieldType.RICHTEXT),
        ),
    )
    person = new_document(db, clock, editor, type_name="person", name="Ann Author")
    clock.advance(1)
    alpha = new_document(
        db,
        clock,
        editor,
        type_name="book",
        title="Alpha",
        pages=120,
        rating=4.5,
        genre="novel",
        available=True,
        released="2020-01-01T00:00:00Z",
        author=str(person.id),
        tags=["sea", "storm"],
        body="<p>The lighthouse keeper</p>",
    )
    clock.advance(1)
    beta = new_document(
        db,
        clock,
        editor,
        type_name="book",
        title="Beta",
        pages=80,
        rating=3,
        genre="essay",
        available=False,
        released="2022-06-01T09:30:00+02:00",
        tags=["sea"],
    )
    clock.advance(1)
    gamma = new_document(
        db, clock, editor, type_name="book", title="Gamma", pages=300, genre="novel"
    )
    return Library(person, alpha, beta, gamma)


def test_list_by_type_returns_only_that_types_documents(
    db: Database, clock: FakeClock, editor: Actor, library: Library
) -> None:
    page = new_document(db, clock, editor, title="A page")

    assert ids(listed(db, editor, type="book")) == {
        library.alpha.id,
        library.beta.id,
        library.gamma.id,
    }
    assert ids(listed(db, editor, type="page")) == {page.id}
    assert len(listed(db, editor)) == 5  # no type: every type


def test_list_of_an_unknown_type_is_invalid(db: Database, editor: Actor) -> None:
    with pytest.raises(Invalid) as caught:
        listed(db, editor, type="nope")

    assert [d.field for d in caught.value.details] == ["type"]


def test_statuses_narrow_the_list_and_archived_is_hidden_by_default(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    draft = new_document(db, clock, editor, title="Draft")
    live = new_document(db, clock, editor, title="Live", status=Status.PUBLISHED)
    gone = new_document(db, clock, editor, title="Gone")
    workflow.archive(db.uow(), clock, editor, gone.id)

    assert ids(listed(db, editor)) == {draft.id, live.id}
    assert ids(listed(db, editor, statuses=(Status.PUBLISHED,))) == {live.id}
    assert ids(listed(db, editor, statuses=(Status.ARCHIVED,))) == {gone.id}
    assert ids(listed(db, editor, statuses=(Status.DRAFT, Status.ARCHIVED))) == {draft.id, gone.id}


FIELD_FILTERS: list[tuple[Filter, set[str]]] = [
    (F("pages", FilterOp.GT, "100"), {"alpha", "gamma"}),
    (F("pages", FilterOp.LTE, 80), {"beta"}),
    (F("pages", FilterOp.IN, "80,300"), {"beta", "gamma"}),
    (F("rating", FilterOp.GTE, "3.5"), {"alpha"}),
    (F("rating", FilterOp.EQ, "3.0"), {"beta"}),
    (F("genre", FilterOp.EQ, "novel"), {"alpha", "gamma"}),
    (F("genre", FilterOp.NE, "novel"), {"beta"}),
    (F("available", FilterOp.EQ, "true"), {"alpha"}),
    (F("available", FilterOp.EQ, False), {"beta"}),
    (F("released", FilterOp.LT, "2021-01-01T00:00:00Z"), {"alpha"}),
    (F("released", FilterOp.EQ, "2022-06-01T07:30:00Z"), {"beta"}),  # compared in UTC
    (F("released", FilterOp.EXISTS, "false"), {"gamma"}),
    (F("tags", FilterOp.CONTAINS, "sea"), {"alpha", "beta"}),
    (F("tags", FilterOp.EQ, "storm"), {"alpha"}),
    (F("title", FilterOp.CONTAINS, "AMM"), {"gamma"}),  # case-insensitive substring
    (F("title", FilterOp.IN, "Alpha,Beta"), {"alpha", "beta"}),
]


def test_filters_on_type_fields_select_exactly_the_matching_documents(
    db: Database, editor: Actor, library: Library
) -> None:
    by_id = {library.alpha.id: "alpha", library.beta.id: "beta", library.gamma.id: "gamma"}
    author = (F("author", FilterOp.EQ, str(library.person.id)), {"alpha"})

    for flt, expected in [*FIELD_FILTERS, author]:
        found = {by_id[d.id] for d in listed(db, editor, type="book", filters=(flt,))}
        assert found == expected, flt


def test_filters_combine_with_and(db: Database, editor: Actor, library: Library) -> None:
    filters = (F("genre", FilterOp.EQ, "novel"), F("pages", FilterOp.LT, 200))

    assert ids(listed(db, editor, type="book", filters=filters)) == {library.alpha.id}


BAD_FILTERS: list[tuple[str | None, Filter, str]] = [
    (None, F("pages", FilterOp.EQ, "1"), "pages"),  # type fields need the type
    ("book", F("colour", FilterOp.EQ, "red"), "colour"),  # unknown field
    ("book", F("body", FilterOp.EQ, "x"), "body"),  # rich text is not filterable
    ("book", F("tags", FilterOp.LT, "x"), "tags"),  # no ordering on lists
    ("book", F("pages", FilterOp.EQ, "many"), "pages"),  # not an integer
    ("book", F("rating", FilterOp.EQ, "inf"), "rating"),  # not finite
    ("book", F("pages", FilterOp.IN, ","), "pages"),  # no values
    ("book", F("released", FilterOp.GT, "soon"), "released"),  # not a date-time
    ("book", F("available", FilterOp.EXISTS, "maybe"), "available"),
    (None, F("createdAt", FilterOp.CONTAINS, "2026"), "createdAt"),
    (None, F("id", FilterOp.EQ, "not-a-uuid"), "id"),
]


def test_a_bad_filter_is_invalid_naming_its_field(
    db: Database, editor: Actor, library: Library
) -> None:
    for type_name, flt, field in BAD_FILTERS:
        with pytest.raises(Invalid) as caught:
            listed(db, editor, type=type_name, filters=(flt,))
        assert [d.field for d in caught.value.details] == [field], flt


def test_sort_by_a_type_field_either_way_and_by_default_newest_edit_first(
    db: Database, clock: FakeClock, editor: Actor, library: Library
) -> None:
    alpha, beta, gamma = library.alpha.id, library.beta.id, library.gamma.id

    def order(*sort: Sort) -> list[UUID]:
        return [d.id for d in listed(db, editor, type="book", sort=sort)]

    assert order(Sort("pages")) == [beta, alpha, gamma]
    assert order(Sort("pages", descending=True)) == [gamma, alpha, beta]
    assert order(Sort("title", descending=True)) == [gamma, beta, alpha]
    assert [d.id for d in listed(db, editor, type="book")] == [gamma, beta, alpha]
    clock.advance(1)
    documents.update_document(db.uow(), clock, editor, alpha, DocumentInput(data={"pages": 121}))
    assert [d.id for d in listed(db, editor, type="book")] == [alpha, gamma, beta]


def test_sort_by_an_unsortable_field_is_invalid_naming_it(
    db: Database, editor: Actor, library: Library
) -> None:
    unsortable = [
        ("book", "body"),
        ("book", "tags"),
        ("book", "nope"),
        (None, "pages"),
        (None, "id"),
    ]

    for type_name, field in unsortable:
        with pytest.raises(Invalid) as caught:
            listed(db, editor, type=type_name, sort=(Sort(field),))
        assert [d.field for d in caught.value.details] == [field]


def test_limit_and_offset_page_through_the_total(
    db: Database, editor: Actor, library: Library
) -> None:
    by_pages = (Sort("pages"),)

    first = _page(db, editor, type="book", sort=by_pages, limit=2, offset=0)
    second = _page(db, editor, type="book", sort=by_pages, limit=2, offset=2)
    beyond = _page(db, editor, type="book", sort=by_pages, limit=2, offset=10)

    assert [d.id for d in first.items] == [library.beta.id, library.alpha.id]
    assert [d.id for d in second.items] == [library.gamma.id]
    assert beyond.items == []
    assert first.total == second.total == beyond.total == 3
    assert (second.limit, second.offset, second.page, second.pages) == (2, 2, 2, 2)


def test_out_of_bounds_paging_or_search_is_invalid_naming_the_parameter(
    db: Database, editor: Actor
) -> None:
    cases: list[tuple[dict[str, object], list[str]]] = [
        ({"limit": 0}, ["limit"]),
        ({"limit": 101}, ["limit"]),
        ({"offset": -1}, ["offset"]),
        ({"limit": 0, "offset": -1}, ["limit", "offset"]),
        ({"search": "x" * 201}, ["q"]),
    ]

    for paging, fields in cases:
        with pytest.raises(Invalid) as caught:
            _page(db, editor, **paging)
        assert [d.field for d in caught.value.details] == fields


def test_search_finds_words_in_titles_and_text_fields(
    db: Database, editor: Actor, library: Library
) -> None:
    assert ids(listed(db, editor, search="lighthouse")) == {library.alpha.id}
    assert ids(listed(db, editor, search="lightho")) == {library.alpha.id}  # a prefix
    assert ids(listed(db, editor, search="gamma")) == {library.gamma.id}
    assert listed(db, editor, search="zeppelin") == []
    assert len(listed(db, editor, search="   ")) == 4  # blank: no search at all


def test_search_in_the_published_perspective_sees_only_published_text(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Harbour news", status=Status.PUBLISHED)
    documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Airport news"))

    assert ids(listed(db, editor, Perspective.PUBLISHED, search="harbour")) == {doc.id}
    assert listed(db, editor, Perspective.PUBLISHED, search="airport") == []
    assert ids(listed(db, editor, Perspective.DRAFT, search="airport")) == {doc.id}


def test_expand_resolves_references_in_one_page(
    db: Database, editor: Actor, library: Library
) -> None:
    page = _page(db, editor, type="book", expand=("author",))

    assert set(page.expanded) == {library.person.id}
    assert page.expanded[library.person.id].title == "Ann Author"


def test_expand_in_the_published_perspective_leaves_out_unpublished_references(
    db: Database, clock: FakeClock, editor: Actor, library: Library
) -> None:
    workflow.publish(db.uow(), clock, editor, library.alpha.id)
    published = {"perspective": Perspective.PUBLISHED, "type": "book", "expand": ("author",)}

    assert _page(db, editor, **published).expanded == {}
    workflow.publish(db.uow(), clock, editor, library.person.id)
    assert set(_page(db, editor, **published).expanded) == {library.person.id}


def test_expanding_what_is_not_a_reference_is_invalid(
    db: Database, editor: Actor, library: Library
) -> None:
    paths = ["genre", "pages.x", "nope", "author.a.b.c"]

    outcomes = {p: outcome(lambda: _page(db, editor, type="book", expand=(p,))) for p in paths}  # noqa: B023

    assert outcomes == dict.fromkeys(paths, "Invalid")


# --- the default perspective by role ----------------------------------------------------------


@pytest.fixture
def edited_after_publishing(db: Database, clock: FakeClock, editor: Actor) -> Document:
    """A document whose published revision says "Published" and working copy "Working"."""
    doc = new_document(db, clock, editor, title="Published", status=Status.PUBLISHED)
    documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Working"))
    new_document(db, clock, editor, title="Never published")
    return doc


def test_frontend_readers_get_what_is_published_by_default(
    db: Database, viewer_token: Actor, anonymous: Actor, edited_after_publishing: Document
) -> None:
    for actor in (viewer_token, anonymous):
        page = _page(db, actor)

        assert [(d.id, d.title, d.status) for d in page.items] == [
            (edited_after_publishing.id, "Published", Status.PUBLISHED)
        ], actor.kind
        doc = documents.get_document(db.uow(), actor, edited_after_publishing.id)
        assert doc.title == "Published", actor.kind


def test_people_get_working_copies_by_default(
    db: Database, editor: Actor, admin: Actor, viewer: Actor, edited_after_publishing: Document
) -> None:
    for actor in (editor, admin, viewer):
        titles = {d.title for d in _page(db, actor).items}

        assert titles == {"Working", "Never published"}, actor.role
        doc = documents.get_document(db.uow(), actor, edited_after_publishing.id)
        assert doc.title == "Working", actor.role


def test_a_viewer_token_may_ask_for_working_copies_but_anonymous_may_not(
    db: Database, viewer_token: Actor, anonymous: Actor, edited_after_publishing: Document
) -> None:
    assert len(_page(db, viewer_token, perspective=Perspective.DRAFT).items) == 2
    with pytest.raises(AuthRequired):
        _page(db, anonymous, perspective=Perspective.DRAFT)


# --- every system field, in both perspectives, with every operator ----------------------------


@dataclass(frozen=True)
class Statuses:
    """One document per kind of state, for status queries."""

    published: Document
    edited: Document  # published, then edited: working copy draft, published revision live
    draft: Document
    in_review: Document
    archived: Document  # published, then archived: nothing left to read


@pytest.fixture
def statuses(db: Database, clock: FakeClock, editor: Actor) -> Statuses:
    def make(title: str, status: Status | None = None) -> Document:
        clock.advance(1)
        return new_document(db, clock, editor, title=title, status=status)

    published = make("Published", Status.PUBLISHED)
    edited = make("Edited", Status.PUBLISHED)
    documents.update_document(
        db.uow(), clock, editor, edited.id, DocumentInput(data={"excerpt": "new"})
    )
    draft = make("Draft")
    in_review = make("In review", Status.IN_REVIEW)
    archived = make("Archived", Status.PUBLISHED)
    workflow.archive(db.uow(), clock, editor, archived.id)
    return Statuses(published, edited, draft, in_review, archived)


def _values(kind: ValueKind, known: Statuses) -> tuple[str, str]:
    """Two sensible values of ``kind``: something documents hold, and something else."""
    if kind is ValueKind.UUID:
        return str(known.published.id), str(uuid4())
    if kind is ValueKind.DATETIME:
        return "2026-01-15T12:00:03Z", "2030-01-01T00:00:00+02:00"
    return "published", "draft"


def _value_for(op: FilterOp, kind: ValueKind, known: Statuses) -> object:
    one, other = _values(kind, known)
    if op is FilterOp.EXISTS:
        return "true"
    if op is FilterOp.IN:
        return f"{one},{other}"
    if op is FilterOp.CONTAINS:
        return one[1:4]
    return one


def test_every_system_field_operator_and_perspective_answers_a_page_or_invalid(
    db: Database, editor: Actor, statuses: Statuses
) -> None:
    unexpected: list[str] = []
    refused: set[tuple[str, FilterOp]] = set()
    for (name, field), perspective, op in itertools.product(
        SYSTEM_FIELDS.items(), Perspective, FilterOp
    ):
        flt = F(name, op, _value_for(op, field.kind, statuses))
        try:
            page = _page(db, editor, perspective=perspective, filters=(flt,))
        except Invalid:
            refused.add((name, op))
            continue
        except Exception as exc:  # noqa: BLE001 - anything but Invalid is the failure reported
            unexpected.append(f"{perspective} {name} {op} {flt.value!r}: {exc!r}")
            continue
        assert isinstance(page, Page)
        assert page.total >= len(page.items)

    assert unexpected == []
    # Only substring matching on ids and dates is refused; every other pair is answered.
    assert refused == {
        (name, FilterOp.CONTAINS)
        for name, field in SYSTEM_FIELDS.items()
        if field.kind is not ValueKind.STRING
    }


def test_every_system_field_sorts_both_ways_in_both_perspectives_or_is_invalid(
    db: Database, editor: Actor, statuses: Statuses
) -> None:
    unexpected: list[str] = []
    for (name, field), perspective, descending in itertools.product(
        SYSTEM_FIELDS.items(), Perspective, (False, True)
    ):
        try:
            page = _page(db, editor, perspective=perspective, sort=(Sort(name, descending),))
        except Invalid:
            if field.sortable:
                unexpected.append(f"{perspective} sort {name}: refused though sortable")
            continue
        except Exception as exc:  # noqa: BLE001 - anything but Invalid is the failure reported
            unexpected.append(f"{perspective} sort {name}: {exc!r}")
            continue
        if not field.sortable:
            unexpected.append(f"{perspective} sort {name}: accepted though not sortable")
        expected = 2 if perspective is Perspective.PUBLISHED else 4
        if page.total != expected:
            unexpected.append(f"{perspective} sort {name}: {page.total} documents")

    assert unexpected == []


STATUS_FILTERS: list[tuple[Perspective, Filter, set[str]]] = [
    # A published reader sees every published document with the status "published".
    (Perspective.PUBLISHED, F("status", FilterOp.EQ, "published"), {"published", "edited"}),
    (Perspective.PUBLISHED, F("status", FilterOp.EXISTS, "true"), {"published", "edited"}),
    (Perspective.PUBLISHED, F("status", FilterOp.EXISTS, "false"), set()),
    (Perspective.PUBLISHED, F("status", FilterOp.IN, "draft,published"), {"published", "edited"}),
    (Perspective.PUBLISHED, F("status", FilterOp.NE, "published"), set()),
    (Perspective.PUBLISHED, F("status", FilterOp.EQ, "draft"), set()),
    # Working copies carry their own status; archived ones stay out unless asked for.
    (Perspective.DRAFT, F("status", FilterOp.EQ, "published"), {"published"}),
    (
        Perspective.DRAFT,
        F("status", FilterOp.IN, "draft,published"),
        {"published", "edited", "draft"},
    ),
    (Perspective.DRAFT, F("status", FilterOp.NE, "published"), {"edited", "draft", "in_review"}),
]


def test_status_filters_select_exactly_what_each_perspective_says(
    db: Database, editor: Actor, statuses: Statuses
) -> None:
    names = {getattr(statuses, n).id: n for n in Statuses.__dataclass_fields__}

    for perspective, flt, expected in STATUS_FILTERS:
        found = {names[d.id] for d in listed(db, editor, perspective, filters=(flt,))}
        assert found == expected, (perspective, flt)


def test_published_documents_read_as_published_whatever_their_working_status(
    db: Database, editor: Actor, statuses: Statuses
) -> None:
    items = listed(db, editor, Perspective.PUBLISHED)

    assert {(d.title, d.status) for d in items} == {
        ("Published", Status.PUBLISHED),
        ("Edited", Status.PUBLISHED),
    }


def test_sort_by_status_in_the_published_perspective_keeps_the_next_key(
    db: Database, editor: Actor, statuses: Statuses
) -> None:
    def titles(descending: bool) -> list[str]:
        sort = (Sort("status", descending), Sort("title", descending))
        return [d.title for d in listed(db, editor, Perspective.PUBLISHED, sort=sort)]

    assert titles(descending=False) == ["Edited", "Published"]
    assert titles(descending=True) == ["Published", "Edited"]
