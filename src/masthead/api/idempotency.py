"""The Idempotency-Key header on creating POSTs, for any dialect: a repeat of a key gets the
stored first response (status and body) instead of running again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Header
from pydantic import BaseModel
from starlette.responses import Response

from masthead.api.context import AppServices
from masthead.api.responses import OrjsonResponse
from masthead.core.models import Actor
from masthead.core.services import idempotency

T = TypeVar("T", bound=BaseModel)

IdempotencyKey = Annotated[
    str | None, Header(description="Repeat-safe key: a repeat within 24 h returns the first result")
]


def replay_or_run(
    services: AppServices,
    actor: Actor,
    key: str | None,
    request: BaseModel,
    status_code: int,
    run: Callable[[], T],
) -> T | Response:
    """Run ``run`` once per key: a repeat gets the stored first response."""
    if key is None:
        return run()
    request_hash = idempotency.fingerprint(request.model_dump(mode="json", exclude_unset=True))
    stored = idempotency.begin(services.uow(), services.clock, actor, key, request_hash)
    if stored is not None:
        return OrjsonResponse(
            stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"}
        )
    try:
        result = run()
    except BaseException:
        idempotency.abandon(services.uow(), actor, key)
        raise
    body = result.model_dump(mode="json", by_alias=True)
    idempotency.complete(services.uow(), actor, key, status_code, body)
    return result
