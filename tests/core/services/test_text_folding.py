"""``contains`` filters and full-text search fold case and accents the same way on SQLite and
PostgreSQL: each query below expects the same documents on both databases."""

from __future__ import annotations

import pytest

from masthead.core.content_types import FieldDef, FieldType
from masthead.core.documents import Perspective
from masthead.core.listing import Filter, FilterOp
from masthead.core.models import Actor
from masthead.core.services import workflow
from masthead.storage.folding import fold
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document, new_type

TITLES = (
    "Café crème",
    "cafe au lait",
    "Cafeteria",
    "ÉCOLE normale",
    "école primaire",
    "Ecole buissonnière",
    "Straße",
)


def _shouted(title: str) -> str:
    """Upper case, but keeping ß (Python would write SS)."""
    return "".join(c if c == "ß" else c.upper() for c in title)


@pytest.fixture
def titles(db: Database, clock: FakeClock, admin: Actor) -> None:
    new_type(
        db,
        clock,
        admin,
        name="note",
        fields=(
            FieldDef(name="summary", type=FieldType.STRING),
            FieldDef(name="body", type=FieldType.TEXT),
        ),
    )
    for title in TITLES:
        document = new_document(
            db, clock, admin, type_name="note", title=title, summary=_shouted(title), body=title
        )
        workflow.publish(db.uow(), clock, admin, document.id)
        clock.advance(1)


def _titles(db: Database, actor: Actor, perspective: Perspective, **query: object) -> set[str]:
    return {d.title for d in listed(db, actor, perspective, type="note", **query)}


CAFE = {"Café crème", "cafe au lait", "Cafeteria"}
ECOLE = {"ÉCOLE normale", "école primaire", "Ecole buissonnière"}


SEARCHES = [
    ("cafe", CAFE),  # the last word is a prefix
    ("CAFÉ", CAFE),
    ("Café crème", {"Café crème"}),
    ("creme", {"Café crème"}),
    ("école", ECOLE),
    ("ECOLE", ECOLE),
    ("ecole normale", {"ÉCOLE normale"}),
    ("Buissonniere", {"Ecole buissonnière"}),
    ("straße", {"Straße"}),
]
NEEDLES = [
    ("cafe", CAFE),
    ("CAFÉ", CAFE),
    ("é c", {"Café crème"}),  # across the space, accents on either side
    ("école", ECOLE),
    ("ÉCOLE", ECOLE),
    ("ole", ECOLE),
    ("ière", {"Ecole buissonnière"}),
    ("%", set()),  # no wildcard meaning
    ("_", set()),
    ("STRASSE", set()),  # ß is a letter of its own, not "ss"
    ("straße", {"Straße"}),
]


@pytest.mark.parametrize("perspective", [Perspective.DRAFT, Perspective.PUBLISHED])
def test_full_text_search_ignores_case_and_accents(
    db: Database, admin: Actor, titles: None, perspective: Perspective
) -> None:
    found = {words: _titles(db, admin, perspective, search=words) for words, _ in SEARCHES}
    assert found == dict(SEARCHES)


@pytest.mark.parametrize("perspective", [Perspective.DRAFT, Perspective.PUBLISHED])
@pytest.mark.parametrize("field", ["title", "summary"])
def test_contains_ignores_case_and_accents(
    db: Database, admin: Actor, titles: None, perspective: Perspective, field: str
) -> None:
    found = {
        needle: _titles(db, admin, perspective, filters=(Filter(field, FilterOp.CONTAINS, needle),))
        for needle, _ in NEEDLES
    }
    assert found == dict(NEEDLES)


def test_fold_lowercases_and_drops_accents() -> None:
    assert fold("ÉCOLE Café Ñandú ﬁn") == "ecole cafe nandu fin"
    assert fold(None) is None
    assert fold(12.5) == "12.5"
