"""Expected-value slices, the diffusers way: a tiny model of each family, its weights drawn from a
fixed seed, run on a fixed input; a corner of the output must equal the numbers recorded here (to
1e-4). A change to a network, its initialisation or its sampler that moves the numbers fails here,
even when every shape and range still looks right. Recorded on torch 2.13.0 (CPU).

To re-record after a deliberate change: `python -m tests.unit.test_expected_slices` prints them."""

from __future__ import annotations

import pytest
import torch


def _seeded(seed: int = 0) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def gan_slice() -> torch.Tensor:
    from demos.gan.model import ShapesGAN

    gen = _seeded()
    gan = ShapesGAN(z_dim=8, width=16, mapping_layers=1, res_blocks=1, d_res_blocks=1).eval()
    with torch.no_grad():
        images = gan.generator(torch.randn(2, 8, generator=gen))
        logits = gan.discriminator(images)
    return torch.cat([images[0, -1, -3:, -3:].flatten(), logits])


def ddpm_slice() -> torch.Tensor:
    from demos.diffusion import process
    from demos.diffusion.model import shapes_unet, training_scheduler

    gen = _seeded()
    unet = shapes_unet((8, 8, 8)).eval()
    run = process.start_run(unet, training_scheduler().config, "DDIM", 3, 0, 1)
    del gen
    with torch.no_grad():
        image = process.run_to_end(run)
    return image[0, -1, -3:, -3:].flatten()


def vae_slice() -> torch.Tensor:
    from demos.vae.model import ShapesVAE

    gen = _seeded()
    vae = ShapesVAE(latent_dim=4, width=16, min_sigma=0.1).eval()
    x = torch.rand(2, 3, 32, 32, generator=gen) * 2 - 1
    with torch.no_grad():
        mean, _ = vae.encode(x)
        recon = vae.decode(mean)
        elbo = vae.negative_elbo(x, gen)[0]
    return torch.cat([recon[0, -1, -3:, -3:].flatten(), elbo / 1000])


def clip_slice() -> torch.Tensor:
    from demos.clip.model import new_clip, new_processor

    gen = _seeded()
    model = new_clip(width=16, layers=1, projection=8).eval()
    enc = new_processor().tokenizer(["a red circle", "a blue star"], padding=True, return_tensors="pt")
    with torch.no_grad():
        image = model.get_image_features(pixel_values=torch.rand(1, 3, 32, 32, generator=gen)).pooler_output
        text = model.get_text_features(**enc).pooler_output
    return torch.cat([image[0, :4], text[1, :4]])


def gpt_slice() -> torch.Tensor:
    from transformers import GPT2LMHeadModel

    from demos.gpt.model import bundled_config

    gen = _seeded()
    model = GPT2LMHeadModel(bundled_config(64, 1, n_embd=16)).eval()
    with torch.no_grad():
        logits = model(input_ids=torch.randint(64, (1, 5), generator=gen)).logits
    return logits[0, -1, :6]


def stable_diffusion_slice() -> torch.Tensor:
    from demos.stable_diffusion import pipeline
    from tests.sd_tiny import tiny_parts

    parts = tiny_parts()
    last = None
    for last in pipeline.denoise(parts, ["a red circle"], 3.0, 2, 0, "DDIM"):  # noqa: B007 (the last step)
        pass
    return last.latent[0, -1, -3:, -3:].flatten()


def pointnet_slice() -> torch.Tensor:
    from demos.three_d.model import PointNet

    gen = _seeded()
    net = PointNet(num_classes=3, width=16).eval()
    with torch.no_grad():
        logits = net(torch.rand(1, 32, 3, generator=gen))
    return logits[0]


def classifier_slice() -> torch.Tensor:
    from shared.shapes_classifier import ShapesClassifier

    gen = _seeded()
    model = ShapesClassifier(width=8, n_features=16).eval()
    with torch.no_grad():
        logits = model(torch.rand(1, 3, 32, 32, generator=gen) * 2 - 1)
    return torch.cat([logits[k][0, :2] for k in sorted(logits)])


def pixelcnn_slice() -> torch.Tensor:
    from demos.pixelcnn.model import GatedPixelCNN
    from demos.pixelcnn.sampling import sample

    gen = _seeded()
    model = GatedPixelCNN([[i, 2 * i, 3 * i] for i in range(6)], channels=8, dilations=(1, 2)).eval()
    x = torch.randint(6, (1, 32, 32), generator=gen)
    with torch.no_grad():
        logits = model(x)[0, :, -1, -2:].flatten()
    *_, last = sample(model, 1, seed=0)  # the sampler's draws from this seed, pixel by pixel
    return torch.cat([logits[:6], torch.from_numpy(last.codes[0, -1, -4:]).float()])


def image_flow_slice() -> torch.Tensor:
    from demos.flows.model import ImageFlow

    gen = _seeded()
    flow = ImageFlow(levels=2, steps=1, hidden=8, seed=0)
    x = torch.randint(256, (2, 3, 32, 32), generator=gen)
    bits = flow.bits_per_dim(x, gen)  # the first batch also sets ActNorm (data-dependent initialisation)
    with torch.no_grad():
        image = flow.decode(flow.sample_noise(1, 0.7, gen))
    return torch.cat([bits.detach(), image[0, -1, -3:, -3:].flatten()])


SLICES = {
    "gan": (gan_slice, [0.04819, -0.14659, 0.01635, -0.14441, 0.17573, -0.01334, 0.0589, -0.15451, 0.00813, -0.03911, -0.03317]),
    "ddpm": (ddpm_slice, [-0.24691, 0.36675, -0.5726, 0.94688, -0.88237, 0.98283, -0.99983, -1.0, -1.0]),
    "vae": (vae_slice, [0.10717, 0.26693, 0.05464, 0.2614, 0.04971, 0.11095, 0.09703, 0.0874, -0.0046, 71.57323, 71.03316]),
    "clip": (clip_slice, [-0.65496, -0.78453, 0.70351, -0.25793, -1.27549, 0.37588, 0.10499, -0.39371]),
    "gpt": (gpt_slice, [0.04372, -0.0748, -0.05147, 0.15822, -0.16152, -0.05195]),
    "stable_diffusion": (stable_diffusion_slice, [2.16123, 2.26033, -2.95616, 0.50058, 1.43114, 0.24214, 0.46753, 2.84283, 0.67561]),
    "pointnet": (pointnet_slice, [-0.02801, -0.05349, 0.02976]),
    "pixelcnn": (pixelcnn_slice, [-0.33508, -0.11122, 0.25561, 0.47011, 0.0337, -0.18763, 5.0, 2.0, 4.0, 0.0]),
    "image_flow": (image_flow_slice, [8.06581, 8.07066, 0.56246, 0.97574, 0.09981, 0.86581, 0.67879, 0.19754, 0.56138, 0.05228, 0.50641]),
    "classifier": (classifier_slice, [0.10875, 0.23834, -0.36784, 0.1763, 0.17575, -0.13613, 0.11792, -0.24764]),
}


@pytest.mark.parametrize("family", list(SLICES))
def test_a_tiny_model_gives_its_recorded_numbers(family):
    make, expected = SLICES[family]
    got = make().float()
    assert got.numel() == len(expected), f"{family}: {got.tolist()}"
    torch.testing.assert_close(got, torch.tensor(expected), rtol=0, atol=1e-4, msg=lambda m: f"{family}: {got.tolist()}\n{m}")


if __name__ == "__main__":
    for name, (make, _) in SLICES.items():
        print(name, [round(v, 5) for v in make().float().tolist()])
