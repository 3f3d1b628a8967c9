"""Inputs that used to reach storage and break it, through the core services on both databases
(issue 13, defects 1, 6 and 8): the core refuses them itself, so imports, the CLI and every
dialect are covered whatever their HTTP edge does, and storage cannot write what no response
could carry."""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError
from sqlalchemy import literal_column, update

from masthead.core.content_types import ContentTypeChanges, ContentTypeSpec, FieldDef, FieldType
from masthead.core.documents import Document, Perspective
from masthead.core.errors import (
    AuthRequired,
    ContentTypeExists,
    Invalid,
    SpaceAccessDenied,
    SpaceNotFound,
    UniqueValueTaken,
)
from masthead.core.listing import Filter, FilterOp
from masthead.core.models import Actor, Principal, Role, TokenKind
from masthead.core.services import accounts, auth, content_types, documents, imports
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Status
from masthead.storage.tables import DocumentRow
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document, new_type
from tests.factories import make_space, make_user

LONE_HIGH = "\ud83d"
LONE_LOW = "x\udfff"


def _fields(error: Invalid) -> list[str]:
    return [d.field for d in error.details]


def _both_lists_answer(db: Database, actor: Actor) -> int:
    """The number of working copies, after reading both lists (they must not fail)."""
    listed(db, actor, Perspective.PUBLISHED)
    return len(listed(db, actor, Perspective.DRAFT))


@pytest.fixture
def typed(db: Database, clock: FakeClock, admin: Actor) -> str:
    new_type(
        db,
        clock,
        admin,
        name="t",
        fields=[
            FieldDef(name="j", type=FieldType.JSON),
            FieldDef(name="tags", type=FieldType.LIST, of=FieldType.STRING),
            FieldDef(name="n", type=FieldType.NUMBER),
            FieldDef(name="count", type=FieldType.INTEGER, unique=True),
            FieldDef(name="code", type=FieldType.STRING, unique=True),
            FieldDef(name="when", type=FieldType.DATETIME),
        ],
    )
    return "t"


# --- defect 1: text that cannot be encoded, numbers JSON cannot carry ---------------------------


@pytest.mark.parametrize(
    ("inp", "fields"),
    [
        (DocumentInput(type="t", title="p", data={"j": {LONE_HIGH: 1}}), ["j"]),
        (DocumentInput(type="t", title=LONE_LOW), ["title"]),
        (DocumentInput(type="t", title="p", data={"tags": ["a", LONE_LOW]}), ["tags.1"]),
        (DocumentInput(type="t", title="p", data={LONE_HIGH: 1}), ["data"]),
        (DocumentInput(type="t", title="p", data={"j": "a\x00b"}), ["j"]),
        (DocumentInput(type="t", title="p", data={"n": math.nan}), ["n"]),
        (DocumentInput(type="t", title="p", data={"j": [math.inf]}), ["j.0"]),
        (DocumentInput(type="t", title="p", data={"count": 2**63}), ["count"]),
        (DocumentInput(type="t", title="p", data={"j": {"deep": -(2**64)}}), ["j.deep"]),
    ],
)
@pytest.mark.usefixtures("typed")
def test_create_refuses_values_that_cannot_be_stored_naming_the_field(
    db: Database, clock: FakeClock, editor: Actor, inp: DocumentInput, fields: list[str]
) -> None:
    with pytest.raises(Invalid) as refused:
        documents.create_document(db.uow(), clock, editor, inp)

    assert _fields(refused.value) == fields
    assert _both_lists_answer(db, editor) == 0


@pytest.mark.usefixtures("typed")
def test_an_import_with_a_lone_surrogate_writes_nothing_of_its_batch(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    inputs = [
        DocumentInput(type="t", title="fine"),
        DocumentInput(type="t", title="p", data={"j": {"k": [LONE_LOW]}}),
    ]

    with pytest.raises(Invalid) as refused:
        list(imports.import_documents(db.uow(), clock, editor, inputs))

    assert _fields(refused.value) == ["j.k.0"]
    assert _both_lists_answer(db, editor) == 0


@pytest.mark.usefixtures("typed")
def test_an_edit_with_a_lone_surrogate_changes_nothing(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, type_name="t", title="ok", status=Status.PUBLISHED)

    for inp in (DocumentInput(data={"j": [LONE_HIGH]}), DocumentInput(title=LONE_LOW)):
        with pytest.raises(Invalid):
            documents.update_document(db.uow(), clock, editor, doc.id, inp)

    assert documents.get_document(db.uow(), editor, doc.id).version == doc.version
    assert _both_lists_answer(db, editor) == 1


def test_storage_cannot_write_a_document_no_response_could_carry(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    """Below the core's checks: the JSON columns are written with the response encoder, so
    the write itself fails, before anything is committed."""
    now = clock()
    document = Document(
        id=uuid4(),
        space_id=editor.space_id,
        type="page",
        title="p",
        slug="p",
        data={"j": {LONE_HIGH: 1}},
        status=Status.DRAFT,
        version=1,
        revision=1,
        author_id=None,
        created_at=now,
        updated_at=now,
        published_at=None,
        published_revision=None,
    )

    with db.uow() as uow, pytest.raises(Exception, match="surrogates not allowed"):
        uow.documents.add(document, "p")

    assert _both_lists_answer(db, editor) == 0


def test_a_document_sqlite_stored_before_the_rule_can_still_be_read_and_deleted(
    db: Database, clock: FakeClock, editor: Actor, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL never stored one: jsonb refuses lone surrogates")
    doc = new_document(db, clock, editor, title="old")
    with db.uow() as uow:  # what an earlier version wrote (Python's encoder escapes it)
        legacy = literal_column("""'{"j": "\\ud83d"}'""")
        uow.session.execute(update(DocumentRow).where(DocumentRow.id == doc.id).values(data=legacy))
        uow.commit()

    assert documents.get_document(db.uow(), editor, doc.id).data == {"j": LONE_HIGH}
    documents.delete_document(db.uow(), clock, editor, doc.id, permanent=True)
    assert _both_lists_answer(db, editor) == 0


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "k", "title": LONE_LOW},
        {"name": "k", "fields": [{"name": "a", "type": "string", "title": LONE_HIGH}]},
        {"name": "k", "fields": [{"name": "a", "type": "json", "default": {"x": [LONE_LOW]}}]},
        {"name": "k", "fields": [{"name": "a", "type": "enum", "options": ["a", LONE_LOW]}]},
        {"name": "k", "fields": [{"name": "a", "type": "string", "pattern": LONE_LOW}]},
        {"name": "k", "fields": [{"name": "a", "type": "number", "default": math.nan}]},
        {"name": "k", "fields": [{"name": "a", "type": "number", "min": math.inf}]},
        {"name": "k", "routePattern": f"/{LONE_HIGH}"},
    ],
)
def test_a_type_spec_refuses_what_cannot_be_stored(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ContentTypeSpec.model_validate(spec)


def test_a_type_change_refuses_what_cannot_be_stored() -> None:
    with pytest.raises(ValidationError):
        ContentTypeChanges.model_validate({"title": LONE_HIGH})


# --- defect 6: values and filters at the edges of what storage holds ----------------------------


@pytest.mark.usefixtures("typed")
def test_a_unique_integer_is_bounded_to_64_bits_and_its_largest_value_works(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    biggest = 2**63 - 1
    doc = new_document(db, clock, editor, type_name="t", title="a", count=biggest)

    with pytest.raises(UniqueValueTaken):
        new_document(db, clock, editor, type_name="t", title="b", count=biggest)
    with pytest.raises(Invalid) as refused:
        new_document(db, clock, editor, type_name="t", title="c", count=2**63)
    assert _fields(refused.value) == ["count"]
    found = listed(db, editor, type="t", filters=(Filter("count", FilterOp.EQ, str(biggest)),))
    assert [d.id for d in found] == [doc.id]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", "99999999999999999999999"),
        ("count", str(2**63)),
        ("createdAt", "0001-01-01T00:00:00+01:00"),
        ("createdAt", "9999-12-31T23:59:59-01:00"),
        ("when", "0001-01-01T00:00:00+01:00"),
        ("when", "9999-12-31T23:59:59-01:00"),
    ],
)
@pytest.mark.usefixtures("typed")
def test_filter_values_storage_cannot_compare_are_refused_naming_the_field(
    db: Database, editor: Actor, field: str, value: str
) -> None:
    with pytest.raises(Invalid) as refused:
        listed(db, editor, type="t", filters=(Filter(field, FilterOp.GT, value),))

    assert _fields(refused.value) == [field]


@pytest.mark.usefixtures("typed")
def test_filters_at_the_edges_that_storage_can_compare_are_answered(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, type_name="t", title="a", n=5, count=7)

    def found(field: str, op: FilterOp, value: str) -> list[Any]:
        return [d.id for d in listed(db, editor, type="t", filters=(Filter(field, op, value),))]

    assert found("n", FilterOp.LT, "1e300") == [doc.id]
    assert found("n", FilterOp.GT, "1e300") == []
    assert found("n", FilterOp.EQ, "1e300") == []
    assert found("n", FilterOp.GT, "-1e300") == [doc.id]
    assert found("count", FilterOp.LT, str(2**63 - 1)) == [doc.id]
    assert found("createdAt", FilterOp.GT, "0001-01-01T00:00:00-01:00") == [doc.id]
    assert found("createdAt", FilterOp.LT, "9999-12-31T23:59:59+01:00") == [doc.id]
    assert found("when", FilterOp.LT, "9999-12-31T23:59:59+01:00") == []


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
@pytest.mark.usefixtures("typed")
def test_a_datetime_value_outside_the_calendar_in_utc_is_refused(
    db: Database, clock: FakeClock, editor: Actor, when: str
) -> None:
    with pytest.raises(Invalid) as refused:
        new_document(db, clock, editor, type_name="t", title="a", when=when)

    assert _fields(refused.value) == ["when"]
    edge = new_document(db, clock, editor, type_name="t", title="b", when="9999-12-31T23:00:00Z")
    assert edge.data["when"] == "9999-12-31T23:00:00Z"


def test_concurrent_creates_of_one_type_name_make_one_type_and_conflict_the_rest(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    start = threading.Barrier(20)
    outcomes: list[object] = []

    def create() -> None:
        start.wait()
        try:
            outcomes.append(
                content_types.create_type(db.uow(), clock, admin, ContentTypeSpec(name="x"))
            )
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected below
            outcomes.append(exc)

    threads = [threading.Thread(target=create, daemon=True) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) == 20
    assert all(isinstance(o, ContentTypeExists) for o in refused), refused
    assert len(refused) == 19
    assert [t.name for t in content_types.list_types(db.uow(), admin)].count("x") == 1


# --- defect 8: definitions, unique text, spaces --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ({"name": "a", "type": "number", "min": 5, "max": 1}, "fields.a.min"),
        ({"name": "a", "type": "string", "minLength": 5, "maxLength": 1}, "fields.a.minLength"),
        ({"name": "a", "type": "integer", "default": "seven"}, "fields.a.default"),
        ({"name": "a", "type": "integer", "default": 1.5}, "fields.a.default"),
        ({"name": "a", "type": "integer", "max": 3, "default": 4}, "fields.a.default"),
        ({"name": "a", "type": "enum", "options": ["x"], "default": "y"}, "fields.a.default"),
        ({"name": "a", "type": "datetime", "default": "soon"}, "fields.a.default"),
        ({"name": "a", "type": "string", "pattern": "^b", "default": "a"}, "fields.a.default"),
        ({"name": "a", "type": "list", "of": "integer", "default": ["x"]}, "fields.a.default"),
    ],
)
def test_a_field_that_contradicts_itself_is_refused_naming_it(
    db: Database, clock: FakeClock, admin: Actor, field: dict[str, Any], problem: str
) -> None:
    spec = ContentTypeSpec.model_validate({"name": "k", "fields": [field]})

    with pytest.raises(Invalid) as refused:
        content_types.create_type(db.uow(), clock, admin, spec)
    assert problem in _fields(refused.value)
    with pytest.raises(Invalid) as refused:
        content_types.patch_type(
            db.uow(), clock, admin, "post", ContentTypeChanges.model_validate({"fields": [field]})
        )
    assert problem in _fields(refused.value)
    assert [t.name for t in content_types.list_types(db.uow(), admin)] == ["page", "post"]


def test_consistent_bounds_and_defaults_are_accepted(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    fields = [
        {"name": "a", "type": "number", "min": 1, "max": 1, "default": 1},
        {"name": "b", "type": "string", "minLength": 2, "maxLength": 2, "default": "ab"},
        {"name": "c", "type": "datetime", "default": "2026-01-01T00:00:00Z"},
        {"name": "d", "type": "list", "of": "integer", "default": [1, 2]},
    ]
    spec = ContentTypeSpec.model_validate({"name": "k", "fields": fields})

    assert content_types.create_type(db.uow(), clock, admin, spec).name == "k"


@pytest.mark.usefixtures("typed")
def test_unique_strings_are_compared_and_stored_in_nfc(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    composed = unicodedata.normalize("NFC", "Café")
    decomposed = unicodedata.normalize("NFD", "Café")
    assert composed != decomposed

    doc = new_document(db, clock, editor, type_name="t", title="a", code=decomposed)

    assert doc.data["code"] == composed
    with pytest.raises(UniqueValueTaken):
        new_document(db, clock, editor, type_name="t", title="b", code=composed)
    with pytest.raises(UniqueValueTaken):
        new_document(db, clock, editor, type_name="t", title="c", code=decomposed)
    for value in (composed, decomposed):
        found = listed(db, editor, type="t", filters=(Filter("code", FilterOp.EQ, value),))
        assert [d.id for d in found] == [doc.id]


def test_a_space_one_does_not_belong_to_answers_alike_whether_it_exists_or_not(
    db: Database, clock: FakeClock, space: Any
) -> None:
    make_space(db, clock, "other")
    stranger = make_user(db, clock, "sam", Role.EDITOR, space="other")
    boss = make_user(db, clock, "root", None, is_superuser=True)
    token = accounts.create_api_token(db.uow(), clock, "other", Role.EDITOR).token

    def answer(principal: Principal, slug: str) -> str:
        try:
            auth.resolve_actor(db.read_uow(), principal, slug)
        except Exception as exc:  # noqa: BLE001 - the answer is compared, whatever it is
            return f"{type(exc).__name__}: {exc}"
        return "allowed"

    user = Principal(kind=TokenKind.ACCESS, user=stranger)
    api = Principal(kind=TokenKind.API, api_token=token)
    anonymous = Principal(kind=TokenKind.ANONYMOUS)
    for principal, expected in ((user, SpaceAccessDenied), (api, SpaceAccessDenied)):
        answers = {answer(principal, slug) for slug in ("default", "DEFAULT", "nope", "No-Pe")}
        assert len(answers) == 1, answers
        assert answers.pop().startswith(expected.__name__)
    assert answer(user, "OTHER") == "allowed"
    assert answer(anonymous, "nope").startswith(AuthRequired.__name__)
    superuser = Principal(kind=TokenKind.ACCESS, user=boss)
    assert answer(superuser, "nope").startswith(SpaceNotFound.__name__)
    assert answer(superuser, "DEFAULT") == "allowed"


def _raises(call: Callable[[], object]) -> type[BaseException] | None:
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return type(exc)
    return None


def test_names_with_a_trailing_newline_are_refused(db: Database, clock: FakeClock) -> None:
    assert _raises(lambda: accounts.create_space(db.uow(), clock, "news\n")) is Invalid
    assert _raises(lambda: make_user(db, clock, "bob\n\n", None)) is None  # trimmed, as ever
    assert _raises(lambda: make_user(db, clock, "bo\nb", None)) is Invalid
    assert [s.slug for s in _spaces(db)] == []


def _spaces(db: Database) -> list[Any]:
    with db.read_uow() as uow:
        return uow.spaces.list()
