"""ASGI entry for servers: ``uvicorn --factory masthead.api.asgi:app_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from masthead.api.app import create_app
from masthead.logs import configure_logging
from masthead.settings import Settings


def app_from_env() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
