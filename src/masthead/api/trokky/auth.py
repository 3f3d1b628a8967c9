"""Trokky ``/auth``: login, me, refresh, logout (``trokky-http-api.txt``, Authentication).

Refresh takes the Bearer access token (the document) and renews it, or the real client's
body ``{refreshToken}`` and rotates that like ``/v1``. Logout with a ``refreshToken`` revokes
its session; with only a Bearer token there is nothing stored to revoke (access tokens expire).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header

from masthead.api.context import Client, CurrentPrincipal, Services, get_bearer
from masthead.api.trokky.schemas import (
    LoginBody,
    LoginOut,
    MeOut,
    RefreshBody,
    RefreshOut,
    SuccessOut,
    shape_user,
    timestamp,
)
from masthead.core.models import User
from masthead.core.services import auth, token_renewal

router = APIRouter(prefix="/auth", tags=["trokky"])

Bearer = Annotated[str | None, Depends(get_bearer)]
XSpace = Annotated[str | None, Header(description="Space slug; else the user's first")]


def _user(user: User, x_space: str | None) -> dict[str, Any]:
    """The user with the role held in the request's space (``X-Space``, else their first)."""
    space_id = next((m.space_id for m in user.memberships if m.space_slug == x_space), None)
    return shape_user(user, space_id)


@router.post("/login", response_model=LoginOut, summary="Log in with username and password")
def login(
    body: LoginBody, services: Services, client: Client, x_space: XSpace = None
) -> dict[str, Any]:
    result = auth.login(services.uow(), services.auth, body.username, body.password, client)
    tokens = result.tokens
    return {
        "token": tokens.access_token,
        "user": _user(result.user, x_space),
        "expiresAt": timestamp(tokens.access_expires_at),
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "refreshExpiresAt": timestamp(tokens.refresh_expires_at),
    }


@router.get("/me", response_model=MeOut, summary="The logged-in user")
def me(principal: CurrentPrincipal, x_space: XSpace = None) -> dict[str, Any]:
    return {"data": _user(auth.current_user(principal), x_space)}


@router.post(
    "/refresh",
    response_model=RefreshOut,
    response_model_exclude_none=True,
    summary="Renew the Bearer access token, or rotate a refresh token sent in the body",
)
def refresh(services: Services, bearer: Bearer, body: RefreshBody | None = None) -> dict[str, Any]:
    if body is not None and body.refreshToken:
        tokens = auth.refresh(services.uow(), services.auth, body.refreshToken)
        return {
            "token": tokens.access_token,
            "expiresAt": timestamp(tokens.access_expires_at),
            "accessToken": tokens.access_token,
            "refreshToken": tokens.refresh_token,
        }
    token, expires_at, _ = token_renewal.renew_access_token(
        services.read_uow(), services.uow(), services.auth, bearer
    )
    return {"token": token, "expiresAt": timestamp(expires_at), "accessToken": token}


@router.post("/logout", response_model=SuccessOut, summary="Log out")
def logout(services: Services, bearer: Bearer, body: RefreshBody | None = None) -> dict[str, Any]:
    """Ends the session: the bearer access token is refused from now on, and the refresh
    token's family (when the client sends it) is revoked. Always succeeds."""
    refresh_token = body.refreshToken if body is not None else None
    auth.logout(services.uow(), services.auth, refresh_token or None, bearer)
    return {"success": True}
