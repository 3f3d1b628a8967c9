"""Image renditions as values: what a transform asks for, and what probing and rendering return.

Owns ``TransformSpec`` (parsed from ``?w=&h=&fit=&format=&q=&fp=``, with one canonical key so
the same request is rendered once and cached), the named variants, and the ``ImageProcessor``
protocol that ``media/images.py`` implements with Pillow. No imaging happens here.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar

from masthead.core.errors import FieldError, Invalid

MAX_DIMENSION = 4096
"""Largest width or height a transform may ask for: bounds the work one URL can cause."""

DEFAULT_QUALITY = 80

E = TypeVar("E", bound=enum.StrEnum)


class Fit(enum.StrEnum):
    COVER = "cover"  # fill the box exactly, cropping around the focal point
    INSIDE = "inside"  # fit within the box, keep the aspect ratio, never upscale
    CONTAIN = "contain"  # same box as inside: the whole image shows (CSS object-fit: contain)
    FILL = "fill"  # stretch to the box exactly, ignoring the aspect ratio


class OutputFormat(enum.StrEnum):
    WEBP = "webp"
    AVIF = "avif"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def mime_type(self) -> str:
        return f"image/{self.value}"


RASTER_MIME_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/tiff",
        "image/bmp",
    }
)
"""Images Masthead decodes: probed for real dimensions, given variants, transformable."""


@dataclass(frozen=True)
class FocalPoint:
    """Where the subject is, as fractions of the width and height (0..1, from the top left)."""

    x: float
    y: float

    def __post_init__(self) -> None:
        for name, value in (("x", self.x), ("y", self.y)):
            if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
                raise Invalid(
                    "The focal point must lie within the image",
                    details=[FieldError(f"focalPoint.{name}", "must be a number from 0 to 1")],
                )


CENTRE = FocalPoint(0.5, 0.5)


@dataclass(frozen=True)
class TransformSpec:
    """One rendition of an image. At least one of width and height is set."""

    width: int | None = None
    height: int | None = None
    fit: Fit = Fit.INSIDE
    format: OutputFormat = OutputFormat.WEBP
    quality: int = DEFAULT_QUALITY
    focal: FocalPoint = CENTRE

    @property
    def key(self) -> str:
        """Canonical query string of the spec: equal renditions share a key, so one cached
        render, and ``parse_transform(key)`` gives the spec back."""
        parts = [f"w={self.width}"] if self.width else []
        parts += [f"h={self.height}"] if self.height else []
        parts += [
            f"fit={self.fit.value}",
            f"format={self.format.value}",
            f"q={self.quality}",
        ]
        if self.fit is Fit.COVER:  # only a crop depends on the focal point
            parts.append(f"fp={self.focal.x:.3f},{self.focal.y:.3f}")
        return "&".join(parts)

    def with_focal(self, focal: FocalPoint) -> TransformSpec:
        return TransformSpec(self.width, self.height, self.fit, self.format, self.quality, focal)


TRANSFORM_PARAMS = frozenset({"w", "h", "fit", "format", "q", "fp"})


def parse_transform(params: Mapping[str, str]) -> TransformSpec | None:
    """The spec a media URL's query asks for, None when it asks for the original.

    Raises Invalid naming each bad parameter. ``fp`` is ``x,y`` in 0..1 (absent: the caller
    applies the asset's stored focal point).
    """
    if not any(name in params for name in TRANSFORM_PARAMS):
        return None
    errors: list[FieldError] = []
    width = _dimension(params.get("w"), "w", errors)
    height = _dimension(params.get("h"), "h", errors)
    fit = _choice(params.get("fit"), Fit, Fit.INSIDE, "fit", errors)
    fmt = _choice(params.get("format"), OutputFormat, OutputFormat.WEBP, "format", errors)
    quality = DEFAULT_QUALITY
    if (raw_q := params.get("q")) is not None:
        if _is_ascii_number(raw_q) and 1 <= int(raw_q) <= 100:
            quality = int(raw_q)
        else:
            errors.append(FieldError("q", "must be a whole number from 1 to 100"))
    focal = CENTRE
    if (raw_fp := params.get("fp")) is not None:
        try:
            x, y = (float(part) for part in raw_fp.split(","))
            focal = FocalPoint(x, y)
        except (ValueError, Invalid):
            errors.append(FieldError("fp", "must be x,y with each from 0 to 1"))
    if width is None and height is None and not errors:
        errors.append(FieldError("w", "give w, h or both"))
    if errors:
        raise Invalid("Invalid image transform", details=errors)
    return TransformSpec(width, height, fit, fmt, quality, focal)


def _is_ascii_number(raw: str) -> bool:
    """Plain ASCII digits only: str.isdigit() also accepts superscripts, which int() refuses,
    and full-width digits, which int() reads."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 6


def _dimension(raw: str | None, name: str, errors: list[FieldError]) -> int | None:
    if raw is None:
        return None
    if _is_ascii_number(raw) and 1 <= int(raw) <= MAX_DIMENSION:
        return int(raw)
    errors.append(FieldError(name, f"must be a whole number from 1 to {MAX_DIMENSION}"))
    return None


def _choice(
    raw: str | None, choices: type[E], default: E, name: str, errors: list[FieldError]
) -> E:
    if raw is None:
        return default
    try:
        return choices(raw.lower())
    except ValueError:
        allowed = ", ".join(choice.value for choice in choices)
        errors.append(FieldError(name, f"must be one of {allowed}"))
        return default


_VARIANT = re.compile(r"([a-z][a-z0-9_-]{0,31})=(\d{1,4})x(\d{1,4})(?::([a-z]+))?")


def parse_variants(text: str) -> dict[str, TransformSpec]:
    """Named renditions made on upload, from ``thumb=320x320:cover,medium=1280x1280:inside``
    (WebP; fit defaults to inside). Raises ValueError on a malformed entry."""
    variants: dict[str, TransformSpec] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        match = _VARIANT.fullmatch(entry)
        if match is None:
            raise ValueError(f"media variant {entry!r} is not name=WIDTHxHEIGHT[:fit]")
        name, width, height, fit = match.groups()
        if not (1 <= int(width) <= MAX_DIMENSION and 1 <= int(height) <= MAX_DIMENSION):
            raise ValueError(f"media variant {entry!r}: sizes run from 1 to {MAX_DIMENSION}")
        if fit is not None and fit not in Fit.__members__.values():
            raise ValueError(f"media variant {entry!r}: fit is one of {', '.join(Fit)}")
        variants[name] = TransformSpec(int(width), int(height), Fit(fit or Fit.INSIDE))
    return variants


@dataclass(frozen=True)
class ImageInfo:
    """What probing found: the displayed size (EXIF orientation applied) and the real type."""

    width: int
    height: int
    mime_type: str


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    width: int
    height: int
    mime_type: str


class ImageRejected(Invalid):
    """The bytes are not an image Masthead will decode (corrupt, or a decompression bomb)."""

    default_message = "The file is not a usable image"


class ImageProcessor(Protocol):
    """Decoding and resizing, implemented with Pillow in ``media/images.py``."""

    def probe(self, stream: BinaryIO) -> ImageInfo:
        """Real size and type of a raster image. Raises ImageRejected."""
        ...

    def render(self, stream: BinaryIO, spec: TransformSpec) -> RenderedImage:
        """The rendition ``spec`` describes, without metadata. Raises ImageRejected."""
        ...

    def probe_and_render(
        self, stream: BinaryIO, specs: Sequence[TransformSpec]
    ) -> tuple[ImageInfo, list[RenderedImage]]:
        """``probe`` and a ``render`` of each spec from one decode of the image (decoding
        dominates the time and memory of both). Raises ImageRejected."""
        ...
