"""The server-wide watermark switch (issue 36): off by default, every generator's samples pass
through one funnel (shared/watermark.shown) that, switched on, shows them at 256+ pixels a side with
an invisible mark naming the model and the seed, and registers it for the provenance tab's read-back.

Checked: off, the funnel hands back the very picture; on, a whole-number enlargement whose mark reads
back exactly and whose payload the register names; the register is bounded and safe under thirty
threads; the flag and the environment variable turn it on; the embedding is imwatermark's on the
shapes, and corrects its flaws on white; and each generator's own sample function, switched on,
shows a picture that names its model and the visitor's seed."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shared import watermark
from shared.datasets import held_out_shapes, image_grid


@pytest.fixture
def switch(monkeypatch):
    """The switch as the environment leaves it (off); restored after the test."""
    monkeypatch.delenv(watermark.ENVIRONMENT, raising=False)
    before = watermark._switch
    watermark.enable(None)
    yield watermark
    watermark.enable(before)


@pytest.fixture
def marking(switch):
    switch.enable(True)
    return switch


def pixels(file_or_bytes: str | bytes | np.ndarray) -> np.ndarray:
    if isinstance(file_or_bytes, np.ndarray):
        return file_or_bytes
    source = io.BytesIO(file_or_bytes) if isinstance(file_or_bytes, bytes) else Path(file_or_bytes)
    with Image.open(source) as image:
        return np.asarray(image.convert("RGB"))


def names(picture: np.ndarray, model: str, seed: int) -> None:
    """The picture's mark is exactly (model, seed)'s, and the register says so."""
    payload = watermark.payload_of(model, seed)
    assert min(picture.shape[:2]) >= watermark.MIN_SIDE
    assert watermark.read(picture) == payload
    assert watermark.lookup(payload)[:2] == (model, seed)


# ---- the switch and the funnel -----------------------------------------------------------------


def test_off_by_default_the_funnel_hands_back_the_very_picture(switch, monkeypatch):
    picture = held_out_shapes()[0]
    assert not switch.enabled()
    assert switch.shown(picture, "gan-shapes", 1) is picture
    png = b"\x89PNG not even decoded"
    assert switch.shown_png(png, "gan-shapes", 1) is png
    assert switch.lookup(switch.payload_of("never-marked", 1)) is None
    monkeypatch.setenv(switch.ENVIRONMENT, "1")  # the Streamlit front end's switch
    assert switch.enabled()
    switch.enable(False)  # the process's choice over the environment's
    assert not switch.enabled()
    monkeypatch.setenv(switch.ENVIRONMENT, "0")
    switch.enable(None)
    assert not switch.enabled()


def test_the_app_flag_turns_it_on(switch):
    from shared.ui import apply_switches, arg_parser

    apply_switches(arg_parser("test").parse_args([]))
    assert not switch.enabled()
    apply_switches(arg_parser("test").parse_args(["--watermark"]))
    assert switch.enabled()


@pytest.mark.parametrize(("shape", "factor"), [((32, 32), 8), ((138, 138), 2), ((144, 552), 2), ((300, 100), 3),
                                               ((296, 1060), 1), ((64, 64), 4)])
def test_on_a_whole_enlargement_marked_and_registered(marking, shape, factor):
    h, w = shape
    sheet = image_grid(held_out_shapes()[:64], columns=16, scale=3)  # 414 x 1638, samples on white
    picture = held_out_shapes()[5] if (h, w) == (32, 32) else np.ascontiguousarray(sheet[:h, :w])
    seed = 1000 + h + w
    shown = marking.shown(picture, "vae-shapes", seed)
    assert marking.display_factor(h, w) == factor
    assert shown.shape == (factor * h, factor * w, 3) and shown.dtype == np.uint8
    nearest = picture.repeat(factor, 0).repeat(factor, 1)
    psnr = 10 * np.log10(255**2 / np.mean((shown.astype(float) - nearest) ** 2))
    assert psnr > 33  # the crisp enlargement, invisibly marked
    names(shown, "vae-shapes", seed)
    when = marking.lookup(marking.payload_of("vae-shapes", seed))[2]
    assert abs(when - __import__("time").time()) < 60
    assert marking.read(marking.ATTACKS["JPEG quality 75"](shown)) == marking.payload_of("vae-shapes", seed)


def test_the_png_funnel_marks_the_decoded_picture(marking):
    from shared.image_files import png_bytes

    picture = image_grid(held_out_shapes()[:8], columns=8, scale=4)  # 144 x 1096, as the diffusion tab's
    out = marking.shown_png(png_bytes(picture), "diffusion-shapes", 7)
    assert pixels(out).shape == (288, 2192, 3)
    names(pixels(out), "diffusion-shapes", 7)


def test_the_register_is_bounded_and_keeps_the_newest(marking, monkeypatch):
    monkeypatch.setattr(marking, "REGISTER_SIZE", 8)
    picture = held_out_shapes()[3].repeat(8, 0).repeat(8, 1)
    for seed in range(12):
        marking.shown(picture, "bounded", seed)
    assert len(marking._register) == 8
    assert [marking.lookup(marking.payload_of("bounded", s)) is None for s in range(12)] == [True] * 4 + [False] * 8
    marking.shown(picture, "bounded", 4)  # shown again: the newest once more
    marking.shown(picture, "bounded", 100)
    assert marking.lookup(marking.payload_of("bounded", 4)) is not None
    assert marking.lookup(marking.payload_of("bounded", 5)) is None


def test_thirty_visitors_marking_at_once(marking):
    shapes = held_out_shapes()
    start, results, errors = threading.Barrier(30), {}, []

    def visitor(k: int) -> None:
        try:
            start.wait()
            results[k] = marking.shown(shapes[k], f"model-{k % 3}", 500 + k)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=visitor, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 30
    for k, shown in results.items():
        assert shown.shape == (256, 256, 3)
        names(shown, f"model-{k % 3}", 500 + k)


# ---- the embedding -----------------------------------------------------------------------------


def test_the_embedding_is_imwatermarks_on_the_shapes():
    """On a sample shown at 256 (no white, few flat blocks the library misplaces) our mark is the
    library's but for a pixel in a few hundred, both readers read both, and they agree everywhere."""
    from imwatermark import WatermarkDecoder, WatermarkEncoder

    def library_read(seen: np.ndarray) -> bytes:
        decoder = WatermarkDecoder("bytes", 8 * watermark.PAYLOAD_BYTES)
        return bytes(decoder.decode(np.ascontiguousarray(seen[..., ::-1]), watermark.METHOD, scales=watermark.SCALES))

    for k in range(4):
        picture = held_out_shapes()[k].repeat(8, 0).repeat(8, 1)
        payload = watermark.payload_of("gan-shapes", k)
        encoder = WatermarkEncoder()
        encoder.set_watermark("bytes", payload)
        theirs = encoder.encode(np.ascontiguousarray(picture[..., ::-1]), watermark.METHOD, scales=watermark.SCALES)[..., ::-1]
        ours = watermark.mark(picture, payload)
        assert (ours != theirs).any(axis=2).mean() < 0.005
        for seen in (picture, ours, theirs, watermark.ATTACKS["JPEG quality 75"](ours)):
            assert watermark.read(seen) == library_read(seen)
        assert watermark.read(ours) == watermark.read(theirs) == payload


def test_white_stays_white_and_a_mostly_white_picture_keeps_its_mark():
    """The library wraps a bit pushed past white round to black and reads white as 0: corrected."""
    picture = np.full((300, 640, 3), 255, np.uint8)  # a sheet: mostly white, four samples on it
    for k in range(4):
        picture[20:148, 20 + 150 * k:148 + 150 * k] = held_out_shapes()[k].repeat(4, 0).repeat(4, 1)
    payload = watermark.payload_of("pixelcnn-shapes", 3)
    marked = watermark.mark(picture, payload)
    white = (picture == 255).all(axis=2)
    assert white.mean() > 0.6
    assert np.abs(marked.astype(int) - picture).max() <= 30  # no specks
    patches = white[:296, :640].reshape(37, 8, 80, 8).all(axis=(1, 3))  # the 8x8 patches all white
    assert (marked[:296, :640][np.repeat(np.repeat(patches, 8, 0), 8, 1)] == 255).all()
    assert watermark.read(marked) == payload
    assert watermark.read(watermark.ATTACKS["JPEG quality 75"](marked)) == payload


# ---- every generator's own sample function, switched on -----------------------------------------


def test_the_gan_tabs_sample_grid_names_its_model_and_seed(switch):
    from demos.gan import ui
    from demos.gan.model import BUNDLED_NAME

    plain, first = ui.show_grid(21, 1.0)
    assert first == 21 and BUNDLED_NAME == "gan-shapes"
    switch.enable(True)
    path, first = ui.show_grid(21, 1.0)
    shown = pixels(path)
    assert shown.shape == pixels(plain).shape  # wide and tall enough already: a tile click maps as before
    names(shown, "gan-shapes", 21)
    assert watermark.read(pixels(plain)) != watermark.payload_of("gan-shapes", 21)


def test_the_conditional_grid(marking):
    from demos.gan import ui

    grid, _, truncation = ui.run_conditional_grid("star", "blue", 9, 1.0)
    names(pixels(grid), "gan-shapes-conditional", 9)


def test_the_vae_samples(marking):
    from demos.vae import ui

    sheet, _ = ui.run_sample("fitted", 1.0, 13, 8, "β = 6")
    names(pixels(sheet), "vae-shapes-beta6", 13)


def test_the_flows_samples(marking):
    from demos.flows import ui

    strip, _ = ui.sample_images(4, 0.7, 17)
    names(pixels(strip), "flow-shapes", 17)


def test_the_diffusion_samples(marking):
    from demos.diffusion import images_ui

    updates = list(images_ui.sample_images("", "DDIM", 4, 2, 19))
    result = updates[-2][4]
    names(pixels(result), "diffusion-shapes", 19)
    panels = [u[1] for u in updates if isinstance(u[1], str)]
    assert panels and all(min(pixels(p).shape[:2]) < 256 or watermark.lookup(watermark.read(pixels(p))) is None
                          for p in panels)  # the run's steps are not marked: only its result


def test_the_stable_diffusion_result(marking):
    from demos.stable_diffusion import options, ui

    updates = list(ui.generate(options.BUNDLED, "a red circle", "", 3.0, 3, 23, "DDIM"))
    assert pixels(updates[1][0]).shape == (256, 256, 3)  # (the first update is the start: no picture yet)
    names(pixels(updates[-1][0]), "sd-shapes", 23)


def test_the_pixelcnn_samples(marking):
    from demos.pixelcnn import ui

    updates = list(ui.sample(1, 1.0, 29))
    names(pixels(updates[-1][0]), "pixelcnn-shapes", 29)
