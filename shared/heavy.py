"""diffusers and transformers, made ready once under one lock before any demo imports from them.

Both libraries are lazy modules: `from diffusers import DDPMScheduler` imports the submodule that
holds the name on first use. When two threads do that at once (two tabs' first events, or a tab's
opening fill beside a presenter link's run), one can see the other's half-initialised submodule
and fail with "cannot import name 'DDPMScheduler' from 'diffusers'". Every first import from them
in the demos goes through `ready(...)`, which resolves every name the demos use, once per process.
"""

from __future__ import annotations

import importlib
import threading

NAMES: dict[str, tuple[str, ...]] = {
    "diffusers": ("UNet2DModel", "UNet2DConditionModel", "AutoencoderKL", "AutoencoderTiny", "DDPMScheduler",
                  "DDIMScheduler", "EulerDiscreteScheduler", "DPMSolverMultistepScheduler"),
    "transformers": ("AutoTokenizer", "AutoModelForCausalLM", "AutoImageProcessor", "AutoModelForDepthEstimation",
                     "PreTrainedTokenizerFast", "GPT2Config", "GPT2LMHeadModel", "CLIPConfig", "CLIPModel",
                     "CLIPProcessor", "CLIPImageProcessor", "CLIPTokenizer", "CLIPTextModel"),
}
SUBMODULES: dict[str, tuple[str, ...]] = {"diffusers": ("diffusers.models.attention_processor",)}

_lock = threading.RLock()
_ready: set[str] = set()


def ready(library: str) -> None:
    """Import `library` and every name of it the demos use; other threads wait until it is done."""
    if library in _ready:
        return
    with _lock:
        if library in _ready:
            return
        module = importlib.import_module(library)
        for name in NAMES[library]:
            getattr(module, name)
        for sub in SUBMODULES.get(library, ()):
            importlib.import_module(sub)
        _ready.add(library)
