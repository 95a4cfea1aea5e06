"""Sampling as the tab does it, on tiny UNets built under a fixed seed and saved the diffusers way:
loading from a local folder and from the Hub cache, the limits on Hub models, recordings that
stream, scrub and animate, samplers compared, and inpainting read from the brush."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from demos.diffusion import sampling
from demos.diffusion.model import training_scheduler
from shared import checkpoints
from shared.checkpoints import CheckpointError
from shared.limits import LimitError
from tests.hub_cache import hub_snapshot_dir


def tiny_unet(sample_size: int = 16, in_channels: int = 3):
    from diffusers import UNet2DModel

    torch.manual_seed(0)
    return UNet2DModel(sample_size=sample_size, in_channels=in_channels, out_channels=in_channels,
                       block_out_channels=(8, 16), layers_per_block=1, down_block_types=("DownBlock2D", "DownBlock2D"),
                       up_block_types=("UpBlock2D", "UpBlock2D"), norm_num_groups=4)


def save_tiny(folder: Path, **kwargs) -> Path:
    tiny_unet(**kwargs).save_pretrained(folder)
    training_scheduler().save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True)
def fresh_cache():
    checkpoints.clear_cache()
    yield
    checkpoints.clear_cache()


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return sampling.load_model(save_tiny(tmp_path_factory.mktemp("tiny-ddpm")))


def test_local_folder_loads_unet_and_its_scheduler(model):
    assert model.source == "local" and model.notice is None and model.side == 16
    assert model.scheduler_config["beta_schedule"] == "squaredcos_cap_v2" and not model.judged
    assert "0.0 M parameters, 16x16 images" in model.label


def test_hub_id_loads_from_the_offline_cache():
    save_tiny(hub_snapshot_dir("tester/tiny-ddpm"))
    model = sampling.load_model("tester/tiny-ddpm")
    assert model.source == "hub" and model.spec == "tester/tiny-ddpm" and model.notice is None
    images = sampling.process.run_to_end(sampling.process.sample(model.unet, model.scheduler_config, "DDIM", 3, 0, 2))
    assert images.shape == (2, 3, 16, 16)


@pytest.mark.parametrize("kwargs, message", [({"sample_size": 128}, "at most 64x64"), ({"in_channels": 4}, "latents")])
def test_models_this_tab_cannot_run_live_are_refused(tmp_path, kwargs, message):
    with pytest.raises(CheckpointError, match=message):
        sampling.load_model(save_tiny(tmp_path / "m", **kwargs))


def test_unreachable_hub_model_falls_back_to_the_bundled_one_with_a_notice():
    model = sampling.load_model("google/ddpm-cifar10-32")  # the tests run offline with an empty cache
    assert model.source == "bundled" and model.spec == "diffusion-shapes" and model.judged
    assert "google/ddpm-cifar10-32" in model.notice and "offline" in model.notice


def test_recording_streams_keeps_every_step_and_scrubs(model):
    rec, steps = sampling.sample_steps(model, "DDIM", 12, seed=3, n=2)
    shown = list(sampling.stream(rec, steps, update_s=0.0))
    assert len(shown) == 12 and rec.done and len(rec) == 12
    assert rec.indices == list(range(12)) and rec.timesteps == sorted(rec.timesteps, reverse=True)
    assert rec.final.shape == (2, 16, 16, 3) and rec.final.dtype == np.uint8
    first, last = rec.panel(0), rec.panel(-1)
    assert first.dtype == np.uint8 and first.shape == last.shape and not np.array_equal(first, last)
    assert "step 12 of 12" in rec.caption(-1)
    with pytest.raises(LimitError):
        rec.panel(12)


def test_first_step_is_shown_at_once_and_updates_are_throttled(model):
    rec, steps = sampling.sample_steps(model, "DDIM", 30, seed=0, n=1)
    shown = [len(r) for r in sampling.stream(rec, steps, update_s=60.0)]
    assert shown == [1, 30]  # the first step, then (throttled) only the end


def test_a_slow_consumer_gets_fewer_updates_within_the_budget(model):
    """Time spent showing updates stays within the budget's share of the computation (plus the
    first and the last update, which always come)."""
    import time

    rec, steps = sampling.sample_steps(model, "DDIM", 60, seed=0, n=1)
    shown = 0
    for _ in sampling.stream(rec, steps, update_s=0.0, budget=0.1):
        time.sleep(0.02)  # drawing and sending one update
        shown += 1
    assert rec.done and 2 <= shown < 60
    assert 0.02 * shown <= 0.1 * rec.seconds + 2 * 0.02 + 0.01


def test_closing_the_stream_stops_the_computation(model):
    """Gradio closes the generator of a cancelled run: no step may run after that."""
    rec, steps = sampling.sample_steps(model, "DDIM", 30, seed=0, n=1)
    computed = []

    def counted():
        for step in steps:
            computed.append(step.index)
            yield step

    shown = sampling.stream(rec, counted(), update_s=0.0)
    next(shown), next(shown)
    shown.close()
    assert computed == [0, 1] and len(rec) == 2 and not rec.done


def test_long_runs_keep_at_most_the_frame_budget_and_the_last_step(model):
    rec, steps = sampling.sample_steps(model, "DDPM", 450, seed=0, n=1)
    for _ in sampling.stream(rec, steps):
        pass
    assert len(rec) <= sampling.KEPT_FRAMES + 1 and rec.indices[0] == 0 and rec.indices[-1] == 449


def test_same_seed_same_samples_and_a_gif_of_the_run(model):
    a, sa = sampling.sample_steps(model, "DPM-Solver++", 6, seed=11, n=2)
    b, sb = sampling.sample_steps(model, "DPM-Solver++", 6, seed=11, n=2)
    for rec, steps in ((a, sa), (b, sb)):
        for _ in sampling.stream(rec, steps):
            pass
    assert np.array_equal(a.final, b.final)
    gif = Image.open(a.gif())
    assert gif.n_frames == 6 and gif.info.get("loop") == 0


@pytest.mark.parametrize("args", [("DDIM", 0, 0, 1), ("DDIM", 5, -1, 1), ("DDIM", 5, 0, 17), ("PLMS", 5, 0, 1)])
def test_bad_sampling_values_are_refused_before_any_work(model, args):
    with pytest.raises(LimitError):
        sampling.sample_steps(model, *args)


def test_compare_runs_each_sampler_on_the_same_noise(model):
    results = list(sampling.compare(model, [("DDIM", 4), ("Euler", 4), ("DPM-Solver++", 2)], seed=5, n=3))
    assert [(r.sampler, r.steps) for r in results] == [("DDIM", 4), ("Euler", 4), ("DPM-Solver++", 2)]
    assert all(r.images.shape == (3, 16, 16, 3) and r.seconds > 0 and r.valid is None for r in results)
    with pytest.raises(LimitError):
        list(sampling.compare(model, [("DDIM", 4)] * 4, seed=5, n=3))


def test_brush_strokes_become_the_mask_and_a_region_is_the_fallback():
    from demos.diffusion.images_ui import read_editor  # the Gradio adapter over sampling.image_and_mask

    background = np.zeros((128, 128, 3), np.uint8)
    layer = np.zeros((128, 128, 4), np.uint8)
    layer[0:64, 0:32, 3] = 255  # the top-left quarter of the width, top half of the height
    image, keep, brushed = read_editor({"background": background, "layers": [layer]}, 16, "left half")
    assert brushed and image.shape == (16, 16, 3)
    assert not keep[:8, :4].any() and keep[8:, :].all() and keep[:, 4:].all()
    _, keep, brushed = read_editor({"background": background, "layers": []}, 16, "left half")
    assert not brushed and not keep[:, :8].any() and keep[:, 8:].all()


def test_editor_files_that_are_not_images_get_a_message(tmp_path):
    from demos.diffusion.images_ui import read_editor

    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    with pytest.raises(LimitError, match="not an image"):
        read_editor({"background": str(bad), "layers": []}, 16, "left half")
    with pytest.raises(LimitError, match="picture"):
        read_editor({"background": None, "layers": []}, 16, "left half")
    with pytest.raises(LimitError):
        read_editor({"background": np.zeros((8, 8, 3), np.uint8), "layers": []}, 16, "middle")


def test_a_painted_mask_or_a_rectangle_from_plain_arrays():
    image = np.zeros((64, 64, 3), np.uint8)
    painted = np.zeros((64, 64), bool)
    painted[:, 48:] = True  # the right quarter
    small, keep, used = sampling.image_and_mask(image, painted, 16, "left half")
    assert used and small.shape == (16, 16, 3) and not keep[:, 12:].any() and keep[:, :12].all()
    _, keep, used = sampling.image_and_mask(image, None, 16, "top half")
    assert not used and np.array_equal(keep, sampling.region_keep("top half", 16))
    assert np.array_equal(sampling.rectangle_keep(32, 25, 75, 25, 75), sampling.region_keep("centre square", 32))
    assert (~sampling.rectangle_keep(32, 0, 1, 0, 1)).sum() == 1  # a thin rectangle still covers a pixel
    with pytest.raises(LimitError, match="rectangle is empty"):
        sampling.rectangle_keep(32, 50, 50, 0, 100)
    with pytest.raises(LimitError, match="percent"):
        sampling.rectangle_keep(32, 0, 150, 0, 100)


def test_inpainting_keeps_the_unmasked_pixels_and_fills_the_rest(model):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
    keep = sampling.region_keep("centre square", 16)
    rec, steps = sampling.inpaint_steps(model, image, keep, "DDPM", 8, seed=1)
    for _ in sampling.stream(rec, steps):
        pass
    assert np.abs(rec.final[0][keep].astype(int) - image[keep]).max() <= 1  # rounding of [-1, 1] back to uint8
    assert not np.array_equal(rec.final[0][~keep], image[~keep])
    assert rec.panel(-1).shape[1] > rec.panel(-1).shape[0]  # the masked input is shown beside the steps
    with pytest.raises(LimitError, match="Nothing to fill"):
        sampling.inpaint_steps(model, image, np.ones((16, 16), bool), "DDIM", 8, seed=1)
    with pytest.raises(LimitError, match="DDPM or DDIM"):
        sampling.inpaint_steps(model, image, keep, "Euler", 8, seed=1)
