"""Forms: admins define them, anyone submits them, editors read what was sent.

Who may do what: defining, changing and deleting forms is an admin's (``MANAGE_SCHEMA``, as
for content types); reading a definition follows the published reading rules (a frontend
renders the form from it); reading submissions, which hold what visitors typed, needs
``READ_SUBMISSIONS`` (editors and admins). Submitting needs no one: the form's id is the
only key, and its rate limit, per form and client, is the guard.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.errors import RateLimited
from masthead.core.forms import (
    MAX_EXPORTED,
    Form,
    FormNotFound,
    FormSpec,
    Receipt,
    Submission,
    SubmissionPage,
    check_definition,
    check_size,
    clean_payload,
    is_trapped,
    submissions_csv,
)
from masthead.core.models import Actor
from masthead.core.paging import DEFAULT_LIMIT, check_paging
from masthead.core.ports import Clock, RateLimiter, UnitOfWork

_BATCH = 1000


def _load(uow: UnitOfWork, actor: Actor, form_id: UUID) -> Form:
    form = uow.forms.find(actor.space_id, form_id)
    if form is None:
        raise FormNotFound()
    return form


def list_forms(uow: UnitOfWork, actor: Actor) -> list[Form]:
    """Raises AuthRequired, Forbidden."""
    access.require(actor, Permission.READ_PUBLISHED)
    with uow:
        return uow.forms.list(actor.space_id)


def get_form(uow: UnitOfWork, actor: Actor, form_id: UUID) -> Form:
    """Raises AuthRequired, Forbidden, FormNotFound."""
    access.require(actor, Permission.READ_PUBLISHED)
    with uow:
        return _load(uow, actor, form_id)


def create_form(uow: UnitOfWork, clock: Clock, actor: Actor, spec: FormSpec) -> Form:
    """Raises Forbidden, Invalid."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    check_definition(spec)
    now = clock()
    form = Form(
        id=uuid4(),
        space_id=actor.space_id,
        title=spec.title,
        description=spec.description,
        fields=spec.fields,
        honeypot=spec.honeypot,
        rate_limit=spec.rate_limit,
        is_enabled=spec.is_enabled,
        created_at=now,
        updated_at=now,
    )
    with uow:
        uow.forms.add(form)
        uow.commit()
    return form


def update_form(uow: UnitOfWork, clock: Clock, actor: Actor, form_id: UUID, spec: FormSpec) -> Form:
    """Replace a form's definition; its submissions stay (a removed field's values remain in
    them and in exports). Raises Forbidden, FormNotFound, Invalid."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    with uow:
        current = _load(uow, actor, form_id)
        check_definition(spec)
        form = Form(
            id=current.id,
            space_id=current.space_id,
            title=spec.title,
            description=spec.description,
            fields=spec.fields,
            honeypot=spec.honeypot,
            rate_limit=spec.rate_limit,
            is_enabled=spec.is_enabled,
            created_at=current.created_at,
            updated_at=clock(),
        )
        uow.forms.update(form)
        uow.commit()
    return form


def delete_form(uow: UnitOfWork, actor: Actor, form_id: UUID) -> None:
    """Delete a form and all its submissions. Raises Forbidden, FormNotFound."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    with uow:
        if not uow.forms.delete(actor.space_id, form_id):
            raise FormNotFound()
        uow.commit()


def submit_form(
    read_uow: UnitOfWork,
    uow: UnitOfWork,
    clock: Clock,
    limiter: RateLimiter,
    form_id: UUID,
    payload: dict[str, object],
    client: str,
) -> Receipt:
    """Store one submission, by anyone. In this order: the form must exist and be enabled
    (FormNotFound), the client be within the form's rate limit (RateLimited; every attempt
    counts, refused ones too), the payload within the size limit (SubmissionTooLarge). A
    payload whose honeypot field is filled gets a receipt like any other but is not stored
    (a bot must not learn it was caught). Then it must fit the form (Invalid). Only a stored
    submission opens ``uow`` (on SQLite, the write lock): refused ones read through
    ``read_uow`` alone."""
    with read_uow:
        form = read_uow.forms.find_any_space(form_id)
    if form is None or not form.is_enabled:
        raise FormNotFound()
    retry_after = limiter.hit(form.rate_limit, "form", str(form.id), client)
    if retry_after is not None:
        raise RateLimited(retry_after, "Too many submissions of this form; try again later")
    check_size(payload)
    if is_trapped(form, payload):
        return Receipt(uuid4(), is_stored=False)
    submission = Submission(
        id=uuid4(),
        form_id=form.id,
        space_id=form.space_id,
        data=clean_payload(form, payload),
        created_at=clock(),
    )
    with uow:
        # The form may have been deleted since it was read: its id then names nothing. Held
        # until the commit, so a delete racing this insert waits instead of breaking it.
        if uow.forms.find_any_space(form.id, for_share=True) is None:
            raise FormNotFound()
        uow.submissions.add(submission)
        uow.commit()
    return Receipt(submission.id)


def list_submissions(
    uow: UnitOfWork, actor: Actor, form_id: UUID, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> SubmissionPage:
    """Newest first. Raises AuthRequired, Forbidden, FormNotFound, Invalid (paging)."""
    access.require(actor, Permission.READ_SUBMISSIONS)
    check_paging(limit, offset)
    with uow:
        _load(uow, actor, form_id)
        items, total = uow.submissions.list(form_id, limit, offset)
    return SubmissionPage(items, total, limit, offset)


def export_submissions(uow: UnitOfWork, actor: Actor, form_id: UUID) -> str:
    """The form's submissions (newest first, at most MAX_EXPORTED) as CSV, every cell
    neutralised against formula injection. Raises as list_submissions."""
    access.require(actor, Permission.READ_SUBMISSIONS)
    with uow:
        form = _load(uow, actor, form_id)
        items: list[Submission] = []
        while len(items) < MAX_EXPORTED:
            batch, _ = uow.submissions.list(form_id, _BATCH, len(items))
            items += batch
            if len(batch) < _BATCH:
                break
    return submissions_csv(form, items[:MAX_EXPORTED])
