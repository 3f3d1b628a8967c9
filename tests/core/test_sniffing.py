"""Sniffing a file's type from its bytes, and matching types against an upload policy.

Images come from Pillow (real encoders, real headers); the other types are the shortest byte
strings their formats allow. ``sniff_mime_type`` takes no filename, so a renamed executable is
just its bytes.
"""

from __future__ import annotations

import io
import random
import struct

import pytest
from PIL import Image

from masthead.core.sniffing import HEAD_BYTES, is_allowed, sniff_mime_type

SVG_BODY = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
MP3_FRAME_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
MP3_FRAME_LENGTH = 144 * 128_000 // 44_100  # 417 bytes


def _image(fmt: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (16, 12), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    brands = b"".join(compatible)
    return struct.pack(">I", 16 + len(brands)) + b"ftyp" + major + b"\0\0\0\0" + brands


def _ebml(doc_type: bytes) -> bytes:
    body = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        b"\x42\xf2\x81\x04"  # EBMLMaxIDLength 4
        b"\x42\xf3\x81\x08"  # EBMLMaxSizeLength 8
        + b"\x42\x82"
        + bytes([0x80 | len(doc_type)])
        + doc_type
        + b"\x42\x87\x81\x04\x42\x85\x81\x02"  # DocTypeVersion, DocTypeReadVersion
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67"


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - a fixed seed for reproducible test bytes, not secrets


def _mp3_frames(count: int) -> bytes:
    frame = MP3_FRAME_HEADER + bytes(MP3_FRAME_LENGTH - len(MP3_FRAME_HEADER))
    return frame * count


@pytest.mark.parametrize(
    ("fmt", "mode", "expected"),
    [
        ("JPEG", "RGB", "image/jpeg"),
        ("PNG", "RGBA", "image/png"),
        ("GIF", "P", "image/gif"),
        ("WEBP", "RGB", "image/webp"),
        ("AVIF", "RGB", "image/avif"),
        ("TIFF", "RGB", "image/tiff"),
        ("BMP", "RGB", "image/bmp"),
    ],
)
def test_images_encoded_by_pillow_are_recognised(fmt: str, mode: str, expected: str) -> None:
    assert sniff_mime_type(_image(fmt, mode)[:HEAD_BYTES]) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"GIF87a\x10\x00\x0c\x00\x80\x00\x00", "image/gif"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
        (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "video/mp4"),
        (_ftyp(b"mp42", b"mp42", b"isom"), "video/mp4"),
        (_ftyp(b"iso5", b"iso6", b"dash"), "video/mp4"),
        (_ftyp(b"M4V ", b"M4V ", b"M4A ", b"mp42"), "video/mp4"),
        (_ftyp(b"qt  ", b"qt  "), "video/quicktime"),
        (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio/mp4"),
        (_ftyp(b"M4B ", b"M4B ", b"mp42"), "audio/mp4"),
        (_ftyp(b"avif", b"mif1", b"miaf"), "image/avif"),
        (_ftyp(b"mif1", b"mif1", b"avif", b"miaf"), "image/avif"),
        (_ftyp(b"avis", b"avis", b"msf1"), "image/avif"),
        (_ebml(b"webm"), "video/webm"),
        (_ebml(b"matroska"), "video/x-matroska"),
        (b"OggS\x00\x02" + bytes(22), "audio/ogg"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00", "audio/wav"),
        (b"fLaC\x00\x00\x00\x22" + bytes(34), "audio/flac"),
        (b"ID3\x04\x00\x00\x00\x00\x01\x00" + _mp3_frames(2), "audio/mpeg"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x21", "audio/mpeg"),
        (_mp3_frames(10), "audio/mpeg"),
    ],
)
def test_other_types_are_recognised_from_their_headers(head: bytes, expected: str) -> None:
    assert sniff_mime_type(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        _ftyp(b"heic", b"mif1", b"heic"),  # HEIF stills: not a type Masthead accepts
        _ftyp(b"abcd"),
        b"\x00\x00\x00\x08ftyp",  # box too short for a brand
        _ebml(b"other"),
        b"\x1a\x45\xdf\xa3",
        b"RIFF\x24\x08\x00\x00AVI LIST",
        b"ID3\x09\x00\x00\x00\x00\x00\x21",  # no such ID3 version
        b"BMW drivers wrote this plain text, which starts like a bitmap does." * 4,
    ],
)
def test_lookalike_headers_are_not_recognised(head: bytes) -> None:
    assert sniff_mime_type(head) is None


@pytest.mark.parametrize(
    "text",
    [
        SVG_BODY,
        b"\xef\xbb\xbf" + SVG_BODY,
        b"\n\n   \t" + SVG_BODY,
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + SVG_BODY,
        b"<!-- Generator: Adobe Illustrator 27.0 -->\n" + SVG_BODY,
        b'<?xml version="1.0"?>\n<!-- a > b -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG_BODY,
        b'<!DOCTYPE svg [ <!ENTITY name "value"> ]>' + SVG_BODY,
        b'<SVG XMLNS="http://www.w3.org/2000/svg"></SVG>',
        b"<svg/>",
        b"\xef\xbb\xbf<?xml version='1.0'?><!--x--><!doctype SVG><Svg\nwidth='1'>",
    ],
)
def test_svg_variants_are_recognised(text: bytes) -> None:
    assert sniff_mime_type(text) == "image/svg+xml"


@pytest.mark.parametrize(
    "text",
    [
        b"<!DOCTYPE html><html><body>" + SVG_BODY + b"</body></html>",
        b"<html><head></head>" + SVG_BODY + b"</html>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">' + SVG_BODY,
        b"<!DOCTYPE html>" + SVG_BODY,
        b"<p>" + SVG_BODY,
        b"<svgfoo></svgfoo>",
        b"hello <svg></svg>",
        b"<!-- never closed <svg>",
        b"<svg\x00>",
    ],
)
def test_html_and_text_that_merely_contain_svg_are_not_svg(text: bytes) -> None:
    assert sniff_mime_type(text) is None


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48),  # Windows PE
        b"\x7fELF\x02\x01\x01\x00" + bytes(56),
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(24),  # Mach-O 64-bit
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + bytes(24),  # Mach-O universal
        b"#!/bin/sh\nrm -rf /tmp/x\n",
        b"#!/usr/bin/env python3\nprint('hi')\n",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20),
        b"",
    ],
)
def test_executables_scripts_archives_and_empty_input_are_not_recognised(head: bytes) -> None:
    assert sniff_mime_type(head) is None


def test_a_lone_mpeg_frame_header_followed_by_noise_is_not_audio() -> None:
    noise = _rng(7).randbytes(HEAD_BYTES)
    assert sniff_mime_type((MP3_FRAME_HEADER + noise)[:HEAD_BYTES]) is None


def test_random_bytes_are_almost_never_taken_for_mpeg_audio() -> None:
    rng = _rng(20240601)
    samples = [rng.randbytes(HEAD_BYTES) for _ in range(3000)]
    sniffed = [sniff_mime_type(sample) for sample in samples]
    assert sniffed.count("audio/mpeg") <= 1
    assert sum(mime_type is not None for mime_type in sniffed) <= 3


def test_random_bytes_after_a_frame_sync_byte_are_rarely_mpeg_audio() -> None:
    """The worst case for the frame check: every sample starts with 0xFF."""
    rng = _rng(99)
    samples = [b"\xff" + rng.randbytes(HEAD_BYTES - 1) for _ in range(3000)]
    matches = sum(sniff_mime_type(sample) == "audio/mpeg" for sample in samples)
    assert matches <= 3


@pytest.mark.parametrize(
    ("mime_type", "patterns"),
    [
        ("image/png", ["image/*"]),
        ("image/svg+xml", ["application/pdf", "image/*"]),
        ("application/pdf", ["image/*", "application/pdf"]),
        ("IMAGE/PNG", ["image/*"]),
        ("image/png", ["Image/*"]),
        ("Application/PDF", [" application/pdf "]),
        ("video/webm", ["video/mp4", "video/webm"]),
        ("image/png; charset=binary", ["image/png"]),
    ],
)
def test_allowed_types_match_exactly_or_by_wildcard(mime_type: str, patterns: list[str]) -> None:
    assert is_allowed(mime_type, patterns)


@pytest.mark.parametrize(
    ("mime_type", "patterns"),
    [
        ("application/pdf", ["image/*"]),
        ("image/png", ["image/jpeg"]),
        ("video/mp4", ["video/mp4v"]),
        ("imagex/png", ["image/*"]),
        ("image", ["image/*"]),
        ("image/", ["image/*"]),
        ("image/png", []),
        ("text/html", ["text/htm"]),
    ],
)
def test_other_types_are_not_allowed(mime_type: str, patterns: list[str]) -> None:
    assert not is_allowed(mime_type, patterns)
