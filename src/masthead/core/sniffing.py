"""What a file really is, from its first bytes, and whether an upload policy accepts that type.

Owns the magic-number rules for the types Masthead accepts (images, PDF, common audio and
video containers) and the ``type/*`` pattern match. It must never trust a filename, an
extension or a client's Content-Type: the bytes decide, and anything not positively
recognised (executables, scripts, HTML, archives) is ``None``. No decoding happens here:
an image that sniffs as PNG is still probed by ``media/images.py`` before it is used.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable

HEAD_BYTES = 4096
"""How many leading bytes ``sniff_mime_type`` needs: enough for an SVG prolog or an ftyp box."""

_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)

_RIFF_FORMS = {b"WEBP": "image/webp", b"WAVE": "audio/wav"}

_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"M4V ": "video/mp4",
    b"isom": "video/mp4",
    b"iso2": "video/mp4",
    b"iso3": "video/mp4",
    b"iso4": "video/mp4",
    b"iso5": "video/mp4",
    b"iso6": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"avc1": "video/mp4",
    b"dash": "video/mp4",
}

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE_ID = b"\x42\x82"
_EBML_DOCTYPES = {b"webm": "video/webm", b"matroska": "video/x-matroska"}

_BMP_DIB_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


def sniff_mime_type(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (``HEAD_BYTES`` of them, or all of a
    shorter file); None when it is not a type recognised here."""
    for prefix, mime_type in _PREFIXES:
        if head.startswith(prefix):
            return mime_type
    for sniff in _SNIFFERS:
        if (sniffed := sniff(head)) is not None:
            return sniffed
    return None


def is_allowed(mime_type: str, patterns: Iterable[str]) -> bool:
    """Whether ``mime_type`` matches one of ``patterns``: exact types (``application/pdf``) or
    ``type/*`` wildcards (``image/*``), compared case-insensitively."""
    wanted = mime_type.split(";", 1)[0].strip().lower()
    major, slash, minor = wanted.partition("/")
    if not (major and slash and minor):
        return False
    for raw in patterns:
        pattern = raw.strip().lower()
        if pattern in (wanted, f"{major}/*"):
            return True
    return False


def _riff(head: bytes) -> str | None:
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _RIFF_FORMS.get(head[8:12])
    return None


def _ftyp(head: bytes) -> str | None:
    """ISO base media files (MP4, QuickTime, AVIF) open with an ``ftyp`` box: a major brand,
    a minor version, then compatible brands."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    (box_size,) = struct.unpack(">I", head[:4])
    if box_size < 16 or box_size % 4:
        return None
    major = head[8:12]
    compatible = [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    if major in _AVIF_BRANDS or _AVIF_BRANDS.intersection(compatible):
        return "image/avif"
    for brand in (major, *compatible):
        if brand in _FTYP_BRANDS:
            return _FTYP_BRANDS[brand]
    return None


def _ebml(head: bytes) -> str | None:
    """Matroska and WebM share the EBML header; its DocType element tells them apart."""
    if not head.startswith(_EBML_MAGIC):
        return None
    at = head.find(_EBML_DOCTYPE_ID, 4, 64)
    if at < 0 or at + 3 > len(head):
        return None
    size_byte = head[at + 2]
    width = 9 - size_byte.bit_length()  # an EBML varint's length is its leading zero bits + 1
    if not 1 <= width <= 8:
        return None
    size_bytes = head[at + 2 : at + 2 + width]
    size = int.from_bytes(size_bytes, "big") & ((1 << (7 * width)) - 1)
    start = at + 2 + width
    doc_type = head[start : start + size].rstrip(b"\x00")
    return _EBML_DOCTYPES.get(doc_type)


def _bmp(head: bytes) -> str | None:
    """``BM`` alone is too common in text; the pixel offset and DIB header size must fit."""
    if not head.startswith(b"BM") or len(head) < 18:
        return None
    pixel_offset, dib_size = struct.unpack("<II", head[10:18])
    if dib_size in _BMP_DIB_HEADER_SIZES and pixel_offset >= 14 + dib_size:
        return "image/bmp"
    return None


_SVG_PROLOG_ITEM = re.compile(
    r"""\s*(?:
        <\?.*?\?>                                   # XML declaration, processing instruction
      | <!--.*?-->                                  # comment
      | <!doctype\s+svg\b(?:"[^"]*"|'[^']*'|\[.*?\]|[^>"'\[])*>   # SVG doctype
    )""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_SVG_ROOT = re.compile(r"\s*<svg[\s/>]", re.IGNORECASE)


def _svg(head: bytes) -> str | None:
    """SVG is text whose root element is ``<svg``: only a prolog may precede it, so an HTML
    page that embeds an ``<svg>`` is not an SVG."""
    if b"\x00" in head:
        return None
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    position = 0
    while (item := _SVG_PROLOG_ITEM.match(text, position)) is not None:
        position = item.end()
    return "image/svg+xml" if _SVG_ROOT.match(text, position) else None


_ID3_VERSIONS = frozenset({2, 3, 4})
# kbit/s by bitrate index, for (MPEG-1 | MPEG-2/2.5) and layer I, II, III.
_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (2, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {
    0b11: (44100, 48000, 32000),
    0b10: (22050, 24000, 16000),
    0b00: (11025, 12000, 8000),
}


def _mpeg_audio(head: bytes) -> str | None:
    """An ID3 tag, or an MPEG audio frame header followed by a second one where the first
    frame ends: one 4-byte header alone matches random bytes too often."""
    if head.startswith(b"ID3"):
        return "audio/mpeg" if _is_id3_header(head[:10]) else None
    first = _mpeg_frame_length(head[:4])
    if first is None:
        return None
    if len(head) < first + 4:  # the file ends inside the first frame
        return "audio/mpeg"
    second = head[first : first + 4]
    same_stream = second[1] == head[1] and second[2] & 0x0C == head[2] & 0x0C
    return "audio/mpeg" if same_stream and _mpeg_frame_length(second) else None


def _is_id3_header(header: bytes) -> bool:
    """ID3v2: version 2 to 4, a revision below 0xFF and a 28-bit "syncsafe" tag size."""
    return (
        len(header) == 10
        and header[3] in _ID3_VERSIONS
        and header[4] != 0xFF
        and all(byte < 0x80 for byte in header[6:10])
    )


def _mpeg_frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG audio frame this header opens, None if it is no header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits, layer_bits = (header[1] >> 3) & 0b11, (header[1] >> 1) & 0b11
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 0b11
    if version_bits == 0b01 or layer_bits == 0 or rate_index == 0b11 or header[3] & 0b11 == 0b10:
        return None
    if bitrate_index in (0, 15):  # free-format and "bad" bitrates: refuse, too rare to matter
        return None
    layer = 4 - layer_bits
    version = 1 if version_bits == 0b11 else 2
    bitrate = _BITRATES[version, layer][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version_bits][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // sample_rate + padding) * 4
    per_frame = 72 if layer == 3 and version == 2 else 144
    return per_frame * bitrate // sample_rate + padding


_SNIFFERS: tuple[Callable[[bytes], str | None], ...] = (
    _riff,
    _ftyp,
    _ebml,
    _bmp,
    _mpeg_audio,
    _svg,
)
