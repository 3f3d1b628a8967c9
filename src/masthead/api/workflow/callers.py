"""Who calls the workflow API, from the headers its real clients send (the upstream's docs):
``X-API-Key`` (an API token, as ``Authorization: Bearer`` carries it), ``X-Tenant-Id`` (the
space, by slug or id, checked against the caller's memberships like ``X-Space``) and
``X-Requested-With`` (accepted, ignored). The rules stay in the core's auth service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from masthead.api.context import Services, get_bearer
from masthead.api.ids import NOTHING, parse_id
from masthead.core.models import Actor, Principal
from masthead.core.services import auth

VIA = "workflow"


def _space_slug(principal: Principal, tenant: str) -> str | None:
    """``tenant`` as a space slug: an id is looked up among the caller's own spaces (an id
    of any other space is passed on as is, and so refused like a space it may not enter)."""
    space_id = parse_id(tenant)
    if space_id == NOTHING:
        return tenant
    if principal.api_token is not None and principal.api_token.space_id == space_id:
        return None  # the token's own space
    if principal.user is not None:
        for membership in principal.user.memberships:
            if membership.space_id == space_id:
                return membership.space_slug
    return tenant


def get_workflow_actor(
    services: Services,
    bearer: Annotated[str | None, Depends(get_bearer)],
    x_api_key: Annotated[
        str | None, Header(alias="X-API-Key", description="An API token (or Authorization)")
    ] = None,
    x_tenant_id: Annotated[
        str | None, Header(alias="X-Tenant-Id", description="Space slug or id; else X-Space")
    ] = None,
    x_space: Annotated[str | None, Header(description="Space slug; else the token's")] = None,
    x_requested_with: Annotated[
        str | None, Header(alias="X-Requested-With", description="Accepted and ignored")
    ] = None,
) -> Actor:
    token = bearer or (x_api_key.strip() if x_api_key and x_api_key.strip() else None)
    tenant = (x_tenant_id or "").strip() or x_space
    if tenant and parse_id(tenant) != NOTHING:
        principal = auth.authenticate(services.read_uow(), services.uow(), services.auth, token)
        actor = auth.resolve_actor(services.read_uow(), principal, _space_slug(principal, tenant))
    else:
        actor = auth.authenticate_actor(
            services.read_uow(), services.uow(), services.auth, token, tenant
        )
    return actor.model_copy(update={"via": VIA})


WorkflowActor = Annotated[Actor, Depends(get_workflow_actor)]
