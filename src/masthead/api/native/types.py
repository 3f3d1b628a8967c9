"""Native /v1/types: content types (schemas)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from masthead.api.context import CurrentActor, Services
from masthead.api.native.content_schemas import (
    ContentTypeBody,
    ContentTypeList,
    ContentTypeOut,
    ContentTypePatch,
    ContentTypeResponse,
)
from masthead.api.native.schemas import OkResponse
from masthead.core.services import content_types

router = APIRouter(prefix="/types", tags=["content types"])


@router.get("", response_model=ContentTypeList, summary="List content types")
def list_types(actor: CurrentActor, services: Services) -> ContentTypeList:
    types = content_types.list_types(services.read_uow(), actor)
    return ContentTypeList(items=[ContentTypeOut.of(t) for t in types])


@router.post("", response_model=ContentTypeResponse, status_code=201, summary="Create a type")
def create_type(
    body: ContentTypeBody, actor: CurrentActor, services: Services
) -> ContentTypeResponse:
    created = content_types.create_type(services.uow(), services.clock, actor, body.spec())
    return ContentTypeResponse(type=ContentTypeOut.of(created))


@router.get("/{name}", response_model=ContentTypeResponse, summary="Get a content type")
def get_type(name: str, actor: CurrentActor, services: Services) -> ContentTypeResponse:
    found = content_types.get_type(services.read_uow(), actor, name)
    return ContentTypeResponse(type=ContentTypeOut.of(found))


@router.patch("/{name}", response_model=ContentTypeResponse, summary="Change a content type")
def update_type(
    name: str,
    body: ContentTypePatch,
    actor: CurrentActor,
    services: Services,
    force: bool = Query(False, description="Remove fields even if documents use them"),
) -> ContentTypeResponse:
    updated = content_types.patch_type(
        services.uow(), services.clock, actor, name, body.changes(), force=force
    )
    return ContentTypeResponse(type=ContentTypeOut.of(updated))


@router.delete("/{name}", response_model=OkResponse, summary="Delete a content type")
def delete_type(
    name: str,
    actor: CurrentActor,
    services: Services,
    force: bool = Query(False, description="Also delete the type's documents"),
) -> OkResponse:
    content_types.delete_type(services.uow(), actor, name, force=force)
    return OkResponse()
