"""Content types: field definitions, their JSON Schema, and validation of document data.

A type's fields compile to one JSON Schema (draft 2020-12) checked with ``jsonschema``; every
failing field is reported at once. Field names are identifiers, which is what lets storage
build JSON expression indexes and filters from them without interpolating user input.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from jsonschema import FormatChecker
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from masthead.core.blocks import BLOCK_SCHEMA
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.limits import (
    MAX_FIELDS_PER_TYPE,
    MAX_ID,
    MAX_INDEXED_FIELDS_PER_TYPE,
    MAX_ROUTE_PATTERN,
    MAX_SLUG,
    MAX_TITLE,
    MAX_TYPE_TITLE,
)
from masthead.core.patterns import GuardedValidator, compile_pattern
from masthead.core.storable import unstorable
from masthead.core.system_fields import RESERVED_FIELD_NAMES

# \Z, not $: "$" also matches before a final newline, which would let "name\n" through.
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}\Z")
T = TypeVar("T")


class FieldType(enum.StrEnum):
    STRING = "string"
    TEXT = "text"
    RICHTEXT = "richtext"  # HTML string or a structured (object) document
    BLOCKS = "blocks"  # a list of block objects, each with a "name" or "type" (core/blocks.py)
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    SLUG = "slug"
    ENUM = "enum"
    REFERENCE = "reference"  # id(s) of documents of another type
    MEDIA = "media"  # id of a media asset
    JSON = "json"
    LIST = "list"


# Field types whose values are scalars that storage can index, filter and sort on.
INDEXABLE = frozenset(
    {
        FieldType.STRING,
        FieldType.NUMBER,
        FieldType.INTEGER,
        FieldType.BOOLEAN,
        FieldType.DATETIME,
        FieldType.SLUG,
        FieldType.ENUM,
        FieldType.REFERENCE,
        FieldType.MEDIA,
    }
)
TEXT_TYPES = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.RICHTEXT, FieldType.BLOCKS})


class TypeKind(enum.StrEnum):
    COLLECTION = "collection"
    SINGLE = "single"


class WorkflowMode(enum.StrEnum):
    NONE = "none"  # editors publish straight from draft
    REVIEW = "review"  # draft → in_review → approved → published


class FieldDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    type: FieldType
    title: str | None = None
    required: bool = False
    unique: bool = False
    # Keep an index so filters and sorts on the field stay fast as its type grows (unique
    # fields always have one). At most MAX_INDEXED_FIELDS_PER_TYPE per type.
    indexed: bool = False
    default: Any = None
    min: float | None = Field(None, allow_inf_nan=False)
    max: float | None = Field(None, allow_inf_nan=False)
    min_length: int | None = Field(None, alias="minLength", ge=0)
    max_length: int | None = Field(None, alias="maxLength", ge=0)
    pattern: str | None = None
    options: tuple[str, ...] | None = None  # enum values
    to: str | None = None  # referenced type name
    many: bool = False  # reference: a list of ids
    of: FieldType | None = None  # list: item type

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not FIELD_NAME.match(value):
            raise ValueError("field names are identifiers: letters, digits, _ (max 64)")
        if value in RESERVED_FIELD_NAMES:
            raise ValueError(f"'{value}' is reserved")
        return value

    @field_validator("title", "default", "options", "pattern", "to")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)  # ValueError: too long, or does not compile
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.type is FieldType.ENUM and not self.options:
            raise ValueError("enum fields need options")
        if self.type is FieldType.REFERENCE and not self.to:
            raise ValueError("reference fields need 'to' (the referenced type)")
        if self.unique and self.type not in INDEXABLE:
            raise ValueError("only scalar fields can be unique")
        if self.indexed and not self.is_indexable:
            raise ValueError("only scalar fields can be indexed")
        return self

    @property
    def is_indexable(self) -> bool:
        """A scalar: lists can filter and sort on it, and it can have an index."""
        return self.type in INDEXABLE and not (self.type is FieldType.REFERENCE and self.many)

    @property
    def wants_index(self) -> bool:
        return self.is_indexable and (self.indexed or self.unique)

    def json_schema(self) -> dict[str, Any]:
        return _schema_for(self)


def storable(value: T) -> T:
    """``value`` if it can be stored and sent back (core/storable.py), else ValueError (for
    pydantic validators)."""
    errors = unstorable(value, root="")
    if errors:
        at = f" (at {errors[0].field})" if errors[0].field else ""
        raise ValueError(f"{errors[0].message}{at}")
    return value


def definition_errors(fields: Iterable[FieldDef]) -> list[FieldError]:
    """What fields say of themselves that cannot hold together, each named
    ``fields.<name>.<key>``: a min above the max, a minLength above the maxLength, a default
    that the field itself refuses."""
    errors: list[FieldError] = []
    for field in fields:
        at = f"fields.{field.name}"
        if field.min is not None and field.max is not None and field.min > field.max:
            errors.append(
                FieldError(
                    f"{at}.min",
                    f"must not be greater than max ({field.max:g})",
                    ErrorKind.MAXIMUM,
                    {"limit": field.max, "value": field.min},
                )
            )
        low, high = field.min_length, field.max_length
        if low is not None and high is not None and low > high:
            errors.append(
                FieldError(
                    f"{at}.minLength",
                    f"must not be greater than maxLength ({high})",
                    ErrorKind.MAXIMUM,
                    {"limit": high, "value": low},
                )
            )
        if field.default is not None:
            validator = GuardedValidator(field.json_schema(), format_checker=FormatChecker())
            refusal = next(iter(validator.iter_errors(field.default)), None)
            if refusal is not None:
                reason = schema_field_error(refusal, f"{at}.default")
                errors.append(
                    FieldError(
                        reason.field,
                        f"is not a valid value of this field: {reason.message}",
                        reason.kind,
                        reason.params,
                    )
                )
    return errors


def _length(schema: dict[str, Any], field: FieldDef, lo: str, hi: str) -> dict[str, Any]:
    if field.min_length is not None:
        schema[lo] = field.min_length
    if field.max_length is not None:
        schema[hi] = field.max_length
    return schema


_ID: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_ID}


def _scalar_schema(kind: FieldType) -> dict[str, Any]:
    schemas: dict[FieldType, dict[str, Any]] = {
        FieldType.STRING: {"type": "string"},
        FieldType.TEXT: {"type": "string"},
        FieldType.RICHTEXT: {"type": ["string", "object"]},
        FieldType.BLOCKS: {"type": "array", "items": BLOCK_SCHEMA},
        FieldType.NUMBER: {"type": "number"},
        FieldType.INTEGER: {"type": "integer"},
        FieldType.BOOLEAN: {"type": "boolean"},
        FieldType.DATETIME: {"type": "string", "format": "date-time"},
        # The exact slug rules are checked by core.slugs; the schema only refuses what can
        # never be part of a URL path segment.
        FieldType.SLUG: {"type": "string", "pattern": r"^[^\s/?#%\\]+$"},
        FieldType.MEDIA: dict(_ID),
        FieldType.JSON: {},
        FieldType.LIST: {"type": "array"},
        FieldType.ENUM: {"type": "string"},
        FieldType.REFERENCE: dict(_ID),
    }
    return dict(schemas[kind])


def _schema_for(field: FieldDef) -> dict[str, Any]:
    schema = dict(_scalar_schema(field.type))
    if field.type in {FieldType.STRING, FieldType.TEXT, FieldType.SLUG}:
        _length(schema, field, "minLength", "maxLength")
        if field.pattern:
            schema["pattern"] = field.pattern
    elif field.type in {FieldType.NUMBER, FieldType.INTEGER}:
        if field.min is not None:
            schema["minimum"] = field.min
        if field.max is not None:
            schema["maximum"] = field.max
    elif field.type is FieldType.ENUM:
        schema["enum"] = list(field.options or ())
    elif field.type is FieldType.REFERENCE and field.many:
        schema = _length({"type": "array", "items": dict(_ID)}, field, "minItems", "maxItems")
    elif field.type is FieldType.LIST:
        if field.of is not None:
            schema["items"] = _scalar_schema(field.of)
        _length(schema, field, "minItems", "maxItems")
    if not field.required:
        # Optional fields may be cleared with null.
        schema = {"anyOf": [schema, {"type": "null"}]} if schema else {}
    return schema


class ContentTypeSpec(BaseModel):
    """What a caller sends to create or change a content type."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    title: str | None = Field(None, max_length=MAX_TYPE_TITLE)
    kind: TypeKind = TypeKind.COLLECTION
    fields: tuple[FieldDef, ...] = Field((), max_length=MAX_FIELDS_PER_TYPE)
    route_pattern: str | None = Field(None, alias="routePattern", max_length=MAX_ROUTE_PATTERN)
    template: str | None = Field(None, max_length=MAX_ROUTE_PATTERN)
    workflow: WorkflowMode = WorkflowMode.NONE

    @field_validator("name")
    @classmethod
    def _type_name(cls, value: str) -> str:
        if not TYPE_NAME.match(value):
            raise ValueError("type names: lowercase letters, digits, - and _ (max 64)")
        return value

    @field_validator("title", "route_pattern", "template")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return storable(value)

    @field_validator("fields")
    @classmethod
    def _few_indexed(cls, fields: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
        return few_indexed(fields)

    @model_validator(mode="after")
    def _unique_fields(self) -> ContentTypeSpec:
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {', '.join(duplicates)}")
        if self.route_pattern is not None and not self.route_pattern.startswith("/"):
            raise ValueError("routePattern must start with '/'")
        return self


def few_indexed(fields: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
    """``fields`` if at most MAX_INDEXED_FIELDS_PER_TYPE of them want an index, else
    ValueError (for pydantic validators)."""
    indexed = [f.name for f in fields if f.wants_index]
    if len(indexed) > MAX_INDEXED_FIELDS_PER_TYPE:
        raise ValueError(
            f"at most {MAX_INDEXED_FIELDS_PER_TYPE} fields of a type can be indexed or unique "
            f"({len(indexed)} are: {', '.join(indexed)})"
        )
    return fields


class ContentTypeChanges(BaseModel):
    """A partial change of a content type (PATCH): only the keys sent change. ``title``,
    ``route_pattern`` and ``template`` may be cleared with null; the others keep their
    value when sent as null."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    title: str | None = Field(None, max_length=MAX_TYPE_TITLE)
    kind: TypeKind | None = None
    fields: tuple[FieldDef, ...] | None = Field(None, max_length=MAX_FIELDS_PER_TYPE)
    route_pattern: str | None = Field(None, alias="routePattern", max_length=MAX_ROUTE_PATTERN)
    template: str | None = Field(None, max_length=MAX_ROUTE_PATTERN)
    workflow: WorkflowMode | None = None

    @field_validator("title", "route_pattern", "template")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return storable(value)

    @field_validator("fields")
    @classmethod
    def _few_indexed(cls, fields: tuple[FieldDef, ...] | None) -> tuple[FieldDef, ...] | None:
        return None if fields is None else few_indexed(fields)

    def applied_to(self, current: ContentType) -> ContentTypeSpec:
        sent = self.model_fields_set
        return ContentTypeSpec(
            name=current.name,
            title=self.title if "title" in sent else current.title,
            kind=self.kind or current.kind,
            fields=self.fields if self.fields is not None else current.fields,
            route_pattern=self.route_pattern if "route_pattern" in sent else current.route_pattern,
            template=self.template if "template" in sent else current.template,
            workflow=self.workflow or current.workflow,
        )


class ContentType(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    space_id: UUID
    name: str
    title: str
    kind: TypeKind
    fields: tuple[FieldDef, ...]
    route_pattern: str | None
    template: str | None
    workflow: WorkflowMode
    is_builtin: bool
    created_at: datetime
    updated_at: datetime

    def field(self, name: str) -> FieldDef | None:
        for field in self.fields:
            if field.name == name:
                return field
        return None

    def json_schema(self) -> dict[str, Any]:
        """The schema of a document's content: its fields plus ``title`` and ``slug``, which
        every document has (as columns) whether or not the type declares them."""
        properties = {
            "title": {"type": "string", "maxLength": MAX_TITLE},
            "slug": {"type": "string", "maxLength": MAX_SLUG},
        }
        properties.update({f.name: f.json_schema() for f in self.fields})
        declared = self.field("title")
        if declared is not None and declared.type is FieldType.STRING:
            # A declared title keeps the bound of the column that stores it.
            bound = min(declared.max_length or MAX_TITLE, MAX_TITLE)
            properties["title"] = declared.model_copy(update={"max_length": bound}).json_schema()
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.title,
            "type": "object",
            "properties": properties,
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields if f.default is not None}


def _path(error_path: Any, fallback: str = "") -> str:
    parts = [str(p) for p in error_path]
    return ".".join(parts) or fallback


_VALIDATORS: dict[tuple[UUID, datetime], Any] = {}


def _validator(content_type: ContentType) -> Any:
    """Compiled once per version of a type: compiling costs more than validating."""
    key = (content_type.id, content_type.updated_at)
    validator = _VALIDATORS.get(key)
    if validator is None:
        if len(_VALIDATORS) > 1000:
            _VALIDATORS.clear()
        validator = GuardedValidator(content_type.json_schema(), format_checker=FormatChecker())
        _VALIDATORS[key] = validator
    return validator


def field_checker(field: FieldDef) -> Callable[[Any], bool]:
    """Whether a stored value satisfies ``field``'s definition (for definition changes)."""
    validator = GuardedValidator(field.json_schema(), format_checker=FormatChecker())
    return lambda value: not any(True for _ in validator.iter_errors(value))


def validate_data(content_type: ContentType, data: dict[str, Any]) -> None:
    """Raise Invalid listing every failing field of ``data`` against ``content_type``."""
    validator = _validator(content_type)
    details: list[FieldError] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        if error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in error.message else ""
            details.append(
                FieldError(missing or _path(error.path), "Required field", ErrorKind.REQUIRED)
            )
        elif error.validator == "additionalProperties":
            allowed = content_type.field_names | {"title", "slug"}
            for extra in sorted(set(data) - allowed):
                details.append(
                    FieldError(
                        extra,
                        f"Unknown field for type '{content_type.name}'",
                        ErrorKind.UNKNOWN_FIELD,
                    )
                )
        else:
            details.append(schema_field_error(error, _path(error.path, "data")))
    if details:
        raise Invalid("Validation failed", details=details)


# JSON Schema keyword → (kind, the keyword's value as this parameter)
_KINDS: dict[str, tuple[ErrorKind, str | None]] = {
    "type": (ErrorKind.TYPE, "expected"),
    "format": (ErrorKind.FORMAT, "format"),
    "pattern": (ErrorKind.PATTERN, "pattern"),
    "minimum": (ErrorKind.MINIMUM, "limit"),
    "maximum": (ErrorKind.MAXIMUM, "limit"),
    "exclusiveMinimum": (ErrorKind.MINIMUM, "limit"),
    "exclusiveMaximum": (ErrorKind.MAXIMUM, "limit"),
    "minLength": (ErrorKind.MIN_LENGTH, "limit"),
    "maxLength": (ErrorKind.MAX_LENGTH, "limit"),
    "minItems": (ErrorKind.MIN_ITEMS, "limit"),
    "maxItems": (ErrorKind.MAX_ITEMS, "limit"),
    "enum": (ErrorKind.ENUM, "allowed"),
    "const": (ErrorKind.ENUM, "allowed"),
}


def schema_field_error(error: Any, field: str) -> FieldError:
    """A ``jsonschema`` ValidationError as a FieldError with its kind and parameters, read
    from the machine-readable parts (never from Python's wording, which dialects re-phrase)."""
    if error.validator == "anyOf" and error.context:
        # Optional field: report why the non-null branch failed, not "is not valid under any".
        error = error.context[0]
    kind, param = _KINDS.get(str(error.validator), (ErrorKind.INVALID, None))
    params: dict[str, Any] = {"value": error.instance}
    if param is not None:
        value = error.validator_value
        params[param] = [value] if error.validator == "const" else value
    if error.validator == "required":
        kind = ErrorKind.REQUIRED
    return FieldError(field, str(error.message), kind, params)
