"""Native /v1/forms: definitions (admins), public submission, submissions and CSV export."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from masthead.api.context import Client, CurrentActor, Services
from masthead.api.ids import FormIdPath
from masthead.api.native.content_schemas import Pagination
from masthead.api.native.form_schemas import (
    FormBody,
    FormList,
    FormOut,
    FormResponse,
    SubmissionList,
    SubmissionOut,
    SubmitBody,
    SubmitResponse,
)
from masthead.api.native.schemas import OkResponse
from masthead.api.query_params import OffsetParam, PageParam, PageSizeParam, page_window
from masthead.core.services import forms

router = APIRouter(prefix="/forms", tags=["forms"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The submissions: JSON, or CSV with format=csv",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("", response_model=FormList, summary="List the space's forms")
def list_forms(actor: CurrentActor, services: Services) -> FormList:
    return FormList(items=[FormOut.of(x) for x in forms.list_forms(services.read_uow(), actor)])


@router.post("", response_model=FormResponse, status_code=201, summary="Define a form (admins)")
def create_form(body: FormBody, actor: CurrentActor, services: Services) -> FormResponse:
    form = forms.create_form(services.uow(), services.clock, actor, body.spec())
    return FormResponse(form=FormOut.of(form))


@router.get("/{form_id}", response_model=FormResponse, summary="Get a form's definition")
def get_form(form_id: FormIdPath, actor: CurrentActor, services: Services) -> FormResponse:
    return FormResponse(form=FormOut.of(forms.get_form(services.read_uow(), actor, form_id)))


@router.put("/{form_id}", response_model=FormResponse, summary="Replace a form's definition")
def update_form(
    form_id: FormIdPath, body: FormBody, actor: CurrentActor, services: Services
) -> FormResponse:
    form = forms.update_form(services.uow(), services.clock, actor, form_id, body.spec())
    return FormResponse(form=FormOut.of(form))


@router.delete("/{form_id}", response_model=OkResponse, summary="Delete a form and submissions")
def delete_form(form_id: FormIdPath, actor: CurrentActor, services: Services) -> OkResponse:
    forms.delete_form(services.uow(), actor, form_id)
    return OkResponse()


@router.post(
    "/{form_id}/submit",
    response_model=SubmitResponse,
    status_code=202,
    summary="Submit a form (no authentication)",
)
def submit_form(
    form_id: FormIdPath, body: SubmitBody, client: Client, services: Services
) -> SubmitResponse:
    receipt = forms.submit_form(
        services.read_uow(),
        services.uow(),
        services.clock,
        services.limiter,
        form_id,
        body.payload,
        client,
    )
    return SubmitResponse(submissionId=receipt.submission_id)


@router.get(
    "/{form_id}/submissions",
    response_model=SubmissionList,
    summary="List a form's submissions, or export them as CSV (editors)",
    responses=CSV_RESPONSE,
)
def list_submissions(
    form_id: FormIdPath,
    actor: CurrentActor,
    services: Services,
    format_: Literal["json", "csv"] = Query(
        "json", alias="format", description="csv: every submission as a CSV file"
    ),
    limit: PageSizeParam = None,
    pageSize: PageSizeParam = None,
    offset: OffsetParam = None,
    page: PageParam = None,
) -> Any:
    if format_ == "csv":
        text = forms.export_submissions(services.read_uow(), actor, form_id)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="form-{form_id}.csv"'},
        )
    size, start = page_window(
        limit=limit if limit is not None else pageSize, offset=offset, page=page
    )
    result = forms.list_submissions(services.read_uow(), actor, form_id, limit=size, offset=start)
    return SubmissionList(
        items=[SubmissionOut.of(s) for s in result.items],
        pagination=Pagination.of(result.total, result.limit, result.offset),
    )
