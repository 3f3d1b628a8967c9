"""Settings: the only reader of MASTHEAD_* environment variables.

Built once by an entrypoint (CLI, tests) and passed down; nothing else reads the environment.
Defaults are the embedded mode: SQLite and a media directory under ``./var``.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from masthead.core.transforms import parse_variants
from masthead.ratelimit import validate_limit

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
DEV_CORS_ORIGIN_REGEX = r"http://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?"
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+", re.IGNORECASE)


def _split(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASTHEAD_", extra="ignore")

    env: Literal["dev", "production"] = Field(
        "dev",
        description="`production` refuses to start without an explicit MASTHEAD_SECRET_KEY.",
    )
    data_dir: Path = Field(
        Path("var"), description="Where the SQLite database, media and generated secrets live."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Unset: SQLite at `<data_dir>/masthead.db`. "
        "`postgresql+psycopg://user:pass@host/db` switches to PostgreSQL.",
    )
    host: str = Field("127.0.0.1", description="Address the server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    workers: Annotated[int, Field(ge=1)] | Literal["auto"] = Field(
        "auto",
        description="Server processes started by `masthead serve`. `auto`: one per CPU when "
        "`MASTHEAD_REDIS_URL` is set (the processes share rate limits there), else one.",
    )
    forwarded_allow_ips: str | None = Field(
        None,
        description="Comma-separated addresses or networks of reverse proxies trusted to set "
        "`X-Forwarded-For`/`X-Forwarded-Proto` (`*`: any). Unset: the headers are ignored "
        "and the client address is the connection's peer.",
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs access tokens (HS256). Unset in dev: generated once and "
        "kept in `<data_dir>/secret_key`.",
    )
    admin_username: str = Field("admin", description="Admin created on first start.")
    admin_password: str | None = Field(
        None, description="Password of that admin; unset: generated and printed once."
    )
    access_token_ttl_seconds: int = Field(900, ge=30, description="Access-token lifetime.")
    refresh_token_ttl_seconds: int = Field(
        30 * 24 * 3600, ge=60, description="Refresh-token lifetime."
    )
    refresh_reuse_grace_seconds: int = Field(
        10,
        ge=0,
        le=300,
        description="For this long after a refresh token is rotated, presenting it again "
        "(two tabs refreshing at once) returns new tokens of the same session instead of "
        "revoking it as a reuse. 0: every second use revokes.",
    )
    redis_url: str | None = Field(
        None, description="Redis URL; when set, rate limits are shared by every process."
    )
    rate_limit: str = Field(
        "600/minute", description="General limit per client address, on every route."
    )
    login_rate_limit: str = Field(
        "10/minute", description="Login attempts per username and per client address."
    )
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest accepted JSON request body, in bytes."
    )
    log_level: str = Field("INFO", description="Log level of the request and app logs.")
    cors_origins: str | None = Field(
        None,
        description="Comma-separated browser origins (`https://app.example.com`, or `*` for "
        "any) that may call the API. Unset: none in production; in dev any "
        "`http://localhost[:port]` or `http://127.0.0.1[:port]`. Empty: none.",
    )

    # --- media ---------------------------------------------------------------------------------
    media_backend: Literal["local", "s3"] = Field(
        "local", description="Where media bytes live: `local` (a directory) or `s3`."
    )
    media_dir: Path | None = Field(
        None, description="Directory of the local backend. Unset: `<data_dir>/media`."
    )
    s3_bucket: str | None = Field(None, description="Bucket of the `s3` backend (required).")
    s3_endpoint_url: str | None = Field(
        None, description="Endpoint of an S3-compatible store (MinIO, R2...); unset: AWS."
    )
    s3_region: str | None = Field(None, description="Region of the bucket.")
    s3_access_key_id: str | None = Field(
        None, description="Access key; unset: boto3's usual credential chain."
    )
    s3_secret_access_key: str | None = Field(None, description="Secret key for that access key.")
    s3_prefix: str = Field("", description="Key prefix inside the bucket, to share one bucket.")
    media_base_url: str | None = Field(
        None,
        description="Base URL of media files (a CDN in front of `/media`). Unset: URLs are "
        "served by Masthead at `/media/<hash>/<filename>`.",
    )
    media_max_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Largest accepted media file, in bytes."
    )
    media_allowed_types: str = Field(
        "image/*,application/pdf,video/mp4,video/webm,video/quicktime,"
        "audio/mpeg,audio/mp4,audio/ogg,audio/wav,audio/flac",
        description="Comma-separated MIME types (`type/*` wildcards) accepted, checked "
        "against the type sniffed from the bytes.",
    )
    media_variants: str = Field(
        "thumb=320x320:cover,medium=1280x1280:inside",
        description="Renditions made on upload, `name=WxH:fit` (fit: cover or inside), WebP.",
    )
    media_max_image_pixels: int = Field(
        89_478_485,
        ge=1,
        description="Images with more pixels are refused as decompression bombs (Pillow's "
        "default limit).",
    )
    media_max_renditions: int = Field(
        50,
        ge=2,
        description="Distinct renditions (variants and ?w=&h=... transforms) one image may "
        "have; asking for more answers 422, so no caller can fill the disk with sizes.",
    )
    media_concurrent_renders: int = Field(
        2,
        ge=1,
        description="Images decoded at a time per process, for uploads (probe and variants) "
        "and transforms on request alike: each takes a core and up to about 5 bytes a pixel "
        "of the image, so this bounds upload memory (README, Media).",
    )
    media_upload_ttl_seconds: int = Field(
        3600, ge=60, description="How long an upload URL and its token stay valid."
    )
    trokky_base_path: str = Field(
        "/api",
        pattern=r"^(/[A-Za-z0-9._~-]+)+$",
        description="Path the Trokky API is served under (its documents' default base path).",
    )

    # --- publishing ----------------------------------------------------------------------------
    site_url: str | None = Field(
        None,
        description="Public URL of the published site, for canonical links, the sitemap and "
        "feeds in releases. Unset: `http://<host>:<port>`.",
    )
    templates_dir: Path | None = Field(
        None,
        description="Templates that override the default ones (`post.html`, `page.html`, "
        "`list.html`, `layout.html`); a subdirectory named after a space overrides for that "
        "space only. Unset: the defaults.",
    )
    freshness_seconds: float = Field(
        0.5,
        ge=0,
        le=60,
        description="How long a process may go without reading the generations its caches "
        "of actors and published answers are checked against. Its own writes are seen at once; "
        "another process's within this. 0: read them on every request.",
    )
    embedded_worker: bool = Field(
        True,
        description="Run publish jobs inside the server process. `false` when separate "
        "`masthead worker` processes run them.",
    )
    publish_wait_seconds: float = Field(
        10.0,
        ge=0,
        le=60,
        description="How long `POST /v1/publish` (and the apps API's `POST .../deployments`) "
        "waits for its job to finish: 201 with the finished job within it, else 202 with "
        "the job still queued or running.",
    )
    job_lease_seconds: int = Field(
        30,
        ge=2,
        le=3600,
        description="A running job's lease, renewed every third of it; a job whose worker "
        "died is taken over by another once its lease lapses.",
    )
    worker_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often an idle worker looks for due jobs."
    )
    preview_ttl_seconds: int = Field(
        3600, ge=60, le=7 * 24 * 3600, description="How long a preview link stays valid."
    )

    @field_validator("rate_limit", "login_rate_limit")
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        return validate_limit(value)

    @field_validator("cors_origins")
    @classmethod
    def _valid_origins(cls, value: str | None) -> str | None:
        for origin in _split(value or ""):
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme://host[:port], no path or trailing /"
                )
        return value

    @field_validator("media_variants")
    @classmethod
    def _valid_variants(cls, value: str) -> str:
        parse_variants(value)
        return value

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.media_backend == "s3" and not self.s3_bucket:
            raise ValueError("MASTHEAD_S3_BUCKET must be set when MASTHEAD_MEDIA_BACKEND=s3")
        return self

    @model_validator(mode="after")
    def _secret_in_production(self) -> Settings:
        if self.env == "production" and not self.secret_key:
            raise ValueError("MASTHEAD_SECRET_KEY must be set when MASTHEAD_ENV=production")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ValueError("MASTHEAD_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def effective_site_url(self) -> str:
        return (self.site_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def effective_workers(self) -> int:
        """Processes for `masthead serve`. Several answer about twice the reads of one on two
        cores (docs/benchmarks.md), but only Redis lets them share rate limits, so ``auto``
        starts several only with Redis."""
        if self.workers != "auto":
            return self.workers
        return (os.cpu_count() or 1) if self.redis_url else 1

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'masthead.db').resolve()}"

    @property
    def effective_media_dir(self) -> Path:
        return self.media_dir or self.data_dir / "media"

    @property
    def media_allowed_type_list(self) -> tuple[str, ...]:
        return tuple(t.strip().lower() for t in self.media_allowed_types.split(",") if t.strip())

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        """The origins allowed by name (``*``: every origin), lowercased as browsers send them."""
        return _split((self.cors_origins or "").lower())

    @property
    def cors_origin_regex(self) -> str | None:
        """Origins allowed by pattern: in dev, when no origin is configured, local ones."""
        if self.env == "dev" and self.cors_origins is None:
            return DEV_CORS_ORIGIN_REGEX
        return None

    @property
    def rate_limit_storage_uri(self) -> str:
        return self.redis_url or "memory://"

    def signing_key(self) -> str:
        """The configured secret key, or (dev only) one generated once under the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_KEY_FILE
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
