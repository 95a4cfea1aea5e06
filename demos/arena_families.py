"""Every image family of the suite behind one interface, for the arena (python -m benchmarks.arena):
the same data, the same judge, the same bits per dimension where the family defines one.

App-level, like demos/hub_models.py: it imports the demos' own samplers (a demo never imports
another), each lazily, inside the family's functions, so listing the families loads nothing.

    for family in FAMILIES:
        images = family.sample(n, seed)           # uint8 (n, 32, 32, 3) at the family's defaults
        bits = family.bits(held_out) if family.bits else None   # (n,) bits per dimension
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shared import heavy


@dataclass(frozen=True)
class Family:
    key: str
    name: str  # as the table names it
    checkpoint: str  # the bundled folder under checkpoints/
    how: str  # how a sample is drawn, in a few words
    sample: Callable[[int, int], np.ndarray]  # (n, seed) -> uint8 (n, 32, 32, 3)
    parameters: Callable[[], int]
    bits: Callable[[np.ndarray], np.ndarray] | None  # uint8 images -> bits per dimension, (n,)
    bits_kind: str  # "exact", "bound" (an upper bound: the negative ELBO) or why it is not defined
    trained: str  # training time and hardware, as the card says


def _count(model) -> int:  # noqa: ANN001 (an nn.Module)
    return sum(p.numel() for p in model.parameters())


# ---- GANs -------------------------------------------------------------------------------------------


def _gan():  # noqa: ANN202 (ShapesGAN)
    from demos.gan.model import ShapesGAN
    from shared.checkpoints import load

    return load(ShapesGAN, "gan-shapes", device="cpu").model.eval()


def _gan_sample(n: int, seed: int) -> np.ndarray:
    from demos.gan.train import sample_images

    gan = _gan()
    return sample_images(gan.generator, n, seed, gan.z_dim)


def _cgan():  # noqa: ANN202 (ConditionalShapesGAN)
    from demos.gan.conditional import load_conditional

    return load_conditional().model.eval()


def _cgan_sample(n: int, seed: int) -> np.ndarray:
    """n samples, the 36 (shape, colour) pairs asked for equally often, in a seeded order."""
    from demos.gan.train_conditional import sample_pairs

    gan = _cgan()
    images, _, _ = sample_pairs(gan.generator, -(-n // 36), seed, gan.z_dim)
    return images[np.random.default_rng(seed).permutation(len(images))[:n]]


# ---- VAE ----------------------------------------------------------------------------------------------


def _vae():  # noqa: ANN202 (ShapesVAE)
    from demos.vae.explore import load_vae

    return load_vae().eval()


def _vae_sample(n: int, seed: int) -> np.ndarray:
    from demos.vae.train import prior_samples

    return prior_samples(_vae(), n, seed)


def _vae_bits(images: np.ndarray) -> np.ndarray:
    """The negative ELBO as bits per 8-bit value (demos.vae.model.bits_per_dim), one z per image, seed 0."""
    import torch

    from shared.shapes_classifier import to_tensor

    scores = _vae().anomaly_scores(to_tensor(images), torch.Generator().manual_seed(0))
    return scores["bits_per_dim"].numpy()


# ---- diffusion ----------------------------------------------------------------------------------------


def _ddpm():  # noqa: ANN202 ((UNet2DModel, scheduler config))
    heavy.ready("diffusers")  # shared/heavy.py: no two threads race its lazy import
    from diffusers import DDPMScheduler, UNet2DModel

    from shared.checkpoints import load

    unet = load(UNet2DModel, "diffusion-shapes", device="cpu").model.eval()
    return unet, load(DDPMScheduler, "diffusion-shapes").model.config


def _ddpm_sample(n: int, seed: int) -> np.ndarray:
    from demos.diffusion.train import EVAL_STEPS, samples

    unet, config = _ddpm()
    return samples(unet, config, n, EVAL_STEPS, seed)


def _ddpm_bits(images: np.ndarray) -> np.ndarray:
    """The variational bound (demos.diffusion.likelihood: L_0 and the prior exact, one stratified t per image)."""
    from demos.diffusion.likelihood import bits_per_dim

    unet, config = _ddpm()
    return bits_per_dim(unet, config, images)


def _sd():  # noqa: ANN202 (pipeline.Parts)
    from demos.stable_diffusion.explore import load_pipeline

    return load_pipeline()


def _sd_sample(n: int, seed: int) -> np.ndarray:
    """n images for captions drawn uniformly from the caption language (every label equally likely)."""
    from demos.stable_diffusion.pipeline import generate
    from shared.datasets import ALL_CAPTIONS

    prompts = [ALL_CAPTIONS[i] for i in np.random.default_rng(seed).integers(len(ALL_CAPTIONS), size=n)]
    return generate(_sd(), prompts, seed=seed)


# ---- flow -----------------------------------------------------------------------------------------------


def _flow():  # noqa: ANN202 (ImageFlow)
    from demos.flows.images import load_image_flow

    return load_image_flow()


def _flow_sample(n: int, seed: int) -> np.ndarray:
    """n samples at the tab's default temperature (0.7), each told labels drawn as the data's (the tab's
    default: shared.told.random_labels(n, seed)) when the flow can be told."""
    from demos.flows.images import sample_images
    from shared.told import random_labels

    flow = _flow()
    return sample_images(flow, n, seed, labels=random_labels(n, seed) if flow.told else None)


def _flow_bits(images: np.ndarray) -> np.ndarray:
    """The dequantised figure: exact for the flow's continuous density, one draw of the noise u."""
    from demos.flows.images import bits_per_dim

    return bits_per_dim(_flow(), images)


# ---- PixelCNN -----------------------------------------------------------------------------------------


def _pixelcnn():  # noqa: ANN202 (GatedPixelCNN)
    from demos.pixelcnn.explore import load_model

    return load_model()


def _pixelcnn_sample(n: int, seed: int) -> np.ndarray:
    from demos.pixelcnn.train import sample_seed

    return sample_seed(_pixelcnn(), n, seed)


def _pixelcnn_bits(images: np.ndarray) -> np.ndarray:
    from demos.pixelcnn.sampling import bits_per_dim

    return bits_per_dim(_pixelcnn(), images)


def _sd_parameters() -> int:
    parts = _sd()
    return _count(parts.vae) + _count(parts.unet) + _count(parts.text_encoder)


NOT_LIKELIHOOD = "not defined (no likelihood)"
FAMILIES: list[Family] = [
    Family("gan", "GAN (unconditional)", "gan-shapes", "one pass from z ~ N(0, I)", _gan_sample,
           lambda: _count(_gan().generator), None, NOT_LIKELIHOOD, "31.3 min on an H100, seven stages"),
    Family("gan-conditional", "GAN (class-conditional)", "gan-shapes-conditional",
           "one pass, the 36 (shape, colour) pairs asked for equally", _cgan_sample,
           lambda: _count(_cgan().generator), None, NOT_LIKELIHOOD, "100 min on one CPU thread, told the layout too"),
    Family("vae", "VAE", "vae-shapes", "one decode from the fitted mixture prior", _vae_sample,
           lambda: _count(_vae()), _vae_bits, "bound", "about 25-60 min on one CPU thread"),
    Family("ddpm", "DDPM (pixel diffusion)", "diffusion-shapes", "50 DDIM steps", _ddpm_sample,
           lambda: _count(_ddpm()[0]), _ddpm_bits, "bound", "7.3 min on an H200"),
    Family("latent-diffusion", "Latent diffusion (sd-shapes)", "sd-shapes",
           "30 DDIM steps in 4x8x8 latents, guidance 5, a uniform random caption", _sd_sample,
           _sd_parameters, None, "not defined (text-conditioned)",
           "46 min on 2 CPU cores (autoencoder and UNet)"),
    Family("flow", "Flow (Glow-style)", "flow-shapes",
           "one pass back from z ~ N(0, I), told labels drawn as the data's (bits: told nothing)", _flow_sample,
           lambda: _count(_flow()), _flow_bits, "exact (dequantised)",
           "71 min on two CPU threads, told the labels"),
    Family("pixelcnn", "PixelCNN", "pixelcnn-shapes",
           "1,024 steps, one pixel each, told labels drawn as the data's (bits: told nothing)", _pixelcnn_sample,
           lambda: _count(_pixelcnn()), _pixelcnn_bits, "exact",
           "326 min: 198 on one CPU thread, 128 on two (the last 78 told the labels)"),
]


def family(key: str) -> Family:
    return next(f for f in FAMILIES if f.key == key)
