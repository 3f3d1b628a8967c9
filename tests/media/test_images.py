"""PillowImages: probing refuses what is not a safe raster image; rendering honours each fit,
the focal point, the output format, and strips metadata. Every input is made in the test."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms

from masthead.core.transforms import (
    Fit,
    FocalPoint,
    ImageInfo,
    ImageRejected,
    OutputFormat,
    TransformSpec,
)
from masthead.media.images import PillowImages

BLUE = (0, 0, 255)
RED = (255, 0, 0)


def _encoded(img: Image.Image, fmt: str, **options: object) -> io.BytesIO:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **options)
    buffer.seek(0)
    return buffer


def _solid(size: tuple[int, int] = (400, 200), fmt: str = "PNG", mode: str = "RGB") -> io.BytesIO:
    colour = (10, 120, 200, 255)[: len(mode)] if mode in ("RGB", "RGBA") else 128
    return _encoded(Image.new(mode, size, colour), fmt)


def _blue_left_red_right(size: tuple[int, int] = (400, 200)) -> io.BytesIO:
    img = Image.new("RGB", size, BLUE)
    img.paste(RED, (size[0] // 2, 0, size[0], size[1]))
    return _encoded(img, "PNG")


def _png_header(width: int, height: int) -> io.BytesIO:
    """A PNG whose header claims width x height, with almost no pixel data: a bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(1024))
    return io.BytesIO(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _pixel(img: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int, int]:
    red, green, blue, alpha = img.convert("RGBA").getpixel(xy)  # type: ignore[misc]
    return red, green, blue, alpha


def _share_of(img: Image.Image, colour: tuple[int, int, int]) -> float:
    """The fraction of pixels within a small distance of ``colour``."""
    data = img.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    close = [p for p in pixels if all(abs(a - b) < 40 for a, b in zip(p, colour, strict=True))]
    return len(close) / len(pixels)


@pytest.mark.parametrize(
    ("fmt", "mode", "mime_type"),
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
def test_probe_reports_size_and_real_type(fmt: str, mode: str, mime_type: str) -> None:
    stream = _encoded(Image.new(mode, (30, 20)), fmt)
    assert PillowImages().probe(stream) == ImageInfo(30, 20, mime_type)


def test_probe_swaps_width_and_height_for_exif_orientation_6() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    stream = _encoded(Image.new("RGB", (30, 20)), "JPEG", exif=exif)
    assert PillowImages().probe(stream) == ImageInfo(20, 30, "image/jpeg")


def test_truncated_jpeg_is_rejected() -> None:
    data = _encoded(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG").getvalue()
    with pytest.raises(ImageRejected, match="corrupt or truncated"):
        PillowImages().probe(io.BytesIO(data[: len(data) // 2]))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        b"MZ\x90\x00" + bytes(60),
        b"",
    ],
)
def test_non_images_are_rejected(data: bytes) -> None:
    with pytest.raises(ImageRejected, match="not an image"):
        PillowImages().probe(io.BytesIO(data))


def test_formats_outside_the_raster_list_are_rejected() -> None:
    stream = _encoded(Image.new("RGB", (8, 8)), "PCX")  # Pillow reads it; Masthead does not
    with pytest.raises(ImageRejected):
        PillowImages().probe(stream)


def test_decompression_bomb_is_rejected_from_its_header_quickly() -> None:
    bomb = _png_header(100_000, 100_000)
    started = time.perf_counter()
    with pytest.raises(ImageRejected, match="too many pixels"):
        PillowImages().probe(bomb)
    with pytest.raises(ImageRejected, match="too many pixels"):
        PillowImages().render(_png_header(100_000, 100_000), TransformSpec(100, 100))
    assert time.perf_counter() - started < 2


def test_images_over_the_configured_pixel_limit_are_rejected() -> None:
    images = PillowImages(max_pixels=400 * 200 - 1)
    with pytest.raises(ImageRejected, match="too large"):
        images.probe(_solid((400, 200)))
    with pytest.raises(ImageRejected, match="too large"):
        images.render(_solid((400, 200)), TransformSpec(100, 100))
    assert PillowImages(max_pixels=400 * 200).probe(_solid((400, 200))).width == 400


@pytest.mark.parametrize("side", [10_000, 100_000])
def test_pillows_own_bomb_limit_also_rejects_without_leaking_a_warning(side: int) -> None:
    """10_000² is in Pillow's warning band, 100_000² past its error limit; our limit is off."""
    max_pixels_before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageRejected, match="too many pixels"):
        PillowImages(max_pixels=10**12).probe(_png_header(side, side))
    assert max_pixels_before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("fit", [Fit.INSIDE, Fit.CONTAIN])
@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1000, 1000, (400, 200)),  # never upscaled
        (100, 100, (100, 50)),
        (300, 50, (100, 50)),
        (100, None, (100, 50)),
        (None, 50, (100, 50)),
        (None, 1000, (400, 200)),
    ],
)
def test_inside_and_contain_fit_the_box_keeping_ratio_without_upscaling(
    fit: Fit, width: int | None, height: int | None, expected: tuple[int, int]
) -> None:
    spec = TransformSpec(width, height, fit, OutputFormat.PNG)
    rendered = PillowImages().render(_solid((400, 200)), spec)
    assert (rendered.width, rendered.height) == expected
    assert _decoded(rendered.data).size == expected


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (100, 100, (100, 100)),
        (50, 150, (50, 150)),
        (400, 200, (400, 200)),
        (800, 800, (200, 200)),  # smaller than the box: cropped to its shape, not enlarged
        (1000, 100, (400, 40)),
        (100, None, (100, 50)),
    ],
)
def test_cover_fills_the_box_exactly_but_never_upscales(
    width: int, height: int | None, expected: tuple[int, int]
) -> None:
    spec = TransformSpec(width, height, Fit.COVER, OutputFormat.PNG)
    rendered = PillowImages().render(_solid((400, 200)), spec)
    assert (rendered.width, rendered.height) == expected
    assert _decoded(rendered.data).size == expected


@pytest.mark.parametrize(
    ("focal", "colour"),
    [(FocalPoint(0.9, 0.5), RED), (FocalPoint(0.1, 0.5), BLUE)],
)
@pytest.mark.parametrize("box", [(100, 100), (800, 800)])
def test_cover_crops_around_the_focal_point(
    focal: FocalPoint, colour: tuple[int, int, int], box: tuple[int, int]
) -> None:
    spec = TransformSpec(*box, fit=Fit.COVER, format=OutputFormat.PNG, focal=focal)
    rendered = PillowImages().render(_blue_left_red_right(), spec)
    assert _share_of(_decoded(rendered.data), colour) > 0.9


def test_cover_centres_by_default() -> None:
    spec = TransformSpec(100, 100, Fit.COVER, OutputFormat.PNG)
    crop = _decoded(PillowImages().render(_blue_left_red_right(), spec).data)
    assert 0.4 < _share_of(crop, RED) < 0.6
    assert 0.4 < _share_of(crop, BLUE) < 0.6


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(50, 80, (50, 80)), (800, 100, (800, 100)), (100, None, (100, 50)), (None, 20, (40, 20))],
)
def test_fill_stretches_to_the_exact_size(
    width: int | None, height: int | None, expected: tuple[int, int]
) -> None:
    spec = TransformSpec(width, height, Fit.FILL, OutputFormat.PNG)
    rendered = PillowImages().render(_solid((400, 200)), spec)
    assert (rendered.width, rendered.height) == expected
    assert _decoded(rendered.data).size == expected


@pytest.mark.parametrize("output", list(OutputFormat))
@pytest.mark.parametrize("source_format", ["JPEG", "PNG", "GIF", "WEBP", "AVIF", "TIFF", "BMP"])
def test_every_output_format_decodes_with_its_mime_type(
    output: OutputFormat, source_format: str
) -> None:
    source = _encoded(Image.new("RGB", (120, 90), (30, 160, 90)), source_format)
    rendered = PillowImages().render(source, TransformSpec(60, 60, Fit.INSIDE, output))
    img = _decoded(rendered.data)
    assert rendered.mime_type == output.mime_type == Image.MIME[str(img.format)]
    assert (rendered.width, rendered.height) == img.size == (60, 45)


def test_jpeg_from_rgba_is_flattened_onto_white() -> None:
    source = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    source.paste((255, 0, 0, 255), (20, 0, 40, 40))
    spec = TransformSpec(40, 40, Fit.INSIDE, OutputFormat.JPEG)
    img = _decoded(PillowImages().render(_encoded(source, "PNG"), spec).data)
    assert img.mode == "RGB"
    assert all(channel > 240 for channel in _pixel(img, (5, 20))[:3])


@pytest.mark.parametrize("output", [OutputFormat.WEBP, OutputFormat.AVIF, OutputFormat.PNG])
def test_formats_with_alpha_keep_transparency(output: OutputFormat) -> None:
    source = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    source.paste((255, 0, 0, 255), (20, 0, 40, 40))
    spec = TransformSpec(40, 40, Fit.INSIDE, output)
    img = _decoded(PillowImages().render(_encoded(source, "PNG"), spec).data)
    assert _pixel(img, (5, 20))[3] < 10
    assert _pixel(img, (35, 20))[3] > 245


def test_palette_image_with_transparency_keeps_it_in_webp() -> None:
    source = Image.new("P", (20, 20), 0)
    source.putpalette([255, 255, 255, 255, 0, 0])
    source.paste(1, (10, 0, 20, 20))
    stream = _encoded(source, "GIF", transparency=0)
    rendered = PillowImages().render(stream, TransformSpec(20, 20, Fit.INSIDE, OutputFormat.WEBP))
    assert _pixel(_decoded(rendered.data), (2, 10))[3] == 0


@pytest.mark.parametrize("output", list(OutputFormat))
def test_output_carries_no_exif_or_other_metadata(output: OutputFormat) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = _encoded(Image.new("RGB", (64, 48), "green"), "JPEG", exif=exif, icc_profile=icc)
    assert source.getvalue().count(b"Camera Maker") == 1
    rendered = PillowImages().render(source, TransformSpec(32, 32, Fit.INSIDE, output))
    img = _decoded(rendered.data)
    assert not img.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(img.info)
    assert b"Camera Maker" not in rendered.data


def test_render_turns_the_image_upright_from_exif_orientation() -> None:
    stored = Image.new("RGB", (60, 40), BLUE)
    stored.paste(RED, (0, 0, 30, 40))  # left half red as stored
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90° clockwise: red ends up on top
    source = _encoded(stored, "JPEG", exif=exif, quality=95)
    spec = TransformSpec(40, 60, Fit.INSIDE, OutputFormat.PNG)
    rendered = PillowImages().render(source, spec)
    img = _decoded(rendered.data)
    assert img.size == (rendered.width, rendered.height) == (40, 60)
    assert _share_of(img.crop((0, 0, 40, 25)), RED) > 0.9
    assert _share_of(img.crop((0, 35, 40, 60)), BLUE) > 0.9


def test_animated_gif_renders_its_first_frame() -> None:
    frames = [Image.new("RGB", (30, 30), colour) for colour in (RED, (0, 255, 0), BLUE)]
    stream = io.BytesIO()
    frames[0].save(stream, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    stream.seek(0)
    assert PillowImages().probe(stream) == ImageInfo(30, 30, "image/gif")
    stream.seek(0)
    rendered = PillowImages().render(stream, TransformSpec(30, 30, Fit.INSIDE, OutputFormat.WEBP))
    img = _decoded(rendered.data)
    assert getattr(img, "n_frames", 1) == 1
    assert _share_of(img, RED) > 0.95


def test_large_jpeg_is_shrunk_through_a_reduced_decode() -> None:
    """A 12-megapixel JPEG decodes at reduced scale for a thumbnail; the result is still right."""
    big = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    source = _encoded(big, "JPEG", quality=85)
    assert PillowImages().probe(source) == ImageInfo(4000, 3000, "image/jpeg")
    source.seek(0)
    spec = TransformSpec(320, 320, Fit.COVER, OutputFormat.WEBP)
    rendered = PillowImages().render(source, spec)
    assert _decoded(rendered.data).size == (320, 320)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("1", "PNG"),
        ("L", "PNG"),
        ("LA", "PNG"),
        ("I;16", "PNG"),
        ("CMYK", "JPEG"),
        ("RGBA", "TIFF"),
    ],
)
def test_unusual_source_modes_render_to_rgb(mode: str, fmt: str) -> None:
    source = _encoded(Image.new(mode, (40, 30)), fmt)
    for output in OutputFormat:
        rendered = PillowImages().render(source, TransformSpec(20, 20, Fit.INSIDE, output))
        assert _decoded(rendered.data).mode in ("RGB", "RGBA")
        source.seek(0)


def test_sixteen_bit_greyscale_keeps_its_tones() -> None:
    source = _encoded(Image.new("I;16", (40, 30), 32768), "PNG")
    spec = TransformSpec(20, 20, Fit.INSIDE, OutputFormat.PNG)
    red, green, blue, _ = _pixel(_decoded(PillowImages().render(source, spec).data), (5, 5))
    assert 120 <= red == green == blue <= 136
