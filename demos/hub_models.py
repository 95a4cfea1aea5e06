"""Every Hub model a tab offers, in one list, collected from the demos at the app level: the Space's
README front matter names them under `models:` and `preload_from_hub:` (a test checks it), `make
prefetch` downloads them before a talk (demos/prefetch.py hands this list to shared/prefetch.py), and
`make deploy --dry-run` checks the front matter against them (demos/deploy.py, shared/deploy.py).
Logic only: no UI library.
"""

from __future__ import annotations

from collections.abc import Iterable


def offered() -> dict[str, tuple[str, ...]]:
    """Demo slug -> the Hub ids its tab offers (besides the bundled checkpoint)."""
    from demos.clip import options as clip
    from demos.diffusion import options as diffusion
    from demos.gpt import options as gpt
    from demos.stable_diffusion import options as sd
    from demos.three_d import options as three_d
    from demos.vae import options as vae

    return {
        "diffusion": (diffusion.HUB_DEFAULT,),
        "gpt": tuple(value for _, value in gpt.MODEL_CHOICES if value not in gpt.BUNDLED_MODELS),
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
