"""Native /v1/navigation/menus: a space's menus, read with references resolved to routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from masthead.api.context import CurrentActor, Services
from masthead.api.native.navigation_schemas import MenuList, MenuOut, MenuResponse, PutMenuBody
from masthead.api.native.schemas import OkResponse
from masthead.api.query_params import PerspectiveParam
from masthead.api.wire import ErrorResponse
from masthead.core.services import navigation

router = APIRouter(prefix="/navigation/menus", tags=["navigation"])

KEY_INVALID: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "NAVIGATION_KEY_INVALID: not a menu key"}
}
# Any text reaches the core, which answers the contract's 400 (a declared pattern would be
# refused earlier, as a 422).
MenuKey = Annotated[
    str, Path(description="The menu's key: 1 to 64 of a-z, 0-9, '-' and '_' (main, footer)")
]


@router.get("", response_model=MenuList, summary="List the space's menus")
def list_menus(
    actor: CurrentActor, services: Services, perspective: PerspectiveParam = None
) -> MenuList:
    menus = navigation.list_menus(services.read_uow(), actor, perspective)
    return MenuList(items=[MenuOut.of(m) for m in menus])


@router.get("/{key}", response_model=MenuResponse, summary="Get a menu", responses=KEY_INVALID)
def get_menu(
    key: MenuKey, actor: CurrentActor, services: Services, perspective: PerspectiveParam = None
) -> MenuResponse:
    menu = navigation.get_menu(services.read_uow(), actor, key, perspective)
    return MenuResponse(menu=MenuOut.of(menu))


@router.put(
    "/{key}", response_model=MenuResponse, summary="Create or replace a menu", responses=KEY_INVALID
)
def put_menu(
    key: MenuKey, body: PutMenuBody, actor: CurrentActor, services: Services
) -> MenuResponse:
    menu = navigation.put_menu(
        services.uow(), services.clock, actor, key, body.title or key, body.to_items()
    )
    return MenuResponse(menu=MenuOut.of(menu))


@router.delete("/{key}", response_model=OkResponse, summary="Delete a menu", responses=KEY_INVALID)
def delete_menu(key: MenuKey, actor: CurrentActor, services: Services) -> OkResponse:
    navigation.delete_menu(services.uow(), actor, key)
    return OkResponse()
