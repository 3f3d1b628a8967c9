"""Shared by the /v1 media tests: test images and files, and the upload calls of both flows."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import text

from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.factories import login

H = dict[str, str]
Client = httpx.AsyncClient
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>x()</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
WINDOWS_PE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120) + b"PE\x00\x00" + bytes(200)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color: Any = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def two_tone() -> bytes:
    """64x48 PNG: left half red, right half blue (to see where a crop was taken)."""
    img = Image.new("RGB", (64, 48), (255, 0, 0))
    img.paste((0, 0, 255), (32, 0, 64, 48))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring width x height pixels: a tiny file, a huge decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def problem(response: httpx.Response) -> tuple[int, str]:
    """Status and detail of a neutral error (RFC 9457 problem details), the format of the
    shared /media file routes, which belong to no dialect."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == "about:blank"
    return response.status_code, str(body["detail"])


def decode(response: httpx.Response) -> Image.Image:
    img = Image.open(io.BytesIO(response.content))
    img.load()
    return img


def blob_file(settings: Settings, sha256: str) -> Path:
    return settings.effective_media_dir / "blobs" / sha256[:2] / sha256


def files_under(settings: Settings, name: str) -> list[Path]:
    """Files of the local store's ``blobs`` or ``tmp`` directory."""
    return sorted(p for p in (settings.effective_media_dir / name).rglob("*") if p.is_file())


def rendition_rows(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.scalar(text("SELECT count(*) FROM media_renditions")) or 0)


async def log_in(client: Client, username: str, space: str) -> H:
    return {**(await login(client, username)).headers, "X-Space": space}


async def start(client: Client, headers: H, body: Any = None, path: str = "/v1/media/init") -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def put(client: Client, started: Any, data: bytes, **headers: str) -> httpx.Response:
    sent = {**started["requiredHeaders"], **headers}
    return await client.put(started["uploadUrl"], content=data, headers=sent)


async def finalize(client: Client, headers: H, started: Any, **body: Any) -> httpx.Response:
    payload = {"uploadToken": started["uploadToken"], **body}
    path = f"/v1/media/{started['mediaId']}/finalize"
    return await client.post(path, json=payload, headers=headers)


async def direct_upload(client: Client, headers: H, data: bytes, filename: str) -> Any:
    started = await start(client, headers, {"filename": filename, "size": len(data)})
    assert (await put(client, started, data)).status_code == 200
    response = await finalize(client, headers, started)
    assert response.status_code == 200, response.text
    return response.json()["media"]


async def multipart(
    client: Client,
    headers: H,
    data: bytes,
    filename: str = "photo.jpg",
    *,
    path: str = "/v1/media",
    content_type: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    files = {"file": (filename, data, content_type)}
    return await client.post(path, files=files, data=fields, headers=headers)


async def upload(
    client: Client, headers: H, data: bytes, filename: str = "photo.jpg", **kw: str
) -> Any:
    response = await multipart(client, headers, data, filename, **kw)
    assert response.status_code == 201, response.text
    return response.json()["media"]
