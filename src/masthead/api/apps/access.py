"""The caller in an app: ``:app_slug`` in the path names the space (never ``X-Space`` nor
the token's default). A token is required (no token: 401); a caller without membership in
the app, an API token of another app and an unknown app are all refused alike (404, see
``errors.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from masthead.api.context import Services, get_bearer
from masthead.core.errors import AuthRequired
from masthead.core.models import Actor
from masthead.core.services import auth

APP_PATH = Path(description="The app's slug (a Masthead space)")


def get_app_actor(
    services: Services,
    bearer: Annotated[str | None, Depends(get_bearer)],
    app_slug: Annotated[str, APP_PATH],
) -> Actor:
    if bearer is None:
        raise AuthRequired()
    actor = auth.authenticate_actor(
        services.read_uow(), services.uow(), services.auth, bearer, app_slug
    )
    return actor.model_copy(update={"via": "apps"})


AppActor = Annotated[Actor, Depends(get_app_actor)]
