"""Pillow behind ``ImageProcessor``: probing uploads and rendering transforms and variants.

Owns decoding untrusted image bytes safely (only the raster formats in ``RASTER_MIME_TYPES``,
a pixel limit checked from the header before any pixel is decoded, truncated files refused),
the resize geometry of each ``Fit`` and the encoders' settings, and the memory a render
takes: an image is decoded once for its probe and all its renditions, no larger than they
need, and converted and resized a band of rows at a time, so a render holds little more than
the decoded image. It must not decide which renditions exist, how many render at once or
where bytes are stored (``core/transforms.py``, the media services), and it never writes
metadata: renditions carry no EXIF, GPS, XMP or ICC profile (colours are converted to sRGB
instead).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import ExifTags, Image, ImageCms

from masthead.core.errors import FieldError
from masthead.core.transforms import (
    RASTER_MIME_TYPES,
    Fit,
    FocalPoint,
    ImageInfo,
    ImageRejected,
    OutputFormat,
    RenderedImage,
    TransformSpec,
)
from masthead.media.bands import REDUCING_GAP, reduce_in_bands, resize_in_bands
from masthead.media.heap import release_freed_memory

_FORMAT_MIME_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a multi-picture JPEG (phone cameras): Pillow's JPEG opener makes it
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}
_PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "TIFF", "BMP")
"""Only these plugins may look at upload bytes: Pillow's others (EPS via Ghostscript, fonts,
obscure formats) are attack surface Masthead does not need."""

_TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap the axes
_TRANSPOSES = {  # EXIF orientation → what turns the stored image upright (as ImageOps does)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Pillow raises any of these on corrupt or hostile input; each means "not a usable image".
_DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    TypeError,
    ZeroDivisionError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)

_ENCODER_OPTIONS: dict[OutputFormat, dict[str, Any]] = {
    OutputFormat.WEBP: {"format": "WEBP", "method": 4},
    OutputFormat.AVIF: {"format": "AVIF", "speed": 8},  # speed 6 (default) is ~3x slower
    OutputFormat.JPEG: {"format": "JPEG", "optimize": True, "progressive": True},
    OutputFormat.PNG: {"format": "PNG", "compress_level": 6},
}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class _Plan:
    """Scale ``box`` (a region of the upright source, in its pixels) to ``size``."""

    size: tuple[int, int]
    box: tuple[float, float, float, float]


class PillowImages:
    """``ImageProcessor`` on Pillow. Refuses images over ``max_pixels`` (width x height)."""

    def __init__(self, *, max_pixels: int = 89_478_485) -> None:
        self.max_pixels = max_pixels

    def probe(self, stream: BinaryIO) -> ImageInfo:
        """Real size (upright) and type of a raster image. Raises ImageRejected."""
        return self.probe_and_render(stream, ())[0]

    def render(self, stream: BinaryIO, spec: TransformSpec) -> RenderedImage:
        """The rendition ``spec`` describes, without metadata. Raises ImageRejected."""
        return self.probe_and_render(stream, (spec,))[1][0]

    def probe_and_render(
        self, stream: BinaryIO, specs: Sequence[TransformSpec]
    ) -> tuple[ImageInfo, list[RenderedImage]]:
        """Real size and type, and the renditions ``specs`` describe, from one decode.

        The whole file is decoded (a truncated one is refused), at a reduced scale when the
        format allows (JPEG), then shrunk by a whole factor to what the largest rendition
        needs: only the decode itself is full-sized, and it is gone before the first
        rendition is made. Raises ImageRejected.
        """
        try:
            return self._render_all(stream, specs)
        finally:
            release_freed_memory()  # the images of that call are unreferenced by now

    def _render_all(
        self, stream: BinaryIO, specs: Sequence[TransformSpec]
    ) -> tuple[ImageInfo, list[RenderedImage]]:
        info, frame, plans = self._decode_once(stream, specs)
        source = (info.width, info.height)
        zipped = zip(plans, specs, strict=True)
        return info, [_render(frame, plan, source, spec) for plan, spec in zipped]

    def _decode_once(
        self, stream: BinaryIO, specs: Sequence[TransformSpec]
    ) -> tuple[ImageInfo, Image.Image, list[_Plan]]:
        """What probing found, the frame every rendition starts from (upright, RGB or RGBA,
        no larger than they need) and each one's plan."""
        with self._open(stream) as img:  # the stream stays open: it is the caller's
            mime_type = _FORMAT_MIME_TYPES[str(img.format)]
            orientation = _orientation(img)
            stored = img.size
            source = _upright(stored, orientation)
            plans = [_plan(source, spec) for spec in specs]
            _decode(img, max(map(_scale_of, plans), default=0.0))
            frame = img
            if plans:
                with _rejecting("The image is corrupt or truncated"):
                    frame = _shrink(img, stored, plans, orientation)
        # Returning drops the last reference to the full-sized decode unless it is the frame.
        return ImageInfo(*source, mime_type), frame, plans

    def _open(self, stream: BinaryIO) -> Image.Image:
        """Read the header only, and refuse what is not a raster image or has too many pixels."""
        with _rejecting("The file is not an image Masthead can read"):
            img = Image.open(stream, formats=_PILLOW_FORMATS)
        if _FORMAT_MIME_TYPES.get(str(img.format)) not in RASTER_MIME_TYPES:
            img.close()
            raise ImageRejected(
                f"Images of format {img.format} are not accepted",
                details=[FieldError("file", "not an accepted image format")],
            )
        if img.width * img.height > self.max_pixels:
            img.close()
            raise ImageRejected(
                f"The image is too large: {img.width}x{img.height} pixels is over the "
                f"limit of {self.max_pixels}",
                details=[FieldError("file", "too many pixels")],
            )
        return img


@contextmanager
def _rejecting(message: str) -> Iterator[None]:
    """Turn Pillow's failures on bad input, and its own bomb warning, into ImageRejected.

    The warning filter is local, never a change to ``Image.MAX_IMAGE_PIXELS``: our limit is
    checked from the header in ``_open``; Pillow's catches what that cannot see (GIF frames
    larger than the canvas).
    """
    try:
        with warnings.catch_warnings():
            # Pillow's remarks about a file's flaws (corrupt EXIF, malformed MPO) concern the
            # upload, not our code: the file is used or refused, nobody reads the warning.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            "The image has too many pixels", details=[FieldError("file", "too many pixels")]
        ) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected(message, details=[FieldError("file", message)]) from exc


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation, 1 (as stored) when absent or meaningless."""
    with _rejecting("The image's EXIF data is corrupt"):
        orientation = img.getexif().get(ExifTags.Base.Orientation)
    return orientation if isinstance(orientation, int) and orientation in _TRANSPOSES else 1


def _upright(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The displayed size: EXIF orientations 5 to 8 turn the stored image a quarter."""
    width, height = size
    return (height, width) if orientation in _TRANSPOSING_ORIENTATIONS else (width, height)


def _scale_of(plan: _Plan) -> float:
    """Output pixels per source pixel along the axis that keeps the most of them."""
    left, top, right, bottom = plan.box
    return max(plan.size[0] / (right - left), plan.size[1] / (bottom - top))


def _decode(img: Image.Image, scale: float) -> Image.Image:
    """Decode the first frame, all of it, so a truncated file fails here. A JPEG is decoded
    at a reduced scale (DCT scaling) keeping at least twice the resolution ``scale`` (output
    pixels per source pixel) asks for; ``scale`` 0 (only probing): an eighth."""
    wanted = 2 * scale if scale else 1 / 8
    with _rejecting("The image is corrupt or truncated"):
        if wanted < 1:
            img.draft(None, (math.ceil(img.width * wanted), math.ceil(img.height * wanted)))
        img.load()
    return img


def _shrink(
    img: Image.Image, stored: tuple[int, int], plans: list[_Plan], orientation: int
) -> Image.Image:
    """The decoded frame made ready for every plan: in RGB or RGBA, shrunk by the largest
    whole factor that keeps ``REDUCING_GAP`` times the resolution the largest rendition
    needs (the same first step ``resize(reducing_gap=...)`` takes), and upright.

    The conversion and the reduction run a band of rows at a time, so no second full-sized
    image ever exists: a converted or premultiplied copy of an 81-megapixel frame is 324 MB.
    ``stored`` is the frame's size before a reduced (draft) decode.
    """
    available = img.width / stored[0]  # below 1 after a draft decode
    factor = max(1, math.floor(available / (max(map(_scale_of, plans)) * REDUCING_GAP)))
    frame = img
    if factor > 1 or _needs_conversion(img):
        frame = reduce_in_bands(img, factor, lambda rows: _normalise_mode(rows, keep_alpha=True))
    method = _TRANSPOSES.get(orientation)
    return frame if method is None else frame.transpose(method)


def _needs_conversion(img: Image.Image) -> bool:
    return img.mode not in ("RGB", "RGBA") or "transparency" in img.info


def _normalise_mode(img: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """RGBA when there is transparency to keep, else RGB (transparency flattened on white)."""
    if img.mode.startswith("I"):  # 16-bit greyscale: scale to 8 bits rather than clip
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    if not img.has_transparency_data:
        return img if img.mode == "RGB" else img.convert("RGB")
    rgba = img if img.mode == "RGBA" else img.convert("RGBA")  # no copy of a large frame
    if keep_alpha:
        return rgba
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.info = dict(rgba.info)  # keep the ICC profile for the sRGB conversion
    return flat


def _render(
    frame: Image.Image, plan: _Plan, source: tuple[int, int], spec: TransformSpec
) -> RenderedImage:
    """One rendition from the shared upright frame, which stays as it is."""
    img = _normalise_mode(frame, keep_alpha=spec.format is not OutputFormat.JPEG)
    img = _to_srgb(_resize(img, plan, source))
    return RenderedImage(_encode(img, spec), img.width, img.height, spec.format.mime_type)


def _plan(source: tuple[int, int], spec: TransformSpec) -> _Plan:
    """Output size and source region for ``spec`` on an upright source of size ``source``."""
    width, height = source
    whole = (0.0, 0.0, float(width), float(height))
    if spec.fit is Fit.FILL:
        return _Plan(_fill_size(source, spec.width, spec.height), whole)
    if spec.fit is Fit.COVER and spec.width and spec.height:
        return _cover_plan(source, (spec.width, spec.height), spec.focal)
    # INSIDE, CONTAIN, and COVER with one side free (its box has the source's aspect ratio)
    return _Plan(_inside_size(source, spec.width, spec.height), whole)


def _inside_size(source: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """Largest size within width x height (None: unconstrained) keeping the aspect ratio,
    never larger than the source."""
    source_w, source_h = source
    scale = min(
        1.0,
        width / source_w if width else math.inf,
        height / source_h if height else math.inf,
    )
    return max(1, round(source_w * scale)), max(1, round(source_h * scale))


def _fill_size(source: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """Exactly width x height; a missing side follows the source's aspect ratio."""
    source_w, source_h = source
    if width and height:
        return width, height
    if width:
        return width, max(1, round(source_h * width / source_w))
    if height:
        return max(1, round(source_w * height / source_h)), height
    return source


def _cover_plan(source: tuple[int, int], box: tuple[int, int], focal: FocalPoint) -> _Plan:
    """Fill ``box`` exactly, cropping so the focal point sits as near the centre as the edges
    allow. A source smaller than the box is cropped to the box's aspect ratio, not enlarged."""
    source_w, source_h = source
    box_w, box_h = box
    scale = max(box_w / source_w, box_h / source_h)
    size: tuple[int, int]
    if scale <= 1:
        crop_w, crop_h = min(source_w, box_w / scale), min(source_h, box_h / scale)
        size = box
    else:
        size = _largest_crop(source, box_w / box_h)
        crop_w, crop_h = size
    left = _clamp(focal.x * source_w - crop_w / 2, 0, source_w - crop_w)
    top = _clamp(focal.y * source_h - crop_h / 2, 0, source_h - crop_h)
    if scale > 1:  # a plain crop: whole pixels
        left, top = round(left), round(top)
    return _Plan(size, (left, top, left + crop_w, top + crop_h))


def _largest_crop(source: tuple[int, int], ratio: float) -> tuple[int, int]:
    """The largest whole-pixel size with aspect ratio ``ratio`` that fits in ``source``."""
    source_w, source_h = source
    if source_w / source_h > ratio:
        return min(source_w, max(1, round(source_h * ratio))), source_h
    return source_w, min(source_h, max(1, round(source_w / ratio)))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


def _resize(img: Image.Image, plan: _Plan, source: tuple[int, int]) -> Image.Image:
    """Apply ``plan`` to the decoded image, which a JPEG draft or ``_shrink`` may have made
    smaller."""
    x_scale, y_scale = img.width / source[0], img.height / source[1]
    left, top, right, bottom = plan.box
    box = (left * x_scale, top * y_scale, right * x_scale, bottom * y_scale)
    if (box[2] - box[0], box[3] - box[1]) == plan.size:  # same size: crop (or nothing)
        return img.crop((round(box[0]), round(box[1]), round(box[2]), round(box[3])))
    return resize_in_bands(img, plan.size, box)


def _to_srgb(img: Image.Image) -> Image.Image:
    """Convert an embedded RGB colour profile to sRGB, since the profile itself is dropped
    with the other metadata; a broken or non-RGB profile is ignored."""
    icc = img.info.get("icc_profile")
    if not icc:
        return img
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return img
        converted = ImageCms.profileToProfile(img, profile, _SRGB, outputMode=img.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img
    return converted if converted is not None else img


def _encode(img: Image.Image, spec: TransformSpec) -> bytes:
    """Encode without metadata: the image's own ``info`` (EXIF, XMP, ICC) is emptied first,
    because some encoders fall back to it. ``img`` is a rendition made for this call (never
    the shared frame), so it is emptied in place rather than copied."""
    img.info = {}
    buffer = io.BytesIO()
    img.save(buffer, quality=spec.quality, **_ENCODER_OPTIONS[spec.format])
    return buffer.getvalue()
