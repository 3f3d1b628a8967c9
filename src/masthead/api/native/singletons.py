"""Native /v1/singletons/{type}: the one document of a single type."""

from __future__ import annotations

from fastapi import APIRouter, Response

from masthead.api.context import CurrentActor, Services
from masthead.api.http import etag
from masthead.api.native.content_schemas import (
    DocumentBody,
    DocumentOut,
    DocumentResponse,
    DocumentWriteResponse,
)
from masthead.api.native.errors import BLOCKS_INVALID_RESPONSE
from masthead.api.native.schemas import OkResponse
from masthead.api.query_params import PerspectiveParam
from masthead.core.services import documents

router = APIRouter(prefix="/singletons", tags=["singletons"])


@router.get("/{type_name}", response_model=DocumentResponse, summary="Get a single type's document")
def get_singleton(
    type_name: str,
    response: Response,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
) -> DocumentResponse:
    document = documents.get_singleton(services.read_uow(), actor, type_name, perspective)
    response.headers["ETag"] = etag(document.version)
    return DocumentResponse(document=DocumentOut.of(document))


@router.put(
    "/{type_name}",
    response_model=DocumentWriteResponse,
    summary="Create or replace it",
    responses=BLOCKS_INVALID_RESPONSE,
)
def put_singleton(
    type_name: str, body: DocumentBody, response: Response, actor: CurrentActor, services: Services
) -> DocumentWriteResponse:
    write = documents.put_singleton(
        services.uow(), services.clock, actor, type_name, body.to_input()
    )
    response.headers["ETag"] = etag(write.document.version)
    return DocumentWriteResponse.of(write)


@router.delete("/{type_name}", response_model=OkResponse, summary="Delete it for good")
def delete_singleton(type_name: str, actor: CurrentActor, services: Services) -> OkResponse:
    documents.delete_singleton(services.uow(), actor, type_name)
    return OkResponse()
