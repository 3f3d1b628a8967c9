"""PillowImages decodes an image once for its probe and all its renditions, and shrinks the
decode to what the largest rendition needs before making any: renditions made that way
match Pillow's own resize of the whole image (issue 13, defect 4)."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageChops, ImageFile

from masthead.core.transforms import Fit, ImageInfo, OutputFormat, TransformSpec
from masthead.media import bands
from masthead.media.images import PillowImages

THUMB = TransformSpec(320, 320, Fit.COVER, OutputFormat.WEBP)
MEDIUM = TransformSpec(1280, 1280, Fit.INSIDE, OutputFormat.WEBP)


def _encoded(img: Image.Image, fmt: str, **options: object) -> io.BytesIO:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **options)
    buffer.seek(0)
    return buffer


def _detailed(mode: str, size: tuple[int, int]) -> Image.Image:
    """Gradients both ways and noise (and a radial alpha): every band of rows differs."""
    bands = [
        Image.linear_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.effect_noise(size, 60),
    ]
    if mode == "RGBA":
        bands.append(Image.radial_gradient("L").resize(size))
    return Image.merge(mode, bands)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every real decode (a ``load`` with pixel data still to read)."""
    seen: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counting(self: ImageFile.ImageFile) -> object:
        if self.tile:
            seen.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return seen


def test_probe_and_every_variant_come_from_one_decode(decodes: list[tuple[int, int]]) -> None:
    source = _encoded(_detailed("RGB", (2400, 1600)), "JPEG", quality=85)
    info, (thumb, medium) = PillowImages().probe_and_render(source, [THUMB, MEDIUM])
    assert info == ImageInfo(2400, 1600, "image/jpeg")
    assert (thumb.width, thumb.height) == (320, 320)
    assert (medium.width, medium.height) == (1280, 853)
    assert decodes == [(2400, 1600)]  # medium needs more than half of it: a full-size decode


def test_a_jpeg_is_decoded_no_larger_than_twice_its_largest_rendition(
    decodes: list[tuple[int, int]],
) -> None:
    source = _encoded(_detailed("RGB", (4000, 3000)), "JPEG", quality=85)
    _, (thumb,) = PillowImages().probe_and_render(source, [THUMB])
    assert (thumb.width, thumb.height) == (320, 320)
    assert decodes == [(1000, 750)]  # DCT scaling to a quarter: 750 >= 2 x 320


def test_probing_alone_decodes_a_jpeg_at_an_eighth(decodes: list[tuple[int, int]]) -> None:
    source = _encoded(_detailed("RGB", (4000, 3000)), "JPEG", quality=85)
    assert PillowImages().probe_and_render(source, []) == (ImageInfo(4000, 3000, "image/jpeg"), [])
    assert decodes == [(500, 375)]


@pytest.mark.parametrize(("mode", "tolerance"), [("RGB", 0), ("RGBA", 4)])
def test_a_reduced_rendition_matches_pillows_resize_of_the_whole_image(
    mode: str, tolerance: int
) -> None:
    """The decode is reduced in bands of rows before resizing: no seam, no shift. With alpha,
    premultiplying is rounded twice (reduce, then resize), hence a few levels."""
    whole = _detailed(mode, (3000, 2000))
    spec = TransformSpec(400, 400, Fit.INSIDE, OutputFormat.PNG)
    rendered = PillowImages().render(_encoded(whole, "PNG", compress_level=1), spec)
    got = Image.open(io.BytesIO(rendered.data)).convert(mode)
    expected = whole.resize(got.size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    assert got.size == (400, 267)
    assert max(ImageChops.difference(got, expected).tobytes()) <= tolerance


def test_a_large_palette_image_keeps_its_transparency_through_the_reduction() -> None:
    img = Image.new("P", (2000, 1000), 0)
    img.putpalette([255, 0, 0, 0, 0, 255])
    img.paste(1, (1000, 0, 2000, 1000))
    source = _encoded(img, "PNG", transparency=1)
    rendered = PillowImages().render(source, TransformSpec(200, 100, Fit.FILL, OutputFormat.PNG))
    out = Image.open(io.BytesIO(rendered.data)).convert("RGBA")
    assert out.getpixel((20, 50)) == (255, 0, 0, 255)
    assert out.getpixel((180, 50))[3] == 0  # type: ignore[index]


def test_a_reduced_image_is_turned_upright_from_exif_orientation() -> None:
    stored = Image.new("RGB", (1800, 1200), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 900, 1200))  # left half red as stored
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90° clockwise: red ends up on top
    source = _encoded(stored, "PNG", exif=exif)
    rendered = PillowImages().render(source, TransformSpec(100, 150, Fit.INSIDE, OutputFormat.PNG))
    out = Image.open(io.BytesIO(rendered.data)).convert("RGB")
    assert out.size == (100, 150)
    assert out.getpixel((50, 10)) == (255, 0, 0)
    assert out.getpixel((50, 140)) == (0, 0, 255)


def test_the_callers_stream_stays_open() -> None:
    source = _encoded(_detailed("RGB", (600, 400)), "GIF")  # multi-frame capable formats too
    PillowImages().probe_and_render(source, [THUMB])
    assert not source.closed


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize(
    ("box", "size"),
    [
        ((0.0, 0.0, 1500.0, 1000.0), (400, 267)),  # shrink, reduced first
        ((222.9, 166.6, 710.7, 990.8), (68, 500)),  # a crop, squeezed across
        ((440.7, 427.7, 1493.6, 889.2), (1670, 599)),  # a crop, enlarged (fill)
    ],
)
def test_resizing_in_bands_leaves_no_seam(
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    box: tuple[float, float, float, float],
    size: tuple[int, int],
) -> None:
    """Bands of a few rows give what one band does (to a level: Pillow takes the box in
    single precision, and each band's box is offset differently)."""
    source = _detailed(mode, (1500, 1000))
    monkeypatch.setattr(bands, "_BAND_BYTES", 1 << 40)
    whole = bands.resize_in_bands(source, size, box)
    monkeypatch.setattr(bands, "_BAND_BYTES", 100_000)
    banded = bands.resize_in_bands(source, size, box)
    premultiplied = "RGBa" if mode == "RGBA" else mode
    difference = ImageChops.difference(banded.convert(premultiplied), whole.convert(premultiplied))
    assert max(difference.tobytes()) <= 2
