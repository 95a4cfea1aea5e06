"""Speed and quality of the VAE tab on this machine.

    python -m benchmarks.vae                 # speed, then every bundled VAE re-measured
    python -m benchmarks.vae --speed-only

Goals (issue 20): an 8-frame interpolation in at most 50 ms and one traversal frame in at most
10 ms on 2 CPU cores; `vae-shapes` reconstructs held-out images with the same shape and colour at
least 97% of the time, and at least 70% of its prior samples are valid shapes, every shape at
least 8%.

The photo rows time the Hub autoencoders' architectures (TAESD: diffusers' default
AutoencoderTiny config; Stable Diffusion's AutoencoderKL config) with freshly initialised weights:
the same arithmetic as the downloaded models, so the figures hold offline too.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from shared import datasets
from shared.timing import median_ms


def speed() -> None:
    from demos.vae import explore, options

    a, b = datasets.data_image(options.DEFAULT_SEEDS[0])[0], datasets.data_image(options.DEFAULT_SEEDS[1])[0]
    vae = explore.load_vae()
    z = list(explore.encode(vae, a[None])[0][0])
    explore.verdicts(a[None])  # load the classifier
    rows = [
        ("an 8-frame interpolation: encode both, decode 8 frames, cross-fade, 16 verdicts (goal 50 ms)",
         median_ms(lambda: explore.interpolate(a, b, 8, "slerp"), 30)),
        ("one traversal frame: 16 slider values decoded (goal 10 ms)", median_ms(lambda: explore.decode_latent(z), 100)),
        ("the whole traversal picture: 16 x 7 frames", median_ms(lambda: explore.traversal(np.array(z)), 20)),
        ("reconstruct image A with its scores", median_ms(lambda: explore.reconstruct(a), 30)),
        ("16 samples from the fitted prior, with verdicts",
         median_ms(lambda: explore._sample.__wrapped__(16, 1.0, 0, "fitted", options.BUNDLED), 30)),
        ("the latent map: 225 tiles decoded, 2,000 images encoded", median_ms(lambda: explore.latent_map.__wrapped__(), 5)),
    ]
    print(f"## VAE speed ({torch.get_num_threads()} CPU threads)\n")
    print("| step | median ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")


def photo_speed(side: int = 256) -> None:
    from diffusers import AutoencoderKL, AutoencoderTiny

    from demos.vae import photos

    image = np.random.default_rng(0).integers(0, 255, (1, side, side, 3), dtype=np.uint8)
    sd_config = dict(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
                     block_out_channels=(128, 256, 512, 512),
                     down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    print(f"\n## Photos through a Hub autoencoder's architecture ({side} x {side}; freshly initialised weights)\n")
    print("| autoencoder | parameters | encode + decode, median ms |\n|---|---|---|")
    torch.manual_seed(0)
    for name, model in (("TAESD (AutoencoderTiny)", AutoencoderTiny()), ("Stable Diffusion's AutoencoderKL", AutoencoderKL(**sd_config))):
        model.eval()
        ms = median_ms(lambda model=model: photos.decode_photos(model, photos.encode_photos(model, image)), 3)
        print(f"| {name} | {sum(p.numel() for p in model.parameters()) / 1e6:.1f} M | {ms:.0f} |")


def quality() -> None:
    from demos.vae import explore, options
    from demos.vae.train import evaluate

    print("\n## Bundled VAEs, re-measured (held-out 2,000 images; 1,000 samples per prior)\n")
    print("| model | same shape and colour | recon MSE | bits/dim (N(0,I)) | valid samples, N(0, I) | valid, fitted prior "
          "| smallest shape, fitted | AUROC recon / ELBO |")
    print("|---|---|---|---|---|---|---|---|")
    for name in [*options.BETA_MODELS.values(), options.BUNDLED_2D]:
        r = evaluate(explore.load_vae(name))
        std, fit = r["scores"]["standard"], r["scores"].get("fitted")
        fitted = f"{fit.valid_fraction:.1%} | {fit.min_class_share:.1%}" if fit else "– | –"
        print(f"| {name} | {r['recon_same_shape_colour']:.1%} | {r['recon_mse']:.4f} | {r['bits_per_dim']['standard']:.3f} "
              f"| {std.valid_fraction:.1%} | {fitted} | {r['auroc']['recon_mse']:.3f} / {r['auroc']['bits_per_dim']:.3f} |")

    print("\n## What each latent dimension moves, per KL weight (swept -3 to 3 from 200 held-out codes)\n")
    for label, name in options.BETA_MODELS.items():
        rows = explore.dimension_table(name)
        used = [r for r in rows if r.moves_most != "nothing"]
        counts = {k: sum(r.moves_most == k for r in used) for k in ("shape", "colour", "size", "position")}
        purity = np.mean([r.purity for r in used]) if used else 0.0
        print(f"- {label}: {len(used)} of {len(rows)} dimensions used; moving most "
              + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; mean purity {purity:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    speed()
    photo_speed()
    if not args.speed_only:
        quality()


if __name__ == "__main__":
    main()
