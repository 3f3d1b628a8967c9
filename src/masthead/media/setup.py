"""Builds the media context (blob store, image processor, policy) from settings: the one
place the CLI and the app wire the media backends."""

from __future__ import annotations

import threading

from masthead.core.blobs import BlobStore
from masthead.core.media import MediaPolicy, MediaUrls
from masthead.core.ports import Clock
from masthead.core.security import UrlSigner
from masthead.core.services.media_store import MediaContext
from masthead.core.transforms import parse_variants
from masthead.media.images import PillowImages
from masthead.media.local import LocalBlobStore
from masthead.settings import Settings


def build_blob_store(settings: Settings) -> BlobStore:
    if settings.media_backend == "s3":
        from masthead.media.s3 import S3BlobStore  # boto3 loads only when configured

        if settings.s3_bucket is None:  # pragma: no cover - Settings refuses this
            raise ValueError("MASTHEAD_S3_BUCKET is required")
        return S3BlobStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
        )
    return LocalBlobStore(settings.effective_media_dir)


def media_policy(settings: Settings) -> MediaPolicy:
    return MediaPolicy(
        allowed_types=settings.media_allowed_type_list,
        max_bytes=settings.media_max_bytes,
        variants=parse_variants(settings.media_variants),
        upload_ttl_seconds=settings.media_upload_ttl_seconds,
        max_renditions=settings.media_max_renditions,
    )


def build_media_context(
    settings: Settings, clock: Clock, blobs: BlobStore | None = None
) -> MediaContext:
    return MediaContext(
        blobs=blobs or build_blob_store(settings),
        images=PillowImages(max_pixels=settings.media_max_image_pixels),
        policy=media_policy(settings),
        clock=clock,
        signer=UrlSigner(settings.signing_key().encode()),
        render_slots=threading.BoundedSemaphore(settings.media_concurrent_renders),
    )


def media_urls(settings: Settings) -> MediaUrls:
    return MediaUrls(base=(settings.media_base_url or "/media").rstrip("/"))
