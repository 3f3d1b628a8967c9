"""/health pings the database; checks that arrive together share one ping."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from masthead.api.context import DatabaseProbe
from tests.statements import pings, recorded_statements

pytestmark = pytest.mark.anyio


async def test_concurrent_health_checks_share_a_ping(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    with recorded_statements(app.state.services.database.engine) as statements:
        answers = await asyncio.gather(*(client.get("/health") for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    assert all(a.json() == {"status": "ok"} for a in answers)
    assert 1 <= len(pings(statements)) < 20


async def test_health_answers_after_a_failed_ping(client: httpx.AsyncClient, app: FastAPI) -> None:
    """A ping that fails is not kept: the next check pings again."""
    engine = app.state.services.database.engine

    def fail(*args: object) -> None:
        if str(args[2]).strip().upper() == "SELECT 1":
            raise RuntimeError("database gone")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        failed = await client.get("/health")
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert failed.status_code == 500
    assert (await client.get("/health")).status_code == 200


async def test_a_successful_ping_is_reused_for_its_max_age_only(app: FastAPI) -> None:
    engine = app.state.services.database.engine
    probe = DatabaseProbe(engine, max_age=0.2)
    with recorded_statements(engine) as statements:
        await probe.check()
        await probe.check()
        assert len(pings(statements)) == 1  # the first one's answer, still fresh
        await asyncio.sleep(0.25)
        await probe.check()
        assert len(pings(statements)) == 2
