"""``GET /preview/<token>?sig=...``: the page a preview link shows, to anyone holding it.

A failure (unknown token 404, wrong signature 401, expired 410) is a small HTML page for a
browser (``Accept: text/html``) and the /v1 error body for any other client; it never shows
the draft.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from masthead.api.context import Services
from masthead.api.errors import status_for
from masthead.api.native.errors import native_code, render_native_error
from masthead.core.errors import MastheadError
from masthead.core.services import previews
from masthead.rendering import Renderer

router = APIRouter(tags=["publishing"])

# The preview is the editor's own draft: never cached by a browser or a CDN, never indexed,
# and framed by nobody else.
PREVIEW_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; img-src * data:; style-src 'unsafe-inline';"
    " frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
}


@router.get(
    "/preview/{token}",
    response_class=HTMLResponse,
    summary="The page of a preview link (no login; the link is the credential)",
    responses={
        200: {"content": {"text/html": {}}, "description": "The previewed page"},
        401: {"description": "PREVIEW_TOKEN_INVALID: the signature is wrong"},
        404: {"description": "PREVIEW_NOT_FOUND: no such preview"},
        410: {"description": "PREVIEW_EXPIRED: the link has expired"},
    },
)
async def preview_page(
    request: Request,
    services: Services,
    token: Annotated[str, Path(max_length=200, description="The token of the preview link")],
    sig: Annotated[str, Query(max_length=200, description="The link's signature")] = "",
) -> Response:
    try:
        html = await run_in_threadpool(
            previews.render_preview,
            services.read_uow(),
            services.clock,
            services.publishing,
            services.preview_signer,
            token,
            sig,
        )
    except MastheadError as error:
        status = status_for(error)
        if "text/html" not in request.headers.get("accept", ""):
            response = render_native_error(error, status)
        else:
            page = Renderer(None).render_message(status, native_code(error), error.message)
            response = HTMLResponse(page, status_code=status)
        response.headers.update(PREVIEW_HEADERS)
        return response
    return HTMLResponse(html, headers=PREVIEW_HEADERS)
