"""The same latent walk on real photos, through a pretrained autoencoder from the Hugging Face Hub:
Stable Diffusion's own (`stabilityai/sd-vae-ft-mse`, diffusers' AutoencoderKL) or its tiny distilled
twin (`madebyollin/taesd`, AutoencoderTiny), loaded through shared.checkpoints.load like every model.

    walk = photo_interpolation(path_a, path_b, frames=8, mode="slerp")
    walk.latent, walk.fade     # uint8 (frames, side, side, 3) each: the latent walk and the cross-fade

Both map a (3, H, W) image in [-1, 1] to a (4, H/8, W/8) latent and back. No UI code here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from demos.vae import options
from demos.vae.explore import interpolate_latents, path_weights
from shared import heavy, limits
from shared.checkpoints import CheckpointError

NEEDS_NETWORK = ("The photo autoencoders come from the Hugging Face Hub: this needs the network once, "
                 "then they are cached. The shapes models "
                 "above are bundled and work offline.")


def load_autoencoder(model_id: str = options.HUB_DEFAULT):  # noqa: ANN201 (a diffusers autoencoder)
    """The named Hub autoencoder (one of options.HUB_AUTOENCODERS), cached per process; a
    LimitError that says it needs the network when it cannot be loaded."""
    heavy.ready("diffusers")
    import diffusers

    from shared.checkpoints import load

    model_id = limits.check_choice("photo autoencoder", model_id, options.HUB_AUTOENCODERS)
    model_class = getattr(diffusers, options.HUB_AUTOENCODERS[model_id])
    try:
        return load(model_class, model_id, device="cpu").model
    except CheckpointError as exc:
        raise limits.LimitError(f"{exc} {NEEDS_NETWORK}") from None


def read_photo(path: str | None, side: int, what: str = "photo") -> np.ndarray:
    """An uploaded photo, upright RGB, its centre square resized to side x side: uint8 (side, side, 3)."""
    from shared.pictures import centre_square, open_picture

    side = options.PHOTO_SIDE.check(side)
    if side % 8:
        raise limits.LimitError(f"The photo size must be a multiple of 8 (the autoencoders shrink it 8 times); got {side}.")
    if not path:
        raise limits.LimitError(f"Upload {what} first.")
    return centre_square(open_picture(path, options.PHOTO), side)


def _to_x(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(images, dtype=np.uint8)).permute(0, 3, 1, 2).float() / 127.5 - 1.0  # a copy: PIL arrays are read-only


@torch.inference_mode()
def encode_photos(autoencoder, images: np.ndarray) -> torch.Tensor:  # noqa: ANN001
    """uint8 (n, H, W, 3) -> latents (n, 4, H/8, W/8): AutoencoderKL's posterior mean, or
    AutoencoderTiny's (deterministic) code."""
    out = autoencoder.encode(_to_x(images))
    return out.latent_dist.mean if hasattr(out, "latent_dist") else out.latents


@torch.inference_mode()
def decode_photos(autoencoder, latents: torch.Tensor) -> np.ndarray:  # noqa: ANN001
    """Latents (n, 4, h, w) -> uint8 (n, 8h, 8w, 3)."""
    x = autoencoder.decode(latents).sample
    return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


@dataclass(frozen=True)
class PhotoWalk:
    t: np.ndarray  # (frames,)
    latent: np.ndarray  # uint8 (frames, side, side, 3)
    fade: np.ndarray  # uint8 (frames, side, side, 3)
    latent_shape: tuple[int, ...]  # (4, side/8, side/8)


def photo_interpolation(path_a: str | None, path_b: str | None, frames: int = options.DEFAULT_FRAMES,
                        mode: str = "slerp", model_id: str = options.HUB_DEFAULT,
                        side: int = options.DEFAULT_PHOTO_SIDE) -> PhotoWalk:
    """Walk from photo A's latent to photo B's, decoding each frame, beside a pixel cross-fade."""
    t = path_weights(frames)
    mode = limits.check_choice("interpolation", mode, options.INTERPOLATIONS)
    a, b = read_photo(path_a, side, "photo A"), read_photo(path_b, side, "photo B")
    autoencoder = load_autoencoder(model_id)
    z = encode_photos(autoencoder, np.stack([a, b]))
    shape = tuple(z.shape[1:])
    path = interpolate_latents(z[0].flatten().numpy(), z[1].flatten().numpy(), t, mode)
    latent = decode_photos(autoencoder, torch.from_numpy(path).reshape(-1, *shape))
    fade = ((1 - t[:, None, None, None]) * a + t[:, None, None, None] * b).round().astype(np.uint8)
    return PhotoWalk(t, latent, fade, shape)
