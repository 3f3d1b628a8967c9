"""Native /v1/auth routes: token, refresh, logout, me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from masthead.api.context import Client, CurrentPrincipal, Services
from masthead.api.native.schemas import (
    MeResponse,
    OkResponse,
    RefreshRequest,
    RefreshResponse,
    TokenRequest,
    TokenResponse,
    UserOut,
)
from masthead.core.services import auth

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse, summary="Log in with username and password")
def issue_token(body: TokenRequest, services: Services, client: Client) -> TokenResponse:
    login = auth.login(services.uow(), services.auth, body.username, body.password, client)
    return TokenResponse(
        accessToken=login.tokens.access_token,
        refreshToken=login.tokens.refresh_token,
        expiresAt=login.tokens.access_expires_at,
        refreshExpiresAt=login.tokens.refresh_expires_at,
        user=UserOut.of(login.user),
    )


@router.post("/refresh", response_model=RefreshResponse, summary="Rotate a refresh token")
def refresh_token(body: RefreshRequest, services: Services) -> RefreshResponse:
    tokens = auth.refresh(services.uow(), services.auth, body.refreshToken)
    return RefreshResponse(
        accessToken=tokens.access_token,
        refreshToken=tokens.refresh_token,
        expiresAt=tokens.access_expires_at,
        refreshExpiresAt=tokens.refresh_expires_at,
    )


@router.post("/logout", response_model=OkResponse, summary="Revoke a refresh token's session")
def logout(
    body: RefreshRequest,
    services: Services,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OkResponse:
    """Revokes the session's refresh tokens and its access tokens (the bearer sent with the
    request too, if any). Always 200: a token that is unknown or malformed is ignored."""
    scheme, _, bearer = (authorization or "").strip().partition(" ")
    access_token = bearer.strip() if scheme.lower() == "bearer" else None
    auth.logout(services.uow(), services.auth, body.refreshToken, access_token)
    return OkResponse()


@router.get("/me", response_model=MeResponse, summary="The logged-in user and memberships")
def me(principal: CurrentPrincipal) -> MeResponse:
    return MeResponse(user=UserOut.of(auth.current_user(principal)))
