"""Pillow operations on a large image a band of rows at a time: what keeps a render's memory
close to the decoded image itself. Pillow's own ``convert``, ``reduce`` and ``resize`` of a
whole image make a second image of its size (a converted or premultiplied copy, or an
intermediate of the output's width by the source's height); here only bands of a few MB
are ever copied, and the result matches the whole-image operation (tests/media).

Owns only the banding; what to convert to and which size to make is ``images.py``'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

REDUCING_GAP = 3.0
"""Shrink by whole factors (a box average, fast) while more than this many source pixels
remain per output pixel, then Lanczos: Pillow's ``reducing_gap``, visually identical."""

_BAND_BYTES = 8 * 1024 * 1024  # source rows worked on at a time (Pillow: 4 bytes a pixel)
_LANCZOS = Image.Resampling.LANCZOS
_LANCZOS_REACH = 3  # output pixels each side whose source pixels weigh in one output pixel


def reduce_in_bands(
    img: Image.Image, factor: int, convert: Callable[[Image.Image], Image.Image]
) -> Image.Image:
    """``convert(img)``, reduced by ``factor`` (each pixel the mean of ``factor`` x ``factor``),
    made from bands of whole blocks of rows: ``convert`` must give every band the same mode."""
    rows = max(1, _BAND_BYTES // (4 * img.width) // factor) * factor

    def band(top: int) -> Image.Image:
        rows_of = img.crop((0, top, img.width, min(top + rows, img.height)))
        converted = convert(rows_of)
        return converted.reduce(factor) if factor > 1 else converted

    first = band(0)
    out = Image.new(first.mode, (math.ceil(img.width / factor), math.ceil(img.height / factor)))
    out.info = dict(first.info)  # the ICC profile, for the sRGB conversion
    out.paste(first, (0, 0))
    for top in range(rows, img.height, rows):
        out.paste(band(top), (0, top // factor))
    return out


def resize_in_bands(
    img: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float]
) -> Image.Image:
    """``box`` of ``img`` resized to ``size`` (LANCZOS, after a whole-factor reduction as with
    ``reducing_gap``), a band of output rows at a time from the source rows its filter
    reaches. Pillow's ``resize`` of the whole image holds a premultiplied copy of an RGBA
    source and an intermediate of the output's width by the source's height: a 4096-pixel
    rendition of an 81-megapixel RGBA image peaked at 1,132 MiB that way, 615 MiB in bands
    (decode and encode included)."""
    left, top, right, bottom = box
    x_step, y_step = (right - left) / size[0], (bottom - top) / size[1]  # source px per output px
    factor = max(1, math.floor(min(x_step, y_step) / REDUCING_GAP))
    x_reach = _LANCZOS_REACH * max(x_step, factor) + 2 * factor
    y_reach = _LANCZOS_REACH * max(y_step, factor) + 2 * factor
    # Whole blocks of ``factor`` from the origin: each strip reduces as the whole image would.
    crop_left = max(0, math.floor(left - x_reach) // factor * factor)
    crop_right = min(img.width, math.ceil(right + x_reach))
    rows = max(1, math.floor(_BAND_BYTES / (4 * (crop_right - crop_left) * max(y_step, 1.0))))
    out = Image.new(img.mode, size)
    out.info = dict(img.info)  # the ICC profile, for the sRGB conversion
    for first in range(0, size[1], rows):
        last = min(first + rows, size[1])
        band_top, band_bottom = top + first * y_step, top + last * y_step
        crop_top = max(0, math.floor(band_top - y_reach) // factor * factor)
        crop_bottom = min(img.height, math.ceil(band_bottom + y_reach))
        strip = img.crop((crop_left, crop_top, crop_right, crop_bottom))
        if strip.mode == "RGBA":  # premultiplied once, so colour under transparency stays out
            strip = strip.convert("RGBa")
        if factor > 1:
            strip = strip.reduce(factor)
        # Across, then down, in two calls: given both at once, Pillow picks the order by the
        # image's shape, and bands of different shapes would round differently (a seam).
        across = (size[0], strip.height)
        x_box = ((left - crop_left) / factor, 0, (right - crop_left) / factor, strip.height)
        strip = strip.resize(across, _LANCZOS, box=x_box)
        y_box = (0, (band_top - crop_top) / factor, size[0], (band_bottom - crop_top) / factor)
        band = strip.resize((size[0], last - first), _LANCZOS, box=y_box)
        out.paste(band.convert(img.mode), (0, first))  # RGBa back to RGBA
    return out
