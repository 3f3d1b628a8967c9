"""The blob store the media library needs: bytes addressed by their SHA-256.

Owns the ``BlobStore`` protocol, what ``put``/``promote`` return, the two blob errors and the
rules for the names a backend may build keys and paths from. Backends live in ``media/``
(local directory, S3) and pass one contract test; nothing here performs I/O.

Every hash and temp key is checked here before a backend turns it into a key or a path, so
nothing a client sends ever becomes one unchecked.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol

from masthead.core.errors import Invalid, NotFound

CHUNK_SIZE = 1024 * 1024
"""How much a backend reads at a time: memory stays bounded whatever the blob's size."""

TEMP_PREFIX = "tmp/"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEMP_KEY = re.compile(r"tmp/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


class BlobNotFound(NotFound):
    default_message = "Blob not found"


class BlobMismatch(Invalid):
    """The bytes that arrived are not the ones the client declared (size or hash)."""

    default_message = "The uploaded bytes do not match the declared size or hash"


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    content_type: str


class BlobStore(Protocol):
    """Content-addressed bytes. A blob appears at its final key complete or not at all."""

    def put(self, data: BinaryIO | bytes, *, content_type: str) -> StoredBlob:
        """Stream to a temp key, hash while writing, then move into place; stored once per hash."""
        ...

    def put_many(self, items: Sequence[tuple[bytes, str]]) -> list[StoredBlob]:
        """Store many small in-memory files ((bytes, content type) each) at once, as ``put``
        would, in order; faster where a store can make a batch durable together. Each blob
        still appears complete or not at all."""
        ...

    def open(self, sha256: str, byte_range: tuple[int, int] | None = None) -> BinaryIO:
        """A readable stream of the blob, or of bytes ``start..end`` (inclusive) of it; the
        caller closes it. Raises BlobNotFound, ValueError."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored. Raises ValueError on a malformed hash."""
        ...

    def size(self, sha256: str) -> int:
        """The blob's size in bytes. Raises BlobNotFound, ValueError."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the blob; removing a missing one is not an error. Raises ValueError."""
        ...

    def put_temp_key(self, temp_key: str, data: BinaryIO | bytes) -> int:
        """Write a direct upload to ``temp_key`` (replacing it), return its size; for promote."""
        ...

    def upload_url(self, key: str, *, expires_in: int, content_type: str) -> str | None:
        """A presigned PUT URL for temp ``key``, or None: the client PUTs to Masthead instead."""
        ...

    def promote(
        self,
        temp_key: str,
        *,
        content_type: str,
        expected_size: int | None = None,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        """Hash what arrived at ``temp_key``, move it into place, drop the temp object.

        Raises BlobNotFound (nothing arrived) and BlobMismatch (wrong size or hash: the temp
        object is deleted too, so a refused upload leaves nothing behind).
        """
        ...

    def sweep_temp(self, older_than: datetime) -> int:
        """Delete temp objects (abandoned uploads) last written before ``older_than``; count."""
        ...


def new_temp_key() -> str:
    """A fresh, unguessable temp key for one direct upload."""
    return f"{TEMP_PREFIX}{uuid.uuid4()}"


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def check_sha256(value: str) -> str:
    """``value`` if it is 64 lowercase hex digits; ValueError otherwise."""
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValueError(f"not a SHA-256 hex digest: {value!r}")
    return value


def check_temp_key(value: str) -> str:
    """``value`` if it is a key ``new_temp_key`` could have made; ValueError otherwise."""
    if not isinstance(value, str) or not _TEMP_KEY.fullmatch(value):
        raise ValueError(f"not a temp key: {value!r}")
    return value


def blob_key(sha256: str) -> str:
    """The content-addressed key of a blob: ``<sha256[:2]>/<sha256>``."""
    return f"{check_sha256(sha256)[:2]}/{sha256}"


def check_older_than(older_than: datetime) -> datetime:
    """Sweep cut-offs must be timezone-aware: file and object times are absolute instants."""
    if older_than.tzinfo is None:
        raise ValueError("older_than must be timezone-aware")
    return older_than


def verify_arrived(
    sha256: str, size: int, *, expected_sha256: str | None, expected_size: int | None
) -> None:
    """Raise BlobMismatch unless what arrived matches what the client declared."""
    if expected_size is not None and size != expected_size:
        raise BlobMismatch(f"expected {expected_size} bytes, received {size}")
    if expected_sha256 is not None and sha256 != check_sha256(expected_sha256):
        raise BlobMismatch("the received bytes do not have the declared SHA-256")


class RangeReader(io.RawIOBase):
    """At most ``length`` bytes of ``stream`` from where it stands (a ranged local read)."""

    def __init__(self, stream: BinaryIO, length: int):
        self._stream, self._left = stream, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        count = self._stream.readinto(view)  # type: ignore[attr-defined]
        self._left -= count or 0
        return count or 0

    def close(self) -> None:
        self._stream.close()
        super().close()


def iter_chunks(data: BinaryIO | bytes, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """``data`` in pieces of at most ``chunk_size`` bytes, never all of a stream at once."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
        return
    while chunk := data.read(chunk_size):
        yield chunk
