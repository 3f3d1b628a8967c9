"""Forms and their submissions: the rules, without storage or HTTP.

An admin defines a form: typed fields (required or not, with a maximum length), an optional
honeypot field (a hidden input people leave empty and bots fill) and a rate limit per client.
Anyone may submit it; the payload is checked against the fields here, and a CSV export of the
submissions neutralises cells a spreadsheet would run as formulas. What this module must not
do: load, store or count anything (services do).
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from masthead.core.errors import (
    ErrorKind,
    FieldError,
    Invalid,
    NotFound,
    PayloadTooLarge,
)
from masthead.core.storable import text_problem, unstorable

FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
RATE_LIMIT = re.compile(r"[1-9][0-9]{0,5} ?(?:/|per) ?(?:second|minute|hour|day)")
"""What a form's rate limit may say: ``5/minute``, ``100 per hour`` (the ``limits`` syntax)."""
DEFAULT_RATE_LIMIT = "5/minute"
MAX_FORM_TITLE = 200
MAX_FORM_DESCRIPTION = 2000
MAX_FIELDS = 50
MAX_LABEL = 200
MAX_OPTIONS = 100
MAX_OPTION = 200
MAX_FIELD_LENGTH = 10_000  # the largest maxLength a field may have
MAX_SUBMISSION_BYTES = 64 * 1024  # a payload as compact JSON
MAX_EXPORTED = 100_000  # submissions in one CSV export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these run as formulas in spreadsheets (OWASP "CSV injection")."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class FieldType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    URL = "url"
    NUMBER = "number"
    BOOLEAN = "boolean"
    SELECT = "select"
    DATE = "date"


_TEXTUAL = {FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.URL, FieldType.SELECT}
DEFAULT_MAX_LENGTH = {FieldType.TEXTAREA: MAX_FIELD_LENGTH}
DEFAULT_TEXT_LENGTH = 1000


class FormNotFound(NotFound):
    default_message = "Form not found"


class SubmissionTooLarge(PayloadTooLarge):
    default_message = f"A form submission may hold at most {MAX_SUBMISSION_BYTES} bytes"


@dataclass(frozen=True)
class FormField:
    name: str
    type: FieldType = FieldType.TEXT
    label: str = ""
    required: bool = False
    max_length: int | None = None  # textual fields; None: the type's default
    options: tuple[str, ...] = ()  # select fields: the allowed values

    @property
    def length_limit(self) -> int:
        if self.max_length is not None:
            return self.max_length
        return DEFAULT_MAX_LENGTH.get(self.type, DEFAULT_TEXT_LENGTH)


@dataclass(frozen=True)
class FormSpec:
    """What an admin writes: the whole definition (an update replaces it)."""

    title: str
    fields: tuple[FormField, ...]
    description: str = ""
    honeypot: str | None = None
    rate_limit: str = DEFAULT_RATE_LIMIT
    is_enabled: bool = True


@dataclass(frozen=True)
class Form:
    id: UUID
    space_id: UUID
    title: str
    description: str
    fields: tuple[FormField, ...]
    honeypot: str | None
    rate_limit: str
    is_enabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Submission:
    id: UUID
    form_id: UUID
    space_id: UUID
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class SubmissionPage:
    items: list[Submission]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Receipt:
    """What a submitter learns: an id. ``is_stored`` is False for a trapped (honeypot) one,
    which must look accepted all the same."""

    submission_id: UUID
    is_stored: bool = field(default=True)


# --- definitions ------------------------------------------------------------------------------


def _too_long(path: str, value: str, limit: int) -> FieldError | None:
    if len(value) <= limit:
        return None
    return FieldError(
        path,
        f"must be at most {limit} characters",
        ErrorKind.MAX_LENGTH,
        {"limit": limit, "value": len(value)},
    )


def definition_errors(spec: FormSpec) -> list[FieldError]:
    """Everything wrong with a form definition, by path (``fields.2.options``)."""
    errors: list[FieldError | None] = [
        _too_long("title", spec.title, MAX_FORM_TITLE),
        _too_long("description", spec.description, MAX_FORM_DESCRIPTION),
    ]
    if not spec.title.strip():
        errors.append(FieldError("title", "must not be empty", ErrorKind.REQUIRED))
    if not spec.fields:
        errors.append(FieldError("fields", "a form needs at least one field", ErrorKind.MIN_ITEMS))
    if len(spec.fields) > MAX_FIELDS:
        errors.append(
            FieldError(
                "fields", f"at most {MAX_FIELDS} fields", ErrorKind.MAX_ITEMS, {"limit": MAX_FIELDS}
            )
        )
    seen: set[str] = set()
    for index, form_field in enumerate(spec.fields[:MAX_FIELDS]):
        errors += _field_errors(f"fields.{index}", form_field, seen)
    if spec.honeypot is not None:
        if not FIELD_NAME.fullmatch(spec.honeypot):
            errors.append(
                FieldError("honeypot", "use letters, digits and '_' (1 to 64)", ErrorKind.PATTERN)
            )
        elif spec.honeypot in seen:
            errors.append(FieldError("honeypot", "must not be one of the form's fields"))
    if not RATE_LIMIT.fullmatch(spec.rate_limit):
        errors.append(
            FieldError(
                "rateLimit",
                "use a count per second, minute, hour or day, such as 5/minute",
                ErrorKind.PATTERN,
            )
        )
    for name, text in (("title", spec.title), ("description", spec.description)):
        problem = text_problem(text)
        if problem:
            errors.append(FieldError(name, problem))
    return [e for e in errors if e is not None][:20]


def _field_errors(path: str, form_field: FormField, seen: set[str]) -> list[FieldError]:
    errors: list[FieldError | None] = [_too_long(f"{path}.label", form_field.label, MAX_LABEL)]
    if not FIELD_NAME.fullmatch(form_field.name):
        errors.append(
            FieldError(f"{path}.name", "use letters, digits and '_' (1 to 64)", ErrorKind.PATTERN)
        )
    elif form_field.name in seen:
        errors.append(FieldError(f"{path}.name", "another field has this name", ErrorKind.UNIQUE))
    seen.add(form_field.name)
    if form_field.max_length is not None:
        if form_field.type not in _TEXTUAL:
            errors.append(FieldError(f"{path}.maxLength", "only text fields have a maximum length"))
        elif not 1 <= form_field.max_length <= MAX_FIELD_LENGTH:
            errors.append(
                FieldError(
                    f"{path}.maxLength",
                    f"must be between 1 and {MAX_FIELD_LENGTH}",
                    ErrorKind.MAXIMUM,
                    {"limit": MAX_FIELD_LENGTH, "value": form_field.max_length},
                )
            )
    if form_field.type is FieldType.SELECT:
        if not form_field.options:
            errors.append(FieldError(f"{path}.options", "a select field needs options"))
        if len(form_field.options) > MAX_OPTIONS:
            errors.append(
                FieldError(f"{path}.options", f"at most {MAX_OPTIONS} options", ErrorKind.MAX_ITEMS)
            )
        errors += [
            _too_long(f"{path}.options.{i}", option, MAX_OPTION)
            for i, option in enumerate(form_field.options)
        ]
    elif form_field.options:
        errors.append(FieldError(f"{path}.options", "only select fields have options"))
    return [e for e in errors if e is not None]


def check_definition(spec: FormSpec) -> None:
    errors = definition_errors(spec)
    if errors:
        raise Invalid("The form definition breaks its rules", details=errors)


# --- submissions ------------------------------------------------------------------------------


def check_size(payload: dict[str, Any]) -> None:
    """Raise SubmissionTooLarge when ``payload``, as compact JSON, exceeds the limit."""
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_SUBMISSION_BYTES:
        raise SubmissionTooLarge()


def is_trapped(form: Form, payload: dict[str, Any]) -> bool:
    """Whether the honeypot field holds anything (people never see it, so never fill it)."""
    if form.honeypot is None:
        return False
    value = payload.get(form.honeypot)
    return value not in (None, "", False) and not (isinstance(value, str) and not value.strip())


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value_error(form_field: FormField, value: Any) -> tuple[str, ErrorKind] | None:
    kind = form_field.type
    if kind is FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number", ErrorKind.TYPE
        return None
    if kind is FieldType.BOOLEAN:
        return None if isinstance(value, bool) else ("must be true or false", ErrorKind.TYPE)
    if not isinstance(value, str):
        return "must be text", ErrorKind.TYPE
    if len(value) > form_field.length_limit:
        return f"must be at most {form_field.length_limit} characters", ErrorKind.MAX_LENGTH
    if kind is FieldType.EMAIL and not _EMAIL.fullmatch(value.strip()):
        return "must be an email address", ErrorKind.FORMAT
    if kind is FieldType.URL and not value.strip().lower().startswith(("http://", "https://")):
        return "must be an http or https URL", ErrorKind.FORMAT
    if kind is FieldType.SELECT and value not in form_field.options:
        return "must be one of the field's options", ErrorKind.ENUM
    if kind is FieldType.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date (YYYY-MM-DD)", ErrorKind.FORMAT
    return None


def clean_payload(form: Form, payload: dict[str, Any]) -> dict[str, Any]:
    """The values to store: the form's fields only (the honeypot dropped), each checked.
    Raises Invalid naming every failing field as ``payload.<name>``."""
    errors = unstorable(payload, "payload", root="payload")
    known = {f.name for f in form.fields}
    errors += [
        FieldError(f"payload.{name}", "is not a field of this form", ErrorKind.UNKNOWN_FIELD)
        for name in payload
        if name not in known and name != form.honeypot
    ]
    cleaned: dict[str, Any] = {}
    for form_field in form.fields:
        value = payload.get(form_field.name)
        if _is_blank(value):
            if form_field.required:
                errors.append(
                    FieldError(f"payload.{form_field.name}", "is required", ErrorKind.REQUIRED)
                )
            continue
        problem = _value_error(form_field, value)
        if problem:
            message, kind = problem
            errors.append(FieldError(f"payload.{form_field.name}", message, kind))
            continue
        cleaned[form_field.name] = value
    if errors:
        raise Invalid("The submission does not fit the form", details=errors[:50])
    return cleaned


# --- export -----------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting with ``= + - @``, a tab or a carriage
    return gets a leading apostrophe (OWASP's advice against CSV formula injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def submissions_csv(form: Form, submissions: Iterable[Submission]) -> str:
    """The submissions as CSV: ``id``, ``createdAt``, then the form's fields, then any keys
    kept from fields the form no longer has. Every cell is neutralised."""
    items = list(submissions)
    columns = [f.name for f in form.fields]
    extra = sorted({k for s in items for k in s.data} - set(columns))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in ["id", "createdAt", *columns, *extra]])
    for s in items:
        cells = [str(s.id), s.created_at.isoformat()]
        cells += [_cell(s.data.get(name)) for name in [*columns, *extra]]
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()
