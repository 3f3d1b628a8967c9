"""One contract for every BlobStore: the local directory and S3 (a real moto server).

The S3 backend talks HTTP to ``moto_server`` started on 127.0.0.1 for the session, with a
fresh bucket per test; nothing in boto3 is patched. Each backend also exposes what it holds
(temp objects, in-progress multipart uploads, stored blobs), so the tests can check that a
failed or refused write leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from masthead.core.blobs import (
    CHUNK_SIZE,
    TEMP_PREFIX,
    BlobMismatch,
    BlobNotFound,
    BlobStore,
    check_temp_key,
    new_temp_key,
)
from masthead.media.local import LocalBlobStore
from masthead.media.s3 import MIN_PART_SIZE, S3BlobStore
from tests.media_fixtures import KEY_ID, REGION, SECRET

PREFIX = "media"
LARGE = 5 * 1024 * 1024
MULTI_PART = MIN_PART_SIZE + 1024 * 1024  # two parts with the S3 store's smallest part size


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class GeneratedStream(io.RawIOBase):
    """``size`` deterministic bytes made on demand (never all in memory); optionally raises
    once ``fail_after`` bytes have been read, like a client that drops the connection."""

    _PERIOD = 251
    _PATTERN = bytes(range(_PERIOD)) * (CHUNK_SIZE // _PERIOD + 2)

    def __init__(self, size: int, *, fail_after: int | None = None) -> None:
        self.size = size
        self.position = 0
        self.fail_after = fail_after
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # all of it at once: what the memory test must catch
            return b"".join(iter(lambda: self.read(CHUNK_SIZE), b""))
        self.largest_read = max(self.largest_read, size)
        # At most one pattern slice: short reads are legal, a reader must go on until b"".
        n = min(size, self.size - self.position, len(self._PATTERN) - self._PERIOD)
        if self.fail_after is not None and self.position + n > self.fail_after:
            raise ConnectionResetError("the client went away")
        start = self.position % self._PERIOD
        self.position += n
        return self._PATTERN[start : start + n]

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    @classmethod
    def digest(cls, size: int) -> str:
        digest, stream = hashlib.sha256(), cls(size)
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
        return digest.hexdigest()


# --- backends -----------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    store: BlobStore
    temp_objects: Callable[[], list[str]]
    """Temp objects, plus (S3) multipart uploads still in progress."""
    stored_objects: Callable[[], list[str]]
    """Everything else the backend holds."""


def _local_backend(root: Path) -> Backend:
    store = LocalBlobStore(root)

    def files(under: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in under.rglob("*") if p.is_file())

    return Backend(
        "local",
        store,
        temp_objects=lambda: files(root / "tmp"),
        stored_objects=lambda: files(root / "blobs"),
    )


def _s3_backend(request: pytest.FixtureRequest) -> Backend:
    endpoint: str = request.getfixturevalue("s3_endpoint")
    client = request.getfixturevalue("s3_client")
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    store = S3BlobStore(
        bucket,
        endpoint_url=endpoint,
        region=REGION,
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        prefix=PREFIX,
        part_size=MIN_PART_SIZE,
        session=request.getfixturevalue("boto_session"),
    )

    def keys() -> list[str]:
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))

    def temp_objects() -> list[str]:
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        in_progress = [f"multipart:{u['Key']}" for u in uploads]
        return [k for k in keys() if k.startswith(f"{PREFIX}/{TEMP_PREFIX}")] + in_progress

    def stored_objects() -> list[str]:
        return [k for k in keys() if not k.startswith(f"{PREFIX}/{TEMP_PREFIX}")]

    return Backend("s3", store, temp_objects=temp_objects, stored_objects=stored_objects)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return _local_backend(tmp_path / "media")
    return _s3_backend(request)


@pytest.fixture
def s3(request: pytest.FixtureRequest) -> Backend:
    return _s3_backend(request)


# --- put, open, exists, size, delete ------------------------------------------------------------


@pytest.mark.parametrize("as_stream", [False, True], ids=["bytes", "stream"])
def test_put_returns_the_sha256_size_and_content_type(backend: Backend, as_stream: bool) -> None:
    data = b"hello, masthead"
    blob = backend.store.put(io.BytesIO(data) if as_stream else data, content_type="text/plain")
    assert (blob.sha256, blob.size, blob.content_type) == (sha256_of(data), len(data), "text/plain")
    assert backend.store.exists(blob.sha256)
    assert backend.temp_objects() == []


def test_the_blob_sits_at_its_content_addressed_key(backend: Backend) -> None:
    blob = backend.store.put(b"addressed", content_type="text/plain")
    expected = f"{blob.sha256[:2]}/{blob.sha256}"
    assert backend.stored_objects() == [
        f"blobs/{expected}" if backend.name == "local" else f"{PREFIX}/{expected}"
    ]


def test_put_many_stores_each_file_once_and_leaves_no_temp_files(backend: Backend) -> None:
    backend.store.put(b"already there", content_type="text/plain")
    items = [
        (b"<p>one</p>", "text/html"),
        (b"{}", "application/json"),
        (b"<p>one</p>", "text/html"),  # the same bytes twice in one batch
        (b"already there", "text/plain"),
    ]
    stored = backend.store.put_many(items)
    assert [(b.sha256, b.size, b.content_type) for b in stored] == [
        (sha256_of(data), len(data), content_type) for data, content_type in items
    ]
    for data, _ in items:
        with backend.store.open(sha256_of(data)) as stream:
            assert stream.read() == data
    assert len(backend.stored_objects()) == 3
    assert backend.temp_objects() == []


def test_the_same_bytes_put_twice_are_stored_once(backend: Backend) -> None:
    first = backend.store.put(b"same bytes", content_type="text/plain")
    second = backend.store.put(io.BytesIO(b"same bytes"), content_type="text/markdown")
    assert first.sha256 == second.sha256
    assert len(backend.stored_objects()) == 1
    assert backend.temp_objects() == []


def test_open_returns_the_bytes(backend: Backend) -> None:
    data = bytes(range(256)) * 64
    blob = backend.store.put(data, content_type="application/octet-stream")
    with backend.store.open(blob.sha256) as stream:
        assert stream.read() == data


def test_an_empty_blob_can_be_stored(backend: Backend) -> None:
    blob = backend.store.put(b"", content_type="text/plain")
    assert (blob.sha256, blob.size) == (sha256_of(b""), 0)
    assert backend.store.size(blob.sha256) == 0


def test_exists_size_and_delete(backend: Backend) -> None:
    blob = backend.store.put(b"12345", content_type="text/plain")
    assert backend.store.exists(blob.sha256)
    assert backend.store.size(blob.sha256) == 5
    backend.store.delete(blob.sha256)
    assert not backend.store.exists(blob.sha256)
    assert backend.stored_objects() == []
    backend.store.delete(blob.sha256)  # idempotent
    with pytest.raises(BlobNotFound):
        backend.store.size(blob.sha256)


def test_open_of_a_missing_hash_raises_blob_not_found(backend: Backend) -> None:
    with pytest.raises(BlobNotFound):
        backend.store.open(sha256_of(b"never stored"))


MALFORMED_HASHES = [
    "",
    "abc",
    "A" * 64,  # upper case: a second spelling of one hash would be a second key
    "0" * 63,
    "0" * 65,
    "g" * 64,
    "../../../../etc/passwd",
    "00/" + "0" * 61,
    "0" * 62 + "/.",
]


@pytest.mark.parametrize("sha256", MALFORMED_HASHES)
@pytest.mark.parametrize("method", ["open", "exists", "size", "delete"])
def test_a_malformed_hash_raises_value_error(backend: Backend, method: str, sha256: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        getattr(backend.store, method)(sha256)


A_UUID = "3f0c5a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"  # fixed: xdist workers must collect equal ids
MALFORMED_TEMP_KEYS = [
    "",
    "tmp/",
    "tmp/../blobs/x",
    f"../tmp/{A_UUID}",
    f"tmp/{A_UUID}/x",
    f"tmp/{A_UUID.upper()}",
    f"tmp/{A_UUID.replace('-', '')}",
    "blobs/" + "0" * 64,
    "0" * 2 + "/" + "0" * 64,
]


@pytest.mark.parametrize("key", MALFORMED_TEMP_KEYS)
def test_a_malformed_temp_key_raises_value_error(backend: Backend, key: str) -> None:
    with pytest.raises(ValueError, match="temp key"):
        backend.store.promote(key, content_type="text/plain")
    with pytest.raises(ValueError, match="temp key"):
        backend.store.put_temp_key(key, b"x")
    with pytest.raises(ValueError, match="temp key"):
        backend.store.upload_url(key, expires_in=60, content_type="text/plain")
    assert backend.temp_objects() == backend.stored_objects() == []


def test_new_temp_keys_are_valid_and_distinct() -> None:
    assert check_temp_key(f"tmp/{A_UUID}") == f"tmp/{A_UUID}"
    keys = {new_temp_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(check_temp_key(k) == k for k in keys)


# --- large and failing writes -------------------------------------------------------------------


def test_a_stream_longer_than_one_part_is_stored_and_deduplicated(backend: Backend) -> None:
    expected = GeneratedStream.digest(MULTI_PART)
    blob = backend.store.put(GeneratedStream(MULTI_PART), content_type="video/mp4")
    assert (blob.sha256, blob.size) == (expected, MULTI_PART)
    assert backend.store.put(GeneratedStream(MULTI_PART), content_type="video/mp4") == blob
    assert len(backend.stored_objects()) == 1
    assert backend.temp_objects() == []
    assert backend.store.size(blob.sha256) == MULTI_PART
    digest = hashlib.sha256()
    with backend.store.open(blob.sha256) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    assert digest.hexdigest() == expected


def test_local_put_of_a_large_stream_reads_it_in_chunks(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    stream = GeneratedStream(LARGE)
    tracemalloc.start()
    try:
        blob = store.put(stream, content_type="application/octet-stream")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (blob.sha256, blob.size) == (GeneratedStream.digest(LARGE), LARGE)
    assert stream.largest_read <= CHUNK_SIZE
    assert peak < 3 * CHUNK_SIZE, f"put held {peak} bytes at once for a {LARGE}-byte stream"


@pytest.mark.parametrize(
    "fail_after", [100_000, MULTI_PART - 1024], ids=["in-first-part", "after-a-part"]
)
def test_a_failed_put_leaves_nothing_behind(backend: Backend, fail_after: int) -> None:
    with pytest.raises(ConnectionResetError):
        backend.store.put(
            GeneratedStream(MULTI_PART, fail_after=fail_after), content_type="video/mp4"
        )
    assert backend.stored_objects() == []
    assert backend.temp_objects() == []


def test_a_failed_temp_upload_leaves_nothing_at_the_temp_key(backend: Backend) -> None:
    key = new_temp_key()
    with pytest.raises(ConnectionResetError):
        backend.store.put_temp_key(key, GeneratedStream(MULTI_PART, fail_after=MULTI_PART - 1))
    assert backend.temp_objects() == []
    with pytest.raises(BlobNotFound):
        backend.store.promote(key, content_type="video/mp4")


# --- direct upload: temp key, promote, sweep ----------------------------------------------------


def test_promote_verifies_the_bytes_moves_them_and_removes_the_temp_object(
    backend: Backend,
) -> None:
    data = b"uploaded directly"
    key = new_temp_key()
    assert backend.store.put_temp_key(key, data) == len(data)
    assert len(backend.temp_objects()) == 1
    blob = backend.store.promote(
        key, content_type="text/plain", expected_size=len(data), expected_sha256=sha256_of(data)
    )
    assert (blob.sha256, blob.size, blob.content_type) == (sha256_of(data), len(data), "text/plain")
    with backend.store.open(blob.sha256) as stream:
        assert stream.read() == data
    assert backend.temp_objects() == []
    with pytest.raises(BlobNotFound):  # promoted once: the temp key is gone
        backend.store.promote(key, content_type="text/plain")


def test_promote_of_bytes_already_stored_keeps_one_copy(backend: Backend) -> None:
    stored = backend.store.put(b"twice", content_type="text/plain")
    key = new_temp_key()
    backend.store.put_temp_key(key, b"twice")
    assert backend.store.promote(key, content_type="text/plain") == stored
    assert len(backend.stored_objects()) == 1
    assert backend.temp_objects() == []


@pytest.mark.parametrize(
    "declared",
    [{"expected_size": 3}, {"expected_sha256": sha256_of(b"other bytes")}],
    ids=["size", "sha256"],
)
def test_promote_refuses_a_mismatch_and_leaves_nothing(
    backend: Backend, declared: dict[str, Any]
) -> None:
    key = new_temp_key()
    backend.store.put_temp_key(key, b"what actually arrived")
    with pytest.raises(BlobMismatch):
        backend.store.promote(key, content_type="text/plain", **declared)
    assert backend.stored_objects() == []
    assert backend.temp_objects() == []


def test_promote_of_a_missing_temp_key_raises_blob_not_found(backend: Backend) -> None:
    with pytest.raises(BlobNotFound):
        backend.store.promote(new_temp_key(), content_type="text/plain")
    assert backend.temp_objects() == backend.stored_objects() == []


def test_promote_checks_the_declared_hash_format_first(backend: Backend) -> None:
    key = new_temp_key()
    backend.store.put_temp_key(key, b"bytes")
    with pytest.raises(ValueError, match="SHA-256"):
        backend.store.promote(key, content_type="text/plain", expected_sha256="../x")
    assert len(backend.temp_objects()) == 1  # nothing was consumed: the client may retry


def _whole_second_after(seconds_of_margin: float = 0.05) -> datetime:
    """A cut-off on a whole second (S3 may store times to the second) that is already past
    by a margin (file times come from a coarse kernel clock)."""
    now = datetime.now(UTC)
    cutoff = now.replace(microsecond=0)
    if (now - cutoff).total_seconds() < seconds_of_margin:
        time.sleep(seconds_of_margin)
    return cutoff


def test_sweep_temp_removes_only_old_temp_objects(backend: Backend) -> None:
    stored = backend.store.put(b"a stored blob", content_type="text/plain")
    old_key = new_temp_key()
    backend.store.put_temp_key(old_key, b"abandoned upload")
    time.sleep(1.1)
    cutoff = _whole_second_after()
    new_key = new_temp_key()
    backend.store.put_temp_key(new_key, b"upload in progress")

    assert backend.store.sweep_temp(cutoff - timedelta(hours=1)) == 0
    assert backend.store.sweep_temp(cutoff) == 1
    assert len(backend.temp_objects()) == 1
    with pytest.raises(BlobNotFound):
        backend.store.promote(old_key, content_type="text/plain")
    assert backend.store.promote(new_key, content_type="text/plain").size == 18
    assert backend.store.sweep_temp(datetime.now(UTC) + timedelta(minutes=1)) == 0
    assert backend.store.exists(stored.sha256)


def test_sweep_temp_needs_an_aware_datetime(backend: Backend) -> None:
    with pytest.raises(ValueError, match="timezone"):
        backend.store.sweep_temp(datetime(2026, 1, 1))  # naive: the point of the test


# --- upload URLs --------------------------------------------------------------------------------


def test_local_upload_url_is_none_so_clients_use_mastheads_endpoint(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    assert store.upload_url(new_temp_key(), expires_in=600, content_type="image/png") is None


def test_s3_presigned_upload_url_accepts_a_put_that_promote_then_finds(s3: Backend) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    key = new_temp_key()
    url = s3.store.upload_url(key, expires_in=600, content_type="image/png")
    assert url is not None
    response = httpx.put(url, content=data, headers={"Content-Type": "image/png"})
    assert response.status_code == 200, response.text
    blob = s3.store.promote(
        key, content_type="image/png", expected_size=len(data), expected_sha256=sha256_of(data)
    )
    assert blob.sha256 == sha256_of(data)
    with s3.store.open(blob.sha256) as stream:
        assert stream.read() == data
    assert s3.temp_objects() == []


def test_s3_stores_the_content_type_on_the_object(s3: Backend, s3_client: Any) -> None:
    store = s3.store
    assert isinstance(store, S3BlobStore)
    small = store.put(b"small", content_type="text/plain")
    large = store.put(GeneratedStream(MULTI_PART), content_type="video/mp4")
    for blob in (small, large):
        head = s3_client.head_object(
            Bucket=store.bucket, Key=f"{PREFIX}/{blob.sha256[:2]}/{blob.sha256}"
        )
        assert head["ContentType"] == blob.content_type


def test_s3_sweep_aborts_stale_multipart_uploads(s3: Backend, s3_client: Any) -> None:
    store = s3.store
    assert isinstance(store, S3BlobStore)
    s3_client.create_multipart_upload(Bucket=store.bucket, Key=f"{PREFIX}/{new_temp_key()}")
    assert len(s3.temp_objects()) == 1
    assert store.sweep_temp(datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert s3.temp_objects() == []
