"""Every Hub model a tab offers, in one list: the Space's README front matter names them under
`models:` and `preload_from_hub:` (a test checks it), `make prefetch` downloads them before a talk,
and `make deploy --dry-run` checks the front matter against them. Logic only: no UI library.
"""

from __future__ import annotations

from collections.abc import Iterable


def offered() -> dict[str, tuple[str, ...]]:
    """Demo slug -> the Hub ids its tab offers (besides the bundled checkpoint)."""
    from demos.clip import options as clip
    from demos.diffusion import sampling as diffusion  # imports torch; its id is not in options.py
    from demos.gpt import options as gpt
    from demos.stable_diffusion import options as sd
    from demos.three_d import options as three_d
    from demos.vae import options as vae

    return {
        "diffusion": (diffusion.HUB_DEFAULT,),
        "gpt": tuple(value for _, value in gpt.MODEL_CHOICES if value != gpt.BUNDLED),
        "three_d": (three_d.DEPTH_MODEL,),
        "vae": tuple(vae.HUB_AUTOENCODERS),
        "clip": tuple(clip.HUB_MODELS),
        "stable_diffusion": (sd.HUB_PIPELINE, sd.HUB_PREVIEW),
    }


def all_ids(by_demo: dict[str, Iterable[str]] | None = None) -> list[str]:
    """Every offered Hub id once, in tab order."""
    seen: dict[str, None] = {}
    for ids in (by_demo or offered()).values():
        seen.update(dict.fromkeys(ids))
    return list(seen)


# What a download of each model needs: configs, tokenizer files and full-precision weights (the
# loaders ask for float32), in safetensors where the repo has them, else PyTorch's .bin; not the
# other copies a repo carries (TF/Flax/ONNX, fp16 variants, a single-file checkpoint at the top).
IGNORE_ALWAYS = ("*.onnx", "onnx/*", "*.ckpt", "*.msgpack", "*.h5", "*.tflite", "*fp16*", "*.pt",
                 "*.gguf", "sd_turbo*.safetensors", "*.png", "*.jpg", "*.gif")


def ignore_patterns(repo_files: Iterable[str]) -> list[str]:
    """What not to download of a repo with these files: .bin weights only where safetensors exist."""
    files = list(repo_files)
    has_safetensors = any(f.endswith(".safetensors") and "fp16" not in f for f in files)
    return list(IGNORE_ALWAYS) + (["*.bin"] if has_safetensors else [])
