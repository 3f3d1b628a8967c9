"""Repositories for forms (fields as one JSON value) and their submissions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from masthead.core.forms import FieldType, Form, FormField, Submission
from masthead.storage.tables import FormRow, FormSubmissionRow


def _field_data(field: FormField) -> dict[str, Any]:
    return {
        "name": field.name,
        "type": field.type.value,
        "label": field.label,
        "required": field.required,
        "max_length": field.max_length,
        "options": list(field.options),
    }


def _field(data: dict[str, Any]) -> FormField:
    return FormField(
        name=data["name"],
        type=FieldType(data["type"]),
        label=data.get("label", ""),
        required=bool(data.get("required", False)),
        max_length=data.get("max_length"),
        options=tuple(data.get("options", ())),
    )


def _form(row: FormRow) -> Form:
    return Form(
        id=row.id,
        space_id=row.space_id,
        title=row.title,
        description=row.description,
        fields=tuple(_field(f) for f in row.fields),
        honeypot=row.honeypot,
        rate_limit=row.rate_limit,
        is_enabled=row.is_enabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlFormRepository:
    def __init__(self, session: Session):
        self._session = session

    def list(self, space_id: UUID) -> list[Form]:
        rows = self._session.scalars(
            select(FormRow)
            .where(FormRow.space_id == space_id)
            .order_by(FormRow.created_at, FormRow.id)
        )
        return [_form(r) for r in rows]

    def find(self, space_id: UUID, form_id: UUID) -> Form | None:
        form = self.find_any_space(form_id)
        return form if form is not None and form.space_id == space_id else None

    def find_any_space(self, form_id: UUID, *, for_share: bool = False) -> Form | None:
        """``for_share``: the form cannot be deleted until the transaction ends (FOR KEY
        SHARE, PostgreSQL; SQLite's writers already hold the database's write lock)."""
        statement = select(FormRow).where(FormRow.id == form_id)
        if for_share:
            statement = statement.with_for_update(read=True, key_share=True)
        row = self._session.scalar(statement)
        return _form(row) if row else None

    def _values(self, form: Form) -> dict[str, Any]:
        return {
            "title": form.title,
            "description": form.description,
            "fields": [_field_data(f) for f in form.fields],
            "honeypot": form.honeypot,
            "rate_limit": form.rate_limit,
            "is_enabled": form.is_enabled,
            "updated_at": form.updated_at,
        }

    def add(self, form: Form) -> None:
        self._session.add(
            FormRow(
                id=form.id, space_id=form.space_id, created_at=form.created_at, **self._values(form)
            )
        )
        self._session.flush()

    def update(self, form: Form) -> None:
        row = self._session.get(FormRow, form.id)
        if row is None or row.space_id != form.space_id:  # pragma: no cover - loaded just before
            raise RuntimeError("form vanished while being written")
        for name, value in self._values(form).items():
            setattr(row, name, value)
        self._session.flush()

    def delete(self, space_id: UUID, form_id: UUID) -> bool:
        # Its submissions go with it: ON DELETE CASCADE (SQLite runs with foreign keys on).
        result = self._session.execute(
            delete(FormRow).where(FormRow.id == form_id, FormRow.space_id == space_id)
        )
        return bool(getattr(result, "rowcount", 0))


def _submission(row: FormSubmissionRow) -> Submission:
    return Submission(
        id=row.id,
        form_id=row.form_id,
        space_id=row.space_id,
        data=row.data,
        created_at=row.created_at,
    )


class SqlSubmissionRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, submission: Submission) -> None:
        self._session.add(
            FormSubmissionRow(
                id=submission.id,
                form_id=submission.form_id,
                space_id=submission.space_id,
                data=submission.data,
                created_at=submission.created_at,
            )
        )
        self._session.flush()

    def list(self, form_id: UUID, limit: int, offset: int) -> tuple[list[Submission], int]:
        total = self._session.scalar(
            select(func.count())
            .select_from(FormSubmissionRow)
            .where(FormSubmissionRow.form_id == form_id)
        )
        rows = self._session.scalars(
            select(FormSubmissionRow)
            .where(FormSubmissionRow.form_id == form_id)
            .order_by(FormSubmissionRow.created_at.desc(), FormSubmissionRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_submission(r) for r in rows], int(total or 0)
