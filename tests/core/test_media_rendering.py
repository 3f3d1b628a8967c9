"""On-request renders are bounded per process: a burst of new sizes queues, and a caller that
cannot get a slot in time is told to retry instead of piling onto the CPU."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from masthead.core.errors import RateLimited
from masthead.core.services import media_store
from masthead.core.transforms import TransformSpec
from masthead.media.setup import build_media_context
from masthead.settings import Settings


def test_a_render_waits_for_a_free_slot_and_gives_up_with_rate_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40, media_concurrent_renders=1)
    context = build_media_context(settings, lambda: datetime.now(UTC))
    rendered: list[str] = []
    monkeypatch.setattr(media_store, "render", lambda ctx, sha, spec: rendered.append(sha))
    monkeypatch.setattr(media_store, "RENDER_WAIT_SECONDS", 0.05)

    assert context.render_slots.acquire()  # the one slot is busy
    try:
        with pytest.raises(RateLimited):
            media_store.render_bounded(context, "a" * 64, TransformSpec(width=10))
    finally:
        context.render_slots.release()

    media_store.render_bounded(context, "b" * 64, TransformSpec(width=10))
    assert rendered == ["b" * 64]
    assert context.render_slots.acquire(blocking=False)  # the slot was given back
    context.render_slots.release()


def test_the_slot_is_released_when_a_render_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40, media_concurrent_renders=1)
    context = build_media_context(settings, lambda: datetime.now(UTC))

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(media_store, "render", broken)
    with pytest.raises(OSError, match="disk full"):
        media_store.render_bounded(context, "c" * 64, TransformSpec(width=10))
    assert context.render_slots.acquire(blocking=False)
    context.render_slots.release()
