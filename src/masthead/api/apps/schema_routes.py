"""Apps ``/schemas``: the schemas of an app as JSON Schema documents with a ``kind``,
mapped to content types (``json_schemas.py``): list, get, create, replace. Managing them
needs the admin role (the core's schema permission)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path
from pydantic import Field

from masthead.api.apps.access import AppActor
from masthead.api.apps.content import PREFIX
from masthead.api.apps.json_schemas import shape_schema, to_spec
from masthead.api.apps.schemas import SchemaOut
from masthead.api.context import Services
from masthead.api.wire import WireModel
from masthead.core.services import content_types

router = APIRouter(prefix=PREFIX + "/{app_slug}/schemas", tags=["apps"])
SchemaPath = Path(description="The schema's slug (a content type name)")


class SchemaBody(WireModel):
    name: str | None = Field(None, max_length=200, description="Display name (default: slug)")
    kind: Literal["collection", "single"] = "collection"
    schema_: dict[str, Any] = Field(
        alias="schema", description="JSON Schema of an entry: type object, properties, required"
    )


class CreateSchemaBody(SchemaBody):
    slug: str = Field(max_length=64, description="lowercase letters, digits, - and _")


@router.get("", response_model=list[SchemaOut], summary="List schemas")
def list_schemas(actor: AppActor, services: Services) -> list[dict[str, Any]]:
    return [shape_schema(t) for t in content_types.list_types(services.read_uow(), actor)]


@router.post("", response_model=SchemaOut, status_code=201, summary="Create a schema")
def create_schema(body: CreateSchemaBody, actor: AppActor, services: Services) -> dict[str, Any]:
    spec = to_spec(body.slug, body.name, body.kind, body.schema_)
    return shape_schema(content_types.create_type(services.uow(), services.clock, actor, spec))


@router.get("/{schema_slug}", response_model=SchemaOut, summary="Get a schema")
def get_schema(
    actor: AppActor, services: Services, schema_slug: str = SchemaPath
) -> dict[str, Any]:
    return shape_schema(content_types.get_type(services.read_uow(), actor, schema_slug))


@router.put("/{schema_slug}", response_model=SchemaOut, summary="Replace a schema")
def update_schema(
    body: SchemaBody, actor: AppActor, services: Services, schema_slug: str = SchemaPath
) -> dict[str, Any]:
    spec = to_spec(schema_slug, body.name, body.kind, body.schema_)
    updated = content_types.update_type(services.uow(), services.clock, actor, schema_slug, spec)
    return shape_schema(updated)
