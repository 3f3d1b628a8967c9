"""Trokky ``/config``: the space's content types as Trokky schemas, the studio (editing UI)
configuration, and its navigation structure (``trokky-http-api.txt``, Configuration; the
shapes, which the document leaves open, are ``docs/trokky-api.md``'s).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from masthead.api.context import CurrentActor, Services
from masthead.api.trokky.schemas import wire_name
from masthead.core import access
from masthead.core.access import Permission
from masthead.core.content_types import ContentType, FieldDef, FieldType, TypeKind
from masthead.core.listing import DocumentQuery
from masthead.core.services import content_types, queries

router = APIRouter(prefix="/config", tags=["trokky"])

# Masthead field type → Trokky's field vocabulary (Sanity-like).
FIELD_TYPES: dict[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.TEXT: "text",
    FieldType.RICHTEXT: "richtext",
    FieldType.BLOCKS: "array",
    FieldType.NUMBER: "number",
    FieldType.INTEGER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATETIME: "datetime",
    FieldType.SLUG: "slug",
    FieldType.ENUM: "string",
    FieldType.REFERENCE: "reference",
    FieldType.MEDIA: "image",
    FieldType.JSON: "object",
    FieldType.LIST: "array",
}


def _field(field: FieldDef, content_type: ContentType) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": wire_name(field.name, content_type),
        "title": field.title or field.name,
        "type": FIELD_TYPES[field.type],
    }
    rules: dict[str, Any] = {}
    if field.required:
        rules["required"] = True
    if field.unique:
        rules["unique"] = True
    if field.type is FieldType.INTEGER:
        rules["integer"] = True
    for key, value in (
        ("min", field.min),
        ("max", field.max),
        ("minLength", field.min_length),
        ("maxLength", field.max_length),
        ("pattern", field.pattern),
    ):
        if value is not None:
            rules[key] = value
    if rules:
        out["validation"] = rules
    if field.default is not None:
        out["initialValue"] = field.default
    if field.type is FieldType.ENUM:
        out["options"] = {"list": list(field.options or ())}
    if field.type is FieldType.SLUG:
        out["options"] = {"source": "title"}
    if field.type is FieldType.BLOCKS:
        out["of"] = [{"type": "block"}]
    if field.type is FieldType.LIST:
        out["of"] = [{"type": FIELD_TYPES.get(field.of or FieldType.STRING, "string")}]
    if field.type is FieldType.REFERENCE:
        target = [{"type": field.to}] if field.to else []
        if field.many:
            out.update({"type": "array", "of": [{"type": "reference", "to": target}]})
        else:
            out["to"] = target
    return out


def _schema(content_type: ContentType) -> dict[str, Any]:
    return {
        "name": content_type.name,
        "title": content_type.title,
        "type": "document",
        "singleton": content_type.kind is TypeKind.SINGLE,
        "workflow": content_type.workflow.value,
        "fields": [_field(f, content_type) for f in content_type.fields],
    }


@router.get("/schemas", summary="The space's content types as Trokky schemas")
def get_schemas(actor: CurrentActor, services: Services) -> dict[str, Any]:
    types = content_types.list_types(services.read_uow(), actor)
    return {"data": [_schema(t) for t in types]}


@router.get("/studio", summary="The editing UI's configuration")
def get_studio(actor: CurrentActor, services: Services) -> dict[str, Any]:
    access.require(actor, Permission.READ_PUBLISHED)
    settings = services.settings
    policy = services.media.policy
    return {
        "data": {
            "name": actor.space.name,
            "space": actor.space.slug,
            "basePath": settings.trokky_base_path,
            "apiBasePath": settings.trokky_base_path,
            "locale": "en",
            "media": {
                "maxFileSize": policy.max_bytes,
                "accept": list(policy.allowed_types),
                "variants": sorted(policy.variants),
            },
        }
    }


@router.get("/structure", summary="The editing UI's navigation, for the caller's role")
def get_structure(actor: CurrentActor, services: Services) -> dict[str, Any]:
    types = content_types.list_types(services.read_uow(), actor)
    may_edit = access.can(actor, Permission.WRITE)
    items: list[dict[str, Any]] = []
    for content_type in types:
        item: dict[str, Any] = {
            "id": content_type.name,
            "title": content_type.title,
            "schemaType": content_type.name,
            "readOnly": not may_edit,
        }
        if content_type.kind is TypeKind.SINGLE:
            query = DocumentQuery(type=content_type.name, limit=1)
            page = queries.list_documents(services.read_uow(), actor, query)
            item["type"] = "document"
            item["documentId"] = str(page.items[0].id) if page.items else None
        else:
            item["type"] = "documentList"
        items.append(item)
    if access.can(actor, Permission.READ):
        items.append({"id": "media", "title": "Media", "type": "media", "readOnly": not may_edit})
    return {"data": {"items": items}}
