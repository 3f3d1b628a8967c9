"""Blobs in a local directory: the embedded default.

Layout under ``root``: ``blobs/ab/<sha256>`` for stored blobs, ``tmp/`` for everything still
being written. A write goes to a fresh file in ``tmp/``, is fsync'd, and only then
``os.replace``d to its final name, so a crash leaves at worst a stray temp file (swept by
``sweep_temp``), never a half file at a final path. Knows nothing of assets or HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from masthead.core.blobs import (
    BlobNotFound,
    RangeReader,
    StoredBlob,
    blob_key,
    check_older_than,
    check_sha256,
    check_temp_key,
    iter_chunks,
    verify_arrived,
)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._blobs = self.root / "blobs"
        self._tmp = self.root / "tmp"
        self._blobs.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)

    # --- stored blobs -------------------------------------------------------------------------

    def put(self, data: BinaryIO | bytes, *, content_type: str) -> StoredBlob:
        staged, sha256, size = self._write_temp(data)
        self._move_into_place(staged, sha256)
        return StoredBlob(sha256=sha256, size=size, content_type=content_type)

    def put_many(self, items: Sequence[tuple[bytes, str]]) -> list[StoredBlob]:
        """Write every new file to a temp file, make them all durable with one ``sync``
        (instead of an fsync each: a release writes thousands), then rename them into
        place: a final name never points at bytes that are not on disk yet."""
        stored: list[StoredBlob] = []
        staged: dict[str, Path] = {}
        try:
            for data, content_type in items:
                sha256 = hashlib.sha256(data).hexdigest()
                stored.append(StoredBlob(sha256=sha256, size=len(data), content_type=content_type))
                if sha256 in staged or self._path(sha256).is_file():
                    continue
                path = self._new_temp_path()
                with path.open("xb") as out:
                    out.write(data)
                staged[sha256] = path
            if staged:
                os.sync()
            parents: set[Path] = set()
            for sha256 in list(staged):
                final = self._path(sha256)
                if not final.parent.is_dir():
                    final.parent.mkdir(exist_ok=True)
                    parents.add(self._blobs)
                os.replace(staged.pop(sha256), final)
                parents.add(final.parent)
            for parent in parents:
                _fsync_dir(parent)
        finally:
            for path in staged.values():
                path.unlink(missing_ok=True)
        return stored

    def open(self, sha256: str, byte_range: tuple[int, int] | None = None) -> BinaryIO:
        try:
            stream = self._path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {sha256}") from None
        if byte_range is None:
            return stream
        start, end = byte_range
        stream.seek(start)
        return io.BufferedReader(RangeReader(stream, end - start + 1))

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self._path(sha256).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {sha256}") from None

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    # --- direct uploads -----------------------------------------------------------------------

    def put_temp_key(self, temp_key: str, data: BinaryIO | bytes) -> int:
        target = self._temp_path(temp_key)
        staged, _, size = self._write_temp(data)
        os.replace(staged, target)
        return size

    def upload_url(self, key: str, *, expires_in: int, content_type: str) -> str | None:
        check_temp_key(key)
        return None  # clients PUT to Masthead's own signed endpoint, which calls put_temp_key

    def promote(
        self,
        temp_key: str,
        *,
        content_type: str,
        expected_size: int | None = None,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        source = self._temp_path(temp_key)
        if expected_sha256 is not None:
            check_sha256(expected_sha256)
        # Claim the upload first: once renamed, a second PUT to the same temp key creates a new
        # file and cannot change the bytes between hashing and moving them into place.
        claimed = self._new_temp_path()
        try:
            os.replace(source, claimed)
        except FileNotFoundError:
            raise BlobNotFound(f"nothing was uploaded to {temp_key}") from None
        try:
            os.utime(claimed)  # a sweep running now must not take it mid-promote
            digest, size = hashlib.sha256(), 0
            with claimed.open("rb") as stream:
                for chunk in iter_chunks(stream):
                    digest.update(chunk)
                    size += len(chunk)
            sha256 = digest.hexdigest()
            verify_arrived(
                sha256, size, expected_sha256=expected_sha256, expected_size=expected_size
            )
        except BaseException:
            claimed.unlink(missing_ok=True)
            raise
        self._move_into_place(claimed, sha256)
        return StoredBlob(sha256=sha256, size=size, content_type=content_type)

    def sweep_temp(self, older_than: datetime) -> int:
        cutoff = check_older_than(older_than).timestamp()
        removed = 0
        for entry in os.scandir(self._tmp):
            with contextlib.suppress(FileNotFoundError):  # a promote or put took it meanwhile
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
        return removed

    # --- internals ----------------------------------------------------------------------------

    def _path(self, sha256: str) -> Path:
        return self._blobs / blob_key(sha256)

    def _temp_path(self, temp_key: str) -> Path:
        return self.root / check_temp_key(temp_key)

    def _new_temp_path(self) -> Path:
        return self._tmp / str(uuid.uuid4())

    def _write_temp(self, data: BinaryIO | bytes) -> tuple[Path, str, int]:
        """Stream ``data`` to a fresh, fsync'd temp file; its path, SHA-256 and size."""
        staged = self._new_temp_path()
        digest, size = hashlib.sha256(), 0
        try:
            with staged.open("xb") as out:
                for chunk in iter_chunks(data):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return staged, digest.hexdigest(), size

    def _move_into_place(self, staged: Path, sha256: str) -> None:
        """Rename a complete temp file to the blob's final path, or drop it: already stored."""
        final = self._path(sha256)
        if final.is_file():
            staged.unlink(missing_ok=True)
            return
        if not final.parent.is_dir():
            final.parent.mkdir(exist_ok=True)
            _fsync_dir(self._blobs)
        try:
            os.replace(staged, final)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: without it a crash may forget the new name (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
