"""Settings: the only reader of MASTHEAD_* environment variables.

Built once by an entrypoint (CLI, tests) and passed down; nothing else reads the environment.
Defaults are the embedded mode: SQLite and a media directory under ``./var``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from masthead.ratelimit import validate_limit

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


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
    workers: int = Field(1, ge=1, description="Server processes started by `masthead serve`.")
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

    @field_validator("rate_limit", "login_rate_limit")
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        return validate_limit(value)

    @model_validator(mode="after")
    def _secret_in_production(self) -> Settings:
        if self.env == "production" and not self.secret_key:
            raise ValueError("MASTHEAD_SECRET_KEY must be set when MASTHEAD_ENV=production")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ValueError("MASTHEAD_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'masthead.db').resolve()}"

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
