"""Native /v1 administration of accounts: set a member's role, deactivate a user, list and
revoke API tokens.

Who may do what is the core's (``core/services/accounts.py``): a superuser deactivates
anyone, a space admin only the users of their own space; tokens are those of the request's
space. The same operations exist on the command line (`masthead users deactivate`,
`masthead tokens list|revoke`).
"""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.context import CurrentActor, Services
from masthead.api.ids import TokenIdPath, UserIdPath
from masthead.api.native.account_schemas import (
    ApiTokenList,
    ApiTokenOut,
    DeactivatedUserResponse,
    RoleBody,
    UserResponse,
)
from masthead.api.native.schemas import OkResponse, UserOut
from masthead.core.services import accounts

router = APIRouter(tags=["accounts"])


@router.post(
    "/users/{user_id}/deactivate",
    response_model=DeactivatedUserResponse,
    summary="Deactivate a user: no more logins, and their tokens stop working",
)
def deactivate_user(
    user_id: UserIdPath, actor: CurrentActor, services: Services
) -> DeactivatedUserResponse:
    user = accounts.deactivate_user(services.uow(), services.clock, actor, user_id)
    return DeactivatedUserResponse(user=UserOut.of(user))


@router.put(
    "/users/{user_id}/role",
    response_model=UserResponse,
    summary="Set a user's role in this space (null: take their membership away)",
)
def set_role(
    user_id: UserIdPath, body: RoleBody, actor: CurrentActor, services: Services
) -> UserResponse:
    user = accounts.set_member_role(services.uow(), services.clock, actor, user_id, body.role)
    return UserResponse(user=UserOut.of(user))


@router.get("/tokens", response_model=ApiTokenList, summary="List the space's API tokens")
def list_tokens(actor: CurrentActor, services: Services) -> ApiTokenList:
    tokens = accounts.list_api_tokens(services.read_uow(), actor)
    return ApiTokenList(items=[ApiTokenOut.of(t) for t in tokens])


@router.delete("/tokens/{token_id}", response_model=OkResponse, summary="Revoke an API token")
def revoke_token(token_id: TokenIdPath, actor: CurrentActor, services: Services) -> OkResponse:
    accounts.revoke_api_token(services.uow(), services.clock, actor, token_id)
    return OkResponse()
