"""Wire-model basics every dialect shares: the base model, and the
``{"error": {"code", "message", "details"?, "retryAfter"?}}`` envelope that /v1 and Trokky
both answer errors in (documented in OpenAPI through ``ErrorResponse``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """Request and response bodies: unknown keys ignored, fields settable by name or alias."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ErrorBody(WireModel):
    code: str
    message: str
    details: list[dict[str, str]] | None = None
    retryAfter: int | None = None


class ErrorResponse(WireModel):
    error: ErrorBody


class HealthResponse(WireModel):
    status: str


OpenApiResponses = dict[int | str, dict[str, object]]


def error_responses(model: type[BaseModel], descriptions: dict[int, str]) -> OpenApiResponses:
    """A dialect router's ``responses``: each error status with the body model its document
    prescribes and what it means there, so ``/openapi.json`` names every error a route may
    answer."""
    return {
        status: {"model": model, "description": description}
        for status, description in descriptions.items()
    }
