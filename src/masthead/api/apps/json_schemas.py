"""Schemas as the apps API shows them: a content type as a JSON Schema document with a
``kind``, and back. Only translation: what a field may be is the core's (FieldDef), which
checks what this builds.

Property → field: ``string`` (``format: date-time`` → datetime, ``enum`` → enum,
``minLength``/``maxLength``/``pattern`` kept), ``number``/``integer`` (``minimum``/``maximum``),
``boolean``, ``array`` (``items.type`` a scalar, ``minItems``/``maxItems``), an object with a
``hash`` property (an upload reference ``{hash, filename, mime}``) → media, any other object or
a property without ``type`` → json. ``title`` and ``default`` are kept; ``required`` lists the
required fields.
"""

from __future__ import annotations

from typing import Any

from masthead.core.content_types import ContentType, ContentTypeSpec, FieldDef, FieldType
from masthead.core.errors import ErrorKind, FieldError, Invalid

UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "hash": {"type": "string"},
        "filename": {"type": "string"},
        "mime": {"type": "string"},
    },
    "required": ["hash"],
}
_SCALARS = {
    "string": FieldType.STRING,
    "number": FieldType.NUMBER,
    "integer": FieldType.INTEGER,
    "boolean": FieldType.BOOLEAN,
}
_TYPE_NAMES = {v: k for k, v in _SCALARS.items()}


def _refuse(path: str, message: str) -> Invalid:
    return Invalid("Invalid schema", details=[FieldError(path, message, ErrorKind.INVALID)])


def _field(name: str, prop: Any, required: bool) -> dict[str, Any]:
    at = f"schema.properties.{name}"
    if not isinstance(prop, dict):
        raise _refuse(at, "must be an object (a JSON Schema)")
    kind = prop.get("type")
    if kind is not None and not isinstance(kind, str):
        raise _refuse(at + ".type", "must be one type name")
    spec: dict[str, Any] = {"name": name, "required": required}
    for key in ("title", "default", "pattern"):
        if key in prop:
            spec[key] = prop[key]
    if kind == "string" and "enum" in prop:
        spec.update(type=FieldType.ENUM, options=prop["enum"])
    elif kind == "string" and prop.get("format") == "date-time":
        spec["type"] = FieldType.DATETIME
    elif kind in _SCALARS:
        spec["type"] = _SCALARS[kind]
    elif kind == "array":
        items = prop.get("items") or {}
        of = items.get("type") if isinstance(items, dict) else None
        spec["type"] = FieldType.LIST
        if of is not None:
            if not isinstance(of, str) or of not in _SCALARS:
                raise _refuse(at + ".items.type", "use string, number, integer or boolean")
            spec["of"] = _SCALARS[of]
        spec["minLength"] = prop.get("minItems")
        spec["maxLength"] = prop.get("maxItems")
    elif (
        kind == "object"
        and isinstance(prop.get("properties"), dict)
        and "hash" in prop["properties"]
    ):
        spec["type"] = FieldType.MEDIA
    elif kind in {None, "object"}:
        spec["type"] = FieldType.JSON
    else:
        raise _refuse(at + ".type", "use string, number, integer, boolean, array or object")
    if kind == "string":
        spec["minLength"] = prop.get("minLength")
        spec["maxLength"] = prop.get("maxLength")
    if kind in {"number", "integer"}:
        spec["min"] = prop.get("minimum")
        spec["max"] = prop.get("maximum")
    return spec


def to_spec(slug: str, name: str | None, kind: str, schema: dict[str, Any]) -> ContentTypeSpec:
    """A JSON Schema document as a content type definition. Raises Invalid, and
    pydantic's ValidationError for what the core refuses in a field."""
    properties = schema.get("properties") or {}
    required = schema.get("required") or []
    if not isinstance(properties, dict):
        raise _refuse("schema.properties", "must be an object")
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise _refuse("schema.required", "must be a list of property names")
    unknown = sorted(set(required) - set(properties))
    if unknown:
        raise _refuse("schema.required", f"names no property: {', '.join(unknown)}")
    fields = [_field(str(n), p, n in required) for n, p in properties.items()]
    return ContentTypeSpec.model_validate(
        {
            "name": slug,
            "title": name or schema.get("title") or slug,
            "kind": kind,
            "fields": [{k: v for k, v in f.items() if v is not None} for f in fields],
        }
    )


def _property(field: FieldDef) -> dict[str, Any]:
    prop: dict[str, Any]
    if field.type is FieldType.MEDIA:
        prop = dict(UPLOAD_SCHEMA)
    elif field.type is FieldType.ENUM:
        prop = {"type": "string", "enum": list(field.options or ())}
    elif field.type is FieldType.DATETIME:
        prop = {"type": "string", "format": "date-time"}
    elif field.type is FieldType.JSON:
        prop = {}
    elif field.type is FieldType.LIST:
        prop = {"type": "array"}
        if field.of is not None:
            prop["items"] = {"type": _TYPE_NAMES.get(field.of, "string")}
        if field.min_length is not None:
            prop["minItems"] = field.min_length
        if field.max_length is not None:
            prop["maxItems"] = field.max_length
    elif field.type in _TYPE_NAMES:
        prop = {"type": _TYPE_NAMES[field.type]}
    else:
        # Types of other APIs (text, rich text, blocks, references...): the core's schema.
        return {**field.model_copy(update={"required": True}).json_schema(), **_extras(field)}
    if field.type is FieldType.STRING:
        if field.min_length is not None:
            prop["minLength"] = field.min_length
        if field.max_length is not None:
            prop["maxLength"] = field.max_length
        if field.pattern:
            prop["pattern"] = field.pattern
    if field.type in {FieldType.NUMBER, FieldType.INTEGER}:
        if field.min is not None:
            prop["minimum"] = field.min
        if field.max is not None:
            prop["maximum"] = field.max
    return {**prop, **_extras(field)}


def _extras(field: FieldDef) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if field.title:
        extras["title"] = field.title
    if field.default is not None:
        extras["default"] = field.default
    return extras


def shape_schema(content_type: ContentType) -> dict[str, Any]:
    return {
        "slug": content_type.name,
        "name": content_type.title,
        "kind": content_type.kind.value,
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": content_type.title,
            "type": "object",
            "properties": {f.name: _property(f) for f in content_type.fields},
            "required": [f.name for f in content_type.fields if f.required],
        },
    }
