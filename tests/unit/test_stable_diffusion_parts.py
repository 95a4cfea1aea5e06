"""The Stable Diffusion pipeline's parts on tiny configs: shapes, finiteness, determinism under a
seed, guidance 1 equal to the conditional prediction, and the folder loading as a diffusers
StableDiffusionPipeline."""

import numpy as np
import pytest
import torch

from demos.stable_diffusion import model, pipeline
from demos.stable_diffusion.train import eval_prompts, save_pipeline


@pytest.fixture(scope="module")
def tiny_parts():
    from tests.sd_tiny import tiny_parts

    return tiny_parts()


def test_autoencoder_maps_32x32_to_a_4x8x8_latent_and_back(tiny_parts):
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        z = tiny_parts.vae.encode(x).latent_dist.mean
        y = tiny_parts.vae.decode(z).sample
    assert z.shape == (2, model.LATENT_CHANNELS, model.LATENT_SIDE, model.LATENT_SIDE) and y.shape == x.shape
    assert torch.isfinite(y).all()


def test_sampling_is_deterministic_under_a_seed_and_streams_every_step(tiny_parts):
    steps = list(pipeline.denoise(tiny_parts, ["a red circle", "a blue star"], guidance=3.0, steps=5, seed=7))
    assert [s.index for s in steps] == [0, 1, 2, 3, 4] and steps[0].timestep > steps[-1].timestep
    assert steps[-1].latent.shape == (2, 4, 8, 8) and steps[0].noise_uncond.shape == (2, 4, 8, 8)
    again = list(pipeline.denoise(tiny_parts, ["a red circle", "a blue star"], guidance=3.0, steps=5, seed=7))
    assert torch.equal(steps[-1].latent, again[-1].latent)
    other = list(pipeline.denoise(tiny_parts, ["a red circle", "a blue star"], guidance=3.0, steps=5, seed=8))
    assert not torch.equal(steps[-1].latent, other[-1].latent)
    images = pipeline.decode(tiny_parts, steps[-1].latent)
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.uint8


def test_guidance_one_is_the_conditional_prediction(tiny_parts):
    plain = list(pipeline.denoise(tiny_parts, ["a red circle"], guidance=1.0, steps=3, seed=1))
    assert all(s.noise_uncond is None for s in plain)
    # the same first step by hand: eps = eps_cond, and with w = 1 the guided formula gives the same
    cond = pipeline.encode_prompts(tiny_parts, ["a red circle"])
    uncond = pipeline.encode_prompts(tiny_parts, [""])
    sched = pipeline.make_scheduler("DDIM", tiny_parts.scheduler_config)
    sched.set_timesteps(3)
    x = torch.randn((1, 4, 8, 8), generator=torch.Generator().manual_seed(1)) * sched.init_noise_sigma
    t = sched.timesteps[0]
    with torch.no_grad():
        e_c = tiny_parts.unet(x, t, encoder_hidden_states=cond).sample
        e_u = tiny_parts.unet(x, t, encoder_hidden_states=uncond).sample
    assert torch.allclose(plain[0].noise_cond, e_c, atol=1e-5)
    assert torch.allclose(e_u + 1.0 * (e_c - e_u), e_c, atol=1e-5)
    guided = list(pipeline.denoise(tiny_parts, ["a red circle"], guidance=4.0, steps=3, seed=1))
    assert torch.allclose(guided[0].noise_uncond, e_u, atol=1e-5) and not torch.allclose(guided[0].latent, plain[0].latent)


def test_the_folder_loads_as_a_diffusers_pipeline(tiny_parts, tmp_path):
    from diffusers import StableDiffusionPipeline

    save_pipeline(tmp_path, tiny_parts.vae, tiny_parts.text_encoder, tiny_parts.tokenizer, tiny_parts.unet)
    for folder in ("vae", "text_encoder", "tokenizer", "unet", "scheduler"):
        assert (tmp_path / folder).is_dir(), folder
    pipe = StableDiffusionPipeline.from_pretrained(tmp_path, safety_checker=None, requires_safety_checker=False)
    out = pipe("a red circle", num_inference_steps=2, height=32, width=32, output_type="np",
               generator=torch.Generator().manual_seed(0)).images
    assert out.shape == (1, 32, 32, 3) and np.isfinite(out).all()


def test_evaluation_prompts_split_seen_and_unseen_pairs():
    from shared.datasets import HELD_OUT_PAIRS, LABEL_NAMES

    for unseen in (False, True):
        prompts, labels = eval_prompts(60, unseen)
        pairs = {(LABEL_NAMES["shape"][s], LABEL_NAMES["colour"][c]) for s, c, *_ in labels}
        assert (pairs <= HELD_OUT_PAIRS) if unseen else not (pairs & HELD_OUT_PAIRS)
        assert all(LABEL_NAMES["shape"][lab[0]] in p and LABEL_NAMES["colour"][lab[1]] in p for p, lab in zip(prompts, labels))


def test_both_stages_resume_where_they_stopped_and_continue_the_same_way(tmp_path):
    import dataclasses

    import torch

    from demos.stable_diffusion import train as sd_train
    from demos.stable_diffusion.model import new_autoencoder
    from tests.resume_check import assert_resumes_the_same

    base = sd_train.TrainConfig(batch_size=2, lr=1e-3, data_size=24, eval_every=1000, device="cpu")
    auto = sd_train.with_defaults(dataclasses.replace(base, stage="autoencoder"))
    assert_resumes_the_same(auto, sd_train.fit_autoencoder, lambda s: s.vae, tmp_path / "autoencoder")

    unet = sd_train.with_defaults(dataclasses.replace(base, stage="unet"))
    autoencoder = new_autoencoder()
    for name in ("a", "b"):  # the folders the check writes to: each needs the same trained autoencoder
        autoencoder.save_pretrained(tmp_path / "unet" / name / "vae")
    assert_resumes_the_same(unet, sd_train.fit_unet, lambda s: torch.nn.ModuleDict({"unet": s.unet, "ema": s.ema}),
                            tmp_path / "unet")
