"""What the suite prepares in the background once it serves its page, so that the first press of a
main action at its defaults answers as fast as the second: torch and the lazy libraries imported,
the bundled models the main actions use loaded, and the Data tab's default judged batch computed
(memoised, so the first visitor's press is served from memory). App-level: it names demos' logic
(never their UI), and shared/ui.launch runs it in a low-priority thread after the page is served.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger("genai-demos")


def _torch() -> None:
    import torch  # noqa: F401 (the import is the work)


def _libraries() -> None:
    from shared import heavy

    heavy.ready("diffusers")
    heavy.ready("transformers")


def _classifier() -> None:
    from shared.metrics import _bundled_classifier, reference_features

    reference_features(_bundled_classifier())


def _data_default() -> None:
    from demos.data import explore, options

    explore.judged_batch(options.JUDGED_IMAGES_SLIDER.value, 0, options.MIX_SHARE_SLIDER.value)


def _pixelcnn() -> None:
    from demos.pixelcnn.explore import load_model

    load_model()


def _live_flow() -> None:
    from demos.flows import live

    live.ToyFlow(live.FlowSettings().checked())  # the first one takes about 1 s (lazy set-up); later ones 0.04 s


def _three_d_default() -> None:
    from demos.three_d import options, scene

    scene.open_sample(options.DEFAULT_SAMPLE, options.DEFAULT_COLOUR)  # memoised: the figure and the status
    scene.sample_glb(options.DEFAULT_SAMPLE, options.DEFAULT_COLOUR)  # memoised: the viewer's file (1.3 s cold)


def _diffusion() -> None:
    from demos.diffusion.sampling import load_model

    load_model("")


def _stable_diffusion() -> None:
    from demos.stable_diffusion.explore import load_pipeline

    load_pipeline()


def _assistant() -> None:
    from demos.gpt.lm import load_lm

    load_lm("")  # the base, with the SFT and DPO adapters merged: about 3.5 s cold (PEFT's import is most of it)


# The first tab's answer first: diffusers and transformers take seconds to import, and until they are in
# (the import holds the interpreter lock) a press of the Data tab's button would wait behind them.
STEPS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("torch", _torch), ("the shapes classifier", _classifier), ("the Data tab's default batch", _data_default),
    ("the bundled PixelCNN", _pixelcnn), ("the live flow's first run", _live_flow), ("the 3-D tab's default sample", _three_d_default),
    ("diffusers and transformers", _libraries),
    ("the bundled DDPM", _diffusion),
    ("the bundled Stable Diffusion pipeline", _stable_diffusion), ("the bundled GPT assistant", _assistant),
)
# These run at the server's own priority: a first press waits for them (the Data tab's batch is memoised:
# a press while it is computed waits for this thread), and at a low priority under a loaded server they
# would wait behind every other request. The rest runs at nice 10, behind the visitors.
AT_NORMAL_PRIORITY = frozenset({"torch", "the shapes classifier", "the Data tab's default batch", "the bundled PixelCNN"})
LOW_PRIORITY = 10


def lower_this_threads_priority() -> None:
    """nice LOW_PRIORITY for the calling thread only (Linux; elsewhere nothing). It cannot be raised again."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)


def warm_up(slugs: set[str] | None = None) -> list[tuple[str, float]]:
    """Run every step (those of the mounted demos when `slugs` is given); (step, seconds) each; from
    the first step not AT_NORMAL_PRIORITY on, the calling thread runs at a low priority (call it in a
    thread of its own: shared.ui.warm_up_after_serving). A failing step is logged and skipped: the tab
    it serves then loads on its first use, as without."""
    needs = {"the Data tab's default batch": "data", "the bundled PixelCNN": "pixelcnn", "the bundled DDPM": "diffusion",
             "the bundled Stable Diffusion pipeline": "stable_diffusion", "the bundled GPT assistant": "gpt",
             "the 3-D tab's default sample": "three_d"}
    done, lowered = [], False
    for name, step in STEPS:
        if slugs is not None and name in needs and needs[name] not in slugs:
            continue
        if name not in AT_NORMAL_PRIORITY and not lowered:
            lower_this_threads_priority()
            lowered = True
        t0 = time.perf_counter()
        try:
            step()
        except Exception:
            log.exception("warm-up step %r failed; it will happen on first use", name)
            continue
        done.append((name, time.perf_counter() - t0))
    log.info("warmed up: %s", ", ".join(f"{n} {s:.1f} s" for n, s in done))
    return done
