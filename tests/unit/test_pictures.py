"""Any upload becomes the RGB picture a viewer shows: odd modes, transparency, 16-bit, animation,
EXIF rotation; and the centre square is what the models see."""

import numpy as np
import pytest
from PIL import Image

from shared.limits import LimitError
from shared.pictures import PictureLimits, centre_square, open_picture

DARK = (28, 30, 38)


def saved(tmp_path, image: Image.Image, name: str = "x.png", **kwargs) -> str:
    path = tmp_path / name
    image.save(path, **kwargs)
    return str(path)


def test_transparent_pixels_take_the_background_colour(tmp_path):
    rgba = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    rgba.paste((255, 0, 0, 255), (5, 5, 15, 15))
    out = np.asarray(open_picture(saved(tmp_path, rgba), PictureLimits(background=DARK)))
    assert tuple(out[0, 0]) == DARK and tuple(out[10, 10]) == (255, 0, 0)
    half = Image.new("LA", (10, 10), (200, 128))  # grey 200 at half opacity over the dark background
    out = np.asarray(open_picture(saved(tmp_path, half, "la.png"), PictureLimits(background=DARK)))
    assert abs(int(out[0, 0, 0]) - round(200 * 128 / 255 + 28 * 127 / 255)) <= 1


def test_sixteen_bit_greys_are_scaled_not_clipped(tmp_path):
    values = np.array([[0, 32768], [65535, 16384]], np.uint16).repeat(8, 0).repeat(8, 1)
    path = saved(tmp_path, Image.fromarray(values, "I;16"))
    out = np.asarray(open_picture(path))
    assert out.shape == (16, 16, 3)
    assert [int(out[0, 0, 0]), int(out[0, 8, 0]), int(out[8, 0, 0]), int(out[8, 8, 0])] == [0, 128, 255, 64]


def test_palette_cmyk_and_animation(tmp_path):
    palette = Image.new("RGB", (12, 12), (0, 200, 0)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert tuple(np.asarray(open_picture(saved(tmp_path, palette, "p.png")))[0, 0]) == (0, 200, 0)
    cmyk = Image.new("CMYK", (12, 12), (0, 255, 255, 0))  # pure red in ink
    red = np.asarray(open_picture(saved(tmp_path, cmyk, "c.jpg", quality=100)))[6, 6].astype(int)
    assert np.abs(red - [255, 0, 0]).max() <= 3, red
    frames = [Image.new("RGB", (12, 12), c) for c in ((0, 0, 255), (255, 255, 0))]
    path = saved(tmp_path, frames[0], "a.gif", save_all=True, append_images=frames[1:])
    assert tuple(np.asarray(open_picture(path))[0, 0]) == (0, 0, 255)  # the first frame


def test_exif_rotation_survives_transparency(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 40 x 20, shown turned 90 degrees: 20 x 40
    path = saved(tmp_path, Image.new("RGB", (40, 20), "red"), "r.jpg", exif=exif)
    assert open_picture(path).size == (20, 40)


def test_limits_name_the_file_as_asked(tmp_path):
    path = saved(tmp_path, Image.new("RGB", (4, 4)))
    with pytest.raises(LimitError, match=r"^The image is 4 x 4 pixels; it needs at least 8 on each side\.$"):
        open_picture(path, PictureLimits(noun="image"))
    with pytest.raises(LimitError, match=r"^The image could not be found on the server; upload it again\.$"):
        open_picture(str(tmp_path / "gone.png"), PictureLimits(noun="image"))


def test_centre_square_crops_the_middle_then_resizes():
    wide = np.zeros((20, 60, 3), np.uint8)
    wide[:, 20:40] = 255  # the middle square is white, the sides black
    out = centre_square(Image.fromarray(wide), 10)
    assert out.shape == (10, 10, 3) and out.min() == 255
    assert centre_square(Image.fromarray(wide), 40).shape == (40, 40, 3)  # enlarged
