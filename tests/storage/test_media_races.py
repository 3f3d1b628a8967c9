"""Adding and removing users of one blob at the same time never leaves a ready asset without
its bytes: creation and removal take the same per-blob lock (SQLite: the write transaction;
PostgreSQL: an advisory lock), and the adder re-checks the blob under it."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

from PIL import Image

from masthead.core import access
from masthead.core.errors import Conflict
from masthead.core.media import MediaQuery
from masthead.core.services import media, uploads
from masthead.media.setup import build_media_context
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def test_uploads_racing_deletes_of_the_same_bytes_never_lose_a_ready_assets_blob(
    db: Database, settings: Settings, clock: FakeClock
) -> None:
    actor = access.system_actor(make_space(db, clock, "race"))
    context = build_media_context(settings, lambda: datetime.now(UTC))
    data = _png()
    first = uploads.upload_media(db.uow, context, actor, data, filename="seed.png")
    start = threading.Barrier(2)

    def upload(n: int) -> UUID | None:
        start.wait()
        try:
            return uploads.upload_media(db.uow, context, actor, data, filename=f"{n}.png").id
        except Conflict:  # the bytes were removed under us: refused, nothing half-stored
            return None

    def delete(media_id: UUID) -> None:
        start.wait()
        media.delete_media(db.uow, context, actor, media_id)

    victim = first.id
    refused = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(15):
            uploaded = pool.submit(upload, n)
            pool.submit(delete, victim).result()
            outcome = uploaded.result()
            if outcome is None:
                refused += 1
                outcome = uploads.upload_media(
                    db.uow, context, actor, data, filename="again.png"
                ).id
            victim = outcome

    with db.read_uow() as uow:
        ready, total = uow.media.query(actor.space_id, MediaQuery(limit=100))
    assert total == 1, (total, refused)  # each round's upload outlived the round's delete
    for asset in ready:
        assert asset.sha256 is not None
        assert context.blobs.exists(asset.sha256), asset
        with context.blobs.open(asset.sha256) as stream:
            assert stream.read() == data
