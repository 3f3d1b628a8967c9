"""Wire models of /v1/forms: definitions, submissions and their listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from masthead.api.native.content_schemas import Pagination
from masthead.api.wire import WireModel
from masthead.core import forms as f


class FormFieldIn(WireModel):
    name: str = Field(max_length=64, description="Letters, digits and '_', from a letter")
    type: f.FieldType = f.FieldType.TEXT
    label: str = Field("", max_length=f.MAX_LABEL)
    required: bool = False
    maxLength: int | None = Field(
        None,
        ge=1,
        le=f.MAX_FIELD_LENGTH,
        description=f"Text fields; default {f.DEFAULT_TEXT_LENGTH} ({f.MAX_FIELD_LENGTH} for "
        "textarea)",
    )
    options: list[str] = Field(
        default_factory=list, max_length=f.MAX_OPTIONS, description="Select fields' values"
    )

    def to_field(self) -> f.FormField:
        return f.FormField(
            name=self.name,
            type=self.type,
            label=self.label,
            required=self.required,
            max_length=self.maxLength,
            options=tuple(self.options),
        )


class FormBody(WireModel):
    title: str = Field(max_length=f.MAX_FORM_TITLE)
    description: str = Field("", max_length=f.MAX_FORM_DESCRIPTION)
    fields: list[FormFieldIn] = Field(max_length=f.MAX_FIELDS)
    honeypot: str | None = Field(
        None,
        max_length=64,
        description="A field name for a hidden input: a submission that fills it is answered "
        "202 like any other but not stored",
    )
    rateLimit: str = Field(
        f.DEFAULT_RATE_LIMIT,
        max_length=64,
        description="Submissions per client address, such as 5/minute or 100 per hour",
    )
    enabled: bool = Field(True, description="A disabled form answers submissions 404")

    def spec(self) -> f.FormSpec:
        return f.FormSpec(
            title=self.title,
            description=self.description,
            fields=tuple(x.to_field() for x in self.fields),
            honeypot=self.honeypot or None,
            rate_limit=self.rateLimit,
            is_enabled=self.enabled,
        )


class FormFieldOut(WireModel):
    name: str
    type: f.FieldType
    label: str
    required: bool
    maxLength: int | None = Field(description="The limit in force (text fields)")
    options: list[str]

    @classmethod
    def of(cls, field: f.FormField) -> FormFieldOut:
        textual = field.type not in (f.FieldType.NUMBER, f.FieldType.BOOLEAN, f.FieldType.DATE)
        return cls(
            name=field.name,
            type=field.type,
            label=field.label,
            required=field.required,
            maxLength=field.length_limit if textual else None,
            options=list(field.options),
        )


class FormOut(WireModel):
    id: UUID
    title: str
    description: str
    fields: list[FormFieldOut]
    honeypot: str | None
    rateLimit: str
    enabled: bool
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, form: f.Form) -> FormOut:
        return cls(
            id=form.id,
            title=form.title,
            description=form.description,
            fields=[FormFieldOut.of(x) for x in form.fields],
            honeypot=form.honeypot,
            rateLimit=form.rate_limit,
            enabled=form.is_enabled,
            createdAt=form.created_at,
            updatedAt=form.updated_at,
        )


class FormResponse(WireModel):
    form: FormOut


class FormList(WireModel):
    items: list[FormOut]


class SubmitBody(WireModel):
    payload: dict[str, Any] = Field(description="The form's fields by name")


class SubmitResponse(WireModel):
    submissionId: UUID


class SubmissionOut(WireModel):
    id: UUID
    formId: UUID
    data: dict[str, Any]
    createdAt: datetime

    @classmethod
    def of(cls, submission: f.Submission) -> SubmissionOut:
        return cls(
            id=submission.id,
            formId=submission.form_id,
            data=submission.data,
            createdAt=submission.created_at,
        )


class SubmissionList(WireModel):
    items: list[SubmissionOut]
    pagination: Pagination
