"""Forms through the core service, on both databases: definitions (admins only), submissions
(by anyone, validated, size- and rate-limited, honeypot trapped), listing and CSV export
(editors), spaces kept apart; and the CSV neutralisation rule without a database."""

from __future__ import annotations

import csv
import io
from uuid import uuid4

import pytest

from masthead.core.errors import AuthRequired, Forbidden, Invalid, RateLimited
from masthead.core.forms import (
    FieldType,
    FormField,
    FormNotFound,
    FormSpec,
    SubmissionTooLarge,
    neutralise,
)
from masthead.core.models import Actor
from masthead.core.services import forms
from masthead.ratelimit import LimitsRateLimiter
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import outcome

SPEC = FormSpec(
    title="Contact",
    fields=(
        FormField("email", FieldType.EMAIL, required=True),
        FormField("message", FieldType.TEXTAREA, max_length=50),
    ),
    honeypot="nickname",
    rate_limit="3/minute",
)


@pytest.fixture
def limiter() -> LimitsRateLimiter:
    return LimitsRateLimiter()


def test_a_form_is_defined_submitted_and_listed(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, limiter: LimitsRateLimiter
) -> None:
    form = forms.create_form(db.uow(), clock, admin, SPEC)
    assert forms.get_form(db.uow(), editor, form.id) == form
    receipt = forms.submit_form(
        db.read_uow(),
        db.uow(),
        clock,
        limiter,
        form.id,
        {"email": "a@b.co", "message": "hi"},
        "1.2.3.4",
    )
    assert receipt.is_stored
    page = forms.list_submissions(db.uow(), editor, form.id)
    assert (page.total, [s.id for s in page.items]) == (1, [receipt.submission_id])
    assert page.items[0].data == {"email": "a@b.co", "message": "hi"}


def test_definitions_are_for_admins(
    db: Database,
    clock: FakeClock,
    admin: Actor,
    editor: Actor,
    viewer: Actor,
    anonymous: Actor,
) -> None:
    form = forms.create_form(db.uow(), clock, admin, SPEC)
    assert outcome(lambda: forms.create_form(db.uow(), clock, editor, SPEC)) == "Forbidden"
    assert outcome(lambda: forms.update_form(db.uow(), clock, editor, form.id, SPEC)) == (
        Forbidden.__name__
    )
    assert outcome(lambda: forms.delete_form(db.uow(), viewer, form.id)) == "Forbidden"
    assert outcome(lambda: forms.create_form(db.uow(), clock, anonymous, SPEC)) == (
        AuthRequired.__name__
    )
    assert outcome(lambda: forms.get_form(db.uow(), anonymous, form.id)) == "allowed"
    assert outcome(lambda: forms.list_submissions(db.uow(), viewer, form.id)) == "Forbidden"
    assert outcome(lambda: forms.export_submissions(db.uow(), viewer, form.id)) == "Forbidden"


def test_an_update_keeps_the_submissions_and_a_delete_takes_them(
    db: Database, clock: FakeClock, admin: Actor, limiter: LimitsRateLimiter
) -> None:
    form = forms.create_form(db.uow(), clock, admin, SPEC)
    forms.submit_form(db.read_uow(), db.uow(), clock, limiter, form.id, {"email": "a@b.co"}, "c")
    changed = FormSpec(title="New", fields=(FormField("name"),))
    updated = forms.update_form(db.uow(), clock, admin, form.id, changed)
    assert (updated.id, updated.title, updated.created_at) == (form.id, "New", form.created_at)
    assert forms.list_submissions(db.uow(), admin, form.id).total == 1
    text = forms.export_submissions(db.uow(), admin, form.id)
    assert next(csv.reader(io.StringIO(text))) == ["id", "createdAt", "name", "email"]
    forms.delete_form(db.uow(), admin, form.id)
    with pytest.raises(FormNotFound):
        forms.list_submissions(db.uow(), admin, form.id)
    with pytest.raises(FormNotFound):
        forms.delete_form(db.uow(), admin, form.id)


def test_a_submission_is_checked_in_order(
    db: Database, clock: FakeClock, admin: Actor, limiter: LimitsRateLimiter
) -> None:
    form = forms.create_form(db.uow(), clock, admin, SPEC)

    def submit(payload: dict[str, object], client: str = "c") -> str:
        return outcome(
            lambda: forms.submit_form(
                db.read_uow(), db.uow(), clock, limiter, form.id, payload, client
            )
        )

    assert submit({"email": "nope"}) == Invalid.__name__
    assert submit({"email": "a@b.co", "message": "x" * 51}) == Invalid.__name__
    assert submit({"email": "a@b.co", "message": "x" * 70_000}) == SubmissionTooLarge.__name__
    assert submit({"email": "a@b.co"}) == RateLimited.__name__  # the fourth in a minute
    assert submit({"email": "a@b.co"}, client="d") == "allowed"
    assert submit({"email": "a@b.co"}, client="d") == "allowed"
    trapped = forms.submit_form(
        db.read_uow(), db.uow(), clock, limiter, form.id, {"nickname": "bot"}, "d"
    )
    assert not trapped.is_stored
    assert forms.list_submissions(db.uow(), admin, form.id).total == 2
    assert (
        outcome(
            lambda: forms.submit_form(db.read_uow(), db.uow(), clock, limiter, uuid4(), {}, "e")
        )
        == FormNotFound.__name__
    )


def test_a_definition_is_checked(db: Database, clock: FakeClock, admin: Actor) -> None:
    bad = FormSpec(
        title="",
        fields=(FormField("a"), FormField("a", FieldType.SELECT)),
        honeypot="a",
        rate_limit="often",
    )
    with pytest.raises(Invalid) as caught:
        forms.create_form(db.uow(), clock, admin, bad)
    assert [d.field for d in caught.value.details] == [
        "title",
        "fields.1.name",
        "fields.1.options",
        "honeypot",
        "rateLimit",
    ]
    assert forms.list_forms(db.uow(), admin) == []


def test_spaces_keep_their_forms_apart(
    db: Database, clock: FakeClock, admin: Actor, outsider: Actor
) -> None:
    form = forms.create_form(db.uow(), clock, admin, SPEC)
    assert forms.list_forms(db.uow(), outsider) == []
    for call in (
        lambda: forms.get_form(db.uow(), outsider, form.id),
        lambda: forms.update_form(db.uow(), clock, outsider, form.id, SPEC),
        lambda: forms.delete_form(db.uow(), outsider, form.id),
        lambda: forms.list_submissions(db.uow(), outsider, form.id),
        lambda: forms.export_submissions(db.uow(), outsider, form.id),
    ):
        assert outcome(call) == FormNotFound.__name__
    assert forms.list_forms(db.uow(), admin) == [form]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown
