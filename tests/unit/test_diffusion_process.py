"""The diffusion process on a tiny UNet built under a fixed seed: the forward process matches its
closed form, every sampler steps cleanly, seeds repeat, inpainting keeps the known pixels."""

import pytest
import torch

from demos.diffusion import process
from demos.diffusion.model import SCHEDULES, training_scheduler
from shared.limits import LimitError


@pytest.fixture(scope="module")
def tiny():
    from diffusers import UNet2DModel

    torch.manual_seed(0)
    unet = UNet2DModel(sample_size=8, in_channels=3, out_channels=3, block_out_channels=(8, 16), layers_per_block=1,
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       norm_num_groups=4).eval()
    return unet, training_scheduler().config


@pytest.mark.parametrize("t", [0, 10, 250, 500, 999])
def test_forward_process_matches_its_closed_form(t):
    scheduler = training_scheduler()
    g = torch.Generator().manual_seed(t)
    x0, noise = torch.rand(4, 3, 8, 8, generator=g) * 2 - 1, torch.randn(4, 3, 8, 8, generator=g)
    abar = process.alphas_cumprod(scheduler.config)
    ours = process.add_noise(x0, torch.full((4,), t), noise, abar)
    expected = abar[t].sqrt() * x0 + (1 - abar[t]).sqrt() * noise
    torch.testing.assert_close(ours, expected)
    torch.testing.assert_close(ours, scheduler.add_noise(x0, noise, torch.full((4,), t)))


def test_forward_process_ends_in_pure_noise():
    abar = process.alphas_cumprod(training_scheduler().config)
    x0 = torch.ones(64, 3, 8, 8)
    xt = process.add_noise(x0, 999, torch.randn(64, 3, 8, 8, generator=torch.Generator().manual_seed(0)), abar)
    assert abs(float(xt.mean())) < 0.05 and abs(float(xt.std()) - 1) < 0.05


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_schedule_curves_fall(schedule):
    c = process.schedule_curves(schedule)
    assert len(c["t"]) == 1000 and (c["beta"] > 0).all() and (c["beta"] < 1).all()
    assert (c["alpha_bar"][1:] < c["alpha_bar"][:-1]).all() and (c["log10_snr"][1:] < c["log10_snr"][:-1]).all()


def test_cosine_keeps_more_signal_midway_than_linear():
    cosine, linear = process.schedule_curves("squaredcos_cap_v2"), process.schedule_curves("linear")
    assert cosine["alpha_bar"][500] > linear["alpha_bar"][500]


@pytest.mark.parametrize("sampler", process.SAMPLERS)
def test_every_sampler_steps_with_finite_values_of_the_right_shape(tiny, sampler):
    unet, config = tiny
    steps = list(process.sample(unet, config, sampler, steps=3, seed=0, n=2))
    assert len(steps) == 3 and [s.index for s in steps] == [0, 1, 2]
    assert steps[0].timestep > steps[-1].timestep
    for s in steps:
        for x in (s.x_t, s.x0_hat, s.eps, s.x_next):
            assert x.shape == (2, 3, 8, 8) and torch.isfinite(x).all()
        assert s.x0_hat.abs().max() <= 1


@pytest.mark.parametrize("sampler", ["DDPM", "DDIM", "Euler"])
def test_same_seed_same_sample(tiny, sampler):
    unet, config = tiny
    a = process.run_to_end(process.sample(unet, config, sampler, steps=4, seed=7))
    b = process.run_to_end(process.sample(unet, config, sampler, steps=4, seed=7))
    c = process.run_to_end(process.sample(unet, config, sampler, steps=4, seed=8))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("sampler", ["DDPM", "DDIM"])
def test_inpainting_leaves_the_known_pixels_unchanged(tiny, sampler):
    unet, config = tiny
    image = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(3)) * 2 - 1
    keep = torch.ones(1, 1, 8, 8, dtype=torch.bool)
    keep[..., 2:6, 2:6] = False  # fill the middle
    out = process.run_to_end(process.inpaint(unet, config, image, keep, steps=5, seed=0, sampler=sampler))
    kept = keep.expand_as(image)
    torch.testing.assert_close(out[kept], image[kept])
    assert not torch.allclose(out[~kept], image[~kept])


@pytest.mark.parametrize("kwargs", [{"sampler": "PLMS"}, {"steps": 0}, {"steps": 5000}, {"seed": -1}, {"n": 99}])
def test_bad_sampling_requests_get_a_message(tiny, kwargs):
    unet, config = tiny
    args = {"sampler": "DDIM", "steps": 2, "seed": 0, "n": 1} | kwargs
    with pytest.raises(LimitError):
        list(process.sample(unet, config, **args))


def test_inpainting_refuses_samplers_and_masks_it_cannot_use(tiny):
    unet, config = tiny
    image, keep = torch.zeros(1, 3, 8, 8), torch.ones(1, 1, 8, 8, dtype=torch.bool)
    with pytest.raises(LimitError):
        list(process.inpaint(unet, config, image, keep, 2, 0, sampler="Euler"))
    with pytest.raises(LimitError):
        list(process.inpaint(unet, config, image, torch.ones(1, 1, 4, 4, dtype=torch.bool), 2, 0))


def test_the_folder_layout_loads_like_a_hub_model(tmp_path, tiny):
    """UNet and scheduler side by side, as in google/ddpm-cifar10-32, through the one loading path."""
    from pathlib import Path

    from diffusers import DDPMScheduler, UNet2DModel

    from shared.checkpoints import load

    unet, _ = tiny
    unet.save_pretrained(tmp_path / "m")
    training_scheduler().save_pretrained(tmp_path / "m")
    assert (tmp_path / "m" / "diffusion_pytorch_model.safetensors").exists()
    loaded = load(UNet2DModel, Path(tmp_path / "m"), device="cpu").model
    scheduler = DDPMScheduler.from_pretrained(tmp_path / "m")
    assert scheduler.config.beta_schedule == "squaredcos_cap_v2"
    a = process.run_to_end(process.sample(unet, scheduler.config, "DDIM", 2, 0))
    b = process.run_to_end(process.sample(loaded, scheduler.config, "DDIM", 2, 0))
    torch.testing.assert_close(a, b)
