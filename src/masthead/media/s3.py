"""Blobs in an S3-compatible bucket, through boto3.

Keys under ``prefix``: ``ab/<sha256>`` for stored blobs, ``tmp/<uuid>`` for direct uploads and
large writes in progress. A blob reaches its final key in one atomic step: a single-part
``PutObject`` (S3 never shows half an object; the SHA-256 is sent along for S3 to check) or a
server-side copy from a complete temp object. A failed multipart write is aborted, so it
leaves no part behind. Knows nothing of assets or HTTP.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from masthead.core.blobs import (
    TEMP_PREFIX,
    BlobNotFound,
    StoredBlob,
    blob_key,
    check_older_than,
    check_sha256,
    check_temp_key,
    iter_chunks,
    new_temp_key,
    verify_arrived,
)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
_MISSING = {"404", "NoSuchKey", "NotFound"}
_TEMP_CONTENT_TYPE = "application/octet-stream"


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str | None,
        access_key_id: str | None,
        secret_access_key: str | None,
        prefix: str = "",
        part_size: int = 8 * 1024 * 1024,
        session: boto3.session.Session | None = None,
    ) -> None:
        """``session``: share one boto3 session between stores (tests); clients built from a
        fresh one take ~0.2 s to load their models."""
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self._part_size = part_size
        config = Config(
            signature_version="s3v4",
            # A custom endpoint (MinIO, R2, moto...) rarely has per-bucket DNS names.
            s3={"addressing_style": "path"} if endpoint_url else None,
            # botocore's default CRC32 checksums (1.36+) break several S3-compatible servers;
            # put() sends its own SHA-256 where it matters.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"mode": "standard"},
        )
        self._s3: Any = (session or boto3.session.Session()).client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )

    # --- stored blobs -------------------------------------------------------------------------

    def put(self, data: BinaryIO | bytes, *, content_type: str) -> StoredBlob:
        key, sha256, size = self._upload(None, data, content_type)
        if key != self._blob(sha256):
            self._move_into_place(key, sha256, content_type)
        return StoredBlob(sha256=sha256, size=size, content_type=content_type)

    def put_many(self, items: Sequence[tuple[bytes, str]]) -> list[StoredBlob]:
        """One PUT each (S3 has no batch write); each object appears whole or not at all."""
        return [self.put(data, content_type=content_type) for data, content_type in items]

    def open(self, sha256: str, byte_range: tuple[int, int] | None = None) -> BinaryIO:
        extra = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
        try:
            body: BinaryIO = self._s3.get_object(
                Bucket=self.bucket, Key=self._blob(sha256), **extra
            )["Body"]
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFound(f"no blob {sha256}") from None
            raise
        return body

    def exists(self, sha256: str) -> bool:
        return self._head(self._blob(sha256)) is not None

    def size(self, sha256: str) -> int:
        head = self._head(self._blob(sha256))
        if head is None:
            raise BlobNotFound(f"no blob {sha256}")
        return int(head["ContentLength"])

    def delete(self, sha256: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=self._blob(sha256))

    # --- direct uploads -----------------------------------------------------------------------

    def put_temp_key(self, temp_key: str, data: BinaryIO | bytes) -> int:
        _, _, size = self._upload(self._key(check_temp_key(temp_key)), data, _TEMP_CONTENT_TYPE)
        return size

    def upload_url(self, key: str, *, expires_in: int, content_type: str) -> str | None:
        url: str = self._s3.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._key(check_temp_key(key)),
                "ContentType": content_type,
            },
            ExpiresIn=expires_in,
            HttpMethod="PUT",
        )
        return url

    def promote(
        self,
        temp_key: str,
        *,
        content_type: str,
        expected_size: int | None = None,
        expected_sha256: str | None = None,
    ) -> StoredBlob:
        source = self._key(check_temp_key(temp_key))
        if expected_sha256 is not None:
            check_sha256(expected_sha256)
        # Claim the upload with a server-side copy to a key no URL was signed for: a second PUT
        # through the still-valid upload URL cannot change the bytes we hash and move.
        claimed = self._key(new_temp_key())
        try:
            self._s3.copy_object(
                Bucket=self.bucket, Key=claimed, CopySource={"Bucket": self.bucket, "Key": source}
            )
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFound(f"nothing was uploaded to {temp_key}") from None
            raise
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=source)
            digest, size = hashlib.sha256(), 0
            body = self._s3.get_object(Bucket=self.bucket, Key=claimed)["Body"]
            with contextlib.closing(body):
                for chunk in iter_chunks(body):
                    digest.update(chunk)
                    size += len(chunk)
            sha256 = digest.hexdigest()
            verify_arrived(
                sha256, size, expected_sha256=expected_sha256, expected_size=expected_size
            )
        except BaseException:
            self._delete_quietly(claimed)
            raise
        self._move_into_place(claimed, sha256, content_type)
        return StoredBlob(sha256=sha256, size=size, content_type=content_type)

    def sweep_temp(self, older_than: datetime) -> int:
        cutoff = check_older_than(older_than)
        prefix = self._key(TEMP_PREFIX)
        stale = [
            {"Key": item["Key"]}
            for page in self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for item in page.get("Contents", [])
            if item["LastModified"] < cutoff
        ]
        removed = 0
        for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
            batch = stale[start : start + 1000]
            response = self._s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            removed += len(batch) - len(response.get("Errors", []))
        # A multipart write killed mid-way leaves parts that no listing of objects shows.
        for page in self._s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    self._abort(upload["Key"], upload["UploadId"])
                    removed += 1
        return removed

    # --- internals ----------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _blob(self, sha256: str) -> str:
        return self._key(blob_key(sha256))

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return head

    def _upload(
        self, key: str | None, data: BinaryIO | bytes, content_type: str
    ) -> tuple[str, str, int]:
        """Stream ``data`` to ``key``; return the key written, the SHA-256 and the size.

        ``key`` None (a ``put``): data that fits one part goes straight to its final key (or
        nowhere, when already stored); longer data to a fresh temp key, for the caller to move.
        """
        digest, size = hashlib.sha256(), 0
        parts = _parts(data, self._part_size)
        part, is_last = next(parts)
        digest.update(part)
        size += len(part)
        if is_last:
            sha256 = digest.hexdigest()
            if key is None:
                key = self._blob(sha256)
                if self.exists(sha256):
                    return key, sha256, size
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=part,
                ContentType=content_type,
                ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
            )
            return key, sha256, size
        key = key or self._key(new_temp_key())
        upload_id = self._s3.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )["UploadId"]
        try:
            uploaded = [self._upload_part(key, upload_id, 1, part)]
            for number, (part, _) in enumerate(parts, start=2):
                digest.update(part)
                size += len(part)
                uploaded.append(self._upload_part(key, upload_id, number, part))
            self._s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": uploaded},
            )
        except BaseException:
            self._abort(key, upload_id)
            raise
        return key, digest.hexdigest(), size

    def _upload_part(self, key: str, upload_id: str, number: int, part: bytes) -> dict[str, Any]:
        response = self._s3.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
        )
        return {"ETag": response["ETag"], "PartNumber": number}

    def _move_into_place(self, temp: str, sha256: str, content_type: str) -> None:
        """Copy a complete temp object to the blob's final key (unless stored); drop the temp."""
        try:
            if not self.exists(sha256):
                self._s3.copy_object(
                    Bucket=self.bucket,
                    Key=self._blob(sha256),
                    CopySource={"Bucket": self.bucket, "Key": temp},
                    ContentType=content_type,
                    MetadataDirective="REPLACE",
                )
        finally:
            self._delete_quietly(temp)

    def _delete_quietly(self, key: str) -> None:
        """Best-effort cleanup on a path that is already failing or done; the sweep retries."""
        with contextlib.suppress(ClientError, BotoCoreError):
            self._s3.delete_object(Bucket=self.bucket, Key=key)

    def _abort(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(ClientError, BotoCoreError):
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)


def _parts(data: BinaryIO | bytes, part_size: int) -> Iterator[tuple[bytes, bool]]:
    """``data`` in parts of exactly ``part_size`` bytes (the last may be shorter or empty),
    each with whether it is the last. Holds at most one part and one read chunk in memory."""
    buffer = bytearray()
    for chunk in iter_chunks(data):
        buffer += chunk
        while len(buffer) > part_size:  # more follows, so this part is not the last
            yield bytes(buffer[:part_size]), False
            del buffer[:part_size]
    yield bytes(buffer), True


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING
