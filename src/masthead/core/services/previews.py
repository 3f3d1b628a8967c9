"""Preview links: issue one for a document, and render what it shows.

A preview shows the document's working copy laid out inside the active release's site (its
menus; the space's templates), rendered when the link is opened, never stored.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

import orjson

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.blobs import BlobNotFound
from masthead.core.errors import DocumentNotFound
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.previews import (
    DEFAULT_TTL,
    PURPOSE,
    IssuedPreview,
    PreviewExpired,
    PreviewLink,
    PreviewNotFound,
    PreviewTokenInvalid,
)
from masthead.core.security import UrlSigner, hash_secret
from masthead.core.services.publishing import actor_key
from masthead.core.services.release_builder import PublishDeps
from masthead.core.services.site_pages import (
    document_route,
    media_ids,
    media_url_map,
    page_for,
    site_for,
)


def issue_preview(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    signer: UrlSigner,
    document_id: UUID,
    ttl: timedelta = DEFAULT_TTL,
) -> IssuedPreview:
    """A signed link to the document's working copy. Raises AuthRequired, Forbidden,
    DocumentNotFound."""
    access.require(actor, Permission.READ)
    now = clock()
    token = secrets.token_urlsafe(24)
    expires_at = now + ttl
    with uow:
        document = uow.documents.get(actor.space_id, document_id)
        active = uow.releases.active(actor.space_id)
        uow.previews.add(
            PreviewLink(
                token_hash=hash_secret(token),
                space_id=actor.space_id,
                document_id=document.id,
                expires_at=expires_at,
                created_by=actor_key(actor),
                created_at=now,
            )
        )
        uow.commit()
    signature = signer.sign(PURPOSE, token, int(expires_at.timestamp()))
    base = str(active.release.id) if active else "none"
    return IssuedPreview(
        url=f"/preview/{token}?sig={signature}",
        expires_at=expires_at,
        release_like_ref=f"preview:{base}+{document.id}@{document.version}",
    )


def render_preview(
    uow: UnitOfWork, clock: Clock, deps: PublishDeps, signer: UrlSigner, token: str, sig: str
) -> str:
    """The preview page of a link. Raises PreviewNotFound (unknown token, or its document is
    gone), PreviewTokenInvalid (wrong signature), PreviewExpired."""
    with uow:
        link = uow.previews.find(hash_secret(token))
        if link is None:
            raise PreviewNotFound()
        if not signer.is_valid(PURPOSE, token, int(link.expires_at.timestamp()), sig):
            raise PreviewTokenInvalid()
        if clock() >= link.expires_at:
            raise PreviewExpired()
        try:
            document = uow.documents.get(link.space_id, link.document_id)
        except DocumentNotFound:
            raise PreviewNotFound("The document of this preview no longer exists") from None
        space = uow.spaces.get(link.space_id)
        content_type = uow.content_types.find(space.id, document.type)
        if content_type is None:
            raise PreviewNotFound("The type of this preview's document no longer exists")
        active = uow.releases.active(space.id)
        urls = media_url_map(
            uow,
            space.id,
            media_ids(content_type, [document]),
            deps.media_urls,
            deps.site_url,
        )
    menus = _release_menus(deps, active.release.manifest_sha256) if active else {}
    route = document_route(content_type, document) or f"/preview/{document.id}"
    page = page_for(content_type, document, route, urls)
    site = site_for(space, deps.site_url, menus)
    return deps.renderer_for(space.slug).render_page(site, page, preview=True)


def _release_menus(deps: PublishDeps, manifest_sha256: str) -> dict[str, Any]:
    try:
        with deps.blobs.open(manifest_sha256) as stream:
            manifest = orjson.loads(stream.read())
    except BlobNotFound:
        return {}
    menus = manifest.get("menus")
    return menus if isinstance(menus, dict) else {}
